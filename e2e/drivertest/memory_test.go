package drivertest_test

import (
	"context"
	"runtime"
	"runtime/metrics"
	"testing"
	"time"

	"github.com/boltrx/boltrx"
	"github.com/boltrx/boltrx/e2e/generator"
)

// TestSlowConsumerMemoryIsBounded reads 2,000,000 records with a consumer
// slower than the server, through Records with no options and the default
// config (batches may grow while the consumer waits), and with fixed
// batches. Backpressure must keep the live heap far below what buffering
// the result would take (about 300 MB); with fixed batches the records
// asked of the server but not yet consumed stay about two batches (three
// at a batch boundary, with one PULL in flight) at every record.
func TestSlowConsumerMemoryIsBounded(t *testing.T) {
	for _, tc := range []struct {
		name  string
		max   int // Config.MaxFetchSize
		fixed bool
	}{{"defaults", 0, false}, {"fixed batches", -1, true}} {
		t.Run(tc.name, func(t *testing.T) { slowConsumer(t, tc.max, tc.fixed) })
	}
}

func slowConsumer(t *testing.T, maxFetch int, fixed bool) {
	const rows, fetch = 2_000_000, 1000
	gen := generator.StartT(t, generator.Config{Shape: generator.ShapeRows})
	drv, err := boltrx.NewDriver("bolt://"+gen.Addr(), boltrx.NoAuth(), func(c *boltrx.Config) { c.FetchSize, c.MaxFetchSize = fetch, maxFetch })
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
	for item := range rr.Records().Observe() {
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
	// Records() buffers DefaultRxBuffer records in its channel, taken
	// from the stream: they count on top of the batches.
	if fixed && maxAhead > 3*fetch+boltrx.DefaultRxBuffer {
		t.Errorf("up to %d records were requested ahead of the consumer, want at most 3 batches and the channel (%d)", maxAhead, 3*fetch+boltrx.DefaultRxBuffer)
	}
	if pulls := rr.Pulls(); fixed && pulls != rows/fetch+1 && pulls != rows/fetch || pulls > rows/fetch+1 {
		t.Errorf("%d PULLs for %d records in batches of %d (fixed: %v)", pulls, rows, fetch, fixed)
	}
	const heapBound = 64 << 20
	if peakHeap > heapBound {
		t.Errorf("live heap reached %d MiB, want under %d MiB", peakHeap>>20, heapBound>>20)
	}
	t.Logf("%d PULLs; peak heap objects %d MiB", rr.Pulls(), peakHeap>>20)
}

func liveHeap() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}
