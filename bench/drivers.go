package main

import (
	"context"
	"fmt"
	"runtime"
	"runtime/metrics"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/neo4j/neo4j-go-driver/v6/neo4j"
	"github.com/neo4j/neo4j-go-driver/v6/neo4j/config"
	"github.com/reactivex/rxgo/v2"

	"github.com/boltrx/boltrx"
	"github.com/boltrx/boltrx/e2e/generator"
)

// driverUnderTest is what a scenario does with a driver.
type driverUnderTest interface {
	name() string
	// oneRow runs a single-row query in a new session and consumes it.
	oneRow(ctx context.Context) error
	// executeQuery runs a short query through ExecuteQuery.
	executeQuery(ctx context.Context) error
	// stream reads rows records of shape, calling each for every record,
	// and returns how many arrived. buffered lets the reactive path run
	// up to 1000 records ahead of the consumer in its channel (throughput);
	// unbuffered hands them over one at a time (memory).
	stream(ctx context.Context, shape generator.Shape, rows int, buffered bool, each func()) (int, error)
	close(ctx context.Context)
}

const poolSize = 100

type boltrxDriver struct{ d *boltrx.Driver }

func newBoltrxWith(addr string, configure func(*boltrx.Config)) driverUnderTest {
	d, err := boltrx.NewDriver("bolt://"+addr, boltrx.NoAuth(), func(c *boltrx.Config) {
		c.MaxConnectionPoolSize = poolSize
		c.FetchSize = 1000
		if configure != nil {
			configure(c)
		}
	})
	if err != nil {
		panic(err)
	}
	return &boltrxDriver{d: d}
}

func (b *boltrxDriver) name() string { return "boltrx" }

func (b *boltrxDriver) oneRow(ctx context.Context) error {
	sess, err := b.d.NewSession(ctx, boltrx.SessionConfig{})
	if err != nil {
		return err
	}
	defer sess.Close(ctx)
	res, err := sess.Run(ctx, "RETURN 1", map[string]any{"rows": 1})
	if err != nil {
		return err
	}
	_, err = res.Collect(ctx)
	return err
}

func (b *boltrxDriver) executeQuery(ctx context.Context) error {
	_, err := b.d.ExecuteQuery(ctx, "RETURN 1", map[string]any{"rows": 1})
	return err
}

func (b *boltrxDriver) stream(ctx context.Context, shape generator.Shape, rows int, buffered bool, each func()) (int, error) {
	sess, err := b.d.NewSession(ctx, boltrx.SessionConfig{})
	if err != nil {
		return 0, err
	}
	defer sess.Close(ctx)
	rr := sess.RunRx(ctx, "UNWIND range(1, $rows) AS i RETURN i", map[string]any{"rows": rows, "shape": string(shape)})
	n := 0
	var opts []rxgo.Option
	if buffered {
		opts = append(opts, rxgo.WithBufferedChannel(1000))
	}
	for item := range rr.Records(opts...).Observe() {
		if item.E != nil {
			return n, item.E
		}
		n++
		each()
	}
	return n, nil
}

func (b *boltrxDriver) close(ctx context.Context) { _ = b.d.Close(ctx) }

type officialDriver struct{ d neo4j.Driver }

func newOfficial(addr string) driverUnderTest {
	d, err := neo4j.NewDriver("bolt://"+addr, neo4j.NoAuth(), func(c *config.Config) {
		c.MaxConnectionPoolSize = poolSize
		c.FetchSize = 1000
	})
	if err != nil {
		panic(err)
	}
	return &officialDriver{d: d}
}

func (o *officialDriver) name() string { return "official" }

func (o *officialDriver) oneRow(ctx context.Context) error {
	sess := o.d.NewSession(ctx, neo4j.SessionConfig{})
	defer sess.Close(ctx)
	res, err := sess.Run(ctx, "RETURN 1", map[string]any{"rows": 1})
	if err != nil {
		return err
	}
	_, err = res.Collect(ctx)
	return err
}

