package cluster

import (
	"context"
	"testing"
	"time"

	"github.com/boltrx/boltrx/bolt"
	"github.com/boltrx/boltrx/e2e/graphdb"
	"github.com/boltrx/boltrx/e2e/server"
	"github.com/boltrx/boltrx/e2e/server/rawclient"
)

const createPerson = "CREATE (n:Person {name: $name}) RETURN n.name AS name"

// storeCount counts :Person nodes straight in the store, on the leader.
func storeCount(t *testing.T, c *Cluster, db string) int64 {
	t.Helper()
	d, err := c.Store().Database(db)
	if err != nil {
		t.Fatal(err)
	}
	tx, err := d.Replica(d.Leader()).Begin(graphdb.ReadAccess)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	res, err := tx.Run(context.Background(), "MATCH (n:Person) RETURN count(n) AS c", nil)
	if err != nil {
		t.Fatal(err)
	}
	return res.Rows[0][0].(int64)
}

// Writes on the leader, on every version, in auto-commit and explicit
// transactions; the final SUCCESS carries a bookmark, stats and type.
func TestWritesOnLeader(t *testing.T) {
	versions := []bolt.Version{bolt.V3_0, bolt.V4_0, bolt.V4_2, bolt.V4_4, bolt.V5_0, bolt.V5_8, bolt.V6_1}
	for _, v := range versions {
		t.Run(v.String(), func(t *testing.T) {
			c := StartT(t, Config{Versions: server.VersionRange(v, v)})
			cl := client(t, c, 0, v, routingContext)
			records, s := run(t, cl, createPerson, map[string]any{"name": "Ada"}, bolt.TxConfig{})
			if len(records) != 1 || records[0][0] != "Ada" {
				t.Fatalf("records %v", records)
			}
			if s.Bookmark == "" || s.QueryType != "rw" || s.Stats["nodes-created"] != int64(1) {
				t.Fatalf("summary %+v", s)
			}
			if cl.Caps.Database != (s.Database == "neo4j") {
				t.Fatalf("db %q on %v", s.Database, v)
			}

			if _, err := cl.Success(&bolt.Begin{}); err != nil {
				t.Fatal(err)
			}
			for _, name := range []string{"Grace", "Edsger"} {
				if _, err := cl.Success(&bolt.Run{Query: createPerson, Params: map[string]any{"name": name}}); err != nil {
					t.Fatal(err)
				}
				if _, err := cl.Success(rawclient.PullAll()); err != nil {
					t.Fatal(err)
				}
			}
			commit, err := cl.Success(&bolt.Commit{})
			if err != nil || commit.Success.Bookmark == "" || commit.Success.Bookmark == s.Bookmark {
				t.Fatalf("COMMIT: %v %+v", err, commit.Success)
			}
			if n := storeCount(t, c, "neo4j"); n != 3 {
				t.Fatalf("%d nodes stored", n)
			}
			// A rolled-back transaction leaves nothing.
			if _, err := cl.Success(&bolt.Begin{}); err != nil {
				t.Fatal(err)
			}
			if _, err := cl.Success(&bolt.Run{Query: createPerson, Params: map[string]any{"name": "X"}}); err != nil {
				t.Fatal(err)
			}
			if _, err := cl.Success(&bolt.Discard{N: bolt.All, Qid: bolt.LastQuery}); err != nil {
				t.Fatal(err)
			}
			if _, err := cl.Success(&bolt.Rollback{}); err != nil {
				t.Fatal(err)
			}
			if n := storeCount(t, c, "neo4j"); n != 3 {
				t.Fatalf("%d nodes after rollback", n)
			}
		})
	}
}

