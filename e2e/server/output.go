package server

import (
	"context"
	"sync"
	"time"

	"github.com/boltrx/boltrx/bolt"
)

// output is the write side of a connection: responses go through the
// connection's bolt.Backend, which buffers them until flush.
//
// mu is held by the session loop whenever it writes; it lets go of it only
// while a Handler works, so the keep-alive goroutine can send NOOPs then.
type output struct {
	mu    sync.Mutex
	be    *bolt.Backend
	stats *counters

	threshold int
	delay     time.Duration
	timer     *time.Timer // reused for the flush delay
	ctx       context.Context

	lastWrite time.Time // of the last flush, for the keep-alive
}

func newOutput(ctx context.Context, be *bolt.Backend, cfg *Config, stats *counters) *output {
	return &output{
		be:        be,
		stats:     stats,
		threshold: cfg.FlushThreshold,
		delay:     cfg.FlushDelay,
		ctx:       ctx,
	}
}

// send buffers one response. The SUCCESS of HELLO that agrees to the "utc"
// patch switches the Backend's dialect.
func (o *output) send(m bolt.ResponseMessage) error { return o.be.Send(m) }

// record buffers one RECORD with the cursor's current values. On error
// nothing is buffered.
func (o *output) record(cur Cursor) error { return o.be.SendRecord(cur) }

// full reports whether the buffer reached the flush threshold.
func (o *output) full() bool { return o.be.Buffered() >= o.threshold }

// flush writes the buffer out. endOfBatch marks the write that ends a
// response batch: it waits FlushDelay first.
func (o *output) flush(endOfBatch bool) error {
	if o.be.Buffered() == 0 {
		return nil
	}
	if endOfBatch && o.delay > 0 {
		o.stats.delayedFlushes.Add(1)
		if !o.sleep(o.delay) {
			return o.ctx.Err()
		}
	}
	o.stats.flushes.Add(1)
	o.lastWrite = time.Now()
	return o.be.Flush()
}

// sleep waits d; false when the connection closed first.
func (o *output) sleep(d time.Duration) bool {
	if o.timer == nil {
		o.timer = time.NewTimer(d)
	} else {
		o.timer.Reset(d)
	}
	select {
	case <-o.timer.C:
		return true
	case <-o.ctx.Done():
		o.timer.Stop()
		return false
	}
}

// noop writes a NOOP chunk at once (keep-alive); mu must be held.
func (o *output) noop() error {
	o.be.SendNoop()
	o.stats.noops.Add(1)
	o.lastWrite = time.Now()
	return o.be.Flush()
}
