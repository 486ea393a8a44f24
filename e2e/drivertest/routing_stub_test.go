package drivertest_test

import (
	"context"
	"net"
	"slices"
	"testing"

	"github.com/boltrx/boltrx"
)

func routingDriver(t *testing.T, addr string) *boltrx.Driver {
	t.Helper()
	drv, err := boltrx.NewDriver("neo4j://"+addr, boltrx.BasicAuth("neo4j", "secret", ""), func(c *boltrx.Config) { c.UserAgent = "boltrx/test" })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := drv.Close(context.Background()); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return drv
}

// Without server-side routing each session resolves the home database
// itself, with its own bookmarks: the home database may have changed
// since another session of the same user resolved it.
func TestEachSessionResolvesItsHomeDatabase(t *testing.T) {
	addr := startSelfRoutingStub(t, `
bolt 4.4
anytime
  C: GOODBYE
  close
end
anytime
  C: RESET
  S: SUCCESS {}
end
C: HELLO ...
S: SUCCESS {"server": "Neo4j/4.4.0", "connection_id": "bolt-1"}
C: ROUTE {"address": $SELF} [] {"imp_user": "alice"}
S: SUCCESS {"rt": {"ttl": 1000, "db": "home1", "servers": [{"addresses": [$SELF], "role": "ROUTE"}, {"addresses": [$SELF], "role": "READ"}, {"addresses": [$SELF], "role": "WRITE"}]}}
C: RUN "RETURN 1" {} {"db": "home1", "imp_user": "alice", "mode": "r"}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["1"]}
S: RECORD [1]
S: SUCCESS {"type": "r"}
C: ROUTE {"address": $SELF} ["bm:1"] {"imp_user": "alice"}
S: SUCCESS {"rt": {"ttl": 1000, "db": "home2", "servers": [{"addresses": [$SELF], "role": "ROUTE"}, {"addresses": [$SELF], "role": "READ"}, {"addresses": [$SELF], "role": "WRITE"}]}}
C: RUN "RETURN 2" {} {"db": "home2", "imp_user": "alice", "mode": "r", "bookmarks": ["bm:1"]}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["2"]}
S: RECORD [2]
S: SUCCESS {"type": "r"}
`)
	drv := routingDriver(t, addr)
	ctx := ctxT(t)
	runOne(ctx, t, drv, boltrx.SessionConfig{AccessMode: boltrx.AccessModeRead, ImpersonatedUser: "alice"}, "RETURN 1")
	runOne(ctx, t, drv, boltrx.SessionConfig{AccessMode: boltrx.AccessModeRead, ImpersonatedUser: "alice", Bookmarks: boltrx.Bookmarks{"bm:1"}}, "RETURN 2")
}

// Under server-side routing (5.8+, ssr.enabled) the server resolves the
// home database: a later session uses the cached name to pick a server
// and asks no router.
func TestCachedHomeDatabaseServesServerSideRouting(t *testing.T) {
	addr := startSelfRoutingStub(t, `
bolt 5.8
anytime
  C: GOODBYE
  close
end
anytime
  C: RESET
  S: SUCCESS {}
end
C: HELLO ...
S: SUCCESS {"server": "Neo4j/5.26.0", "connection_id": "bolt-1", "hints": {"ssr.enabled": true}}
C: LOGON ...
S: SUCCESS {}
C: ROUTE {"address": $SELF} [] {}
S: SUCCESS {"rt": {"ttl": 1000, "db": "home1", "servers": [{"addresses": [$SELF], "role": "ROUTE"}, {"addresses": [$SELF], "role": "READ"}, {"addresses": [$SELF], "role": "WRITE"}]}}
C: RUN "RETURN 1" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["1"], "db": "home1"}
S: RECORD [1]
S: SUCCESS {"type": "w"}
C: RUN "RETURN 2" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["2"], "db": "home1"}
S: RECORD [2]
S: SUCCESS {"type": "w"}
`)
	drv := routingDriver(t, addr)
	ctx := ctxT(t)
	runOne(ctx, t, drv, boltrx.SessionConfig{}, "RETURN 1")
	runOne(ctx, t, drv, boltrx.SessionConfig{}, "RETURN 2")
}

