package boltrx

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/boltrx/boltrx/auth"
	"github.com/boltrx/boltrx/bolt"
	"github.com/boltrx/boltrx/internal/retry"
)

func serverError(code string) *Neo4jError {
	return newNeo4jError(&bolt.Failure{Code: code, Message: "msg"})
}

func TestNeo4jErrorFromLegacyFailure(t *testing.T) {
	e := newNeo4jError(&bolt.Failure{Code: "Neo.ClientError.Statement.SyntaxError", Message: "Invalid input 'RETRN'"})
	if e.Code != "Neo.ClientError.Statement.SyntaxError" || e.Msg != "Invalid input 'RETRN'" {
		t.Fatalf("code/message: %+v", e)
	}
	if e.GqlStatus != "50N42" {
		t.Errorf("GqlStatus = %q, want the polyfill 50N42", e.GqlStatus)
	}
	if want := "error: general processing exception - unexpected error. Invalid input 'RETRN'"; e.GqlStatusDescription != want {
		t.Errorf("description = %q, want %q", e.GqlStatusDescription, want)
	}
	if !maps.Equal(e.GqlDiagnosticRecord, defaultRecord) {
		t.Errorf("diagnostic record = %v", e.GqlDiagnosticRecord)
	}
	if e.GqlClassification != UnknownError || e.GqlRawClassification != "" || e.GqlCause != nil {
		t.Errorf("classification %q raw %q cause %v", e.GqlClassification, e.GqlRawClassification, e.GqlCause)
	}
	if e.Classification() != "ClientError" || e.Category() != "Statement" || e.Title() != "SyntaxError" {
		t.Errorf("parts: %q %q %q", e.Classification(), e.Category(), e.Title())
	}
}

func TestNeo4jErrorFromGqlFailureWithCauses(t *testing.T) {
	f := &bolt.Failure{
		Code:        "Neo.ClientError.User.Uncool",
		Message:     "top message",
		GQLStatus:   "01N00",
		Description: "cool class - mediocre subclass",
		DiagnosticRecord: map[string]any{
			"CURRENT_SCHEMA": "/", "OPERATION": "", "OPERATION_CODE": "0",
			"_classification":    "CLIENT_ERROR",
			"_status_parameters": map[string]any{"userName": "John Doe"},
		},
		Cause: &bolt.Failure{
			Message: "middle", GQLStatus: "01N01", Description: "d1",
			DiagnosticRecord: map[string]any{"_classification": "SECURITY_ERROR", "OPERATION": "OP1"},
			Cause: &bolt.Failure{
				Message: "bottom", GQLStatus: "01N02", Description: "d2",
				DiagnosticRecord: map[string]any{"_classification": int64(42), "OPERATION": nil},
			},
		},
	}
	e := newNeo4jError(f)
	if e.GqlStatus != "01N00" || e.GqlStatusDescription != "cool class - mediocre subclass" {
		t.Fatalf("top: %+v", e)
	}
	if e.GqlClassification != ClientError || e.GqlRawClassification != "CLIENT_ERROR" {
		t.Errorf("top classification %q raw %q", e.GqlClassification, e.GqlRawClassification)
	}
	if !reflect.DeepEqual(e.GqlDiagnosticRecord["_status_parameters"], map[string]any{"userName": "John Doe"}) {
		t.Errorf("status parameters lost: %v", e.GqlDiagnosticRecord)
	}

	middle := e.GqlCause
	if middle == nil || middle.Code != "" || middle.Msg != "middle" || middle.GqlStatus != "01N01" {
		t.Fatalf("middle cause: %+v", middle)
	}
	if middle.GqlRawClassification != "SECURITY_ERROR" || middle.GqlClassification != UnknownError {
		t.Errorf("made-up classification: %q / %q", middle.GqlRawClassification, middle.GqlClassification)
	}
	wantMiddle := map[string]any{"OPERATION": "OP1", "OPERATION_CODE": "0", "CURRENT_SCHEMA": "/", "_classification": "SECURITY_ERROR"}
	if !reflect.DeepEqual(middle.GqlDiagnosticRecord, wantMiddle) {
		t.Errorf("middle record %v, want %v", middle.GqlDiagnosticRecord, wantMiddle)
	}

	bottom := middle.GqlCause
	if bottom == nil || bottom.GqlCause != nil {
		t.Fatalf("bottom cause: %+v", bottom)
	}
	if bottom.GqlRawClassification != "" || bottom.GqlClassification != UnknownError {
		t.Errorf("non-string classification: %q / %q", bottom.GqlRawClassification, bottom.GqlClassification)
	}
	if v, ok := bottom.GqlDiagnosticRecord["OPERATION"]; !ok || v != nil {
		t.Errorf("a null OPERATION sent by the server must be kept: %v", bottom.GqlDiagnosticRecord)
	}
	if _, ok := f.Cause.DiagnosticRecord["OPERATION_CODE"]; ok {
		t.Error("the FAILURE's own map was modified")
	}

	var found *Neo4jError
	if !errors.As(e.Unwrap(), &found) || found != middle {
		t.Error("Unwrap does not lead to the cause")
	}
	if bottom.Unwrap() != nil {
		t.Error("Unwrap without a cause must be a nil error")
	}
}

