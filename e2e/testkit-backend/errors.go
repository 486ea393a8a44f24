package main

import (
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/boltrx/boltrx"
	"github.com/boltrx/boltrx/bolt"
)

// frontendError is what a managed transaction's work function returns
// when the test code itself failed (RetryableNegative without an error
// id). It reaches testkit as a FrontendError.
type frontendError struct{ msg string }

func (e *frontendError) Error() string { return e.msg }

// backendError is a fault of the request or of the backend, not of the
// driver: an unknown object id, a malformed field, a request the backend
// cannot serve. It reaches testkit as a BackendError.
type backendError struct{ msg string }

func (e *backendError) Error() string { return e.msg }

func backendErrorf(format string, args ...any) error {
	return &backendError{msg: fmt.Sprintf(format, args...)}
}

// errorRegistry remembers every driver error sent to testkit by the id
// the DriverError carried, so that RetryableNegative can hand the very
// error back to a managed transaction.
type errorRegistry struct {
	errs map[string]error
}

// gqlFields are the GQL fields of a DriverError or of its GqlError cause.
type gqlFields struct {
	GqlStatus         *string           `json:"gqlStatus"`
	StatusDescription *string           `json:"statusDescription"`
	DiagnosticRecord  map[string]tagged `json:"diagnosticRecord"`
	Classification    *string           `json:"classification"`
	RawClassification *string           `json:"rawClassification"`
	Cause             *tagged           `json:"cause"`
}

// driverErrorData is the data of a DriverError response.
type driverErrorData struct {
	ID        string `json:"id"`
	ErrorType string `json:"errorType"`
	Msg       string `json:"msg"`
	Code      string `json:"code"`
	Retryable bool   `json:"retryable"`
	gqlFields
}

// errorResponse returns the response for an error of a request: a
// DriverError (registered under a new id) for errors the driver returned,
// a FrontendError for failures of the test code and a BackendError for
// faults of the backend.
func (b *backend) errorResponse(err error) (string, any) {
	var fe *frontendError
	if errors.As(err, &fe) {
		return "FrontendError", map[string]any{"msg": fe.msg}
	}
	var be *backendError
	if errors.As(err, &be) {
		return "BackendError", map[string]any{"msg": be.msg}
	}
	id := b.ids.next()
	b.errors.errs[id] = err
	return "DriverError", describeDriverError(id, err)
}

// describeDriverError fills a DriverError. errorType names the driver's
// error type (Neo4jError, ConnectivityError, UsageError, ...): testkit's
// expectations for TEST_DRIVER_NAME=go use these names.
func describeDriverError(id string, err error) driverErrorData {
	d := driverErrorData{
		ID:        id,
		ErrorType: errorTypeName(err),
		Msg:       err.Error(),
		Retryable: boltrx.IsRetryable(err),
	}
	var te *boltrx.TokenExpiredError
	var ne *boltrx.Neo4jError
	switch {
	case d.ErrorType == "TokenExpiredError" && errors.As(err, &te):
		d.Code, d.Msg = te.Code, te.Message
		if errors.As(err, &ne) {
			d.gqlFields = gqlOf(ne)
		}
	case d.ErrorType == "Neo4jError" && errors.As(err, &ne):
		d.Code, d.Msg = ne.Code, ne.Msg
		d.gqlFields = gqlOf(ne)
	case d.ErrorType == "UsageError":
		d.ErrorType, d.Msg = goUsageError(err, d.Msg)
	}
	return d
}

// goUsageError names some usage errors the way testkit's expectations
// for TEST_DRIVER_NAME=go tell them apart: by neo4j-go-driver's wording,
// which its backend sends as the errorType (the text before the first
// colon) or as the message. Other usage errors keep their type and
// message.
func goUsageError(err error, msg string) (errorType, message string) {
	var rf *resultFailedError
	switch {
	case errors.As(err, &rf):
		// A result's read refused because its transaction was
		// terminated by a failure of another of its queries.
		return "result failed due to the termination of its transaction", msg
	case errors.Is(err, boltrx.ErrTransactionTerminated):
		return "cannot use this transaction, because a failure terminated it", msg
	case errors.Is(err, boltrx.ErrResultConsumed):
		return "UsageError", "result cursor is not available anymore"
	}
	return "UsageError", msg
}

