package graphdb

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"
)

func count(t testing.TB, r *Replica, query string) int64 {
	t.Helper()
	return read(t, r, query, nil).Rows[0][0].(int64)
}

func mustBegin(t testing.TB, r *Replica, mode AccessMode) *Tx {
	t.Helper()
	tx, err := r.Begin(mode)
	if err != nil {
		t.Fatal(err)
	}
	return tx
}

func mustRun(t testing.TB, tx *Tx, query string, params map[string]any) *Result {
	t.Helper()
	res, err := tx.Run(context.Background(), query, params)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return res
}

func TestUncommittedWritesAreInvisible(t *testing.T) {
	_, db, leader := newTestDB(t)
	follower := db.Replica("core2")
	write(t, leader, "CREATE (:N {v: 1})", nil)

	tx := mustBegin(t, leader, WriteAccess)
	mustRun(t, tx, "CREATE (:N {v: 2})", nil)
	mustRun(t, tx, "MATCH (n:N {v: 1}) SET n.v = 10", nil)

	// The writer sees its own writes.
	res := mustRun(t, tx, "MATCH (n:N) RETURN n.v ORDER BY n.v", nil)
	if got := res.Rows; len(got) != 2 || got[0][0] != int64(2) || got[1][0] != int64(10) {
		t.Fatalf("own writes: %v", got)
	}
	// Readers on the leader and on other replicas see neither.
	for _, r := range []*Replica{leader, follower} {
		res := read(t, r, "MATCH (n:N) RETURN n.v", nil)
		if len(res.Rows) != 1 || res.Rows[0][0] != int64(1) {
			t.Errorf("%s sees uncommitted data: %v", r.Member(), res.Rows)
		}
		if c := count(t, r, "MATCH (n:N) WHERE n.v = 10 RETURN count(n)"); c != 0 {
			t.Errorf("%s finds the uncommitted value through the index: %d", r.Member(), c)
		}
	}
	// A reader that began before the commit keeps its snapshot.
	old := mustBegin(t, follower, ReadAccess)
	bm, err := tx.Commit()
	if err != nil {
		t.Fatal(err)
	}
	if bm != FormatBookmark("neo4j", 2) {
		t.Errorf("bookmark %q", bm)
	}
	if res := mustRun(t, old, "MATCH (n:N) RETURN count(n)", nil); res.Rows[0][0] != int64(1) {
		t.Errorf("old snapshot changed: %v", res.Rows)
	}
	if _, err := old.Commit(); err != nil {
		t.Error(err)
	}
	if c := count(t, leader, "MATCH (n:N) WHERE n.v = 10 RETURN count(n)"); c != 1 {
		t.Errorf("committed update not visible: %d", c)
	}
}

func TestRollbackLeavesNoTrace(t *testing.T) {
	_, db, r := newTestDB(t)
	write(t, r, "CREATE (:N {k: 1})-[:R]->(:N {k: 2})", nil)
	before := read(t, r, "MATCH (n) RETURN n ORDER BY n.k", nil)

	tx := mustBegin(t, r, WriteAccess)
	mustRun(t, tx, "UNWIND range(1, 100) AS i CREATE (:N {k: i + 100})", nil)
	mustRun(t, tx, "MATCH (n:N {k: 1}) SET n.k = 99, n.extra = 'x'", nil)
	mustRun(t, tx, "MATCH (a:N {k: 2}) DETACH DELETE a", nil)
	mustRun(t, tx, "CREATE INDEX tmp FOR (n:N) ON (n.extra)", nil)
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(); err != nil {
		t.Errorf("second rollback: %v", err)
	}
	after := read(t, r, "MATCH (n) RETURN n ORDER BY n.k", nil)
	if !reflect.DeepEqual(before.Rows, after.Rows) {
		t.Errorf("rollback changed data:\n%v\n%v", before.Rows, after.Rows)
	}
	if c := count(t, r, "MATCH ()-[r:R]->() RETURN count(r)"); c != 1 {
		t.Errorf("relationship count %d", c)
	}
	if c := count(t, r, "MATCH (n:N) WHERE n.k = 99 RETURN count(n)"); c != 0 {
		t.Errorf("index still finds the rolled back value: %d", c)
	}
	if db.LastTxID() != 1 || len(db.Log()) != 1 {
		t.Errorf("rollback wrote the log: last=%d", db.LastTxID())
	}
	// Ids are reused: the next node gets the id the rolled back one had.
	res := write(t, r, "CREATE (n:N) RETURN id(n)", nil)
	if res.Rows[0][0] != int64(2) {
		t.Errorf("next id %v", res.Rows[0][0])
	}
	if _, _, err := tryRun(r, WriteAccess, "DROP INDEX tmp", nil); errCode(err) != CodeIndexNotFound {
		t.Errorf("rolled back index still exists: %v", err)
	}
}

