package bolt

import (
	"errors"
	"strconv"

	"github.com/boltrx/boltrx/packstream"
)

// Sentinel errors of the message layer, for errors.Is.
var (
	// ErrProtocol reports that the peer sent something the protocol does
	// not allow: a malformed message, an unknown tag, a message that is
	// not valid in the current state. The connection cannot be trusted
	// afterwards and should be closed.
	ErrProtocol = errors.New("bolt: protocol violation")
	// ErrUsage reports a request the caller should not have made: a field
	// or message the negotiated version cannot carry, or a request the
	// current server state does not permit. Nothing was sent.
	ErrUsage = errors.New("bolt: invalid use")
)

// ProtocolError describes a protocol violation by the peer. It matches
// ErrProtocol and, when a PackStream error caused it, that error too (for
// example packstream.ErrTruncated).
type ProtocolError struct {
	Message string // the Bolt message concerned, e.g. "SUCCESS"; may be empty
	Offset  int    // byte offset in the message, or -1 when unknown
	Detail  string // what was wrong, for people
	Err     error  // the underlying error, e.g. a *packstream.DecodeError; may be nil
}

// Error implements error.
func (e *ProtocolError) Error() string {
	s := "bolt: protocol violation"
	if e.Message != "" {
		s += " in " + e.Message
	}
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	var de *packstream.DecodeError
	if e.Offset >= 0 && !errors.As(e.Err, &de) { // a DecodeError tells its own offset
		s += " (at offset " + strconv.Itoa(e.Offset) + ")"
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns ErrProtocol and the underlying error, if any.
func (e *ProtocolError) Unwrap() []error {
	if e.Err == nil {
		return []error{ErrProtocol}
	}
	return []error{ErrProtocol, e.Err}
}

// VersionError reports a message, or a field of a message, that the
// negotiated protocol version cannot carry. It matches ErrUsage.
type VersionError struct {
	Message string  // the Bolt message, e.g. "RUN"
	Field   string  // the field on the wire, e.g. "db"; empty when the whole message is missing
	Version Version // the negotiated version
	Detail  string  // what to do instead, may be empty
}

// Error implements error.
func (e *VersionError) Error() string {
	s := "bolt: "
	if e.Field != "" {
		s += e.Message + " field " + strconv.Quote(e.Field)
	} else {
		s += "message " + e.Message
	}
	s += " is not supported by protocol version " + e.Version.String()
	if e.Detail != "" {
		s += " (" + e.Detail + ")"
	}
	return s
}

// Unwrap returns ErrUsage.
func (e *VersionError) Unwrap() error { return ErrUsage }

// InvalidRequestError reports a request whose field has a value the
// protocol does not accept, e.g. an access mode other than "r" or "w". It
// matches ErrUsage.
type InvalidRequestError struct {
	Message string // the Bolt message, e.g. "BEGIN"
	Field   string // the field on the wire, e.g. "mode"
	Detail  string // what is wrong
}

// Error implements error.
func (e *InvalidRequestError) Error() string {
	return "bolt: invalid " + e.Message + " field " + strconv.Quote(e.Field) + ": " + e.Detail
}

// Unwrap returns ErrUsage.
func (e *InvalidRequestError) Unwrap() error { return ErrUsage }

// StateError reports a request that the server state does not permit: the
// server would answer it with a FAILURE, or ignore it. It matches ErrUsage.
type StateError struct {
	State   ServerState // the state the request was checked against
	Message string      // the request, e.g. "RUN"
	Detail  string      // why, or what to do instead; may be empty
}

// Error implements error.
func (e *StateError) Error() string {
	s := "bolt: " + e.Message + " is not allowed in server state " + e.State.String()
	if e.Detail != "" {
		s += " (" + e.Detail + ")"
	}
	return s
}

// Unwrap returns ErrUsage.
func (e *StateError) Unwrap() error { return ErrUsage }
