package drivertest_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/reactivex/rxgo/v2"

	"github.com/boltrx/boltrx"
	"github.com/boltrx/boltrx/e2e/boltstub"
	"github.com/boltrx/boltrx/e2e/cluster"
	"github.com/boltrx/boltrx/telemetry"
	"github.com/boltrx/boltrx/telemetry/telemetrytest"
)

// tracedDriver returns a driver whose telemetry goes to a recording
// harness, and the span the test's work runs under.
func tracedDriver(t *testing.T, addr string, configure ...func(*boltrx.Config)) (*boltrx.Driver, *telemetrytest.Harness, context.Context, trace.Span) {
	t.Helper()
	h := telemetrytest.New(t, telemetry.Config{})
	configure = append([]func(*boltrx.Config){func(c *boltrx.Config) {
		c.TracerProvider = h.TracerProvider
		c.MeterProvider = h.MeterProvider
	}}, configure...)
	drv := newDriver(t, addr, configure...)
	ctx, root := h.TracerProvider.Tracer("test").Start(ctxT(t), "request")
	return drv, h, ctx, root
}

// tree renders the ended spans under root as indented names, children in
// start order, with the attributes named in show.
func tree(h *telemetrytest.Harness, root trace.Span, show ...string) string {
	spans := h.Ended()
	children := map[trace.SpanID][]sdktrace.ReadOnlySpan{}
	for _, s := range spans {
		children[s.Parent().SpanID()] = append(children[s.Parent().SpanID()], s)
	}
	var b strings.Builder
	var walk func(id trace.SpanID, depth int)
	walk = func(id trace.SpanID, depth int) {
		kids := children[id]
		sort.SliceStable(kids, func(i, j int) bool { return kids[i].StartTime().Before(kids[j].StartTime()) })
		for _, s := range kids {
			b.WriteString(strings.Repeat("  ", depth) + s.Name())
			attrs := telemetrytest.Attrs(s)
			for _, k := range show {
				if v, ok := attrs[attributeKey(k)]; ok {
					fmt.Fprintf(&b, " %s=%s", k, v.String())
				}
			}
			if s.Status().Code.String() == "Error" {
				b.WriteString(" [error]")
			}
			b.WriteString("\n")
			walk(s.SpanContext().SpanID(), depth+1)
		}
	}
	walk(root.SpanContext().SpanID(), 0)
	return b.String()
}

