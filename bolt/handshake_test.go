package bolt

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"time"
)

// safetyTimeout only keeps a broken test from hanging; no test asserts on
// time.
const safetyTimeout = 30 * time.Second

// scriptedConn is a net.Conn whose peer is a fixed byte string: reads serve
// reply, then io.EOF; writes are recorded.
type scriptedConn struct {
	reply   *bytes.Reader
	written bytes.Buffer
}

func newScriptedConn(reply []byte) *scriptedConn {
	return &scriptedConn{reply: bytes.NewReader(reply)}
}

func (c *scriptedConn) Read(p []byte) (int, error)       { return c.reply.Read(p) }
func (c *scriptedConn) Write(p []byte) (int, error)      { return c.written.Write(p) }
func (c *scriptedConn) Close() error                     { return nil }
func (c *scriptedConn) LocalAddr() net.Addr              { return scriptedAddr{} }
func (c *scriptedConn) RemoteAddr() net.Addr             { return scriptedAddr{} }
func (c *scriptedConn) SetDeadline(time.Time) error      { return nil }
func (c *scriptedConn) SetReadDeadline(time.Time) error  { return nil }
func (c *scriptedConn) SetWriteDeadline(time.Time) error { return nil }

type scriptedAddr struct{}

func (scriptedAddr) Network() string { return "script" }
func (scriptedAddr) String() string  { return "script" }

// pipe returns both ends of an in-memory connection, closed at the end of
// the test; the peer end has a safety deadline.
func pipe(t *testing.T) (client, server net.Conn) {
	t.Helper()
	client, server = net.Pipe()
	t.Cleanup(func() { client.Close(); server.Close() })
	return client, server
}

// peerStep is one turn of a scripted peer.
type peerStep struct {
	expect []byte // bytes the peer must receive first
	send   []byte // bytes the peer sends next
}

// runPeer plays one side of a handshake on conn: in turns it reads what the
// test expects and writes what the test scripts. The channel reports the
// first mismatch or I/O error.
func runPeer(conn net.Conn, steps ...peerStep) <-chan error {
	done := make(chan error, 1)
	go func() {
		_ = conn.SetDeadline(time.Now().Add(safetyTimeout))
		for _, s := range steps {
			got := make([]byte, len(s.expect))
			if _, err := io.ReadFull(conn, got); err != nil {
				done <- err
				return
			}
			if !bytes.Equal(got, s.expect) {
				done <- &mismatchError{got: got, want: s.expect}
				return
			}
			if len(s.send) > 0 {
				if _, err := conn.Write(s.send); err != nil {
					done <- err
					return
				}
			}
		}
		done <- nil
	}()
	return done
}

type mismatchError struct{ got, want []byte }

func (e *mismatchError) Error() string {
	return fmt.Sprintf("peer received unexpected bytes\n got % X\nwant % X", e.got, e.want)
}

func v(major, minor uint8) Version { return Version{Major: major, Minor: minor} }

// The examples of handshake.adoc: each client offer must produce the
// specification's bytes, and the specification's answer must give the
// specification's version.
func TestClientHandshakeSpecificationExamples(t *testing.T) {
	tests := []struct {
		name    string
		offer   []VersionRange
		request string
		answer  string
		want    Version
	}{
		{
			name:    "version 1",
			offer:   []VersionRange{{Version: v(1, 0)}},
			request: "60 60 B0 17 00 00 00 01 00 00 00 00 00 00 00 00 00 00 00 00",
			answer:  "00 00 00 01",
			want:    v(1, 0),
		},
		{
			name:    "versions 2 and 1",
			offer:   []VersionRange{{Version: v(2, 0)}, {Version: v(1, 0)}},
			request: "60 60 B0 17 00 00 00 02 00 00 00 01 00 00 00 00 00 00 00 00",
			answer:  "00 00 00 02",
			want:    v(2, 0),
		},
		{
			name:    "versions 3, 2 and 1",
			offer:   []VersionRange{{Version: v(3, 0)}, {Version: v(2, 0)}, {Version: v(1, 0)}},
			request: "60 60 B0 17 00 00 00 03 00 00 00 02 00 00 00 01 00 00 00 00",
			answer:  "00 00 00 02",
			want:    v(2, 0),
		},
		{
			name:    "Bolt 4.0 style",
			offer:   []VersionRange{{Version: V4_1}, {Version: V4_0}, {Version: V3_0}},
			request: "60 60 B0 17 00 00 01 04 00 00 00 04 00 00 00 03 00 00 00 00",
			answer:  "00 00 01 04",
			want:    V4_1,
		},
		{
			name:    "Bolt 4.3 range",
			offer:   []VersionRange{{Version: V4_3, Back: 3}, {Version: V4_1}, {Version: V4_0}, {Version: V3_0}},
			request: "60 60 B0 17 00 03 03 04 00 00 01 04 00 00 00 04 00 00 00 03",
			answer:  "00 00 01 04",
			want:    V4_1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn := newScriptedConn(hexBytes(t, tt.answer))
			res, err := ClientHandshake(context.Background(), conn, tt.offer)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := conn.written.Bytes(), hexBytes(t, tt.request); !bytes.Equal(got, want) {
				t.Errorf("request\n got % X\nwant % X", got, want)
			}
			if res != (HandshakeResult{Version: tt.want}) {
				t.Errorf("result %+v, want version %v without manifest", res, tt.want)
			}
		})
	}
}

