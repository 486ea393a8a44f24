package drivertest_test

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/reactivex/rxgo/v2"

	"github.com/boltrx/boltrx"
	"github.com/boltrx/boltrx/e2e/boltstub"
)

// head57 starts the scripts of a server that sends GQL errors (with
// diagnostic records), as Bolt 5.7+ does.
const head57 = `
bolt 5.7
anytime
  C: GOODBYE
  close
end
`

// busy is a FAILURE the server marks idempotent: it changed nothing.
const busy = `S: FAILURE {"neo4j_code": "Neo.TransientError.Request.Busy", "message": "too busy", "gql_status": "50N00", "description": "busy", "diagnostic_record": {"_idempotent": true, "_classification": "TRANSIENT_ERROR"}}`

// notIdempotent is the same failure without the mark.
const notIdempotent = `S: FAILURE {"neo4j_code": "Neo.TransientError.Request.Busy", "message": "too busy", "gql_status": "50N00", "description": "busy", "diagnostic_record": {"_classification": "TRANSIENT_ERROR"}}`

// runFails is a RUN the server fails with failure; the pipelined PULL
// is ignored and the connection reset (before it carries the next RUN;
// a driver that closes it may skip that).
func runFails(failure string) string {
	return `
C: RUN "RETURN 1 AS n" {} {}
C: PULL {"n": 1000}
` + failure + `
S: IGNORED
` + resetAtEnd
}

const runSucceeds = `
C: RUN "RETURN 1 AS n" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["n"]}
S: RECORD [1]
S: SUCCESS {"bookmark": "bm:retried"}
`

// resetAtEnd lets the driver reset a failed connection before closing.
const resetAtEnd = `
optional
  C: RESET
  S: SUCCESS {}
end
`

// onePool keeps one connection: the retry waits for the failed one to
// come back reset, as the stub serves one connection. (With room in the
// pool the retry may dial a second connection while the first resets.)
func onePool(c *boltrx.Config) { c.MaxConnectionPoolSize = 1 }

func TestAutoCommitRunRetriesAnIdempotentRunFailureOnce(t *testing.T) {
	srv := boltstub.Start(t, head57+hello5+runFails(busy)+runSucceeds)
	var logs bytes.Buffer
	drv := newDriver(t, srv.Addr(), onePool)
	ctx := ctxT(t)
	sess, _ := drv.NewSession(ctx, boltrx.SessionConfig{
		Logger: slog.New(slog.NewTextHandler(&logs, nil)).With("request_id", "r-7"),
	})
	defer sess.Close(ctx)
	res, err := sess.Run(ctx, "RETURN 1 AS n", nil)
	if err != nil {
		t.Fatal(err)
	}
	n, err := boltrx.SingleAs[int64](ctx, res)
	if err != nil || n != 1 {
		t.Fatalf("SingleAs = %v, %v; want 1 from the retry", n, err)
	}
	if bms := sess.LastBookmarks(); len(bms) != 1 || bms[0] != "bm:retried" {
		t.Errorf("bookmarks %v", bms)
	}
	line := logs.String()
	for _, want := range []string{"retrying an auto-commit query", "request_id=r-7", "access_mode=", "Neo.TransientError.Request.Busy"} {
		if !strings.Contains(line, want) {
			t.Errorf("session log %q lacks %q", line, want)
		}
	}
}

func TestAutoCommitRunRxRetriesBeforeAnyRecord(t *testing.T) {
	srv := boltstub.Start(t, head57+hello5+runFails(busy)+runSucceeds)
	drv := newDriver(t, srv.Addr(), onePool)
	ctx := ctxT(t)
	sess, _ := drv.NewSession(ctx, boltrx.SessionConfig{})
	defer sess.Close(ctx)
	var got []int64
	for item := range boltrx.RecordsAs[int64](sess.RunRx(ctx, "RETURN 1 AS n", nil)).Observe(rxgo.WithContext(ctx)) {
		if item.E != nil {
			t.Fatal(item.E)
		}
		got = append(got, item.V.(int64))
	}
	if len(got) != 1 || got[0] != 1 {
		t.Fatalf("items %v", got)
	}
}

