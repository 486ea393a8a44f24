package drivertest_test

import (
	"context"
	"errors"
	"testing"

	"github.com/reactivex/rxgo/v2"

	"github.com/boltrx/boltrx"
	"github.com/boltrx/boltrx/e2e/boltstub"
)

// collect observes obs to its end and returns the records and the error
// item, if any.
func collect(ctx context.Context, obs rxgo.Observable) ([]int64, error) {
	var got []int64
	for item := range obs.Observe(rxgo.WithContext(ctx)) {
		if item.E != nil {
			return got, item.E
		}
		v := item.V.(*boltrx.Record).Values[0].(int64)
		got = append(got, v)
	}
	return got, nil
}

func TestRxFastConsumerPullsBatchAfterBatch(t *testing.T) {
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
S: SUCCESS {"bookmark": "bm:rx"}
`)
	// Fixed batches (no growth): the script checks every PULL.
	drv := newDriver(t, srv.Addr(), func(c *boltrx.Config) { c.FetchSize, c.MaxFetchSize = 2, -1 })
	ctx := ctxT(t)
	sess, _ := drv.NewSession(ctx, boltrx.SessionConfig{})
	defer sess.Close(ctx)
	rr := sess.RunRx(ctx, "RETURN n", nil)
	if rr.Pulls() != 0 {
		t.Fatal("the query went out before anyone observed the result")
	}
	got, err := collect(ctx, rr.Records())
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 5 || got[4] != 5 {
		t.Fatalf("records = %v", got)
	}
	if rr.Pulls() != 3 {
		t.Fatalf("pulls = %d, want 3", rr.Pulls())
	}
	if _, err := rr.Summary(ctx); err != nil {
		t.Fatal(err)
	}
	if bms := sess.LastBookmarks(); len(bms) != 1 || bms[0] != "bm:rx" {
		t.Fatalf("LastBookmarks = %v", bms)
	}
}

func TestRxConsumerThatStopsDiscardsTheRest(t *testing.T) {
	srv := boltstub.Start(t, head5+hello5+`
C: RUN "RETURN n" {} {}
C: PULL {"n": 2}
S: SUCCESS {"fields": ["n"]}
S: RECORD [1]
S: RECORD [2]
S: SUCCESS {"has_more": true}
repeat
  C: PULL {"n": 2}
  S: RECORD [3]
  S: RECORD [4]
  S: SUCCESS {"has_more": true}
end
C: DISCARD {"n": -1}
S: SUCCESS {"bookmark": "bm:d"}
C: RUN "RETURN 1" {} {"bookmarks": ["bm:d"]}
C: PULL {"n": 2}
S: SUCCESS {"fields": ["1"]}
S: RECORD [1]
S: SUCCESS {}
`)
	// Fixed batches (no growth): the script checks every PULL.
	drv := newDriver(t, srv.Addr(), func(c *boltrx.Config) { c.FetchSize, c.MaxFetchSize = 2, -1 })
	ctx := ctxT(t)
	sess, _ := drv.NewSession(ctx, boltrx.SessionConfig{})
	defer sess.Close(ctx)
	rr := sess.RunRx(ctx, "RETURN n", nil)
	sub, cancel := context.WithCancel(ctx)
	defer cancel()
	n := 0
	for item := range rr.Records().Observe(rxgo.WithContext(sub)) {
		if item.E != nil {
			if !errors.Is(item.E, context.Canceled) {
				t.Fatalf("error item %v, want the cancellation", item.E)
			}
			continue
		}
		n++
		if n == 3 {
			cancel()
		}
	}
	if n < 3 {
		t.Fatalf("got %d records before cancelling", n)
	}
	// The connection came back clean: the session's next query runs on it.
	res, err := sess.Run(ctx, "RETURN 1", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := res.Single(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestRxSecondSubscriberGetsAnError(t *testing.T) {
	srv := boltstub.Start(t, head5+hello5+`
C: RUN "RETURN 1 AS n" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["n"]}
S: RECORD [1]
S: SUCCESS {}
`)
	drv := newDriver(t, srv.Addr())
	ctx := ctxT(t)
	sess, _ := drv.NewSession(ctx, boltrx.SessionConfig{})
	defer sess.Close(ctx)
	rr := sess.RunRx(ctx, "RETURN 1 AS n", nil)
	obs := rr.Records()
	if got, err := collect(ctx, obs); err != nil || len(got) != 1 {
		t.Fatalf("first subscription: %v, %v", got, err)
	}
	if _, err := collect(ctx, obs); !errors.Is(err, boltrx.ErrAlreadySubscribed) {
		t.Fatalf("second subscription: %v", err)
	}
}

func TestRxFailureAfterRecordsEndsStreamInOrder(t *testing.T) {
	srv := boltstub.Start(t, head5+`