func TestClientHandshakeSpecificationRefusal(t *testing.T) {
	conn := newScriptedConn(hexBytes(t, "00 00 00 00"))
	_, err := ClientHandshake(context.Background(), conn, []VersionRange{{Version: V3_0}})
	var nc *NoCommonVersionError
	if !errors.As(err, &nc) {
		t.Fatalf("got %v, want a *NoCommonVersionError", err)
	}
	want := hexBytes(t, "60 60 B0 17 00 00 00 03 00 00 00 00 00 00 00 00 00 00 00 00")
	if !bytes.Equal(conn.written.Bytes(), want) {
		t.Errorf("request % X, want % X", conn.written.Bytes(), want)
	}
	if len(nc.Offered) != 1 || nc.Offered[0] != (VersionRange{Version: V3_0}) || nc.ServerVersions != nil {
		t.Errorf("error lists offered %v, server %v", nc.Offered, nc.ServerVersions)
	}
}

// The manifest v1 example of handshake.adoc, client side: the client offers
// manifest v1, 4.4-4.0, 3 and 2, speaks 5.7 but not 5.8 and wants capability
// bit 4 (0x08).
func TestClientHandshakeSpecificationManifestExample(t *testing.T) {
	conn := newScriptedConn(hexBytes(t, "00 00 01 FF 02 00 02 08 05 00 04 04 04 09"))
	res, err := ClientHandshakeWithConfig(context.Background(), conn, ClientHandshakeConfig{
		Offer:        []VersionRange{ManifestV1, {Version: V4_4, Back: 4}, {Version: V3_0}, {Version: v(2, 0)}},
		Supported:    []Version{V5_7, V5_6, V4_4, V4_3, V4_2, V4_1, V4_0, V3_0},
		Capabilities: 0x08 | 0x02,
	})
	if err != nil {
		t.Fatal(err)
	}
	want := hexBytes(t, "60 60 B0 17 00 00 01 FF 00 04 04 04 00 00 00 03 00 00 00 02 "+
		"00 00 07 05 08")
	if !bytes.Equal(conn.written.Bytes(), want) {
		t.Errorf("client sent\n got % X\nwant % X", conn.written.Bytes(), want)
	}
	if want := (HandshakeResult{Version: V5_7, Manifest: true, Capabilities: 0x08}); res != want {
		t.Errorf("result %+v, want %+v", res, want)
	}
}

