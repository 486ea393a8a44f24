package cluster

import (
	"context"
	"testing"
	"time"

	"github.com/boltrx/boltrx/bolt"
	"github.com/boltrx/boltrx/e2e/server/rawclient"
)

// RefuseConnections resets new connections before the handshake while
// open ones carry on; the member stays in the routing table; after
// AcceptConnections it takes connections again. A Restart keeps the
// refusal.
func TestRefuseConnections(t *testing.T) {
	c := StartT(t, Config{})
	a := c.Addrs()
	open := client(t, c, 1, bolt.V5_0, routingContext)
	if err := c.RefuseConnections(1); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	if cl, err := rawclient.Dial(ctx, a[1], nil); err == nil {
		cl.Close()
		t.Fatal("a refusing member completed a handshake")
	}
	if got := c.Server(1).Stats().Refused; got != 1 {
		t.Fatalf("refused %d connections, want 1", got)
	}
	run(t, open, "RETURN 1 AS x", nil, bolt.TxConfig{})
	expectTable(t, route(t, open, ""), a, a[1:], a[:1])
	if info := c.Members()[1]; !info.Refusing || !info.Alive {
		t.Fatalf("member 1: %+v", info)
	}

	if err := c.Kill(1); err != nil {
		t.Fatal(err)
	}
	if err := c.Restart(1); err != nil {
		t.Fatal(err)
	}
	if !c.Server(1).Refusing() {
		t.Fatal("the restarted member accepts connections")
	}
	if err := c.AcceptConnections(1); err != nil {
		t.Fatal(err)
	}
	run(t, client(t, c, 1, bolt.V5_0, routingContext), "RETURN 1 AS x", nil, bolt.TxConfig{})
	if c.Members()[1].Refusing {
		t.Fatal("member 1 still refusing")
	}
	if err := c.RefuseConnections(5); err == nil {
		t.Fatal("refusing on member 5 succeeded")
	}
}

// DropConnections closes a connection in the middle of a result; the
// member keeps listening, and the write transaction of a dropped
// connection is rolled back.
func TestDropConnections(t *testing.T) {
	c := StartT(t, Config{})
	streaming := client(t, c, 0, bolt.V5_0, routingContext)
	mustSendOK(t, streaming, &bolt.Run{Query: "UNWIND range(1, 10000) AS x RETURN x", TxConfig: bolt.TxConfig{Mode: bolt.ModeRead}}, &bolt.Pull{N: 10})
	if r, err := streaming.Reply(); err != nil || r.Kind != bolt.ResponseSuccess {
		t.Fatalf("RUN: %v %v", r.Kind, err)
	}
	writing := client(t, c, 0, bolt.V5_0, routingContext)
	if _, err := writing.Success(&bolt.Begin{}); err != nil {
		t.Fatal(err)
	}
	if _, err := writing.Success(&bolt.Run{Query: createPerson, Params: map[string]any{"name": "dropped"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := writing.Success(rawclient.PullAll()); err != nil {
		t.Fatal(err)
	}

	n, err := c.DropConnections(0)
	if err != nil || n != 2 {
		t.Fatalf("dropped %d connections (%v), want 2", n, err)
	}
	for { // the records of the first PULL were sent before the drop
		r, err := streaming.Receive()
		if err != nil || r.Kind != bolt.ResponseRecord {
			break
		}
	}
	expectClosed(t, streaming)
	expectClosed(t, writing)
	cl := client(t, c, 0, bolt.V5_0, routingContext)
	run(t, cl, createPerson, map[string]any{"name": "kept"}, bolt.TxConfig{})
	if got := storeCount(t, c, "neo4j"); got != 1 {
		t.Fatalf("%d nodes, want 1 (the dropped transaction rolled back)", got)
	}
	if _, err := c.DropConnections(3); err == nil {
		t.Fatal("dropping on member 3 succeeded")
	}
}

// ClearInjections drops the faults that did not fire.
func TestClearInjections(t *testing.T) {
	c := StartT(t, Config{})
	for range 2 {
		if err := c.Inject(0, Match{Message: "RUN"}, Disconnect); err != nil {
			t.Fatal(err)
		}
	}
	if n := c.ClearInjections(); n != 2 {
		t.Fatalf("cleared %d, want 2", n)
	}
	run(t, client(t, c, 0, bolt.V5_0, routingContext), "RETURN 1 AS x", nil, bolt.TxConfig{})
	if n := c.PendingInjections(); n != 0 {
		t.Fatalf("%d pending", n)
	}
}

// A member killed, or whose connections are dropped, while it works on a
// request sends no FAILURE for it: the client sees its connection drop,
// as when a server dies (a "Terminated" failure would tell the driver the
// transaction was killed on purpose, which it must not retry).
func TestDropMidRequestSendsNoFailure(t *testing.T) {
	const clients = 40
	for _, kill := range []bool{false, true} {
		// Member 1 applies commits an hour late: a read that brings the
		// bookmark of a new commit waits there.
		c := StartT(t, Config{Lag: time.Hour})
		_, summary := run(t, client(t, c, 0, bolt.V5_0, routingContext), createPerson, map[string]any{"name": "x"}, bolt.TxConfig{})
		waiting := make([]*rawclient.Client, clients)
		before := c.Server(1).Stats().Requests
		for i := range waiting {
			waiting[i] = client(t, c, 1, bolt.V5_0, routingContext)
			mustSendOK(t, waiting[i], &bolt.Run{Query: "MATCH (n:Person) RETURN n.name AS name",
				TxConfig: bolt.TxConfig{Mode: bolt.ModeRead, Bookmarks: []string{summary.Bookmark}}}, rawclient.PullAll())
		}
		deadline := time.Now().Add(testTimeout)
		for c.Server(1).Stats().Requests < before+clients && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		time.Sleep(20 * time.Millisecond) // the RUNs wait for the bookmark
		if kill {
			if err := c.Kill(1); err != nil {
				t.Fatal(err)
			}
		} else if _, err := c.DropConnections(1); err != nil {
			t.Fatal(err)
		}
		for _, cl := range waiting {
			if r, err := cl.Receive(); err == nil {
				t.Fatalf("kill=%v: got %v %s, want the connection closed", kill, r.Kind, r.Failure.Code)
			}
		}
	}
}
