package main

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/neo4j/neo4j-go-driver/v6/neo4j"

	"github.com/boltrx/boltrx/e2e/cluster"
)

// TestOfficialDriverAgainstSimulatedCluster shows the simulated cluster is
// protocol-exact enough for neo4j-go-driver v6: through neo4j:// it routes
// writes to the leader and reads to followers, a read with the write's
// bookmarks sees the write despite replication lag, and writing goes on
// after the leader moves to another member.
func TestOfficialDriverAgainstSimulatedCluster(t *testing.T) {
	c := cluster.StartT(t, cluster.Config{Members: 3, Lag: 20 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	driver, err := neo4j.NewDriver("neo4j://"+c.Addr(0), neo4j.BasicAuth("neo4j", "pass", ""))
	if err != nil {
		t.Fatal(err)
	}
	defer driver.Close(ctx)
	if err := driver.VerifyConnectivity(ctx); err != nil {
		t.Fatal(err)
	}

	write := func(i int) neo4j.Bookmarks {
		t.Helper()
		sess := driver.NewSession(ctx, neo4j.SessionConfig{AccessMode: neo4j.AccessModeWrite})
		defer sess.Close(ctx)
		_, err := sess.ExecuteWrite(ctx, func(tx neo4j.ManagedTransaction) (any, error) {
			res, err := tx.Run(ctx, "CREATE (n:Official {i: $i}) RETURN n.i AS i", map[string]any{"i": i})
			if err != nil {
				return nil, err
			}
			return res.Single(ctx)
		})
		if err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
		return sess.LastBookmarks()
	}
	read := func(i int, bookmarks neo4j.Bookmarks) {
		t.Helper()
		sess := driver.NewSession(ctx, neo4j.SessionConfig{AccessMode: neo4j.AccessModeRead, Bookmarks: bookmarks})
		defer sess.Close(ctx)
		n, err := sess.ExecuteRead(ctx, func(tx neo4j.ManagedTransaction) (any, error) {
			res, err := tx.Run(ctx, "MATCH (n:Official {i: $i}) RETURN count(n) AS c", map[string]any{"i": i})
			if err != nil {
				return nil, err
			}
			rec, err := res.Single(ctx)
			if err != nil {
				return nil, err
			}
			return rec.Values[0], nil
		})
		if err != nil {
			t.Fatalf("read %d: %v", i, err)
		}
		if n != int64(1) {
			t.Fatalf("read %d with the write's bookmarks saw %v nodes, want 1", i, n)
		}
	}

	for i := 0; i < 20; i++ {
		read(i, write(i))
		if i == 9 {
			from := c.Leader(cluster.DefaultDatabase)
			to := (from + 1) % c.Size()
			if err := c.MoveLeader(cluster.DefaultDatabase, to); err != nil {
				t.Fatal(err)
			}
			t.Logf("moved the leader from member %d to member %d", from, to)
		}
	}
	res, err := neo4j.ExecuteQuery(ctx, driver, "MATCH (n:Official) RETURN count(n) AS c", nil, neo4j.EagerResultTransformer)
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Records[0].Values[0]; got != int64(20) {
		t.Fatalf("%v nodes after 20 writes, want 20", got)
	}
	fmt.Println("official driver: 20 writes and bookmark-chained reads, leader moved once: ok")
}