// resultFailedError is the error of a result request (ResultNext,
// ResultConsume, ...) that failed because the result's transaction was
// terminated, told apart from the same error of TransactionRun or
// TransactionCommit (see goUsageError).
type resultFailedError struct{ err error }

func (e *resultFailedError) Error() string { return e.err.Error() }
func (e *resultFailedError) Unwrap() error { return e.err }

// resultError marks an error of a result request whose transaction a
// failure terminated; other errors pass unchanged.
func resultError(err error) error {
	if err != nil && errors.Is(err, boltrx.ErrTransactionTerminated) {
		return &resultFailedError{err: err}
	}
	return err
}

// errorTypeName names the kind of err: the driver's type at the top of
// the chain, else the first driver type found in it, else the Go type.
func errorTypeName(err error) string {
	switch e := err.(type) {
	case *boltrx.TransactionExecutionLimit:
		return "TransactionExecutionLimit"
	case *boltrx.TokenExpiredError:
		return "TokenExpiredError"
	case *boltrx.Neo4jError:
		return "Neo4jError"
	case *boltrx.InvalidAuthenticationError:
		return "InvalidAuthenticationError"
	case *boltrx.ConnectivityError:
		return connectivityErrorName(err)
	case *boltrx.UsageError:
		return "UsageError"
	case *boltrx.FeatureNotSupportedError:
		// The name testkit expects for TEST_DRIVER_NAME=go.
		return "feature not supported"
	case *valueError:
		return "ValueError"
	case *resultFailedError:
		return errorTypeName(e.err)
	}
	var (
		tel *boltrx.TransactionExecutionLimit
		te  *boltrx.TokenExpiredError
		ne  *boltrx.Neo4jError
		ie  *boltrx.InvalidAuthenticationError
		ce  *boltrx.ConnectivityError
		ue  *boltrx.UsageError
		fe  *boltrx.FeatureNotSupportedError
	)
	switch {
	case errors.As(err, &tel):
		return "TransactionExecutionLimit"
	case errors.As(err, &te):
		return "TokenExpiredError"
	case errors.As(err, &ne):
		return "Neo4jError"
	case errors.As(err, &ie):
		return "InvalidAuthenticationError"
	case errors.As(err, &ce):
		return connectivityErrorName(err)
	case errors.As(err, &ue):
		return "UsageError"
	case errors.As(err, &fe):
		return "feature not supported"
	}
	name := reflect.TypeOf(err).String()
	return strings.TrimPrefix(name, "*")
}

// connectivityErrorName names a lost connection: a ProtocolError when the
// server broke the protocol (what testkit expects of a malformed message),
// else a ConnectivityError.
func connectivityErrorName(err error) string {
	var pe *bolt.ProtocolError
	if errors.As(err, &pe) {
		return "ProtocolError"
	}
	return "ConnectivityError"
}

// gqlOf returns the GQL fields of a server failure and its causes.
func gqlOf(e *boltrx.Neo4jError) gqlFields {
	g := gqlFields{
		GqlStatus:         &e.GqlStatus,
		StatusDescription: &e.GqlStatusDescription,
		DiagnosticRecord:  diagnosticRecord(e.GqlDiagnosticRecord),
	}
	classification := string(e.GqlClassification)
	g.Classification = &classification
	if e.GqlRawClassification != "" {
		raw := e.GqlRawClassification
		g.RawClassification = &raw
	}
	if e.GqlCause != nil {
		cause := tagged{Name: "GqlError", Data: gqlCause{Msg: e.GqlCause.Msg, gqlFields: gqlOf(e.GqlCause)}}
		g.Cause = &cause
	}
	return g
}

// gqlCause is the data of a GqlError (the cause of a DriverError).
type gqlCause struct {
	Msg string `json:"msg"`
	gqlFields
}

// diagnosticRecord encodes a diagnostic record's values as Cypher values;
// a value without testkit encoding is sent as its text.
func diagnosticRecord(m map[string]any) map[string]tagged {
	out := make(map[string]tagged, len(m))
	for k, v := range m {
		c, err := cypherValue(v)
		if err != nil {
			c = valueOf("CypherString", fmt.Sprint(v))
		}
		out[k] = c
	}
	return out
}
