package bolt

import "github.com/boltrx/boltrx/packstream"

// recordHeader is how every RECORD message starts: a structure of one
// field (its list of values) with the RECORD tag.
var recordHeader = [2]byte{0xB1, TagRecord}

// ReceiveRecordRaw is Receive for a reader that lets another goroutine
// decode the records: when the next response is a RECORD of at least
// minSize bytes, its message bytes are returned undecoded (valid until
// the next Receive or ReceiveRecordRaw; decode them with a RecordDecoder)
// and resp.Kind is ResponseRecord with no values; any other response,
// smaller RECORDs included, is decoded into resp as Receive does and
// record is nil.
func (fe *Frontend) ReceiveRecordRaw(resp *Response, minSize int) (record []byte, err error) {
	msg, err := fe.r.ReadMessage()
	if err != nil {
		resp.Kind = ResponseNone
		return nil, err
	}
	if len(msg) >= max(minSize, 2) && msg[0] == recordHeader[0] && msg[1] == recordHeader[1] {
		resp.Kind = ResponseRecord
		resp.Record.Values = nil
		return msg, nil
	}
	return nil, fe.decodeReceived(msg, resp)
}

// RecordDecoder decodes the RECORD messages ReceiveRecordRaw returned, on
// a goroutine of its own: a decoder in the dialect of the Frontend it
// came from, with values in slabs of its own. It is not safe for
// concurrent use.
type RecordDecoder struct {
	dec  packstream.Decoder
	caps *Capabilities
}

// NewRecordDecoder returns a RecordDecoder for the records of this
// connection, in the dialect in use now.
func (fe *Frontend) NewRecordDecoder() *RecordDecoder {
	rd := &RecordDecoder{caps: fe.caps}
	rd.dec.Dialect = fe.dec.Dialect
	rd.dec.Slabs = true
	return rd
}

// Decode returns the values of the RECORD message msg. A message that is
// not a well-formed RECORD gives a *ProtocolError.
func (rd *RecordDecoder) Decode(msg []byte) ([]any, error) {
	rd.dec.Reset(msg)
	var resp Response
	if err := decodeResponse(&rd.dec, rd.caps, &resp); err != nil {
		return nil, err
	}
	if resp.Kind != ResponseRecord {
		return nil, &ProtocolError{Message: resp.Kind.String(), Offset: 0, Detail: "not a RECORD"}
	}
	return resp.Record.Values, nil
}
