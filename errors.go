package boltrx

import (
	"errors"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"sync"

	"github.com/boltrx/boltrx/bolt"
	"github.com/boltrx/boltrx/internal/retry"
)

// ErrorClassification is the GQL classification of a server error, taken
// from the "_classification" entry of its diagnostic record (Bolt 5.7+).
type ErrorClassification string

// The GQL error classifications.
const (
	ClientError    ErrorClassification = "CLIENT_ERROR"    // the request was wrong; retrying it will not help
	DatabaseError  ErrorClassification = "DATABASE_ERROR"  // the server failed
	TransientError ErrorClassification = "TRANSIENT_ERROR" // a temporary condition; the request may succeed later
	UnknownError   ErrorClassification = "UNKNOWN"         // absent, or a value this driver does not know
)

// Neo4jError is a failure the server reported (a Bolt FAILURE message).
//
// Code is the Neo4j status code, e.g. "Neo.ClientError.Statement.SyntaxError";
// the Gql* fields are the GQL-compliant description of the same failure
// (Bolt 5.7+). For older servers the driver fills the Gql* fields with the
// standard placeholders: GqlStatus "50N42", a description derived from Msg,
// the default diagnostic record and the classification UNKNOWN.
type Neo4jError struct {
	// Code is the Neo4j status code. Causes (GqlCause) have none.
	Code string
	// Msg is the server's message, for people. Its wording is not stable
	// across server versions; compare GqlStatus or Code instead.
	Msg string
	// GqlStatus is the GQLSTATUS code, e.g. "42001".
	GqlStatus string
	// GqlStatusDescription is the standard description of GqlStatus.
	GqlStatusDescription string
	// GqlClassification is the classification from the diagnostic record.
	GqlClassification ErrorClassification
	// GqlRawClassification is "_classification" as the server sent it
	// ("" if absent or not a string).
	GqlRawClassification string
	// GqlDiagnosticRecord is the diagnostic record, with the standard
	// entries OPERATION, OPERATION_CODE and CURRENT_SCHEMA always present.
	GqlDiagnosticRecord map[string]any
	// GqlCause is the failure that caused this one, if the server said.
	GqlCause *Neo4jError

	// retryable is set by the driver when a token manager handled this
	// security failure, so that a managed transaction retries it.
	retryable bool
	// fedBack is set (atomically) once the failure went to the token
	// manager: every path that sees it reports it, the manager hears of
	// it once.
	fedBack int32
}

// Error formats the failure as "Neo4jError: <code>: <message>".
func (e *Neo4jError) Error() string {
	code := e.Code
	if code == "" {
		code = e.GqlStatus
	}
	return "Neo4jError: " + code + ": " + e.Msg
}

// Unwrap returns the cause (GqlCause), or nil.
func (e *Neo4jError) Unwrap() error {
	if e.GqlCause == nil {
		return nil
	}
	return e.GqlCause
}

// Neo4jCode returns Code. It lets the token managers of package auth,
// which cannot import this package, read the code (auth.ServerError).
func (e *Neo4jError) Neo4jCode() string {
	if e == nil {
		return ""
	}
	return e.Code
}

// Classification returns the second part of Code: "ClientError",
// "TransientError" or "DatabaseError" ("" for a malformed code). This is
// the Neo4j classification, not the GQL one (see GqlClassification).
func (e *Neo4jError) Classification() string { return codePart(e.Code, 1) }

// Category returns the third part of Code, e.g. "Statement".
func (e *Neo4jError) Category() string { return codePart(e.Code, 2) }

// Title returns the fourth part of Code, e.g. "SyntaxError".
func (e *Neo4jError) Title() string { return codePart(e.Code, 3) }

// HasSecurityCode reports whether Code is a Neo.ClientError.Security.* code.
func (e *Neo4jError) HasSecurityCode() bool {
	return strings.HasPrefix(e.Code, securityCodePrefix)
}

// codePart returns part i of a four-part Neo4j code, "" if the code does
// not have four parts.
func codePart(code string, i int) string {
	parts := strings.Split(code, ".")
	if len(parts) != 4 {
		return ""
	}
	return parts[i]
}

