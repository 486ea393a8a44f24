package drivertest_test

import (
	"context"
	"runtime"
	"runtime/metrics"
	"testing"
	"time"

	"github.com/reactivex/rxgo/v2"

	"github.com/boltrx/boltrx"
	"github.com/boltrx/boltrx/e2e/generator"
)

// TestSlowConsumerMemoryIsBounded reads 2,000,000 records with a consumer
// slower than the server. Backpressure must hold the records asked of the
// server but not yet consumed to about two batches (three at a batch
// boundary, with one PULL in flight) at every record, and the live heap
// far below what buffering the result would take (about 300 MB).
func TestSlowConsumerMemoryIsBounded(t *testing.T) {
	const rows, fetch = 2_000_000, 1000
	gen := generator.StartT(t, generator.Config{Shape: generator.ShapeRows})
	drv, err := boltrx.NewDriver("bolt://"+gen.Addr(), boltrx.NoAuth(), func(c *boltrx.Config) { c.FetchSize = fetch })
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	defer drv.Close(ctx)
	sess, _ := drv.NewSession(ctx, boltrx.SessionConfig{})
	defer sess.Close(ctx)

	runtime.GC()
	rr := sess.RunRx(ctx, "UNWIND range(1, $rows) AS i RETURN i", map[string]any{"rows": rows})
	consumed, maxAhead := 0, 0
	var peakHeap uint64
	for item := range rr.Records(rxgo.WithBufferedChannel(100)).Observe() {
		if item.E != nil {
			t.Fatal(item.E)
		}
		consumed++
		if ahead := rr.Pulls()*fetch - consumed; ahead > maxAhead {
			maxAhead = ahead
		}
		if consumed%2000 == 0 {
			time.Sleep(2 * time.Millisecond) // slower than the server
		}
		if consumed%100_000 == 0 {
			if h := liveHeap(); h > peakHeap {
				peakHeap = h
			}
		}
	}
	if consumed != rows {
		t.Fatalf("consumed %d records, want %d", consumed, rows)
	}
	if maxAhead > 3*fetch {
		t.Errorf("up to %d records were requested ahead of the consumer, want at most 3 batches (%d)", maxAhead, 3*fetch)
	}
	if rr.Pulls() != rows/fetch+1 && rr.Pulls() != rows/fetch {
		t.Errorf("%d PULLs for %d records in batches of %d", rr.Pulls(), rows, fetch)
	}
	const heapBound = 64 << 20
	if peakHeap > heapBound {
		t.Errorf("live heap reached %d MiB, want under %d MiB", peakHeap>>20, heapBound>>20)
	}
	t.Logf("at most %d records ahead of the consumer; peak heap objects %d MiB", maxAhead, peakHeap>>20)
}

func liveHeap() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}
