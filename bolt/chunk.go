package bolt

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
)

// MaxChunkSize is the largest amount of message data one chunk can carry:
// the chunk header is a 16-bit unsigned size.
const MaxChunkSize = 0xFFFF

// BeginMessageSpare is the spare capacity, in bytes, of the slice
// ChunkWriter.BeginMessage returns.
const BeginMessageSpare = 4 << 10

// DefaultMaxMessageSize is the message size limit a ChunkReader applies when
// NewChunkReader is given 0: 128 MiB of dechunked message data. It bounds the
// memory a peer can make the reader allocate with a message that never ends.
const DefaultMaxMessageSize = 128 << 20

const (
	// chunkHeaderSize is the size of a chunk header, and of the end marker
	// 00 00 that closes a message.
	chunkHeaderSize = 2
	// readBufferSize is the ChunkReader's read buffer: 64 KiB plus room, so
	// that any single chunk with its header and the end marker fits, which
	// lets every single-chunk message be returned without a copy.
	readBufferSize = 1<<16 + 1<<12
	// scratchKeepSize is the largest scratch buffer a ChunkReader keeps
	// between messages; a larger one, grown for one big message, is dropped.
	scratchKeepSize = 1 << 20
	// writeBufferKeepSize is the largest buffer a ChunkWriter keeps after
	// Flush; a larger one, grown for one big pipeline, is dropped.
	writeBufferKeepSize = 4 << 20
	// maxEmptyReads is how many (0, nil) results from the underlying reader
	// in a row a ChunkReader tolerates before reporting io.ErrNoProgress.
	maxEmptyReads = 100
)

// ErrMessageTooLarge reports a message whose dechunked size goes over the
// ChunkReader's limit. It arrives wrapped in a *FramingError.
var ErrMessageTooLarge = errors.New("bolt: message too large")

// FramingError reports a chunk stream that cannot be read further: it ends
// inside a message (Err is io.ErrUnexpectedEOF) or a message is too large
// (Err is ErrMessageTooLarge). Offset is the position in the stream, counted
// from the first byte the ChunkReader read, where the problem was found: the
// end of the stream, or the header of the chunk that made the message too
// large.
type FramingError struct {
	Offset int64
	Err    error
}

// Error implements error.
func (e *FramingError) Error() string {
	return fmt.Sprintf("bolt: chunk stream at offset %d: %v", e.Offset, e.Err)
}

// Unwrap returns the cause, so errors.Is(err, ErrMessageTooLarge) and
// errors.Is(err, io.ErrUnexpectedEOF) work.
func (e *FramingError) Unwrap() error { return e.Err }

// ChunkWriter turns messages into chunks and buffers them: nothing reaches
// the underlying writer until Flush, so a pipeline of several messages goes
// out in one write.
//
// A ChunkWriter is not safe for concurrent use.
type ChunkWriter struct {
	w   io.Writer
	buf []byte
	// open is the position in buf of the reserved first chunk header of the
	// message opened by BeginMessage, or -1 when no message is open.
	open int
	// maxChunk is the largest chunk the writer produces: MaxChunkSize,
	// smaller only in tests that reproduce the specification's examples.
	maxChunk int
}

// NewChunkWriter returns a ChunkWriter that flushes to w.
func NewChunkWriter(w io.Writer) *ChunkWriter {
	return &ChunkWriter{w: w, open: -1, maxChunk: MaxChunkSize}
}

// WriteMessage appends msg as one chunked message: chunks of at most
// MaxChunkSize bytes, then the end marker 00 00. An empty msg writes
// nothing, because 00 00 alone between messages is a NOOP, not a message.
// msg is copied; the caller may reuse it at once.
func (cw *ChunkWriter) WriteMessage(msg []byte) {
	cw.mustBeClosed("WriteMessage")
	if len(msg) == 0 {
		return
	}
	chunks := (len(msg) + cw.maxChunk - 1) / cw.maxChunk
	cw.buf = slices.Grow(cw.buf, len(msg)+chunks*chunkHeaderSize+chunkHeaderSize)
	for len(msg) > 0 {
		n := min(len(msg), cw.maxChunk)
		cw.buf = binary.BigEndian.AppendUint16(cw.buf, uint16(n))
		cw.buf = append(cw.buf, msg[:n]...)
		msg = msg[n:]
	}
	cw.buf = append(cw.buf, 0, 0)
}

