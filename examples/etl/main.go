// Command etl moves rows from a source query to a sink in batches with
// bounded memory: source records stream in as an Observable pulled in
// batches, a transform stage maps them, and WriteBatchesRx writes them
// back, each batch committed before the next is taken. It shows a progress
// bar with rate and ETA on a terminal (plain lines otherwise) and resumes
// after the last committed batch when it is interrupted and started again.
//
// Without NEO4J_URI it starts the embedded simulated cluster and seeds it
// with -rows :EtlSource nodes (the data lives as long as the process; use
// -interrupt-after to see a resume within one run). With NEO4J_URI (and
// NEO4J_USER, NEO4J_PASSWORD) it reads :EtlSource nodes from that server
// and writes :EtlTarget nodes; run it again after Ctrl-C to resume.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/reactivex/rxgo/v2"

	"github.com/boltrx/boltrx"
	"github.com/boltrx/boltrx/e2e/cluster"
)

// options of one ETL run.
type options struct {
	rows           int  // source rows to seed (embedded cluster) and to expect
	batch          int  // rows per write transaction
	fetch          int  // records per PULL of the source
	interruptAfter int  // stop (as after Ctrl-C) after this many batches; 0 = never
	terminal       bool // draw a progress bar instead of plain lines
}

// errInterrupted ends a run that -interrupt-after stopped.
var errInterrupted = errors.New("interrupted")

func main() {
	var o options
	flag.IntVar(&o.rows, "rows", 1_000_000, "source rows")
	flag.IntVar(&o.batch, "batch", 10_000, "rows per write transaction")
	flag.IntVar(&o.fetch, "fetch", 5_000, "records per PULL of the source")
	flag.IntVar(&o.interruptAfter, "interrupt-after", 0, "stop after this many batches, as Ctrl-C would, then resume (embedded cluster: within this run)")
	flag.Parse()
	o.terminal = isTerminal(os.Stdout)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	uri, token, closeCluster, err := target(ctx, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "etl:", err)
		os.Exit(1)
	}
	defer closeCluster()
	driver, err := boltrx.NewDriver(uri, token)
	if err != nil {
		fmt.Fprintln(os.Stderr, "etl:", err)
		os.Exit(1)
	}
	defer driver.Close(context.Background())
	if os.Getenv("NEO4J_URI") == "" {
		if err := seed(ctx, os.Stdout, driver, o.rows); err != nil {
			fmt.Fprintln(os.Stderr, "etl:", err)
			os.Exit(1)
		}
	}
	err = run(ctx, os.Stdout, driver, o)
	if errors.Is(err, errInterrupted) && os.Getenv("NEO4J_URI") == "" {
		fmt.Println("restarting: the job resumes after the last committed batch")
		o.interruptAfter = 0
		err = run(ctx, os.Stdout, driver, o)
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintln(os.Stderr, "etl:", err)
		os.Exit(1)
	}
}

