package clustertest

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/boltrx/boltrx"
	"github.com/boltrx/boltrx/e2e/cluster"
)

// goleak checks, after all tests, that every driver was closed: a
// goroutine left behind fails the run.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// db is the database the inventory lives in: the cluster's default (and
// the home database of every user).
const db = cluster.DefaultDatabase

// startCluster starts a simulated cluster for one test and a driver for
// it. The URI names member 0 with neo4j://, so the driver routes: it asks
// member 0 for the routing table, then sends writes to the leader and
// reads to the followers, as with a real cluster. Both are closed when the
// test ends (the driver first).
func startCluster(t *testing.T, cfg cluster.Config) (*cluster.Cluster, *boltrx.Driver) {
	t.Helper()
	c := cluster.StartT(t, cfg)
	driver, err := boltrx.NewDriver("neo4j://"+c.Addr(0), boltrx.BasicAuth("neo4j", "any password", ""),
		func(cfg *boltrx.Config) { cfg.MaxTransactionRetryTime = 15 * time.Second })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = driver.Close(context.Background()) })
	return c, driver
}

// testContext bounds a test, so that a hang fails it instead of the
// whole run.
func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// newInventory returns the application's Inventory with a bookmark
// manager of its own, set up.
func newInventory(ctx context.Context, t *testing.T, driver *boltrx.Driver) *Inventory {
	t.Helper()
	inv := NewInventory(driver, boltrx.NewBookmarkManager(boltrx.BookmarkManagerConfig{}))
	if err := inv.Setup(ctx); err != nil {
		t.Fatal(err)
	}
	return inv
}

// recordsServed returns how many records each member has sent so far (0
// for a member that is down). A member's count starts again from 0 when
// it is restarted.
func recordsServed(c *cluster.Cluster) []int64 {
	out := make([]int64, c.Size())
	for i := range out {
		if srv := c.Server(i); srv != nil {
			out[i] = srv.Stats().Records
		}
	}
	return out
}

// (a) Causal chaining. The followers apply each commit 50 ms after the
// leader, and every CountItems runs on a follower, in a new session. The
// bookmark manager hands each read the bookmark of the write before it, so
// the follower waits until it has applied that write before it answers:
// every read sees the preceding write.
func TestEveryReadSeesThePrecedingWrite(t *testing.T) {
	c, driver := startCluster(t, cluster.Config{Members: 3, Lag: 50 * time.Millisecond})
	ctx := testContext(t)
	inv := newInventory(ctx, t, driver)
	before := recordsServed(c)

	const writes = 20
	for i := 1; i <= writes; i++ {
		if err := inv.AddItem(ctx, fmt.Sprintf("item-%02d", i)); err != nil {
			t.Fatalf("add %d: %v", i, err)
		}
		n, err := inv.CountItems(ctx)
		if err != nil {
			t.Fatalf("count after add %d: %v", i, err)
		}
		if n != int64(i) {
			t.Fatalf("the read after add %d counted %d items: it missed a write", i, n)
		}
	}

	// The reads really went to the lagging followers (the writes return
	// no records, so the leader sent none).
	after := recordsServed(c)
	leader := c.Leader(db)
	var onFollowers int64
	for i := range after {
		if i != leader {
			onFollowers += after[i] - before[i]
		}
	}
	if onFollowers != writes || after[leader] != before[leader] {
		t.Errorf("followers answered %d counts, the leader %d; want all %d on followers", onFollowers, after[leader]-before[leader], writes)
	}
}

// The counter-example that makes (a) worth testing: without a bookmark
// manager nothing tells the follower to wait, so a read right after a
// write can miss it. The lag is an hour here to make that certain; in
// production it is usually milliseconds, which is what makes the bug rare
// and hard to find.
func TestWithoutBookmarksAReadCanMissTheWrite(t *testing.T) {
	_, driver := startCluster(t, cluster.Config{Members: 3, Lag: time.Hour})
	ctx := testContext(t)
	inv := NewInventory(driver, nil)
	if err := inv.AddItem(ctx, "written"); err != nil {
		t.Fatal(err)
	}
	n, err := inv.CountItems(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("a follower an hour behind counted %d items; the test no longer shows stale reads", n)
	}
}