func (o *officialDriver) executeQuery(ctx context.Context) error {
	_, err := neo4j.ExecuteQuery(ctx, o.d, "RETURN 1", map[string]any{"rows": 1}, neo4j.EagerResultTransformer)
	return err
}

func (o *officialDriver) stream(ctx context.Context, shape generator.Shape, rows int, _ bool, each func()) (int, error) {
	sess := o.d.NewSession(ctx, neo4j.SessionConfig{})
	defer sess.Close(ctx)
	res, err := sess.Run(ctx, "UNWIND range(1, $rows) AS i RETURN i", map[string]any{"rows": rows, "shape": string(shape)})
	if err != nil {
		return 0, err
	}
	n := 0
	for res.Next(ctx) {
		n++
		each()
	}
	return n, res.Err()
}

func (o *officialDriver) close(ctx context.Context) { _ = o.d.Close(ctx) }

// latencyP returns the p-th percentile latency of oneRow, in µs.
func latencyP(p int) func(ctx context.Context, d driverUnderTest) (float64, error) {
	return func(ctx context.Context, d driverUnderTest) (float64, error) {
		const warmup, n = 300, 3000
		samples := make([]time.Duration, 0, n)
		for i := 0; i < warmup+n; i++ {
			start := time.Now()
			if err := d.oneRow(ctx); err != nil {
				return 0, err
			}
			if i >= warmup {
				samples = append(samples, time.Since(start))
			}
		}
		slices.Sort(samples)
		return float64(samples[len(samples)*p/100].Microseconds()), nil
	}
}

// concurrent runs ExecuteQuery from 64 goroutines for 3 s and returns the
// queries per second.
func concurrent(ctx context.Context, d driverUnderTest) (float64, error) {
	const workers, span = 64, 3 * time.Second
	var done atomic.Int64
	var firstErr atomic.Value
	deadline := time.Now().Add(span)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				if err := d.executeQuery(ctx); err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
				done.Add(1)
			}
		}()
	}
	wg.Wait()
	if err, _ := firstErr.Load().(error); err != nil {
		return 0, err
	}
	return float64(done.Load()) / span.Seconds(), nil
}

// stream returns the records per second of reading rows records.
func stream(shape generator.Shape, rows int) func(ctx context.Context, d driverUnderTest) (float64, error) {
	return func(ctx context.Context, d driverUnderTest) (float64, error) {
		start := time.Now()
		n, err := d.stream(ctx, shape, rows, true, func() {})
		if err != nil {
			return 0, err
		}
		if n != rows {
			return 0, fmt.Errorf("got %d records, want %d", n, rows)
		}
		return float64(n) / time.Since(start).Seconds(), nil
	}
}

// slowConsumerPeakHeap reads rows records with a consumer slower than the
// server (it pauses 1 ms every 500 records) and returns the peak live heap
// above the heap before the run, in MiB.
func slowConsumerPeakHeap(rows int) func(ctx context.Context, d driverUnderTest) (float64, error) {
	return func(ctx context.Context, d driverUnderTest) (float64, error) {
		runtime.GC()
		base := heapBytes()
		var peak atomic.Uint64
		stop := make(chan struct{})
		sampled := make(chan struct{})
		go func() {
			defer close(sampled)
			tick := time.NewTicker(5 * time.Millisecond)
			defer tick.Stop()
			for {
				select {
				case <-stop:
					return
				case <-tick.C:
					if h := heapBytes(); h > peak.Load() {
						peak.Store(h)
					}
				}
			}
		}()
		i := 0
		n, err := d.stream(ctx, generator.ShapeRows, rows, false, func() {
			i++
			if i == rows/2 && *heapprof != "" {
				writeHeapProfile(*heapprof)
			}
			if i%500 == 0 {
				time.Sleep(time.Millisecond)
			}
		})
		close(stop)
		<-sampled
		if err != nil {
			return 0, err
		}
		if n != rows {
			return 0, fmt.Errorf("got %d records, want %d", n, rows)
		}
		p := peak.Load()
		if p < base {
			return 0, nil
		}
		return float64(p-base) / (1 << 20), nil
	}
}

// heapBytes returns the bytes of live and not yet swept heap objects.
func heapBytes() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}
