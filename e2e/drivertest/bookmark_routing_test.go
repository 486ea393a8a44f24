package drivertest_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/boltrx/boltrx"
	"github.com/boltrx/boltrx/e2e/boltstub"
)

func TestBookmarkSupplierIsAskedForRoutingOnlyWhenATableIsFetched(t *testing.T) {
	routerAddr := freeAddr(t)
	member := boltstub.Start(t, head5+hello5+`
C: BEGIN {"bookmarks": ["supplied:2"], "db": "movies"}
S: SUCCESS {}
C: COMMIT
S: SUCCESS {"bookmark": "bm:1"}
C: BEGIN {"bookmarks": unordered ["bm:1", "supplied:3"], "db": "movies"}
S: SUCCESS {}
C: COMMIT
S: SUCCESS {"bookmark": "bm:2"}
`)
	listenStub(t, routerAddr, head5+`
C: HELLO {"user_agent": "boltrx/test", "routing": any map, ...}
S: SUCCESS {"server": "Neo4j/5.20.0", "connection_id": "bolt-1"}
C: LOGON ...
S: SUCCESS {}
C: ROUTE any ["supplied:1"] {"db": "movies"}
S: SUCCESS `+fmt.Sprintf(`{"rt": {"ttl": 300, "db": "movies", "servers": [
	  {"addresses": [%q], "role": "ROUTE"},
	  {"addresses": [%q], "role": "READ"},
	  {"addresses": [%q], "role": "WRITE"}]}}`, routerAddr, member.Addr(), member.Addr())+`
`)
	calls := 0
	bmm := boltrx.NewBookmarkManager(boltrx.BookmarkManagerConfig{
		BookmarkSupplier: func(context.Context) (boltrx.Bookmarks, error) {
			calls++
			return boltrx.Bookmarks{fmt.Sprintf("supplied:%d", calls)}, nil
		},
	})
	drv, err := boltrx.NewDriver("neo4j://"+routerAddr, boltrx.BasicAuth("neo4j", "secret", ""),
		func(c *boltrx.Config) { c.UserAgent = "boltrx/test" })
	if err != nil {
		t.Fatal(err)
	}
	defer drv.Close(context.Background())
	ctx := ctxT(t)
	// The first transaction needs a table (call 1 for ROUTE, call 2 for
	// BEGIN); the second has a fresh one (call 3 for BEGIN only).
	for i := 0; i < 2; i++ {
		sess, _ := drv.NewSession(ctx, boltrx.SessionConfig{DatabaseName: "movies", BookmarkManager: bmm})
		tx, err := sess.BeginTransaction(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		sess.Close(ctx)
	}
	if calls != 3 {
		t.Fatalf("supplier calls = %d, want 3", calls)
	}
}
