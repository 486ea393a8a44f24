package router

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/boltrx/boltrx/bolt"
)

// homeRouters answers the home database per (impersonated) user.
func homeRouters(f *fixture, homes map[string]string) {
	f.routers.set(initial, func(_ context.Context, req Request) (*bolt.RoutingTable, error) {
		db := req.Database
		if db == "" {
			who := req.ImpersonatedUser
			if who == "" {
				who = req.User
			}
			db = homes[who]
		}
		return rt(300, db, list("r:7687"), list("read-"+db+":7687"), list("write-"+db+":7687")), nil
	})
	f.routers.fail("r:7687", errRefused)
}

func TestHomeDatabaseResolvedOnceAndCachedPerUser(t *testing.T) {
	f := newFixture(t, nil)
	homeRouters(f, map[string]string{"alice": "alice_db", "bob": "bob_db"})

	addr, db := f.mustSelect(Read, Request{User: "alice"})
	if db != "alice_db" || addr != "read-alice_db:7687" {
		t.Fatalf("Select = %s, %s", addr, db)
	}
	if c := f.routers.lastCall(); c.req.Database != "" {
		t.Fatalf("home lookup asked for %q", c.req.Database)
	}
	addr, db = f.mustSelect(Write, Request{User: "alice"})
	if db != "alice_db" || addr != "write-alice_db:7687" {
		t.Fatalf("second Select = %s, %s", addr, db)
	}
	if n := f.routers.callCount(); n != 1 {
		t.Fatalf("%d fetches, want the home lookup only", n)
	}
	if tbl := f.table("alice_db"); tbl.Database != "alice_db" {
		t.Fatalf("table %+v", tbl)
	}
	if got := f.r.Databases(); !equal(got, list("alice_db")) {
		t.Fatalf("databases %v", got)
	}

	// Alice impersonating bob is another cache entry.
	if _, db := f.mustSelect(Read, Request{User: "alice", ImpersonatedUser: "bob"}); db != "bob_db" {
		t.Fatalf("impersonated home = %s", db)
	}
	if n := f.routers.callCount(); n != 2 {
		t.Fatalf("%d fetches, want a lookup for the impersonated user", n)
	}
	if c := f.routers.lastCall(); c.req.ImpersonatedUser != "bob" || c.req.Database != "" {
		t.Fatalf("lookup request %+v", c.req)
	}
	if db, ok := f.r.HomeDatabase("alice", "bob"); !ok || db != "bob_db" {
		t.Fatalf("HomeDatabase = %q %v", db, ok)
	}
	if db, ok := f.r.HomeDatabase("alice", ""); !ok || db != "alice_db" {
		t.Fatalf("HomeDatabase = %q %v", db, ok)
	}
	if _, ok := f.r.HomeDatabase("carol", ""); ok {
		t.Fatal("carol has a cached home database")
	}
}

func TestRefreshHomeAsksAgain(t *testing.T) {
	f := newFixture(t, nil)
	homes := map[string]string{"alice": "one"}
	var mu sync.Mutex
	f.routers.set(initial, func(_ context.Context, req Request) (*bolt.RoutingTable, error) {
		mu.Lock()
		db := homes["alice"]
		mu.Unlock()
		if req.Database != "" {
			db = req.Database
		}
		return rt(300, db, list(initial), list("x:7687"), list("y:7687")), nil
	})
	f.mustSelect(Read, Request{User: "alice"})
	mu.Lock()
	homes["alice"] = "two"
	mu.Unlock()
	if _, db := f.mustSelect(Read, Request{User: "alice"}); db != "one" {
		t.Fatalf("cached home = %s", db)
	}
	if _, db := f.mustSelect(Read, Request{User: "alice", RefreshHome: true}); db != "two" {
		t.Fatalf("refreshed home = %s", db)
	}
	if db, _ := f.r.HomeDatabase("alice", ""); db != "two" {
		t.Fatalf("cache holds %s", db)
	}
}

func TestSetHomeDatabase(t *testing.T) {
	f := newFixture(t, nil)
	homeRouters(f, map[string]string{})
	f.r.SetHomeDatabase("carol", "", "carol_db")
	if _, db := f.mustSelect(Read, Request{User: "carol"}); db != "carol_db" {
		t.Fatalf("home = %s", db)
	}
	if c := f.routers.lastCall(); c.req.Database != "carol_db" {
		t.Fatalf("fetched %q, want the named database's table", c.req.Database)
	}
	f.r.SetHomeDatabase("carol", "", "")
	if _, ok := f.r.HomeDatabase("carol", ""); ok {
		t.Fatal("SetHomeDatabase with \"\" did not remove the entry")
	}
}