// The same example, server side: a server speaking 5.8-5.6 and 4.4-4.0 with
// capability bits 0x09 sends exactly the specification's manifest.
func TestServerHandshakeSpecificationManifestExample(t *testing.T) {
	client, server := pipe(t)
	peer := runPeer(client,
		peerStep{
			send: hexBytes(t, "60 60 B0 17 00 00 01 FF 00 04 04 04 00 00 00 03 00 00 00 02"),
		},
		peerStep{
			expect: hexBytes(t, "00 00 01 FF 02 00 02 08 05 00 04 04 04 09"),
			send:   hexBytes(t, "00 00 07 05 08"),
		},
	)
	res, err := ServerHandshake(context.Background(), server, ServerHandshakeConfig{
		Supported:    []Version{V5_8, V5_7, V5_6, V4_4, V4_3, V4_2, V4_1, V4_0},
		Manifest:     true,
		Capabilities: 0x09,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := <-peer; err != nil {
		t.Fatal(err)
	}
	if want := (HandshakeResult{Version: V5_7, Manifest: true, Capabilities: 0x08}); res != want {
		t.Errorf("result %+v, want %+v", res, want)
	}
}

// The Bolt 4.3 example, server side: a server that speaks 4.1, 4.0 and 3
// answers the range 4.3-4.0 with 4.1.
func TestServerHandshakeSpecificationRangeExample(t *testing.T) {
	client, server := pipe(t)
	peer := runPeer(client,
		peerStep{send: hexBytes(t, "60 60 B0 17 00 03 03 04 00 00 01 04 00 00 00 04 00 00 00 03")},
		peerStep{expect: hexBytes(t, "00 00 01 04")},
	)
	res, err := ServerHandshake(context.Background(), server, ServerHandshakeConfig{
		Supported: []Version{V4_1, V4_0, V3_0},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := <-peer; err != nil {
		t.Fatal(err)
	}
	if res != (HandshakeResult{Version: V4_1}) {
		t.Errorf("result %+v, want 4.1", res)
	}
}

// The VarInt examples of handshake.adoc.
func TestHandshakeVarintSpecificationExamples(t *testing.T) {
	tests := []struct {
		wire  string
		value uint64
	}{
		{"01", 1},
		{"7F", 127},
		{"FF 82 71", 1851775},
	}
	for _, tt := range tests {
		wire := hexBytes(t, tt.wire)
		if got := binary.AppendUvarint(nil, tt.value); !bytes.Equal(got, wire) {
			t.Errorf("encoding %d: % X, want % X", tt.value, got, wire)
		}
		got, err := readHandshakeVarint(&handshakeByteReader{r: bytes.NewReader(wire)}, "test")
		if err != nil || got != tt.value {
			t.Errorf("decoding % X: %d, %v; want %d", wire, got, err, tt.value)
		}
	}
}

func TestDefaultOfferBytes(t *testing.T) {
	conn := newScriptedConn(hexBytes(t, "00 00 08 05"))
	res, err := ClientHandshake(context.Background(), conn, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := hexBytes(t, "60 60 B0 17 00 00 01 FF 00 08 08 05 00 04 04 04 00 00 00 03")
	if !bytes.Equal(conn.written.Bytes(), want) {
		t.Errorf("default request\n got % X\nwant % X", conn.written.Bytes(), want)
	}
	if res.Version != V5_8 {
		t.Errorf("version %v, want 5.8", res.Version)
	}
}

// Every version boltrx speaks is reachable with the default offer: through a
// range slot, or through the manifest for servers new enough to have one
// (Bolt 5.7+). And every version the range slots propose is one boltrx
// speaks.
func TestDefaultOfferReachesEverySupportedVersion(t *testing.T) {
	offer := DefaultOffer()
	if len(offer) != handshakeSlots || offer[0] != ManifestV1 {
		t.Fatalf("default offer %v: want four slots, manifest v1 first", offer)
	}
	for _, s := range SupportedVersions {
		if !offersVersion(offer, s) && !s.AtLeast(V5_7) {
			t.Errorf("version %v is neither in a range slot nor manifest-era", s)
		}
	}
	for _, r := range offer[1:] {
		for m := int(r.Version.Minor); m >= int(r.Lowest().Minor); m-- {
			if !IsSupported(v(r.Version.Major, uint8(m))) {
				t.Errorf("slot %v proposes %d.%d, which boltrx does not speak", r, r.Version.Major, m)
			}
		}
	}
}

// legacyServer answers like a server from before version ranges: it ignores
// the range byte and matches exact versions only.
func legacyServer(conn net.Conn, speaks []Version) <-chan error {
	done := make(chan error, 1)
	go func() {
		_ = conn.SetDeadline(time.Now().Add(safetyTimeout))
		var req [20]byte
		if _, err := io.ReadFull(conn, req[:]); err != nil {
			done <- err
			return
		}
		answer := []byte{0, 0, 0, 0}
	slots:
		for i := 4; i < 20; i += 4 {
			for _, s := range speaks {
				if req[i+2] == s.Minor && req[i+3] == s.Major {
					answer = []byte{0, 0, s.Minor, s.Major}
					break slots
				}
			}
		}
		_, err := conn.Write(answer)
		done <- err
	}()
	return done
}

// Old servers that ignore ranges: the default offer still reaches them, as
// DefaultOffer documents.
func TestDefaultOfferWithServersWithoutRanges(t *testing.T) {
	tests := []struct {
		name   string
		speaks []Version
		want   Version
	}{
		{"Neo4j 3.5", []Version{V3_0}, V3_0},
		{"Neo4j 4.0", []Version{V4_0, V3_0}, V3_0},
		{"Neo4j 4.1", []Version{V4_1, V4_0, V3_0}, V3_0},
		{"Neo4j 4.2 before the range patch", []Version{V4_2, V4_1, V4_0, V3_0}, V3_0},
		{"a server reading 4.4 exactly", []Version{V4_4, V4_3, V4_2, V4_1, V4_0, V3_0}, V4_4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client, server := pipe(t)
			peer := legacyServer(server, tt.speaks)
			res, err := ClientHandshake(context.Background(), client, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := <-peer; err != nil {
				t.Fatal(err)
			}
			if res.Version != tt.want {
				t.Errorf("negotiated %v, want %v", res.Version, tt.want)
			}
		})
	}
}

type handshakeOutcome struct {
	res HandshakeResult
	err error
}

// shake runs ClientHandshakeWithConfig and ServerHandshake against each
// other over a pipe.
func shake(t *testing.T, ccfg ClientHandshakeConfig, scfg ServerHandshakeConfig) (client, server handshakeOutcome) {
	t.Helper()
	cconn, sconn := pipe(t)
	_ = sconn.SetDeadline(time.Now().Add(safetyTimeout))
	done := make(chan handshakeOutcome, 1)
	go func() {
		res, err := ServerHandshake(context.Background(), sconn, scfg)
		if err != nil {
			sconn.Close() // as a real server would; unblocks the client
		}
		done <- handshakeOutcome{res, err}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), safetyTimeout)
	defer cancel()
	res, err := ClientHandshakeWithConfig(ctx, cconn, ccfg)
	client = handshakeOutcome{res, err}
	if err != nil {
		cconn.Close()
	}
	return client, <-done
}

func TestHandshakeClientAgainstServer(t *testing.T) {
	tests := []struct {
		name string
		ccfg ClientHandshakeConfig
		scfg ServerHandshakeConfig
		want HandshakeResult
	}{
		{
			name: "exact match",
			ccfg: ClientHandshakeConfig{Offer: []VersionRange{{Version: V5_4}}},
			scfg: ServerHandshakeConfig{Supported: []Version{V5_6, V5_4, V4_4}},
			want: HandshakeResult{Version: V5_4},
		},
		{
			name: "range match picks the newest the server speaks",
			ccfg: ClientHandshakeConfig{Offer: []VersionRange{{Version: V5_8, Back: 8}}},
			scfg: ServerHandshakeConfig{Supported: []Version{V5_2, V5_1, V5_0, V4_4}},
			want: HandshakeResult{Version: V5_2},
		},
		{
			name: "first matching slot wins",
			ccfg: ClientHandshakeConfig{Offer: []VersionRange{{Version: V5_8, Back: 8}, {Version: V4_4}}},
			scfg: ServerHandshakeConfig{Supported: []Version{V4_4, V5_0}},
			want: HandshakeResult{Version: V5_0},
		},
		{
			name: "manifest on both sides",
			scfg: ServerHandshakeConfig{Manifest: true},
			want: HandshakeResult{Version: SupportedVersions[0], Manifest: true},
		},
		{
			name: "manifest with capabilities",
			ccfg: ClientHandshakeConfig{Capabilities: 0b0110},
			scfg: ServerHandshakeConfig{Manifest: true, Supported: []Version{V6_0, V5_8}, Capabilities: 0b1100},
			want: HandshakeResult{Version: V6_0, Manifest: true, Capabilities: 0b0100},
		},
		{
			name: "manifest offered, server without manifest",
			scfg: ServerHandshakeConfig{},
			want: HandshakeResult{Version: V5_8},
		},
		{
			name: "server with manifest, client without",
			ccfg: ClientHandshakeConfig{Offer: []VersionRange{{Version: V5_8, Back: 8}, {Version: V4_4}}},
			scfg: ServerHandshakeConfig{Manifest: true},
			want: HandshakeResult{Version: V5_8},
		},
		{
			name: "Bolt 4 server",
			scfg: ServerHandshakeConfig{Supported: []Version{V4_4, V4_3, V4_2, V4_1, V4_0, V3_0}},
			want: HandshakeResult{Version: V4_4},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client, server := shake(t, tt.ccfg, tt.scfg)
			if client.err != nil || server.err != nil {
				t.Fatalf("client error %v, server error %v", client.err, server.err)
			}
			if client.res != tt.want || server.res != tt.want {
				t.Errorf("client %+v, server %+v, want %+v", client.res, server.res, tt.want)
			}
		})
	}
}

func TestHandshakeNoCommonVersion(t *testing.T) {
	t.Run("plain", func(t *testing.T) {
		client, server := shake(t, ClientHandshakeConfig{}, ServerHandshakeConfig{Supported: []Version{v(7, 0)}})
		var cerr, serr *NoCommonVersionError
		if !errors.As(client.err, &cerr) || !errors.As(server.err, &serr) {
			t.Fatalf("client %v, server %v; want *NoCommonVersionError on both", client.err, server.err)
		}
		msg := cerr.Error()
		for _, want := range []string{"manifest v1", "5.8-5.0", "4.4-4.0", "3.0"} {
			if !strings.Contains(msg, want) {
				t.Errorf("message %q does not list %s", msg, want)
			}
		}
		if len(serr.Offered) != 4 || serr.Offered[1] != (VersionRange{Version: V5_8, Back: 8}) {
			t.Errorf("server saw offer %v", serr.Offered)
		}
	})
	t.Run("manifest", func(t *testing.T) {
		client, server := shake(t, ClientHandshakeConfig{},
			ServerHandshakeConfig{Manifest: true, Supported: []Version{v(7, 1), v(7, 0)}})
		var cerr, serr *NoCommonVersionError
		if !errors.As(client.err, &cerr) || !errors.As(server.err, &serr) {
			t.Fatalf("client %v, server %v; want *NoCommonVersionError on both", client.err, server.err)
		}
		if len(cerr.ServerVersions) != 1 || cerr.ServerVersions[0] != (VersionRange{Version: v(7, 1), Back: 1}) {
			t.Errorf("client error lists server versions %v, want [7.1-7.0]", cerr.ServerVersions)
		}
		if !strings.Contains(cerr.Error(), "7.1-7.0") {
			t.Errorf("message %q does not list the server's versions", cerr.Error())
		}
	})
}

// The client answers a manifest it cannot use with 00 00 00 00 and no
// capabilities.
func TestClientHandshakeManifestWithoutCommonVersionAnswersZero(t *testing.T) {
	conn := newScriptedConn(hexBytes(t, "00 00 01 FF 01 00 00 00 09 FF 01"))
	_, err := ClientHandshakeWithConfig(context.Background(), conn, ClientHandshakeConfig{Capabilities: 0xFF})
	var nc *NoCommonVersionError
	if !errors.As(err, &nc) {
		t.Fatalf("got %v, want *NoCommonVersionError", err)
	}
	if got := conn.written.Bytes()[20:]; !bytes.Equal(got, []byte{0, 0, 0, 0, 0}) {
		t.Errorf("client's choice % X, want 00 00 00 00 00", got)
	}
}

func TestClientHandshakeHTTPServer(t *testing.T) {
	client, server := pipe(t)
	peer := runPeer(server, peerStep{
		expect: hexBytes(t, "60 60 B0 17 00 00 01 FF 00 08 08 05 00 04 04 04 00 00 00 03"),
		send:   []byte("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"),
	})
	_, err := ClientHandshake(context.Background(), client, nil)
	if !errors.Is(err, ErrHTTPServer) {
		t.Fatalf("got %v, want ErrHTTPServer", err)
	}
	for _, want := range []string{"HTTP", "Bolt port", "7687"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q does not mention %q", err, want)
		}
	}
	client.Close() // the peer is still writing the rest of its answer
	<-peer
}

func TestServerHandshakeBadMagic(t *testing.T) {
	client, server := pipe(t)
	go func() {
		_ = client.SetDeadline(time.Now().Add(safetyTimeout))
		_, _ = client.Write([]byte("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"))
	}()
	_, err := ServerHandshake(context.Background(), server, ServerHandshakeConfig{})
	if !errors.Is(err, ErrBadMagic) {
		t.Fatalf("got %v, want ErrBadMagic", err)
	}
	if !strings.Contains(err.Error(), "47 45 54 20") {
		t.Errorf("message %q does not show the bytes received", err)
	}
}

func TestClientHandshakeTruncatedReplies(t *testing.T) {
	replies := map[string]string{
		"nothing":                        "",
		"half an answer":                 "00 00",
		"manifest without count":         "00 00 01 FF",
		"manifest inside the count":      "00 00 01 FF 80",
		"manifest inside a range":        "00 00 01 FF 02 00 02 08 05 00 04",
		"manifest without capabilities":  "00 00 01 FF 01 00 02 08 05",
		"manifest inside capabilities":   "00 00 01 FF 01 00 02 08 05 FF",
		"manifest inside the last range": "00 00 01 FF 01 00 02 08",
	}
	for name, reply := range replies {
		t.Run(name, func(t *testing.T) {
			_, err := ClientHandshake(context.Background(), newScriptedConn(hexBytes(t, reply)), nil)
			if !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Fatalf("got %v, want io.ErrUnexpectedEOF", err)
			}
		})
	}
}

func TestClientHandshakeTruncatedOverPipe(t *testing.T) {
	client, server := pipe(t)
	go func() {
		_ = server.SetDeadline(time.Now().Add(safetyTimeout))
		req := make([]byte, 20)
		_, _ = io.ReadFull(server, req)
		_, _ = server.Write([]byte{0, 0})
		server.Close()
	}()
	if _, err := ClientHandshake(context.Background(), client, nil); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("got %v, want io.ErrUnexpectedEOF", err)
	}
}