// A home database resolved as "" (a server whose routing table names no
// database) stays resolved for the session: its later work asks no
// router again.
func TestSessionKeepsAnUnnamedHomeDatabase(t *testing.T) {
	addr := startSelfRoutingStub(t, `
bolt 4.3
anytime
  C: GOODBYE
  close
end
anytime
  C: RESET
  S: SUCCESS {}
end
C: HELLO ...
S: SUCCESS {"server": "Neo4j/4.3.0", "connection_id": "bolt-1"}
C: ROUTE {"address": $SELF} [] null
S: SUCCESS {"rt": {"ttl": 1000, "servers": [{"addresses": [$SELF], "role": "ROUTE"}, {"addresses": [$SELF], "role": "READ"}, {"addresses": [$SELF], "role": "WRITE"}]}}
repeat 2
  C: RUN "RETURN 1" {} {}
  C: PULL {"n": 1000}
  S: SUCCESS {"fields": ["1"]}
  S: RECORD [1]
  S: SUCCESS {"type": "w"}
end
`)
	drv := routingDriver(t, addr)
	ctx := ctxT(t)
	sess, err := drv.NewSession(ctx, boltrx.SessionConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close(ctx)
	for range 2 {
		res, err := sess.Run(ctx, "RETURN 1", nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := res.Consume(ctx); err != nil {
			t.Fatal(err)
		}
	}
}

// A member that cannot be reached leaves the routing table and the
// acquisition goes on with another member of the role.
func TestAcquisitionSkipsAnUnreachableMember(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := ln.Addr().String()
	ln.Close()
	addr := startSelfRoutingStub(t, `
bolt 5.4
anytime
  C: GOODBYE
  close
end
anytime
  C: RESET
  S: SUCCESS {}
end
C: HELLO ...
S: SUCCESS {"server": "Neo4j/5.20.0", "connection_id": "bolt-1"}
C: LOGON ...
S: SUCCESS {}
C: ROUTE {"address": $SELF} [] {"db": "movies"}
S: SUCCESS {"rt": {"ttl": 1000, "db": "movies", "servers": [{"addresses": [$SELF], "role": "ROUTE"}, {"addresses": [$SELF], "role": "READ"}, {"addresses": ["`+dead+`", $SELF], "role": "WRITE"}]}}
repeat 3
  C: RUN "RETURN 1" {} {"db": "movies"}
  C: PULL {"n": 1000}
  S: SUCCESS {"fields": ["1"]}
  S: RECORD [1]
  S: SUCCESS {"type": "w"}
end
`)
	drv := routingDriver(t, addr)
	ctx := ctxT(t)
	for range 3 {
		runOne(ctx, t, drv, boltrx.SessionConfig{DatabaseName: "movies"}, "RETURN 1")
	}
	if rt, _ := drv.RoutingTable("movies"); slices.Contains(rt.Writers, dead) {
		t.Errorf("writers %v still hold the unreachable %s", rt.Writers, dead)
	}
	m, ok := drv.ConnectionPoolMetrics(addr)
	if !ok || m.Idle != 1 || m.InUse != 0 || m.Created != 1 {
		t.Errorf("ConnectionPoolMetrics(%s) = %+v, %v; want one idle connection", addr, m, ok)
	}
	if _, ok := drv.ConnectionPoolMetrics("127.0.0.1:1"); ok {
		t.Error("ConnectionPoolMetrics of an address never dialled reports a pool")
	}
}

// UpdateRoutingTable of the home database ("") looks the home database up
// again rather than refreshing the table of the name it had.
func TestUpdateRoutingTableLooksTheHomeDatabaseUpAgain(t *testing.T) {
	addr := startSelfRoutingStub(t, `
bolt 5.4
anytime
  C: GOODBYE
  close
end
anytime
  C: RESET
  S: SUCCESS {}
end
C: HELLO ...
S: SUCCESS {"server": "Neo4j/5.20.0", "connection_id": "bolt-1"}
C: LOGON ...
S: SUCCESS {}
C: ROUTE {"address": $SELF} [] {}
S: SUCCESS {"rt": {"ttl": 1000, "db": "home1", "servers": [{"addresses": [$SELF], "role": "ROUTE"}, {"addresses": [$SELF], "role": "READ"}, {"addresses": [$SELF], "role": "WRITE"}]}}
C: ROUTE {"address": $SELF} [] {}
S: SUCCESS {"rt": {"ttl": 1000, "db": "home2", "servers": [{"addresses": [$SELF], "role": "ROUTE"}, {"addresses": [$SELF], "role": "READ"}, {"addresses": [$SELF], "role": "WRITE"}]}}
`)
	drv := routingDriver(t, addr)
	ctx := ctxT(t)
	for range 2 {
		if err := drv.UpdateRoutingTable(ctx, "", nil); err != nil {
			t.Fatal(err)
		}
	}
	if _, ok := drv.RoutingTable("home2"); !ok {
		t.Error("no table for the home database the second lookup named")
	}
}

// When every member of the role the table names fails, the acquisition
// fails: it does not fetch a new table to look for more.
func TestAcquisitionFailsWhenTheTablesMembersFail(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := ln.Addr().String()
	ln.Close()
	addr := startSelfRoutingStub(t, `
bolt 5.4
anytime
  C: GOODBYE
  close
end
anytime
  C: RESET
  S: SUCCESS {}
end
C: HELLO ...
S: SUCCESS {"server": "Neo4j/5.20.0", "connection_id": "bolt-1"}
C: LOGON ...
S: SUCCESS {}
C: ROUTE {"address": $SELF} [] {"db": "movies"}
S: SUCCESS {"rt": {"ttl": 1000, "db": "movies", "servers": [{"addresses": [$SELF], "role": "ROUTE"}, {"addresses": [$SELF], "role": "READ"}, {"addresses": ["`+dead+`"], "role": "WRITE"}]}}
`)
	drv := routingDriver(t, addr)
	ctx := ctxT(t)
	sess, err := drv.NewSession(ctx, boltrx.SessionConfig{DatabaseName: "movies"})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close(ctx)
	if _, err := sess.Run(ctx, "RETURN 1", nil); !boltrx.IsConnectivityError(err) {
		t.Fatalf("Run with the only writer down = %v, want a ConnectivityError", err)
	}
}

// DatabaseUnavailable from a member takes it out of the routing table:
// the retry fetches a new table instead of going back to it.
func TestDatabaseUnavailableForgetsTheMember(t *testing.T) {
	addr := startSelfRoutingStub(t, `
bolt 5.4
anytime
  C: GOODBYE
  close
end
anytime
  C: RESET
  S: SUCCESS {}
end
C: HELLO ...
S: SUCCESS {"server": "Neo4j/5.20.0", "connection_id": "bolt-1"}
C: LOGON ...
S: SUCCESS {}
C: ROUTE {"address": $SELF} [] {"db": "movies"}
S: SUCCESS {"rt": {"ttl": 1000, "db": "movies", "servers": [{"addresses": [$SELF], "role": "ROUTE"}, {"addresses": [$SELF], "role": "READ"}, {"addresses": [$SELF], "role": "WRITE"}]}}
C: BEGIN {"db": "movies"}
S: SUCCESS {}
C: RUN "RETURN 1" {} {}
C: PULL {"n": 1000}
S: FAILURE {"code": "Neo.TransientError.General.DatabaseUnavailable", "message": "store copy"}
S: IGNORED
C: RESET
S: SUCCESS {}
C: ROUTE {"address": $SELF} [] {"db": "movies"}
S: SUCCESS {"rt": {"ttl": 1000, "db": "movies", "servers": [{"addresses": [$SELF], "role": "ROUTE"}, {"addresses": [$SELF], "role": "READ"}, {"addresses": [$SELF], "role": "WRITE"}]}}
C: BEGIN {"db": "movies"}
S: SUCCESS {}
C: RUN "RETURN 1" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["1"]}
S: RECORD [1]
S: SUCCESS {"type": "w"}
C: COMMIT
S: SUCCESS {"bookmark": "bm:1"}
`)
	drv := routingDriver(t, addr)
	ctx := ctxT(t)
	sess, err := drv.NewSession(ctx, boltrx.SessionConfig{DatabaseName: "movies"})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close(ctx)
	_, err = sess.ExecuteWrite(ctx, func(tx boltrx.ManagedTransaction) (any, error) {
		r, err := tx.Run(ctx, "RETURN 1", nil)
		if err != nil {
			return nil, err
		}
		return r.Consume(ctx)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A Bolt 3 cluster names no home database: every session uses the one
// table, fetched once (its TTL holds), and the routing procedure gets no
// bookmarks (Bolt 3 has one database).
func TestBolt3SessionsShareTheDefaultTable(t *testing.T) {
	addr := startSelfRoutingStub(t, `
bolt 3.0
anytime
  C: GOODBYE
  close
end
anytime
  C: RESET
  S: SUCCESS {}
end
C: HELLO ...
S: SUCCESS {"server": "Neo4j/3.5.0", "connection_id": "bolt-1"}
C: RUN "CALL dbms.cluster.routing.getRoutingTable($context)" {"context": {"address": $SELF}} {"mode": "r"}
C: PULL_ALL
S: SUCCESS {"fields": ["ttl", "servers"]}
S: RECORD [1000, [{"addresses": [$SELF], "role": "ROUTE"}, {"addresses": [$SELF], "role": "READ"}, {"addresses": [$SELF], "role": "WRITE"}]]
S: SUCCESS {}
C: RUN "RETURN 1" {} {"bookmarks": ["bm:1"]}
C: PULL_ALL
S: SUCCESS {"fields": ["1"]}
S: RECORD [1]
S: SUCCESS {"bookmark": "bm:2"}
C: RUN "RETURN 1" {} {"bookmarks": ["bm:2"]}
C: PULL_ALL
S: SUCCESS {"fields": ["1"]}
S: RECORD [1]
S: SUCCESS {"bookmark": "bm:3"}
`)
	drv := routingDriver(t, addr)
	ctx := ctxT(t)
	runOne(ctx, t, drv, boltrx.SessionConfig{Bookmarks: boltrx.Bookmarks{"bm:1"}}, "RETURN 1")
	runOne(ctx, t, drv, boltrx.SessionConfig{Bookmarks: boltrx.Bookmarks{"bm:2"}}, "RETURN 1")
}
