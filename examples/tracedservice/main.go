// Command tracedservice is a small HTTP service whose handler queries the
// database, with OpenTelemetry traces of every call: the request's span,
// under it the driver's operation span (ExecuteQuery, its attempt, the
// connection acquisition) and one span per Bolt message.
//
// Traces go to stdout by default, or to an OTLP/HTTP collector when
// OTEL_EXPORTER_OTLP_ENDPOINT is set. Without NEO4J_URI it serves from the
// embedded simulated cluster. -once makes one request to itself, prints
// the span tree and exits.
//
//	go run ./tracedservice -once
//	go run ./tracedservice -listen 127.0.0.1:8080 &  curl '127.0.0.1:8080/people?name=Ada'
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sort"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/boltrx/boltrx"
	"github.com/boltrx/boltrx/e2e/cluster"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:8080", "address to serve on")
	once := flag.Bool("once", false, "make one request, print the span tree and exit")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout, *listen, *once, nil); err != nil {
		fmt.Fprintln(os.Stderr, "tracedservice:", err)
		os.Exit(1)
	}
}

// run serves until ctx ends (or one request with once). exporter, when
// not nil, replaces the stdout/OTLP exporter (tests).
func run(ctx context.Context, out io.Writer, listen string, once bool, exporter sdktrace.SpanExporter) error {
	if exporter == nil {
		var err error
		if exporter, err = newExporter(ctx, out, once); err != nil {
			return err
		}
	}
	tree := &spanTree{}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exporter), sdktrace.WithSpanProcessor(tree))
	defer tp.Shutdown(context.Background())

	uri, token, stopCluster, err := target(ctx, out)
	if err != nil {
		return err
	}
	defer stopCluster()
	driver, err := boltrx.NewDriver(uri, token, func(c *boltrx.Config) {
		c.TracerProvider = tp          // or leave it nil: the otel global provider is used
		c.QueryTextInSpans = true      // db.query.text on operation spans (never parameters)
		c.PropagateTraceContext = true // traceparent in the transaction metadata, for server logs
	})
	if err != nil {
		return err
	}
	defer driver.Close(context.Background())
	if _, err := driver.ExecuteQuery(ctx, "CREATE (:Person {name: 'Ada', born: 1815})", nil); err != nil {
		return err
	}

	svc := &service{driver: driver, tracer: tp.Tracer("tracedservice")}
	l, err := net.Listen("tcp", listen)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: svc, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(l) }()
	defer srv.Close()
	fmt.Fprintf(out, "serving on http://%s/people?name=Ada\n", l.Addr())

	if !once {
		<-ctx.Done()
		return nil
	}
	resp, err := http.Get("http://" + l.Addr().String() + "/people?name=Ada")
	if err != nil {
		return err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Fprintf(out, "GET /people?name=Ada -> %d %s", resp.StatusCode, body)
	fmt.Fprintln(out, "\nspan tree:")
	fmt.Fprint(out, tree.render())
	return nil
}

// newExporter exports to OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT is
// set (the exporter reads the endpoint itself), else to out.
func newExporter(ctx context.Context, out io.Writer, quiet bool) (sdktrace.SpanExporter, error) {
	if os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || os.Getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != "" {
		return otlptracehttp.New(ctx)
	}
	if quiet { // -once prints the tree instead of every span's JSON
		out = io.Discard
	}
	return stdouttrace.New(stdouttrace.WithWriter(out), stdouttrace.WithPrettyPrint())
}

// target returns NEO4J_URI's server, or the embedded cluster.
func target(ctx context.Context, out io.Writer) (string, boltrx.AuthToken, func(), error) {
	if uri := os.Getenv("NEO4J_URI"); uri != "" {
		return uri, boltrx.BasicAuth(os.Getenv("NEO4J_USER"), os.Getenv("NEO4J_PASSWORD"), ""), func() {}, nil
	}
	c, err := cluster.Start(ctx, cluster.Config{})
	if err != nil {
		return "", boltrx.AuthToken{}, nil, err
	}
	fmt.Fprintln(out, "NEO4J_URI is not set: using the embedded simulated cluster")
	return "neo4j://" + c.Addr(0), boltrx.BasicAuth("neo4j", "service", ""), func() { _ = c.Close() }, nil
}