func TestServerHandshakeTruncatedRequests(t *testing.T) {
	requests := map[string]string{
		"nothing":                   "",
		"part of the magic":         "60 60",
		"part of the proposals":     "60 60 B0 17 00 00 01 FF 00 08",
		"manifest, no choice":       "60 60 B0 17 00 00 01 FF 00 00 00 00 00 00 00 00 00 00 00 00",
		"manifest, no capabilities": "60 60 B0 17 00 00 01 FF 00 00 00 00 00 00 00 00 00 00 00 00 00 00 08 05",
	}
	for name, request := range requests {
		t.Run(name, func(t *testing.T) {
			_, err := ServerHandshake(context.Background(), newScriptedConn(hexBytes(t, request)),
				ServerHandshakeConfig{Manifest: true})
			if !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Fatalf("got %v, want io.ErrUnexpectedEOF", err)
			}
		})
	}
}

func TestClientHandshakeRejectsInvalidAnswers(t *testing.T) {
	offer := []VersionRange{{Version: V5_4, Back: 2}, {Version: V4_4}}
	answers := map[string]string{
		"version not offered":          "00 00 01 05",
		"version above the range":      "00 00 05 05",
		"reserved bytes set":           "01 00 04 05",
		"a range instead of a version": "00 02 04 05",
		"manifest not offered":         "00 00 01 FF",
	}
	for name, answer := range answers {
		t.Run(name, func(t *testing.T) {
			_, err := ClientHandshake(context.Background(), newScriptedConn(hexBytes(t, answer)), offer)
			if !errors.Is(err, ErrBadHandshake) {
				t.Fatalf("got %v, want ErrBadHandshake", err)
			}
		})
	}

	manifestAnswers := map[string]string{
		"manifest version 2":  "00 00 02 FF",
		"too many ranges":     "00 00 01 FF 81 08", // 1025
		"count overflows":     "00 00 01 FF FF FF FF FF FF FF FF FF FF 02",
		"capability overflow": "00 00 01 FF 00 FF FF FF FF FF FF FF FF FF 7F",
	}
	for name, answer := range manifestAnswers {
		t.Run(name, func(t *testing.T) {
			_, err := ClientHandshake(context.Background(), newScriptedConn(hexBytes(t, answer)), nil)
			if !errors.Is(err, ErrBadHandshake) {
				t.Fatalf("got %v, want ErrBadHandshake", err)
			}
		})
	}
}

