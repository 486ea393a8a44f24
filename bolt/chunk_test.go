package bolt

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"testing"
	"testing/iotest"
	"unsafe"
)

// seq returns n bytes counting up from first, wrapping at 256.
func seq(first byte, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = first + byte(i)
	}
	return b
}

// hexBytes parses "00 10 0A" into bytes; it is how the specification writes
// its examples.
func hexBytes(t testing.TB, s string) []byte {
	t.Helper()
	var out []byte
	for _, field := range bytes.Fields([]byte(s)) {
		var b byte
		if _, err := fmt.Sscanf(string(field), "%02X", &b); err != nil || len(field) != 2 {
			t.Fatalf("bad hex byte %q", field)
		}
		out = append(out, b)
	}
	return out
}

// readAll reads messages until an error and returns copies of them.
func readAll(cr *ChunkReader) ([][]byte, error) {
	var msgs [][]byte
	for {
		msg, err := cr.ReadMessage()
		if err != nil {
			return msgs, err
		}
		msgs = append(msgs, bytes.Clone(msg))
	}
}

// chunkedBytes writes msgs through a ChunkWriter with the given chunk size
// (0 for the default) and returns what it flushed.
func chunkedBytes(t testing.TB, maxChunk int, msgs ...[]byte) []byte {
	t.Helper()
	var out bytes.Buffer
	cw := NewChunkWriter(&out)
	if maxChunk > 0 {
		cw.maxChunk = maxChunk
	}
	for _, m := range msgs {
		cw.WriteMessage(m)
	}
	if err := cw.Flush(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// The examples of message.adoc, section "Chunking". The specification's
// two-chunk example splits after 16 bytes, so the writer is given a chunk
// size of 16 for it.
func TestChunkingSpecificationExamples(t *testing.T) {
	msg16 := seq(0x00, 16)
	msg20 := append(seq(0x00, 16), 0x01, 0x02, 0x03, 0x04)
	msg8 := hexBytes(t, "0F 0E 0D 0C 0B 0A 09 08")

	tests := []struct {
		name     string
		maxChunk int
		write    func(cw *ChunkWriter)
		wire     string
		messages [][]byte
	}{
		{
			name:     "one chunk",
			write:    func(cw *ChunkWriter) { cw.WriteMessage(msg16) },
			wire:     "00 10 00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F 00 00",
			messages: [][]byte{msg16},
		},
		{
			name:     "two chunks",
			maxChunk: 16,
			write:    func(cw *ChunkWriter) { cw.WriteMessage(msg20) },
			wire: "00 10 00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F " +
				"00 04 01 02 03 04 00 00",
			messages: [][]byte{msg20},
		},
		{
			name:  "two messages",
			write: func(cw *ChunkWriter) { cw.WriteMessage(msg16); cw.WriteMessage(msg8) },
			wire: "00 10 00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F 00 00 " +
				"00 08 0F 0E 0D 0C 0B 0A 09 08 00 00",
			messages: [][]byte{msg16, msg8},
		},
		{
			name: "two messages with a NOOP in between",
			write: func(cw *ChunkWriter) {
				cw.WriteMessage(msg16)
				cw.WriteNoop()
				cw.WriteMessage(msg8)
			},
			wire: "00 10 00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F 00 00 " +
				"00 00 " +
				"00 08 0F 0E 0D 0C 0B 0A 09 08 00 00",
			messages: [][]byte{msg16, msg8},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := hexBytes(t, tt.wire)
			var out bytes.Buffer
			cw := NewChunkWriter(&out)
			if tt.maxChunk > 0 {
				cw.maxChunk = tt.maxChunk
			}
			tt.write(cw)
			if cw.Buffered() != len(want) {
				t.Errorf("Buffered() = %d, want %d", cw.Buffered(), len(want))
			}
			if out.Len() != 0 {
				t.Errorf("%d bytes reached the writer before Flush", out.Len())
			}
			if err := cw.Flush(); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(out.Bytes(), want) {
				t.Errorf("wire bytes\n got % X\nwant % X", out.Bytes(), want)
			}

			msgs, err := readAll(NewChunkReader(bytes.NewReader(want), 0))
			if err != io.EOF {
				t.Fatalf("stream ended with %v, want io.EOF", err)
			}
			if len(msgs) != len(tt.messages) {
				t.Fatalf("read %d messages, want %d", len(msgs), len(tt.messages))
			}
			for i := range msgs {
				if !bytes.Equal(msgs[i], tt.messages[i]) {
					t.Errorf("message %d = % X, want % X", i, msgs[i], tt.messages[i])
				}
			}
		})
	}
}

// The zero-copy variant produces the same bytes as WriteMessage for every
// size around the chunk boundaries.
func TestBeginEndMessageMatchesWriteMessage(t *testing.T) {
	for _, maxChunk := range []int{1, 7, 16} {
		for size := 0; size <= 5*maxChunk+1; size++ {
			msg := seq(byte(size), size)
			want := chunkedBytes(t, maxChunk, []byte{0xAA}, msg, []byte{0xBB})

			var out bytes.Buffer
			cw := NewChunkWriter(&out)
			cw.maxChunk = maxChunk
			cw.WriteMessage([]byte{0xAA})
			buf := cw.BeginMessage()
			buf = append(buf, msg...)
			cw.EndMessage(buf)
			cw.WriteMessage([]byte{0xBB})
			if err := cw.Flush(); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(out.Bytes(), want) {
				t.Fatalf("chunk size %d, message size %d:\n got % X\nwant % X", maxChunk, size, out.Bytes(), want)
			}
		}
	}
}

func TestRoundTripSizes(t *testing.T) {
	for _, size := range []int{0, 1, 65535, 65536, 200000} {
		msg := seq(7, size)
		wantChunks := (size + MaxChunkSize - 1) / MaxChunkSize
		wantWire := size + 2*wantChunks
		if size > 0 {
			wantWire += 2 // end marker; an empty message writes nothing
		}
		writers := map[string]func(cw *ChunkWriter){
			"WriteMessage": func(cw *ChunkWriter) { cw.WriteMessage(msg) },
			"BeginMessage": func(cw *ChunkWriter) { cw.EndMessage(append(cw.BeginMessage(), msg...)) },
		}
		for name, write := range writers {
			t.Run(fmt.Sprintf("%s/%d", name, size), func(t *testing.T) {
				var out bytes.Buffer
				cw := NewChunkWriter(&out)
				write(cw)
				if err := cw.Flush(); err != nil {
					t.Fatal(err)
				}
				wire := out.Bytes()
				if len(wire) != wantWire {
					t.Fatalf("wire size %d, want %d", len(wire), wantWire)
				}
				checkChunkLayout(t, wire, size)

				for _, r := range []io.Reader{bytes.NewReader(wire), iotest.OneByteReader(bytes.NewReader(wire))} {
					msgs, err := readAll(NewChunkReader(r, 0))
					if err != io.EOF {
						t.Fatalf("stream ended with %v, want io.EOF", err)
					}
					if size == 0 {
						if len(msgs) != 0 {
							t.Fatalf("read %d messages from an empty message's bytes, want none", len(msgs))
						}
						continue
					}
					if len(msgs) != 1 || !bytes.Equal(msgs[0], msg) {
						t.Fatalf("read %d messages, first differs from what was written", len(msgs))
					}
				}
			})
		}
	}
}

// checkChunkLayout checks that wire is one message of size bytes in full
// chunks of MaxChunkSize followed by the rest, then the end marker.
func checkChunkLayout(t *testing.T, wire []byte, size int) {
	t.Helper()
	pos := 0
	for remaining := size; remaining > 0; {
		got := int(binary.BigEndian.Uint16(wire[pos:]))
		want := min(remaining, MaxChunkSize)
		if got != want {
			t.Fatalf("chunk header at %d says %d, want %d", pos, got, want)
		}
		pos += 2 + got
		remaining -= got
	}
	if size > 0 && (wire[pos] != 0 || wire[pos+1] != 0 || pos+2 != len(wire)) {
		t.Fatalf("no end marker right after the last chunk at %d", pos)
	}
}

func TestReadMessageSkipsNoops(t *testing.T) {
	noops := []byte{0, 0, 0, 0, 0, 0}
	var wire []byte
	wire = append(wire, noops...)
	wire = append(wire, chunkedBytes(t, 0, []byte("first"))...)
	wire = append(wire, noops...)
	wire = append(wire, chunkedBytes(t, 3, []byte("second, in chunks"))...)
	wire = append(wire, noops...)

	for _, r := range []io.Reader{bytes.NewReader(wire), iotest.OneByteReader(bytes.NewReader(wire))} {
		msgs, err := readAll(NewChunkReader(r, 0))
		if err != io.EOF {
			t.Fatalf("stream ended with %v, want io.EOF (NOOPs at the end are a boundary)", err)
		}
		if len(msgs) != 2 || string(msgs[0]) != "first" || string(msgs[1]) != "second, in chunks" {
			t.Fatalf("messages = %q", msgs)
		}
	}
}

// Every prefix of a stream either ends at a message boundary (io.EOF) or
// inside a message (io.ErrUnexpectedEOF at the end of the prefix).
func TestReadMessageTruncatedStream(t *testing.T) {
	wire := chunkedBytes(t, 4, []byte("alpha"), []byte("beta-gamma"))
	boundaries := map[int]int{0: 0, 11: 1, len(wire): 2} // prefix length -> complete messages
	for n := 0; n <= len(wire); n++ {
		for _, r := range []io.Reader{bytes.NewReader(wire[:n]), iotest.OneByteReader(bytes.NewReader(wire[:n]))} {
			msgs, err := readAll(NewChunkReader(r, 0))
			if complete, ok := boundaries[n]; ok {
				if err != io.EOF || len(msgs) != complete {
					t.Fatalf("prefix %d: %d messages, %v; want %d, io.EOF", n, len(msgs), err, complete)
				}
				continue
			}
			var fe *FramingError
			if !errors.As(err, &fe) || !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Fatalf("prefix %d: error %v, want a *FramingError wrapping io.ErrUnexpectedEOF", n, err)
			}
			if fe.Offset != int64(n) {
				t.Errorf("prefix %d: offset %d, want the end of the stream", n, fe.Offset)
			}
		}
	}
}

