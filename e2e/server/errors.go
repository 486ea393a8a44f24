package server

import (
	"errors"
	"fmt"
	"strings"

	"github.com/boltrx/boltrx/bolt"
)

// Neo4j status codes the session loop itself sends.
const (
	// CodeRequestInvalid answers a malformed request or one the state
	// does not permit.
	CodeRequestInvalid = "Neo.ClientError.Request.Invalid"
	// CodeUnauthorized answers a HELLO or LOGON with wrong credentials.
	CodeUnauthorized = "Neo.ClientError.Security.Unauthorized"
	// CodeUnknownError stands for an error without a Neo4j status code.
	CodeUnknownError = "Neo.DatabaseError.General.UnknownError"
	// CodeArgumentError answers a query argument the server cannot use.
	CodeArgumentError = "Neo.ClientError.Statement.ArgumentError"
	// CodeSyntaxError answers a query the server cannot parse.
	CodeSyntaxError = "Neo.ClientError.Statement.SyntaxError"
)

// Error is a failure to report to the client in a FAILURE message. A
// Handler returns one to choose the status code; any other error becomes
// Neo.DatabaseError.General.UnknownError.
type Error struct {
	// Code is the Neo4j status code, e.g.
	// "Neo.ClientError.Cluster.NotALeader".
	Code string
	// Message is the text for people.
	Message string
	// GQLStatus and Description are sent from Bolt 5.7 on. When empty, the
	// GQL status is derived from Code (50N42, "general processing
	// exception", for codes without a better-known equivalent).
	GQLStatus   string
	Description string
	// Fatal makes the server close the connection after the FAILURE, as
	// Neo4j does after a protocol violation or an authentication failure.
	Fatal bool
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Error returns "code: message".
func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Is reports whether target is an *Error with the same code, so that
// errors.Is(err, &server.Error{Code: server.CodeUnauthorized}) works.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// asError returns err as an *Error, wrapping errors without a status code.
func asError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Code: CodeUnknownError, Message: err.Error()}
}

// gqlStatusOf gives the GQL status and description of a Neo4j status code.
// Only mappings we are sure of are listed; everything else is the general
// processing exception 50N42, as Neo4j reports errors it did not classify.
func gqlStatusOf(code, message string) (status, description string) {
	switch code {
	case CodeSyntaxError:
		return "42001", "error: syntax error or access rule violation - invalid syntax"
	}
	return "50N42", "error: general processing exception - unexpected error. " + message
}

// classificationOf derives the diagnostic record's _classification from
// the second part of a Neo4j status code ("Neo.ClientError.…").
func classificationOf(code string) string {
	parts := strings.Split(code, ".")
	if len(parts) < 2 {
		return "UNKNOWN"
	}
	switch parts[1] {
	case "ClientError":
		return "CLIENT_ERROR"
	case "TransientError":
		return "TRANSIENT_ERROR"
	case "DatabaseError":
		return "DATABASE_ERROR"
	}
	return "UNKNOWN"
}

// failureMessage builds the FAILURE for e; the bolt package writes the key
// set of the negotiated version (code/message before 5.7, the GQL keys
// after).
func failureMessage(e *Error) *bolt.Failure {
	f := &bolt.Failure{Code: e.Code, Message: e.Message, GQLStatus: e.GQLStatus, Description: e.Description}
	if f.GQLStatus == "" {
		f.GQLStatus, f.Description = gqlStatusOf(e.Code, e.Message)
	}
	f.DiagnosticRecord = map[string]any{
		"OPERATION":       "",
		"OPERATION_CODE":  "0",
		"CURRENT_SCHEMA":  "/",
		"_classification": classificationOf(e.Code),
	}
	return f
}

// errRequestInvalid is the fatal failure for a request the state does not
// permit; Neo4j 5.12+ closes the connection after it.
func errRequestInvalid(msg string, state bolt.ServerState) *Error {
	return &Error{
		Code:    CodeRequestInvalid,
		Message: fmt.Sprintf("Message '%s' cannot be handled by a session in the %s state.", msg, state),
		Fatal:   true,
	}
}
