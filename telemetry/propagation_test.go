package telemetry_test

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"go.opentelemetry.io/otel/trace"

	"github.com/boltrx/boltrx/telemetry"
	"github.com/boltrx/boltrx/telemetry/telemetrytest"
)

var traceparentFormat = regexp.MustCompile(`^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$`)

func TestInjectTraceparentCarriesTheCurrentSpan(t *testing.T) {
	h := telemetrytest.New(t, telemetry.Config{Propagate: true})
	ctx, op := h.Instruments.StartOperation(context.Background(), telemetry.KindTransaction, telemetry.OperationAttrs{})
	defer op.End()
	metadata := map[string]any{"app": "billing"}
	got := h.Instruments.InjectTraceparent(ctx, metadata)

	sc := trace.SpanContextFromContext(ctx)
	want := fmt.Sprintf("00-%s-%s-01", sc.TraceID(), sc.SpanID())
	if got[telemetry.TraceparentKey] != want {
		t.Errorf("traceparent = %v, want %s", got[telemetry.TraceparentKey], want)
	}
	if !traceparentFormat.MatchString(want) {
		t.Errorf("traceparent %q is not W3C trace-context", want)
	}
	if got["app"] != "billing" || len(got) != 2 {
		t.Errorf("metadata = %v, want the caller's entries and traceparent", got)
	}
	if len(metadata) != 1 {
		t.Errorf("the caller's map was modified: %v", metadata)
	}
}

func TestInjectTraceparentLeavesMetadataAlone(t *testing.T) {
	on := telemetrytest.New(t, telemetry.Config{Propagate: true})
	off := telemetrytest.New(t, telemetry.Config{})
	spanCtx, op := on.Instruments.StartOperation(context.Background(), telemetry.KindQuery, telemetry.OperationAttrs{})
	defer op.End()

	for _, tc := range []struct {
		name string
		ins  *telemetry.Instruments
		ctx  context.Context
		md   map[string]any
	}{
		{"not propagating", off.Instruments, spanCtx, map[string]any{"a": 1}},
		{"no span", on.Instruments, context.Background(), map[string]any{"a": 1}},
		{"caller's own traceparent", on.Instruments, spanCtx, map[string]any{"traceparent": "00-mine"}},
		{"nil metadata without span", on.Instruments, context.Background(), nil},
	} {
		got := tc.ins.InjectTraceparent(tc.ctx, tc.md)
		if fmt.Sprint(got) != fmt.Sprint(tc.md) {
			t.Errorf("%s: metadata became %v, want %v", tc.name, got, tc.md)
		}
	}
	if got := on.Instruments.InjectTraceparent(spanCtx, nil); !traceparentFormat.MatchString(fmt.Sprint(got["traceparent"])) {
		t.Errorf("nil metadata: got %v, want a new map with a traceparent", got)
	}
}
