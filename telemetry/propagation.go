package telemetry

import (
	"context"

	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// TraceparentKey is the transaction metadata key InjectTraceparent sets.
const TraceparentKey = "traceparent"

// InjectTraceparent returns metadata with the W3C traceparent of the span
// in ctx added, when t propagates (Config.Propagate) and ctx carries a
// valid span context. The result is a copy: metadata itself is never
// modified. A traceparent the caller put in metadata is kept. When there is
// nothing to add, metadata itself is returned.
func (t *Instruments) InjectTraceparent(ctx context.Context, metadata map[string]any) map[string]any {
	if t == nil || !t.propagate {
		return metadata
	}
	if !trace.SpanContextFromContext(ctx).IsValid() {
		return metadata
	}
	if _, ok := metadata[TraceparentKey]; ok {
		return metadata
	}
	carrier := propagation.MapCarrier{}
	propagation.TraceContext{}.Inject(ctx, carrier)
	value := carrier.Get(TraceparentKey)
	if value == "" {
		return metadata
	}
	out := make(map[string]any, len(metadata)+1)
	for k, v := range metadata {
		out[k] = v
	}
	out[TraceparentKey] = value
	return out
}