func TestConcurrentHomeLookupsShareOneFetch(t *testing.T) {
	f := newFixture(t, nil)
	gate := make(chan struct{})
	f.routers.set(initial, func(context.Context, Request) (*bolt.RoutingTable, error) {
		<-gate
		return rt(300, "h", list("r:7687"), list("x:7687"), list("y:7687")), nil
	})
	const callers = 50
	var wg sync.WaitGroup
	dbs := make(chan string, callers)
	for range callers {
		wg.Go(func() {
			_, db := f.mustSelect(Read, Request{User: "u"})
			dbs <- db
		})
	}
	waitFor(func() bool {
		f.r.mu.RLock()
		defer f.r.mu.RUnlock()
		e := f.r.entries[entryKey{home: true, user: "u"}]
		return e != nil && e.waiting.Load() == callers
	})
	close(gate)
	wg.Wait()
	close(dbs)
	for db := range dbs {
		if db != "h" {
			t.Fatalf("home = %q", db)
		}
	}
	if n := f.routers.callCount(); n != 1 {
		t.Fatalf("%d fetches, want 1", n)
	}
	if got := f.r.Databases(); !equal(got, list("h")) {
		t.Fatalf("databases %v: the lookup's entry should be gone", got)
	}
}

func TestRefreshOfTheHomeDatabase(t *testing.T) {
	f := newFixture(t, nil)
	homeRouters(f, map[string]string{"u": "udb"})
	if err := f.r.Refresh(context.Background(), Request{User: "u"}); err != nil {
		t.Fatal(err)
	}
	if db, ok := f.r.HomeDatabase("u", ""); !ok || db != "udb" {
		t.Fatalf("HomeDatabase = %q %v", db, ok)
	}
	if err := f.r.Refresh(context.Background(), Request{User: "u"}); err != nil {
		t.Fatal(err)
	}
	if c := f.routers.lastCall(); c.req.Database != "udb" {
		t.Fatalf("second refresh fetched %q, want the cached home database", c.req.Database)
	}
}

func TestHomeLookupUpdatesAnExistingTable(t *testing.T) {
	f := newFixture(t, nil)
	var lookups int
	f.routers.set(initial, func(_ context.Context, req Request) (*bolt.RoutingTable, error) {
		if req.Database == "" {
			lookups++
			return rt(300, "h", list("r:7687"), list("from-lookup:7687"), list("w:7687")), nil
		}
		return rt(300, req.Database, list("r:7687"), list("from-table:7687"), list("w:7687")), nil
	})
	f.mustSelect(Read, Request{Database: "h"})
	f.clock.Advance(10 * time.Second)
	if addr, db := f.mustSelect(Read, Request{User: "u"}); db != "h" || addr != "from-lookup:7687" {
		t.Fatalf("Select = %s, %s", addr, db)
	}
	// The lookup's fresher table replaces the one held for h (its actor
	// installs it after the lookup answered).
	waitFor(func() bool { return equal(f.table("h").Readers, list("from-lookup:7687")) })
	if tbl := f.table("h"); !tbl.Expires.Equal(f.clock.Now().Add(300 * time.Second)) {
		t.Fatalf("table %+v", tbl)
	}
	if addr, _ := f.mustSelect(Read, Request{Database: "h"}); addr != "from-lookup:7687" || lookups != 1 || f.routers.callCount() != 2 {
		t.Fatalf("read went to %s after %d fetches", addr, f.routers.callCount())
	}
}

func TestFailingHomeDatabaseIsLookedUpAgain(t *testing.T) {
	errNotFound := errors.New("database not found")
	f := newFixture(t, func(c *Config) { c.IsFatal = func(err error) bool { return errors.Is(err, errNotFound) } })
	home := "old"
	f.routers.set(initial, func(_ context.Context, req Request) (*bolt.RoutingTable, error) {
		switch req.Database {
		case "":
			return rt(1, home, list(initial), list("x:7687"), nil), nil
		case "old":
			return nil, errNotFound
		}
		return rt(300, req.Database, list(initial), list("x:7687"), nil), nil
	})
	f.mustSelect(Read, Request{User: "u"})
	f.clock.Advance(2 * time.Second) // the table of "old" expires
	home = "new"
	if _, _, err := f.r.Select(context.Background(), Read, Request{User: "u"}); !errors.Is(err, errNotFound) {
		t.Fatalf("Select = %v", err)
	}
	if _, ok := f.r.HomeDatabase("u", ""); ok {
		t.Fatal("the failing home database is still cached")
	}
	if _, db := f.mustSelect(Read, Request{User: "u"}); db != "new" {
		t.Fatalf("home = %s", db)
	}
}
