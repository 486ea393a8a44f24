package telemetry_test

import (
	"context"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/boltrx/boltrx/telemetry/telemetrytest"
)

// spanNamed returns the one ended span called name.
func spanNamed(t *testing.T, h *telemetrytest.Harness, name string) sdktrace.ReadOnlySpan {
	t.Helper()
	var found sdktrace.ReadOnlySpan
	for _, s := range h.Ended() {
		if s.Name() == name {
			if found != nil {
				t.Fatalf("more than one span named %q", name)
			}
			found = s
		}
	}
	if found == nil {
		var names []string
		for _, s := range h.Ended() {
			names = append(names, s.Name())
		}
		t.Fatalf("no span named %q; ended: %q", name, names)
	}
	return found
}

// wantAttrs fails for every key of want the span lacks or holds with
// another value.
func wantAttrs(t *testing.T, s sdktrace.ReadOnlySpan, want ...attribute.KeyValue) {
	t.Helper()
	got := telemetrytest.Attrs(s)
	for _, kv := range want {
		v, ok := got[kv.Key]
		if !ok {
			t.Errorf("span %q: no attribute %s (want %s)", s.Name(), kv.Key, kv.Value.String())
			continue
		}
		if v != kv.Value {
			t.Errorf("span %q: %s = %s, want %s", s.Name(), kv.Key, v.String(), kv.Value.String())
		}
	}
}

// noAttrs fails for every key the span holds.
func noAttrs(t *testing.T, s sdktrace.ReadOnlySpan, keys ...attribute.Key) {
	t.Helper()
	got := telemetrytest.Attrs(s)
	for _, k := range keys {
		if v, ok := got[k]; ok {
			t.Errorf("span %q: unexpected %s = %s", s.Name(), k, v.String())
		}
	}
}

// userSpan starts a span of the harness's provider, as the application
// calling the driver would.
func userSpan(t *testing.T, h *telemetrytest.Harness) (context.Context, func()) {
	t.Helper()
	ctx, span := h.TracerProvider.Tracer("app").Start(context.Background(), "handler")
	return ctx, func() { span.End() }
}

// codedError is a server failure as the driver's public error type
// presents it: a code, and a message that may quote data.
type codedError struct {
	code, gql, msg string
}

func (e *codedError) Error() string         { return "Neo4jError: " + e.code + ": " + e.msg }
func (e *codedError) Neo4jCode() string     { return e.code }
func (e *codedError) GQLStatusCode() string { return e.gql }