func TestWritersAreSerialized(t *testing.T) {
	_, _, r := newTestDB(t)
	write(t, r, "CREATE (:Counter {n: 0})", nil)
	const writers, increments = 8, 25
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < increments; i++ {
				tx, err := r.Begin(WriteAccess)
				if err != nil {
					errs <- err
					return
				}
				ctx := context.Background()
				res, err := tx.Run(ctx, "MATCH (c:Counter) RETURN c.n AS n", nil)
				if err != nil {
					errs <- err
					return
				}
				n := res.Rows[0][0].(int64)
				if _, err := tx.Run(ctx, "MATCH (c:Counter) SET c.n = $n", map[string]any{"n": n + 1}); err != nil {
					errs <- err
					return
				}
				if _, err := tx.Commit(); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if c := count(t, r, "MATCH (c:Counter) RETURN c.n"); c != writers*increments {
		t.Errorf("lost updates: counter is %d, want %d", c, writers*increments)
	}
}

func TestSecondWriterTimesOut(t *testing.T) {
	_, _, r := newTestDB(t)
	first := mustBegin(t, r, WriteAccess)
	mustRun(t, first, "CREATE (:A)", nil)

	second := mustBegin(t, r, WriteAccess)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := second.Run(ctx, "CREATE (:B)", nil)
	if errCode(err) != CodeLockTimeout || !errors.Is(err, context.Canceled) {
		t.Fatalf("second writer: %v", err)
	}
	// Readers are not blocked by the open write transaction.
	if c := count(t, r, "MATCH (n) RETURN count(n)"); c != 0 {
		t.Errorf("reader saw %d nodes", c)
	}
	// Once the first commits, a new writer gets the lock and sees its data.
	if _, err := first.Commit(); err != nil {
		t.Fatal(err)
	}
	third := mustBegin(t, r, WriteAccess)
	if res := mustRun(t, third, "MATCH (n:A) RETURN count(n)", nil); res.Rows[0][0] != int64(1) {
		t.Errorf("third writer: %v", res.Rows)
	}
	if _, err := third.Commit(); err != nil {
		t.Fatal(err)
	}
}

func TestWaitingWriterProceedsAfterCommit(t *testing.T) {
	_, _, r := newTestDB(t)
	first := mustBegin(t, r, WriteAccess)
	mustRun(t, first, "CREATE (:A {v: 1})", nil)
	done := make(chan *Result)
	go func() {
		tx, err := r.Begin(WriteAccess)
		if err != nil {
			done <- nil
			return
		}
		res, err := tx.Run(context.Background(), "MATCH (a:A) RETURN count(a)", nil)
		if err != nil {
			done <- nil
			return
		}
		_ = tx.Rollback()
		done <- res
	}()
	if _, err := first.Commit(); err != nil {
		t.Fatal(err)
	}
	res := <-done
	if res == nil || res.Rows[0][0] != int64(1) {
		t.Errorf("waiting writer result %v", res)
	}
}

func TestAccessModeAndLeadership(t *testing.T) {
	_, db, leader := newTestDB(t)
	follower := db.Replica("core2")
	if !leader.IsLeader() || follower.IsLeader() || db.Leader() != "core1" {
		t.Fatal("the first replica should lead")
	}
	if _, err := follower.Begin(WriteAccess); errCode(err) != CodeNotALeader {
		t.Errorf("write on follower: %v", err)
	}
	if _, _, err := tryRun(leader, ReadAccess, "CREATE (:X)", nil); errCode(err) != CodeAccessMode {
		t.Errorf("write query in read tx: %v", err)
	}

	open := mustBegin(t, leader, WriteAccess)
	mustRun(t, open, "CREATE (:Lost)", nil)
	db.SetLeader("core2")
	if _, err := open.Run(context.Background(), "CREATE (:More)", nil); errCode(err) != CodeNotALeader {
		t.Errorf("old leader tx after switch: %v", err)
	}
	if _, err := open.Commit(); errCode(err) != CodeTxNotFound {
		t.Errorf("commit of terminated tx: %v", err)
	}
	write(t, follower, "CREATE (:Won)", nil)
	if c := count(t, follower, "MATCH (n) RETURN count(n)"); c != 1 {
		t.Errorf("new leader sees %d nodes", c)
	}
	if _, err := leader.Begin(WriteAccess); errCode(err) != CodeNotALeader {
		t.Errorf("old leader still writes: %v", err)
	}
}

func TestDroppedDatabase(t *testing.T) {
	s, _, r := newTestDB(t)
	tx := mustBegin(t, r, WriteAccess)
	mustRun(t, tx, "CREATE (:A)", nil)
	if err := s.DropDatabase("NEO4J"); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Commit(); errCode(err) != CodeDatabaseNotFound {
		t.Errorf("commit on dropped db: %v", err)
	}
	if _, err := r.Begin(ReadAccess); errCode(err) != CodeDatabaseNotFound {
		t.Errorf("begin on dropped db: %v", err)
	}
	if _, err := s.Database("neo4j"); errCode(err) != CodeDatabaseNotFound {
		t.Errorf("lookup of dropped db: %v", err)
	}
	if err := s.DropDatabase("neo4j"); errCode(err) != CodeDatabaseNotFound {
		t.Errorf("second drop: %v", err)
	}
	if _, err := s.CreateDatabase("neo4j"); err != nil {
		t.Errorf("re-create: %v", err)
	}
	if _, err := s.CreateDatabase("Neo4j"); errCode(err) != CodeDatabaseExists {
		t.Errorf("duplicate create: %v", err)
	}
	if got := s.Databases(); len(got) != 1 || got[0] != "neo4j" {
		t.Errorf("databases %v", got)
	}
}

func TestCancelledQuery(t *testing.T) {
	_, _, r := newTestDB(t)
	tx := mustBegin(t, r, ReadAccess)
	ctx, cancel := context.WithTimeout(context.Background(), time.Nanosecond)
	defer cancel()
	<-ctx.Done()
	_, err := tx.Run(ctx, "UNWIND range(1, 10000000) AS x RETURN count(x)", nil)
	if errCode(err) != CodeTxTimedOut {
		t.Errorf("expired context: %v", err)
	}
}
