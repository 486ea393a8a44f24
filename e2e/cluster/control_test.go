package cluster

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/boltrx/boltrx/bolt"
	"github.com/boltrx/boltrx/e2e/server/rawclient"
)

// Kill drops a member's connections and listener; the routing table of
// the others leaves it out; Restart brings it back on the same port.
func TestKillAndRestart(t *testing.T) {
	c := StartT(t, Config{})
	a := c.Addrs()
	victim := client(t, c, 2, bolt.V5_0, routingContext)
	if err := c.Kill(2); err != nil {
		t.Fatal(err)
	}
	expectClosed(t, victim)
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	if cl, err := rawclient.Dial(ctx, a[2], nil); err == nil {
		cl.Close()
		t.Fatal("a killed member accepted a connection")
	}
	if c.Members()[2].Alive {
		t.Fatal("member 2 still alive")
	}
	rt := route(t, client(t, c, 0, bolt.V5_0, routingContext), "")
	expectTable(t, rt, a[:2], a[1:2], a[:1])
	if err := c.Kill(2); err != nil { // twice: nothing happens
		t.Fatal(err)
	}

	if err := c.Restart(2); err != nil {
		t.Fatal(err)
	}
	if c.Addr(2) != a[2] {
		t.Fatalf("restarted on %s, was %s", c.Addr(2), a[2])
	}
	back := client(t, c, 2, bolt.V5_0, routingContext)
	expectTable(t, route(t, back, ""), a, a[1:], a[:1])
	if err := c.Restart(2); err != nil { // a live member: nothing happens
		t.Fatal(err)
	}
}

// Killing the leader moves the leadership to the first reachable member,
// where writes then succeed.
func TestKillLeaderFailsOver(t *testing.T) {
	c := StartT(t, Config{Databases: []string{"shop"}})
	a := c.Addrs()
	if err := c.MoveLeader("shop", 2); err != nil {
		t.Fatal(err)
	}
	if err := c.Kill(0); err != nil {
		t.Fatal(err)
	}
	if c.Leader("neo4j") != 1 || c.Leader("system") != 1 || c.Leader("shop") != 2 {
		t.Fatalf("leaders: neo4j %d system %d shop %d", c.Leader("neo4j"), c.Leader("system"), c.Leader("shop"))
	}
	cl := client(t, c, 1, bolt.V4_4, routingContext)
	expectTable(t, route(t, cl, ""), a[1:], a[2:], a[1:2])
	run(t, cl, createPerson, map[string]any{"name": "after failover"}, bolt.TxConfig{})

	roles := c.Members()[1].Roles
	if roles["neo4j"] != RoleLeader || roles["shop"] != RoleFollower {
		t.Fatalf("member 1 roles %v", roles)
	}
}

// With ManualFailover the table shows no writer while the leader is down.
func TestManualFailover(t *testing.T) {
	c := StartT(t, Config{ManualFailover: true})
	a := c.Addrs()
	if err := c.Kill(0); err != nil {
		t.Fatal(err)
	}
	if c.Leader("neo4j") != 0 {
		t.Fatalf("leader moved to %d", c.Leader("neo4j"))
	}
	cl := client(t, c, 1, bolt.V5_8, routingContext)
	expectTable(t, route(t, cl, ""), a[1:], a[1:], []string{})
	// Server-side routing has no leader to go to either.
	ssr := client(t, c, 1, bolt.V5_8, nil)
	runFailure(t, ssr, "CREATE (n:Person)", bolt.TxConfig{}, CodeNotALeader)
}

