package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/boltrx/boltrx"
)

func TestDriverErrorDescribesServerFailures(t *testing.T) {
	cause := &boltrx.Neo4jError{Msg: "inner", GqlStatus: "22N01", GqlStatusDescription: "bad type",
		GqlClassification: boltrx.ClientError, GqlRawClassification: "CLIENT_ERROR",
		GqlDiagnosticRecord: map[string]any{"OPERATION": ""}}
	err := &boltrx.Neo4jError{Code: "Neo.TransientError.General.X", Msg: "outer", GqlStatus: "50N42",
		GqlStatusDescription: "general", GqlClassification: boltrx.UnknownError,
		GqlDiagnosticRecord: map[string]any{"CURRENT_SCHEMA": "/", "_n": int64(1)}, GqlCause: cause}
	got, jerr := json.Marshal(describeDriverError("7", fmt.Errorf("wrapped: %w", err)))
	if jerr != nil {
		t.Fatal(jerr)
	}
	for _, want := range []string{
		`"id":"7"`, `"errorType":"Neo4jError"`, `"msg":"outer"`, `"code":"Neo.TransientError.General.X"`,
		`"retryable":true`, `"gqlStatus":"50N42"`, `"classification":"UNKNOWN"`, `"rawClassification":null`,
		`"_n":{"name":"CypherInt","data":{"value":1}}`,
		`"cause":{"name":"GqlError","data":{"msg":"inner","gqlStatus":"22N01","statusDescription":"bad type"`,
		`"rawClassification":"CLIENT_ERROR","cause":null`,
	} {
		if !strings.Contains(string(got), want) {
			t.Errorf("DriverError lacks %s:\n%s", want, got)
		}
	}
}

func TestDriverErrorTypes(t *testing.T) {
	cases := []struct {
		err  error
		want string
	}{
		{&boltrx.UsageError{Message: "m"}, "UsageError"},
		{&boltrx.ConnectivityError{Inner: errors.New("down")}, "ConnectivityError"},
		{&boltrx.TokenExpiredError{Code: "Neo.ClientError.Security.TokenExpired", Message: "m"}, "TokenExpiredError"},
		{&boltrx.InvalidAuthenticationError{Inner: errors.New("no")}, "InvalidAuthenticationError"},
		{&boltrx.TransactionExecutionLimit{Cause: boltrx.ErrMaxRetryTimeExceeded,
			Errors: []error{&boltrx.Neo4jError{Code: "Neo.TransientError.X.Y"}}}, "TransactionExecutionLimit"},
		{fmt.Errorf("ctx: %w", &boltrx.ConnectivityError{}), "ConnectivityError"},
		{&valueError{err: errors.New("odd")}, "ValueError"},
		{context.DeadlineExceeded, "context.deadlineExceededError"},
		{fmt.Errorf("cannot use this transaction, because it has been terminated by an earlier failure (%w)", boltrx.ErrTransactionTerminated),
			"cannot use this transaction, because it has been terminated by an earlier failure"},
	}
	for _, c := range cases {
		if got := describeDriverError("1", c.err); got.ErrorType != c.want {
			t.Errorf("errorType(%T) = %q, want %q", c.err, got.ErrorType, c.want)
		}
	}
	d := describeDriverError("1", &boltrx.TokenExpiredError{Code: "Neo.ClientError.Security.TokenExpired", Message: "Token expired"})
	if d.Code != "Neo.ClientError.Security.TokenExpired" || d.Msg != "Token expired" {
		t.Errorf("TokenExpiredError described as %+v", d)
	}
}

func TestErrorResponsesByOrigin(t *testing.T) {
	b := &backend{ids: &idGen{}, errors: errorRegistry{errs: map[string]error{}}}
	if name, _ := b.errorResponse(&frontendError{msg: "x"}); name != "FrontendError" {
		t.Errorf("frontend error sent as %s", name)
	}
	if name, _ := b.errorResponse(backendErrorf("bad id")); name != "BackendError" {
		t.Errorf("backend error sent as %s", name)
	}
	driverErr := &boltrx.ConnectivityError{Inner: errors.New("down")}
	name, data := b.errorResponse(driverErr)
	d, ok := data.(driverErrorData)
	if name != "DriverError" || !ok || b.errors.errs[d.ID] != driverErr {
		t.Errorf("driver error sent as %s %+v; registry %v", name, data, b.errors.errs)
	}
}
