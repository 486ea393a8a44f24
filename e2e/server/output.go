package server

import (
	"context"
	"net"
	"sync"
	"time"

	"github.com/boltrx/boltrx/bolt"
	"github.com/boltrx/boltrx/packstream"
)

// output is the write side of a connection: responses are encoded straight
// into the chunk writer's buffer and written out by flush.
//
// mu is held by the session loop whenever it writes; it lets go of it only
// while a Handler works, so the keep-alive goroutine can send NOOPs then.
type output struct {
	mu    sync.Mutex
	nc    net.Conn
	cw    *bolt.ChunkWriter
	enc   packstream.Encoder
	caps  *bolt.Capabilities
	stats *counters

	threshold int
	delay     time.Duration
	timer     *time.Timer // reused for the flush delay
	ctx       context.Context

	lastWrite time.Time // of the last flush, for the keep-alive
}

func newOutput(ctx context.Context, nc net.Conn, caps *bolt.Capabilities, cfg *Config, stats *counters) *output {
	o := &output{
		nc:        nc,
		cw:        bolt.NewChunkWriter(nc),
		caps:      caps,
		stats:     stats,
		threshold: cfg.FlushThreshold,
		delay:     cfg.FlushDelay,
		ctx:       ctx,
	}
	o.setUTCPatched(false)
	return o
}

// setUTCPatched switches the encoder's dialect after the "utc" patch.
func (o *output) setUTCPatched(patched bool) { o.enc.Dialect = o.caps.Dialect(patched) }

// send buffers one response.
func (o *output) send(m bolt.ResponseMessage) error {
	buf := o.cw.BeginMessage()
	o.enc.Reset(buf[len(buf):])
	err := bolt.EncodeResponse(&o.enc, o.caps, m)
	o.cw.EndMessage(completeMessage(buf, o.enc.Buffer(), err))
	return err
}

// record buffers one RECORD with the cursor's current values. On error
// nothing is buffered.
func (o *output) record(cur Cursor) error {
	buf := o.cw.BeginMessage()
	o.enc.Reset(buf[len(buf):])
	o.enc.WriteStructHeader(bolt.TagRecord, 1)
	err := cur.EncodeRecord(&o.enc)
	if err == nil {
		err = o.enc.Err()
	}
	o.cw.EndMessage(completeMessage(buf, o.enc.Buffer(), err))
	return err
}

// full reports whether the buffer reached the flush threshold.
func (o *output) full() bool { return o.cw.Buffered() >= o.threshold }

// flush writes the buffer out. endOfBatch marks the write that ends a
// response batch: it waits FlushDelay first.
func (o *output) flush(endOfBatch bool) error {
	if o.cw.Buffered() == 0 {
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
	return o.cw.Flush()
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
	o.cw.WriteNoop()
	o.stats.noops.Add(1)
	o.lastWrite = time.Now()
	return o.cw.Flush()
}

// completeMessage finishes a message encoded into the spare capacity of
// buf, the chunk writer's buffer: when the encoder did not have to grow,
// the bytes are in place already; otherwise they are appended. A failed
// encoding leaves buf as it was, so nothing of the message is sent.
func completeMessage(buf, msg []byte, err error) []byte {
	if err != nil {
		return buf
	}
	if len(msg) <= cap(buf)-len(buf) {
		return buf[:len(buf)+len(msg)]
	}
	return append(buf, msg...)
}