func isTerminal(f *os.File) bool {
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

// target returns NEO4J_URI's server, or an embedded cluster's leader.
func target(ctx context.Context, out io.Writer) (string, boltrx.AuthToken, func(), error) {
	if uri := os.Getenv("NEO4J_URI"); uri != "" {
		return uri, boltrx.BasicAuth(os.Getenv("NEO4J_USER"), os.Getenv("NEO4J_PASSWORD"), ""), func() {}, nil
	}
	c, err := cluster.Start(ctx, cluster.Config{})
	if err != nil {
		return "", boltrx.AuthToken{}, nil, err
	}
	fmt.Fprintf(out, "NEO4J_URI is not set: started the embedded simulated cluster (%d members)\n", c.Size())
	leader := c.Addr(c.Leader(cluster.DefaultDatabase))
	return "neo4j://" + leader, boltrx.BasicAuth("neo4j", "etl", ""), func() { _ = c.Close() }, nil
}

// sourceRow is an :EtlSource node: written by seed, read by run (struct
// parameters and boltrx.RecordsAs share the tags).
type sourceRow struct {
	ID    int64   `neo4j:"id"`
	Name  string  `neo4j:"name"`
	Price float64 `neo4j:"price"`
}

// targetRow is an :EtlTarget node, the transformed row.
type targetRow struct {
	ID           int64   `neo4j:"id"`
	Label        string  `neo4j:"label"`
	PriceWithTax float64 `neo4j:"priceWithTax"`
}

// seed writes rows :EtlSource nodes, in batches through WriteBatchesRx.
func seed(ctx context.Context, out io.Writer, driver *boltrx.Driver, rows int) error {
	session, err := driver.NewSession(ctx, boltrx.SessionConfig{})
	if err != nil {
		return err
	}
	defer session.Close(ctx)
	source := rxgo.Range(0, rows).Map(func(_ context.Context, v any) (any, error) {
		i := int64(v.(int)) + 1
		return sourceRow{ID: i, Name: fmt.Sprintf("item-%07d", i), Price: float64(i%1000) / 10}, nil
	})
	start := time.Now()
	for item := range session.WriteBatchesRx(ctx, "UNWIND $batch AS row CREATE (n:EtlSource) SET n = row", source, 20_000).Observe() {
		if item.E != nil {
			return item.E
		}
	}
	fmt.Fprintf(out, "seeded %d source rows in %v\n", rows, time.Since(start).Round(time.Millisecond))
	return nil
}

// lastCommitted returns the id of the last row written by a committed
// batch: batches go in id order and commit whole, so it is the largest
// target id (0 when nothing was written yet).
func lastCommitted(ctx context.Context, driver *boltrx.Driver) (int64, int64, error) {
	res, err := driver.ExecuteQuery(ctx, "MATCH (t:EtlTarget) RETURN max(t.id) AS last, count(t) AS done", nil,
		boltrx.ExecuteQueryWithReadersRouting())
	if err != nil {
		return 0, 0, err
	}
	type committed struct {
		Last *int64 `neo4j:"last"` // null before the first batch
		Done int64  `neo4j:"done"`
	}
	p, err := boltrx.RecordAs[committed](res.Records[0])
	if err != nil || p.Last == nil {
		return 0, p.Done, err
	}
	return *p.Last, p.Done, nil
}

// run moves every source row after the last committed one to the sink.
func run(ctx context.Context, out io.Writer, driver *boltrx.Driver, o options) error {
	after, done, err := lastCommitted(ctx, driver)
	if err != nil {
		return err
	}
	if after > 0 {
		fmt.Fprintf(out, "resuming after row %d (%d rows already moved)\n", after, done)
	}
	reader, err := driver.NewSession(ctx, boltrx.SessionConfig{AccessMode: boltrx.AccessModeRead, FetchSize: o.fetch})
	if err != nil {
		return err
	}
	defer reader.Close(ctx)
	writer, err := driver.NewSession(ctx, boltrx.SessionConfig{})
	if err != nil {
		return err
	}
	defer writer.Close(ctx)

	jobCtx, stopJob := context.WithCancelCause(ctx)
	defer stopJob(nil)
	source := boltrx.RecordsAs[sourceRow](reader.RunRx(jobCtx,
		"MATCH (s:EtlSource) WHERE s.id > $after RETURN s ORDER BY s.id",
		map[string]any{"after": after}))
	transformed := source.Map(func(_ context.Context, v any) (any, error) {
		s := v.(sourceRow)
		return targetRow{ID: s.ID, Label: strings.ToUpper(s.Name), PriceWithTax: s.Price * 1.2}, nil
	})
	batches := writer.WriteBatchesRx(jobCtx, "UNWIND $batch AS row CREATE (t:EtlTarget) SET t = row", transformed, o.batch)

	bar := newProgress(out, o.terminal, int(done), o.rows)
	count := 0
	for item := range batches.Observe() {
		if item.E != nil {
			bar.finish()
			if errors.Is(context.Cause(jobCtx), errInterrupted) {
				fmt.Fprintf(out, "interrupted after batch %d; the last committed batch ends at row %d\n", count, after)
				return errInterrupted
			}
			return item.E
		}
		b := item.V.(boltrx.BatchResult)
		count++
		after += int64(b.Rows) // ids are dense in the source
		bar.add(b.Rows)
		if o.interruptAfter > 0 && count == o.interruptAfter {
			stopJob(errInterrupted)
		}
	}
	bar.finish()
	if errors.Is(context.Cause(jobCtx), errInterrupted) {
		return errInterrupted
	}
	fmt.Fprintf(out, "moved %d rows in %d batches\n", bar.done-int(done), count)
	return nil
}

// progress draws a bar with rate and ETA, or plain lines off a terminal.
type progress struct {
	out      io.Writer
	terminal bool
	start    time.Time
	first    int // rows done before this run
	done     int
	total    int
	lastLine time.Time
}

func newProgress(out io.Writer, terminal bool, done, total int) *progress {
	return &progress{out: out, terminal: terminal, start: time.Now(), first: done, done: done, total: total}
}

func (p *progress) add(n int) {
	p.done += n
	now := time.Now()
	if !p.terminal && now.Sub(p.lastLine) < time.Second && p.done < p.total {
		return
	}
	p.lastLine = now
	elapsed := now.Sub(p.start).Seconds()
	rate := float64(p.done-p.first) / elapsed
	eta := "-"
	if rate > 0 {
		eta = (time.Duration(float64(p.total-p.done)/rate) * time.Second).Round(time.Second).String()
	}
	pct := 100 * float64(p.done) / float64(p.total)
	if p.terminal {
		const width = 30
		filled := int(pct / 100 * width)
		fmt.Fprintf(p.out, "\r[%s%s] %5.1f%% %d/%d rows  %.0f rows/s  ETA %s ",
			strings.Repeat("=", filled), strings.Repeat(" ", width-filled), pct, p.done, p.total, rate, eta)
		return
	}
	fmt.Fprintf(p.out, "progress: %d/%d rows (%.1f%%), %.0f rows/s, ETA %s\n", p.done, p.total, pct, rate, eta)
}

func (p *progress) finish() {
	if p.terminal {
		fmt.Fprintln(p.out)
	}
}
