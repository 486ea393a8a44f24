package main

import (
	"bytes"
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestOneTracedRequest serves one request against the embedded cluster
// and checks the span tree under the request's span: the driver's
// operation, its attempt, and one span per Bolt message.
func TestOneTracedRequest(t *testing.T) {
	t.Setenv("NEO4J_URI", "")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out bytes.Buffer
	exporter := &countingExporter{}
	if err := run(ctx, &out, "127.0.0.1:0", true, exporter); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	text := out.String()
	if !strings.Contains(text, `-> 200 [{"born":1815,"name":"Ada"}]`) {
		t.Errorf("no answer in\n%s", text)
	}
	want := []string{
		"GET /people\n",
		"  execute_query ",
		"    attempt neo4j",
		"      BEGIN ",
		"      RUN ",
		"      PULL  [bolt.has_more=false",
		"      COMMIT ",
	}
	for _, line := range want {
		if !strings.Contains(text, line) {
			t.Errorf("the span tree has no line %q:\n%s", line, text)
		}
	}
	if got := exporter.spans.Load(); got < int64(len(want)) {
		t.Errorf("the exporter got %d spans", got)
	}
}

// countingExporter counts the spans exported to it.
type countingExporter struct{ spans atomic.Int64 }

func (e *countingExporter) ExportSpans(_ context.Context, spans []sdktrace.ReadOnlySpan) error {
	e.spans.Add(int64(len(spans)))
	return nil
}

func (e *countingExporter) Shutdown(context.Context) error { return nil }
