// Command pipeline is a reactive pipeline in a Go service: it streams the
// records of a query through Rx operators (mapped into structs with RecordsAs, Filter the hot
// readings, BufferWithCount them into groups for an enrichment service,
// Map each group to enriched alerts) and writes the alerts back with
// Session.WriteBatchesRx, one transaction per batch, each acknowledged
// before the next is taken. Its output shows backpressure at work: the
// PULLs the driver sends keep pace with the records the pipeline takes,
// so it never asks the server for more than about two fetches ahead,
// however large the input.
//
// Without NEO4J_URI it starts the embedded simulated cluster of
// e2e/cluster and seeds -rows sensor readings (:PipelineReading nodes).
// With NEO4J_URI (and NEO4J_USER, NEO4J_PASSWORD) it reads the
// :PipelineReading nodes of that server, seeding them first with -seed,
// and writes :PipelineAlert nodes (Neo4j 4.4 or newer for the constraint).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"github.com/boltrx/boltrx"
	"github.com/boltrx/boltrx/e2e/cluster"
)

// options of one pipeline run.
type options struct {
	rows          int           // readings to seed
	seed          bool          // seed with NEO4J_URI too (the embedded cluster is always seeded)
	fetchSize     int           // records per PULL
	threshold     float64       // readings at or above it (°C) become alerts
	group         int           // hot readings per directory lookup
	lookupLatency time.Duration // how long one directory lookup takes
	batch         int           // alerts per write transaction
	stopAfter     int           // stop, as Ctrl-C would, after this many batches; 0 = never
}

// validate rejects options the pipeline cannot run with.
func (o options) validate() error {
	switch {
	case o.rows <= 0:
		return fmt.Errorf("-rows must be positive, got %d", o.rows)
	case o.fetchSize <= 0:
		return fmt.Errorf("-fetch must be positive (the backpressure figures need a fetch size), got %d", o.fetchSize)
	case o.group <= 0:
		return fmt.Errorf("-group must be positive, got %d", o.group)
	case o.batch <= 0:
		return fmt.Errorf("-batch must be positive, got %d", o.batch)
	case o.lookupLatency < 0 || o.stopAfter < 0:
		return errors.New("-lookup-latency and -stop-after cannot be negative")
	}
	return nil
}

func main() {
	var o options
	flag.IntVar(&o.rows, "rows", 20_000, "sensor readings to seed")
	flag.BoolVar(&o.seed, "seed", false, "with NEO4J_URI: replace the :PipelineReading nodes with -rows fresh ones first")
	flag.IntVar(&o.fetchSize, "fetch", 500, "records per PULL")
	flag.Float64Var(&o.threshold, "threshold", 30, "readings at or above this temperature (°C) become alerts")
	flag.IntVar(&o.group, "group", 50, "hot readings per directory lookup")
	flag.DurationVar(&o.lookupLatency, "lookup-latency", 2*time.Millisecond, "how long one directory lookup takes")
	flag.IntVar(&o.batch, "batch", 1_000, "alerts per write transaction")
	flag.IntVar(&o.stopAfter, "stop-after", 0, "stop after this many batches, as Ctrl-C would (0 = never)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout, o); err != nil {
		if errors.Is(err, context.Canceled) {
			fmt.Fprintln(os.Stderr, "pipeline: interrupted; the alerts of the committed batches are in the database")
			os.Exit(130)
		}
		fmt.Fprintln(os.Stderr, "pipeline:", err)
		os.Exit(1)
	}
}

// target returns the URI and token to use, and whether they are the
// embedded cluster's: NEO4J_URI's server, or an embedded cluster that the
// returned function stops.
func target(ctx context.Context, out io.Writer) (uri string, token boltrx.AuthToken, embedded bool, stop func(), err error) {
	if uri := os.Getenv("NEO4J_URI"); uri != "" {
		fmt.Fprintf(out, "using %s\n", uri)
		return uri, boltrx.BasicAuth(os.Getenv("NEO4J_USER"), os.Getenv("NEO4J_PASSWORD"), ""), false, func() {}, nil
	}
	c, err := cluster.Start(ctx, cluster.Config{})
	if err != nil {
		return "", boltrx.AuthToken{}, false, nil, err
	}
	fmt.Fprintf(out, "NEO4J_URI is not set: started the embedded simulated cluster (%d members, member %d leads)\n",
		c.Size(), c.Leader(cluster.DefaultDatabase))
	// Any member will do: with neo4j:// the driver asks it for the routing
	// table and sends the reads to followers, the writes to the leader.
	return "neo4j://" + c.Addr(0), boltrx.BasicAuth("neo4j", "pipeline", ""), true, func() { _ = c.Close() }, nil
}

