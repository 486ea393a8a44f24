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
	endpoint
}

// NewFrontend returns the client side of a connection on rw whose
// handshake negotiated caps' version. maxMessageSize bounds an incoming
// message (0 = DefaultMaxMessageSize).
func NewFrontend(rw io.ReadWriter, caps *Capabilities, maxMessageSize int) *Frontend {
	fe := &Frontend{endpoint: newEndpoint(rw, caps, maxMessageSize)}
	// Records come by the thousand: their values share slabs.
	fe.dec.Slabs = true
	return fe
}

// Send encodes req and buffers it; nothing is written before Flush. A
// request the version cannot carry returns an error matching ErrUsage and
// buffers nothing.
func (fe *Frontend) Send(req Request) error {
	return fe.encodeMessage(func(enc *packstream.Encoder) error { return EncodeRequest(enc, fe.caps, req) })
}

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
	return fe.decodeReceived(msg, resp)
}

// decodeReceived decodes the response message msg into resp, switching
// the dialect when a SUCCESS agrees to the "utc" patch.
func (fe *Frontend) decodeReceived(msg []byte, resp *Response) error {
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
