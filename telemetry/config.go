package telemetry

import (
	"sync"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/metric"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
	tracenoop "go.opentelemetry.io/otel/trace/noop"
)

// ScopeName is the instrumentation scope of boltrx's tracer and meter.
const ScopeName = "github.com/boltrx/boltrx"

// Config says where the driver's telemetry goes.
type Config struct {
	// TracerProvider makes the spans; nil uses otel.GetTracerProvider()
	// (which follows a global provider installed later).
	TracerProvider trace.TracerProvider
	// MeterProvider makes the metrics; nil uses otel.GetMeterProvider().
	MeterProvider metric.MeterProvider
	// Disabled turns everything off: no spans, no metrics, no propagation.
	Disabled bool
	// QueryText puts db.query.text on operation spans. Parameters and
	// credentials are never recorded, whatever this says.
	QueryText bool
	// Propagate adds the W3C traceparent of the current span to the
	// metadata of transactions (InjectTraceparent), so that the server's
	// query log can be joined with the client's trace.
	Propagate bool
}

// Instruments makes the driver's spans and records its metrics. It is
// safe for concurrent use. A nil *Instruments and the zero Instruments are
// valid and disabled.
type Instruments struct {
	tracer    trace.Tracer // nil: no spans
	meters    *meters      // nil: no metrics
	queryText bool
	propagate bool

	poolsMu sync.RWMutex
	pools   map[string]*poolOptions
}

// New returns the instruments cfg describes.
func New(cfg Config) *Instruments {
	t := &Instruments{}
	if cfg.Disabled {
		return t
	}
	t.queryText = cfg.QueryText
	t.propagate = cfg.Propagate
	tp := cfg.TracerProvider
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	if !isNoopTracerProvider(tp) {
		t.tracer = tp.Tracer(ScopeName, trace.WithSchemaURL(semconv.SchemaURL))
	}
	mp := cfg.MeterProvider
	if mp == nil {
		mp = otel.GetMeterProvider()
	}
	if !isNoopMeterProvider(mp) {
		t.meters = newMeters(mp.Meter(ScopeName, metric.WithSchemaURL(semconv.SchemaURL)))
	}
	return t
}

// Tracing reports whether t may make spans. When false, StartMessage
// always returns nil and callers may skip preparing its arguments.
func (t *Instruments) Tracing() bool { return t != nil && t.tracer != nil }

// Metrics reports whether t records metrics.
func (t *Instruments) Metrics() bool { return t != nil && t.meters != nil }

// Enabled reports whether t does anything at all.
func (t *Instruments) Enabled() bool {
	return t != nil && (t.tracer != nil || t.meters != nil || t.propagate)
}

// isNoopTracerProvider recognises the API's no-op provider, whose spans
// would cost an allocation each for nothing.
func isNoopTracerProvider(tp trace.TracerProvider) bool {
	switch tp.(type) {
	case tracenoop.TracerProvider, *tracenoop.TracerProvider:
		return true
	}
	return false
}

// isNoopMeterProvider recognises the API's no-op meter provider.
func isNoopMeterProvider(mp metric.MeterProvider) bool {
	switch mp.(type) {
	case metricnoop.MeterProvider, *metricnoop.MeterProvider:
		return true
	}
	return false
}
