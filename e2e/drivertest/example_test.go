package drivertest_test

import (
	"context"
	"fmt"

	"github.com/reactivex/rxgo/v2"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/boltrx/boltrx"
	"github.com/boltrx/boltrx/e2e/cluster"
)

// The examples of package boltrx (example_test.go at the root of the
// driver's module), run against the simulated cluster with their output
// checked.

// exampleServer starts a one-member simulated cluster, standing in for a
// Neo4j server at neo4j://localhost:7687, and returns its URI.
func exampleServer() (string, func()) {
	c, err := cluster.Start(context.Background(), cluster.Config{Members: 1})
	if err != nil {
		panic(err)
	}
	return "neo4j://" + c.Addr(0), func() { _ = c.Close() }
}

func Example_newDriver() {
	uri, stop := exampleServer() // e.g. "neo4j://localhost:7687"
	defer stop()
	ctx := context.Background()

	driver, err := boltrx.NewDriver(uri, boltrx.BasicAuth("neo4j", "password", ""))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer driver.Close(ctx)
	if err := driver.VerifyConnectivity(ctx); err != nil {
		fmt.Println("unreachable:", err)
		return
	}
	fmt.Println("connected, encrypted:", driver.IsEncrypted())
	// Output: connected, encrypted: false
}

func Example_driverExecuteQuery() {
	uri, stop := exampleServer()
	defer stop()
	ctx := context.Background()
	driver, _ := boltrx.NewDriver(uri, boltrx.NoAuth())
	defer driver.Close(ctx)

	res, err := driver.ExecuteQuery(ctx, "UNWIND range(1, 3) AS i RETURN i, i * i AS square", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, rec := range res.Records {
		square, _ := rec.Get("square")
		fmt.Println(rec.Values[0], square)
	}
	// Output:
	// 1 1
	// 2 4
	// 3 9
}

func Example_sessionRun() {
	uri, stop := exampleServer()
	defer stop()
	ctx := context.Background()
	driver, _ := boltrx.NewDriver(uri, boltrx.NoAuth())
	defer driver.Close(ctx)

	session, _ := driver.NewSession(ctx, boltrx.SessionConfig{FetchSize: 2})
	defer session.Close(ctx)
	result, err := session.Run(ctx, "UNWIND range(1, 5) AS i RETURN i", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	// Records arrive two at a time (the fetch size); the next batch is
	// asked for while these are read.
	for result.Next(ctx) {
		fmt.Print(result.Record().Values[0], " ")
	}
	fmt.Println(result.Err())
	// Output: 1 2 3 4 5 <nil>
}

func Example_sessionRunRx() {
	uri, stop := exampleServer()
	defer stop()
	ctx := context.Background()
	driver, _ := boltrx.NewDriver(uri, boltrx.NoAuth(), func(c *boltrx.Config) { c.FetchSize = 100 })
	defer driver.Close(ctx)
	session, _ := driver.NewSession(ctx, boltrx.SessionConfig{})
	defer session.Close(ctx)

	// Nothing is sent until the Observable is observed; the subscriber's
	// pace decides when each PULL {n: 100} goes out.
	result := session.RunRx(ctx, "UNWIND range(1, 1000) AS i RETURN i", nil)
	sum, _ := result.Records().
		Map(func(_ context.Context, v any) (any, error) { return v.(*boltrx.Record).Values[0], nil }).
		Filter(func(v any) bool { return v.(int64)%2 == 0 }).
		Reduce(func(_ context.Context, acc, v any) (any, error) {
			if acc == nil {
				return v, nil
			}
			return acc.(int64) + v.(int64), nil
		}).Get()
	fmt.Println("sum of even numbers:", sum.V)
	// Output: sum of even numbers: 250500
}

func Example_sessionExecuteWrite() {
	uri, stop := exampleServer()
	defer stop()
	ctx := context.Background()
	driver, _ := boltrx.NewDriver(uri, boltrx.NoAuth())
	defer driver.Close(ctx)
	session, _ := driver.NewSession(ctx, boltrx.SessionConfig{})
	defer session.Close(ctx)

	// The work function may run more than once: transient failures
	// (deadlocks, leader changes) are retried.
	name, err := session.ExecuteWrite(ctx, func(tx boltrx.ManagedTransaction) (any, error) {
		res, err := tx.Run(ctx, "CREATE (p:Person {name: $name}) RETURN p.name AS name", map[string]any{"name": "Ada"})
		if err != nil {
			return nil, err
		}
		rec, err := res.Single(ctx)
		if err != nil {
			return nil, err
		}
		return rec.Values[0], nil
	})
	fmt.Println(name, err, len(session.LastBookmarks()))
	// Output: Ada <nil> 1
}

func Example_sessionWriteBatchesRx() {
	uri, stop := exampleServer()
	defer stop()
	ctx := context.Background()
	driver, _ := boltrx.NewDriver(uri, boltrx.NoAuth())
	defer driver.Close(ctx)
	session, _ := driver.NewSession(ctx, boltrx.SessionConfig{})
	defer session.Close(ctx)

	rows := rxgo.Range(1, 10).Map(func(_ context.Context, v any) (any, error) {
		return map[string]any{"id": v}, nil
	})
	// Each batch of 4 is one transaction; the next rows are taken only
	// after it committed.
	for item := range session.WriteBatchesRx(ctx, "UNWIND $batch AS row CREATE (n:Item) SET n = row", rows, 4).Observe() {
		if item.E != nil {
			fmt.Println(item.E)
			return
		}
		b := item.V.(boltrx.BatchResult)
		fmt.Println("batch", b.Index, "wrote", b.Summary.Counters().NodesCreated(), "nodes")
	}
	// Output:
	// batch 0 wrote 4 nodes
	// batch 1 wrote 4 nodes
	// batch 2 wrote 2 nodes
}

func Example_bookmarkManager() {
	uri, stop := exampleServer()
	defer stop()
	ctx := context.Background()
	driver, _ := boltrx.NewDriver(uri, boltrx.NoAuth())
	defer driver.Close(ctx)

	// Sessions sharing a bookmark manager are causally chained: each
	// starts from what the others committed, on any cluster member.
	manager := boltrx.NewBookmarkManager(boltrx.BookmarkManagerConfig{})
	writer, _ := driver.NewSession(ctx, boltrx.SessionConfig{BookmarkManager: manager})
	_, _ = writer.ExecuteWrite(ctx, func(tx boltrx.ManagedTransaction) (any, error) {
		r, err := tx.Run(ctx, "CREATE (:Note {text: 'hello'})", nil)
		if err != nil {
			return nil, err
		}
		return r.Consume(ctx)
	})
	writer.Close(ctx)

	reader, _ := driver.NewSession(ctx, boltrx.SessionConfig{BookmarkManager: manager, AccessMode: boltrx.AccessModeRead})
	defer reader.Close(ctx)
	text, _ := reader.ExecuteRead(ctx, func(tx boltrx.ManagedTransaction) (any, error) {
		r, err := tx.Run(ctx, "MATCH (n:Note) RETURN n.text AS text", nil)
		if err != nil {
			return nil, err
		}
		rec, err := r.Single(ctx)
		if err != nil {
			return nil, err
		}
		return rec.Values[0], nil
	})
	fmt.Println(text)
	// Output: hello
}

func Example_telemetry() {
	uri, stop := exampleServer()
	defer stop()
	ctx := context.Background()

	// Any OpenTelemetry TracerProvider: here one that keeps spans in
	// memory. Leave Config.TracerProvider nil to use otel's global one.
	recorder := tracetest.NewSpanRecorder()
	provider := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(recorder))
	defer provider.Shutdown(ctx)
	driver, _ := boltrx.NewDriver(uri, boltrx.NoAuth(), func(c *boltrx.Config) {
		c.TracerProvider = provider
		c.QueryTextInSpans = true // opt in to db.query.text; parameters are never recorded
	})
	defer driver.Close(ctx)

	ctx, span := provider.Tracer("my-service").Start(ctx, "handle request")
	_, _ = driver.ExecuteQuery(ctx, "RETURN 1", nil)
	span.End()

	for _, s := range recorder.Ended() {
		if s.Name() == "RUN" || s.Name() == "COMMIT" {
			fmt.Println(s.Name(), "is a child of the request's trace:", s.SpanContext().TraceID() == span.SpanContext().TraceID())
		}
	}
	// Output:
	// RUN is a child of the request's trace: true
	// COMMIT is a child of the request's trace: true
}