// Neo4j status codes the driver treats specially.
const (
	securityCodePrefix             = "Neo.ClientError.Security."
	codeUnauthorized               = "Neo.ClientError.Security.Unauthorized"
	codeTokenExpired               = "Neo.ClientError.Security.TokenExpired"
	codeAuthorizationExpired       = "Neo.ClientError.Security.AuthorizationExpired"
	codeCredentialsExpired         = "Neo.ClientError.Security.CredentialsExpired"
	codeForbidden                  = "Neo.ClientError.Security.Forbidden"
	codeNotALeader                 = "Neo.ClientError.Cluster.NotALeader"
	codeForbiddenOnReadOnlyDB      = "Neo.ClientError.General.ForbiddenOnReadOnlyDatabase"
	codeTransientTerminated        = "Neo.TransientError.Transaction.Terminated"
	codeTransientLockClientStopped = "Neo.TransientError.Transaction.LockClientStopped"
	codeUnknownDatabaseError       = "Neo.DatabaseError.General.UnknownError"
)

// reclassifiedCodes maps the codes older servers (before Neo4j 5) sent for
// failures that are not transient to the codes newer servers send: the
// transaction was terminated on purpose, so retrying is wrong.
var reclassifiedCodes = map[string]string{
	codeTransientTerminated:        "Neo.ClientError.Transaction.Terminated",
	codeTransientLockClientStopped: "Neo.ClientError.Transaction.LockClientStopped",
}

// Placeholders for failures of servers that predate GQL errors (Bolt 5.7).
const (
	polyfillGqlStatus   = "50N42"
	polyfillDescription = "error: general processing exception - unexpected error. "
)

// defaultDiagnosticRecord returns the standard entries of a GQL diagnostic
// record with their default values.
func defaultDiagnosticRecord() map[string]any {
	return map[string]any{
		"OPERATION":      "",
		"OPERATION_CODE": "0",
		"CURRENT_SCHEMA": "/",
	}
}

// newNeo4jError converts a FAILURE into a Neo4jError: old codes are
// reclassified, a missing code becomes Neo.DatabaseError.General.UnknownError,
// and the GQL fields are completed (see Neo4jError). f is not modified.
func newNeo4jError(f *bolt.Failure) *Neo4jError {
	if f == nil {
		return nil
	}
	e := gqlErrorFrom(f)
	if e.Code == "" {
		e.Code = codeUnknownDatabaseError
	}
	if renamed, ok := reclassifiedCodes[e.Code]; ok {
		e.Code = renamed
	}
	return e
}

// gqlErrorFrom converts f and its causes. The bolt decoder bounds the
// cause chain, so the recursion is bounded too.
func gqlErrorFrom(f *bolt.Failure) *Neo4jError {
	e := &Neo4jError{
		Code:                 f.Code,
		Msg:                  f.Message,
		GqlStatus:            f.GQLStatus,
		GqlStatusDescription: f.Description,
	}
	if e.GqlStatus == "" {
		// A server before Bolt 5.7: no GQL information at all.
		e.GqlStatus = polyfillGqlStatus
		if e.GqlStatusDescription == "" {
			e.GqlStatusDescription = polyfillDescription + f.Message
		}
	}
	record := defaultDiagnosticRecord()
	maps.Copy(record, f.DiagnosticRecord)
	e.GqlDiagnosticRecord = record
	e.GqlClassification = UnknownError
	if raw, ok := record["_classification"].(string); ok {
		e.GqlRawClassification = raw
		switch c := ErrorClassification(raw); c {
		case ClientError, DatabaseError, TransientError:
			e.GqlClassification = c
		}
	}
	if f.Cause != nil {
		e.GqlCause = gqlErrorFrom(f.Cause)
	}
	return e
}

// publicServerError returns the error the user sees for a server failure:
// a *TokenExpiredError wrapping e for an expired token, e otherwise.
func publicServerError(e *Neo4jError) error {
	if e == nil {
		return nil
	}
	if e.Code == codeTokenExpired {
		return &TokenExpiredError{Code: e.Code, Message: e.Msg, cause: e}
	}
	return e
}