func TestServerHandshakeRejectsInvalidChoices(t *testing.T) {
	const manifestRequest = "60 60 B0 17 00 00 01 FF 00 00 00 00 00 00 00 00 00 00 00 00 "
	choices := map[string]string{
		"a range":                 "00 02 08 05 00",
		"reserved byte set":       "01 00 08 05 00",
		"version not listed":      "00 00 01 07 00",
		"capability not offered":  "00 00 08 05 02",
		"capabilities overflowed": "00 00 08 05 FF FF FF FF FF FF FF FF FF FF 01",
	}
	for name, choice := range choices {
		t.Run(name, func(t *testing.T) {
			conn := newScriptedConn(hexBytes(t, manifestRequest+choice))
			_, err := ServerHandshake(context.Background(), conn,
				ServerHandshakeConfig{Manifest: true, Capabilities: 0x01})
			if !errors.Is(err, ErrBadHandshake) {
				t.Fatalf("got %v, want ErrBadHandshake", err)
			}
		})
	}
}

func TestClientHandshakeRejectsInvalidOffers(t *testing.T) {
	offers := map[string][]VersionRange{
		"five proposals":        {{Version: V5_4}, {Version: V5_3}, {Version: V5_2}, {Version: V5_1}, {Version: V5_0}},
		"empty":                 {},
		"only placeholders":     {{}, {}},
		"range spanning majors": {{Version: V5_2, Back: 3}},
	}
	for name, offer := range offers {
		t.Run(name, func(t *testing.T) {
			conn := newScriptedConn(nil)
			_, err := ClientHandshake(context.Background(), conn, offer)
			if !errors.Is(err, ErrInvalidOffer) {
				t.Fatalf("got %v, want ErrInvalidOffer", err)
			}
			if conn.written.Len() != 0 {
				t.Errorf("sent % X for an invalid offer", conn.written.Bytes())
			}
		})
	}
}