// A write on a follower fails with NotALeader for clients that route
// themselves; reads work there.
func TestWriteOnFollowerNotALeader(t *testing.T) {
	c := StartT(t, Config{})
	for _, v := range []bolt.Version{bolt.V4_4, bolt.V5_8} {
		cl := client(t, c, 2, v, routingContext)
		runFailure(t, cl, "CREATE (n:Person {name: 'x'})", bolt.TxConfig{}, CodeNotALeader)

		// In an explicit transaction: BEGIN succeeds, the write fails.
		if _, err := cl.Success(&bolt.Begin{}); err != nil {
			t.Fatal(err)
		}
		mustFail(t, cl, &bolt.Run{Query: "CREATE (n:Person)"}, CodeNotALeader)

		if n := count(t, cl, bolt.TxConfig{}); n != 0 {
			t.Fatalf("%d nodes", n)
		}
	}
	off := StartT(t, Config{DisableServerSideRouting: true})
	cl := client(t, off, 1, bolt.V4_0, nil)
	runFailure(t, cl, "CREATE (n:Person)", bolt.TxConfig{}, CodeNotALeader)
}

// Server-side routing: a client that does not route itself writes
// through a follower.
func TestServerSideRoutingWritesOnLeader(t *testing.T) {
	c := StartT(t, Config{})
	cl := client(t, c, 1, bolt.V5_8, nil)
	run(t, cl, createPerson, map[string]any{"name": "via follower"}, bolt.TxConfig{})
	if n := storeCount(t, c, "neo4j"); n != 1 {
		t.Fatalf("%d nodes", n)
	}
}

// A write in a read transaction fails, on the leader too.
func TestWriteInReadTransaction(t *testing.T) {
	c := StartT(t, Config{})
	cl := client(t, c, 0, bolt.V5_0, routingContext)
	read := bolt.TxConfig{Mode: bolt.ModeRead}
	runFailure(t, cl, "CREATE (n:Person)", read, CodeForbiddenOnReadOnly)
	if _, err := cl.Success(&bolt.Begin{TxConfig: read}); err != nil {
		t.Fatal(err)
	}
	mustFail(t, cl, &bolt.Run{Query: "MATCH (n:Person) SET n.x = 1"}, CodeForbiddenOnReadOnly)
	if n := count(t, cl, read); n != 0 {
		t.Fatalf("%d nodes", n)
	}
}

// Causal consistency: a follower behind the leader does not see a write,
// until a transaction brings the write's bookmark: it waits for
// replication and then sees it.
func TestBookmarkWaitsForReplication(t *testing.T) {
	clock := newFakeClock()
	c := StartT(t, Config{Clock: clock.Now, Lag: time.Minute})
	leader := client(t, c, 0, bolt.V5_4, routingContext)
	follower := client(t, c, 1, bolt.V5_4, routingContext)

	_, s := run(t, leader, createPerson, map[string]any{"name": "Ada"}, bolt.TxConfig{})
	read := bolt.TxConfig{Mode: bolt.ModeRead}
	if n := count(t, follower, read); n != 0 {
		t.Fatalf("the follower sees %d nodes before replication", n)
	}

	type result struct {
		n   int64
		err error
	}
	done := make(chan result, 1)
	go func() {
		r, p, err := follower.Query("MATCH (n:Person) RETURN count(n) AS c", nil,
			bolt.TxConfig{Mode: bolt.ModeRead, Bookmarks: []string{s.Bookmark}})
		if err == nil {
			err = r.Err()
		}
		if err == nil {
			err = p.Err()
		}
		var n int64
		if err == nil {
			n = p.Records[0][0].(int64)
		}
		done <- result{n, err}
	}()
	// Wait until the follower took the RUN (HELLO, LOGON, RUN, PULL,
	// then this RUN), then replicate: a read that did not wait would
	// have seen no node.
	waitFor(t, func() bool { return c.Server(1).Stats().Requests >= 5 })
	select {
	case r := <-done:
		t.Fatalf("the read with the bookmark did not wait: %+v", r)
	default:
	}
	clock.Advance(time.Minute)
	c.Store().ClockAdvanced()
	r := <-done
	if r.err != nil || r.n != 1 {
		t.Fatalf("after replication: %d nodes, %v", r.n, r.err)
	}
}

