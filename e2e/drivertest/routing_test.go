package drivertest_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/boltrx/boltrx"
	"github.com/boltrx/boltrx/bolt"
	"github.com/boltrx/boltrx/e2e/cluster"
	"github.com/boltrx/boltrx/e2e/server"
)

func clusterDriver(t *testing.T, c *cluster.Cluster, configure ...func(*boltrx.Config)) *boltrx.Driver {
	t.Helper()
	drv, err := boltrx.NewDriver("neo4j://"+c.Addr(0), boltrx.BasicAuth("neo4j", "pass", ""), configure...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = drv.Close(context.Background()) })
	return drv
}

func writeNode(ctx context.Context, drv *boltrx.Driver, cfg boltrx.SessionConfig, label string, i int) (boltrx.Bookmarks, error) {
	sess, err := drv.NewSession(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer sess.Close(ctx)
	_, err = sess.ExecuteWrite(ctx, func(tx boltrx.ManagedTransaction) (any, error) {
		r, err := tx.Run(ctx, "CREATE (n:"+label+" {i: $i})", map[string]any{"i": i})
		if err != nil {
			return nil, err
		}
		return r.Consume(ctx)
	})
	return sess.LastBookmarks(), err
}

func countNodes(ctx context.Context, drv *boltrx.Driver, cfg boltrx.SessionConfig, label string) (int64, error) {
	sess, err := drv.NewSession(ctx, cfg)
	if err != nil {
		return 0, err
	}
	defer sess.Close(ctx)
	n, err := sess.ExecuteRead(ctx, func(tx boltrx.ManagedTransaction) (any, error) {
		r, err := tx.Run(ctx, "MATCH (n:"+label+") RETURN count(n) AS c", nil)
		if err != nil {
			return nil, err
		}
		rec, err := r.Single(ctx)
		if err != nil {
			return nil, err
		}
		return rec.Values[0], nil
	})
	if err != nil {
		return 0, err
	}
	return n.(int64), nil
}

// TestRoutingPerVersionFamily writes through the leader and reads from a
// follower on clusters pinned to each way of fetching a routing table:
// the 3.x and 4.0-4.2 procedures, ROUTE of 4.3, ROUTE with extra of 4.4+.
func TestRoutingPerVersionFamily(t *testing.T) {
	for _, v := range []bolt.Version{bolt.V3_0, bolt.V4_2, bolt.V4_3, bolt.V4_4, bolt.V5_8, bolt.V6_0} {
		t.Run(v.String(), func(t *testing.T) {
			c := cluster.StartT(t, cluster.Config{Versions: server.VersionRange(v, v)})
			drv := clusterDriver(t, c)
			ctx := ctxT(t)
			bms, err := writeNode(ctx, drv, boltrx.SessionConfig{}, "Family", 1)
			if err != nil {
				t.Fatal(err)
			}
			n, err := countNodes(ctx, drv, boltrx.SessionConfig{Bookmarks: bms}, "Family")
			if err != nil || n != 1 {
				t.Fatalf("read with the write's bookmarks: %d, %v", n, err)
			}
			// From 4.4 the answer names the home database; before, the
			// table is filed under the database asked for, "".
			name := ""
			if v.AtLeast(bolt.V4_4) {
				name = "neo4j"
			}
			table, ok := drv.RoutingTable(name)
			if !ok || len(table.Routers) != 3 || len(table.Writers) != 1 || len(table.Readers) != 2 {
				t.Fatalf("routing table %q = %+v, %v; want 3 routers, 1 writer, 2 readers", name, table, ok)
			}
		})
	}
}

func TestReadsSpreadEvenlyOverFollowers(t *testing.T) {
	c := cluster.StartT(t, cluster.Config{Members: 3})
	drv := clusterDriver(t, c)
	ctx := ctxT(t)
	before := make([]int64, c.Size())
	for i := range before {
		before[i] = c.Server(i).Stats().Records
	}
	const reads = 3000
	for i := 0; i < reads; i++ {
		if _, err := drv.ExecuteQuery(ctx, "RETURN 1", nil, boltrx.ExecuteQueryWithReadersRouting()); err != nil {
			t.Fatal(err)
		}
	}
	leader := c.Leader(cluster.DefaultDatabase)
	for i := 0; i < c.Size(); i++ {
		got := c.Server(i).Stats().Records - before[i]
		if i == leader {
			if got != 0 {
				t.Errorf("the leader served %d reads", got)
			}
			continue
		}
		if even := int64(reads / (c.Size() - 1)); got < even*8/10 || got > even*12/10 {
			t.Errorf("member %d served %d reads, want within 20%% of %d", i, got, even)
		}
	}
}

func TestLeaderMovedDuringWritesLosesNothing(t *testing.T) {
	c := cluster.StartT(t, cluster.Config{Members: 3})
	drv := clusterDriver(t, c, func(cfg *boltrx.Config) { cfg.MaxTransactionRetryTime = 20 * time.Second })
	ctx := ctxT(t)
	const writes = 200
	for i := 0; i < writes; i++ {
		if i == writes/2 {
			to := (c.Leader(cluster.DefaultDatabase) + 1) % c.Size()
			if err := c.MoveLeader(cluster.DefaultDatabase, to); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := writeNode(ctx, drv, boltrx.SessionConfig{}, "Moved", i); err != nil {
			t.Fatalf("write %d surfaced an error: %v", i, err)
		}
	}
	n, err := countNodes(ctx, drv, boltrx.SessionConfig{}, "Moved")
	if err != nil {
		t.Fatal(err)
	}
	// The read may run on a follower that has not caught up: count on
	// the store as well, which is exact.
	if n > writes {
		t.Fatalf("%d nodes after %d writes", n, writes)
	}
	db, _ := c.Store().Database(cluster.DefaultDatabase)
	leader := db.Replica(db.Leader())
	tx, _ := leader.Begin(0)
	res, err := tx.Run(ctx, "MATCH (n:Moved) RETURN count(n) AS c", nil)
	if err != nil {
		t.Fatal(err)
	}
	_ = tx.Rollback()
	if got := res.Rows[0][0]; got != int64(writes) {
		t.Fatalf("the store holds %v nodes after %d writes", got, writes)
	}
}

func TestBookmarkManagerChainsSessionsDespiteLag(t *testing.T) {
	c := cluster.StartT(t, cluster.Config{Members: 3, Lag: 5 * time.Millisecond})
	drv := clusterDriver(t, c)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	manager := boltrx.NewBookmarkManager(boltrx.BookmarkManagerConfig{})
	cfg := boltrx.SessionConfig{BookmarkManager: manager}
	for i := 1; i <= 500; i++ {
		if _, err := writeNode(ctx, drv, cfg, "Chained", i); err != nil {
			t.Fatal(err)
		}
		n, err := countNodes(ctx, drv, boltrx.SessionConfig{BookmarkManager: manager, AccessMode: boltrx.AccessModeRead}, "Chained")
		if err != nil {
			t.Fatal(err)
		}
		if n != int64(i) {
			t.Fatalf("read %d saw %d nodes: the write is missing", i, n)
		}
	}
}

func TestMemberKilledAndRestarted(t *testing.T) {
	c := cluster.StartT(t, cluster.Config{Members: 3})
	drv := clusterDriver(t, c)
	ctx := ctxT(t)
	if _, err := writeNode(ctx, drv, boltrx.SessionConfig{}, "Killed", 0); err != nil {
		t.Fatal(err)
	}
	if err := c.Kill(0); err != nil { // the initial router, and the leader
		t.Fatal(err)
	}
	for i := 1; i <= 20; i++ {
		if _, err := writeNode(ctx, drv, boltrx.SessionConfig{}, "Killed", i); err != nil {
			t.Fatalf("write %d after the kill: %v", i, err)
		}
	}
	if err := c.Restart(0); err != nil {
		t.Fatal(err)
	}
	for i := 21; i <= 30; i++ {
		if _, err := writeNode(ctx, drv, boltrx.SessionConfig{}, "Killed", i); err != nil {
			t.Fatalf("write %d after the restart: %v", i, err)
		}
	}
}

func TestAllRoutersDownIsServiceUnavailable(t *testing.T) {
	c := cluster.StartT(t, cluster.Config{Members: 2})
	drv := clusterDriver(t, c, func(cfg *boltrx.Config) { cfg.MaxTransactionRetryTime = 100 * time.Millisecond })
	ctx := ctxT(t)
	for i := 0; i < c.Size(); i++ {
		if err := c.Kill(i); err != nil {
			t.Fatal(err)
		}
	}
	_, err := drv.ExecuteQuery(ctx, "RETURN 1", nil, boltrx.ExecuteQueryWithReadersRouting())
	if !boltrx.IsConnectivityError(err) {
		t.Fatalf("ExecuteQuery with every member down = %v, want a ConnectivityError", err)
	}
}

func TestMultipleDatabasesAndBoundedTableMap(t *testing.T) {
	c := cluster.StartT(t, cluster.Config{Members: 3, Databases: []string{"movies"}})
	drv := clusterDriver(t, c)
	ctx := ctxT(t)
	if _, err := writeNode(ctx, drv, boltrx.SessionConfig{DatabaseName: "movies"}, "Film", 1); err != nil {
		t.Fatal(err)
	}
	if n, err := countNodes(ctx, drv, boltrx.SessionConfig{DatabaseName: "neo4j"}, "Film"); err != nil || n != 0 {
		t.Fatalf("neo4j holds %d films (%v): databases are not kept apart", n, err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 1000)
	for i := 0; i < 1000; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			_, err := drv.ExecuteQuery(ctx, "RETURN 1", nil, boltrx.ExecuteQueryWithDatabase(fmt.Sprintf("missing%d", i)))
			errs <- err
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err == nil {
			t.Fatal("a query on a database that does not exist succeeded")
		}
	}
	// No table is kept for a database that does not exist (the router's
	// own tests check that its entry is dropped as well).
	for i := 0; i < 1000; i++ {
		if table, ok := drv.RoutingTable(fmt.Sprintf("missing%d", i)); ok {
			t.Fatalf("the driver holds a routing table for missing%d: %+v", i, table)
		}
	}
}
