package telemetry_test

import (
	"context"
	"errors"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/boltrx/boltrx/telemetry"
	"github.com/boltrx/boltrx/telemetry/telemetrytest"
)

var conn58 = telemetry.ConnAttrs{ServerAddress: "db.example.com", ServerPort: 7687, PeerAddress: "10.0.0.7", Protocol: "5.8"}

func TestMessageSpansNestUnderTheOperation(t *testing.T) {
	h := telemetrytest.New(t, telemetry.Config{})
	ctx, op := h.Instruments.StartOperation(context.Background(), telemetry.KindQuery, telemetry.OperationAttrs{Database: "movies"})
	run := h.Instruments.StartMessage(ctx, "RUN", conn58)
	pull := h.Instruments.StartMessage(ctx, "PULL", conn58)
	run.End(telemetry.MessageEnd{})
	pull.AddRecords(2)
	pull.AddRecords(1)
	pull.End(telemetry.MessageEnd{HasMore: true, Qid: 3, QidKnown: true})
	op.End()
	h.AssertAllEnded(t)

	opID := spanNamed(t, h, "query movies").SpanContext().SpanID()
	for _, name := range []string{"RUN", "PULL"} {
		s := spanNamed(t, h, name)
		if s.Parent().SpanID() != opID {
			t.Errorf("%s: parent %s, want the operation %s", name, s.Parent().SpanID(), opID)
		}
		if s.SpanKind() != trace.SpanKindClient {
			t.Errorf("%s: kind %v, want client", name, s.SpanKind())
		}
		wantAttrs(t, s,
			attribute.String("db.system.name", "neo4j"),
			attribute.String("db.operation.name", name),
			attribute.String("db.namespace", "movies"),
			attribute.String("server.address", "db.example.com"),
			attribute.Int("server.port", 7687),
			attribute.String("network.peer.address", "10.0.0.7"),
			attribute.String("bolt.protocol.version", "5.8"),
		)
		if s.Status().Code != codes.Unset {
			t.Errorf("%s: status %v, want unset", name, s.Status())
		}
	}
	noAttrs(t, spanNamed(t, h, "RUN"), "bolt.pull.records", "bolt.has_more", "bolt.qid")
	wantAttrs(t, spanNamed(t, h, "PULL"),
		attribute.Int64("bolt.pull.records", 3),
		attribute.Bool("bolt.has_more", true),
		attribute.Int64("bolt.qid", 3),
	)
}

func TestMessageSummaryDetails(t *testing.T) {
	h := telemetrytest.New(t, telemetry.Config{})
	ctx, op := h.Instruments.StartOperation(context.Background(), telemetry.KindTransaction, telemetry.OperationAttrs{})
	commit := h.Instruments.StartMessage(ctx, "COMMIT", conn58)
	commit.End(telemetry.MessageEnd{BookmarkCount: 1})
	discard := h.Instruments.StartMessage(ctx, "DISCARD", conn58)
	discard.End(telemetry.MessageEnd{HasMore: false})
	op.End()
	wantAttrs(t, spanNamed(t, h, "COMMIT"), attribute.Int("neo4j.bookmarks.count", 1))
	wantAttrs(t, spanNamed(t, h, "DISCARD"), attribute.Bool("bolt.has_more", false))
	noAttrs(t, spanNamed(t, h, "DISCARD"), "bolt.pull.records")
}

func TestMessageFailureIgnoredAndBrokenConnection(t *testing.T) {
	h := telemetrytest.New(t, telemetry.Config{})
	ctx, op := h.Instruments.StartOperation(context.Background(), telemetry.KindQuery, telemetry.OperationAttrs{})
	h.Instruments.StartMessage(ctx, "RUN", conn58).End(telemetry.MessageEnd{
		FailureCode: "Neo.ClientError.Statement.SyntaxError", GQLStatus: "42001"})
	h.Instruments.StartMessage(ctx, "PULL", conn58).End(telemetry.MessageEnd{Ignored: true})
	h.Instruments.StartMessage(ctx, "RESET", conn58).End(telemetry.MessageEnd{Err: errors.New("read: connection reset by peer")})
	op.End()
	h.AssertAllEnded(t)

	run := spanNamed(t, h, "RUN")
	wantAttrs(t, run,
		attribute.String("error.type", "Neo.ClientError.Statement.SyntaxError"),
		attribute.String("db.response.status_code", "42001"))
	pull := spanNamed(t, h, "PULL")
	wantAttrs(t, pull, attribute.Bool("bolt.ignored", true), attribute.String("error.type", "IGNORED"),
		attribute.Int64("bolt.pull.records", 0))
	noAttrs(t, pull, "bolt.has_more")
	reset := spanNamed(t, h, "RESET")
	wantAttrs(t, reset, attribute.String("error.type", "*errors.errorString"))
	for _, s := range []sdktrace.ReadOnlySpan{run, pull, reset} {
		if s.Status().Code != codes.Error {
			t.Errorf("%s: status %v, want Error", s.Name(), s.Status().Code)
		}
		if len(s.Events()) != 1 || s.Events()[0].Name != "exception" {
			t.Errorf("%s: events %v, want one exception", s.Name(), s.Events())
		}
	}
	if got := reset.Status().Description; got != "read: connection reset by peer" {
		t.Errorf("RESET status description %q", got)
	}
}

func TestMessageSpanNeedsARecordingParent(t *testing.T) {
	h := telemetrytest.New(t, telemetry.Config{})
	if m := h.Instruments.StartMessage(context.Background(), "RESET", conn58); m != nil {
		t.Error("a message without an operation made a span")
	}

	// An unsampled trace: the default parent-based sampler drops the
	// operation, and its messages cost nothing.
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.NeverSample())), sdktrace.WithSpanProcessor(rec))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	ins := telemetry.New(telemetry.Config{TracerProvider: tp, MeterProvider: h.MeterProvider})
	ctx, op := ins.StartOperation(context.Background(), telemetry.KindQuery, telemetry.OperationAttrs{})
	if m := ins.StartMessage(ctx, "RUN", conn58); m != nil {
		t.Error("a message of an unsampled operation made a span")
	}
	op.End()
	if n := len(rec.Started()); n != 0 {
		t.Errorf("%d spans recorded by a never-sampling provider", n)
	}
}

func TestNoopProviderMakesNoSpans(t *testing.T) {
	h := telemetrytest.New(t, telemetry.Config{})
	ins := telemetry.New(telemetry.Config{TracerProvider: noop.NewTracerProvider(), MeterProvider: h.MeterProvider})
	if ins.Tracing() {
		t.Error("Tracing() is true with a no-op provider")
	}
	if !ins.Metrics() {
		t.Error("Metrics() is false with an SDK meter provider")
	}
	// Metrics still need the operation: its duration is measured.
	_, op := ins.StartOperation(context.Background(), telemetry.KindQuery, telemetry.OperationAttrs{})
	if op == nil {
		t.Fatal("no operation although its duration is measured")
	}
	op.End()
	if _, ok := h.Collect(t)[telemetry.MetricOperationDuration]; !ok {
		t.Error("no operation duration recorded")
	}
}
