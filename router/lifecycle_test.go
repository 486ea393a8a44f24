package router

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/boltrx/boltrx/bolt"
)

func TestUnusedTablesArePurged(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.PurgeAfter = time.Hour })
	homeRouters(f, map[string]string{"u": "udb"})
	f.mustSelect(Read, Request{Database: "old"})
	f.mustSelect(Read, Request{User: "u"})

	f.clock.Advance(40 * time.Minute)
	f.mustSelect(Read, Request{Database: "recent"})
	if got := f.r.Databases(); !equal(got, list("old", "recent", "udb")) {
		t.Fatalf("databases %v before anything is due", got)
	}

	f.clock.Advance(30 * time.Minute) // old and udb unused for 70 minutes
	f.mustSelect(Read, Request{Database: "recent"})
	if got := f.r.Databases(); !equal(got, list("recent")) {
		t.Fatalf("databases %v, want [recent]", got)
	}
	if _, ok := f.r.HomeDatabase("u", ""); ok {
		t.Fatal("unused home database name kept")
	}

	f.clock.Advance(2 * time.Hour)
	f.r.Purge()
	if got := f.r.Databases(); len(got) != 0 {
		t.Fatalf("databases %v after Purge", got)
	}
	f.routers.reset()
	f.mustSelect(Read, Request{Database: "old"})
	if f.routers.callCount() != 1 {
		t.Fatal("a purged table was not fetched again")
	}
}

func TestNegativePurgeAfterKeepsTables(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.PurgeAfter = -1 })
	f.routers.serve(initial, rt(1<<40, "", list("r:7687"), list("a:7687"), nil))
	f.mustSelect(Read, Request{Database: "a"})
	f.clock.Advance(1000 * time.Hour)
	f.r.Purge()
	f.mustSelect(Read, Request{Database: "b"})
	if got := f.r.Databases(); !equal(got, list("a", "b")) {
		t.Fatalf("databases %v", got)
	}
}

func TestCloseEndsWaitersAndRefreshes(t *testing.T) {
	f := newFixture(t, nil)
	f.routers.set(initial, func(ctx context.Context, _ Request) (*bolt.RoutingTable, error) {
		<-ctx.Done() // a router that never answers
		return nil, ctx.Err()
	})
	done := make(chan error)
	go func() {
		_, _, err := f.r.Select(context.Background(), Read, Request{Database: "db"})
		done <- err
	}()
	waitFor(func() bool { return f.routers.callCount() == 1 })
	f.r.Close()
	if err := <-done; !errors.Is(err, ErrClosed) {
		t.Fatalf("waiter got %v, want ErrClosed", err)
	}
	if _, _, err := f.r.Select(context.Background(), Read, Request{Database: "db"}); !errors.Is(err, ErrClosed) {
		t.Fatalf("Select after Close = %v", err)
	}
	if err := f.r.Refresh(context.Background(), Request{Database: "db"}); !errors.Is(err, ErrClosed) {
		t.Fatalf("Refresh after Close = %v", err)
	}
	f.r.Close() // twice is fine
	f.r.Forget("x:1")
	f.r.ForgetDatabase("db")
	f.r.Purge()
}

func TestNoFetcherConfigured(t *testing.T) {
	r := New(newSystem(t), nil, Config{InitialRouter: "10.9.9.9:7687"})
	defer r.Close()
	_, _, err := r.Select(context.Background(), Read, Request{Database: "db"})
	if !errors.Is(err, errNoFetcher) {
		t.Fatalf("Select = %v", err)
	}
}

func TestSpawnedUnderAParentActor(t *testing.T) {
	sys := newSystem(t)
	f := newFakeRouters()
	f.serve("10.9.9.9:7687", rt(300, "", list("r:7687"), list("a:7687"), nil))
	r := New(sys, sys.Root, Config{InitialRouter: "10.9.9.9:7687", Fetch: f.Fetch})
	defer r.Close()
	if addr, _, err := r.Select(context.Background(), Read, Request{Database: "db"}); err != nil || addr != "a:7687" {
		t.Fatalf("Select = %q, %v", addr, err)
	}
}

func TestAccessModeString(t *testing.T) {
	if Read.String() != "READ" || Write.String() != "WRITE" || AccessMode(7).String() == "READ" {
		t.Fatal("AccessMode.String")
	}
}

func TestCrashedActorIsReplaced(t *testing.T) {
	// callsToCrash > 0 counts clock calls down; the one reaching 0 panics.
	var callsToCrash atomic.Int32
	clock := newFakeClock()
	f := newFixture(t, func(c *Config) {
		c.Now = func() time.Time {
			if callsToCrash.Load() > 0 && callsToCrash.Add(-1) == 0 {
				panic("clock exploded")
			}
			return clock.Now()
		}
	})
	f.routers.serve(initial, rt(300, "", list("r:7687"), list("a:7687"), nil))
	f.mustSelect(Read, Request{Database: "db"})
	before := f.r.tableEntry("db")[0]

	// The next Select reads the clock once, finds the table stale for
	// writes and asks the actor, whose clock call panics: its supervisor
	// stops it, the caller retries with a new actor.
	callsToCrash.Store(2)
	_, _, err := f.r.Select(context.Background(), Write, Request{Database: "db"})
	if !errors.Is(err, ErrNoServers) {
		t.Fatalf("Select after the crash = %v, want the new table's NoServersError", err)
	}
	if callsToCrash.Load() != 0 {
		t.Fatal("the actor never called the clock")
	}
	if after := f.r.tableEntry("db"); len(after) != 1 || after[0] == before {
		t.Fatal("the crashed actor's entry was kept")
	}
}

func TestPanickingFetcherFailsOneRouter(t *testing.T) {
	f := newFixture(t, func(c *Config) {
		c.Resolve = func(string) []string { return list("10.0.0.1:7687", "10.0.0.2:7687") }
	})
	f.routers.set(initial, func(context.Context, Request) (*bolt.RoutingTable, error) { panic("decoder bug") })
	f.routers.serve("10.0.0.2:7687", rt(300, "", list("r:7687"), list("a:7687"), nil))
	if addr, _ := f.mustSelect(Read, Request{Database: "db"}); addr != "a:7687" {
		t.Fatalf("read went to %s", addr)
	}
}
