package drivertest_test

import (
	"errors"
	"testing"

	"github.com/boltrx/boltrx"
	"github.com/boltrx/boltrx/bolt"
	"github.com/boltrx/boltrx/e2e/boltstub"
)

func TestZeroTxTimeoutMeansNoTimeoutOnTheWire(t *testing.T) {
	srv := boltstub.Start(t, head5+hello5+`
C: RUN "RETURN 1" {} {"tx_timeout": 0}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["1"]}
S: RECORD [1]
S: SUCCESS {}
C: BEGIN {"tx_timeout": 0}
S: SUCCESS {}
C: COMMIT
S: SUCCESS {"bookmark": "bm"}
C: RUN "RETURN 2" {} {"bookmarks": ["bm"]}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["2"]}
S: RECORD [2]
S: SUCCESS {}
`)
	drv := newDriver(t, srv.Addr())
	ctx := ctxT(t)
	sess, _ := drv.NewSession(ctx, boltrx.SessionConfig{})
	defer sess.Close(ctx)
	res, err := sess.Run(ctx, "RETURN 1", nil, boltrx.WithTxTimeout(0))
	if err == nil {
		_, err = res.Consume(ctx)
	}
	if err != nil {
		t.Fatal(err)
	}
	tx, err := sess.BeginTransaction(ctx, boltrx.WithTxTimeout(0))
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	// Without WithTxTimeout the server's default applies: nothing is sent.
	res, err = sess.Run(ctx, "RETURN 2", nil)
	if err == nil {
		_, err = res.Consume(ctx)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// A result whose transaction another query's failure terminated hands out
// the records it received and then fails, without asking the server for
// more; Run right after the failure is refused with the failure as cause.
func TestResultFailsWithItsTerminatedTransaction(t *testing.T) {
	srv := boltstub.Start(t, head5+resetAnytime+hello5+`
C: BEGIN {}
S: SUCCESS {}
C: RUN "UNWIND range(1, 9) AS n RETURN n" {} {}
C: PULL {"n": 2}
S: SUCCESS {"fields": ["n"], "qid": 0}
S: RECORD [1]
S: RECORD [2]
S: SUCCESS {"has_more": true}
C: RUN "invalid" {} {}
C: PULL {"n": 2}
S: FAILURE {"code": "Neo.ClientError.Statement.SyntaxError", "message": "Invalid input"}
S: IGNORED
`)
	drv := newDriver(t, srv.Addr(), func(c *boltrx.Config) { c.FetchSize = 2 })
	ctx := ctxT(t)
	sess, _ := drv.NewSession(ctx, boltrx.SessionConfig{})
	defer sess.Close(ctx)
	tx, err := sess.BeginTransaction(ctx)
	if err != nil {
		t.Fatal(err)
	}
	first, err := tx.Run(ctx, "UNWIND range(1, 9) AS n RETURN n", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := first.Keys(ctx); err != nil {
		t.Fatal(err)
	}
	failing, err := tx.Run(ctx, "invalid", nil)
	if err != nil {
		t.Fatal(err)
	}
	var ne *boltrx.Neo4jError
	if _, err := failing.Keys(ctx); !errors.As(err, &ne) || ne.Code != "Neo.ClientError.Statement.SyntaxError" {
		t.Fatalf("the failing query: %v", err)
	}
	// At once, before the failing result's stream has ended.
	if _, err := tx.Run(ctx, "RETURN 1", nil); !errors.Is(err, boltrx.ErrTransactionTerminated) || !errors.As(err, &ne) {
		t.Fatalf("Run after the failure = %v, want ErrTransactionTerminated wrapping the failure", err)
	}
	var got []any
	for first.Next(ctx) {
		got = append(got, first.Record().Values[0])
	}
	if len(got) != 2 {
		t.Fatalf("records %v, want the 2 received before the failure", got)
	}
	err = first.Err()
	if !errors.Is(err, boltrx.ErrTransactionTerminated) || !errors.As(err, &ne) || ne.Code != "Neo.ClientError.Statement.SyntaxError" {
		t.Fatalf("the first result ended with %v, want ErrTransactionTerminated wrapping the failure", err)
	}
	if _, err := first.Consume(ctx); !errors.Is(err, boltrx.ErrTransactionTerminated) {
		t.Fatalf("Consume = %v, want ErrTransactionTerminated", err)
	}
	if err := tx.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

// ExecuteWrite sends BEGIN on its own and waits for the answer: a BEGIN
// the server refuses never runs the work function.
func TestManagedTransactionBeginsBeforeTheWork(t *testing.T) {
	srv := boltstub.Start(t, head5+resetAnytime+hello5+`
C: BEGIN {}
S: FAILURE {"code": "Neo.ClientError.MadeUp.Code", "message": "no"}
`)
	drv := newDriver(t, srv.Addr())
	ctx := ctxT(t)
	sess, _ := drv.NewSession(ctx, boltrx.SessionConfig{})
	defer sess.Close(ctx)
	calls := 0
	_, err := sess.ExecuteWrite(ctx, func(tx boltrx.ManagedTransaction) (any, error) {
		calls++
		return nil, nil
	})
	var ne *boltrx.Neo4jError
	if !errors.As(err, &ne) || ne.Code != "Neo.ClientError.MadeUp.Code" {
		t.Fatalf("ExecuteWrite = %v, want the BEGIN failure", err)
	}
	if calls != 0 {
		t.Fatalf("the work ran %d times, want 0", calls)
	}
}

// A query type that is none of "r", "w", "rw" and "s" breaks the
// protocol.
func TestUnknownQueryTypeIsAProtocolError(t *testing.T) {
	srv := boltstub.Start(t, head5+hello5+`
C: RUN "RETURN 1" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["1"]}
S: RECORD [1]
S: SUCCESS {"type": "wr"}
`)
	drv := newDriver(t, srv.Addr())
	ctx := ctxT(t)
	sess, _ := drv.NewSession(ctx, boltrx.SessionConfig{})
	defer sess.Close(ctx)
	res, err := sess.Run(ctx, "RETURN 1", nil)
	if err == nil {
		_, err = res.Consume(ctx)
	}
	var pe *bolt.ProtocolError
	if !boltrx.IsConnectivityError(err) || !errors.As(err, &pe) {
		t.Fatalf("Consume = %v, want a ConnectivityError wrapping a *bolt.ProtocolError", err)
	}
}
