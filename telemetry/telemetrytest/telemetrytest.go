// Package telemetrytest records what package telemetry produces, for tests:
// an SDK tracer provider with a span recorder, an SDK meter provider with
// a manual reader, and checks that every span ended and that no span holds
// a forbidden value.
package telemetrytest

import (
	"context"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/boltrx/boltrx/telemetry"
)

// Harness is a recording telemetry setup.
type Harness struct {
	Spans          *tracetest.SpanRecorder
	TracerProvider *sdktrace.TracerProvider
	Reader         *sdkmetric.ManualReader
	MeterProvider  *sdkmetric.MeterProvider
	Instruments    *telemetry.Instruments
}

// New returns a harness whose Instruments record every span (AlwaysSample)
// and every measurement. cfg's providers are replaced by the harness's;
// its other fields are kept. The providers shut down when the test ends.
func New(t testing.TB, cfg telemetry.Config) *Harness {
	t.Helper()
	h := &Harness{Spans: tracetest.NewSpanRecorder(), Reader: sdkmetric.NewManualReader()}
	h.TracerProvider = sdktrace.NewTracerProvider(
		sdktrace.WithSampler(sdktrace.AlwaysSample()),
		sdktrace.WithSpanProcessor(h.Spans))
	h.MeterProvider = sdkmetric.NewMeterProvider(sdkmetric.WithReader(h.Reader))
	cfg.TracerProvider = h.TracerProvider
	cfg.MeterProvider = h.MeterProvider
	h.Instruments = telemetry.New(cfg)
	t.Cleanup(func() {
		_ = h.TracerProvider.Shutdown(context.Background())
		_ = h.MeterProvider.Shutdown(context.Background())
	})
	return h
}

// Ended returns the spans that ended, in the order they ended.
func (h *Harness) Ended() []sdktrace.ReadOnlySpan { return h.Spans.Ended() }

// AssertAllEnded fails the test for every span that started and did not
// end.
func (h *Harness) AssertAllEnded(t testing.TB) {
	t.Helper()
	ended := make(map[trace.SpanID]bool)
	for _, s := range h.Spans.Ended() {
		ended[s.SpanContext().SpanID()] = true
	}
	for _, s := range h.Spans.Started() {
		if !ended[s.SpanContext().SpanID()] {
			t.Errorf("span %q (%s) started and never ended", s.Name(), s.SpanContext().SpanID())
		}
	}
}

// AssertNoValue fails the test when any ended span holds a string
// containing secret: in its name, attributes, status description, or
// event attributes.
func (h *Harness) AssertNoValue(t testing.TB, secret string) {
	t.Helper()
	check := func(span, where, s string) {
		if strings.Contains(s, secret) {
			t.Errorf("span %q: %s holds %q: %q", span, where, secret, s)
		}
	}
	for _, s := range h.Spans.Ended() {
		check(s.Name(), "name", s.Name())
		check(s.Name(), "status", s.Status().Description)
		for _, kv := range s.Attributes() {
			check(s.Name(), string(kv.Key), kv.Value.String())
		}
		for _, e := range s.Events() {
			for _, kv := range e.Attributes {
				check(s.Name(), e.Name+"."+string(kv.Key), kv.Value.String())
			}
		}
	}
}

// Attrs returns a span's attributes by key.
func Attrs(s sdktrace.ReadOnlySpan) map[attribute.Key]attribute.Value {
	m := make(map[attribute.Key]attribute.Value, len(s.Attributes()))
	for _, kv := range s.Attributes() {
		m[kv.Key] = kv.Value
	}
	return m
}

// Collect returns the metrics recorded so far, by name.
func (h *Harness) Collect(t testing.TB) map[string]metricdata.Metrics {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := h.Reader.Collect(context.Background(), &rm); err != nil {
		t.Fatalf("collect metrics: %v", err)
	}
	out := make(map[string]metricdata.Metrics)
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			out[m.Name] = m
		}
	}
	return out
}
