package bolt

import (
	"io"
	"slices"

	"github.com/boltrx/boltrx/packstream"
)

// Backend is the server side of a Bolt connection after the handshake, for
// the test servers of package e2e: it decodes requests and encodes
// responses in the shape of the negotiated version, buffered until Flush.
// Servers that stream many records write them with SendRecord, straight
// from their own values; scripted servers that check every byte a client
// sent, and send what their script says, valid or not, use ReceiveMessage
// and SendMessage, which only frame messages.
//
// A Backend is not safe for concurrent use, but sending (Send, SendRecord,
// SendMessage, SendNoop, Flush) and receiving (Receive, ReceiveMessage) may
// run in two goroutines as long as neither runs concurrently with itself,
// SetUTCPatched or a Send that switches the dialect (the SUCCESS of HELLO).
type Backend struct {
	endpoint
}

// RecordEncoder writes the values of one RECORD: a single PackStream list.
type RecordEncoder interface {
	EncodeRecord(enc *packstream.Encoder) error
}

// NewBackend returns the server side of a connection on rw whose handshake
// negotiated caps' version. maxMessageSize bounds an incoming message (0 =
// DefaultMaxMessageSize).
func NewBackend(rw io.ReadWriter, caps *Capabilities, maxMessageSize int) *Backend {
	return &Backend{endpoint: newEndpoint(rw, caps, maxMessageSize)}
}

// Receive reads and decodes the next request, checked against the
// version. Errors of the network and the framing are returned as they are
// (io.EOF when the client closed the connection between messages); a
// malformed or foreign message gives a *ProtocolError.
func (b *Backend) Receive() (Request, error) {
	msg, err := b.r.ReadMessage()
	if err != nil {
		return nil, err
	}
	b.dec.Reset(msg)
	return decodeRequest(&b.dec, b.caps)
}

// ReceiveMessage reads the next message and returns it unchunked, not
// decoded: for scripted servers that check exactly what the client sent.
// The bytes are valid until the next Receive or ReceiveMessage.
func (b *Backend) ReceiveMessage() ([]byte, error) {
	return b.r.ReadMessage()
}

// Send encodes resp and buffers it; nothing is written before Flush. After
// a SUCCESS whose patch_bolt agrees to "utc", later messages use the
// patched dialect.
func (b *Backend) Send(resp ResponseMessage) error {
	err := b.encodeMessage(func(enc *packstream.Encoder) error { return EncodeResponse(enc, b.caps, resp) })
	if err == nil && b.caps.UTCPatch {
		if s := successOf(resp); s != nil && slices.Contains(s.PatchBolt, "utc") {
			b.SetUTCPatched(true)
		}
	}
	return err
}

// successOf returns the SUCCESS a response message holds, or nil.
func successOf(resp ResponseMessage) *Success {
	switch r := resp.(type) {
	case *Success:
		return r
	case *Response:
		if r.Kind == ResponseSuccess {
			return &r.Success
		}
	}
	return nil
}

// SendRecord buffers a RECORD whose values r writes into the backend's
// encoder, in the dialect in use; on error nothing is buffered. It is the
// path of servers that stream many records: nothing is allocated per
// record.
func (b *Backend) SendRecord(r RecordEncoder) error {
	return b.encodeMessage(func(enc *packstream.Encoder) error {
		enc.WriteStructHeader(TagRecord, 1)
		if err := r.EncodeRecord(enc); err != nil {
			return err
		}
		return enc.Err()
	})
}

// SendMessage buffers msg, one whole message encoded by the caller, as it
// is: for scripted servers, which may send what no version allows.
func (b *Backend) SendMessage(msg []byte) { b.w.WriteMessage(msg) }

// SendNoop buffers a NOOP chunk, the keep-alive of 4.1+.
func (b *Backend) SendNoop() { b.w.WriteNoop() }