// run connects, seeds the input when it should, and runs the pipeline.
func run(ctx context.Context, out io.Writer, o options) error {
	if err := o.validate(); err != nil {
		return err
	}
	uri, token, embedded, stopCluster, err := target(ctx, out)
	if err != nil {
		return err
	}
	defer stopCluster()
	driver, err := boltrx.NewDriver(uri, token)
	if err != nil {
		return err
	}
	defer driver.Close(context.WithoutCancel(ctx))
	if err := driver.VerifyConnectivity(ctx); err != nil {
		return err
	}
	// One bookmark manager for every session of the run: each read starts
	// after the writes before it, even on a follower that lags.
	manager := boltrx.NewBookmarkManager(boltrx.BookmarkManagerConfig{})
	if _, err := driver.ExecuteQuery(ctx,
		"CREATE CONSTRAINT pipeline_alert_reading IF NOT EXISTS FOR (a:PipelineAlert) REQUIRE a.readingId IS UNIQUE", nil,
		boltrx.ExecuteQueryWithBookmarkManager(manager)); err != nil {
		return err
	}
	if embedded || o.seed {
		if err := seed(ctx, out, driver, manager, o.rows); err != nil {
			return err
		}
	}
	return process(ctx, out, driver, manager, o)
}

// process streams the readings through the pipeline into alert writes,
// printing a line per committed batch, then the totals.
func process(ctx context.Context, out io.Writer, driver *boltrx.Driver, manager boltrx.BookmarkManager, o options) error {
	cleanup := context.WithoutCancel(ctx)
	reader, err := driver.NewSession(ctx, boltrx.SessionConfig{AccessMode: boltrx.AccessModeRead, FetchSize: o.fetchSize, BookmarkManager: manager})
	if err != nil {
		return err
	}
	defer reader.Close(cleanup)
	writer, err := driver.NewSession(ctx, boltrx.SessionConfig{BookmarkManager: manager})
	if err != nil {
		return err
	}
	defer writer.Close(cleanup)

	jobCtx, stopJob := context.WithCancel(ctx)
	defer stopJob()
	p := &pipeline{
		result:    reader.RunRx(jobCtx, readingsQuery, nil),
		fetchSize: o.fetchSize,
		threshold: o.threshold,
		group:     o.group,
		directory: sensorDirectory{latency: o.lookupLatency},
	}
	batches := writer.WriteBatchesRx(jobCtx, alertsQuery, p.alerts(), o.batch)

	fmt.Fprintf(out, "\nreadings (PULLs of %d) → RecordsAs[reading] → filter ≥ %g °C → groups of %d → directory lookup (%v each) → writes of %d alerts\n",
		o.fetchSize, o.threshold, o.group, o.lookupLatency, o.batch)
	written, count, stopped := 0, 0, false
	for item := range batches.Observe() {
		if item.E != nil {
			if jobCtx.Err() != nil && ctx.Err() == nil {
				stopped = true // our own stop: the error is the cancellation
				continue
			}
			return item.E
		}
		b, ok := item.V.(boltrx.BatchResult)
		if !ok {
			return fmt.Errorf("unexpected item %T from WriteBatchesRx", item.V)
		}
		written += b.Rows
		count++
		taken, pulls := p.stats.taken.Load(), p.result.Pulls()
		fmt.Fprintf(out, "  batch %3d committed: %6d alerts written | %7d records taken, %4d PULLs sent, %6d requested ahead, %5d alerts in the pipeline\n",
			b.Index+1, written, taken, pulls, int64(pulls*o.fetchSize)-taken, p.stats.passed.Load()-int64(written))
		if o.stopAfter > 0 && count == o.stopAfter {
			stopJob()
		}
	}
	if stopped {
		fmt.Fprintf(out, "stopped after batch %d, as Ctrl-C would: the rest of the result was discarded, %d alerts committed in whole batches\n", count, written)
	} else {
		if _, err := p.result.Summary(ctx); err != nil {
			return err
		}
		fmt.Fprintf(out, "done: %d readings read, %d passed the filter, %d directory lookups, %d alerts written in %d batches\n",
			p.stats.taken.Load(), p.stats.passed.Load(), p.stats.lookups.Load(), written, count)
		maxAhead := p.stats.maxAhead.Load()
		fmt.Fprintf(out, "backpressure: %d PULLs of %d records; at most %d records requested ahead of the pipeline (%.1f fetches), never the whole result\n",
			p.result.Pulls(), o.fetchSize, maxAhead, float64(maxAhead)/float64(o.fetchSize))
	}
	return verify(ctx, out, driver, manager)
}

// verify counts the alerts in the database, reading from a follower after
// the bookmarks of every write of the run.
func verify(ctx context.Context, out io.Writer, driver *boltrx.Driver, manager boltrx.BookmarkManager) error {
	res, err := driver.ExecuteQuery(ctx, "MATCH (a:PipelineAlert) RETURN count(a) AS n", nil,
		boltrx.ExecuteQueryWithReadersRouting(), boltrx.ExecuteQueryWithBookmarkManager(manager))
	if err != nil {
		return err
	}
	if len(res.Records) != 1 {
		return fmt.Errorf("counting the alerts returned %d records", len(res.Records))
	}
	n, _, err := boltrx.GetRecordValue[int64](res.Records[0], "n")
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "verified: %d :PipelineAlert nodes in the database\n", n)
	return nil
}
