package telemetry_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/boltrx/boltrx/telemetry"
	"github.com/boltrx/boltrx/telemetry/telemetrytest"
)

func TestOperationSpanIsAClientChildOfTheCallersSpan(t *testing.T) {
	h := telemetrytest.New(t, telemetry.Config{})
	ctx, endUser := userSpan(t, h)
	opCtx, op := h.Instruments.StartOperation(ctx, telemetry.KindQuery, telemetry.OperationAttrs{
		Database: "movies", AccessMode: "READ", QueryText: "MATCH (n) RETURN n",
		ServerAddress: "db.example.com", ServerPort: 7687,
	})
	if op == nil {
		t.Fatal("StartOperation returned a nil operation while recording")
	}
	if got, want := trace.SpanContextFromContext(opCtx).TraceID(), trace.SpanContextFromContext(ctx).TraceID(); got != want {
		t.Errorf("operation trace %s, want the caller's %s", got, want)
	}
	op.End()
	endUser()
	h.AssertAllEnded(t)

	s := spanNamed(t, h, "query movies")
	if s.SpanKind() != trace.SpanKindClient {
		t.Errorf("kind = %v, want client", s.SpanKind())
	}
	if s.Parent().SpanID() != trace.SpanContextFromContext(ctx).SpanID() {
		t.Errorf("parent = %s, want the caller's span", s.Parent().SpanID())
	}
	wantAttrs(t, s,
		attribute.String("db.system.name", "neo4j"),
		attribute.String("db.operation.name", "query"),
		attribute.String("db.namespace", "movies"),
		attribute.String("neo4j.access_mode", "READ"),
		attribute.String("server.address", "db.example.com"),
		attribute.Int("server.port", 7687),
	)
	noAttrs(t, s, "db.query.text", "error.type", "neo4j.retry.attempt")
	if s.Status().Code != codes.Unset {
		t.Errorf("status = %v, want unset", s.Status())
	}
}

func TestQueryTextOnlyWhenOptedIn(t *testing.T) {
	h := telemetrytest.New(t, telemetry.Config{QueryText: true})
	_, op := h.Instruments.StartOperation(context.Background(), telemetry.KindExecuteQuery,
		telemetry.OperationAttrs{QueryText: "RETURN $x"})
	op.End()
	wantAttrs(t, spanNamed(t, h, "execute_query"), attribute.String("db.query.text", "RETURN $x"))
}

func TestOperationSettersUpdateTheSpan(t *testing.T) {
	h := telemetrytest.New(t, telemetry.Config{})
	_, op := h.Instruments.StartOperation(context.Background(), telemetry.KindAttempt, telemetry.OperationAttrs{Attempt: 1})
	op.SetServer("core-2.example.com", 7688, "5.8")
	op.SetDatabase("neo4j")
	op.SetAttempt(2)
	op.End()
	op.End() // a second End does nothing
	h.AssertAllEnded(t)
	if n := len(h.Ended()); n != 1 {
		t.Fatalf("%d spans ended, want 1", n)
	}
	wantAttrs(t, spanNamed(t, h, "attempt neo4j"),
		attribute.String("server.address", "core-2.example.com"),
		attribute.Int("server.port", 7688),
		attribute.String("bolt.protocol.version", "5.8"),
		attribute.String("db.namespace", "neo4j"),
		attribute.Int("neo4j.retry.attempt", 2),
	)
}

func TestOperationServerFailureIsRecordedByItsCodes(t *testing.T) {
	h := telemetrytest.New(t, telemetry.Config{})
	_, op := h.Instruments.StartOperation(context.Background(), telemetry.KindTransaction, telemetry.OperationAttrs{})
	secret := "alice@example.com"
	err := fmt.Errorf("commit: %w", &codedError{
		code: "Neo.ClientError.Schema.ConstraintValidationFailed", gql: "22N41",
		msg: "Node(1) already exists with label `User` and property `email` = '" + secret + "'"})
	op.RecordError(err)
	op.End()

	s := spanNamed(t, h, "transaction")
	if s.Status().Code != codes.Error {
		t.Errorf("status = %v, want Error", s.Status().Code)
	}
	wantAttrs(t, s,
		attribute.String("error.type", "Neo.ClientError.Schema.ConstraintValidationFailed"),
		attribute.String("db.response.status_code", "22N41"),
	)
	if len(s.Events()) != 1 || s.Events()[0].Name != "exception" {
		t.Fatalf("events = %v, want one exception", s.Events())
	}
	h.AssertNoValue(t, secret)
}

type classedError struct{}

