package boltstub

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/boltrx/boltrx/bolt"
)

// serveScript parses and serves a script for one test; the test inspects
// the failures itself (Start would report them).
func serveScript(t *testing.T, script string, adjust ...func(*Server)) *Server {
	t.Helper()
	var adj func(*Server)
	if len(adjust) > 0 {
		adj = adjust[0]
	}
	srv, err := listen("127.0.0.1:0", mustParse(t, script), adj)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

// failuresOf lists the failures in a server's error.
func failuresOf(err error) []*Failure {
	var out []*Failure
	var walk func(error)
	walk = func(err error) {
		if f, ok := err.(*Failure); ok {
			out = append(out, f)
			return
		}
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				walk(e)
			}
		}
	}
	walk(err)
	return out
}

// closeAndFailures closes the server and returns its failures.
func closeAndFailures(t *testing.T, srv *Server) []*Failure {
	t.Helper()
	return failuresOf(srv.Close())
}

func wantNoFailure(t *testing.T, srv *Server) {
	t.Helper()
	if err := srv.Close(); err != nil {
		t.Fatalf("unexpected failure:\n%v", err)
	}
}

func wantOneFailure(t *testing.T, srv *Server, reason error) *Failure {
	t.Helper()
	fs := closeAndFailures(t, srv)
	if len(fs) != 1 || !errors.Is(fs[0], reason) {
		t.Fatalf("failures %v, want one %v", fs, reason)
	}
	return fs[0]
}

func waitDone(t *testing.T, srv *Server) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	if err := srv.Wait(ctx); err != nil {
		t.Fatalf("Wait: %v", err)
	}
}

const versionScript = `
	bolt 5.4 4.4
	C: RESET
	S: SUCCESS {"version": $version}
`

func TestVersionNegotiation(t *testing.T) {
	tests := []struct {
		name      string
		proposals []uint32
		answer    uint32
	}{
		{"exact 4.4", []uint32{proposal(bolt.V4_4, 0)}, proposal(bolt.V4_4, 0)},
		{"range 5.8 down to 5.0", []uint32{proposal(bolt.V5_8, 8), proposal(bolt.V4_4, 0)}, proposal(bolt.V5_4, 0)},
		{"first proposal wins", []uint32{proposal(bolt.V4_4, 0), proposal(bolt.V5_4, 0)}, proposal(bolt.V4_4, 0)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := serveScript(t, versionScript)
			c := dial(t, srv.Addr())
			if got := c.handshake(tc.proposals...); got != tc.answer {
				t.Fatalf("answer %08x, want %08x", got, tc.answer)
			}
			v := bolt.Version{Major: uint8(tc.answer), Minor: uint8(tc.answer >> 8)}
			c.setVersion(v)
			c.request(bolt.TagReset)
			if got := c.expectTag(bolt.TagSuccess)[0].(map[string]any)["version"]; got != v.String() {
				t.Errorf("$version = %v, want %s", got, v)
			}
			waitDone(t, srv)
			c.close()
			wantNoFailure(t, srv)
		})
	}
}

func TestHandshakeWithoutCommonVersionFails(t *testing.T) {
	srv := serveScript(t, versionScript)
	c := dial(t, srv.Addr())
	if got := c.handshake(proposal(bolt.V3_0, 0)); got != 0 {
		t.Fatalf("answer %08x, want 00000000", got)
	}
	c.expectEOF()
	f := wantOneFailure(t, srv, ErrHandshake)
	var nc *bolt.NoCommonVersionError
	if !errors.As(f, &nc) {
		t.Errorf("the failure does not carry the handshake error: %v", f)
	}
}

func TestHandshakeBadMagicFails(t *testing.T) {
	srv := serveScript(t, versionScript)
	c := dial(t, srv.Addr())
	c.conn.Write([]byte("GET / HTTP/1.1\r\n\r\n\r\n"))
	io.ReadAll(c.conn)
	f := wantOneFailure(t, srv, ErrHandshake)
	if !errors.Is(f, bolt.ErrBadMagic) {
		t.Errorf("failure %v does not wrap bolt.ErrBadMagic", f)
	}
}

// readVarint reads a manifest varint (7 bits per byte, low bits first).
func readVarint(t *testing.T, r io.Reader) uint64 {
	t.Helper()
	var v uint64
	for shift := 0; ; shift += 7 {
		var b [1]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			t.Fatal(err)
		}
		v |= uint64(b[0]&0x7F) << shift
		if b[0] < 0x80 {
			return v
		}
	}
}