func TestClientHandshakeContextCancelledMidHandshake(t *testing.T) {
	client, server := pipe(t)
	received := make(chan struct{})
	go func() {
		_ = server.SetDeadline(time.Now().Add(safetyTimeout))
		req := make([]byte, 20)
		_, _ = io.ReadFull(server, req)
		close(received) // and never answer
	}()
	ctx, cancel := context.WithCancelCause(context.Background())
	shutdown := errors.New("driver closing")
	go func() {
		<-received
		cancel(shutdown)
	}()
	_, err := ClientHandshake(ctx, client, nil)
	if !errors.Is(err, context.Canceled) || !errors.Is(err, shutdown) {
		t.Fatalf("got %v, want context.Canceled with its cause", err)
	}

	// The deadline set to interrupt the handshake is gone afterwards.
	go func() { _, _ = server.Write([]byte("after")) }()
	buf := make([]byte, 5)
	if _, err := io.ReadFull(client, buf); err != nil || string(buf) != "after" {
		t.Fatalf("reading after the handshake: %q, %v; the deadline was not cleared", buf, err)
	}
}

func TestClientHandshakeContextDeadline(t *testing.T) {
	client, server := pipe(t)
	go func() {
		_ = server.SetDeadline(time.Now().Add(safetyTimeout))
		req := make([]byte, 20)
		_, _ = io.ReadFull(server, req) // and never answer
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err := ClientHandshake(ctx, client, nil)
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("got %v, want context.DeadlineExceeded", err)
	}
}