// endlessChunks is a stream of full chunks that never ends a message. So
// that a reader without a limit fails the test instead of exhausting memory,
// it gives up with io.EOF after budget bytes.
type endlessChunks struct{ pos, budget int }

func (e *endlessChunks) Read(p []byte) (int, error) {
	if e.pos >= e.budget {
		return 0, io.EOF
	}
	p = p[:min(len(p), e.budget-e.pos)]
	for i := range p {
		switch e.pos % (2 + MaxChunkSize) {
		case 0, 1:
			p[i] = 0xFF
		default:
			p[i] = 'x'
		}
		e.pos++
	}
	return len(p), nil
}

func TestReadMessageNeverEndingMessageHitsLimit(t *testing.T) {
	const limit = 1 << 20
	src := &endlessChunks{budget: 8 * limit}
	cr := NewChunkReader(src, limit)
	_, err := cr.ReadMessage()
	var fe *FramingError
	if !errors.As(err, &fe) || !errors.Is(err, ErrMessageTooLarge) {
		t.Fatalf("error %v, want a *FramingError wrapping ErrMessageTooLarge", err)
	}
	// The 17th chunk would take the message over 1 MiB; the error points at
	// its header.
	if want := int64(16 * (2 + MaxChunkSize)); fe.Offset != want {
		t.Errorf("offset %d, want %d", fe.Offset, want)
	}
	if src.pos > limit+2*readBufferSize {
		t.Errorf("read %d bytes for a %d byte limit", src.pos, limit)
	}
	if _, again := cr.ReadMessage(); again != err {
		t.Errorf("second call returned %v, want the same error again", again)
	}
}

