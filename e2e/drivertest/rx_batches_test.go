package drivertest_test

import (
	"testing"

	"github.com/reactivex/rxgo/v2"

	"github.com/boltrx/boltrx"
	"github.com/boltrx/boltrx/e2e/boltstub"
)

// RecordBatches emits one []*Record per PULL batch, in order, and ends
// like Records: the summary and bookmark follow.
func TestRxRecordBatchesEmitsOneItemPerPull(t *testing.T) {
	srv := boltstub.Start(t, head5+hello5+`
C: RUN "RETURN n" {} {}
C: PULL {"n": 2}
S: SUCCESS {"fields": ["n"]}
S: RECORD [1]
S: RECORD [2]
S: SUCCESS {"has_more": true}
C: PULL {"n": 2}
S: RECORD [3]
S: RECORD [4]
S: SUCCESS {"has_more": true}
C: PULL {"n": 2}
S: RECORD [5]
S: SUCCESS {"bookmark": "bm:batches"}
`)
	// Fixed batches (no growth): the script checks every PULL.
	drv := newDriver(t, srv.Addr(), func(c *boltrx.Config) { c.FetchSize, c.MaxFetchSize = 2, -1 })
	ctx := ctxT(t)
	sess, _ := drv.NewSession(ctx, boltrx.SessionConfig{})
	defer sess.Close(ctx)
	rr := sess.RunRx(ctx, "RETURN n", nil)
	var sizes []int
	var values []int64
	for item := range rr.RecordBatches().Observe(rxgo.WithContext(ctx)) {
		if item.E != nil {
			t.Fatal(item.E)
		}
		batch := item.V.([]*boltrx.Record)
		sizes = append(sizes, len(batch))
		for _, r := range batch {
			values = append(values, r.Values[0].(int64))
		}
	}
	if len(sizes) != 3 || sizes[0] != 2 || sizes[1] != 2 || sizes[2] != 1 {
		t.Fatalf("batch sizes %v, want [2 2 1]", sizes)
	}
	for i, v := range values {
		if v != int64(i+1) {
			t.Fatalf("records %v", values)
		}
	}
	if _, err := rr.Summary(ctx); err != nil {
		t.Fatal(err)
	}
	if bms := sess.LastBookmarks(); len(bms) != 1 || bms[0] != "bm:batches" {
		t.Fatalf("LastBookmarks = %v", bms)
	}
}
