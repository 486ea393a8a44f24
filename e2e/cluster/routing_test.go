package cluster

import (
	"testing"
	"time"

	"github.com/boltrx/boltrx/bolt"
	"github.com/boltrx/boltrx/e2e/server"
	"github.com/boltrx/boltrx/e2e/server/rawclient"
)

// ROUTE (4.3+): routers are all members, the writer the leader, the
// readers the followers; from 4.4 on the table names its database.
func TestRouteTable(t *testing.T) {
	c := StartT(t, Config{})
	a := c.Addrs()
	for _, v := range []bolt.Version{bolt.V4_3, bolt.V4_4, bolt.V5_0, bolt.V5_8, bolt.V6_1} {
		t.Run(v.String(), func(t *testing.T) {
			cl := client(t, c, 1, v, routingContext)
			rt := route(t, cl, "")
			if rt.TTL != 300 {
				t.Fatalf("ttl %d", rt.TTL)
			}
			wantDB := "neo4j"
			if !cl.Caps.RouteExtra {
				wantDB = ""
			}
			if rt.Database != wantDB {
				t.Fatalf("db %q, want %q", rt.Database, wantDB)
			}
			expectTable(t, rt, a, a[1:], a[:1])

			sys := route(t, cl, "system")
			expectTable(t, sys, a, a[1:], a[:1])
		})
	}
}

func TestRouteUnknownDatabase(t *testing.T) {
	c := StartT(t, Config{})
	cl := client(t, c, 0, bolt.V5_0, routingContext)
	mustFail(t, cl, &bolt.Route{Routing: routingContext, Database: "nope"}, CodeDatabaseNotFound)
}

// The routing procedures of 3.0 (default database) and 4.0-4.2 (in the
// system database, $database or the default).
func TestRoutingProcedures(t *testing.T) {
	c := StartT(t, Config{TTL: 42 * time.Second, Databases: []string{"shop"}})
	a := c.Addrs()
	if err := c.MoveLeader("shop", 2); err != nil {
		t.Fatal(err)
	}
	ctx := map[string]any{"address": a[0]}
	cl := client(t, c, 0, bolt.V3_0, nil)
	records, fields := procedureTable(t, cl, "CALL dbms.cluster.routing.getRoutingTable($context)",
		map[string]any{"context": ctx}, bolt.TxConfig{})
	rt, err := bolt.RoutingTableFromRecord(fields, records[0])
	if err != nil {
		t.Fatal(err)
	}
	if rt.TTL != 42 {
		t.Fatalf("ttl %d", rt.TTL)
	}
	expectTable(t, rt, a, a[1:], a[:1])

	for _, v := range []bolt.Version{bolt.V4_0, bolt.V4_2} {
		cl := client(t, c, 1, v, routingContext)
		records, fields := procedureTable(t, cl, "CALL dbms.routing.getRoutingTable($context, $database)",
			map[string]any{"context": ctx, "database": "shop"}, bolt.TxConfig{Database: "system", Mode: bolt.ModeRead})
		rt, err := bolt.RoutingTableFromRecord(fields, records[0])
		if err != nil {
			t.Fatal(err)
		}
		expectTable(t, rt, a, a[:2], a[2:])

		// Without $database: the default database.
		records, fields = procedureTable(t, cl, "CALL dbms.routing.getRoutingTable($context)",
			map[string]any{"context": ctx}, bolt.TxConfig{Database: "system"})
		if rt, err = bolt.RoutingTableFromRecord(fields, records[0]); err != nil {
			t.Fatal(err)
		}
		expectTable(t, rt, a, a[1:], a[:1])

		r, p, err := cl.Query("CALL dbms.routing.getRoutingTable($context, $database)",
			map[string]any{"context": ctx, "database": "nope"}, bolt.TxConfig{Database: "system"})
		if err != nil {
			t.Fatal(err)
		}
		if r.Kind != bolt.ResponseFailure || r.Failure.Code != CodeDatabaseNotFound || p.Kind != bolt.ResponseIgnored {
			t.Fatalf("unknown database: %v %q, then %v", r.Kind, r.Failure.Code, p.Kind)
		}
		if _, err := cl.Success(&bolt.Reset{}); err != nil {
			t.Fatal(err)
		}
	}
}