// BeginMessage opens a message that the caller encodes straight into the
// writer's buffer, without an intermediate copy. It returns the buffer; the
// caller appends the encoded message to it (append-style, e.g. with an
// encoder's Append methods) and hands the result to EndMessage. The slice
// has at least BeginMessageSpare bytes of spare capacity, so a typical
// message is encoded in place without growing it. The bytes already in the
// returned slice belong to the writer and must not be changed.
//
// Between BeginMessage and EndMessage no other method may be called; doing
// so is a programming error and panics.
func (cw *ChunkWriter) BeginMessage() []byte {
	cw.mustBeClosed("BeginMessage")
	cw.open = len(cw.buf)
	cw.buf = append(slices.Grow(cw.buf, chunkHeaderSize+BeginMessageSpare), 0, 0) // header, filled in by EndMessage
	return cw.buf
}

// EndMessage closes the message opened by BeginMessage. buf is the slice
// BeginMessage returned with the encoded message appended (it may have been
// reallocated by append). EndMessage writes the chunk headers and the end
// marker. A message of up to MaxChunkSize bytes is not moved at all; a
// larger one is shifted in place to make room for the further chunk headers.
// An empty message is dropped, as in WriteMessage.
//
// EndMessage panics if no message is open or buf is shorter than what
// BeginMessage returned: both are programming errors.
func (cw *ChunkWriter) EndMessage(buf []byte) {
	if cw.open < 0 {
		panic("bolt: ChunkWriter.EndMessage without BeginMessage")
	}
	start := cw.open + chunkHeaderSize // first byte of the message
	if len(buf) < start {
		panic("bolt: ChunkWriter.EndMessage given a buffer shorter than BeginMessage returned")
	}
	cw.open = -1
	size := len(buf) - start
	switch {
	case size == 0:
		cw.buf = buf[:start-chunkHeaderSize]
	case size <= cw.maxChunk:
		binary.BigEndian.PutUint16(buf[start-chunkHeaderSize:], uint16(size))
		cw.buf = append(buf, 0, 0)
	default:
		cw.buf = append(insertChunkHeaders(buf, start, cw.maxChunk), 0, 0)
	}
}

// insertChunkHeaders splits the message buf[start:], which is preceded by a
// reserved header at buf[start-2:start], into chunks of at most maxChunk
// bytes and writes their headers. The data is moved back to front, each byte
// once, so nothing is overwritten before it has been moved.
func insertChunkHeaders(buf []byte, start, maxChunk int) []byte {
	size := len(buf) - start
	chunks := (size + maxChunk - 1) / maxChunk
	extra := (chunks - 1) * chunkHeaderSize
	buf = slices.Grow(buf, extra)[:len(buf)+extra]
	for i := chunks - 1; i >= 0; i-- {
		from := start + i*maxChunk
		n := min(maxChunk, size-i*maxChunk)
		to := from + i*chunkHeaderSize // data of chunk i after i extra headers
		copy(buf[to:to+n], buf[from:from+n])
		binary.BigEndian.PutUint16(buf[to-chunkHeaderSize:], uint16(n))
	}
	return buf
}

// WriteNoop appends a NOOP chunk (00 00 between messages), which Bolt 4.1
// and newer peers accept as a keep-alive.
func (cw *ChunkWriter) WriteNoop() {
	cw.mustBeClosed("WriteNoop")
	cw.buf = append(cw.buf, 0, 0)
}

// Buffered returns the number of bytes waiting for Flush.
func (cw *ChunkWriter) Buffered() int { return len(cw.buf) }

// Flush writes everything buffered to the underlying writer in one Write
// call and empties the buffer, also when the write fails (the connection is
// then unusable anyway).
func (cw *ChunkWriter) Flush() error {
	cw.mustBeClosed("Flush")
	if len(cw.buf) == 0 {
		return nil
	}
	n, err := cw.w.Write(cw.buf)
	if err == nil && n < len(cw.buf) {
		err = io.ErrShortWrite
	}
	if cap(cw.buf) > writeBufferKeepSize {
		cw.buf = nil
	} else {
		cw.buf = cw.buf[:0]
	}
	return err
}

