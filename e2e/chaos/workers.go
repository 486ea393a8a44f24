package chaos

import (
	"context"
	"errors"
	"time"

	"github.com/reactivex/rxgo/v2"

	"github.com/boltrx/boltrx"
)

const (
	writeQuery  = "MERGE (n:ChaosRec {key: $key}) SET n.run = $run, n.w = $w, n.seq = $seq"
	readQuery   = "UNWIND $keys AS k MATCH (n:ChaosRec {key: k}) RETURN n.key AS key"
	streamQuery = "UNWIND range(1, $n) AS x RETURN x"
	loadQuery   = "UNWIND $batch AS row MERGE (n:ChaosLoad {key: row.key}) SET n.run = row.run, n.i = row.i"
)

// writer w MERGEs its keys 0, 1, 2, ... one managed transaction each. A
// key is retried until it is acknowledged, so the acknowledged keys are
// always 0 to wlast[w]-1; the key in progress when the load stops may or
// may not have been written.
func (r *runner) writer(ctx context.Context, w int) {
	rng := r.rng(uint64(1000 + w))
	sess, err := r.drv.NewSession(ctx, boltrx.SessionConfig{DatabaseName: r.cfg.Database, BookmarkManager: r.bm})
	if err != nil {
		r.errs.add("writer", err, ctx.Err() != nil)
		return
	}
	defer sess.Close(context.WithoutCancel(ctx))
	for seq := int64(0); ; seq++ {
		params := map[string]any{"key": r.writerKey(w, seq), "run": r.run, "w": int64(w), "seq": seq}
		for {
			if r.stopped() {
				return
			}
			_, err := sess.ExecuteWrite(ctx, func(tx boltrx.ManagedTransaction) (any, error) {
				res, err := tx.Run(ctx, writeQuery, params)
				if err != nil {
					return nil, err
				}
				return res.Consume(ctx)
			})
			if err == nil {
				r.wlast[w].Store(seq + 1)
				break
			}
			r.errs.add("writer", err, ctx.Err() != nil)
			if ctx.Err() != nil {
				return
			}
			r.pause(time.Duration(50+rng.IntN(150)) * time.Millisecond)
		}
		if p := r.cfg.WriterPause; p > 0 {
			r.pause(time.Duration(rng.Int64N(int64(p))))
		}
	}
}

// reader i reads, each time in a new session chained by the bookmark
// manager, the last acknowledged key of every writer as of the moment
// the read began: a key it does not find makes the read stale.
func (r *runner) reader(ctx context.Context, i int) {
	rng := r.rng(uint64(2000 + i))
	for !r.stopped() {
		var keys []any
		for w := range r.wlast {
			if n := r.wlast[w].Load(); n > 0 {
				keys = append(keys, r.writerKey(w, n-1))
			}
		}
		if len(keys) == 0 {
			r.pause(10 * time.Millisecond)
			continue
		}
		found, err := r.readKeys(ctx, keys)
		if err != nil {
			r.errs.add("reader", err, ctx.Err() != nil)
			if ctx.Err() != nil {
				return
			}
			r.pause(time.Duration(50+rng.IntN(150)) * time.Millisecond)
			continue
		}
		r.reads.Add(1)
		var missing []any
		for _, k := range keys {
			if !found[k.(string)] {
				missing = append(missing, k)
			}
		}
		if len(missing) > 0 {
			if r.staleReads.Add(1) <= 5 {
				r.cfg.Logf("stale read by reader %d: %d of %d acknowledged keys missing, e.g. %v", i, len(missing), len(keys), missing[0])
			}
		}
		r.pause(time.Duration(rng.IntN(20)) * time.Millisecond)
	}
}

// readKeys returns which of keys a read transaction in a new session,
// chained by the bookmark manager, finds.
func (r *runner) readKeys(ctx context.Context, keys []any) (map[string]bool, error) {
	sess, err := r.drv.NewSession(ctx, boltrx.SessionConfig{AccessMode: boltrx.AccessModeRead,
		DatabaseName: r.cfg.Database, BookmarkManager: r.bm})
	if err != nil {
		return nil, err
	}
	defer sess.Close(context.WithoutCancel(ctx))
	out, err := sess.ExecuteRead(ctx, func(tx boltrx.ManagedTransaction) (any, error) {
		res, err := tx.Run(ctx, readQuery, map[string]any{"keys": keys})
		if err != nil {
			return nil, err
		}
		found := make(map[string]bool, len(keys))
		for res.Next(ctx) {
			if k, ok := res.Record().Values[0].(string); ok {
				found[k] = true
			}
		}
		return found, res.Err()
	})
	if err != nil {
		return nil, err
	}
	return out.(map[string]bool), nil
}

