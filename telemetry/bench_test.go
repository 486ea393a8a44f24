package telemetry_test

import (
	"context"
	"testing"

	"go.opentelemetry.io/otel/trace/noop"

	"github.com/boltrx/boltrx/telemetry"
	"github.com/boltrx/boltrx/telemetry/telemetrytest"
)

// messageCycle is what a connection does for one PULL batch.
func messageCycle(ins *telemetry.Instruments, ctx context.Context) {
	m := ins.StartMessage(ctx, "PULL", conn58)
	m.AddRecords(1000)
	m.End(telemetry.MessageEnd{HasMore: true})
}

// noopInstruments traces to the API's no-op provider.
func noopInstruments(t testing.TB) (*telemetry.Instruments, context.Context) {
	h := telemetrytest.New(t, telemetry.Config{})
	ins := telemetry.New(telemetry.Config{TracerProvider: noop.NewTracerProvider(), MeterProvider: h.MeterProvider})
	ctx, _ := ins.StartOperation(context.Background(), telemetry.KindQuery, telemetry.OperationAttrs{})
	return ins, ctx
}

// recordingParent returns a context whose span is recording, from a
// tracer other than ins's (so that a disabled ins is tested against a
// parent that would be traced).
func recordingParent(t testing.TB) context.Context {
	h := telemetrytest.New(t, telemetry.Config{})
	ctx, _ := h.TracerProvider.Tracer("app").Start(context.Background(), "handler")
	return ctx
}

func TestMessageSpanFastPathsDoNotAllocate(t *testing.T) {
	parent := recordingParent(t)
	disabled := telemetry.New(telemetry.Config{Disabled: true})
	noopIns, noopCtx := noopInstruments(t)
	recording := telemetrytest.New(t, telemetry.Config{}).Instruments
	// No provider configured and none installed globally (tests never
	// install one): otel's global delegate makes non-recording spans.
	global := telemetry.New(telemetry.Config{})
	globalCtx, _ := global.StartOperation(context.Background(), telemetry.KindQuery, telemetry.OperationAttrs{})
	for _, tc := range []struct {
		name string
		ins  *telemetry.Instruments
		ctx  context.Context
	}{
		{"nil", nil, parent},
		{"disabled", disabled, parent},
		{"no-op provider", noopIns, noopCtx},
		{"no parent", recording, context.Background()},
		{"global provider, none installed", global, globalCtx},
	} {
		if allocs := testing.AllocsPerRun(100, func() { messageCycle(tc.ins, tc.ctx) }); allocs != 0 {
			t.Errorf("%s: %v allocations per message, want 0", tc.name, allocs)
		}
	}
}

func BenchmarkMessageSpanDisabled(b *testing.B) {
	ins := telemetry.New(telemetry.Config{Disabled: true})
	ctx := recordingParent(b)
	b.ReportAllocs()
	for b.Loop() {
		messageCycle(ins, ctx)
	}
}

func BenchmarkMessageSpanNoopProvider(b *testing.B) {
	ins, ctx := noopInstruments(b)
	b.ReportAllocs()
	for b.Loop() {
		messageCycle(ins, ctx)
	}
}

func BenchmarkMessageSpanRecording(b *testing.B) {
	h := telemetrytest.New(b, telemetry.Config{})
	ctx, op := h.Instruments.StartOperation(context.Background(), telemetry.KindQuery, telemetry.OperationAttrs{Database: "neo4j"})
	defer op.End()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		messageCycle(h.Instruments, ctx)
		if i%4096 == 4095 {
			h.Spans.Reset() // the recorder keeps every span: bound its memory
		}
	}
}
