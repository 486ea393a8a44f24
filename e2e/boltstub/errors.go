package boltstub

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors; every error of this package wraps one of them, so
// callers can tell them apart with errors.Is.
var (
	// ErrSyntax reports a script that cannot be parsed (see SyntaxError).
	ErrSyntax = errors.New("boltstub: script syntax error")
	// ErrUnexpectedMessage reports a client message the script does not
	// expect at that point.
	ErrUnexpectedMessage = errors.New("boltstub: unexpected client message")
	// ErrIncomplete reports a conversation that stopped before the end of
	// its script (client closed early, server closed, or a connection the
	// script expects never came).
	ErrIncomplete = errors.New("boltstub: script not completed")
	// ErrHandshake reports a failed Bolt handshake.
	ErrHandshake = errors.New("boltstub: handshake failed")
	// ErrUnexpectedConnection reports a connection beyond those the script
	// describes.
	ErrUnexpectedConnection = errors.New("boltstub: unexpected connection")
	// ErrBadMessage reports bytes from the client that are no valid Bolt
	// message (broken chunking or PackStream).
	ErrBadMessage = errors.New("boltstub: malformed client message")
)

// SyntaxError is a problem in a script, with its position (1-based; Column
// 0 when the whole line is meant).
type SyntaxError struct {
	Line   int
	Column int
	Msg    string
}

func syntaxErrorf(line, col int, format string, args ...any) *SyntaxError {
	return &SyntaxError{Line: line, Column: col, Msg: fmt.Sprintf(format, args...)}
}

// Error implements error: "script line 3, column 9: ...".
func (e *SyntaxError) Error() string {
	if e.Column > 0 {
		return fmt.Sprintf("boltstub: script line %d, column %d: %s", e.Line, e.Column, e.Msg)
	}
	return fmt.Sprintf("boltstub: script line %d: %s", e.Line, e.Msg)
}

// Unwrap returns ErrSyntax.
func (e *SyntaxError) Unwrap() error { return ErrSyntax }

// Failure is one way a conversation went wrong: the client deviated from
// the script, stopped early, or the handshake failed. Its text shows the
// script line, what the script expected and what the client sent, in
// script syntax, so a received message can be pasted into a script.
type Failure struct {
	// Reason is one of ErrUnexpectedMessage, ErrIncomplete, ErrHandshake,
	// ErrUnexpectedConnection or ErrBadMessage.
	Reason error
	// Connection is the number of the connection (1 for the first accepted).
	Connection int
	// Line is the script line the conversation stood at, 0 if none.
	Line int
	// Expected lists what the script allowed at that point, each as
	// "line N: C: ...", or says that the script had ended.
	Expected []string
	// Received is what the client did, e.g. `C: PULL {"n": -1}` or
	// "closed the connection".
	Received string
	// Differences explains field by field why Received does not match
	// the expected message(s) of the same name, e.g.
	// `field 1 ["n"]: expected 1000, received -1`.
	Differences []string
	// Detail adds context for people, e.g. the handshake error.
	Detail string
	// Cause is an underlying error (network, handshake), or nil.
	Cause error
}

// Error implements error with a multi-line report.
func (f *Failure) Error() string {
	var b strings.Builder
	b.WriteString("boltstub: connection ")
	fmt.Fprint(&b, f.Connection)
	if f.Line > 0 {
		fmt.Fprintf(&b, ", script line %d", f.Line)
	}
	b.WriteString(": ")
	switch {
	case errors.Is(f.Reason, ErrUnexpectedMessage):
		b.WriteString("the client sent a message the script does not expect")
	case errors.Is(f.Reason, ErrIncomplete):
		b.WriteString("the conversation stopped before the end of the script")
	case errors.Is(f.Reason, ErrHandshake):
		b.WriteString("handshake failed")
	case errors.Is(f.Reason, ErrUnexpectedConnection):
		b.WriteString("the script does not expect this connection")
	case errors.Is(f.Reason, ErrBadMessage):
		b.WriteString("the client sent bytes that are no valid Bolt message")
	}
	if f.Detail != "" {
		b.WriteString(": ")
		b.WriteString(f.Detail)
	}
	switch len(f.Expected) {
	case 0:
	case 1:
		b.WriteString("\n  expected: ")
		b.WriteString(f.Expected[0])
	default:
		b.WriteString("\n  expected one of:")
		for _, e := range f.Expected {
			b.WriteString("\n    ")
			b.WriteString(e)
		}
	}
	if f.Received != "" {
		b.WriteString("\n  received: ")
		b.WriteString(f.Received)
	}
	if len(f.Differences) > 0 {
		b.WriteString("\n  differences:")
		for _, d := range f.Differences {
			b.WriteString("\n    - ")
			b.WriteString(d)
		}
	}
	return b.String()
}

// Unwrap returns the reason (a sentinel of this package) and the cause.
func (f *Failure) Unwrap() []error {
	if f.Cause != nil {
		return []error{f.Reason, f.Cause}
	}
	return []error{f.Reason}
}
