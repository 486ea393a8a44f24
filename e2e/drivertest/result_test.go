package drivertest_test

import (
	"errors"
	"testing"

	"github.com/boltrx/boltrx"
	"github.com/boltrx/boltrx/e2e/boltstub"
)

// Collect asks for the rest of the result in one PULL {n: -1}.
func TestCollectPullsTheRestAtOnce(t *testing.T) {
	srv := boltstub.Start(t, head5+hello5+`
C: RUN "UNWIND range(1, 5) AS n RETURN n" {} {}
C: PULL {"n": 2}
S: SUCCESS {"fields": ["n"]}
S: RECORD [1]
S: RECORD [2]
S: SUCCESS {"has_more": true}
C: PULL {"n": -1}
S: RECORD [3]
S: RECORD [4]
S: RECORD [5]
S: SUCCESS {"type": "r"}
`)
	drv := newDriver(t, srv.Addr(), func(c *boltrx.Config) { c.FetchSize = 2 })
	ctx := ctxT(t)
	sess, _ := drv.NewSession(ctx, boltrx.SessionConfig{})
	defer sess.Close(ctx)
	res, err := sess.Run(ctx, "UNWIND range(1, 5) AS n RETURN n", nil)
	if err != nil {
		t.Fatal(err)
	}
	// Wait for the first batch, so that Collect finds the server with more.
	if _, ok := res.Peek(ctx); !ok {
		t.Fatalf("Peek: %v", res.Err())
	}
	records, err := res.Collect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(records) != 5 || records[0].Values[0] != int64(1) || records[4].Values[0] != int64(5) {
		t.Fatalf("records %v", records)
	}
}

// Records of a batch that Next has not handed out yet count towards the
// low watermark: reading one record of a batch of two asks for no more,
// and closing the session discards the rest.
func TestUnreadRecordsOfABatchDelayTheNextPull(t *testing.T) {
	srv := boltstub.Start(t, head5+resetAnytime+hello5+`
C: RUN "UNWIND range(1, 9) AS n RETURN n" {} {}
C: PULL {"n": 2}
S: SUCCESS {"fields": ["n"]}
S: RECORD [1]
S: RECORD [2]
S: SUCCESS {"has_more": true}
C: DISCARD {"n": -1}
S: SUCCESS {"type": "r"}
`)
	drv := newDriver(t, srv.Addr(), func(c *boltrx.Config) { c.FetchSize = 2 })
	ctx := ctxT(t)
	sess, _ := drv.NewSession(ctx, boltrx.SessionConfig{})
	res, err := sess.Run(ctx, "UNWIND range(1, 9) AS n RETURN n", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Next(ctx) || res.Record().Values[0] != int64(1) {
		t.Fatalf("Next: %v", res.Err())
	}
	if err := sess.Close(ctx); err != nil {
		t.Fatal(err)
	}
}

// The next PULL goes out when the unread records fall below the low
// watermark, before the caller has read the batch to its end.
func TestNextPullGoesOutBeforeTheBatchIsRead(t *testing.T) {
	srv := boltstub.Start(t, head5+hello5+`
C: RUN "UNWIND range(1, 6) AS n RETURN n" {} {}
C: PULL {"n": 4}
S: SUCCESS {"fields": ["n"]}
S: RECORD [1]
S: RECORD [2]
S: RECORD [3]
S: RECORD [4]
S: SUCCESS {"has_more": true}
C: PULL {"n": 4}
S: RECORD [5]
S: RECORD [6]
S: SUCCESS {"type": "r"}
`)
	drv := newDriver(t, srv.Addr(), func(c *boltrx.Config) { c.FetchSize = 4 })
	ctx := ctxT(t)
	sess, _ := drv.NewSession(ctx, boltrx.SessionConfig{})
	defer sess.Close(ctx)
	res, err := sess.Run(ctx, "UNWIND range(1, 6) AS n RETURN n", nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []any
	for res.Next(ctx) {
		got = append(got, res.Record().Values[0])
	}
	if res.Err() != nil || len(got) != 6 {
		t.Fatalf("records %v, err %v", got, res.Err())
	}
}

// SingleOptional: no record is nil without error, one is returned, more
// than one is a usage error; the result is read to its end each time.
func TestSingleOptional(t *testing.T) {
	srv := boltstub.Start(t, head5+resetAnytime+hello5+`
C: RUN "RETURN none" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["x"]}
S: SUCCESS {"type": "r"}
C: RUN "RETURN one" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["x"]}
S: RECORD [1]
S: SUCCESS {"type": "r"}
C: RUN "RETURN two" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["x"]}
S: RECORD [1]
S: RECORD [2]
S: SUCCESS {"type": "r"}
`)
	drv := newDriver(t, srv.Addr())
	ctx := ctxT(t)
	sess, _ := drv.NewSession(ctx, boltrx.SessionConfig{})
	defer sess.Close(ctx)
	run := func(q string) *boltrx.Result {
		t.Helper()
		res, err := sess.Run(ctx, q, nil)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	if rec, err := run("RETURN none").SingleOptional(ctx); rec != nil || err != nil {
		t.Fatalf("no record: %v, %v", rec, err)
	}
	if rec, err := run("RETURN one").SingleOptional(ctx); err != nil || rec == nil || rec.Values[0] != int64(1) {
		t.Fatalf("one record: %v, %v", rec, err)
	}
	two := run("RETURN two")
	if rec, err := two.SingleOptional(ctx); rec != nil || !errors.Is(err, boltrx.ErrUsage) {
		t.Fatalf("two records: %v, %v; want a usage error", rec, err)
	}
	if rec, err := two.SingleOptional(ctx); rec != nil || !errors.Is(err, boltrx.ErrResultConsumed) {
		t.Fatalf("again: %v, %v; want ErrResultConsumed", rec, err)
	}
}