func TestAutoCommitRetryConfiguration(t *testing.T) {
	yes, no := true, false
	cases := []struct {
		driver  bool
		session *bool
		retried bool
	}{
		{false, nil, true},
		{true, nil, false},
		{true, &no, true},
		{false, &yes, false},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("driver=%v,session=%v", c.driver, c.session != nil && *c.session), func(t *testing.T) {
			script := head57 + hello5 + runFails(busy)
			if c.retried {
				script += runSucceeds
			}
			srv := boltstub.Start(t, script)
			drv := newDriver(t, srv.Addr(), onePool, func(cfg *boltrx.Config) { cfg.DisableAutoCommitRetries = c.driver })
			ctx := ctxT(t)
			sess, _ := drv.NewSession(ctx, boltrx.SessionConfig{DisableAutoCommitRetries: c.session})
			defer sess.Close(ctx)
			res, err := sess.Run(ctx, "RETURN 1 AS n", nil)
			if err != nil {
				t.Fatal(err)
			}
			_, err = res.Single(ctx)
			if c.retried && err != nil {
				t.Fatalf("not retried: %v", err)
			}
			var ne *boltrx.Neo4jError
			if !c.retried && (!errors.As(err, &ne) || ne.Code != "Neo.TransientError.Request.Busy") {
				t.Fatalf("err = %v, want the server's failure (no retry)", err)
			}
		})
	}
}

func TestAutoCommitNoRetryWithoutTheIdempotentMark(t *testing.T) {
	srv := boltstub.Start(t, head57+hello5+runFails(notIdempotent))
	drv := newDriver(t, srv.Addr(), onePool)
	ctx := ctxT(t)
	sess, _ := drv.NewSession(ctx, boltrx.SessionConfig{})
	defer sess.Close(ctx)
	res, err := sess.Run(ctx, "RETURN 1 AS n", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := res.Single(ctx); err == nil || !strings.Contains(err.Error(), "too busy") {
		t.Fatalf("err = %v, want the failure", err)
	}
}

func TestAutoCommitRetriesOnlyOnce(t *testing.T) {
	srv := boltstub.Start(t, head57+hello5+runFails(busy)+runFails(busy))
	drv := newDriver(t, srv.Addr(), onePool)
	ctx := ctxT(t)
	sess, _ := drv.NewSession(ctx, boltrx.SessionConfig{})
	defer sess.Close(ctx)
	res, err := sess.Run(ctx, "RETURN 1 AS n", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := res.Single(ctx); err == nil || !strings.Contains(err.Error(), "too busy") {
		t.Fatalf("err = %v, want the second failure", err)
	}
}

// TestAutoCommitNoRetryBefore57: a server before Bolt 5.7 sends no
// diagnostic record; a failure that carries one anyway is not retried
// (Run does not wait for the RUN's answer there).
func TestAutoCommitNoRetryBefore57(t *testing.T) {
	srv := boltstub.Start(t, head5+hello5+runFails(busy))
	drv := newDriver(t, srv.Addr(), onePool)
	ctx := ctxT(t)
	sess, _ := drv.NewSession(ctx, boltrx.SessionConfig{})
	defer sess.Close(ctx)
	res, err := sess.Run(ctx, "RETURN 1 AS n", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := res.Single(ctx); err == nil || !strings.Contains(err.Error(), "too busy") {
		t.Fatalf("err = %v, want the failure", err)
	}
}

func TestAutoCommitNoRetryAfterRecords(t *testing.T) {
	srv := boltstub.Start(t, head57+hello5+`
C: RUN "RETURN 1 AS n" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["n"]}
S: RECORD [1]
`+busy+resetAtEnd)
	drv := newDriver(t, srv.Addr(), onePool)
	ctx := ctxT(t)
	sess, _ := drv.NewSession(ctx, boltrx.SessionConfig{})
	defer sess.Close(ctx)
	res, err := sess.Run(ctx, "RETURN 1 AS n", nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []int64
	var last error
	for r, err := range res.Records(ctx) {
		if err != nil {
			last = err
			break
		}
		got = append(got, r.Values[0].(int64))
	}
	if len(got) != 1 || last == nil || !strings.Contains(last.Error(), "too busy") {
		t.Fatalf("records %v, error %v: want record 1, then the failure", got, last)
	}
}
