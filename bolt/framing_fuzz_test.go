package bolt

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"testing"
	"testing/iotest"
)

// dechunkOutcome is everything a chunk stream produces: its messages and how
// it ends.
type dechunkOutcome struct {
	messages [][]byte
	end      error // io.EOF, io.ErrUnexpectedEOF or ErrMessageTooLarge
	offset   int64 // FramingError.Offset when end is not io.EOF
}

// referenceDechunk is the chunking rule written as plainly as possible over
// a byte slice, to check ChunkReader against.
func referenceDechunk(data []byte, limit int) dechunkOutcome {
	var out dechunkOutcome
	pos := 0
	header := func() (int, bool) {
		if pos+2 > len(data) {
			return 0, false
		}
		return int(binary.BigEndian.Uint16(data[pos:])), true
	}
	for {
		if pos == len(data) {
			out.end = io.EOF
			return out
		}
		size, ok := header()
		if !ok {
			out.end, out.offset = io.ErrUnexpectedEOF, int64(len(data))
			return out
		}
		if size == 0 { // NOOP
			pos += 2
			continue
		}
		msg := []byte{}
		for size != 0 {
			if len(msg)+size > limit {
				out.end, out.offset = ErrMessageTooLarge, int64(pos)
				return out
			}
			if pos+2+size > len(data) {
				out.end, out.offset = io.ErrUnexpectedEOF, int64(len(data))
				return out
			}
			msg = append(msg, data[pos+2:pos+2+size]...)
			pos += 2 + size
			if size, ok = header(); !ok {
				out.end, out.offset = io.ErrUnexpectedEOF, int64(len(data))
				return out
			}
		}
		pos += 2 // end marker
		out.messages = append(out.messages, msg)
	}
}

// dechunk runs a ChunkReader over r to the end.
func dechunk(t *testing.T, r io.Reader, limit int) dechunkOutcome {
	cr := NewChunkReader(r, limit)
	var out dechunkOutcome
	for {
		msg, err := cr.ReadMessage()
		if err != nil {
			var fe *FramingError
			switch {
			case err == io.EOF:
				out.end = io.EOF
			case errors.As(err, &fe) && (fe.Err == io.ErrUnexpectedEOF || fe.Err == ErrMessageTooLarge):
				out.end, out.offset = fe.Err, fe.Offset
			default:
				t.Fatalf("unexpected error %v", err)
			}
			return out
		}
		if len(msg) > limit {
			t.Fatalf("message of %d bytes over the limit of %d", len(msg), limit)
		}
		if cap(cr.scratch) > 2*limit+2*MaxChunkSize {
			t.Fatalf("scratch buffer of %d bytes for a limit of %d", cap(cr.scratch), limit)
		}
		out.messages = append(out.messages, bytes.Clone(msg))
	}
}

func sameOutcome(a, b dechunkOutcome) bool {
	if a.end != b.end || a.offset != b.offset || len(a.messages) != len(b.messages) {
		return false
	}
	for i := range a.messages {
		if !bytes.Equal(a.messages[i], b.messages[i]) {
			return false
		}
	}
	return true
}

// FuzzDechunk reads arbitrary bytes as a chunk stream, whole and in small
// pieces, with a small and a large limit, and checks the result against
// referenceDechunk: no panic, the same messages, the same ending. Seeds are
// in testdata/fuzz/FuzzDechunk.
func FuzzDechunk(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, limit := range []int{64, 1 << 20} {
			want := referenceDechunk(data, limit)
			readers := map[string]io.Reader{
				"whole":    bytes.NewReader(data),
				"one byte": iotest.OneByteReader(bytes.NewReader(data)),
				"half":     iotest.HalfReader(bytes.NewReader(data)),
			}
			for name, r := range readers {
				if got := dechunk(t, r, limit); !sameOutcome(got, want) {
					t.Fatalf("%s reader, limit %d: %d messages ending %v at %d; reference %d messages ending %v at %d",
						name, limit, len(got.messages), got.end, got.offset, len(want.messages), want.end, want.offset)
				}
			}
		}
	})
}

// FuzzHandshakeReply feeds arbitrary server answers to ClientHandshake: it
// must not panic, must fail with one of the documented errors, and when it
// succeeds the result must agree with the offer and with what the client
// sent back. Seeds are in testdata/fuzz/FuzzHandshakeReply.
func FuzzHandshakeReply(f *testing.F) {
	configs := []ClientHandshakeConfig{
		{},
		{
			Offer:        []VersionRange{ManifestV1, {Version: V4_4, Back: 4}, {Version: V3_0}},
			Supported:    []Version{V5_7, V4_4},
			Capabilities: 0x0A,
		},
	}
	f.Fuzz(func(t *testing.T, reply []byte) {
		for _, cfg := range configs {
			conn := newScriptedConn(reply)
			res, err := ClientHandshakeWithConfig(context.Background(), conn, cfg)
			sent := conn.written.Bytes()
			if len(sent) < 20 {
				t.Fatalf("client sent only %d bytes", len(sent))
			}
			if err != nil {
				var nc *NoCommonVersionError
				if !errors.Is(err, ErrHTTPServer) && !errors.Is(err, ErrBadHandshake) &&
					!errors.Is(err, io.ErrUnexpectedEOF) && !errors.As(err, &nc) {
					t.Fatalf("undocumented error %v", err)
				}
				continue
			}
			offer := cfg.Offer
			if offer == nil {
				offer = DefaultOffer()
			}
			if !res.Manifest {
				if !offersVersion(offer, res.Version) || len(sent) != 20 || res.Capabilities != 0 {
					t.Fatalf("plain result %+v for offer %v after sending %d bytes", res, offer, len(sent))
				}
				continue
			}
			supported := cfg.Supported
			if supported == nil {
				supported = SupportedVersions
			}
			choice := sent[20:]
			if len(choice) < 5 || choice[0] != 0 || choice[1] != 0 ||
				(Version{Major: choice[3], Minor: choice[2]}) != res.Version || !versionIn(res.Version, supported) {
				t.Fatalf("manifest result %+v, client sent % X", res, choice)
			}
			caps, n := binary.Uvarint(choice[4:])
			if n != len(choice)-4 || caps != res.Capabilities || caps&^cfg.Capabilities != 0 {
				t.Fatalf("manifest result %+v, client sent capabilities % X", res, choice[4:])
			}
		}
	})
}