// A bookmark the member cannot catch up with in time fails with
// BookmarkTimeout.
func TestBookmarkTimeout(t *testing.T) {
	clock := newFakeClock()
	c := StartT(t, Config{Clock: clock.Now, Lag: time.Hour, BookmarkTimeout: 20 * time.Millisecond})
	leader := client(t, c, 0, bolt.V4_4, routingContext)
	_, s := run(t, leader, createPerson, map[string]any{"name": "Ada"}, bolt.TxConfig{})

	follower := client(t, c, 2, bolt.V4_4, routingContext)
	runFailure(t, follower, "MATCH (n) RETURN n", bolt.TxConfig{Bookmarks: []string{s.Bookmark}}, CodeBookmarkTimeout)
	mustFail(t, follower, &bolt.Begin{TxConfig: bolt.TxConfig{Bookmarks: []string{s.Bookmark}}}, CodeBookmarkTimeout)
	// The leader has it.
	if n := count(t, leader, bolt.TxConfig{Bookmarks: []string{s.Bookmark}}); n != 1 {
		t.Fatalf("%d nodes", n)
	}
}

// SetLag changes the lag of every follower.
func TestSetLag(t *testing.T) {
	clock := newFakeClock()
	c := StartT(t, Config{Clock: clock.Now})
	c.SetLag(time.Hour)
	run(t, client(t, c, 0, bolt.V5_0, routingContext), createPerson, map[string]any{"name": "a"}, bolt.TxConfig{})
	follower := client(t, c, 1, bolt.V5_0, routingContext)
	if n := count(t, follower, bolt.TxConfig{Mode: bolt.ModeRead}); n != 0 {
		t.Fatalf("%d nodes with an hour of lag", n)
	}
	c.SetLag(0)
	if n := count(t, follower, bolt.TxConfig{Mode: bolt.ModeRead}); n != 1 {
		t.Fatalf("%d nodes without lag", n)
	}
}

func TestCreateDatabase(t *testing.T) {
	c := StartT(t, Config{})
	if _, err := c.CreateDatabase("shop"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateDatabase("shop"); err == nil {
		t.Fatal("created twice")
	}
	cl := client(t, c, 0, bolt.V5_8, routingContext)
	if rt := route(t, cl, "shop"); rt.Database != "shop" {
		t.Fatalf("table for %q", rt.Database)
	}
	shop := bolt.TxConfig{Database: "shop"}
	run(t, cl, createPerson, map[string]any{"name": "in shop"}, shop)
	if n := storeCount(t, c, "shop"); n != 1 {
		t.Fatalf("%d nodes in shop", n)
	}
	if n := storeCount(t, c, "neo4j"); n != 0 {
		t.Fatalf("%d nodes in neo4j", n)
	}
	runFailure(t, cl, "RETURN 1", bolt.TxConfig{Database: "nope"}, CodeDatabaseNotFound)
}

func TestAuthFailure(t *testing.T) {
	c := StartT(t, Config{Users: map[string]User{"neo4j": {Password: "right"}}})
	for _, v := range []bolt.Version{bolt.V4_4, bolt.V5_8} {
		cl := dial(t, c.Addr(0), v)
		_, err := cl.Login(rawclient.BasicAuth("neo4j", "wrong"), nil)
		if err == nil {
			t.Fatal("wrong password accepted")
		}
		var f *bolt.Failure
		if !asFailure(err, &f) || f.Code != server.CodeUnauthorized {
			t.Fatalf("%v: %v", v, err)
		}
		expectClosed(t, cl)
		clientAs(t, c, 0, v, nil, rawclient.BasicAuth("neo4j", "right"))
	}
}

func TestComponents(t *testing.T) {
	c := StartT(t, Config{Versions: server.VersionRange(bolt.V4_4, bolt.V4_4)})
	records, _ := run(t, client(t, c, 0, bolt.V4_4, nil), "CALL dbms.components() YIELD name, versions, edition", nil, bolt.TxConfig{})
	if len(records) != 1 || records[0][0] != "Neo4j Kernel" || records[0][1].([]any)[0] != "4.4.40" {
		t.Fatalf("components %v", records)
	}
}

// waitFor polls cond until it holds; the timeout only guards against a
// hang.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(testTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition never held")
		}
		time.Sleep(time.Millisecond)
	}
}