// Reset drops everything buffered and any open message and makes the writer
// flush to w from now on.
func (cw *ChunkWriter) Reset(w io.Writer) {
	cw.w = w
	cw.buf = cw.buf[:0]
	cw.open = -1
}

func (cw *ChunkWriter) mustBeClosed(method string) {
	if cw.open >= 0 {
		panic("bolt: ChunkWriter." + method + " called between BeginMessage and EndMessage")
	}
}

// ChunkReader reads dechunked messages from an io.Reader through a large
// read buffer, so that one read from the network can deliver many messages.
//
// A ChunkReader is not safe for concurrent use.
type ChunkReader struct {
	r   io.Reader
	buf []byte // read buffer; unread data is buf[start:end]
	// start and end delimit the unread data in buf.
	start, end int
	// consumed is the stream offset of buf[start].
	consumed int64
	// scratch assembles messages that span several chunks.
	scratch []byte
	max     int
	// err is a sticky error: once a message has been partly consumed and
	// reading failed, the stream cannot be resynchronised.
	err error
}

// NewChunkReader returns a ChunkReader that reads from r and refuses
// messages larger than maxMessageSize bytes (dechunked). A maxMessageSize of
// 0 or less means DefaultMaxMessageSize.
func NewChunkReader(r io.Reader, maxMessageSize int) *ChunkReader {
	if maxMessageSize <= 0 {
		maxMessageSize = DefaultMaxMessageSize
	}
	return &ChunkReader{r: r, buf: make([]byte, readBufferSize), max: maxMessageSize}
}

// Buffered returns the number of bytes read from the underlying reader and
// not yet returned as part of a message.
func (cr *ChunkReader) Buffered() int { return cr.end - cr.start }

// MessageBuffered reports whether a whole message (every chunk up to its
// end marker, after any NOOPs) is in the read buffer, so that ReadMessage
// returns it without reading from the underlying reader.
func (cr *ChunkReader) MessageBuffered() bool {
	if cr.err != nil {
		return false
	}
	i, seen := cr.start, false
	for i+chunkHeaderSize <= cr.end {
		size := int(binary.BigEndian.Uint16(cr.buf[i:]))
		i += chunkHeaderSize
		if size == 0 {
			if seen {
				return true
			}
			continue // a NOOP
		}
		seen = true
		i += size
	}
	return false
}

// Failed reports whether an earlier error left the stream out of step
// (a message partly consumed): every later ReadMessage fails.
func (cr *ChunkReader) Failed() bool { return cr.err != nil }

// ReadMessage returns the next message, without its chunk headers. NOOP
// chunks between messages are skipped. The returned slice is only valid
// until the next call: a message in a single chunk is a view into the read
// buffer, a message in several chunks is assembled in a scratch buffer that
// the next call reuses.
//
// Errors: io.EOF when the stream ends at a message boundary; a *FramingError
// wrapping io.ErrUnexpectedEOF when it ends anywhere else, or wrapping
// ErrMessageTooLarge when a message grows over the limit. Errors of the
// underlying reader are returned as they are. An error that happens before
// any byte of the next message was consumed (for example a read deadline
// while waiting for the next message) leaves the reader usable; any other
// error is returned again by every later call.
func (cr *ChunkReader) ReadMessage() ([]byte, error) {
	if cr.err != nil {
		return nil, cr.err
	}
	if cap(cr.scratch) > scratchKeepSize {
		cr.scratch = nil
	}
	size, err := cr.nextChunkSize()
	if err != nil {
		return nil, err
	}
	if size > cr.max {
		return nil, cr.fail(&FramingError{Offset: cr.consumed, Err: ErrMessageTooLarge})
	}
	// Hot path: the whole message is one chunk followed by the end marker.
	// Make sure the chunk and the marker are buffered (they always fit) and
	// return a view into the read buffer.
	whole := chunkHeaderSize + size + chunkHeaderSize
	if err := cr.fill(whole); err != nil && cr.Buffered() < whole {
		if errors.Is(err, io.EOF) {
			return nil, cr.fail(cr.unexpectedEOF())
		}
		return nil, err // nothing consumed: the reader stays usable
	}
	data := cr.start + chunkHeaderSize
	if cr.buf[data+size] == 0 && cr.buf[data+size+1] == 0 {
		cr.advance(whole)
		return cr.buf[data : data+size : data+size], nil // capped: appending cannot clobber the buffer
	}
	return cr.readChunkedMessage()
}