// procedureTable runs a routing procedure and returns its records and
// fields.
func procedureTable(t *testing.T, cl *rawclient.Client, query string, params map[string]any, cfg bolt.TxConfig) ([][]any, []string) {
	t.Helper()
	r, p, err := cl.Query(query, params, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	if err := p.Err(); err != nil || len(p.Records) != 1 {
		t.Fatalf("%v, %d records", err, len(p.Records))
	}
	return p.Records, r.Success.Fields
}

func TestSingleMemberReadsFromLeader(t *testing.T) {
	c := StartT(t, Config{Members: 1})
	a := c.Addrs()
	rt := route(t, client(t, c, 0, bolt.V5_4, routingContext), "")
	expectTable(t, rt, a, a, a)
}

// The home database: ROUTE without a database, BEGIN and RUN on 5.8.
func TestHomeDatabase(t *testing.T) {
	c := StartT(t, Config{
		Databases: []string{"sales"},
		Users: map[string]User{
			"alice": {Password: "a", HomeDatabase: "sales"},
			"bob":   {Password: "b"},
		},
	})
	alice := clientAs(t, c, 0, bolt.V5_8, routingContext, rawclient.BasicAuth("alice", "a"))
	if rt := route(t, alice, ""); rt.Database != "sales" {
		t.Fatalf("alice's table is for %q", rt.Database)
	}
	begin, err := alice.Success(&bolt.Begin{})
	if err != nil || begin.Success.Database != "sales" {
		t.Fatalf("BEGIN: %v %+v", err, begin.Success)
	}
	if _, err := alice.Success(&bolt.Rollback{}); err != nil {
		t.Fatal(err)
	}
	r, _, err := alice.Query("RETURN 1 AS x", nil, bolt.TxConfig{})
	if err != nil || r.Success.Database != "sales" {
		t.Fatalf("RUN: %v %+v", err, r.Success)
	}
	// Impersonation resolves the other user's home database.
	rr, err := alice.Success(&bolt.Route{Routing: routingContext, ImpersonatedUser: "bob"})
	if err != nil || rr.Success.RoutingTable.Database != "neo4j" {
		t.Fatalf("ROUTE as bob: %v %+v", err, rr.Success.RoutingTable)
	}
	mustFail(t, alice, &bolt.Route{Routing: routingContext, ImpersonatedUser: "mallory"}, CodeImpersonationFailed)

	bob := clientAs(t, c, 0, bolt.V4_4, routingContext, rawclient.BasicAuth("bob", "b"))
	if rt := route(t, bob, ""); rt.Database != "neo4j" {
		t.Fatalf("bob's table is for %q", rt.Database)
	}
	_, summary := run(t, bob, "RETURN 1 AS x", nil, bolt.TxConfig{})
	if summary.Database != "neo4j" {
		t.Fatalf("db %q", summary.Database)
	}
}

func TestSSRHint(t *testing.T) {
	c := StartT(t, Config{})
	cl := dial(t, c.Addr(0), bolt.V5_8)
	hello, err := cl.Login(nil, nil)
	if err != nil || !hello.Hints.SSREnabled {
		t.Fatalf("hints %+v %v", hello.Hints, err)
	}
	off := StartT(t, Config{DisableServerSideRouting: true, Versions: server.VersionRange(bolt.V5_8, bolt.V5_8)})
	cl = dial(t, off.Addr(0), bolt.V5_8)
	if hello, err = cl.Login(nil, nil); err != nil || hello.Hints.SSREnabled {
		t.Fatalf("hints %+v %v", hello.Hints, err)
	}
}