// keepAdding runs workers goroutines that each add perWorker items
// through inv, and calls step on the test's goroutine after each item
// added (done counts them). Each worker waits until step has seen its item
// before it adds the next, so step runs while the other workers are in
// the middle of their transactions. It returns the first error a worker
// got, and nil when every item was added.
func keepAdding(ctx context.Context, inv *Inventory, workers, perWorker int, step func(done int) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	added := make(chan struct{})
	failed := make(chan error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWorker {
				if err := inv.AddItem(ctx, fmt.Sprintf("worker-%d-item-%03d", w, i)); err != nil {
					failed <- fmt.Errorf("worker %d, item %d: %w", w, i, err)
					return
				}
				select {
				case added <- struct{}{}:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	defer wg.Wait() // after cancel: no worker outlives the call
	for done := 1; done <= workers*perWorker; done++ {
		select {
		case <-added:
		case err := <-failed:
			return err
		}
		if err := step(done); err != nil {
			return err
		}
	}
	return nil
}

// (b) The leader moves while the application writes. Three workers add
// items with ExecuteWrite; after a third of the items, and again after two
// thirds, the leadership moves to another member. Transactions open on
// the old leader fail there with NotALeader; the driver drops the member
// from its writers, fetches a new routing table and runs the transaction
// again on the new leader. The application sees no error, and the count
// shows that nothing was lost (nor written twice).
func TestLeaderMovesWhileTheApplicationWrites(t *testing.T) {
	c, driver := startCluster(t, cluster.Config{Members: 3})
	ctx := testContext(t)
	inv := newInventory(ctx, t, driver)

	const workers, perWorker = 3, 40
	total := workers * perWorker
	var leaders []int
	err := keepAdding(ctx, inv, workers, perWorker, func(done int) error {
		if done != total/3 && done != 2*total/3 {
			return nil
		}
		next := (c.Leader(db) + 1) % c.Size()
		leaders = append(leaders, next)
		return c.MoveLeader(db, next)
	})
	if err != nil {
		t.Fatalf("the application saw an error: %v", err)
	}
	if len(leaders) != 2 || c.Leader(db) != leaders[1] {
		t.Fatalf("leaders %v, now %d: the leadership did not move twice", leaders, c.Leader(db))
	}

	n, err := inv.CountItems(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n != int64(total) {
		t.Fatalf("%d items after %d added", n, total)
	}
	// The driver followed the leader: its table names the new one.
	table, ok := driver.RoutingTable(db)
	if !ok || !slices.Equal(table.Writers, []string{c.Addr(leaders[1])}) {
		t.Errorf("the driver writes to %v (table held: %v), want the new leader %s", table.Writers, ok, c.Addr(leaders[1]))
	}
}

// (c) A member dies and comes back while work goes on. Killing the leader
// closes its listener and every connection to it, and the leadership moves
// to the first member still up: open transactions fail with a lost
// connection and the driver retries them on the new leader. A connection
// lost during COMMIT is the one case the driver cannot retry for you (the
// transaction may have committed): AddItem retries it itself because it is
// idempotent. Meanwhile a reader keeps counting; with the bookmark manager
// its counts never go down.
func TestMemberKilledAndRestartedWhileWorkGoesOn(t *testing.T) {
	c, driver := startCluster(t, cluster.Config{Members: 3, Lag: 5 * time.Millisecond})
	ctx := testContext(t)
	inv := newInventory(ctx, t, driver)
	killed := c.Leader(db)

	// A reader that counts until the writers are done.
	readerCtx, stopReader := context.WithCancel(ctx)
	readerDone := make(chan error, 1)
	go func() {
		var last int64
		for readerCtx.Err() == nil {
			n, err := inv.CountItems(readerCtx)
			switch {
			case readerCtx.Err() != nil:
			case err != nil:
				readerDone <- fmt.Errorf("count: %w", err)
				return
			case n < last:
				readerDone <- fmt.Errorf("count went down from %d to %d", last, n)
				return
			default:
				last = n
			}
		}
		readerDone <- nil
	}()

	const workers, perWorker = 2, 60
	total := workers * perWorker
	err := keepAdding(ctx, inv, workers, perWorker, func(done int) error {
		switch done {
		case total / 4:
			return c.Kill(killed)
		case total / 2:
			return c.Restart(killed) // back on the same address, as a follower
		}
		return nil
	})
	stopReader()
	if err != nil {
		t.Fatalf("the application saw an error: %v", err)
	}
	if err := <-readerDone; err != nil {
		t.Fatalf("the reader: %v", err)
	}

	n, err := inv.CountItems(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n != int64(total) {
		t.Fatalf("%d items after %d added", n, total)
	}
	m := c.Members()[killed]
	if !m.Alive || m.Roles[db] != cluster.RoleFollower || c.Leader(db) == killed {
		t.Fatalf("member %d after the restart: %+v", killed, m)
	}

	// The driver learns that the member is back from its next routing
	// table: at the TTL, or at once with UpdateRoutingTable. Then the
	// member takes its share of the reads again.
	if err := driver.UpdateRoutingTable(ctx, db, nil); err != nil {
		t.Fatal(err)
	}
	table, _ := driver.RoutingTable(db)
	if !slices.Contains(table.Readers, c.Addr(killed)) {
		t.Fatalf("readers %v after the restart, want %s among them", table.Readers, c.Addr(killed))
	}
	before := recordsServed(c)[killed]
	for range 10 {
		if _, err := inv.CountItems(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if served := recordsServed(c)[killed] - before; served == 0 {
		t.Errorf("the restarted member served none of 10 reads")
	}
}

// TestInventory checks the application code itself, against NEO4J_URI's
// server when it is set (a real Neo4j 4.4+, single instance or cluster)
// and the embedded cluster otherwise: the same test, unchanged.
func TestInventory(t *testing.T) {
	ctx := testContext(t)
	var driver *boltrx.Driver
	if uri := os.Getenv("NEO4J_URI"); uri != "" {
		d, err := boltrx.NewDriver(uri, boltrx.BasicAuth(os.Getenv("NEO4J_USER"), os.Getenv("NEO4J_PASSWORD"), ""))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = d.Close(context.Background()) })
		driver = d
	} else {
		_, driver = startCluster(t, cluster.Config{Members: 3, Lag: 5 * time.Millisecond})
	}
	inv := newInventory(ctx, t, driver)
	// Names of this run only, removed at the end: a real database may
	// hold other items.
	prefix := "clustertest-" + strconv.FormatInt(time.Now().UnixNano(), 36) + "-"
	t.Cleanup(func() {
		_, _ = driver.ExecuteQuery(context.Background(), "MATCH (i:InventoryItem) WHERE i.name STARTS WITH $prefix DETACH DELETE i",
			map[string]any{"prefix": prefix})
	})

	start, err := inv.CountItems(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"bolt", "nut", "washer", "bolt"} {
		if err := inv.AddItem(ctx, prefix+name); err != nil {
			t.Fatalf("add %s: %v", name, err)
		}
	}
	n, err := inv.CountItems(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n-start != 3 {
		t.Fatalf("%d items more after adding bolt, nut, washer and bolt again; want 3", n-start)
	}
}
