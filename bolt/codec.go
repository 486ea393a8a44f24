package bolt

import (
	"fmt"

	"github.com/boltrx/boltrx/packstream"
)

// Request is a message the client sends. The implementations are the
// pointer types *Hello, *Logon, *Logoff, *Telemetry, *Goodbye, *Reset,
// *Run, *Pull, *Discard, *Begin, *Commit, *Rollback, *Route and the legacy
// *Init and *AckFailure.
type Request interface {
	// Tag returns the structure tag of the message.
	Tag() byte
	// Name returns the message name for logs and spans, e.g. "RUN".
	// PULL and DISCARD keep their modern names on every version;
	// MessageName gives the version's own name.
	Name() string
	// encode writes the message, a structure with tag (Tag's answer), in
	// the shape of caps' version.
	encode(enc *packstream.Encoder, caps *Capabilities, tag byte) error
}

// ResponseMessage is a message the server sends: *Success, *Record,
// *Ignored, *Failure, or a *Response (which sends the message its Kind
// names).
type ResponseMessage interface {
	// Tag returns the structure tag of the message.
	Tag() byte
	// encode writes the message in the shape of caps' version.
	encode(enc *packstream.Encoder, caps *Capabilities) error
}

// EncodeRequest appends req to enc in the shape of caps' version. A
// message or field that the version cannot carry gives a *VersionError, a
// value the protocol does not accept an *InvalidRequestError, both matching
// ErrUsage; a value PackStream cannot encode gives the encoder's error. On
// error, what the encoder holds is unspecified: reset it.
func EncodeRequest(enc *packstream.Encoder, caps *Capabilities, req Request) error {
	if err := checkAvailable(req, caps); err != nil {
		return err
	}
	if err := req.encode(enc, caps, req.Tag()); err != nil {
		return err
	}
	return enc.Err()
}

// EncodeResponse appends resp to enc in the shape of caps' version (server
// side). On error, what the encoder holds is unspecified: reset it.
func EncodeResponse(enc *packstream.Encoder, caps *Capabilities, resp ResponseMessage) error {
	if err := resp.encode(enc, caps); err != nil {
		return err
	}
	return enc.Err()
}

// DecodeRequest decodes one request message (server side), checking it
// against caps' version: a message or field the version does not have is a
// *ProtocolError, like any malformed input. The returned value is one of
// the pointer types listed at Request.
func DecodeRequest(msg []byte, caps *Capabilities, dialect packstream.Dialect) (Request, error) {
	d := packstream.Decoder{Dialect: dialect}
	d.Reset(msg)
	return decodeRequest(&d, caps)
}

// DecodeResponse decodes one response message (client side) into resp,
// which the caller owns and may reuse: only the part that resp.Kind names
// is filled in. Malformed input gives a *ProtocolError.
func DecodeResponse(msg []byte, caps *Capabilities, dialect packstream.Dialect, resp *Response) error {
	d := packstream.Decoder{Dialect: dialect}
	d.Reset(msg)
	return decodeResponse(&d, caps, resp)
}

// decodableRequest is a request type that can read its own fields.
type decodableRequest interface {
	Request
	decode(r *fieldReader, caps *Capabilities, fields int) error
}

// decodeRequest decodes the request in d's buffer.
func decodeRequest(d *packstream.Decoder, caps *Capabilities) (Request, error) {
	tag, fields, err := readMessageHeader(d)
	if err != nil {
		return nil, err
	}
	name := MessageName(tag, caps.Version)
	r := &fieldReader{d: d, msg: name}
	var req decodableRequest
	switch tag {
	case TagHello:
		if caps.Hello {
			req = &Hello{}
		} else {
			req = &Init{}
		}
	case TagGoodbye:
		req = &Goodbye{}
	case TagAckFailure:
		req = &AckFailure{}
	case TagReset:
		req = &Reset{}
	case TagRun:
		req = &Run{}
	case TagBegin:
		req = &Begin{}
	case TagCommit:
		req = &Commit{}
	case TagRollback:
		req = &Rollback{}
	case TagDiscard:
		req = &Discard{}
	case TagPull:
		req = &Pull{}
	case TagTelemetry:
		req = &Telemetry{}
	case TagRoute:
		req = &Route{}
	case TagLogon:
		req = &Logon{}
	case TagLogoff:
		req = &Logoff{}
	default:
		return nil, &ProtocolError{Offset: 0, Detail: fmt.Sprintf("unknown request tag 0x%02X", tag)}
	}
	if err := checkAvailable(req, caps); err != nil {
		return nil, &ProtocolError{Message: req.Name(), Offset: 0, Detail: "no such message in protocol version " + caps.Version.String()}
	}
	if err := req.decode(r, caps, fields); err != nil {
		return nil, err
	}
	if err := r.end(); err != nil {
		return nil, err
	}
	return req, nil
}

// readMessageHeader reads the structure header that opens every message.
func readMessageHeader(d *packstream.Decoder) (tag byte, fields int, err error) {
	k, err := d.PeekKind()
	if err != nil {
		return 0, 0, &ProtocolError{Offset: 0, Detail: "message header", Err: err}
	}
	if k != packstream.KindStruct {
		return 0, 0, &ProtocolError{Offset: 0, Detail: "a message must be a structure, got " + k.String(), Err: packstream.ErrUnexpectedKind}
	}
	tag, fields, err = d.ReadStructHeader()
	if err != nil {
		return 0, 0, &ProtocolError{Offset: 0, Detail: "message header", Err: err}
	}
	return tag, fields, nil
}

// fieldless is embedded by the requests without fields (LOGOFF, GOODBYE,
// RESET, ACK_FAILURE, COMMIT, ROLLBACK): it encodes and decodes them.
type fieldless struct{}

func (fieldless) encode(enc *packstream.Encoder, _ *Capabilities, tag byte) error {
	enc.WriteStructHeader(tag, 0)
	return nil
}

func (fieldless) decode(r *fieldReader, _ *Capabilities, fields int) error {
	return wantFields(r, fields, 0)
}

// wantFields checks a message's field count.
func wantFields(r *fieldReader, got, want int) error {
	if got == want {
		return nil
	}
	return &ProtocolError{Message: r.msg, Offset: 0,
		Detail: fmt.Sprintf("%d fields, want %d", got, want), Err: packstream.ErrFieldCount}
}

// checkAvailable reports a *VersionError when req does not exist in caps'
// version.
func checkAvailable(req Request, caps *Capabilities) error {
	var ok bool
	detail := ""
	switch req.(type) {
	case *Hello, *Goodbye:
		ok = caps.Hello
		if !ok {
			detail = "use INIT"
		}
	case *Init, *AckFailure:
		ok = !caps.Hello
		if !ok {
			detail = "replaced by HELLO and RESET in 3.0"
		}
	case *Begin, *Commit, *Rollback:
		ok = caps.ExplicitTransactions
	case *Route:
		ok = caps.RouteMessage
		if !ok && caps.RoutingProcedure != "" {
			detail = "call " + caps.RoutingProcedure
		}
	case *Logon, *Logoff:
		ok = caps.Logon
		if !ok {
			detail = "authenticate in HELLO"
		}
	case *Telemetry:
		ok = caps.Telemetry
	default:
		ok = true
	}
	if ok {
		return nil
	}
	return &VersionError{Message: req.Name(), Version: caps.Version, Detail: detail}
}