func TestReadMessageLimit(t *testing.T) {
	wire := chunkedBytes(t, 4, seq(0, 10), seq(0, 11))
	cr := NewChunkReader(bytes.NewReader(wire), 10)
	if msg, err := cr.ReadMessage(); err != nil || len(msg) != 10 {
		t.Fatalf("message at the limit: %d bytes, %v", len(msg), err)
	}
	if _, err := cr.ReadMessage(); !errors.Is(err, ErrMessageTooLarge) {
		t.Fatalf("message over the limit: %v, want ErrMessageTooLarge", err)
	}

	single := chunkedBytes(t, 0, seq(0, 11))
	_, err := NewChunkReader(bytes.NewReader(single), 10).ReadMessage()
	var fe *FramingError
	if !errors.As(err, &fe) || !errors.Is(err, ErrMessageTooLarge) || fe.Offset != 0 {
		t.Fatalf("single chunk over the limit: %v, want ErrMessageTooLarge at offset 0", err)
	}

	if cr := NewChunkReader(bytes.NewReader(nil), 0); cr.max != DefaultMaxMessageSize {
		t.Errorf("limit for 0 is %d, want DefaultMaxMessageSize", cr.max)
	}
	if cr := NewChunkReader(bytes.NewReader(nil), -1); cr.max != DefaultMaxMessageSize {
		t.Errorf("limit for -1 is %d, want DefaultMaxMessageSize", cr.max)
	}
}

