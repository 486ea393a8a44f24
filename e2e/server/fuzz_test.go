package server

import (
	"context"
	"errors"
	"io"
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/boltrx/boltrx/bolt"
	"github.com/boltrx/boltrx/e2e/server/rawclient"
)

// FuzzSessionInput feeds arbitrary bytes to a logged-in session, chunked
// as one message and raw, and checks the server survives: it answers or
// closes, never crashes, and serves the next connection.
func FuzzSessionInput(f *testing.F) {
	seeds := [][]byte{
		{0xB0, bolt.TagReset},
		{0xB1, bolt.TagRun, 0x84, 'R', 'E', 'T', 'U'},
		{0xB3, bolt.TagRun, 0x85, 'C', 'O', 'U', 'N', 'T', 0xA1, 0x81, 'n', 0x05, 0xA0},
		{0xB1, bolt.TagPull, 0xA1, 0x81, 'n', 0xFF},
		{0xB1, bolt.TagBegin, 0xA1, 0x84, 'm', 'o', 'd', 'e', 0x81, 'r'},
		{0xDF, 0xFF},
		{},
	}
	for _, s := range seeds {
		f.Add(s, true)
		f.Add(s, false)
	}
	srv, err := Start(context.Background(), Config{Handler: &testHandler{}, MaxMessageSize: 1 << 16})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = srv.Close() })

	f.Fuzz(func(t *testing.T, data []byte, chunked bool) {
		ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
		defer cancel()
		c, err := rawclient.Dial(ctx, srv.Addr(), rawclient.Offer(bolt.V5_4))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if _, err := c.Login(nil, nil); err != nil {
			t.Fatal(err)
		}
		if chunked {
			cw := bolt.NewChunkWriter(c.Conn)
			cw.WriteMessage(data)
			if err := cw.Flush(); err != nil {
				t.Fatal(err)
			}
		} else if _, err := c.Conn.Write(data); err != nil {
			t.Fatal(err)
		}
		// GOODBYE and the end of the stream behind it, so that every
		// input ends the conversation (raw bytes may leave the server
		// inside a chunk); then read until the server closes.
		_ = c.Send(&bolt.Goodbye{})
		_ = c.Conn.(*net.TCPConn).CloseWrite()
		_ = c.Conn.SetReadDeadline(time.Now().Add(testTimeout))
		// A reset counts as closed: the server closes with the GOODBYE
		// unread after a malformed message.
		if _, err := io.Copy(io.Discard, c.Conn); err != nil && !errors.Is(err, syscall.ECONNRESET) {
			t.Fatalf("the server did not close the connection: %v", err)
		}

		// The server still works.
		ok, err := rawclient.Dial(ctx, srv.Addr(), rawclient.Offer(bolt.V5_4))
		if err != nil {
			t.Fatal(err)
		}
		defer ok.Close()
		if _, err := ok.Login(nil, nil); err != nil {
			t.Fatal(err)
		}
	})
}