// markRetryable makes a managed transaction retry the failure; the driver
// calls it when a token manager handled a security failure.
func (e *Neo4jError) markRetryable() { e.retryable = true }

// isRetryable applies the Neo4j rules to a server failure: transient
// errors (except the two that older servers misclassified), cluster
// role changes, expired authorizations and failures a token manager
// handled.
func (e *Neo4jError) isRetryable() bool {
	if e.retryable {
		return true
	}
	switch e.Code {
	case codeTransientTerminated, codeTransientLockClientStopped:
		return false
	case codeNotALeader, codeForbiddenOnReadOnlyDB, codeAuthorizationExpired:
		return true
	}
	return e.Classification() == "TransientError"
}

// TokenExpiredError reports that the server rejected the authentication
// token because it expired (Neo.ClientError.Security.TokenExpired). It
// wraps the *Neo4jError. With a token manager that handles expiry (see
// auth.BearerTokenManager) managed transactions retry it with a new token.
type TokenExpiredError struct {
	Code    string
	Message string

	cause *Neo4jError
}

// Error implements error.
func (e *TokenExpiredError) Error() string {
	return "TokenExpiredError: " + e.Code + ": " + e.Message
}

// Unwrap returns the server failure.
func (e *TokenExpiredError) Unwrap() error {
	if e.cause == nil {
		return nil
	}
	return e.cause
}

// InvalidAuthenticationError reports that the server refused the
// credentials given to VerifyAuthentication.
type InvalidAuthenticationError struct {
	Inner error
}

// Error implements error.
func (e *InvalidAuthenticationError) Error() string {
	return "InvalidAuthenticationError: " + errorText(e.Inner)
}

// Unwrap returns the server's failure.
func (e *InvalidAuthenticationError) Unwrap() error { return e.Inner }

// FeatureNotSupportedError reports that the server cannot do what was
// asked because its protocol version lacks the feature, such as a
// session's own credentials (SessionConfig.Auth, VerifyAuthentication)
// before Bolt 5.1.
type FeatureNotSupportedError struct {
	// Server is the address of the server.
	Server string
	// Feature names what is missing, e.g. "session auth".
	Feature string
	// Reason says why, and what to do instead.
	Reason string
}

// Error implements error.
func (e *FeatureNotSupportedError) Error() string {
	return "FeatureNotSupportedError: the server " + e.Server + " does not support " + e.Feature + ": " + e.Reason
}

// ConnectivityError reports that the driver could not reach a server or
// lost the connection (the Neo4j drivers call these ServiceUnavailable
// and SessionExpired). Managed transactions retry it, unless the
// connection broke during the COMMIT of a write transaction, when the
// outcome is unknown.
type ConnectivityError struct {
	Inner error
}

// Error implements error.
func (e *ConnectivityError) Error() string {
	return "ConnectivityError: " + errorText(e.Inner)
}

// Unwrap returns the underlying error.
func (e *ConnectivityError) Unwrap() error { return e.Inner }

// errCommitOutcomeUnknown is wrapped by the Inner of a ConnectivityError
// when the connection broke after COMMIT was sent: the transaction may or
// may not have committed, so it must not be retried.
var errCommitOutcomeUnknown = errors.New("connection lost during COMMIT; the transaction may or may not have been committed")

// newCommitOutcomeUnknownError wraps a connection failure during COMMIT.
func newCommitOutcomeUnknownError(err error) *ConnectivityError {
	return &ConnectivityError{Inner: fmt.Errorf("%w: %w", errCommitOutcomeUnknown, err)}
}

// ErrUsage matches every *UsageError with errors.Is.
var ErrUsage = errors.New("boltrx: usage error")

// usageKind is the type of the sentinels below; each matches ErrUsage.
type usageKind struct{ text string }

func (k *usageKind) Error() string        { return k.text }
func (k *usageKind) Is(target error) bool { return target == ErrUsage }

