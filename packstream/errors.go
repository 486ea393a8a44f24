package packstream

import (
	"errors"
	"fmt"
	"reflect"
)

// Sentinel errors. Every error returned by this package wraps one of them,
// in a *DecodeError or *EncodeError (ParseUUID wraps ErrInvalidValue
// directly), so callers test for them with errors.Is.
var (
	// ErrTruncated reports input that ends inside a value.
	ErrTruncated = errors.New("packstream: truncated input")
	// ErrUnknownMarker reports a marker byte that PackStream reserves.
	ErrUnknownMarker = errors.New("packstream: unknown marker byte")
	// ErrUnknownStructure reports a structure tag this package does not know.
	ErrUnknownStructure = errors.New("packstream: unknown structure tag")
	// ErrFieldCount reports a known structure with the wrong number of fields.
	ErrFieldCount = errors.New("packstream: wrong number of structure fields")
	// ErrInvalidUTF8 reports a string or map key that is not valid UTF-8.
	ErrInvalidUTF8 = errors.New("packstream: invalid UTF-8 in string")
	// ErrTooDeep reports lists, maps or structures nested deeper than MaxDepth.
	ErrTooDeep = errors.New("packstream: value nested too deeply")
	// ErrTooLarge reports a size over the PackStream limit of 2^31-1
	// (entries or bytes).
	ErrTooLarge = errors.New("packstream: value too large")
	// ErrUnexpectedKind reports a value of another kind than the one asked
	// for, e.g. ReadInt on a string.
	ErrUnexpectedKind = errors.New("packstream: unexpected kind of value")
	// ErrNotInDialect reports a value that the negotiated protocol version
	// does not allow, e.g. a Vector before Bolt 6.0.
	ErrNotInDialect = errors.New("packstream: value not allowed by the protocol version")
	// ErrUnsupportedType reports a Go value that has no PackStream encoding.
	ErrUnsupportedType = errors.New("packstream: unsupported Go type")
	// ErrInvalidValue reports a value of the right shape whose content is
	// wrong, e.g. a Path index out of range or an unsigned integer over
	// the int64 range.
	ErrInvalidValue = errors.New("packstream: invalid value")
)

// DecodeError is the error the Decoder returns. Offset is the position in
// the input of the value that failed.
type DecodeError struct {
	Offset int    // byte offset in the decoder's buffer
	Err    error  // one of the sentinel errors
	Detail string // what was found, for people
}

// Error implements error.
func (e *DecodeError) Error() string {
	msg := e.Err.Error()
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	return fmt.Sprintf("%s (at offset %d)", msg, e.Offset)
}

// Unwrap returns the sentinel error.
func (e *DecodeError) Unwrap() error { return e.Err }

// EncodeError is the error the Encoder returns. Path names where in the
// value the problem is, e.g. `$name[2]["key"]` for a query parameter.
//
// Paths start with `$name` when the value is a query parameter written by
// WriteParams; for WriteValue they are relative to the value written, e.g.
// `["x"][2]`, and empty for the value itself.
type EncodeError struct {
	Path   string       // where in the value (see above)
	Type   reflect.Type // the Go type of the offending value
	Value  any          // the offending value
	Err    error        // one of the sentinel errors
	Detail string       // more about the problem, for people; may be empty
}

// Error implements error, e.g. `packstream: invalid value: parameter
// $ids[3] (uint64): 9223372036854775808 overflows a 64-bit signed integer`.
func (e *EncodeError) Error() string {
	msg := e.Err.Error()
	switch {
	case len(e.Path) > 0 && e.Path[0] == '$':
		msg += ": parameter " + e.Path
	case e.Path != "" || e.Type != nil:
		msg += ": value" + e.Path
	}
	if e.Type != nil {
		msg += " (" + e.Type.String() + ")"
	}
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	return msg
}

// Unwrap returns the sentinel error.
func (e *EncodeError) Unwrap() error { return e.Err }