anytime
  C: RESET
  S: SUCCESS {}
end
`+hello5+`
C: RUN "RETURN 1/n" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["x"]}
S: RECORD [1]
S: RECORD [2]
S: FAILURE {"code": "Neo.ClientError.Statement.ArithmeticError", "message": "/ by zero"}
`)
	drv := newDriver(t, srv.Addr())
	ctx := ctxT(t)
	sess, _ := drv.NewSession(ctx, boltrx.SessionConfig{})
	defer sess.Close(ctx)
	got, err := collect(ctx, sess.RunRx(ctx, "RETURN 1/n", nil).Records())
	var ne *boltrx.Neo4jError
	if len(got) != 2 || !errors.As(err, &ne) || ne.Code != "Neo.ClientError.Statement.ArithmeticError" {
		t.Fatalf("records %v, err %v", got, err)
	}
}

func TestRxOperatorsWork(t *testing.T) {
	srv := boltstub.Start(t, head5+hello5+`
C: RUN "RETURN n" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["n"]}
S: RECORD [1]
S: RECORD [2]
S: RECORD [3]
S: RECORD [4]
S: SUCCESS {}
`)
	drv := newDriver(t, srv.Addr())
	ctx := ctxT(t)
	sess, _ := drv.NewSession(ctx, boltrx.SessionConfig{})
	defer sess.Close(ctx)
	obs := sess.RunRx(ctx, "RETURN n", nil).Records().
		Filter(func(v any) bool { return v.(*boltrx.Record).Values[0].(int64)%2 == 0 }).
		Map(func(_ context.Context, v any) (any, error) { return v.(*boltrx.Record).Values[0].(int64) * 10, nil })
	var got []int64
	for item := range obs.Observe() {
		if item.E != nil {
			t.Fatal(item.E)
		}
		got = append(got, item.V.(int64))
	}
	if len(got) != 2 || got[0] != 20 || got[1] != 40 {
		t.Fatalf("got %v", got)
	}
}

func TestWriteBatchesRxWritesEachBatchInItsOwnTransaction(t *testing.T) {
	batch := func(rows, bm string) string {
		return `
C: BEGIN ...
S: SUCCESS {}
C: RUN "UNWIND $batch AS row CREATE (n:Item) SET n = row" {"batch": ` + rows + `} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": []}
S: SUCCESS {"type": "w", "stats": {"nodes-created": 2}}
C: COMMIT
S: SUCCESS {"bookmark": "` + bm + `"}
`
	}
	srv := boltstub.Start(t, head5+hello5+
		batch(`[{"i": 1}, {"i": 2}]`, "bm:1")+
		batch(`[{"i": 3}, {"i": 4}]`, "bm:2")+
		batch(`[{"i": 5}]`, "bm:3"))
	drv := newDriver(t, srv.Addr())
	ctx := ctxT(t)
	sess, _ := drv.NewSession(ctx, boltrx.SessionConfig{})
	defer sess.Close(ctx)
	source := rxgo.Just(
		map[string]any{"i": 1}, map[string]any{"i": 2}, map[string]any{"i": 3},
		map[string]any{"i": 4}, map[string]any{"i": 5})()
	var results []boltrx.BatchResult
	for item := range sess.WriteBatchesRx(ctx, "UNWIND $batch AS row CREATE (n:Item) SET n = row", source, 2).Observe() {
		if item.E != nil {
			t.Fatal(item.E)
		}
		results = append(results, item.V.(boltrx.BatchResult))
	}
	if len(results) != 3 || results[2].Rows != 1 || results[2].Index != 2 {
		t.Fatalf("results = %+v", results)
	}
	if results[0].Summary.Counters().NodesCreated() != 2 || results[1].Bookmarks[0] != "bm:2" {
		t.Fatalf("first = %+v, second bookmarks %v", results[0], results[1].Bookmarks)
	}
}

func TestExecuteWriteRxDeliversItemsAfterCommit(t *testing.T) {
	srv := boltstub.Start(t, head5+hello5+`
