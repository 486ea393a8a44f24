package drivertest_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/boltrx/boltrx"
	"github.com/boltrx/boltrx/bolt"
	"github.com/boltrx/boltrx/e2e/boltstub"
)

func TestAutoCommitRunStreamsRecordsAndBookmark(t *testing.T) {
	srv := boltstub.Start(t, head5+hello5+`
C: RUN "UNWIND range(1, 3) AS n RETURN n" {} {}
C: PULL {"n": 2}
S: SUCCESS {"fields": ["n"], "t_first": 1}
S: RECORD [1]
S: RECORD [2]
S: SUCCESS {"has_more": true}
C: PULL {"n": 2}
S: RECORD [3]
S: SUCCESS {"bookmark": "bm:1", "type": "r", "t_last": 2, "db": "neo4j"}
`)
	drv := newDriver(t, srv.Addr(), func(c *boltrx.Config) { c.FetchSize = 2 })
	ctx := ctxT(t)
	sess, err := drv.NewSession(ctx, boltrx.SessionConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close(ctx)
	res, err := sess.Run(ctx, "UNWIND range(1, 3) AS n RETURN n", nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []int64
	for res.Next(ctx) {
		v, _ := res.Record().Get("n")
		got = append(got, v.(int64))
	}
	if err := res.Err(); err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0] != 1 || got[2] != 3 {
		t.Fatalf("records = %v", got)
	}
	sum, err := res.Consume(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Database().Name() != "neo4j" || sum.StatementType() != boltrx.StatementTypeReadOnly {
		t.Fatalf("summary: db %q type %v", sum.Database().Name(), sum.StatementType())
	}
	if bms := sess.LastBookmarks(); len(bms) != 1 || bms[0] != "bm:1" {
		t.Fatalf("LastBookmarks = %v", bms)
	}
}

func TestExplicitTransactionWithTwoOpenResults(t *testing.T) {
	srv := boltstub.Start(t, head5+hello5+`
C: BEGIN {"bookmarks": ["bm:0"], "tx_metadata": {"app": "t"}}
S: SUCCESS {}
C: RUN "RETURN 1 AS a" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["a"], "qid": 0}
S: RECORD [1]
S: SUCCESS {"has_more": false}
C: RUN "RETURN 2 AS b" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["b"], "qid": 1}
S: RECORD [2]
S: SUCCESS {}
C: COMMIT
S: SUCCESS {"bookmark": "bm:2"}
`)
	drv := newDriver(t, srv.Addr())
	ctx := ctxT(t)
	sess, err := drv.NewSession(ctx, boltrx.SessionConfig{Bookmarks: boltrx.Bookmarks{"bm:0"}})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close(ctx)
	tx, err := sess.BeginTransaction(ctx, boltrx.WithTxMetadata(map[string]any{"app": "t"}))
	if err != nil {
		t.Fatal(err)
	}
	a, err := tx.Run(ctx, "RETURN 1 AS a", nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := tx.Run(ctx, "RETURN 2 AS b", nil)
	if err != nil {
		t.Fatal(err)
	}
	rb, err := b.Single(ctx)
	if err != nil || rb.Values[0] != int64(2) {
		t.Fatalf("b = %v, %v", rb, err)
	}
	ra, err := a.Single(ctx)
	if err != nil || ra.Values[0] != int64(1) {
		t.Fatalf("a = %v, %v", ra, err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := tx.Close(ctx); err != nil {
		t.Fatalf("Close after Commit: %v", err)
	}
	if _, err := tx.Run(ctx, "RETURN 3", nil); !errors.Is(err, boltrx.ErrTransactionClosed) {
		t.Fatalf("Run after Commit = %v, want ErrTransactionClosed", err)
	}
	if bms := sess.LastBookmarks(); len(bms) != 1 || bms[0] != "bm:2" {
		t.Fatalf("LastBookmarks = %v", bms)
	}
}

func TestBolt3UsesPullAllAndAuthInHello(t *testing.T) {
	srv := boltstub.Start(t, `
bolt 3.0
anytime
  C: GOODBYE
  close
end
C: HELLO {"user_agent": "boltrx/test", "scheme": "basic", "principal": "neo4j", "credentials": "secret"}
S: SUCCESS {"server": "Neo4j/3.5.0", "connection_id": "bolt-1"}
C: RUN "RETURN 1 AS x" {} {}
C: PULL_ALL
S: SUCCESS {"fields": ["x"]}
S: RECORD [1]
S: SUCCESS {"bookmark": "bm:3"}
`)
	drv := newDriver(t, srv.Addr())
	ctx := ctxT(t)
	sess, _ := drv.NewSession(ctx, boltrx.SessionConfig{})
	defer sess.Close(ctx)
	res, err := sess.Run(ctx, "RETURN 1 AS x", nil)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := res.Collect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 || recs[0].Values[0] != int64(1) {
		t.Fatalf("records = %v", recs)
	}
	if bms := sess.LastBookmarks(); len(bms) != 1 || bms[0] != "bm:3" {
		t.Fatalf("LastBookmarks = %v", bms)
	}
}

func TestExecuteWriteRetriesTransientFailure(t *testing.T) {
	srv := boltstub.Start(t, head5+`
anytime
  C: RESET
  S: SUCCESS {}
end
`+hello5+`
C: BEGIN {}
S: SUCCESS {}
C: RUN "CREATE (n)" {} {}
C: PULL {"n": 1000}
S: FAILURE {"code": "Neo.TransientError.Transaction.DeadlockDetected", "message": "deadlock"}
S: IGNORED
C: BEGIN {}
S: SUCCESS {}
C: RUN "CREATE (n)" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": []}
S: SUCCESS {"type": "w"}
C: COMMIT
S: SUCCESS {"bookmark": "bm:w"}
`)
	drv := newDriver(t, srv.Addr())
	ctx := ctxT(t)
	sess, err := drv.NewSession(ctx, boltrx.SessionConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close(ctx)
	attempts := 0
	out, err := sess.ExecuteWrite(ctx, func(tx boltrx.ManagedTransaction) (any, error) {
		attempts++
		r, err := tx.Run(ctx, "CREATE (n)", nil)
		if err != nil {
			return nil, err
		}
		if _, err := r.Consume(ctx); err != nil {
			return nil, err
		}
		return "done", nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if out != "done" || attempts != 2 {
		t.Fatalf("out = %v after %d attempts", out, attempts)
	}
	if bms := sess.LastBookmarks(); len(bms) != 1 || bms[0] != "bm:w" {
		t.Fatalf("LastBookmarks = %v", bms)
	}
}

func TestUserErrorIsNotRetried(t *testing.T) {
	srv := boltstub.Start(t, head5+`
anytime
  C: RESET
  S: SUCCESS {}
end
`+hello5+`
C: BEGIN {}
S: SUCCESS {}
C: RUN "RETURN x" {} {}
C: PULL {"n": 1000}
S: FAILURE {"code": "Neo.ClientError.Statement.SyntaxError", "message": "Variable x not defined"}
S: IGNORED
`)
	drv := newDriver(t, srv.Addr())
	ctx := ctxT(t)
	sess, _ := drv.NewSession(ctx, boltrx.SessionConfig{})
	defer sess.Close(ctx)
	attempts := 0
	_, err := sess.ExecuteWrite(ctx, func(tx boltrx.ManagedTransaction) (any, error) {
		attempts++
		r, err := tx.Run(ctx, "RETURN x", nil)
		if err != nil {
			return nil, err
		}
		return r.Collect(ctx)
	})
	var ne *boltrx.Neo4jError
	if !errors.As(err, &ne) || ne.Code != "Neo.ClientError.Statement.SyntaxError" {
		t.Fatalf("err = %v, want the syntax error", err)
	}
	if attempts != 1 {
		t.Fatalf("attempts = %d", attempts)
	}
}

func TestConnectionDeathMidStreamIsConnectivityErrorAndPoolRecovers(t *testing.T) {
	srv := boltstub.Start(t, head5+`
connection 1
`+hello5+`
C: RUN "RETURN 1" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["1"]}
S: RECORD [1]
close

connection 2
`+hello5+`
C: RUN "RETURN 2" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["2"]}
S: RECORD [2]
S: SUCCESS {}
`)
	drv := newDriver(t, srv.Addr())
	ctx := ctxT(t)
	sess, _ := drv.NewSession(ctx, boltrx.SessionConfig{})
	res, err := sess.Run(ctx, "RETURN 1", nil)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for res.Next(ctx) {
		n++
	}
	if n != 1 || !boltrx.IsConnectivityError(res.Err()) {
		t.Fatalf("records %d, err %v; want 1 record then a connectivity error", n, res.Err())
	}
	sess.Close(ctx)
	sess2, _ := drv.NewSession(ctx, boltrx.SessionConfig{})
	defer sess2.Close(ctx)
	res2, err := sess2.Run(ctx, "RETURN 2", nil)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := res2.Single(ctx)
	if err != nil || rec.Values[0] != int64(2) {
		t.Fatalf("second session: %v, %v", rec, err)
	}
}

func TestPoolExhaustionTimesOut(t *testing.T) {
	srv := boltstub.Start(t, head5+hello5+`
C: BEGIN {}
S: SUCCESS {}
C: ROLLBACK
S: SUCCESS {}
`)
	drv := newDriver(t, srv.Addr(), func(c *boltrx.Config) {
		c.MaxConnectionPoolSize = 1
		c.ConnectionAcquisitionTimeout = 50 * time.Millisecond
	})
	ctx := ctxT(t)
	holder, _ := drv.NewSession(ctx, boltrx.SessionConfig{})
	tx, err := holder.BeginTransaction(ctx)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := drv.NewSession(ctx, boltrx.SessionConfig{})
	_, err = other.Run(ctx, "RETURN 1", nil)
	if err == nil || !strings.Contains(err.Error(), "acquisition timeout") {
		t.Fatalf("Run on an exhausted pool = %v", err)
	}
	other.Close(ctx)
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	holder.Close(ctx)
}

func TestBadInputGivesUsageErrors(t *testing.T) {
	for _, uri := range []string{"http://localhost:7474", "bolt://localhost:99999", "bolt://localhost?region=eu", "neo4j+xyz://host", "bolt://"} {
		if _, err := boltrx.NewDriver(uri, boltrx.NoAuth()); !errors.Is(err, boltrx.ErrUsage) {
			t.Errorf("NewDriver(%q) = %v, want a usage error", uri, err)
		}
	}
	if _, err := boltrx.NewDriver("bolt://localhost", nil); !errors.Is(err, boltrx.ErrUsage) {
		t.Errorf("nil auth: %v", err)
	}
	var nilDriver *boltrx.Driver
	if _, err := nilDriver.NewSession(context.Background(), boltrx.SessionConfig{}); !errors.Is(err, boltrx.ErrUsage) {
		t.Errorf("nil driver: %v", err)
	}
	drv, err := boltrx.NewDriver("bolt://127.0.0.1:1", boltrx.NoAuth())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	sess, _ := drv.NewSession(ctx, boltrx.SessionConfig{})
	sess.Close(ctx)
	if _, err := sess.Run(ctx, "RETURN 1", nil); !errors.Is(err, boltrx.ErrSessionClosed) {
		t.Errorf("Run on a closed session = %v", err)
	}
	drv.Close(ctx)
	if _, err := drv.NewSession(ctx, boltrx.SessionConfig{}); !errors.Is(err, boltrx.ErrDriverClosed) {
		t.Errorf("NewSession on a closed driver = %v", err)
	}
}

func TestHTTPPortIsRecognised(t *testing.T) {
	srv := boltstub.Start(t, `
bolt 5.4
handshake http
`)
	drv := newDriver(t, srv.Addr())
	err := drv.VerifyConnectivity(ctxT(t))
	if !boltrx.IsConnectivityError(err) || !strings.Contains(err.Error(), "Bolt port") {
		t.Fatalf("VerifyConnectivity against an HTTP port = %v", err)
	}
}

func TestUnreachableServerIsConnectivityError(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	drv := newDriver(t, addr)
	if err := drv.VerifyConnectivity(ctxT(t)); !boltrx.IsConnectivityError(err) {
		t.Fatalf("VerifyConnectivity = %v", err)
	}
}

func TestWrongPasswordIsAuthError(t *testing.T) {
	srv := boltstub.Start(t, head5+`
C: HELLO ...
S: SUCCESS {"server": "Neo4j/5.20.0", "connection_id": "bolt-1"}
C: LOGON ...
S: FAILURE {"code": "Neo.ClientError.Security.Unauthorized", "message": "wrong password"}
expect close
`)
	drv := newDriver(t, srv.Addr())
	err := drv.VerifyConnectivity(ctxT(t))
	var ne *boltrx.Neo4jError
	if !errors.As(err, &ne) || ne.Code != "Neo.ClientError.Security.Unauthorized" {
		t.Fatalf("VerifyConnectivity = %v", err)
	}
}

func TestTelemetryMessageNamesTheAPI(t *testing.T) {
	script := head5 + `
C: HELLO {"user_agent": "boltrx/test", ...}
S: SUCCESS {"server": "Neo4j/5.20.0", "connection_id": "bolt-1", "hints": {"telemetry.enabled": true}}
C: LOGON ...
S: SUCCESS {}
C: TELEMETRY 3
C: BEGIN ...
C: RUN "RETURN 1" {} {}
C: PULL {"n": 1000}
S: SUCCESS {}
S: SUCCESS {}
S: SUCCESS {"fields": ["1"]}
S: RECORD [1]
S: SUCCESS {}
C: COMMIT
S: SUCCESS {"bookmark": "bm:1"}
C: TELEMETRY 2
C: RUN "RETURN 2" {} {"bookmarks": ["bm:1"]}
C: PULL {"n": 1000}
S: SUCCESS {}
S: SUCCESS {"fields": ["2"]}
S: SUCCESS {}
C: TELEMETRY 1
C: BEGIN ...
S: SUCCESS {}
S: SUCCESS {}
C: ROLLBACK
S: SUCCESS {}
`
	srv := boltstub.Start(t, script)
	drv := newDriver(t, srv.Addr())
	ctx := ctxT(t)
	if _, err := drv.ExecuteQuery(ctx, "RETURN 1", nil); err != nil {
		t.Fatal(err)
	}
	sess, _ := drv.NewSession(ctx, boltrx.SessionConfig{Bookmarks: boltrx.Bookmarks{"bm:1"}})
	defer sess.Close(ctx)
	res, err := sess.Run(ctx, "RETURN 2", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := res.Consume(ctx); err != nil {
		t.Fatal(err)
	}
	tx, err := sess.BeginTransaction(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestManagedRetryAfterFailedBeginSendsTelemetryOnce(t *testing.T) {
	srv := boltstub.Start(t, head5+`
anytime
  C: RESET
  S: SUCCESS {}
end
C: HELLO {"user_agent": "boltrx/test", ...}
S: SUCCESS {"server": "Neo4j/5.20.0", "connection_id": "bolt-1", "hints": {"telemetry.enabled": true}}
C: LOGON ...
S: SUCCESS {}
C: TELEMETRY 0
C: BEGIN ...
S: SUCCESS {}
S: FAILURE {"code": "Neo.TransientError.General.MemoryPoolOutOfMemoryError", "message": "try later"}
C: BEGIN ...
S: SUCCESS {}
C: RUN "MERGE (n:N)" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": []}
S: SUCCESS {"type": "w"}
C: COMMIT
S: SUCCESS {"bookmark": "bm:2"}
`)
	drv := newDriver(t, srv.Addr())
	ctx := ctxT(t)
	sess, _ := drv.NewSession(ctx, boltrx.SessionConfig{})
	defer sess.Close(ctx)
	calls := 0
	_, err := sess.ExecuteWrite(ctx, func(tx boltrx.ManagedTransaction) (any, error) {
		calls++
		r, err := tx.Run(ctx, "MERGE (n:N)", nil)
		if err == nil {
			_, err = r.Consume(ctx)
		}
		return nil, err
	})
	if err != nil {
		t.Fatal(err)
	}
	// The failed BEGIN was retried without a second TELEMETRY (the script
	// has none), and the work ran only once BEGIN succeeded.
	if calls != 1 {
		t.Fatalf("the work ran %d times, want 1", calls)
	}
}

func TestTelemetryCanBeSwitchedOff(t *testing.T) {
	srv := boltstub.Start(t, head5+`
C: HELLO {"user_agent": "boltrx/test", ...}
S: SUCCESS {"server": "Neo4j/5.20.0", "connection_id": "bolt-1", "hints": {"telemetry.enabled": true}}
C: LOGON ...
S: SUCCESS {}
C: RUN "RETURN 1" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["1"]}
S: SUCCESS {}
`)
	drv := newDriver(t, srv.Addr(), func(c *boltrx.Config) { c.TelemetryDisabled = true })
	ctx := ctxT(t)
	sess, _ := drv.NewSession(ctx, boltrx.SessionConfig{})
	defer sess.Close(ctx)
	res, err := sess.Run(ctx, "RETURN 1", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := res.Consume(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestBolt44SendsDatabaseAndImpersonation(t *testing.T) {
	srv := boltstub.Start(t, `
bolt 4.4
anytime
  C: GOODBYE
  close
end
C: HELLO {"user_agent": "boltrx/test", "scheme": "basic", "principal": "neo4j", "credentials": "secret", ...}
S: SUCCESS {"server": "Neo4j/4.4.0", "connection_id": "bolt-1"}
C: BEGIN {"db": "movies", "imp_user": "alice", "mode": "r"}
S: SUCCESS {}
C: RUN "MATCH (m) RETURN count(m)" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["count(m)"], "qid": 0}
S: RECORD [42]
S: SUCCESS {"type": "r", "db": "movies"}
C: COMMIT
S: SUCCESS {"bookmark": "bm:44"}
`)
	drv := newDriver(t, srv.Addr())
	ctx := ctxT(t)
	sess, _ := drv.NewSession(ctx, boltrx.SessionConfig{DatabaseName: "movies", ImpersonatedUser: "alice"})
	defer sess.Close(ctx)
	n, err := sess.ExecuteRead(ctx, func(tx boltrx.ManagedTransaction) (any, error) {
		r, err := tx.Run(ctx, "MATCH (m) RETURN count(m)", nil)
		if err != nil {
			return nil, err
		}
		rec, err := r.Single(ctx)
		if err != nil {
			return nil, err
		}
		return rec.Values[0], nil
	})
	if err != nil || n != int64(42) {
		t.Fatalf("ExecuteRead = %v, %v", n, err)
	}
}

func TestDatabaseOnBolt3IsUsageError(t *testing.T) {
	srv := boltstub.Start(t, `
bolt 3.0
anytime
  C: GOODBYE
  close
end
anytime
  C: RESET
  S: SUCCESS {}
end
C: HELLO ...
S: SUCCESS {"server": "Neo4j/3.5.0", "connection_id": "bolt-1"}
`)
	drv := newDriver(t, srv.Addr())
	ctx := ctxT(t)
	sess, _ := drv.NewSession(ctx, boltrx.SessionConfig{DatabaseName: "movies"})
	defer sess.Close(ctx)
	_, err := sess.Run(ctx, "RETURN 1", nil)
	if !errors.Is(err, boltrx.ErrUsage) || !strings.Contains(err.Error(), "4.0") {
		t.Fatalf("Run with a database on Bolt 3 = %v", err)
	}
}

func TestRecvTimeoutHintBreaksAStalledConnection(t *testing.T) {
	srv := boltstub.Start(t, head5+`
C: HELLO ...
S: SUCCESS {"server": "Neo4j/5.20.0", "connection_id": "bolt-1", "hints": {"connection.recv_timeout_seconds": 1}}
C: LOGON ...
S: SUCCESS {}
C: RUN "RETURN 1" {} {}
C: PULL {"n": 1000}
stall
`)
	drv := newDriver(t, srv.Addr())
	ctx := ctxT(t)
	sess, _ := drv.NewSession(ctx, boltrx.SessionConfig{})
	defer sess.Close(ctx)
	res, err := sess.Run(ctx, "RETURN 1", nil)
	if err == nil {
		_, err = res.Collect(ctx)
	}
	if !boltrx.IsConnectivityError(err) || !strings.Contains(err.Error(), "recv_timeout") {
		t.Fatalf("a server silent past its recv timeout: %v", err)
	}
}

func TestRecvTimeoutHintIsKeptAliveByNoops(t *testing.T) {
	srv := boltstub.Start(t, head5+`
C: HELLO ...
S: SUCCESS {"server": "Neo4j/5.20.0", "connection_id": "bolt-1", "hints": {"connection.recv_timeout_seconds": 1}}
C: LOGON ...
S: SUCCESS {}
C: RUN "RETURN 1" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["1"]}
sleep 600ms
noop
sleep 600ms
noop
sleep 600ms
S: RECORD [1]
S: SUCCESS {}
`)
	drv := newDriver(t, srv.Addr())
	ctx := ctxT(t)
	sess, _ := drv.NewSession(ctx, boltrx.SessionConfig{})
	defer sess.Close(ctx)
	res, err := sess.Run(ctx, "RETURN 1", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := res.Single(ctx); err != nil {
		t.Fatalf("NOOPs every 600 ms did not keep the connection alive under a 1 s hint: %v", err)
	}
}

func TestMalformedResponseBreaksOnlyItsConnection(t *testing.T) {
	srv := boltstub.Start(t, head5+`
connection 1
`+hello5+`
C: RUN "RETURN 1" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["x"]}
raw 00 03 b1 71 c5 00 00
expect close

connection 2
`+hello5+`
C: RUN "RETURN 2" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["x"]}
S: RECORD [2]
S: SUCCESS {}
`)
	drv := newDriver(t, srv.Addr())
	ctx := ctxT(t)
	sess, _ := drv.NewSession(ctx, boltrx.SessionConfig{})
	res, err := sess.Run(ctx, "RETURN 1", nil)
	if err == nil {
		_, err = res.Collect(ctx)
	}
	var perr *bolt.ProtocolError
	if !boltrx.IsConnectivityError(err) || !errors.As(err, &perr) {
		t.Fatalf("a RECORD with an unknown marker gave %v (%T), want a ConnectivityError wrapping a *bolt.ProtocolError", err, err)
	}
	sess.Close(ctx)
	// The broken connection was dropped; the next session gets a new one.
	sess2, _ := drv.NewSession(ctx, boltrx.SessionConfig{})
	defer sess2.Close(ctx)
	res, err = sess2.Run(ctx, "RETURN 2", nil)
	if err != nil {
		t.Fatal(err)
	}
	if rec, err := res.Single(ctx); err != nil || rec.Values[0] != int64(2) {
		t.Fatalf("the next session: %v, %v", rec, err)
	}
}

func TestPolyfilledGqlStatusSaysWhetherThereWereRecords(t *testing.T) {
	srv := boltstub.Start(t, head5+hello5+`
C: RUN "RETURN 1" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["1"]}
S: RECORD [1]
S: SUCCESS {"type": "r"}
C: RUN "MATCH (n:None) RETURN n" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["n"]}
S: SUCCESS {"type": "r"}
`)
	drv := newDriver(t, srv.Addr())
	ctx := ctxT(t)
	sess, _ := drv.NewSession(ctx, boltrx.SessionConfig{})
	defer sess.Close(ctx)
	for _, c := range []struct{ query, want string }{{"RETURN 1", "00000"}, {"MATCH (n:None) RETURN n", "02000"}} {
		query, want := c.query, c.want
		res, err := sess.Run(ctx, query, nil)
		if err != nil {
			t.Fatal(err)
		}
		sum, err := res.Consume(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got := sum.GqlStatusObjects()[0].GqlStatus(); got != want {
			t.Errorf("%s: first GQL status %s, want %s (5.4 sends no statuses: the driver derives them)", query, got, want)
		}
	}
}

func TestReadingAConsumedResultIsAUsageError(t *testing.T) {
	srv := boltstub.Start(t, head5+hello5+`
C: RUN "RETURN 1" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["1"]}
S: RECORD [1]
S: SUCCESS {}
C: BEGIN {}
S: SUCCESS {}
C: RUN "RETURN 2" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["2"], "qid": 0}
S: RECORD [2]
S: SUCCESS {}
C: COMMIT
S: SUCCESS {"bookmark": "bm"}
`)
	drv := newDriver(t, srv.Addr())
	ctx := ctxT(t)
	sess, _ := drv.NewSession(ctx, boltrx.SessionConfig{})
	defer sess.Close(ctx)
	res, _ := sess.Run(ctx, "RETURN 1", nil)
	if _, err := res.Consume(ctx); err != nil {
		t.Fatal(err)
	}
	if res.Next(ctx) || !errors.Is(res.Err(), boltrx.ErrResultConsumed) {
		t.Fatalf("Next after Consume = true or Err %v, want ErrResultConsumed", res.Err())
	}
	if _, err := res.Consume(ctx); err != nil {
		t.Fatalf("a second Consume: %v", err)
	}
	tx, _ := sess.BeginTransaction(ctx)
	inTx, _ := tx.Run(ctx, "RETURN 2", nil)
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if _, ok := inTx.Peek(ctx); ok || !errors.Is(inTx.Err(), boltrx.ErrResultConsumed) {
		t.Fatalf("Peek after the transaction ended: ok=%v, Err %v", ok, inTx.Err())
	}
}

func TestFailedTransactionRefusesFurtherWork(t *testing.T) {
	srv := boltstub.Start(t, head5+`
anytime
  C: RESET
  S: SUCCESS {}
end
`+hello5+`
C: BEGIN {}
S: SUCCESS {}
C: RUN "invalid" {} {}
C: PULL {"n": 1000}
S: FAILURE {"code": "Neo.ClientError.MadeUp.Code", "message": "no"}
S: IGNORED
`)
	drv := newDriver(t, srv.Addr())
	ctx := ctxT(t)
	sess, _ := drv.NewSession(ctx, boltrx.SessionConfig{})
	defer sess.Close(ctx)
	tx, _ := sess.BeginTransaction(ctx)
	res, err := tx.Run(ctx, "invalid", nil)
	if err == nil {
		_, err = res.Collect(ctx)
	}
	var ne *boltrx.Neo4jError
	if !errors.As(err, &ne) || ne.Code != "Neo.ClientError.MadeUp.Code" {
		t.Fatalf("the failing query: %v", err)
	}
	if _, err := tx.Run(ctx, "RETURN 1", nil); !errors.Is(err, boltrx.ErrTransactionTerminated) || !errors.As(err, &ne) {
		t.Fatalf("Run after the failure = %v, want ErrTransactionTerminated wrapping the failure", err)
	}
	if err := tx.Commit(ctx); !errors.Is(err, boltrx.ErrTransactionTerminated) {
		t.Fatalf("Commit after the failure = %v, want ErrTransactionTerminated", err)
	}
	if err := tx.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

func TestSessionCloseAfterFailedResultReportsNothing(t *testing.T) {
	srv := boltstub.Start(t, head5+`
anytime
  C: RESET
  S: SUCCESS {}
end
`+hello5+`
C: RUN "RETURN x" {} {}
C: PULL {"n": 1000}
S: FAILURE {"code": "Neo.ClientError.Statement.SyntaxError", "message": "Variable x not defined"}
S: IGNORED
`)
	drv := newDriver(t, srv.Addr())
	ctx := ctxT(t)
	sess, err := drv.NewSession(ctx, boltrx.SessionConfig{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := sess.Run(ctx, "RETURN x", nil)
	if err == nil {
		_, err = res.Consume(ctx)
	}
	var ne *boltrx.Neo4jError
	if !errors.As(err, &ne) || ne.Code != "Neo.ClientError.Statement.SyntaxError" {
		t.Fatalf("err = %v, want the syntax error", err)
	}
	// The result reported its failure; closing the session is clean.
	if err := sess.Close(ctx); err != nil {
		t.Fatalf("Close = %v, want nil", err)
	}
}

// handshakeOffer returns the 16 proposal bytes a driver with configure
// sends to a listener that reads the handshake and hangs up.
func handshakeOffer(t *testing.T, configure func(*boltrx.Config)) []byte {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	got := make(chan []byte, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			got <- nil
			return
		}
		defer c.Close()
		buf := make([]byte, 20)
		_ = c.SetDeadline(time.Now().Add(5 * time.Second))
		if _, err := io.ReadFull(c, buf); err != nil {
			got <- nil
			return
		}
		got <- buf[4:]
	}()
	drv, err := boltrx.NewDriver("bolt://"+ln.Addr().String(), boltrx.NoAuth(), configure)
	if err != nil {
		t.Fatal(err)
	}
	ctx := ctxT(t)
	defer drv.Close(ctx)
	if err := drv.VerifyConnectivity(ctx); err == nil {
		t.Fatal("VerifyConnectivity succeeded against a server that hangs up")
	}
	return <-got
}

func TestPreRangeHandshakeOffersBolt41InsteadOfTheManifest(t *testing.T) {
	def := handshakeOffer(t, nil)
	if want := []byte{0, 0, 1, 0xFF, 0, 8, 8, 5, 0, 4, 4, 4, 0, 0, 0, 3}; !bytes.Equal(def, want) {
		t.Errorf("default offer % X, want % X", def, want)
	}
	pre := handshakeOffer(t, func(c *boltrx.Config) { c.PreRangeHandshake = true })
	if want := []byte{0, 8, 8, 5, 0, 2, 4, 4, 0, 0, 1, 4, 0, 0, 0, 3}; !bytes.Equal(pre, want) {
		t.Errorf("pre-range offer % X, want % X", pre, want)
	}
}