func TestClientHandshakeContextAlreadyDone(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	conn := newScriptedConn(hexBytes(t, "00 00 08 05"))
	if _, err := ClientHandshake(ctx, conn, nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	if conn.written.Len() != 0 {
		t.Error("a handshake with a done context wrote to the connection")
	}
}

func TestServerHandshakeContextCancelled(t *testing.T) {
	client, server := pipe(t)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		_ = client.SetDeadline(time.Now().Add(safetyTimeout))
		// A pipe write returns once the server has read the bytes, so the
		// server is waiting for the proposals when ctx is cancelled.
		_, _ = client.Write(handshakeMagic[:])
		cancel()
	}()
	if _, err := ServerHandshake(ctx, server, ServerHandshakeConfig{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}

func TestVersionRange(t *testing.T) {
	r := VersionRange{Version: V5_8, Back: 8}
	if got := r.String(); got != "5.8-5.0" {
		t.Errorf("String() = %q", got)
	}
	if got := (VersionRange{Version: V4_4}).String(); got != "4.4" {
		t.Errorf("single version String() = %q", got)
	}
	if got := ManifestV1.String(); got != "manifest v1" {
		t.Errorf("manifest String() = %q", got)
	}
	if r.Lowest() != V5_0 {
		t.Errorf("Lowest() = %v", r.Lowest())
	}
	for _, in := range []Version{V5_0, V5_4, V5_8} {
		if !r.Contains(in) {
			t.Errorf("%v does not contain %v", r, in)
		}
	}
	for _, out := range []Version{V4_4, V6_0, v(5, 9), {}} {
		if r.Contains(out) {
			t.Errorf("%v contains %v", r, out)
		}
	}
	if ManifestV1.Contains(Version{Major: 0xFF, Minor: 1}) || !ManifestV1.IsManifest() || r.IsManifest() {
		t.Error("a manifest request must be recognised and contain no version")
	}
	wide := VersionRange{Version: v(4, 2), Back: 9} // wider than the minor: stops at x.0
	if wide.Lowest() != V4_0 || !wide.Contains(V4_0) || wide.Contains(V3_0) {
		t.Errorf("range %v: Lowest %v", wide, wide.Lowest())
	}
	if got := (VersionRange{Version: v(4, 3), Back: 2}).appendTo(nil); !bytes.Equal(got, hexBytes(t, "00 02 03 04")) {
		t.Errorf("4.3 back 2 encodes as % X, want 00 02 03 04", got)
	}
}

func TestRangesOfGroupsConsecutiveMinors(t *testing.T) {
	tests := []struct {
		in   []Version
		want []VersionRange
	}{
		{
			in: []Version{V6_1, V6_0, V5_8, V5_7, V5_6, V5_5, V5_4, V5_3, V5_2, V5_1, V5_0,
				V4_4, V4_3, V4_2, V4_1, V4_0, V3_0},
			want: []VersionRange{{Version: V6_1, Back: 1}, {Version: V5_8, Back: 8}, {Version: V4_4, Back: 4}, {Version: V3_0}},
		},
		{
			in:   []Version{V5_8, V5_6, V5_5, V4_4},
			want: []VersionRange{{Version: V5_8}, {Version: V5_6, Back: 1}, {Version: V4_4}},
		},
		{
			in:   []Version{V4_0, V3_0, V4_4},
			want: []VersionRange{{Version: V4_0}, {Version: V3_0}, {Version: V4_4}},
		},
	}
	for _, tt := range tests {
		if got := rangesOf(tt.in); fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("rangesOf(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// The pre-range offer gives Neo4j 4.1 and 4.2 servers, which ignore
// ranges, Bolt 4.1 instead of 3.0, and still reaches every other
// generation through its ranges.
func TestPreRangeOfferWithServersWithoutRanges(t *testing.T) {
	tests := []struct {
		name   string
		speaks []Version
		want   Version
	}{
		{"Neo4j 3.5", []Version{V3_0}, V3_0},
		{"Neo4j 4.0", []Version{V4_0, V3_0}, V3_0},
		{"Neo4j 4.1", []Version{V4_1, V4_0, V3_0}, V4_1},
		{"Neo4j 4.2 before the range patch", []Version{V4_2, V4_1, V4_0, V3_0}, V4_1},
		{"a server reading 5.8 exactly", []Version{V5_8, V4_4, V3_0}, V5_8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client, server := pipe(t)
			peer := legacyServer(server, tt.speaks)
			res, err := ClientHandshake(context.Background(), client, PreRangeOffer())
			if err != nil {
				t.Fatal(err)
			}
			if err := <-peer; err != nil {
				t.Fatal(err)
			}
			if res.Version != tt.want {
				t.Errorf("negotiated %v, want %v", res.Version, tt.want)
			}
		})
	}
	conn := newScriptedConn(hexBytes(t, "00 00 04 04"))
	if _, err := ClientHandshake(context.Background(), conn, PreRangeOffer()); err != nil {
		t.Fatal(err)
	}
	want := hexBytes(t, "60 60 B0 17 00 08 08 05 00 02 04 04 00 00 01 04 00 00 00 03")
	if !bytes.Equal(conn.written.Bytes(), want) {
		t.Errorf("pre-range request\n got % X\nwant % X", conn.written.Bytes(), want)
	}
}