// countingReader counts the Read calls that reach the underlying reader.
type countingReader struct {
	r     io.Reader
	reads int
}

func (c *countingReader) Read(p []byte) (int, error) {
	c.reads++
	return c.r.Read(p)
}

func TestReadMessageManySmallMessagesFromOneRead(t *testing.T) {
	const count = 1000
	var out bytes.Buffer
	cw := NewChunkWriter(&out)
	for i := range count {
		cw.WriteMessage(seq(byte(i), 60))
	}
	if err := cw.Flush(); err != nil {
		t.Fatal(err)
	}
	if out.Len() > readBufferSize {
		t.Fatalf("test stream of %d bytes does not fit the read buffer", out.Len())
	}
	src := &countingReader{r: bytes.NewReader(out.Bytes())}
	cr := NewChunkReader(src, 0)
	for i := range count {
		msg, err := cr.ReadMessage()
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		if !bytes.Equal(msg, seq(byte(i), 60)) {
			t.Fatalf("message %d differs", i)
		}
		if !inside(msg, cr.buf) {
			t.Fatalf("message %d was copied; want a view into the read buffer", i)
		}
	}
	if src.reads != 1 {
		t.Errorf("%d reads for %d messages that arrived together, want 1", src.reads, count)
	}
	if _, err := cr.ReadMessage(); err != io.EOF {
		t.Errorf("after the last message: %v, want io.EOF", err)
	}
}

// inside reports whether sub lies within the memory of buf.
func inside(sub, buf []byte) bool {
	if len(sub) == 0 || len(buf) == 0 {
		return false
	}
	s, b := uintptr(unsafe.Pointer(unsafe.SliceData(sub))), uintptr(unsafe.Pointer(unsafe.SliceData(buf)))
	return s >= b && s+uintptr(len(sub)) <= b+uintptr(len(buf))
}

func TestReadMessageReusesScratchForChunkedMessages(t *testing.T) {
	wire := chunkedBytes(t, 5, []byte("twelve bytes"), []byte("thirteen byte"))
	cr := NewChunkReader(bytes.NewReader(wire), 0)
	first, err := cr.ReadMessage()
	if err != nil || string(first) != "twelve bytes" {
		t.Fatalf("first message %q, %v", first, err)
	}
	second, err := cr.ReadMessage()
	if err != nil || string(second) != "thirteen byte" {
		t.Fatalf("second message %q, %v", second, err)
	}
	if unsafe.SliceData(first) != unsafe.SliceData(second) {
		t.Error("the second chunked message did not reuse the scratch buffer")
	}
}

