package bolt

import (
	"io"
	"slices"

	"github.com/boltrx/boltrx/packstream"
)

// Frontend is the client side of a Bolt connection after the handshake:
// it encodes requests in the shape of the negotiated version, buffers them
// until Flush (so a pipeline is one write) and decodes responses into a
// caller-owned Response.
//
// It does not track the server state; the connection does that with a
// StateMachine. A Frontend is not safe for concurrent use, but sending
// (Send, Flush) and receiving (Receive) may run in two goroutines as long
// as neither runs concurrently with itself, SetUTCPatched or a Receive
// that switches the dialect (the SUCCESS of HELLO).
type Frontend struct {
	caps *Capabilities
	w    *ChunkWriter
	r    *ChunkReader
	enc  packstream.Encoder
	dec  packstream.Decoder
}

// NewFrontend returns the client side of a connection on rw whose
// handshake negotiated caps' version. maxMessageSize bounds an incoming
// message (0 = DefaultMaxMessageSize).
func NewFrontend(rw io.ReadWriter, caps *Capabilities, maxMessageSize int) *Frontend {
	fe := &Frontend{
		caps: caps,
		w:    NewChunkWriter(rw),
		r:    NewChunkReader(rw, maxMessageSize),
	}
	// Records come by the thousand: their values share slabs.
	fe.dec.Slabs = true
	fe.SetUTCPatched(false)
	return fe
}

// Capabilities returns the capabilities of the negotiated version.
func (fe *Frontend) Capabilities() *Capabilities { return fe.caps }

// Dialect returns the PackStream dialect in use.
func (fe *Frontend) Dialect() packstream.Dialect { return fe.dec.Dialect }

// SetUTCPatched switches the dialect to the one with (or without) the
// "utc" patch. Receive does it by itself when the SUCCESS of HELLO
// acknowledges the patch.
func (fe *Frontend) SetUTCPatched(patched bool) {
	d := fe.caps.Dialect(patched)
	fe.enc.Dialect, fe.dec.Dialect = d, d
}

// Send encodes req and buffers it; nothing is written before Flush. A
// request the version cannot carry returns an error matching ErrUsage and
// buffers nothing.
func (fe *Frontend) Send(req Request) error {
	buf := fe.w.BeginMessage()
	fe.enc.Reset(buf[len(buf):])
	err := EncodeRequest(&fe.enc, fe.caps, req)
	fe.w.EndMessage(appendEncoded(buf, fe.enc.Buffer(), err))
	return err
}

// Buffered returns how many bytes wait for Flush.
func (fe *Frontend) Buffered() int { return fe.w.Buffered() }

// Flush writes every buffered request in one write.
func (fe *Frontend) Flush() error { return fe.w.Flush() }

// ResponseBuffered reports whether the next response is already read
// from the network in full: Receive then returns without blocking.
func (fe *Frontend) ResponseBuffered() bool { return fe.r.MessageBuffered() }

// ReceiveFailed reports whether an earlier Receive error left the
// connection's input out of step (a message partly read): it cannot be
// read any more. An error between messages (a read deadline while waiting
// for the next one) leaves it usable.
func (fe *Frontend) ReceiveFailed() bool { return fe.r.Failed() }

// Receive reads the next response into resp, which the caller owns and
// reuses: only the part resp.Kind names is filled in, and a RECORD costs
// nothing but its values. Errors of the network and the framing are
// returned as they are (io.EOF when the server closed the connection
// between messages); a malformed message gives a *ProtocolError.
func (fe *Frontend) Receive(resp *Response) error {
	msg, err := fe.r.ReadMessage()
	if err != nil {
		resp.Kind = ResponseNone
		return err
	}
	fe.dec.Reset(msg)
	if err := decodeResponse(&fe.dec, fe.caps, resp); err != nil {
		return err
	}
	if resp.Kind == ResponseSuccess && fe.caps.UTCPatch && acknowledgesUTC(&resp.Success) {
		fe.SetUTCPatched(true)
	}
	return nil
}

// acknowledgesUTC reports whether a SUCCESS agrees to the "utc" patch.
func acknowledgesUTC(s *Success) bool {
	return s.Has(KeyPatchBolt) && slices.Contains(s.PatchBolt, "utc")
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
