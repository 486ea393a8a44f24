package bolt

import (
	"io"
	"slices"
	"strconv"

	"github.com/boltrx/boltrx/packstream"
)

// Backend is the server side of a Bolt connection after the handshake, for
// test servers: it decodes requests (typed, or generically for scripted
// servers) and encodes responses in the shape of the negotiated version,
// buffered until Flush.
//
// A Backend is not safe for concurrent use.
type Backend struct {
	caps *Capabilities
	w    *ChunkWriter
	r    *ChunkReader
	enc  packstream.Encoder
	dec  packstream.Decoder
}

// RawMessage is a message decoded generically: its tag, its name on the
// negotiated version ("" for an unknown tag) and its fields as PackStream
// values.
type RawMessage struct {
	Tag    byte
	Name   string
	Fields []any
}

// NewBackend returns the server side of a connection on rw whose handshake
// negotiated caps' version. maxMessageSize bounds an incoming message (0 =
// DefaultMaxMessageSize).
func NewBackend(rw io.ReadWriter, caps *Capabilities, maxMessageSize int) *Backend {
	b := &Backend{
		caps: caps,
		w:    NewChunkWriter(rw),
		r:    NewChunkReader(rw, maxMessageSize),
	}
	b.SetUTCPatched(false)
	return b
}

// Capabilities returns the capabilities of the negotiated version.
func (b *Backend) Capabilities() *Capabilities { return b.caps }

// Dialect returns the PackStream dialect in use.
func (b *Backend) Dialect() packstream.Dialect { return b.dec.Dialect }

// SetUTCPatched switches the dialect to the one with (or without) the
// "utc" patch. Send does it by itself after a SUCCESS whose patch_bolt
// agrees to "utc".
func (b *Backend) SetUTCPatched(patched bool) {
	d := b.caps.Dialect(patched)
	b.enc.Dialect, b.dec.Dialect = d, d
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

// ReceiveRaw reads the next message and decodes it generically: any tag,
// any number of fields.
func (b *Backend) ReceiveRaw() (RawMessage, error) {
	msg, err := b.r.ReadMessage()
	if err != nil {
		return RawMessage{}, err
	}
	b.dec.Reset(msg)
	return decodeRaw(&b.dec, b.caps)
}

// decodeRaw decodes a message as a tag and a list of values.
func decodeRaw(d *packstream.Decoder, caps *Capabilities) (RawMessage, error) {
	tag, fields, err := readMessageHeader(d)
	if err != nil {
		return RawMessage{}, err
	}
	m := RawMessage{Tag: tag, Name: MessageName(tag, caps.Version), Fields: make([]any, 0, fields)}
	r := fieldReader{d: d, msg: m.Name}
	for i := 0; i < fields; i++ {
		v, err := r.value("field " + strconv.Itoa(i))
		if err != nil {
			return RawMessage{}, err
		}
		m.Fields = append(m.Fields, v)
	}
	if err := r.end(); err != nil {
		return RawMessage{}, err
	}
	return m, nil
}

// Send encodes resp and buffers it; nothing is written before Flush. After
// a SUCCESS whose patch_bolt agrees to "utc", later messages use the
// patched dialect.
func (b *Backend) Send(resp ResponseMessage) error {
	buf := b.w.BeginMessage()
	b.enc.Reset(buf[len(buf):])
	err := EncodeResponse(&b.enc, b.caps, resp)
	b.w.EndMessage(appendEncoded(buf, b.enc.Buffer(), err))
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

// SendRaw encodes a message from its tag and field values and buffers it,
// for scripted servers that send what they are told, valid or not.
func (b *Backend) SendRaw(tag byte, fields ...any) error {
	buf := b.w.BeginMessage()
	b.enc.Reset(buf[len(buf):])
	b.enc.WriteStructHeader(tag, len(fields))
	var err error
	for _, f := range fields {
		if err = b.enc.WriteValue(f); err != nil {
			break
		}
	}
	if err == nil {
		err = b.enc.Err()
	}
	b.w.EndMessage(appendEncoded(buf, b.enc.Buffer(), err))
	return err
}

// SendNoop buffers a NOOP chunk, the keep-alive of 4.1+.
func (b *Backend) SendNoop() { b.w.WriteNoop() }

// Flush writes every buffered message in one write.
func (b *Backend) Flush() error { return b.w.Flush() }