// timeoutOnce fails its first read after delivering first with a timeout,
// then serves the rest.
type timeoutOnce struct {
	first, rest []byte
	step        int
}

func (r *timeoutOnce) Read(p []byte) (int, error) {
	r.step++
	switch r.step {
	case 1:
		return copy(p, r.first), nil
	case 2:
		return 0, os.ErrDeadlineExceeded
	default:
		if len(r.rest) == 0 {
			return 0, io.EOF
		}
		n := copy(p, r.rest)
		r.rest = r.rest[n:]
		return n, nil
	}
}

// A read deadline while waiting for a message, before any of it was
// consumed, leaves the reader usable.
func TestReadMessageRecoversFromErrorAtBoundary(t *testing.T) {
	one := chunkedBytes(t, 0, []byte("one"))
	two := chunkedBytes(t, 0, []byte("two"))
	for _, split := range []int{0, 1, 3, 5} { // bytes of "two" that arrive before the timeout
		first := append(bytes.Clone(one), two[:split]...)
		cr := NewChunkReader(&timeoutOnce{first: first, rest: two[split:]}, 0)
		if msg, err := cr.ReadMessage(); err != nil || string(msg) != "one" {
			t.Fatalf("split %d: first message %q, %v", split, msg, err)
		}
		if _, err := cr.ReadMessage(); !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("split %d: got %v, want the reader's timeout", split, err)
		}
		if msg, err := cr.ReadMessage(); err != nil || string(msg) != "two" {
			t.Fatalf("split %d: after the timeout got %q, %v; want \"two\"", split, msg, err)
		}
	}
}

// An error inside a chunked message is sticky: the stream cannot be resumed.
func TestReadMessageErrorInsideChunkedMessageIsSticky(t *testing.T) {
	wire := chunkedBytes(t, 2, []byte("chunked"))
	cr := NewChunkReader(&timeoutOnce{first: wire[:6], rest: wire[6:]}, 0)
	_, err := cr.ReadMessage()
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("got %v, want the reader's timeout", err)
	}
	if _, again := cr.ReadMessage(); again != err {
		t.Fatalf("second call: %v, want the same error", again)
	}
}

type emptyReader struct{}

func (emptyReader) Read([]byte) (int, error) { return 0, nil }

func TestReadMessageReaderWithoutProgress(t *testing.T) {
	if _, err := NewChunkReader(emptyReader{}, 0).ReadMessage(); !errors.Is(err, io.ErrNoProgress) {
		t.Fatalf("got %v, want io.ErrNoProgress", err)
	}
}

func TestChunkReaderBuffered(t *testing.T) {
	wire := chunkedBytes(t, 0, []byte("a"), []byte("bc"))
	cr := NewChunkReader(bytes.NewReader(wire), 0)
	if cr.Buffered() != 0 {
		t.Fatalf("Buffered() before reading = %d", cr.Buffered())
	}
	if _, err := cr.ReadMessage(); err != nil {
		t.Fatal(err)
	}
	if want := len(wire) - 5; cr.Buffered() != want {
		t.Fatalf("Buffered() after the first message = %d, want %d", cr.Buffered(), want)
	}
}

// writeRecorder records every Write call.
type writeRecorder struct {
	writes [][]byte
	err    error
	short  bool
}

func (w *writeRecorder) Write(p []byte) (int, error) {
	w.writes = append(w.writes, bytes.Clone(p))
	if w.short {
		return len(p) / 2, nil
	}
	return len(p), w.err
}

