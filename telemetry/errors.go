package telemetry

import (
	"context"
	"errors"
	"fmt"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// ServerCoded is implemented by errors that carry a Neo4j status code,
// such as boltrx's Neo4jError. Such an error is recorded by its code, not
// by its message.
type ServerCoded interface {
	Neo4jCode() string
}

// GQLStatusCoded is implemented by errors that carry a GQLSTATUS code
// (Bolt 5.7+). When present it becomes db.response.status_code.
type GQLStatusCoded interface {
	GQLStatusCode() string
}

// ErrorTyped is implemented by errors that name their own low-cardinality
// class for error.type (e.g. "connectivity").
type ErrorTyped interface {
	ErrorType() string
}

// failureInfo is what a span or a measurement says about a failure.
type failureInfo struct {
	errorType  string // error.type
	statusCode string // db.response.status_code, "" when none
	message    string // exception.message; never a server's message
}

// serverFailure describes a FAILURE by its codes.
func serverFailure(neo4jCode, gqlStatus string) failureInfo {
	f := failureInfo{errorType: neo4jCode, statusCode: gqlStatus}
	if f.errorType == "" {
		f.errorType = gqlStatus
	}
	if f.statusCode == "" {
		f.statusCode = neo4jCode
	}
	f.message = "server failure " + f.errorType
	if gqlStatus != "" && neo4jCode != "" {
		f.message += " (GQLSTATUS " + gqlStatus + ")"
	}
	return f
}

// classify describes err. An error that carries a server code is described
// by its codes only; other errors (the driver's own: I/O, usage, timeouts)
// keep their message.
func classify(err error) failureInfo {
	var code, gql string
	var sc ServerCoded
	if errors.As(err, &sc) {
		code = sc.Neo4jCode()
	}
	var gc GQLStatusCoded
	if errors.As(err, &gc) {
		gql = gc.GQLStatusCode()
	}
	if code != "" || gql != "" {
		return serverFailure(code, gql)
	}
	f := failureInfo{message: err.Error()}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		f.errorType = "timeout"
	case errors.Is(err, context.Canceled):
		f.errorType = "canceled"
	default:
		var et ErrorTyped
		if errors.As(err, &et) && et.ErrorType() != "" {
			f.errorType = et.ErrorType()
		} else {
			f.errorType = fmt.Sprintf("%T", err)
		}
	}
	return f
}

// markFailed sets span's status to Error and records the failure as an
// exception event and as error.type / db.response.status_code.
func markFailed(span trace.Span, f failureInfo) {
	span.SetStatus(codes.Error, f.message)
	span.AddEvent("exception", trace.WithAttributes(
		keyExceptionType.String(f.errorType),
		keyExceptionMsg.String(f.message),
	))
	if f.statusCode != "" {
		span.SetAttributes(keyErrorType.String(f.errorType), keyStatusCode.String(f.statusCode))
		return
	}
	span.SetAttributes(keyErrorType.String(f.errorType))
}

// failureAttrs appends the metric attributes of f.
func failureAttrs(kvs []attribute.KeyValue, f failureInfo) []attribute.KeyValue {
	if f.errorType != "" {
		kvs = append(kvs, keyErrorType.String(f.errorType))
	}
	if f.statusCode != "" {
		kvs = append(kvs, keyStatusCode.String(f.statusCode))
	}
	return kvs
}
