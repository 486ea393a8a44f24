package graphdb

import (
	"context"
	"errors"
	"testing"
	"time"
)

// newLaggingCluster returns a store on a fake clock with a 5 s default lag,
// database "neo4j", leader "core1" and follower "core2".
func newLaggingCluster(t *testing.T) (*Store, *fakeClock, *Database, *Replica, *Replica) {
	t.Helper()
	clock := newFakeClock()
	s := NewStore(Options{Clock: clock.Now, Lag: 5 * time.Second})
	db, err := s.CreateDatabase("neo4j")
	if err != nil {
		t.Fatal(err)
	}
	return s, clock, db, db.Replica("core1"), db.Replica("core2")
}

func TestFollowerAppliesAfterLag(t *testing.T) {
	_, clock, db, leader, follower := newLaggingCluster(t)
	_, bm, err := tryRun(leader, WriteAccess, "CREATE (:N {v: 1})", nil)
	if err != nil {
		t.Fatal(err)
	}
	if bm != "FB:neo4j:1" || leader.AppliedTxID() != 1 {
		t.Fatalf("bookmark %q, leader applied %d", bm, leader.AppliedTxID())
	}
	if c := count(t, leader, "MATCH (n:N) RETURN count(n)"); c != 1 {
		t.Errorf("leader sees %d", c)
	}
	clock.Advance(4 * time.Second)
	if c := count(t, follower, "MATCH (n:N) RETURN count(n)"); c != 0 || follower.AppliedTxID() != 0 {
		t.Errorf("follower saw the write before the lag: %d", c)
	}
	clock.Advance(time.Second)
	if c := count(t, follower, "MATCH (n:N) RETURN count(n)"); c != 1 || follower.AppliedTxID() != 1 {
		t.Errorf("follower does not see the write after the lag: %d", c)
	}
	if follower.Bookmark() != db.Bookmark() {
		t.Errorf("bookmarks %q %q", follower.Bookmark(), db.Bookmark())
	}
	log := db.Log()
	if len(log) != 1 || log[0].TxID != 1 || !log[0].CommitTime.Equal(clock.Now().Add(-5*time.Second)) || log[0].Stats.NodesCreated != 1 {
		t.Errorf("log %+v", log)
	}
}

func TestFollowerAppliesInOrder(t *testing.T) {
	_, clock, _, leader, follower := newLaggingCluster(t)
	write(t, leader, "CREATE (:N {v: 1})", nil)
	clock.Advance(3 * time.Second)
	write(t, leader, "MATCH (n:N) SET n.v = 2", nil)
	clock.Advance(2 * time.Second) // first due, second not
	res := read(t, follower, "MATCH (n:N) RETURN n.v", nil)
	if len(res.Rows) != 1 || res.Rows[0][0] != int64(1) {
		t.Errorf("follower state after 5 s: %v", res.Rows)
	}
	clock.Advance(3 * time.Second)
	res = read(t, follower, "MATCH (n:N) WHERE n.v = 2 RETURN n.v", nil)
	if len(res.Rows) != 1 {
		t.Errorf("follower state after 8 s: %v", res.Rows)
	}
}

func TestPerReplicaLag(t *testing.T) {
	s, clock, db, leader, follower := newLaggingCluster(t)
	fast := db.Replica("core3")
	fast.SetLag(0)
	write(t, leader, "CREATE (:N)", nil)
	if fast.AppliedTxID() != 1 || follower.AppliedTxID() != 0 {
		t.Errorf("applied: fast %d, follower %d", fast.AppliedTxID(), follower.AppliedTxID())
	}
	s.SetLag(time.Hour)
	clock.Advance(10 * time.Second)
	if follower.AppliedTxID() != 0 {
		t.Error("store lag change ignored")
	}
	follower.SetLag(time.Second)
	if follower.AppliedTxID() != 1 {
		t.Error("replica lag ignored")
	}
	fast.UseStoreLag()
	write(t, leader, "CREATE (:N)", nil)
	if fast.AppliedTxID() != 1 {
		t.Error("UseStoreLag ignored")
	}
	if got := db.Members(); len(got) != 3 || got[2] != "core3" {
		t.Errorf("members %v", got)
	}
}

