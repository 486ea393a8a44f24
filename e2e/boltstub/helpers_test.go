package boltstub

import (
	"encoding/binary"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/boltrx/boltrx/bolt"
	"github.com/boltrx/boltrx/packstream"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// testClient speaks raw Bolt to a stub server: handshake bytes written by
// hand, messages built with packstream's encoder from Go values.
type testClient struct {
	t    testing.TB
	conn net.Conn
	cw   *bolt.ChunkWriter
	cr   *bolt.ChunkReader
	enc  packstream.Encoder
	dec  packstream.Decoder
}

// testTimeout only keeps a broken test from hanging; no test asserts on time.
const testTimeout = 10 * time.Second

func dial(t testing.TB, addr string) *testClient {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, testTimeout)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(testTimeout))
	return &testClient{t: t, conn: conn, cw: bolt.NewChunkWriter(conn), cr: bolt.NewChunkReader(conn, 0)}
}

// connect dials and negotiates exactly version v (single proposal).
func connect(t testing.TB, addr string, v bolt.Version) *testClient {
	t.Helper()
	c := dial(t, addr)
	got := c.handshake(proposal(v, 0))
	if want := proposal(v, 0); got != want {
		t.Fatalf("handshake answer %08x, want %08x", got, want)
	}
	c.setVersion(v)
	return c
}

func proposal(v bolt.Version, back uint8) uint32 {
	return uint32(back)<<16 | uint32(v.Minor)<<8 | uint32(v.Major)
}

func (c *testClient) setVersion(v bolt.Version) {
	caps, ok := bolt.CapabilitiesFor(v)
	if !ok {
		c.t.Fatalf("unknown version %s", v)
	}
	d := caps.Dialect(false)
	c.enc.Dialect, c.dec.Dialect = d, d
}

// handshake sends the magic and up to four proposals and reads the 4-byte answer.
func (c *testClient) handshake(proposals ...uint32) uint32 {
	c.t.Helper()
	b := []byte{0x60, 0x60, 0xB0, 0x17}
	for i := 0; i < 4; i++ {
		var p uint32
		if i < len(proposals) {
			p = proposals[i]
		}
		b = binary.BigEndian.AppendUint32(b, p)
	}
	if _, err := c.conn.Write(b); err != nil {
		c.t.Fatal(err)
	}
	var answer [4]byte
	if _, err := io.ReadFull(c.conn, answer[:]); err != nil {
		c.t.Fatalf("reading the handshake answer: %v", err)
	}
	return binary.BigEndian.Uint32(answer[:])
}

// send buffers a message built from Go values.
func (c *testClient) send(tag byte, fields ...any) {
	c.t.Helper()
	c.enc.Reset(nil)
	c.enc.WriteStructHeader(tag, len(fields))
	for _, f := range fields {
		if err := c.enc.WriteValue(f); err != nil {
			c.t.Fatal(err)
		}
	}
	c.cw.WriteMessage(c.enc.Buffer())
}

func (c *testClient) flush() {
	c.t.Helper()
	if err := c.cw.Flush(); err != nil {
		c.t.Fatal(err)
	}
}

// request sends and flushes one message.
func (c *testClient) request(tag byte, fields ...any) {
	c.t.Helper()
	c.send(tag, fields...)
	c.flush()
}

// recv reads one message and decodes its fields with packstream.
func (c *testClient) recv() (byte, []any) {
	c.t.Helper()
	b, err := c.cr.ReadMessage()
	if err != nil {
		c.t.Fatalf("reading a message: %v", err)
	}
	c.dec.Reset(b)
	tag, n, err := c.dec.ReadStructHeader()
	if err != nil {
		c.t.Fatal(err)
	}
	fields := make([]any, n)
	for i := range fields {
		if fields[i], err = c.dec.ReadValue(); err != nil {
			c.t.Fatal(err)
		}
	}
	return tag, fields
}

// expectTag reads one message and checks its tag.
func (c *testClient) expectTag(want byte) []any {
	c.t.Helper()
	tag, fields := c.recv()
	if tag != want {
		c.t.Fatalf("received message 0x%02X %v, want 0x%02X", tag, fields, want)
	}
	return fields
}

// expectEOF checks that the server closed the connection.
func (c *testClient) expectEOF() {
	c.t.Helper()
	b, err := c.cr.ReadMessage()
	if !errors.Is(err, io.EOF) {
		c.t.Fatalf("want the server to close the connection, got %x, %v", b, err)
	}
}

func (c *testClient) close() { c.conn.Close() }