// Sentinels for using an object after it was closed. The *UsageError the
// driver returns in these cases matches the sentinel and ErrUsage with
// errors.Is.
var (
	ErrDriverClosed      error = &usageKind{"boltrx: driver closed"}
	ErrSessionClosed     error = &usageKind{"boltrx: session closed"}
	ErrTransactionClosed error = &usageKind{"boltrx: transaction closed"}
	ErrResultConsumed    error = &usageKind{"boltrx: result consumed"}
	// ErrTransactionTerminated: an earlier failure terminated the
	// transaction; it can only be rolled back (or closed).
	ErrTransactionTerminated error = &usageKind{"boltrx: transaction terminated"}
)

// UsageError reports a mistake in how the driver was used: an invalid
// URI or configuration, a closed driver or session, a parameter that
// cannot be sent. Message says what is wrong and what to do instead.
// Every UsageError matches ErrUsage with errors.Is.
type UsageError struct {
	Message string

	kind  error // one of the sentinels above, or nil
	cause error // an underlying error, or nil
}

// Error returns Message.
func (e *UsageError) Error() string { return e.Message }

// Is matches ErrUsage and the error's sentinel, if it has one.
func (e *UsageError) Is(target error) bool {
	return target == ErrUsage || (e.kind != nil && target == e.kind)
}

// Unwrap returns the underlying error, if any.
func (e *UsageError) Unwrap() error { return e.cause }

// usageErrorf returns a UsageError with a formatted message.
func usageErrorf(format string, args ...any) *UsageError {
	return &UsageError{Message: fmt.Sprintf(format, args...)}
}

// usageErrorOf returns a UsageError that matches kind (ErrDriverClosed, ...).
func usageErrorOf(kind error, format string, args ...any) *UsageError {
	return &UsageError{Message: fmt.Sprintf(format, args...), kind: kind}
}

// errIfClosed returns a UsageError of kind with msg when *closed, read
// under mu, and nil otherwise.
func errIfClosed(mu *sync.Mutex, closed *bool, kind error, msg string) error {
	mu.Lock()
	defer mu.Unlock()
	if *closed {
		return usageErrorOf(kind, "%s", msg)
	}
	return nil
}

// wrapUsageError returns a UsageError caused by err; the message gets
// err's text appended.
func wrapUsageError(err error, format string, args ...any) *UsageError {
	return &UsageError{Message: fmt.Sprintf(format, args...) + ": " + errorText(err), cause: err}
}

// TransactionExecutionLimit reports that a managed transaction gave up
// retrying: Cause says why (the maximum retry time passed, see
// ErrMaxRetryTimeExceeded, or the context ended) and Errors holds the
// failure of every attempt, oldest first.
//
// errors.Is and errors.As look at Cause first and then at the attempts'
// failures, newest first.
type TransactionExecutionLimit struct {
	Cause    error
	Errors   []error
	Attempts int
}

// Error implements error.
func (e *TransactionExecutionLimit) Error() string {
	last := "none"
	if n := len(e.Errors); n > 0 {
		last = errorText(e.Errors[n-1])
	}
	return "TransactionExecutionLimit: " + errorText(e.Cause) + " after " +
		strconv.Itoa(e.Attempts) + " attempts, last error: " + last
}

// Unwrap returns Cause followed by the attempts' failures, newest first.
func (e *TransactionExecutionLimit) Unwrap() []error {
	out := make([]error, 0, len(e.Errors)+1)
	if e.Cause != nil {
		out = append(out, e.Cause)
	}
	for i := len(e.Errors) - 1; i >= 0; i-- {
		if e.Errors[i] != nil {
			out = append(out, e.Errors[i])
		}
	}
	return out
}

// newTransactionExecutionLimit has the signature retry.Config.LimitError
// expects.
func newTransactionExecutionLimit(cause error, errs []error, attempts int) error {
	return &TransactionExecutionLimit{Cause: cause, Errors: errs, Attempts: attempts}
}