// service answers GET /people?name=... from the database.
type service struct {
	driver *boltrx.Driver
	tracer trace.Tracer
}

func (s *service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// A real service would use otelhttp; the server span is made by hand
	// here to keep the example's dependencies to the otel SDK.
	ctx := propagation.TraceContext{}.Extract(r.Context(), propagation.HeaderCarrier(r.Header))
	ctx, span := s.tracer.Start(ctx, r.Method+" "+r.URL.Path, trace.WithSpanKind(trace.SpanKindServer))
	defer span.End()
	if r.URL.Path != "/people" {
		http.NotFound(w, r)
		return
	}
	res, err := s.driver.ExecuteQuery(ctx,
		"MATCH (p:Person) WHERE p.name = $name RETURN p.name AS name, p.born AS born",
		map[string]any{"name": r.URL.Query().Get("name")},
		boltrx.ExecuteQueryWithReadersRouting())
	if err != nil {
		span.RecordError(err)
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	people := make([]map[string]any, 0, len(res.Records))
	for _, rec := range res.Records {
		people = append(people, rec.AsMap())
	}
	span.SetAttributes(attribute.Int("people.count", len(people)))
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(people)
}

// spanTree collects ended spans and renders them as an indented tree.
type spanTree struct {
	mu    sync.Mutex
	spans []sdktrace.ReadOnlySpan
}

func (t *spanTree) OnStart(context.Context, sdktrace.ReadWriteSpan) {}
func (t *spanTree) OnEnd(s sdktrace.ReadOnlySpan) {
	t.mu.Lock()
	t.spans = append(t.spans, s)
	t.mu.Unlock()
}
func (t *spanTree) Shutdown(context.Context) error   { return nil }
func (t *spanTree) ForceFlush(context.Context) error { return nil }

// render draws the spans of the last trace, children in start order, with
// the attributes a reader looks for first.
func (t *spanTree) render() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.spans) == 0 {
		return ""
	}
	last := t.spans[len(t.spans)-1].SpanContext().TraceID()
	children := map[trace.SpanID][]sdktrace.ReadOnlySpan{}
	var roots []sdktrace.ReadOnlySpan
	for _, s := range t.spans {
		if s.SpanContext().TraceID() != last {
			continue
		}
		if s.Parent().IsValid() {
			children[s.Parent().SpanID()] = append(children[s.Parent().SpanID()], s)
		} else {
			roots = append(roots, s)
		}
	}
	var b strings.Builder
	var walk func([]sdktrace.ReadOnlySpan, int)
	walk = func(spans []sdktrace.ReadOnlySpan, depth int) {
		sort.Slice(spans, func(i, j int) bool { return spans[i].StartTime().Before(spans[j].StartTime()) })
		for _, s := range spans {
			fmt.Fprintf(&b, "%s%s%s\n", strings.Repeat("  ", depth), s.Name(), keyAttributes(s))
			walk(children[s.SpanContext().SpanID()], depth+1)
		}
	}
	walk(roots, 0)
	return b.String()
}

func keyAttributes(s sdktrace.ReadOnlySpan) string {
	var parts []string
	for _, kv := range s.Attributes() {
		switch kv.Key {
		case "db.operation.name", "db.namespace", "server.port", "bolt.pull.records", "bolt.has_more", "neo4j.retry.attempt", "bolt.protocol.version":
			parts = append(parts, fmt.Sprintf("%s=%s", kv.Key, kv.Value.String()))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	sort.Strings(parts)
	return "  [" + strings.Join(parts, " ") + "]"
}
