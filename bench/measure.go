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
)

// latency runs samples single-row queries (Run + Single) one after the
// other in one session, after a tenth as many for warm-up, and returns
// their p50 and p99 in µs.
func latency(ctx context.Context, c client, samples int) (p50, p99 float64, err error) {
	if samples < 1 {
		return 0, 0, fmt.Errorf("latency needs at least one sample, got %d", samples)
	}
	single, closeSession, err := c.session(ctx)
	if err != nil {
		return 0, 0, err
	}
	defer closeSession()
	warmup := samples / 10
	took := make([]time.Duration, 0, samples)
	for i := 0; i < warmup+samples; i++ {
		start := time.Now()
		if err := single(ctx); err != nil {
			return 0, 0, err
		}
		if i >= warmup {
			took = append(took, time.Since(start))
		}
	}
	slices.Sort(took)
	at := func(p int) float64 {
		return float64(took[(len(took)-1)*p/100].Nanoseconds()) / 1e3
	}
	return at(50), at(99), nil
}

// concurrentWorkers is how many goroutines run ExecuteQuery at once.
const concurrentWorkers = 64

// concurrent runs ExecuteQuery from 64 goroutines for half a second of
// warm-up and then measure, and returns the queries per second completed
// within measure.
func concurrent(ctx context.Context, c client, measure time.Duration) (float64, error) {
	const warmup = 500 * time.Millisecond
	var (
		counting atomic.Bool
		stop     atomic.Bool
		done     atomic.Int64
		firstErr atomic.Value
		wg       sync.WaitGroup
	)
	for range concurrentWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				if err := c.executeQuery(ctx); err != nil {
					firstErr.CompareAndSwap(nil, err)
					stop.Store(true)
					return
				}
				if counting.Load() {
					done.Add(1)
				}
			}
		}()
	}
	time.Sleep(warmup)
	counting.Store(true)
	start := time.Now()
	time.Sleep(measure)
	counting.Store(false)
	elapsed := time.Since(start)
	stop.Store(true)
	wg.Wait()
	if err, _ := firstErr.Load().(error); err != nil {
		return 0, err
	}
	return float64(done.Load()) / elapsed.Seconds(), nil
}

// streamRate reads rows records of shape and returns records per second,
// from the query's start to its last record.
func streamRate(ctx context.Context, c client, shape string, rows int, rx bool) (float64, error) {
	start := time.Now()
	n, err := c.stream(ctx, shape, rows, rx, func() {})
	elapsed := time.Since(start)
	if err != nil {
		return 0, err
	}
	if n != rows {
		return 0, fmt.Errorf("got %d records, want %d", n, rows)
	}
	return float64(n) / elapsed.Seconds(), nil
}

// slowConsumerHeap reads rows records of [int, string, float, bool] with a
// consumer slower than the server (it sleeps 1 ms every 500 records):
// boltrx through RunRx(...).Records() with no options, the official driver
// through Result.Next. It returns, in MiB above the heap at the start, the
// peak of the heap objects (live and not yet swept: what the process
// holds) and the peak of the live heap as of each GC, both sampled every
// millisecond from runtime/metrics, the same way for both drivers.
func slowConsumerHeap(ctx context.Context, c client, rows int) (peakMiB, liveMiB float64, err error) {
	runtime.GC()
	baseObjects, baseLive := heapNow()
	var peakObjects, peakLive atomic.Uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				o, l := heapNow()
				if o > peakObjects.Load() {
					peakObjects.Store(o)
				}
				if l > peakLive.Load() {
					peakLive.Store(l)
				}
			}
		}
	}()
	i := 0
	n, err := c.stream(ctx, shapeRows, rows, true, func() {
		i++
		if i%500 == 0 {
			time.Sleep(time.Millisecond)
		}
	})
	close(stop)
	<-sampled
	if err != nil {
		return 0, 0, err
	}
	if n != rows {
		return 0, 0, fmt.Errorf("got %d records, want %d", n, rows)
	}
	above := func(peak, base uint64) float64 {
		if peak < base {
			return 0
		}
		return float64(peak-base) / (1 << 20)
	}
	return above(peakObjects.Load(), baseObjects), above(peakLive.Load(), baseLive), nil
}

// heapNow returns the bytes of heap objects (live and unswept) and of the
// live heap as of the last GC.
func heapNow() (objects, live uint64) {
	s := []metrics.Sample{
		{Name: "/memory/classes/heap/objects:bytes"},
		{Name: "/gc/heap/live:bytes"},
	}
	metrics.Read(s)
	return s[0].Value.Uint64(), s[1].Value.Uint64()
}
