package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/neo4j/neo4j-go-driver/v6/neo4j"
	"github.com/neo4j/neo4j-go-driver/v6/neo4j/config"
	"go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/boltrx/boltrx"
)

// Record shapes of the generator (e2e/generator), asked for per query with
// the $shape parameter; $rows sets the number of records.
const (
	shapeInts  = "ints"  // [n]
	shapeRows  = "rows"  // [int, string, float, bool]
	shapeNodes = "nodes" // [Node(:Person {name, age})]
)

// The generator ignores the query text; these read like what they ask.
const (
	singleQuery = "RETURN 1 AS n"
	streamQuery = "UNWIND range(1, $rows) AS i RETURN i"
)

// fetchSize is the one setting both drivers get; everything else is
// their default.
const fetchSize = 1000

// client is one driver as a scenario uses it.
type client interface {
	// warmUp runs one single-row query, so that timing starts with an
	// open connection in the pool.
	warmUp(ctx context.Context) error
	// session opens a session and returns a function that runs a
	// single-row query in it with Run and Result.Single.
	session(ctx context.Context) (single func(context.Context) error, closeSession func(), err error)
	// executeQuery runs a 10-row query through ExecuteQuery.
	executeQuery(ctx context.Context) error
	// stream reads rows records of shape in a new session, calling each
	// for every one, and returns how many arrived. rx makes boltrx use
	// RunRx(...).Records() with no options; without it, and always for
	// the official driver (it has no reactive API), Result.Next.
	stream(ctx context.Context, shape string, rows int, rx bool, each func()) (int, error)
	close(ctx context.Context)
}

// openDriver opens the driver of spec with the default configuration and
// FetchSize 1000.
func openDriver(spec workSpec) (client, error) {
	switch spec.Driver {
	case driverBoltrx:
		return openBoltrx(spec.URI, spec.Otel)
	case driverOfficial:
		d, err := neo4j.NewDriver(spec.URI, neo4j.NoAuth(), func(c *config.Config) { c.FetchSize = fetchSize })
		if err != nil {
			return nil, err
		}
		return &official{d: d}, nil
	}
	return nil, fmt.Errorf("%w: driver %q", errUnknown, spec.Driver)
}

type boltrxClient struct {
	d        *boltrx.Driver
	shutdown func()
}

// openBoltrx opens boltrx; otel chooses its OpenTelemetry set-up for the
// telemetry comparison ("" keeps the default).
func openBoltrx(uri, otel string) (client, error) {
	shutdown := func() {}
	var configure func(*boltrx.Config)
	switch otel {
	case "":
		configure = func(*boltrx.Config) {}
	case "off":
		configure = func(c *boltrx.Config) { c.OpenTelemetryDisabled = true }
	case "noop":
		configure = func(c *boltrx.Config) { c.TracerProvider = noop.NewTracerProvider() }
	case "drop", "record":
		opts := []trace.TracerProviderOption{trace.WithSampler(trace.NeverSample())}
		if otel == "record" {
			opts = []trace.TracerProviderOption{trace.WithSampler(trace.AlwaysSample()), trace.WithSpanProcessor(tracetest.NewSpanRecorder())}
		}
		tp := trace.NewTracerProvider(opts...)
		shutdown = func() { _ = tp.Shutdown(context.Background()) }
		configure = func(c *boltrx.Config) { c.TracerProvider = tp }
	default:
		return nil, fmt.Errorf("%w: -otel %q (want off, noop, drop or record)", errUnknown, otel)
	}
	d, err := boltrx.NewDriver(uri, boltrx.NoAuth(), func(c *boltrx.Config) {
		c.FetchSize = fetchSize
		configure(c)
	})
	if err != nil {
		shutdown()
		return nil, err
	}
	return &boltrxClient{d: d, shutdown: shutdown}, nil
}

func (b *boltrxClient) warmUp(ctx context.Context) error {
	single, closeSession, err := b.session(ctx)
	if err != nil {
		return err
	}
	defer closeSession()
	return single(ctx)
}