func TestManifestHandshake(t *testing.T) {
	srv := serveScript(t, `
		bolt 5.8 5.7 4.4
		manifest
		capabilities 0x09
		C: RESET
		S: SUCCESS {"version": $version}
	`)
	c := dial(t, srv.Addr())
	if got := c.handshake(0x000001FF, proposal(bolt.V5_4, 4)); got != 0x000001FF {
		t.Fatalf("answer %08x, want the manifest marker 000001FF", got)
	}
	n := readVarint(t, c.conn)
	offered := map[bolt.Version]bool{}
	for i := uint64(0); i < n; i++ {
		var r [4]byte
		io.ReadFull(c.conn, r[:])
		for back := 0; back <= int(r[1]); back++ {
			offered[bolt.Version{Major: r[3], Minor: r[2] - uint8(back)}] = true
		}
	}
	want := map[bolt.Version]bool{bolt.V5_8: true, bolt.V5_7: true, bolt.V4_4: true}
	if len(offered) != len(want) || !offered[bolt.V5_8] || !offered[bolt.V5_7] || !offered[bolt.V4_4] {
		t.Errorf("offered %v, want 5.8, 5.7, 4.4", offered)
	}
	if caps := readVarint(t, c.conn); caps != 0x09 {
		t.Errorf("capabilities %#x, want 0x09", caps)
	}
	// Choose 5.7 and capability bit 4.
	c.conn.Write(append(binary.BigEndian.AppendUint32(nil, proposal(bolt.V5_7, 0)), 0x08))
	c.setVersion(bolt.V5_7)
	c.request(bolt.TagReset)
	if got := c.expectTag(bolt.TagSuccess)[0].(map[string]any)["version"]; got != "5.7" {
		t.Errorf("$version = %v, want 5.7", got)
	}
	c.close()
	wantNoFailure(t, srv)
}

func TestWithoutManifestTheServerUsesTheOtherProposals(t *testing.T) {
	srv := serveScript(t, "bolt 5.4\nC: RESET\n")
	c := dial(t, srv.Addr())
	if got := c.handshake(0x000001FF, proposal(bolt.V5_4, 4)); got != proposal(bolt.V5_4, 0) {
		t.Fatalf("answer %08x, want 5.4", got)
	}
	c.setVersion(bolt.V5_4)
	c.request(bolt.TagReset)
	waitDone(t, srv)
	c.close()
	wantNoFailure(t, srv)
}

func TestHandshakeReject(t *testing.T) {
	srv := serveScript(t, "handshake reject\n")
	c := dial(t, srv.Addr())
	if got := c.handshake(proposal(bolt.V5_4, 0)); got != 0 {
		t.Fatalf("answer %08x, want 00000000", got)
	}
	c.expectEOF()
	waitDone(t, srv)
	wantNoFailure(t, srv)
}

func TestHandshakeHTTP(t *testing.T) {
	srv := serveScript(t, "handshake http\n")
	c := dial(t, srv.Addr())
	c.conn.Write([]byte{0x60, 0x60, 0xB0, 0x17, 0, 0, 4, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	answer, err := io.ReadAll(c.conn)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(answer, []byte("HTTP/1.1 400 Bad Request\r\n")) || !strings.Contains(string(answer), "\r\n\r\n") {
		t.Errorf("answer %q is not an HTTP response", answer)
	}
	waitDone(t, srv)
	wantNoFailure(t, srv)
}

func TestHandshakeRawAnswer(t *testing.T) {
	srv := serveScript(t, "bolt 4.4\nhandshake raw 00 00 04 04\nC: RESET\nS: SUCCESS {}\n")
	c := dial(t, srv.Addr())
	// The client offers 5.4 only; the script answers 4.4 all the same.
	if got := c.handshake(proposal(bolt.V5_4, 0)); got != proposal(bolt.V4_4, 0) {
		t.Fatalf("answer %08x, want the script's bytes 00000404", got)
	}
	c.setVersion(bolt.V4_4)
	c.request(bolt.TagReset)
	c.expectTag(bolt.TagSuccess)
	c.close()
	wantNoFailure(t, srv)
}

func TestHandshakeDelay(t *testing.T) {
	paused := make(chan struct{})
	release := make(chan struct{})
	srv := serveScript(t, "bolt 5.4\nhandshake delay 1h\nC: RESET\n", func(s *Server) {
		s.sleep = func(ctx context.Context, d time.Duration) error {
			if d != time.Hour {
				t.Errorf("slept %v, want 1h", d)
			}
			close(paused)
			<-release
			return nil
		}
	})
	c := dial(t, srv.Addr())
	<-paused // the server waits before the handshake
	close(release)
	c.handshake(proposal(bolt.V5_4, 0))
	c.setVersion(bolt.V5_4)
	c.request(bolt.TagReset)
	waitDone(t, srv)
	c.close()
	wantNoFailure(t, srv)
}