// errorText returns err.Error(), or "<nil>" for nil.
func errorText(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

// ErrMaxRetryTimeExceeded is the Cause of a TransactionExecutionLimit when
// the managed transaction ran out of Config.MaxTransactionRetryTime.
var ErrMaxRetryTimeExceeded = retry.ErrMaxRetryTimeExceeded

// IsRetryable reports whether an operation that failed with err may
// succeed when tried again, by the rules the driver's managed
// transactions use:
//   - a lost or unreachable connection (*ConnectivityError), except one
//     lost during the COMMIT of a write transaction, whose outcome is
//     unknown;
//   - a server failure classified Neo.TransientError.*, except
//     Transaction.Terminated and Transaction.LockClientStopped, which old
//     servers classified as transient although the transaction was ended
//     on purpose;
//   - Neo.ClientError.Cluster.NotALeader and
//     Neo.ClientError.General.ForbiddenOnReadOnlyDatabase (the cluster
//     changed roles), Neo.ClientError.Security.AuthorizationExpired;
//   - a security failure the token manager handled (e.g. an expired
//     bearer token that was refreshed).
//
// Errors wrapped with %w are looked through. Everything else, including
// a *TransactionExecutionLimit, usage errors and errors that did not come
// from the driver, is not retryable.
func IsRetryable(err error) bool {
	if err == nil || IsTransactionExecutionLimit(err) {
		return false
	}
	if connErr, ok := errors.AsType[*ConnectivityError](err); ok {
		return !errors.Is(connErr.Inner, errCommitOutcomeUnknown)
	}
	if serverErr, ok := errors.AsType[*Neo4jError](err); ok {
		return serverErr.isRetryable()
	}
	return false
}

// isA reports whether err is or wraps an E.
func isA[E error](err error) bool {
	_, ok := errors.AsType[E](err)
	return ok
}

// IsNeo4jError reports whether err is or wraps a *Neo4jError.
func IsNeo4jError(err error) bool { return isA[*Neo4jError](err) }

// IsUsageError reports whether err is or wraps a *UsageError.
func IsUsageError(err error) bool { return isA[*UsageError](err) }

// IsConnectivityError reports whether err is or wraps a *ConnectivityError.
func IsConnectivityError(err error) bool { return isA[*ConnectivityError](err) }

// IsTransactionExecutionLimit reports whether err is or wraps a
// *TransactionExecutionLimit.
func IsTransactionExecutionLimit(err error) bool { return isA[*TransactionExecutionLimit](err) }

// serverCode returns the Neo4j code of the server failure in err, or "".
func serverCode(err error) string {
	var serverErr *Neo4jError
	if errors.As(err, &serverErr) {
		return serverErr.Code
	}
	return ""
}

// isSecurityError reports a Neo.ClientError.Security.* failure: the token
// manager must be consulted and the connection closed.
func isSecurityError(err error) bool {
	return strings.HasPrefix(serverCode(err), securityCodePrefix)
}

// isAuthenticationError reports a failure that means the credentials were
// refused (what VerifyAuthentication turns into an
// InvalidAuthenticationError): Unauthorized, TokenExpired,
// CredentialsExpired or Forbidden.
func isAuthenticationError(err error) bool {
	switch serverCode(err) {
	case codeUnauthorized, codeTokenExpired, codeCredentialsExpired, codeForbidden:
		return true
	}
	return false
}

// isTokenExpired reports an expired authentication token.
func isTokenExpired(err error) bool { return serverCode(err) == codeTokenExpired }

// isAuthorizationExpired reports that the server's authorization cache
// for the connection's user expired: every connection to that server must
// re-authenticate before its next use.
func isAuthorizationExpired(err error) bool {
	return serverCode(err) == codeAuthorizationExpired
}

// isFatal reports whether the connection that produced err must be closed
// rather than reset and reused. Ordinary server failures (a syntax error,
// a constraint violation, a transient failure) leave the connection
// usable after RESET, and usage errors are found before anything is sent;
// all other errors are fatal: I/O and protocol errors (the stream is in an
// unknown state), context errors while waiting on the connection, and
// security failures (the server may have dropped the session's
// authentication; the Neo4j drivers close the connection too).
func isFatal(err error) bool {
	if err == nil || IsUsageError(err) {
		return false
	}
	if serverErr, ok := errors.AsType[*Neo4jError](err); ok {
		return serverErr.HasSecurityCode()
	}
	return true
}