func (classedError) Error() string     { return "no route" }
func (classedError) ErrorType() string { return "routing" }

func TestOperationErrorTypes(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{context.DeadlineExceeded, "timeout"},
		{fmt.Errorf("wrapped: %w", context.Canceled), "canceled"},
		{fmt.Errorf("x: %w", classedError{}), "routing"},
		{errors.New("plain"), "*errors.errorString"},
	} {
		h := telemetrytest.New(t, telemetry.Config{})
		_, op := h.Instruments.StartOperation(context.Background(), telemetry.KindRoute, telemetry.OperationAttrs{})
		op.RecordError(tc.err)
		op.RecordError(nil) // ignored
		op.End()
		s := spanNamed(t, h, "route")
		wantAttrs(t, s, attribute.String("error.type", tc.want))
		noAttrs(t, s, "db.response.status_code")
		if s.Status().Description != tc.err.Error() {
			t.Errorf("status description %q, want the driver's own message %q", s.Status().Description, tc.err.Error())
		}
	}
}

func TestNestedOperationsFormATree(t *testing.T) {
	h := telemetrytest.New(t, telemetry.Config{})
	ctx, managed := h.Instruments.StartOperation(context.Background(), telemetry.KindManagedTransaction, telemetry.OperationAttrs{})
	for attempt := 1; attempt <= 2; attempt++ {
		_, a := h.Instruments.StartOperation(ctx, telemetry.KindAttempt, telemetry.OperationAttrs{Attempt: attempt})
		a.End()
	}
	managed.End()
	h.AssertAllEnded(t)
	parent := spanNamed(t, h, "managed_transaction").SpanContext().SpanID()
	attempts := 0
	for _, s := range h.Ended() {
		if s.Name() == "attempt" {
			attempts++
			if s.Parent().SpanID() != parent {
				t.Errorf("attempt span's parent %s, want the managed transaction %s", s.Parent().SpanID(), parent)
			}
		}
	}
	if attempts != 2 {
		t.Errorf("%d attempt spans, want 2", attempts)
	}
}

func TestDisabledMakesNothing(t *testing.T) {
	h := telemetrytest.New(t, telemetry.Config{Disabled: true, Propagate: true})
	ins := h.Instruments
	if ins.Enabled() || ins.Tracing() || ins.Metrics() {
		t.Fatal("disabled instruments report themselves enabled")
	}
	ctx := context.Background()
	opCtx, op := ins.StartOperation(ctx, telemetry.KindQuery, telemetry.OperationAttrs{Database: "neo4j"})
	if op != nil || opCtx != ctx {
		t.Fatalf("StartOperation = %v, %v; want the same context and nil", opCtx, op)
	}
	op.SetServer("a", 1, "5.0")
	op.SetDatabase("b")
	op.SetAttempt(2)
	op.RecordError(errors.New("x"))
	op.End()
	m := ins.StartMessage(ctx, "RUN", telemetry.ConnAttrs{})
	if m != nil {
		t.Fatal("StartMessage returned a message while disabled")
	}
	m.AddRecords(3)
	m.End(telemetry.MessageEnd{})
	ins.ConnectionState("p", telemetry.StateIdle, 1)
	ins.RecordsStreamed(10, telemetry.ConnAttrs{})
	if len(h.Spans.Started()) != 0 {
		t.Errorf("%d spans started while disabled", len(h.Spans.Started()))
	}
	if got := h.Collect(t); len(got) != 0 {
		t.Errorf("metrics recorded while disabled: %v", got)
	}
}

func TestNilInstrumentsAreDisabled(t *testing.T) {
	var ins *telemetry.Instruments
	ctx := context.Background()
	_, op := ins.StartOperation(ctx, telemetry.KindQuery, telemetry.OperationAttrs{})
	op.End()
	if ins.StartMessage(ctx, "RUN", telemetry.ConnAttrs{}) != nil || ins.Enabled() {
		t.Fatal("a nil *Instruments did something")
	}
	ins.ConnectionState("p", telemetry.StateUsed, 1)
	ins.PendingRequests("p", 1)
	ins.ConnectionWait("p", time.Second)
	ins.ConnectionCreated("p", time.Second, nil)
	ins.ConnectionTimeout("p")
	ins.ConnectionUse("p", time.Second)
	ins.RecordsStreamed(1, telemetry.ConnAttrs{})
	md := map[string]any{"a": 1}
	if got := ins.InjectTraceparent(ctx, md); len(got) != 1 {
		t.Fatalf("InjectTraceparent on nil = %v", got)
	}
}
