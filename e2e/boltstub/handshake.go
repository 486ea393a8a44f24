package boltstub

import (
	"fmt"
	"net"

	"github.com/boltrx/boltrx/bolt"
)

// handshake performs the section's handshake. It returns the conversation
// to run, or nil when the handshake was all there was to do; ok is false
// when the connection cannot go on (f says why, nil if that is no failure).
func (s *Server) handshake(conn net.Conn, n int, sec *section) (c *conversation, ok bool, f *Failure) {
	set := sec.settings
	if set.handshakeDelay > 0 {
		if err := s.sleep(s.ctx, set.handshakeDelay); err != nil {
			return nil, false, s.stopped(n, sec)
		}
	}
	var version bolt.Version
	switch set.handshake {
	case handshakeReject, handshakeHTTP, handshakeRaw:
		request := make([]byte, 20) // the magic and four version proposals
		if _, err := readFull(conn, request); err != nil {
			if s.ctx.Err() != nil {
				return nil, false, s.stopped(n, sec)
			}
			return nil, false, &Failure{Reason: ErrHandshake, Connection: n, Cause: err,
				Detail: "reading the client's handshake: " + err.Error()}
		}
		answer := set.handshakeBytes
		switch set.handshake {
		case handshakeReject:
			answer = []byte{0, 0, 0, 0}
		case handshakeHTTP:
			answer = []byte(httpAnswer)
		}
		if _, err := conn.Write(answer); err != nil {
			return nil, false, &Failure{Reason: ErrHandshake, Connection: n, Cause: err,
				Detail: "answering the handshake: " + err.Error()}
		}
		if set.handshake != handshakeRaw {
			return nil, true, nil
		}
		version = set.versions[0]
	default:
		res, err := bolt.ServerHandshake(s.ctx, conn, bolt.ServerHandshakeConfig{
			Supported: set.versions, Manifest: set.manifest, Capabilities: set.capabilities})
		if err != nil {
			if s.ctx.Err() != nil {
				return nil, false, s.stopped(n, sec)
			}
			return nil, false, &Failure{Reason: ErrHandshake, Connection: n, Cause: err, Detail: err.Error()}
		}
		version = res.Version
	}
	caps, _ := bolt.CapabilitiesFor(version) // the script's versions are all in the table
	c = &conversation{
		ctx:     s.ctx,
		srv:     s,
		num:     n,
		sec:     sec,
		conn:    conn,
		env:     env{agent: set.agent, conn: n, version: version},
		dialect: dialectOf(version, set.utcPatch),
		be:      bolt.NewBackend(conn, caps, 0),
	}
	return c, true, nil
}

// stopped is the failure of a required connection the server stopped
// before its conversation began (nil for a connection that may be left out).
func (s *Server) stopped(n int, sec *section) *Failure {
	if !sec.required(n) {
		return nil
	}
	return &Failure{Reason: ErrIncomplete, Connection: n, Detail: "the server was stopped during the handshake"}
}

// httpAnswer is what the server sends for "handshake http": what a client
// gets when it dials an HTTP port by mistake.
var httpAnswer = func() string {
	const body = "This is an HTTP port, not a Bolt port.\r\n"
	return "HTTP/1.1 400 Bad Request\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n" +
		"Content-Length: " + fmt.Sprint(len(body)) + "\r\n" +
		"Connection: close\r\n\r\n" + body
}()

// readFull reads len(b) bytes.
func readFull(conn net.Conn, b []byte) (int, error) {
	n := 0
	for n < len(b) {
		m, err := conn.Read(b[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