func (b *boltrxClient) session(ctx context.Context) (func(context.Context) error, func(), error) {
	sess, err := b.d.NewSession(ctx, boltrx.SessionConfig{})
	if err != nil {
		return nil, nil, err
	}
	params := map[string]any{"rows": int64(1), "shape": shapeInts}
	single := func(ctx context.Context) error {
		res, err := sess.Run(ctx, singleQuery, params)
		if err != nil {
			return err
		}
		_, err = res.Single(ctx)
		return err
	}
	return single, func() { _ = sess.Close(context.Background()) }, nil
}

func (b *boltrxClient) executeQuery(ctx context.Context) error {
	res, err := b.d.ExecuteQuery(ctx, streamQuery, map[string]any{"rows": int64(10), "shape": shapeRows})
	if err != nil {
		return err
	}
	if len(res.Records) != 10 {
		return fmt.Errorf("ExecuteQuery returned %d records, want 10", len(res.Records))
	}
	return nil
}

func (b *boltrxClient) stream(ctx context.Context, shape string, rows int, rx bool, each func()) (int, error) {
	sess, err := b.d.NewSession(ctx, boltrx.SessionConfig{})
	if err != nil {
		return 0, err
	}
	defer sess.Close(context.Background())
	params := map[string]any{"rows": int64(rows), "shape": shape}
	n := 0
	if rx {
		for item := range sess.RunRx(ctx, streamQuery, params).Records().Observe() {
			if item.E != nil {
				return n, item.E
			}
			if _, ok := item.V.(*boltrx.Record); !ok {
				return n, fmt.Errorf("Records() gave a %T", item.V)
			}
			n++
			each()
		}
		return n, nil
	}
	res, err := sess.Run(ctx, streamQuery, params)
	if err != nil {
		return 0, err
	}
	for res.Next(ctx) {
		if res.Record() == nil {
			return n, errors.New("result: Next reported a record but Record is nil")
		}
		n++
		each()
	}
	return n, res.Err()
}

func (b *boltrxClient) close(ctx context.Context) {
	_ = b.d.Close(ctx)
	b.shutdown()
}

type official struct{ d neo4j.Driver }

func (o *official) warmUp(ctx context.Context) error {
	single, closeSession, err := o.session(ctx)
	if err != nil {
		return err
	}
	defer closeSession()
	return single(ctx)
}

func (o *official) session(ctx context.Context) (func(context.Context) error, func(), error) {
	sess := o.d.NewSession(ctx, neo4j.SessionConfig{})
	params := map[string]any{"rows": int64(1), "shape": shapeInts}
	single := func(ctx context.Context) error {
		res, err := sess.Run(ctx, singleQuery, params)
		if err != nil {
			return err
		}
		_, err = res.Single(ctx)
		return err
	}
	return single, func() { _ = sess.Close(context.Background()) }, nil
}

func (o *official) executeQuery(ctx context.Context) error {
	res, err := neo4j.ExecuteQuery(ctx, o.d, streamQuery, map[string]any{"rows": int64(10), "shape": shapeRows}, neo4j.EagerResultTransformer)
	if err != nil {
		return err
	}
	if len(res.Records) != 10 {
		return fmt.Errorf("ExecuteQuery returned %d records, want 10", len(res.Records))
	}
	return nil
}

func (o *official) stream(ctx context.Context, shape string, rows int, _ bool, each func()) (int, error) {
	sess := o.d.NewSession(ctx, neo4j.SessionConfig{})
	defer sess.Close(context.Background())
	res, err := sess.Run(ctx, streamQuery, map[string]any{"rows": int64(rows), "shape": shape})
	if err != nil {
		return 0, err
	}
	n := 0
	for res.Next(ctx) {
		if res.Record() == nil {
			return n, errors.New("result: Next reported a record but Record is nil")
		}
		n++
		each()
	}
	return n, res.Err()
}

func (o *official) close(ctx context.Context) { _ = o.d.Close(ctx) }