func TestNeo4jErrorCodeFixes(t *testing.T) {
	cases := map[string]string{
		"": "Neo.DatabaseError.General.UnknownError",
		"Neo.TransientError.Transaction.Terminated":           "Neo.ClientError.Transaction.Terminated",
		"Neo.TransientError.Transaction.LockClientStopped":    "Neo.ClientError.Transaction.LockClientStopped",
		"Neo.TransientError.Transaction.DeadlockDetected":     "Neo.TransientError.Transaction.DeadlockDetected",
		"Neo.ClientError.Transaction.TransactionTimedOut":     "Neo.ClientError.Transaction.TransactionTimedOut",
		"Neo.ClientError.Transaction.Terminated":              "Neo.ClientError.Transaction.Terminated",
		"Neo.TransientError.General.DatabaseUnavailable":      "Neo.TransientError.General.DatabaseUnavailable",
		"Neo.ClientError.General.ForbiddenOnReadOnlyDatabase": "Neo.ClientError.General.ForbiddenOnReadOnlyDatabase",
	}
	for in, want := range cases {
		if got := serverError(in).Code; got != want {
			t.Errorf("code %q became %q, want %q", in, got, want)
		}
	}
	if newNeo4jError(nil) != nil {
		t.Error("nil failure gave an error")
	}
}

func TestNeo4jErrorParts(t *testing.T) {
	e := &Neo4jError{Code: "Not.A.Code"}
	if e.Classification() != "" || e.Category() != "" || e.Title() != "" {
		t.Fatal("malformed code was split")
	}
	if got := serverError("Neo.ClientError.Security.Unauthorized").Error(); got != "Neo4jError: Neo.ClientError.Security.Unauthorized: msg" {
		t.Fatalf("Error() = %q", got)
	}
	if got := (&Neo4jError{GqlStatus: "22N01", Msg: "bad type"}).Error(); got != "Neo4jError: 22N01: bad type" {
		t.Fatalf("Error() of a cause = %q", got)
	}
	if !serverError("Neo.ClientError.Security.Forbidden").HasSecurityCode() || serverError("Neo.ClientError.Statement.SyntaxError").HasSecurityCode() {
		t.Fatal("HasSecurityCode is wrong")
	}
	var nilErr *Neo4jError
	if nilErr.Neo4jCode() != "" {
		t.Fatal("Neo4jCode of nil")
	}
}