func TestSpansOfAutoCommitQueryWithTwoPullBatches(t *testing.T) {
	srv := boltstub.Start(t, head5+hello5+`
C: RUN "RETURN $secret" {"secret": "parameter-value"} {}
C: PULL {"n": 2}
S: SUCCESS {"fields": ["x"]}
S: RECORD [1]
S: RECORD [2]
S: SUCCESS {"has_more": true}
C: PULL {"n": -1}
S: RECORD [3]
S: SUCCESS {"bookmark": "bm:1", "db": "neo4j"}
`)
	drv, h, ctx, root := tracedDriver(t, srv.Addr(), func(c *boltrx.Config) { c.FetchSize = 2 })
	sess, _ := drv.NewSession(ctx, boltrx.SessionConfig{})
	res, err := sess.Run(ctx, "RETURN $secret", map[string]any{"secret": "parameter-value"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := res.Collect(ctx); err != nil {
		t.Fatal(err)
	}
	sess.Close(ctx)
	root.End()
	got := tree(h, root, "bolt.pull.records", "bolt.has_more")
	want := `query
  acquire
    HELLO
    LOGON
  RUN
  PULL bolt.pull.records=2 bolt.has_more=true
  PULL bolt.pull.records=1 bolt.has_more=false
`
	if got != want {
		t.Errorf("span tree:\n%s\nwant:\n%s", got, want)
	}
	h.AssertNoValue(t, "parameter-value")
	h.AssertNoValue(t, "secret") // the password of hello5
	h.AssertAllEnded(t)
}

func TestSpansOfManagedTransactionThatRetriesOnce(t *testing.T) {
	srv := boltstub.Start(t, head5+`
anytime
  C: RESET
  S: SUCCESS {}
end
`+hello5+`
C: BEGIN {}
S: SUCCESS {}
C: RUN "CREATE (n)" {} {}
C: PULL {"n": 1000}
S: FAILURE {"code": "Neo.TransientError.Transaction.DeadlockDetected", "message": "deadlock"}
S: IGNORED
C: BEGIN {}
S: SUCCESS {}
C: RUN "CREATE (n)" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": []}
S: SUCCESS {"type": "w"}
C: COMMIT
S: SUCCESS {"bookmark": "bm:w"}
`)
	drv, h, ctx, root := tracedDriver(t, srv.Addr())
	sess, _ := drv.NewSession(ctx, boltrx.SessionConfig{})
	_, err := sess.ExecuteWrite(ctx, func(tx boltrx.ManagedTransaction) (any, error) {
		r, err := tx.Run(ctx, "CREATE (n)", nil)
		if err != nil {
			return nil, err
		}
		return r.Consume(ctx)
	})
	if err != nil {
		t.Fatal(err)
	}
	sess.Close(ctx)
	root.End()
	got := tree(h, root, "neo4j.retry.attempt", "db.response.status_code")
	want := `managed_transaction
  attempt neo4j.retry.attempt=1 db.response.status_code=Neo.TransientError.Transaction.DeadlockDetected [error]
    acquire
      HELLO
      LOGON
    BEGIN
    RUN db.response.status_code=Neo.TransientError.Transaction.DeadlockDetected [error]
    PULL [error]
  attempt neo4j.retry.attempt=2
    BEGIN
    RUN
    PULL
    COMMIT
`
	if got != want {
		t.Errorf("span tree:\n%s\nwant:\n%s", got, want)
	}
	h.AssertAllEnded(t)
}

func TestSpansOfExplicitTransactionAndFailedQuery(t *testing.T) {
	srv := boltstub.Start(t, head5+`
anytime
  C: RESET
  S: SUCCESS {}
end
`+hello5+`
C: BEGIN {}
S: SUCCESS {}
C: RUN "RETURN 1" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["1"]}
S: RECORD [1]
S: SUCCESS {}
C: COMMIT
S: SUCCESS {"bookmark": "bm:t"}
C: RUN "RETURN x" {} {"bookmarks": ["bm:t"]}
C: PULL {"n": 1000}
S: FAILURE {"code": "Neo.ClientError.Statement.SyntaxError", "message": "x not defined"}
S: IGNORED
`)
	drv, h, ctx, root := tracedDriver(t, srv.Addr())
	sess, _ := drv.NewSession(ctx, boltrx.SessionConfig{})
	tx, err := sess.BeginTransaction(ctx)
	if err != nil {
		t.Fatal(err)
	}
	r, _ := tx.Run(ctx, "RETURN 1", nil)
	if _, err := r.Collect(ctx); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	bad, err := sess.Run(ctx, "RETURN x", nil)
	if err == nil {
		_, err = bad.Collect(ctx)
	}
	if err == nil {
		t.Fatal("the failing query succeeded")
	}
	sess.Close(ctx)
	root.End()
	got := tree(h, root, "db.response.status_code")
	want := `transaction
  acquire
    HELLO
    LOGON
  BEGIN
  RUN
  PULL
  COMMIT
query db.response.status_code=Neo.ClientError.Statement.SyntaxError [error]
  RUN db.response.status_code=Neo.ClientError.Statement.SyntaxError [error]
  PULL [error]
`
	if got != want {
		t.Errorf("span tree:\n%s\nwant:\n%s", got, want)
	}
	h.AssertAllEnded(t)
}

func attributeKey(k string) attribute.Key { return attribute.Key(k) }

func TestSpansOfCancelledReactiveStream(t *testing.T) {
	srv := boltstub.Start(t, head5+hello5+`
C: RUN "RETURN n" {} {}
C: PULL {"n": 2}
S: SUCCESS {"fields": ["n"]}
S: RECORD [1]
S: RECORD [2]
S: SUCCESS {"has_more": true}
repeat
  C: PULL {"n": 2}
  S: RECORD [3]
  S: RECORD [4]
  S: SUCCESS {"has_more": true}
end
C: DISCARD {"n": -1}
S: SUCCESS {}
`)
	drv, h, ctx, root := tracedDriver(t, srv.Addr(), func(c *boltrx.Config) { c.FetchSize, c.MaxFetchSize = 2, -1 }) // fixed batches: the script checks every PULL
	sess, _ := drv.NewSession(ctx, boltrx.SessionConfig{})
	rr := sess.RunRx(ctx, "RETURN n", nil)
	sub, cancel := context.WithCancel(ctx)
	defer cancel()
	n := 0
	for item := range rr.Records().Observe(rxgo.WithContext(sub)) {
		if item.E == nil {
			if n++; n == 3 {
				cancel()
			}
		}
	}
	sess.Close(ctx)
	root.End()
	got := tree(h, root)
	if !strings.HasPrefix(got, "query [error]\n  acquire\n    HELLO\n    LOGON\n  RUN\n  PULL\n") || !strings.HasSuffix(got, "  DISCARD\n") {
		t.Errorf("span tree:\n%s\nwant the query span (ended with the cancellation) holding RUN, the PULLs and the DISCARD", got)
	}
	h.AssertAllEnded(t)
}

func TestSpansOfRoutingRefreshUnderTheQuery(t *testing.T) {
	c := cluster.StartT(t, cluster.Config{Members: 3})
	h := telemetrytest.New(t, telemetry.Config{})
	drv, err := boltrx.NewDriver("neo4j://"+c.Addr(0), boltrx.NoAuth(), func(cfg *boltrx.Config) {
		cfg.TracerProvider, cfg.MeterProvider = h.TracerProvider, h.MeterProvider
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, root := h.TracerProvider.Tracer("test").Start(ctxT(t), "request")
	if _, err := drv.ExecuteQuery(ctx, "RETURN 1", nil); err != nil {
		t.Fatal(err)
	}
	drv.Close(ctx)
	root.End()
	got := tree(h, root)
	// The table is fetched inside the first attempt, before its work: a
	// route span holding the ROUTE (and the connection it opened).
	if !strings.Contains(got, "  attempt neo4j\n    route\n      acquire\n        HELLO\n        LOGON\n      ROUTE\n") {
		t.Errorf("span tree:\n%s\nwant a route span with ROUTE under the first attempt", got)
	}
	h.AssertAllEnded(t)
}

func TestTraceparentGoesIntoTransactionMetadata(t *testing.T) {
	srv := boltstub.Start(t, head5+hello5+`
C: BEGIN {"tx_metadata": {"app": "shop", "traceparent": any string}}
S: SUCCESS {}
C: ROLLBACK
S: SUCCESS {}
`)
	drv, _, ctx, root := tracedDriver(t, srv.Addr(), func(c *boltrx.Config) { c.PropagateTraceContext = true })
	defer root.End()
	sess, _ := drv.NewSession(ctx, boltrx.SessionConfig{})
	defer sess.Close(ctx)
	tx, err := sess.BeginTransaction(ctx, boltrx.WithTxMetadata(map[string]any{"app": "shop"}))
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
}
