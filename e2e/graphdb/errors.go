package graphdb

import (
	"context"
	"errors"
	"fmt"
)

// Neo4j status codes returned in Error.Code.
const (
	CodeSyntaxError          = "Neo.ClientError.Statement.SyntaxError"
	CodeParameterMissing     = "Neo.ClientError.Statement.ParameterMissing"
	CodeTypeError            = "Neo.ClientError.Statement.TypeError"
	CodeArgumentError        = "Neo.ClientError.Statement.ArgumentError"
	CodeArithmeticError      = "Neo.ClientError.Statement.ArithmeticError"
	CodeEntityNotFound       = "Neo.ClientError.Statement.EntityNotFound"
	CodeAccessMode           = "Neo.ClientError.Statement.AccessMode"
	CodeConstraintValidation = "Neo.ClientError.Schema.ConstraintValidationFailed"
	CodeConstraintCreation   = "Neo.ClientError.Schema.ConstraintCreationFailed"
	CodeIndexNotFound        = "Neo.ClientError.Schema.IndexNotFound"
	CodeConstraintNotFound   = "Neo.ClientError.Schema.ConstraintNotFound"
	CodeEquivalentSchema     = "Neo.ClientError.Schema.EquivalentSchemaRuleAlreadyExists"
	CodeInvalidBookmark      = "Neo.ClientError.Transaction.InvalidBookmark"
	CodeBookmarkTimeout      = "Neo.TransientError.Transaction.BookmarkTimeout"
	CodeLockTimeout          = "Neo.TransientError.Transaction.LockAcquisitionTimeout"
	CodeTerminated           = "Neo.ClientError.Transaction.Terminated"
	CodeTxTimedOut           = "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration"
	CodeTxNotFound           = "Neo.ClientError.Transaction.TransactionNotFound"
	CodeNotALeader           = "Neo.ClientError.Cluster.NotALeader"
	CodeDatabaseNotFound     = "Neo.ClientError.Database.DatabaseNotFound"
	CodeDatabaseExists       = "Neo.ClientError.Database.ExistingDatabaseFound"
)

// Error is a failure with a Neo4j status code, ready to be sent to a client
// in a Bolt FAILURE message.
type Error struct {
	Code    string
	Message string
	cause   error
}

// Error returns the code and the message.
func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Unwrap returns the underlying cause, e.g. context.DeadlineExceeded for a
// bookmark or lock timeout, or nil.
func (e *Error) Unwrap() error { return e.cause }

// Is reports whether target is an *Error with the same code, so that
// errors.Is(err, &graphdb.Error{Code: graphdb.CodeSyntaxError}) works.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

func newError(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

func typeError(format string, args ...any) *Error {
	return newError(CodeTypeError, format, args...)
}

// contextError converts a cancelled or expired context into the error a
// client sees when its transaction is stopped.
func contextError(err error) *Error {
	if errors.Is(err, context.DeadlineExceeded) {
		return &Error{Code: CodeTxTimedOut, Message: "the transaction has been terminated: its deadline passed", cause: err}
	}
	return &Error{Code: CodeTerminated, Message: "the transaction has been terminated: its context was cancelled", cause: err}
}

// asError returns err as an *Error, wrapping foreign errors in a generic code.
func asError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Code: "Neo.DatabaseError.General.UnknownError", Message: err.Error(), cause: err}
}