func TestWaitForBookmark(t *testing.T) {
	s, clock, _, leader, follower := newLaggingCluster(t)
	_, bm, err := tryRun(leader, WriteAccess, "CREATE (:N)", nil)
	if err != nil {
		t.Fatal(err)
	}
	// Already satisfied bookmarks return at once.
	if err := leader.WaitFor(context.Background(), []string{bm}); err != nil {
		t.Fatal(err)
	}
	if err := follower.WaitFor(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	// Bookmarks of other databases are ignored.
	if err := follower.WaitFor(context.Background(), []string{"FB:other:99"}); err != nil {
		t.Errorf("other database: %v", err)
	}

	done := make(chan error, 1)
	go func() { done <- follower.WaitFor(context.Background(), []string{"FB:neo4j:0", bm}) }()
	select {
	case err := <-done:
		t.Fatalf("WaitFor returned before the follower applied the bookmark: %v", err)
	default:
	}
	clock.Advance(5 * time.Second)
	s.ClockAdvanced()
	if err := <-done; err != nil {
		t.Fatalf("WaitFor after the lag: %v", err)
	}
	if c := count(t, follower, "MATCH (n:N) RETURN count(n)"); c != 1 {
		t.Errorf("after WaitFor the follower sees %d", c)
	}
}

func TestWaitForTimesOut(t *testing.T) {
	_, _, _, leader, follower := newLaggingCluster(t)
	_, bm, err := tryRun(leader, WriteAccess, "CREATE (:N)", nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err = follower.WaitFor(ctx, []string{bm})
	if errCode(err) != CodeBookmarkTimeout || !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled wait: %v", err)
	}
	ctx, cancel = context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	if err := follower.WaitFor(ctx, []string{bm}); errCode(err) != CodeBookmarkTimeout || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("deadline: %v", err)
	}
}

func TestInvalidBookmarks(t *testing.T) {
	_, _, _, leader, _ := newLaggingCluster(t)
	for _, bm := range []string{"", "neo4j:1", "FB:", "FB:neo4j", "FB::1", "FB:neo4j:", "FB:neo4j:-1", "FB:neo4j:1x", "FB:neo4j:99999999999999999999", "FB:neo4j:+1"} {
		if _, err := ParseBookmark(bm); errCode(err) != CodeInvalidBookmark {
			t.Errorf("ParseBookmark(%q) = %v", bm, err)
		}
		if err := leader.WaitFor(context.Background(), []string{bm}); errCode(err) != CodeInvalidBookmark {
			t.Errorf("WaitFor(%q) = %v", bm, err)
		}
	}
	if err := leader.WaitFor(context.Background(), []string{"FB:neo4j:5"}); errCode(err) != CodeInvalidBookmark {
		t.Errorf("bookmark from the future: %v", err)
	}
	b, err := ParseBookmark("FB:my.db-1:42")
	if err != nil || b.Database != "my.db-1" || b.TxID != 42 || b.String() != "FB:my.db-1:42" {
		t.Errorf("ParseBookmark = %+v, %v", b, err)
	}
}

func TestLaggingReaderKeepsOldVersions(t *testing.T) {
	_, clock, db, leader, follower := newLaggingCluster(t)
	write(t, leader, "CREATE (:N {v: 0})", nil)
	clock.Advance(5 * time.Second)
	for i := 1; i <= 5; i++ {
		write(t, leader, "MATCH (n:N) SET n.v = $v", map[string]any{"v": int64(i)})
	}
	// The follower has applied only the creation and must still see v = 0,
	// even though the leader has rewritten the node five times since.
	res := read(t, follower, "MATCH (n:N) WHERE n.v = 0 RETURN n.v", nil)
	if len(res.Rows) != 1 {
		t.Fatalf("follower lost its version: %v", res.Rows)
	}
	clock.Advance(time.Minute)
	write(t, leader, "CREATE (:Other)", nil) // lets the collector run with everyone caught up
	res = read(t, follower, "MATCH (n:N) RETURN n.v", nil)
	if len(res.Rows) != 1 || res.Rows[0][0] != int64(5) {
		t.Errorf("follower after catching up: %v", res.Rows)
	}
	rec := db.g.nodes.at(0)
	if len(rec.versions) != 1 {
		t.Errorf("old versions were not collected: %d left", len(rec.versions))
	}
	if n := db.g.index("N", "v").set.size; n != 1 {
		t.Errorf("stale index entries were not collected: %d left", n)
	}
}

func TestDeletedNodesAreCollected(t *testing.T) {
	_, _, db, leader, _ := newLaggingCluster(t)
	db.Replica("core2").SetLag(0)
	write(t, leader, "UNWIND range(1, 200) AS i CREATE (:N {i: i})-[:R]->(:M)", nil)
	write(t, leader, "MATCH (n:N) DETACH DELETE n", nil)
	write(t, leader, "CREATE (:Tick)", nil)
	if c := count(t, leader, "MATCH (n:N) RETURN count(n)"); c != 0 {
		t.Errorf("%d nodes left", c)
	}
	if got := len(db.g.labels["N"].ids); got != 0 {
		t.Errorf("label list not compacted: %d ids", got)
	}
	if rec := db.g.nodes.at(1); rec.adj != nil && len(rec.adj.in) != 0 {
		t.Errorf("adjacency of :M still lists %v", rec.adj.in)
	}
}