func TestIsRetryable(t *testing.T) {
	handled := serverError("Neo.ClientError.Security.TokenExpired")
	handled.markRetryable()
	cases := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"deadlock", serverError("Neo.TransientError.Transaction.DeadlockDetected"), true},
		{"database unavailable", serverError("Neo.TransientError.General.DatabaseUnavailable"), true},
		{"made-up transient", serverError("Neo.TransientError.Completely.MadeUp"), true},
		{"old terminated", serverError("Neo.TransientError.Transaction.Terminated"), false},
		{"old lock client stopped", serverError("Neo.TransientError.Transaction.LockClientStopped"), false},
		{"raw old terminated", &Neo4jError{Code: "Neo.TransientError.Transaction.Terminated"}, false},
		{"terminated", serverError("Neo.ClientError.Transaction.Terminated"), false},
		{"not a leader", serverError("Neo.ClientError.Cluster.NotALeader"), true},
		{"read-only database", serverError("Neo.ClientError.General.ForbiddenOnReadOnlyDatabase"), true},
		{"authorization expired", serverError("Neo.ClientError.Security.AuthorizationExpired"), true},
		{"unauthorized", serverError("Neo.ClientError.Security.Unauthorized"), false},
		{"token expired", publicServerError(serverError("Neo.ClientError.Security.TokenExpired")), false},
		{"token expired handled", publicServerError(handled), true},
		{"syntax error", serverError("Neo.ClientError.Statement.SyntaxError"), false},
		{"database error", serverError("Neo.DatabaseError.General.UnknownError"), false},
		{"GQL transient classification alone", &Neo4jError{Code: "Neo.DatabaseError.General.UnknownError", GqlClassification: TransientError}, false},
		{"connectivity", &ConnectivityError{Inner: io.EOF}, true},
		{"wrapped connectivity", fmt.Errorf("reading: %w", &ConnectivityError{Inner: io.EOF}), true},
		{"commit outcome unknown", newCommitOutcomeUnknownError(io.EOF), false},
		{"wrapped transient", fmt.Errorf("work: %w", serverError("Neo.TransientError.Transaction.DeadlockDetected")), true},
		{"usage", usageErrorf("bad"), false},
		{"user error", errors.New("my own failure"), false},
		{"context", context.DeadlineExceeded, false},
		{"limit", &TransactionExecutionLimit{Cause: ErrMaxRetryTimeExceeded, Errors: []error{&ConnectivityError{Inner: io.EOF}}, Attempts: 1}, false},
	}
	for _, c := range cases {
		if got := IsRetryable(c.err); got != c.want {
			t.Errorf("%s: IsRetryable = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestTokenExpiredError(t *testing.T) {
	inner := serverError("Neo.ClientError.Security.TokenExpired")
	err := publicServerError(inner)
	var expired *TokenExpiredError
	if !errors.As(err, &expired) || expired.Code != inner.Code || expired.Message != "msg" {
		t.Fatalf("err = %#v", err)
	}
	var found *Neo4jError
	if !errors.As(err, &found) || found != inner {
		t.Fatal("TokenExpiredError does not unwrap to the server error")
	}
	if !strings.Contains(err.Error(), "TokenExpiredError") {
		t.Fatalf("Error() = %q", err.Error())
	}
	if (&TokenExpiredError{}).Unwrap() != nil {
		t.Fatal("Unwrap without cause")
	}
	other := serverError("Neo.ClientError.Statement.SyntaxError")
	if publicServerError(other) != error(other) || publicServerError(nil) != nil {
		t.Fatal("publicServerError changed an ordinary error")
	}
}

func TestConnectivityAndAuthenticationErrors(t *testing.T) {
	c := &ConnectivityError{Inner: io.ErrUnexpectedEOF}
	if !errors.Is(c, io.ErrUnexpectedEOF) || c.Error() != "ConnectivityError: unexpected EOF" {
		t.Fatalf("ConnectivityError: %v", c)
	}
	if (&ConnectivityError{}).Error() != "ConnectivityError: <nil>" {
		t.Fatal("nil Inner")
	}
	unknown := newCommitOutcomeUnknownError(io.EOF)
	if !errors.Is(unknown, io.EOF) || !strings.Contains(unknown.Error(), "may or may not have been committed") {
		t.Fatalf("commit outcome unknown: %v", unknown)
	}
	inv := &InvalidAuthenticationError{Inner: serverError("Neo.ClientError.Security.Unauthorized")}
	if !IsNeo4jError(inv) || !strings.HasPrefix(inv.Error(), "InvalidAuthenticationError: ") {
		t.Fatalf("InvalidAuthenticationError: %v", inv)
	}
}

func TestUsageErrorsAndSentinels(t *testing.T) {
	closed := usageErrorOf(ErrDriverClosed, "cannot open a session: %s", "the driver is closed")
	if !errors.Is(closed, ErrDriverClosed) || !errors.Is(closed, ErrUsage) {
		t.Fatal("closed-driver error does not match its sentinels")
	}
	if errors.Is(closed, ErrSessionClosed) {
		t.Fatal("closed-driver error matches ErrSessionClosed")
	}
	if closed.Error() != "cannot open a session: the driver is closed" {
		t.Fatalf("Error() = %q", closed.Error())
	}
	for _, s := range []error{ErrDriverClosed, ErrSessionClosed, ErrTransactionClosed, ErrResultConsumed} {
		if !errors.Is(s, ErrUsage) {
			t.Errorf("%v does not match ErrUsage", s)
		}
		if !errors.Is(usageErrorOf(s, "x"), s) {
			t.Errorf("usage error does not match %v", s)
		}
	}
	plain := usageErrorf("bad %d", 1)
	if !errors.Is(plain, ErrUsage) || errors.Is(plain, ErrDriverClosed) || plain.Unwrap() != nil {
		t.Fatal("plain usage error")
	}
	cause := errors.New("unsupported type")
	wrapped := wrapUsageError(cause, "parameter $x")
	if !errors.Is(wrapped, cause) || wrapped.Error() != "parameter $x: unsupported type" {
		t.Fatalf("wrapped: %v", wrapped)
	}
	var target *UsageError
	if !errors.As(fmt.Errorf("ctx: %w", wrapped), &target) || !IsUsageError(wrapped) {
		t.Fatal("errors.As fails")
	}
}

func TestTransactionExecutionLimit(t *testing.T) {
	first := serverError("Neo.TransientError.Transaction.DeadlockDetected")
	last := serverError("Neo.TransientError.General.DatabaseUnavailable")
	limit := &TransactionExecutionLimit{Cause: ErrMaxRetryTimeExceeded, Errors: []error{first, nil, last}, Attempts: 3}
	if !errors.Is(limit, ErrMaxRetryTimeExceeded) {
		t.Fatal("does not match its cause")
	}
	var found *Neo4jError
	if !errors.As(limit, &found) || found != last {
		t.Fatalf("errors.As found %v, want the newest failure", found)
	}
	want := "TransactionExecutionLimit: maximum transaction retry time exceeded after 3 attempts, last error: " + last.Error()
	if limit.Error() != want {
		t.Fatalf("Error() = %q\nwant %q", limit.Error(), want)
	}
	empty := &TransactionExecutionLimit{}
	if empty.Error() != "TransactionExecutionLimit: <nil> after 0 attempts, last error: none" || len(empty.Unwrap()) != 0 {
		t.Fatalf("empty limit: %q", empty.Error())
	}
	if !IsTransactionExecutionLimit(fmt.Errorf("x: %w", limit)) || IsTransactionExecutionLimit(first) {
		t.Fatal("IsTransactionExecutionLimit")
	}
}

func TestRetryPolicyProducesTransactionExecutionLimit(t *testing.T) {
	now := time.Unix(0, 0)
	state := retry.New(retry.Config{
		MaxRetryTime: 3 * time.Second,
		IsRetryable:  IsRetryable,
		LimitError:   newTransactionExecutionLimit,
		Now:          func() time.Time { return now },
		Sleep:        func(_ context.Context, d time.Duration) error { now = now.Add(d); return nil },
		Random:       func() float64 { return 0.5 },
	})
	transient := serverError("Neo.TransientError.Transaction.DeadlockDetected")
	attempts := 0
	for {
		attempts++
		if !state.Continue(context.Background(), transient) {
			break
		}
	}
	var limit *TransactionExecutionLimit
	if !errors.As(state.Err(), &limit) {
		t.Fatalf("Err() = %v", state.Err())
	}
	if limit.Attempts != attempts || len(limit.Errors) != attempts || !errors.Is(limit, ErrMaxRetryTimeExceeded) {
		t.Fatalf("limit = %+v after %d attempts", limit, attempts)
	}
}

func TestErrorTypePredicates(t *testing.T) {
	n := serverError("Neo.ClientError.Statement.SyntaxError")
	c := &ConnectivityError{Inner: io.EOF}
	if !IsNeo4jError(fmt.Errorf("w: %w", n)) || IsNeo4jError(c) || IsNeo4jError(nil) {
		t.Error("IsNeo4jError")
	}
	if !IsConnectivityError(c) || IsConnectivityError(n) {
		t.Error("IsConnectivityError")
	}
	if IsUsageError(n) {
		t.Error("IsUsageError")
	}
}

func TestInternalClassification(t *testing.T) {
	type verdict struct{ security, authentication, tokenExpired, authzExpired, fatal bool }
	cases := []struct {
		name string
		err  error
		want verdict
	}{
		{"nil", nil, verdict{}},
		{"syntax", serverError("Neo.ClientError.Statement.SyntaxError"), verdict{}},
		{"transient", serverError("Neo.TransientError.Transaction.DeadlockDetected"), verdict{}},
		{"unauthorized", serverError("Neo.ClientError.Security.Unauthorized"), verdict{security: true, authentication: true, fatal: true}},
		{"forbidden", serverError("Neo.ClientError.Security.Forbidden"), verdict{security: true, authentication: true, fatal: true}},
		{"credentials expired", serverError("Neo.ClientError.Security.CredentialsExpired"), verdict{security: true, authentication: true, fatal: true}},
		{"token expired", publicServerError(serverError("Neo.ClientError.Security.TokenExpired")), verdict{security: true, authentication: true, tokenExpired: true, fatal: true}},
		{"authorization expired", serverError("Neo.ClientError.Security.AuthorizationExpired"), verdict{security: true, authzExpired: true, fatal: true}},
		{"io", io.EOF, verdict{fatal: true}},
		{"connectivity", &ConnectivityError{Inner: io.EOF}, verdict{fatal: true}},
		{"usage", usageErrorf("x"), verdict{}},
		{"context", context.Canceled, verdict{fatal: true}},
	}
	for _, c := range cases {
		got := verdict{isSecurityError(c.err), isAuthenticationError(c.err), isTokenExpired(c.err), isAuthorizationExpired(c.err), isFatal(c.err)}
		if got != c.want {
			t.Errorf("%s: got %+v, want %+v", c.name, got, c.want)
		}
	}
}

func TestNeo4jErrorWorksWithTokenManagers(t *testing.T) {
	var _ auth.ServerError = (*Neo4jError)(nil)
	calls := 0
	manager := auth.BearerTokenManager(func(context.Context) (AuthToken, *time.Time, error) {
		calls++
		return BearerAuth(fmt.Sprint("token-", calls)), nil, nil
	})
	ctx := context.Background()
	token, err := manager.GetAuthToken(ctx)
	if err != nil {
		t.Fatal(err)
	}
	failure := serverError("Neo.ClientError.Security.TokenExpired")
	handled, err := manager.HandleSecurityException(ctx, token, failure)
	if err != nil || !handled {
		t.Fatalf("handled=%v err=%v", handled, err)
	}
	failure.markRetryable()
	if !IsRetryable(publicServerError(failure)) {
		t.Fatal("a handled expiry must be retryable")
	}
	next, _ := manager.GetAuthToken(ctx)
	if next.Equal(token) {
		t.Fatal("token not refreshed")
	}
}