C: BEGIN ...
S: SUCCESS {}
C: RUN "CREATE (n) RETURN 1 AS x" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["x"]}
S: RECORD [1]
S: SUCCESS {"type": "w"}
C: COMMIT
S: SUCCESS {"bookmark": "bm:tx"}
`)
	drv := newDriver(t, srv.Addr())
	ctx := ctxT(t)
	sess, _ := drv.NewSession(ctx, boltrx.SessionConfig{})
	defer sess.Close(ctx)
	obs := sess.ExecuteWriteRx(ctx, func(ctx context.Context, tx boltrx.ManagedTransaction) rxgo.Observable {
		r, err := tx.Run(ctx, "CREATE (n) RETURN 1 AS x", nil)
		if err != nil {
			return rxgo.Thrown(err)
		}
		recs, err := r.Collect(ctx)
		if err != nil {
			return rxgo.Thrown(err)
		}
		return rxgo.Just(recs[0].Values[0])()
	})
	var got []any
	for item := range obs.Observe() {
		if item.E != nil {
			t.Fatal(item.E)
		}
		got = append(got, item.V)
	}
	if len(got) != 1 || got[0] != int64(1) {
		t.Fatalf("got %v", got)
	}
	if bms := sess.LastBookmarks(); len(bms) != 1 || bms[0] != "bm:tx" {
		t.Fatalf("LastBookmarks = %v", bms)
	}
}

func TestRxTwoResultsInOneTransactionPullByQid(t *testing.T) {
	srv := boltstub.Start(t, head5+hello5+`
C: BEGIN {}
S: SUCCESS {}
C: RUN "RETURN a" {} {}
C: PULL {"n": 2}
S: SUCCESS {"fields": ["a"], "qid": 0}
S: RECORD [1]
S: RECORD [2]
S: SUCCESS {"has_more": true}
either
  C: PULL {"n": 2}
  S: RECORD [3]
  S: SUCCESS {"has_more": false}
  C: RUN "RETURN b" {} {}
  C: PULL {"n": 2}
  S: SUCCESS {"fields": ["b"], "qid": 1}
  S: RECORD [10]
  S: RECORD [20]
  S: SUCCESS {"has_more": true}
  C: PULL {"n": 2}
  S: RECORD [30]
  S: SUCCESS {"has_more": false}
or
  C: RUN "RETURN b" {} {}
  C: PULL {"n": 2}
  S: SUCCESS {"fields": ["b"], "qid": 1}
  S: RECORD [10]
  S: RECORD [20]
  S: SUCCESS {"has_more": true}
  C: PULL {"n": 2, "qid": 0}
  S: RECORD [3]
  S: SUCCESS {"has_more": false}
  C: PULL {"n": 2}
  S: RECORD [30]
  S: SUCCESS {"has_more": false}
end
C: COMMIT
S: SUCCESS {"bookmark": "bm:q"}
`)
	// Fixed batches (no growth): the script checks every PULL.
	drv := newDriver(t, srv.Addr(), func(c *boltrx.Config) { c.FetchSize, c.MaxFetchSize = 2, -1 })
	ctx := ctxT(t)
	sess, _ := drv.NewSession(ctx, boltrx.SessionConfig{})
	defer sess.Close(ctx)
	tx, err := sess.BeginTransaction(ctx)
	if err != nil {
		t.Fatal(err)
	}
	a := tx.RunRx(ctx, "RETURN a", nil)
	aItems := a.Records().Observe()
	first := <-aItems // a's RUN + first PULL are out
	b := tx.RunRx(ctx, "RETURN b", nil)
	gotB, err := collect(ctx, b.Records())
	if err != nil {
		t.Fatal(err)
	}
	gotA := []int64{first.V.(*boltrx.Record).Values[0].(int64)}
	for item := range aItems {
		if item.E != nil {
			t.Fatal(item.E)
		}
		gotA = append(gotA, item.V.(*boltrx.Record).Values[0].(int64))
	}
	if len(gotA) != 3 || gotA[2] != 3 || len(gotB) != 3 || gotB[2] != 30 {
		t.Fatalf("a = %v, b = %v", gotA, gotB)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
}
