// Command demo shows boltrx's reactive results at work: it writes a data
// set through an Observable of rows (each batch acknowledged before the
// next is taken), then streams it back through an Rx pipeline with a slow
// stage, printing how many records were consumed and how many PULLs were
// sent, so you can watch backpressure: the driver never asks the server
// for more than about two batches ahead of the consumer.
//
// Without NEO4J_URI it starts the embedded simulated cluster of e2e/cluster.
// With NEO4J_URI (and NEO4J_USER, NEO4J_PASSWORD) it runs against that
// server; it writes nodes labelled :BoltrxDemo and deletes them at the end.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"github.com/reactivex/rxgo/v2"

	"github.com/boltrx/boltrx"
	"github.com/boltrx/boltrx/e2e/cluster"
)

// options of one demo run.
type options struct {
	rows      int           // rows written and read back
	batch     int           // rows per write transaction
	fetchSize int           // records per PULL
	slowEvery int           // the slow stage pauses after this many records...
	pause     time.Duration // ...for this long
}

func main() {
	var o options
	flag.IntVar(&o.rows, "rows", 50_000, "rows to write and read back")
	flag.IntVar(&o.batch, "batch", 5_000, "rows per write transaction")
	flag.IntVar(&o.fetchSize, "fetch", 1_000, "records per PULL")
	flag.IntVar(&o.slowEvery, "slow-every", 250, "the slow stage pauses after this many records")
	flag.DurationVar(&o.pause, "pause", 5*time.Millisecond, "how long the slow stage pauses")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout, o); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

// target returns the URI and token to use: NEO4J_URI's, or an embedded
// cluster's (stopped by the returned function).
func target(ctx context.Context, out io.Writer) (string, boltrx.AuthToken, func(), error) {
	if uri := os.Getenv("NEO4J_URI"); uri != "" {
		fmt.Fprintf(out, "using %s\n", uri)
		return uri, boltrx.BasicAuth(os.Getenv("NEO4J_USER"), os.Getenv("NEO4J_PASSWORD"), ""), func() {}, nil
	}
	c, err := cluster.Start(ctx, cluster.Config{})
	if err != nil {
		return "", boltrx.AuthToken{}, nil, err
	}
	fmt.Fprintln(out, "NEO4J_URI is not set: started the embedded simulated cluster")
	for _, m := range c.Members() {
		fmt.Fprintf(out, "  member %d at %s: %s of %q\n", m.Index, m.Address, m.Roles[cluster.DefaultDatabase], cluster.DefaultDatabase)
	}
	leader := c.Addr(c.Leader(cluster.DefaultDatabase))
	return "neo4j://" + leader, boltrx.BasicAuth("neo4j", "demo", ""), func() { _ = c.Close() }, nil
}

func run(ctx context.Context, out io.Writer, o options) error {
	uri, token, stopCluster, err := target(ctx, out)
	if err != nil {
		return err
	}
	defer stopCluster()
	driver, err := boltrx.NewDriver(uri, token, func(c *boltrx.Config) { c.FetchSize = o.fetchSize })
	if err != nil {
		return err
	}
	defer driver.Close(ctx)
	if err := driver.VerifyConnectivity(ctx); err != nil {
		return err
	}
	session, err := driver.NewSession(ctx, boltrx.SessionConfig{})
	if err != nil {
		return err
	}
	defer session.Close(ctx)

	if err := write(ctx, out, session, o); err != nil {
		return err
	}
	if err := read(ctx, out, session, o); err != nil {
		return err
	}
	_, err = driver.ExecuteQuery(ctx, "MATCH (n:BoltrxDemo) DETACH DELETE n", nil)
	return err
}

// write streams o.rows parameter maps into the database, o.batch per
// transaction, with WriteBatchesRx.
func write(ctx context.Context, out io.Writer, session *boltrx.Session, o options) error {
	fmt.Fprintf(out, "\nwriting %d rows in batches of %d ...\n", o.rows, o.batch)
	rows := rxgo.Range(0, o.rows).Map(func(_ context.Context, v any) (any, error) {
		i := v.(int)
		return map[string]any{"id": int64(i), "name": fmt.Sprintf("row-%d", i), "score": float64(i%100) / 10}, nil
	})
	start := time.Now()
	written := 0
	batches := session.WriteBatchesRx(ctx, "UNWIND $batch AS row CREATE (n:BoltrxDemo) SET n = row", rows, o.batch)
	for item := range batches.Observe() {
		if item.E != nil {
			return item.E
		}
		b := item.V.(boltrx.BatchResult)
		written += b.Rows
		fmt.Fprintf(out, "  batch %3d committed: %6d rows so far, %d nodes created by it, %.0f rows/s\n",
			b.Index+1, written, b.Summary.Counters().NodesCreated(), float64(written)/time.Since(start).Seconds())
	}
	return nil
}

// read streams the rows back through Filter → Map → a slow stage, and
// prints the PULLs sent against the records consumed.
func read(ctx context.Context, out io.Writer, session *boltrx.Session, o options) error {
	fmt.Fprintf(out, "\nstreaming them back, fetch size %d, through a slow stage (%v every %d records) ...\n", o.fetchSize, o.pause, o.slowEvery)
	result := session.RunRx(ctx, "MATCH (n:BoltrxDemo) RETURN n.id AS id, n.score AS score ORDER BY n.id", nil)
	highScores := result.Records().
		Filter(func(v any) bool {
			score, _ := v.(*boltrx.Record).Get("score")
			return score.(float64) >= 5
		}).
		Map(func(_ context.Context, v any) (any, error) {
			id, _ := v.(*boltrx.Record).Get("id")
			return id.(int64), nil
		})
	start := time.Now()
	consumed, maxAhead := 0, 0
	report := o.rows / 10
	if report < 1 {
		report = 1
	}
	for item := range highScores.Observe() {
		if item.E != nil {
			return item.E
		}
		consumed++
		if consumed%o.slowEvery == 0 {
			time.Sleep(o.pause) // the slow stage
		}
		// Records asked of the server so far, beyond what the consumer took
		// (every second record passes the filter).
		ahead := result.Pulls()*o.fetchSize - 2*consumed
		if ahead > maxAhead {
			maxAhead = ahead
		}
		if consumed%report == 0 {
			fmt.Fprintf(out, "  consumed %6d records, PULLs sent %3d (each asks %d), %.0f records/s\n",
				consumed, result.Pulls(), o.fetchSize, float64(consumed)/time.Since(start).Seconds())
		}
	}
	summary, err := result.Summary(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "done: %d records passed the filter, %d PULLs, at most %d records requested ahead of the consumer (%.1f batches), server %s\n",
		consumed, result.Pulls(), maxAhead, float64(maxAhead)/float64(o.fetchSize), summary.Server().Agent())
	return nil
}