// nextChunkSize skips NOOP chunks and returns the size in the header of the
// first chunk of the next message, which stays unconsumed in the buffer.
func (cr *ChunkReader) nextChunkSize() (int, error) {
	for {
		if err := cr.fill(chunkHeaderSize); err != nil && cr.Buffered() < chunkHeaderSize {
			if errors.Is(err, io.EOF) {
				if cr.Buffered() == 0 {
					return 0, io.EOF
				}
				return 0, cr.fail(cr.unexpectedEOF())
			}
			return 0, err
		}
		size := int(binary.BigEndian.Uint16(cr.buf[cr.start:]))
		if size != 0 {
			return size, nil
		}
		cr.advance(chunkHeaderSize) // a NOOP
	}
}

// readChunkedMessage assembles a message of several chunks in the scratch
// buffer, starting at the header of its first chunk.
func (cr *ChunkReader) readChunkedMessage() ([]byte, error) {
	msg := cr.scratch[:0]
	for {
		if err := cr.fill(chunkHeaderSize); err != nil && cr.Buffered() < chunkHeaderSize {
			return nil, cr.fail(cr.readFailure(err))
		}
		size := int(binary.BigEndian.Uint16(cr.buf[cr.start:]))
		if size == 0 {
			cr.advance(chunkHeaderSize)
			cr.scratch = msg
			return msg[:len(msg):len(msg)], nil
		}
		if len(msg)+size > cr.max {
			return nil, cr.fail(&FramingError{Offset: cr.consumed, Err: ErrMessageTooLarge})
		}
		cr.advance(chunkHeaderSize)
		var err error
		if msg, err = cr.appendChunkData(msg, size); err != nil {
			return nil, cr.fail(cr.readFailure(err))
		}
	}
}

// appendChunkData appends the next n bytes of the stream to msg: what is
// buffered is copied, a large remainder is read straight into msg.
func (cr *ChunkReader) appendChunkData(msg []byte, n int) ([]byte, error) {
	for n > 0 {
		if cr.Buffered() == 0 {
			if n >= len(cr.buf)/4 {
				msg = slices.Grow(msg, n)
				got, err := io.ReadFull(cr.r, msg[len(msg):len(msg)+n])
				cr.consumed += int64(got)
				return msg[:len(msg)+got], err
			}
			if err := cr.fill(1); err != nil && cr.Buffered() == 0 {
				return msg, err
			}
		}
		k := min(n, cr.Buffered())
		msg = append(msg, cr.buf[cr.start:cr.start+k]...)
		cr.advance(k)
		n -= k
	}
	return msg, nil
}

// fill reads until at least n bytes (n <= len(buf)) are buffered, moving the
// unread data to the front of the buffer when the rest would not fit. It
// reads as much as the reader gives, so one read can bring many messages.
// It returns the first read error, which callers ignore when enough data
// arrived with it.
func (cr *ChunkReader) fill(n int) error {
	if cr.Buffered() >= n {
		return nil
	}
	if cr.start == cr.end {
		cr.start, cr.end = 0, 0
	} else if len(cr.buf)-cr.start < n {
		cr.end = copy(cr.buf, cr.buf[cr.start:cr.end])
		cr.start = 0
	}
	for empty := 0; cr.Buffered() < n; {
		got, err := cr.r.Read(cr.buf[cr.end:])
		if got < 0 || got > len(cr.buf)-cr.end {
			return errors.New("bolt: reader returned an invalid byte count")
		}
		cr.end += got
		if err != nil {
			return err
		}
		if got == 0 {
			if empty++; empty >= maxEmptyReads {
				return io.ErrNoProgress
			}
		}
	}
	return nil
}

func (cr *ChunkReader) advance(n int) {
	cr.start += n
	cr.consumed += int64(n)
}

// unexpectedEOF is the error for a stream that ends inside a message.
func (cr *ChunkReader) unexpectedEOF() error {
	return &FramingError{Offset: cr.consumed + int64(cr.Buffered()), Err: io.ErrUnexpectedEOF}
}

// readFailure turns a read error inside a message into the error to report.
func (cr *ChunkReader) readFailure(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return cr.unexpectedEOF()
	}
	return err
}

func (cr *ChunkReader) fail(err error) error {
	cr.err = err
	return err
}
