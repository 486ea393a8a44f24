package bolt

import (
	"io"

	"github.com/boltrx/boltrx/packstream"
)

// endpoint is what both ends of a connection hold after the handshake:
// the capabilities of the negotiated version, the chunking layer of each
// direction, and a PackStream encoder and decoder in the version's
// dialect. Frontend and Backend embed it.
type endpoint struct {
	caps *Capabilities
	w    *ChunkWriter
	r    *ChunkReader
	enc  packstream.Encoder
	dec  packstream.Decoder
}

func newEndpoint(rw io.ReadWriter, caps *Capabilities, maxMessageSize int) endpoint {
	e := endpoint{caps: caps, w: NewChunkWriter(rw), r: NewChunkReader(rw, maxMessageSize)}
	e.SetUTCPatched(false)
	return e
}

// Capabilities returns the capabilities of the negotiated version.
func (e *endpoint) Capabilities() *Capabilities { return e.caps }

// Dialect returns the PackStream dialect in use.
func (e *endpoint) Dialect() packstream.Dialect { return e.dec.Dialect }

// SetUTCPatched switches the dialect to the one with (or without) the
// "utc" patch. The SUCCESS of HELLO that agrees to the patch does it by
// itself: when a Frontend receives it, and when a Backend sends it.
func (e *endpoint) SetUTCPatched(patched bool) {
	d := e.caps.Dialect(patched)
	e.enc.Dialect, e.dec.Dialect = d, d
}

// Buffered returns how many bytes wait for Flush.
func (e *endpoint) Buffered() int { return e.w.Buffered() }

// Flush writes every buffered message in one write.
func (e *endpoint) Flush() error { return e.w.Flush() }

// encodeMessage buffers one message that encode writes with the
// endpoint's encoder, straight into the chunk writer's buffer; when encode
// fails nothing is buffered.
func (e *endpoint) encodeMessage(encode func(enc *packstream.Encoder) error) error {
	buf := e.w.BeginMessage()
	e.enc.Reset(buf[len(buf):])
	err := encode(&e.enc)
	e.w.EndMessage(appendEncoded(buf, e.enc.Buffer(), err))
	return err
}

// appendEncoded completes a message encoded into the spare capacity of buf
// (the ChunkWriter's buffer): when the encoder did not need to grow, the
// bytes are already in place and only the length changes; otherwise they
// are copied once. On error the message is dropped.
func appendEncoded(buf, msg []byte, err error) []byte {
	if err != nil {
		return buf
	}
	if len(msg) <= cap(buf)-len(buf) {
		return buf[:len(buf)+len(msg)]
	}
	return append(buf, msg...)
}
