package chaos

import (
	"context"
	"fmt"
	"time"

	"github.com/boltrx/boltrx"
)

// verify reads back every record of the run, through the driver, chained
// after every acknowledged write, and counts the lost, duplicated and
// phantom ones.
func (r *runner) verify(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	var perWriter [][]uint8
	err := r.readAll(ctx, "MATCH (n:ChaosRec {run: $run}) RETURN n.w AS w, n.seq AS seq", func() {
		r.phantom = 0
		perWriter = make([][]uint8, len(r.wlast))
		for w := range perWriter {
			perWriter[w] = make([]uint8, r.wlast[w].Load()+1)
		}
	}, func(values []any) {
		w, _ := values[0].(int64)
		seq, _ := values[1].(int64)
		if w < 0 || int(w) >= len(perWriter) || seq < 0 {
			r.phantom++
			return
		}
		if seq >= int64(len(perWriter[w])) {
			r.phantom++
			if r.phantom <= 5 {
				r.cfg.Logf("phantom record: writer %d key %d, but it never went past %d", w, seq, len(perWriter[w])-1)
			}
			return
		}
		perWriter[w][seq] = min(perWriter[w][seq]+1, 2)
	})
	if err != nil {
		return fmt.Errorf("chaos: reading the writers' records back: %w", err)
	}
	for w, counts := range perWriter {
		acked := len(counts) - 1 // the last entry is the key in progress
		for seq, n := range counts {
			r.tally(n, seq < acked, fmt.Sprintf("writer %d key %d", w, seq))
		}
	}

	if r.cfg.LoadItems <= 0 {
		return nil
	}
	var items []uint8
	var strays int64 // items outside 0..LoadItems-1
	err = r.readAll(ctx, "MATCH (n:ChaosLoad {run: $run}) RETURN n.i AS i", func() {
		items, strays = make([]uint8, r.cfg.LoadItems), 0
	}, func(values []any) {
		i, _ := values[0].(int64)
		if i < 0 || i >= int64(len(items)) {
			strays++
			return
		}
		items[i] = min(items[i]+1, 2)
	})
	if err != nil {
		return fmt.Errorf("chaos: reading the loader's items back: %w", err)
	}
	r.phantom += strays
	loaded := r.loaded.Load()
	for i, n := range items {
		r.tally(n, int64(i) < loaded, fmt.Sprintf("loader item %d", i))
	}
	return nil
}

// tally counts one key found n times (2 meaning 2 or more).
func (r *runner) tally(n uint8, acked bool, what string) {
	switch {
	case n == 0 && acked:
		r.lost++
		if r.lost <= 5 {
			r.cfg.Logf("lost: %s was acknowledged but is missing", what)
		}
	case n > 1:
		r.duplicated++
		if r.duplicated <= 5 {
			r.cfg.Logf("duplicated: %s is present more than once", what)
		}
	}
}

// readAll streams query's records into each in a read transaction
// chained after every acknowledged write (reset starts each attempt
// afresh); it retries for a while, as the cluster may still be
// recovering.
func (r *runner) readAll(ctx context.Context, query string, reset func(), each func([]any)) error {
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		err = r.readAllOnce(ctx, query, reset, each)
		if err == nil || ctx.Err() != nil {
			return err
		}
		r.cfg.Logf("verification read failed, retrying: %v", err)
		time.Sleep(2 * time.Second)
	}
	return err
}

func (r *runner) readAllOnce(ctx context.Context, query string, reset func(), each func([]any)) error {
	sess, err := r.drv.NewSession(ctx, boltrx.SessionConfig{AccessMode: boltrx.AccessModeRead,
		DatabaseName: r.cfg.Database, BookmarkManager: r.bm})
	if err != nil {
		return err
	}
	defer sess.Close(context.WithoutCancel(ctx))
	_, err = sess.ExecuteRead(ctx, func(tx boltrx.ManagedTransaction) (any, error) {
		reset()
		res, err := tx.Run(ctx, query, map[string]any{"run": r.run})
		if err != nil {
			return nil, err
		}
		for res.Next(ctx) {
			each(res.Record().Values)
		}
		return nil, res.Err()
	})
	return err
}
