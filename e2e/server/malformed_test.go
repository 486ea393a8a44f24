package server

import (
	"encoding/binary"
	"testing"

	"github.com/boltrx/boltrx/bolt"
)

// Malformed client bytes never bring the server down: a message that
// cannot be decoded gets FAILURE Request.Invalid and the connection
// closes; a broken chunk stream is closed without an answer.
func TestMalformedMessages(t *testing.T) {
	tests := []struct {
		name    string
		msg     []byte
		failure bool
	}{
		{"unknown tag", []byte{0xB0, 0x55}, true},
		{"not a structure", []byte{0x01}, true},
		{"PULL with a string n", []byte{0xB1, bolt.TagPull, 0xA1, 0x81, 'n', 0x81, 'x'}, true},
		{"RUN with too few fields", []byte{0xB1, bolt.TagRun, 0x80}, true},
		{"truncated map", []byte{0xB1, bolt.TagBegin, 0xA3, 0x81}, true},
		{"trailing bytes", []byte{0xB0, bolt.TagReset, 0x00}, true},
		{"ROUTE before 4.3", []byte{0xB3, bolt.TagRoute, 0xA0, 0x90, 0xC0}, true},
		{"unknown key in BEGIN", []byte{0xB1, bolt.TagBegin, 0xA1, 0x83, 'x', 'y', 'z', 0x01}, true},
	}
	srv, _ := startServer(t, Config{})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := login(t, srv, bolt.V4_2)
			mustSendRaw(t, c, tc.msg...)
			if tc.failure {
				expectFailure(t, mustReply(t, c), CodeRequestInvalid)
			}
			expectClosed(t, c)
		})
	}
	// The server still serves.
	c := login(t, srv, bolt.V4_2)
	if _, _, err := c.Query(qCount, params(1), bolt.TxConfig{}); err != nil {
		t.Fatal(err)
	}
}

// Malformed bytes at the framing level: the connection closes.
func TestBrokenChunkStream(t *testing.T) {
	srv, _ := startServer(t, Config{MaxMessageSize: 1024})

	// A message larger than the limit.
	c := login(t, srv, bolt.V5_0)
	big := make([]byte, 2000)
	big[0], big[1] = 0xB0, bolt.TagReset
	mustSendRaw(t, c, big...)
	expectClosed(t, c)

	// A chunk that announces more bytes than ever come.
	c = login(t, srv, bolt.V5_0)
	var hdr [2]byte
	binary.BigEndian.PutUint16(hdr[:], 100)
	if _, err := c.Conn.Write(append(hdr[:], 0xB0, bolt.TagReset)); err != nil {
		t.Fatal(err)
	}
	if err := c.Conn.(interface{ CloseWrite() error }).CloseWrite(); err != nil {
		t.Fatal(err)
	}
	expectClosed(t, c)

	// Garbage instead of a handshake.
	c = login(t, srv, bolt.V5_0)
	c2, err := dialRaw(srv.Addr(), []byte("GET / HTTP/1.1\r\n\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	if n, err := c2.Read(make([]byte, 16)); err == nil {
		t.Fatalf("the server answered %d bytes to HTTP", n)
	}
	_ = c2.Close()

	if _, _, err := c.Query(qCount, params(2), bolt.TxConfig{}); err != nil {
		t.Fatal(err)
	}
}