func TestFlushWritesPipelineInOneWrite(t *testing.T) {
	rec := &writeRecorder{}
	cw := NewChunkWriter(rec)
	if err := cw.Flush(); err != nil || len(rec.writes) != 0 {
		t.Fatalf("flushing nothing: %v, %d writes", err, len(rec.writes))
	}
	cw.WriteMessage([]byte("RUN"))
	cw.WriteMessage([]byte("PULL"))
	buf := cw.BeginMessage()
	cw.EndMessage(append(buf, "COMMIT"...))
	if len(rec.writes) != 0 {
		t.Fatal("bytes reached the writer before Flush")
	}
	if err := cw.Flush(); err != nil {
		t.Fatal(err)
	}
	want := chunkedBytes(t, 0, []byte("RUN"), []byte("PULL"), []byte("COMMIT"))
	if len(rec.writes) != 1 || !bytes.Equal(rec.writes[0], want) {
		t.Fatalf("writes = % X, want one write % X", rec.writes, want)
	}
	if cw.Buffered() != 0 {
		t.Fatalf("Buffered() after Flush = %d", cw.Buffered())
	}
}

func TestFlushReportsWriteErrors(t *testing.T) {
	broken := errors.New("broken pipe")
	cw := NewChunkWriter(&writeRecorder{err: broken})
	cw.WriteMessage([]byte("x"))
	if err := cw.Flush(); !errors.Is(err, broken) {
		t.Fatalf("got %v, want the writer's error", err)
	}
	if cw.Buffered() != 0 {
		t.Fatal("a failed Flush kept the data")
	}

	cw = NewChunkWriter(&writeRecorder{short: true})
	cw.WriteMessage([]byte("xyz"))
	if err := cw.Flush(); !errors.Is(err, io.ErrShortWrite) {
		t.Fatalf("short write: got %v, want io.ErrShortWrite", err)
	}
}

func TestChunkWriterReset(t *testing.T) {
	cw := NewChunkWriter(&writeRecorder{})
	cw.WriteMessage([]byte("dropped"))
	cw.BeginMessage()
	rec := &writeRecorder{}
	cw.Reset(rec)
	cw.WriteMessage([]byte("kept"))
	if err := cw.Flush(); err != nil {
		t.Fatal(err)
	}
	if want := chunkedBytes(t, 0, []byte("kept")); len(rec.writes) != 1 || !bytes.Equal(rec.writes[0], want) {
		t.Fatalf("after Reset wrote % X, want % X", rec.writes, want)
	}
}

func TestBeginMessageLeavesSpareCapacity(t *testing.T) {
	cw := NewChunkWriter(io.Discard)
	for range 3 {
		cw.WriteMessage(seq(0, 3000))
		if buf := cw.BeginMessage(); cap(buf)-len(buf) < BeginMessageSpare {
			t.Fatalf("BeginMessage left %d bytes of spare capacity, want at least %d", cap(buf)-len(buf), BeginMessageSpare)
		} else {
			cw.EndMessage(buf)
		}
	}
}

func TestBeginMessageKeepsBufferedMessagesWhenReallocated(t *testing.T) {
	var out bytes.Buffer
	cw := NewChunkWriter(&out)
	cw.WriteMessage([]byte("before"))
	buf := cw.BeginMessage()
	buf = append(buf[:len(buf):len(buf)], "inside"...) // force a new array
	cw.EndMessage(buf)
	if err := cw.Flush(); err != nil {
		t.Fatal(err)
	}
	if want := chunkedBytes(t, 0, []byte("before"), []byte("inside")); !bytes.Equal(out.Bytes(), want) {
		t.Fatalf("got % X, want % X", out.Bytes(), want)
	}
}

func TestChunkWriterMisusePanics(t *testing.T) {
	cases := map[string]func(cw *ChunkWriter){
		"EndMessage without BeginMessage": func(cw *ChunkWriter) { cw.EndMessage(nil) },
		"EndMessage with a shorter buffer": func(cw *ChunkWriter) {
			cw.WriteMessage([]byte("abc"))
			cw.BeginMessage()
			cw.EndMessage(nil)
		},
		"WriteMessage inside a message": func(cw *ChunkWriter) { cw.BeginMessage(); cw.WriteMessage([]byte("x")) },
		"WriteNoop inside a message":    func(cw *ChunkWriter) { cw.BeginMessage(); cw.WriteNoop() },
		"Flush inside a message":        func(cw *ChunkWriter) { cw.BeginMessage(); _ = cw.Flush() },
		"BeginMessage inside a message": func(cw *ChunkWriter) { cw.BeginMessage(); cw.BeginMessage() },
	}
	for name, misuse := range cases {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			misuse(NewChunkWriter(io.Discard))
		})
	}
}

