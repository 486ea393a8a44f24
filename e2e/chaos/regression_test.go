package chaos

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/boltrx/boltrx"
	"github.com/boltrx/boltrx/e2e/cluster"
)

// Driver bugs the chaos run found, each checked on its own.

// A connection lost during the COMMIT of a read transaction is retried by
// ExecuteRead: a read changed nothing, so the unknown outcome does not
// matter (the chaos readers failed with "the transaction may or may not
// have been committed"). ExecuteWrite still gives up, since its commit
// may have happened.
func TestConnectionLostDuringCommit(t *testing.T) {
	c, err := cluster.Start(context.Background(), cluster.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	drv, err := boltrx.NewDriver("neo4j://"+c.Addr(0), boltrx.BasicAuth("neo4j", "pass", ""),
		func(cfg *boltrx.Config) { cfg.MaxTransactionRetryTime = 10 * time.Second })
	if err != nil {
		t.Fatal(err)
	}
	defer drv.Close(context.Background())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	dropCommits := func() {
		for i := range c.Size() {
			if err := c.Inject(i, cluster.Match{Message: "COMMIT"}, cluster.Disconnect); err != nil {
				t.Fatal(err)
			}
		}
	}
	work := func(tx boltrx.ManagedTransaction) (any, error) {
		res, err := tx.Run(ctx, "MERGE (n:Commit {k: 1}) RETURN n.k AS k", nil)
		if err != nil {
			return nil, err
		}
		return res.Consume(ctx)
	}
	read := func(tx boltrx.ManagedTransaction) (any, error) {
		res, err := tx.Run(ctx, "RETURN 1 AS x", nil)
		if err != nil {
			return nil, err
		}
		return res.Single(ctx)
	}

	sess, err := drv.NewSession(ctx, boltrx.SessionConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close(ctx)
	if _, err := sess.ExecuteRead(ctx, read); err != nil { // routing table known
		t.Fatal(err)
	}
	dropCommits()
	if _, err := sess.ExecuteRead(ctx, read); err != nil {
		t.Fatalf("ExecuteRead with a COMMIT lost: %v, want a retry", err)
	}
	c.ClearInjections()

	dropCommits()
	_, err = sess.ExecuteWrite(ctx, work)
	var ce *boltrx.ConnectivityError
	if !errors.As(err, &ce) || boltrx.IsRetryable(err) {
		t.Fatalf("ExecuteWrite with a COMMIT lost: %v, want a ConnectivityError that is not retried", err)
	}
}