// consumer i streams results with RunRx: consumer 0 reads each to the
// end, 1 cancels each at a random record, 2 reads slowly, 3 draws one of
// these each time. Every record must come in order; a result may end
// early only with an error, or after the consumer cancelled it.
func (r *runner) consumer(ctx context.Context, i int) {
	rng := r.rng(uint64(3000 + i))
	n := r.cfg.StreamRows
	for !r.stopped() {
		behaviour := i % 4
		if behaviour == 3 {
			behaviour = rng.IntN(3)
		}
		cancelAt, slowEvery := -1, 0
		switch behaviour {
		case 1:
			cancelAt = 1 + rng.IntN(max(n-1, 1))
		case 2:
			slowEvery = 250
		}
		r.stream(ctx, n, cancelAt, slowEvery)
		// A pause between results, so that streaming (the cheapest
		// work per byte) does not take all the CPU from the writers.
		r.pause(time.Duration(rng.IntN(2000)) * time.Millisecond)
	}
}

// stream reads one result of n records, cancelling after cancelAt of
// them (-1: never) and pausing a millisecond every slowEvery records (0:
// never).
func (r *runner) stream(ctx context.Context, n, cancelAt, slowEvery int) {
	sess, err := r.drv.NewSession(ctx, boltrx.SessionConfig{AccessMode: boltrx.AccessModeRead, DatabaseName: r.cfg.Database})
	if err != nil {
		r.errs.add("consumer", err, ctx.Err() != nil)
		return
	}
	defer sess.Close(context.WithoutCancel(ctx))
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	r.streams.Add(1)
	var got int
	var streamErr error
	ordered := true
	for item := range sess.RunRx(sctx, streamQuery, map[string]any{"n": int64(n)}).Records().Observe() {
		if item.E != nil {
			streamErr = item.E
			continue
		}
		rec, ok := item.V.(*boltrx.Record)
		if !ok || len(rec.Values) != 1 || rec.Values[0] != int64(got+1) {
			ordered = false
		}
		got++
		if got == cancelAt {
			cancel()
		}
		if slowEvery > 0 && got%slowEvery == 0 {
			time.Sleep(time.Millisecond)
		}
	}
	r.records.Add(int64(got))
	byUs := cancelAt >= 0 && got >= cancelAt
	switch {
	case !ordered:
		r.streamBroken("records out of order", got, n, streamErr)
	case streamErr == nil && got == n:
		r.completed.Add(1)
	case byUs && (streamErr == nil || errors.Is(streamErr, context.Canceled)):
		r.cancelled.Add(1)
	case streamErr == nil:
		r.streamBroken("ended early without an error", got, n, nil)
	default:
		r.errs.add("consumer", streamErr, ctx.Err() != nil)
	}
}

func (r *runner) streamBroken(what string, got, n int, err error) {
	if r.corrupt.Add(1) <= 5 {
		r.cfg.Logf("stream %s: %d of %d records (error %v)", what, got, n, err)
	}
}

// loader writes LoadItems items with WriteBatchesRx; when a batch fails,
// it starts again after the last acknowledged batch. It stops with the
// load, after writing the items it already took.
func (r *runner) loader(ctx context.Context) {
	sess, err := r.drv.NewSession(ctx, boltrx.SessionConfig{DatabaseName: r.cfg.Database, BookmarkManager: r.bm})
	if err != nil {
		r.errs.add("loader", err, ctx.Err() != nil)
		return
	}
	defer sess.Close(context.WithoutCancel(ctx))
	total := r.cfg.LoadItems
	for next := 0; next < total && !r.stopped(); {
		from := next
		source := rxgo.Defer([]rxgo.Producer{func(sctx context.Context, out chan<- rxgo.Item) {
			for i := from; i < total && !r.stopped(); i++ {
				row := map[string]any{"key": r.loadKey(i), "run": r.run, "i": int64(i)}
				if !rxgo.Of(row).SendContext(sctx, out) {
					return
				}
			}
		}})
		var failed error
		for item := range sess.WriteBatchesRx(ctx, loadQuery, source, r.cfg.LoadBatch).Observe() {
			if item.E != nil {
				failed = item.E
				continue
			}
			next += item.V.(boltrx.BatchResult).Rows
			r.loaded.Store(int64(next))
		}
		if failed != nil {
			r.errs.add("loader", failed, ctx.Err() != nil)
			if ctx.Err() != nil {
				return
			}
			r.pause(200 * time.Millisecond)
		}
	}
	if r.loaded.Load() == int64(total) {
		r.cfg.Logf("loader: all %d items acknowledged", total)
	}
}