func TestChunkWriterDoesNotAllocateOnceWarm(t *testing.T) {
	cw := NewChunkWriter(io.Discard)
	msg := seq(0, 60)
	cw.WriteMessage(msg)
	_ = cw.Flush()
	allocs := testing.AllocsPerRun(100, func() {
		cw.WriteMessage(msg)
		buf := cw.BeginMessage()
		cw.EndMessage(append(buf, msg...))
		_ = cw.Flush()
	})
	if allocs != 0 {
		t.Errorf("%v allocations per pipeline, want 0", allocs)
	}
}

// repeatReader serves pattern over and over.
type repeatReader struct {
	pattern []byte
	pos     int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		k := copy(p[n:], r.pattern[r.pos:])
		n += k
		r.pos = (r.pos + k) % len(r.pattern)
	}
	return n, nil
}

func TestReadMessageDoesNotAllocate(t *testing.T) {
	pattern := chunkedBytes(t, 0, seq(0, 60), seq(1, 61))
	cr := NewChunkReader(&repeatReader{pattern: pattern}, 0)
	allocs := testing.AllocsPerRun(1000, func() {
		if _, err := cr.ReadMessage(); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per message, want 0", allocs)
	}
}

func BenchmarkReadMessageSmall(b *testing.B) {
	var pattern []byte
	for i := range 64 {
		pattern = append(pattern, chunkedBytes(b, 0, seq(byte(i), 60))...)
	}
	cr := NewChunkReader(&repeatReader{pattern: pattern}, 0)
	b.SetBytes(60)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := cr.ReadMessage(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReadMessageLarge(b *testing.B) {
	pattern := chunkedBytes(b, 0, seq(0, 200000))
	cr := NewChunkReader(&repeatReader{pattern: pattern}, 0)
	b.SetBytes(200000)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := cr.ReadMessage(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWriteMessageSmall(b *testing.B) {
	cw := NewChunkWriter(io.Discard)
	msg := seq(0, 60)
	b.SetBytes(60)
	b.ReportAllocs()
	for b.Loop() {
		cw.WriteMessage(msg)
		if cw.Buffered() > 32<<10 {
			_ = cw.Flush()
		}
	}
}

func BenchmarkBeginEndMessageSmall(b *testing.B) {
	cw := NewChunkWriter(io.Discard)
	msg := seq(0, 60)
	b.SetBytes(60)
	b.ReportAllocs()
	for b.Loop() {
		buf := cw.BeginMessage()
		cw.EndMessage(append(buf, msg...))
		if cw.Buffered() > 32<<10 {
			_ = cw.Flush()
		}
	}
}

func TestMessageBufferedSeesWholeMessagesOnly(t *testing.T) {
	// A NOOP, then a message in two chunks: [00 02 'a' 'b'] [00 01 'c'] [00 00].
	stream := []byte{0, 0, 0, 2, 'a', 'b', 0, 1, 'c', 0, 0}
	for cut := 0; cut < len(stream); cut++ {
		cr := NewChunkReader(bytes.NewReader(stream[:cut]), 0)
		_ = cr.fill(cut)
		if cr.MessageBuffered() {
			t.Fatalf("MessageBuffered with %d of %d bytes", cut, len(stream))
		}
	}
	cr := NewChunkReader(bytes.NewReader(stream), 0)
	_ = cr.fill(len(stream))
	if !cr.MessageBuffered() {
		t.Fatal("MessageBuffered false with the whole message buffered")
	}
	msg, err := cr.ReadMessage()
	if err != nil || string(msg) != "abc" {
		t.Fatalf("ReadMessage = %q, %v", msg, err)
	}
	if cr.MessageBuffered() || cr.Failed() {
		t.Fatal("nothing left, nothing failed")
	}
}
