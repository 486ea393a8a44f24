package bolt

import (
	"fmt"

	"github.com/boltrx/boltrx/packstream"
)

// ResponseKind says which message a Response holds.
type ResponseKind uint8

// The kinds of response messages. The zero value means "nothing decoded".
const (
	ResponseNone ResponseKind = iota
	ResponseSuccess
	ResponseRecord
	ResponseIgnored
	ResponseFailure
)

// String returns the message name, e.g. "SUCCESS".
func (k ResponseKind) String() string {
	switch k {
	case ResponseSuccess:
		return "SUCCESS"
	case ResponseRecord:
		return "RECORD"
	case ResponseIgnored:
		return "IGNORED"
	case ResponseFailure:
		return "FAILURE"
	}
	return "NONE"
}

// Response is a caller-owned, reusable holder for one response message.
// Decoding into it fills only the part Kind names and leaves the others as
// they were, so receiving a RECORD costs its values and nothing else.
type Response struct {
	Kind    ResponseKind
	Record  Record  // valid when Kind is ResponseRecord
	Success Success // valid when Kind is ResponseSuccess
	Failure Failure // valid when Kind is ResponseFailure
}

// IsSummary reports whether the response ends the answer to a request
// (SUCCESS, IGNORED or FAILURE), as opposed to a RECORD.
func (r *Response) IsSummary() bool {
	return r.Kind == ResponseSuccess || r.Kind == ResponseIgnored || r.Kind == ResponseFailure
}

// Tag returns the tag of the message Kind names (0 for ResponseNone).
func (r *Response) Tag() byte {
	switch r.Kind {
	case ResponseSuccess:
		return TagSuccess
	case ResponseRecord:
		return TagRecord
	case ResponseIgnored:
		return TagIgnored
	case ResponseFailure:
		return TagFailure
	}
	return 0
}

func (r *Response) encode(enc *packstream.Encoder, caps *Capabilities) error {
	switch r.Kind {
	case ResponseSuccess:
		return r.Success.encode(enc, caps)
	case ResponseRecord:
		return r.Record.encode(enc, caps)
	case ResponseIgnored:
		return (&Ignored{}).encode(enc, caps)
	case ResponseFailure:
		return r.Failure.encode(enc, caps)
	}
	return &InvalidRequestError{Message: "response", Field: "Kind", Detail: "no message kind set"}
}

// Record is a row of a result: RECORD [values]. Decoding gives Values a
// new slice each time, which the caller may keep.
type Record struct {
	Values []any
}

// Tag returns TagRecord.
func (*Record) Tag() byte { return TagRecord }

func (m *Record) encode(enc *packstream.Encoder, _ *Capabilities) error {
	enc.WriteStructHeader(TagRecord, 1)
	enc.WriteListHeader(len(m.Values))
	for _, v := range m.Values {
		if err := enc.WriteValue(v); err != nil {
			return err
		}
	}
	return nil
}

// Ignored says the server did not carry the request out: IGNORED.
type Ignored struct{}

// Tag returns TagIgnored.
func (*Ignored) Tag() byte { return TagIgnored }

func (*Ignored) encode(enc *packstream.Encoder, _ *Capabilities) error {
	enc.WriteStructHeader(TagIgnored, 0)
	return nil
}

// decodeResponse decodes the response in d's buffer into resp.
func decodeResponse(d *packstream.Decoder, caps *Capabilities, resp *Response) error {
	resp.Kind = ResponseNone
	tag, fields, err := readMessageHeader(d)
	if err != nil {
		return err
	}
	r := fieldReader{d: d}
	var kind ResponseKind
	switch tag {
	case TagRecord:
		r.msg, kind = "RECORD", ResponseRecord
		if err = wantFields(&r, fields, 1); err == nil {
			resp.Record.Values, err = r.anyList("data", false)
		}
	case TagSuccess:
		r.msg, kind = "SUCCESS", ResponseSuccess
		if err = wantFields(&r, fields, 1); err == nil {
			resp.Success = Success{}
			err = resp.Success.decode(&r)
		}
	case TagFailure:
		r.msg, kind = "FAILURE", ResponseFailure
		if err = wantFields(&r, fields, 1); err == nil {
			resp.Failure = Failure{}
			err = resp.Failure.decode(&r, 0)
		}
	case TagIgnored:
		r.msg, kind = "IGNORED", ResponseIgnored
		err = wantFields(&r, fields, 0)
	default:
		detail := fmt.Sprintf("unknown response tag 0x%02X", tag)
		if name := MessageName(tag, caps.Version); name != "" {
			detail = "got the request message " + name + ", want a response"
		}
		return &ProtocolError{Offset: 0, Detail: detail}
	}
	if err == nil {
		err = r.end()
	}
	if err != nil {
		return err
	}
	resp.Kind = kind
	return nil
}
