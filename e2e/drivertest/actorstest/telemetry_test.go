package actorstest_test

import (
	"context"
	"errors"
	"io"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/boltrx/boltrx/actors"
	"github.com/boltrx/boltrx/bolt"
	"github.com/boltrx/boltrx/e2e/boltstub"
	"github.com/boltrx/boltrx/streams"
	"github.com/boltrx/boltrx/telemetry"
	"github.com/boltrx/boltrx/telemetry/telemetrytest"
)

// The secrets of these scripts must never reach a span.
const (
	password   = "s3cret-pw"
	paramValue = "p4ram-value"
)

const setup58 = `
bolt 5.8
anytime
  C: GOODBYE
  close
end
C: HELLO {"user_agent": "boltrx/test", ...}
S: SUCCESS {"server": "Neo4j/5.26.0", "connection_id": "bolt-1"}
C: LOGON {"scheme": "basic", "principal": "neo4j", "credentials": "` + password + `"}
S: SUCCESS {}
`

func connectTraced(t *testing.T, ctx context.Context, addr string, ins *telemetry.Instruments) *actors.Conn {
	t.Helper()
	c, err := actors.Connect(ctx, addr, actors.ConnectConfig{
		UserAgent: "boltrx/test",
		BoltAgent: bolt.BoltAgent{Product: "boltrx/test"},
		Auth:      map[string]any{"scheme": "basic", "principal": "neo4j", "credentials": password},
		Telemetry: ins,
	})
	if err != nil {
		t.Fatalf("Connect: %v", err)
	}
	return c
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// drain reads a stream to its end.
func drain(t *testing.T, ctx context.Context, s *streams.Stream) int {
	t.Helper()
	n := 0
	for {
		batch, err := s.Next(ctx)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		n += len(batch)
	}
	if err := s.Wait(ctx); err != nil {
		t.Fatalf("Wait: %v", err)
	}
	return n
}

func TestMessageSpansOfAQueryStreamedInTwoBatches(t *testing.T) {
	srv := boltstub.Start(t, setup58+`
C: RUN "UNWIND range(1, 3) AS n RETURN n" {"secret": "`+paramValue+`"} {}
C: PULL {"n": 2}
S: SUCCESS {"fields": ["n"], "t_first": 1}
S: RECORD [1]
S: RECORD [2]
S: SUCCESS {"has_more": true}
C: PULL {"n": 2}
S: RECORD [3]
S: SUCCESS {"bookmark": "bm:1", "type": "r", "t_last": 2, "db": "neo4j"}
`)
	h := telemetrytest.New(t, telemetry.Config{})
	ctx := testContext(t)
	opCtx, op := h.Instruments.StartOperation(ctx, telemetry.KindQuery, telemetry.OperationAttrs{Database: "neo4j"})
	c := connectTraced(t, opCtx, srv.Addr(), h.Instruments)

	s := streams.New(c, streams.Options{FetchSize: 2})
	runH := s.RunHandler()
	pull, pullH := s.FirstPull()
	run := &bolt.Run{Query: "UNWIND range(1, 3) AS n RETURN n", Params: map[string]any{"secret": paramValue}}
	if err := c.Pipeline(opCtx, []bolt.Request{run, pull}, []streams.Handler{runH, pullH}); err != nil {
		t.Fatalf("Pipeline: %v", err)
	}
	if n := drain(t, ctx, s); n != 3 {
		t.Fatalf("%d records, want 3", n)
	}
	op.End()
	c.Close()
	h.AssertAllEnded(t)
	h.AssertNoValue(t, password)
	h.AssertNoValue(t, paramValue)

	spans := h.Ended()
	var names []string
	for _, sp := range spans {
		names = append(names, sp.Name())
	}
	want := []string{"HELLO", "LOGON", "RUN", "PULL", "PULL", "query neo4j"}
	if len(names) != len(want) {
		t.Fatalf("spans %q, want %q", names, want)
	}
	for i := range want {
		if names[i] != want[i] {
			t.Fatalf("spans %q, want %q", names, want)
		}
	}
	_, portText, _ := net.SplitHostPort(srv.Addr())
	port, _ := strconv.Atoi(portText)
	opSpan := spans[5]
	for _, sp := range spans[:5] {
		if sp.Parent().SpanID() != opSpan.SpanContext().SpanID() {
			t.Errorf("%s: parent %s, want the query span", sp.Name(), sp.Parent().SpanID())
		}
		if sp.Status().Code != codes.Unset {
			t.Errorf("%s: status %v", sp.Name(), sp.Status())
		}
		wantSpanAttrs(t, sp,
			attribute.String("db.system.name", "neo4j"),
			attribute.String("db.operation.name", sp.Name()),
			attribute.String("db.namespace", "neo4j"),
			attribute.String("server.address", "127.0.0.1"),
			attribute.Int("server.port", port),
			attribute.String("network.peer.address", "127.0.0.1"),
			attribute.String("bolt.protocol.version", "5.8"),
		)
	}
	wantSpanAttrs(t, spans[3], attribute.Int64("bolt.pull.records", 2), attribute.Bool("bolt.has_more", true))
	wantSpanAttrs(t, spans[4], attribute.Int64("bolt.pull.records", 1), attribute.Bool("bolt.has_more", false),
		attribute.Int("neo4j.bookmarks.count", 1))

	records := h.Collect(t)[telemetry.MetricRecords]
	sum, ok := records.Data.(metricdata.Sum[int64])
	if !ok || len(sum.DataPoints) != 1 || sum.DataPoints[0].Value != 3 {
		t.Errorf("records metric = %+v, want one point of 3", records.Data)
	}
}

func TestMessageSpansOfAFailureAndABrokenConnection(t *testing.T) {
	srv := boltstub.Start(t, setup58+`
C: RUN "RETURN" {} {}
C: PULL {"n": 1000}
S: FAILURE {"neo4j_code": "Neo.ClientError.Statement.SyntaxError", "message": "Invalid input near `+paramValue+`", "gql_status": "42001", "description": "syntax error"}
S: IGNORED
C: RESET
S: SUCCESS {}
C: BEGIN {}
close
`)
	h := telemetrytest.New(t, telemetry.Config{})
	ctx := testContext(t)
	opCtx, op := h.Instruments.StartOperation(ctx, telemetry.KindQuery, telemetry.OperationAttrs{})
	c := connectTraced(t, opCtx, srv.Addr(), h.Instruments)

	s := streams.New(c, streams.Options{})
	runH := s.RunHandler()
	pull, pullH := s.FirstPull()
	if err := c.Pipeline(opCtx, []bolt.Request{&bolt.Run{Query: "RETURN"}, pull}, []streams.Handler{runH, pullH}); err != nil {
		t.Fatalf("Pipeline: %v", err)
	}
	if _, err := s.Next(ctx); err == nil || err == io.EOF {
		t.Fatalf("Next: %v, want the failure", err)
	}
	if _, err := c.Call(opCtx, &bolt.Reset{}); err != nil {
		t.Fatalf("RESET: %v", err)
	}
	if _, err := c.Call(opCtx, &bolt.Begin{}); err == nil {
		t.Fatal("BEGIN succeeded on a closed connection")
	}
	op.End()
	c.Close()
	h.AssertAllEnded(t)
	h.AssertNoValue(t, paramValue)

	byName := map[string]sdktrace.ReadOnlySpan{}
	for _, sp := range h.Ended() {
		byName[sp.Name()] = sp
	}
	wantSpanAttrs(t, byName["RUN"], attribute.String("error.type", "Neo.ClientError.Statement.SyntaxError"),
		attribute.String("db.response.status_code", "42001"))
	wantSpanAttrs(t, byName["PULL"], attribute.Bool("bolt.ignored", true))
	wantSpanAttrs(t, byName["BEGIN"], attribute.String("error.type", "*actors.IOError"))
	for _, name := range []string{"RUN", "PULL", "BEGIN"} {
		if byName[name].Status().Code != codes.Error {
			t.Errorf("%s: status %v, want Error", name, byName[name].Status())
		}
	}
	if byName["RESET"].Status().Code != codes.Unset {
		t.Errorf("RESET: status %v", byName["RESET"].Status())
	}
}

func TestNoMessageSpansWithoutAnOperation(t *testing.T) {
	srv := boltstub.Start(t, setup58+`
C: RESET
S: SUCCESS {}
`)
	h := telemetrytest.New(t, telemetry.Config{})
	ctx := testContext(t)
	c := connectTraced(t, ctx, srv.Addr(), h.Instruments)
	if _, err := c.Call(ctx, &bolt.Reset{}); err != nil {
		t.Fatal(err)
	}
	c.Close()
	if n := len(h.Spans.Started()); n != 0 {
		t.Errorf("%d spans without any traced operation", n)
	}
}

func TestPoolMetricsOfOneAcquisition(t *testing.T) {
	srv := boltstub.Start(t, setup58)
	h := telemetrytest.New(t, telemetry.Config{})
	sys := actors.NewSystem(nil)
	defer sys.Shutdown()
	pool := actors.NewPool(sys, nil, srv.Addr(), actors.PoolConfig{
		MaxSize: 1, AcquisitionTimeout: -1, LivenessCheckTimeout: -1,
		Connect: func(ctx context.Context) (*actors.Conn, error) {
			return actors.Connect(ctx, srv.Addr(), actors.ConnectConfig{
				UserAgent: "boltrx/test", BoltAgent: bolt.BoltAgent{Product: "boltrx/test"}, Telemetry: h.Instruments,
				Auth: map[string]any{"scheme": "basic", "principal": "neo4j", "credentials": password}})
		},
		Telemetry: h.Instruments,
	})
	ctx := testContext(t)
	opCtx, op := h.Instruments.StartOperation(ctx, telemetry.KindQuery, telemetry.OperationAttrs{})
	c, err := pool.Acquire(opCtx)
	if err != nil {
		t.Fatalf("Acquire: %v", err)
	}
	all := h.Collect(t)
	if got := connectionCount(t, all, srv.Addr(), "used"); got != 1 {
		t.Errorf("used while leased = %d, want 1", got)
	}
	pool.Release(c)
	op.End()
	all = h.Collect(t)
	if got := connectionCount(t, all, srv.Addr(), "used"); got != 0 {
		t.Errorf("used after release = %d, want 0", got)
	}
	if got := connectionCount(t, all, srv.Addr(), "idle"); got != 1 {
		t.Errorf("idle after release = %d, want 1", got)
	}
	for _, name := range []string{telemetry.MetricConnectionCreate, telemetry.MetricConnectionWait, telemetry.MetricConnectionUse} {
		hist, ok := all[name].Data.(metricdata.Histogram[float64])
		if !ok || len(hist.DataPoints) != 1 || hist.DataPoints[0].Count != 1 {
			t.Errorf("%s = %+v, want one measurement", name, all[name].Data)
		}
	}
	if err := pool.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if got := connectionCount(t, h.Collect(t), srv.Addr(), "idle"); got != 0 {
		t.Errorf("idle after close = %d, want 0", got)
	}

	// The acquisition dialled: its span holds the connection's HELLO and
	// LOGON, under the query.
	h.AssertAllEnded(t)
	var acquire, hello sdktrace.ReadOnlySpan
	for _, sp := range h.Ended() {
		switch sp.Name() {
		case "acquire":
			acquire = sp
		case "HELLO":
			hello = sp
		}
	}
	if acquire == nil || hello == nil {
		t.Fatalf("want acquire and HELLO spans, have %d spans", len(h.Ended()))
	}
	if hello.Parent().SpanID() != acquire.SpanContext().SpanID() {
		t.Error("HELLO is not a child of the acquisition")
	}
	if acquire.Parent().SpanID() != trace.SpanContextFromContext(opCtx).SpanID() {
		t.Error("the acquisition is not a child of the query")
	}
}

func TestAcquisitionTimeoutIsCounted(t *testing.T) {
	h := telemetrytest.New(t, telemetry.Config{})
	sys := actors.NewSystem(nil)
	defer sys.Shutdown()
	dialing := make(chan struct{})
	var once sync.Once
	pool := actors.NewPool(sys, nil, "127.0.0.1:1", actors.PoolConfig{
		MaxSize: 1, AcquisitionTimeout: time.Millisecond,
		Connect: func(ctx context.Context) (*actors.Conn, error) {
			once.Do(func() { close(dialing) })
			<-ctx.Done() // a server that never answers
			return nil, context.Cause(ctx)
		},
		Telemetry: h.Instruments,
	})
	ctx := testContext(t)
	first := make(chan error, 1)
	go func() { _, err := pool.Acquire(context.Background()); first <- err }()
	// The first acquisition holds the only slot while it dials: the second
	// one waits. Both run out of time.
	<-dialing
	for i, err := range []error{func() error { _, err := pool.Acquire(ctx); return err }(), <-first} {
		if !errors.As(err, new(*actors.AcquisitionTimeoutError)) {
			t.Fatalf("Acquire %d: %v, want an acquisition timeout", i, err)
		}
	}
	if err := pool.Close(ctx); err != nil {
		t.Fatal(err)
	}
	all := h.Collect(t)
	sum, ok := all[telemetry.MetricConnectionTimeouts].Data.(metricdata.Sum[int64])
	if !ok || len(sum.DataPoints) != 1 || sum.DataPoints[0].Value != 2 {
		t.Errorf("timeouts = %+v, want 2 (the waiter, and the dial that outlasted the timeout)", all[telemetry.MetricConnectionTimeouts].Data)
	}
	pending, ok := all[telemetry.MetricPendingRequests].Data.(metricdata.Sum[int64])
	if !ok || len(pending.DataPoints) != 1 || pending.DataPoints[0].Value != 0 {
		t.Errorf("pending after the timeout = %+v, want 0", all[telemetry.MetricPendingRequests].Data)
	}
	h.AssertAllEnded(t)
}

func connectionCount(t *testing.T, all map[string]metricdata.Metrics, pool, state string) int64 {
	t.Helper()
	sum, ok := all[telemetry.MetricConnectionCount].Data.(metricdata.Sum[int64])
	if !ok {
		t.Fatalf("no %s sum", telemetry.MetricConnectionCount)
	}
	want := attribute.NewSet(attribute.String("db.client.connection.pool.name", pool), attribute.String("db.client.connection.state", state))
	for _, dp := range sum.DataPoints {
		if dp.Attributes.Equals(&want) {
			return dp.Value
		}
	}
	return 0
}

func wantSpanAttrs(t *testing.T, sp sdktrace.ReadOnlySpan, want ...attribute.KeyValue) {
	t.Helper()
	if sp == nil {
		t.Error("missing span")
		return
	}
	got := telemetrytest.Attrs(sp)
	for _, kv := range want {
		if v, ok := got[kv.Key]; !ok || v != kv.Value {
			t.Errorf("%s: %s = %s, want %s", sp.Name(), kv.Key, v.String(), kv.Value.String())
		}
	}
}