// MoveLeader: the new leader takes writes, the old one refuses them, and
// a write transaction open on the old leader fails.
func TestMoveLeader(t *testing.T) {
	c := StartT(t, Config{})
	a := c.Addrs()
	old := client(t, c, 0, bolt.V5_4, routingContext)
	if _, err := old.Success(&bolt.Begin{}); err != nil {
		t.Fatal(err)
	}
	if _, err := old.Success(&bolt.Run{Query: createPerson, Params: map[string]any{"name": "lost"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := old.Success(rawclient.PullAll()); err != nil {
		t.Fatal(err)
	}

	if err := c.MoveLeader("neo4j", 2); err != nil {
		t.Fatal(err)
	}
	if c.Leader("neo4j") != 2 {
		t.Fatalf("leader %d", c.Leader("neo4j"))
	}
	mustFail(t, old, &bolt.Commit{}, CodeNotALeader)
	runFailure(t, old, "CREATE (n:Person)", bolt.TxConfig{}, CodeNotALeader)

	expectTable(t, route(t, old, ""), a, a[:2], a[2:])
	run(t, client(t, c, 2, bolt.V5_4, routingContext), createPerson, map[string]any{"name": "kept"}, bolt.TxConfig{})
	if n := storeCount(t, c, "neo4j"); n != 1 {
		t.Fatalf("%d nodes", n)
	}
	if err := c.MoveLeader("nope", 1); err == nil {
		t.Fatal("moved the leader of a missing database")
	}
	if err := c.MoveLeader("neo4j", 7); !errors.Is(err, ErrNoSuchMember) {
		t.Fatalf("member 7: %v", err)
	}
}

// A partitioned member answers nothing and leaves the routing table;
// Heal brings it back.
func TestPartitionAndHeal(t *testing.T) {
	c := StartT(t, Config{})
	a := c.Addrs()
	open := client(t, c, 1, bolt.V5_0, routingContext)
	if err := c.Partition(1); err != nil {
		t.Fatal(err)
	}
	mustSendOK(t, open, &bolt.Run{Query: "RETURN 1"}, rawclient.PullAll())
	open.Timeout = 50 * time.Millisecond
	if _, err := open.Receive(); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("a partitioned member answered: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := rawclient.Dial(ctx, a[1], nil); err == nil {
		t.Fatal("a partitioned member completed a handshake")
	}
	expectTable(t, route(t, client(t, c, 0, bolt.V5_0, routingContext), ""), []string{a[0], a[2]}, a[2:], a[:1])
	if info := c.Members()[1]; !info.Partitioned || !info.Alive {
		t.Fatalf("member 1: %+v", info)
	}

	if err := c.Heal(1); err != nil {
		t.Fatal(err)
	}
	expectTable(t, route(t, client(t, c, 1, bolt.V5_0, routingContext), ""), a, a[1:], a[:1])
}

// Partitioning the leader moves the leadership.
func TestPartitionLeaderFailsOver(t *testing.T) {
	c := StartT(t, Config{})
	if err := c.Partition(0); err != nil {
		t.Fatal(err)
	}
	if c.Leader("neo4j") != 1 {
		t.Fatalf("leader %d", c.Leader("neo4j"))
	}
	run(t, client(t, c, 1, bolt.V5_0, routingContext), createPerson, map[string]any{"name": "x"}, bolt.TxConfig{})
}

// Inject: a FAILURE on the next matching request of one member, once.
func TestInjectFailure(t *testing.T) {
	c := StartT(t, Config{})
	if err := c.Inject(0, Match{Message: "run", Query: "Person"},
		Fail("Neo.TransientError.General.DatabaseUnavailable", "injected")); err != nil {
		t.Fatal(err)
	}
	// Another member, and a query that does not match: untouched.
	run(t, client(t, c, 1, bolt.V5_0, routingContext), "MATCH (n:Person) RETURN n", nil, bolt.TxConfig{})
	cl := client(t, c, 0, bolt.V5_0, routingContext)
	run(t, cl, "RETURN 1 AS x", nil, bolt.TxConfig{})
	if c.PendingInjections() != 1 {
		t.Fatalf("%d pending", c.PendingInjections())
	}
	f := runFailure(t, cl, "MATCH (n:Person) RETURN n", bolt.TxConfig{}, "Neo.TransientError.General.DatabaseUnavailable")
	if f.Message != "injected" {
		t.Fatalf("message %q", f.Message)
	}
	// Once only.
	run(t, cl, "MATCH (n:Person) RETURN n", nil, bolt.TxConfig{})
	if c.PendingInjections() != 0 {
		t.Fatalf("%d pending", c.PendingInjections())
	}
}

// Inject: a disconnect on the next PULL (PULL_ALL on 3.0).
func TestInjectDisconnect(t *testing.T) {
	c := StartT(t, Config{})
	if err := c.Inject(2, Match{Message: "PULL_ALL"}, Disconnect); err != nil {
		t.Fatal(err)
	}
	cl := client(t, c, 2, bolt.V3_0, nil)
	mustSendOK(t, cl, &bolt.Run{Query: "RETURN 1 AS x"}, rawclient.PullAll())
	if r, err := cl.Reply(); err != nil || r.Kind != bolt.ResponseSuccess {
		t.Fatalf("RUN: %v %v", r.Kind, err)
	}
	expectClosed(t, cl)
	if err := c.Inject(9, Match{}, Disconnect); !errors.Is(err, ErrNoSuchMember) {
		t.Fatalf("member 9: %v", err)
	}
}

// The context given to Start bounds the cluster's life.
func TestStartContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	c, err := Start(ctx, Config{Members: 2})
	if err != nil {
		t.Fatal(err)
	}
	cl := client(t, c, 1, bolt.V5_0, nil)
	cancel()
	expectClosed(t, cl)
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Restart(0); err == nil {
		t.Fatal("restarted a member of a closed cluster")
	}
}

func TestFixedPorts(t *testing.T) {
	// Find two free ports, then ask for them.
	probe := StartT(t, Config{Members: 2})
	addrs := probe.Addrs()
	_ = probe.Close()
	ports := make([]int, 2)
	for i, a := range addrs {
		ports[i] = portOf(t, a)
	}
	c := StartT(t, Config{Members: 2, Ports: ports})
	if got := c.Addrs(); got[0] != addrs[0] || got[1] != addrs[1] {
		t.Fatalf("addresses %v, want %v", got, addrs)
	}
	if _, err := Start(context.Background(), Config{Members: 3, Ports: ports}); err == nil {
		t.Fatal("2 ports for 3 members accepted")
	}
}

func mustSendOK(t *testing.T, cl *rawclient.Client, reqs ...bolt.Request) {
	t.Helper()
	if err := cl.Send(reqs...); err != nil {
		t.Fatal(err)
	}
}
