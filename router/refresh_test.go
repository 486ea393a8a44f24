package router

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/boltrx/boltrx/bolt"
)

const initial = "10.0.0.1:7687" // seed.example resolved by the fixture's DNS

func TestSingleFlightManyCallersOneFetch(t *testing.T) {
	f := newFixture(t, nil)
	gate := make(chan struct{})
	f.routers.set(initial, func(ctx context.Context, _ Request) (*bolt.RoutingTable, error) {
		<-gate
		return rt(300, "", list("r1:7687"), list("a:7687", "b:7687"), list("w:7687")), nil
	})

	const callers = 100
	var wg sync.WaitGroup
	errs := make(chan error, callers)
	for range callers {
		wg.Go(func() {
			addr, db, err := f.r.Select(context.Background(), Read, Request{Database: "movies"})
			if err == nil && (db != "movies" || (addr != "a:7687" && addr != "b:7687")) {
				err = errors.New("unexpected answer " + addr + " " + db)
			}
			errs <- err
		})
	}
	// Every caller is queued behind the one refresh before it may land.
	waitFor(func() bool {
		e := f.r.tableEntry("movies")
		return len(e) == 1 && e[0].waiting.Load() == callers
	})
	close(gate)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := f.routers.callCount(); n != 1 {
		t.Fatalf("fetches = %d, want 1", n)
	}
}

func TestExpiredTableIsRefreshed(t *testing.T) {
	f := newFixture(t, nil)
	f.routers.serve(initial, rt(300, "", list("r1:7687"), list("a:7687"), list("w:7687")))
	f.routers.serve("r1:7687", rt(300, "", list("r1:7687"), list("b:7687"), list("w:7687")))

	if addr, _ := f.mustSelect(Read, Request{Database: "db"}); addr != "a:7687" {
		t.Fatalf("first read went to %s", addr)
	}
	wantExpires := f.clock.Now().Add(300 * time.Second)
	if tbl := f.table("db"); tbl.TTL != 300*time.Second || !tbl.Expires.Equal(wantExpires) {
		t.Fatalf("TTL %v expires %v, want 5m and %v", tbl.TTL, tbl.Expires, wantExpires)
	}

	f.clock.Advance(299 * time.Second)
	f.mustSelect(Read, Request{Database: "db"})
	if n := f.routers.callCount(); n != 1 {
		t.Fatalf("a fresh table was refetched: %d fetches", n)
	}

	f.clock.Advance(time.Second) // expires now
	addr, _ := f.mustSelect(Read, Request{Database: "db"})
	if n := f.routers.callCount(); n != 2 {
		t.Fatalf("expired table: %d fetches, want 2", n)
	}
	if got := f.routers.lastCall().router; got != "r1:7687" {
		t.Fatalf("refresh asked %s, want the known router r1", got)
	}
	if addr != "b:7687" {
		t.Fatalf("read after refresh went to %s, want b from the new table", addr)
	}
}

func TestMissingWritersRefreshOnlyForWrites(t *testing.T) {
	f := newFixture(t, nil)
	noWriters := rt(300, "", list("r1:7687"), list("a:7687"), nil)
	f.routers.serve(initial, noWriters)
	f.routers.serve("r1:7687", noWriters)

	f.mustSelect(Read, Request{Database: "db"})
	f.mustSelect(Read, Request{Database: "db"})
	if n := f.routers.callCount(); n != 1 {
		t.Fatalf("reads: %d fetches, want 1", n)
	}

	_, _, err := f.r.Select(context.Background(), Write, Request{Database: "db"})
	var nse *NoServersError
	if !errors.As(err, &nse) || nse.Mode != Write || nse.Database != "db" || !errors.Is(err, ErrNoServers) {
		t.Fatalf("write without writers: %v, want *NoServersError for writes", err)
	}
	if n := f.routers.callCount(); n != 2 {
		t.Fatalf("write: %d fetches, want a second one", n)
	}
	// The table had no writers, so the initial router is asked first.
	if got := f.routers.lastCall().router; got != initial {
		t.Fatalf("refresh after a writer-less table asked %s first, want the initial router", got)
	}

	f.mustSelect(Read, Request{Database: "db"})
	if n := f.routers.callCount(); n != 2 {
		t.Fatalf("read after: %d fetches, want none more", n)
	}

	// A leader is elected: the next write refreshes and finds it.
	f.routers.serve(initial, rt(300, "", list("r1:7687"), list("a:7687"), list("w:7687")))
	if addr, _ := f.mustSelect(Write, Request{Database: "db"}); addr != "w:7687" {
		t.Fatalf("write went to %s", addr)
	}
}

func TestForcedRefreshFetchesAFreshTable(t *testing.T) {
	f := newFixture(t, nil)
	f.routers.serve(initial, rt(300, "", list("r1:7687"), list("a:7687"), list("w:7687")))
	f.routers.serve("r1:7687", rt(300, "", list("r1:7687"), list("c:7687"), list("w:7687")))
	if err := f.r.Refresh(context.Background(), Request{Database: "db"}); err != nil {
		t.Fatal(err)
	}
	if err := f.r.Refresh(context.Background(), Request{Database: "db"}); err != nil {
		t.Fatal(err)
	}
	if got := f.routers.routersAsked(); !equal(got, list(initial, "r1:7687")) {
		t.Fatalf("asked %v", got)
	}
	if tbl := f.table("db"); !equal(tbl.Readers, list("c:7687")) {
		t.Fatalf("readers %v after the forced refresh", tbl.Readers)
	}
}

func TestFetchGetsTheRequest(t *testing.T) {
	f := newFixture(t, nil)
	f.routers.serve(initial, rt(300, "", list("r1:7687"), list("a:7687"), list("w:7687")))
	req := Request{Database: "db", ImpersonatedUser: "imp", Bookmarks: list("bm1"), User: "u"}
	f.mustSelect(Read, req)
	got := f.routers.lastCall().req
	if got.Database != "db" || got.ImpersonatedUser != "imp" || !equal(got.Bookmarks, list("bm1")) || got.User != "u" {
		t.Fatalf("fetch got %+v", got)
	}
}

func TestCallerGivingUpCancelsTheRefresh(t *testing.T) {
	f := newFixture(t, nil)
	fetchCancelled := make(chan struct{})
	f.routers.set(initial, func(ctx context.Context, _ Request) (*bolt.RoutingTable, error) {
		<-ctx.Done()
		close(fetchCancelled)
		return nil, ctx.Err()
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		_, _, err := f.r.Select(ctx, Read, Request{Database: "db"})
		done <- err
	}()
	waitFor(func() bool { return f.routers.callCount() == 1 })
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Select = %v, want context.Canceled", err)
	}
	<-fetchCancelled // the refresh nobody waits for is cancelled
	waitFor(func() bool { return len(f.r.Databases()) == 0 })

	// The next caller starts a new refresh.
	f.routers.serve(initial, rt(300, "", list("r1:7687"), list("a:7687"), list("w:7687")))
	if addr, _ := f.mustSelect(Read, Request{Database: "db"}); addr != "a:7687" {
		t.Fatalf("read went to %s", addr)
	}
}

func TestSelectorsOfAFreshModeDoNotWaitForARefresh(t *testing.T) {
	f := newFixture(t, nil)
	f.routers.serve(initial, rt(300, "", list("r1:7687"), list("a:7687"), nil))
	f.mustSelect(Read, Request{Database: "db"})

	gate := make(chan struct{})
	f.routers.set("r1:7687", func(context.Context, Request) (*bolt.RoutingTable, error) {
		<-gate
		return rt(300, "", list("r1:7687"), list("a:7687"), list("w:7687")), nil
	})
	f.routers.set(initial, func(context.Context, Request) (*bolt.RoutingTable, error) {
		<-gate
		return rt(300, "", list("r1:7687"), list("a:7687"), list("w:7687")), nil
	})
	writeDone := make(chan string)
	go func() {
		addr, _ := f.mustSelect(Write, Request{Database: "db"})
		writeDone <- addr
	}()
	waitFor(func() bool { return f.routers.callCount() == 2 })
	// A read is served from the current table while the write waits.
	if addr, _ := f.mustSelect(Read, Request{Database: "db"}); addr != "a:7687" {
		t.Fatalf("read went to %s", addr)
	}
	close(gate)
	if addr := <-writeDone; addr != "w:7687" {
		t.Fatalf("write went to %s", addr)
	}
}

func TestReadersFetchesAFreshTableEveryTime(t *testing.T) {
	f := newFixture(t, nil)
	f.routers.serve(initial, rt(300, "", list("r1:7687"), list("a:7687", "b:7687"), list("w:7687")))
	f.routers.serve("r1:7687", rt(300, "", list("r1:7687"), list("c:7687"), list("w:7687")))
	ctx := context.Background()
	readers, db, err := f.r.Readers(ctx, Request{Database: "db"})
	if err != nil || db != "db" || len(readers) != 2 || readers[0] != "a:7687" || readers[1] != "b:7687" {
		t.Fatalf("Readers = %v %q %v", readers, db, err)
	}
	// The table is fresh, yet the next call fetches it again.
	readers, _, err = f.r.Readers(ctx, Request{Database: "db"})
	if err != nil || len(readers) != 1 || readers[0] != "c:7687" {
		t.Fatalf("second Readers = %v %v", readers, err)
	}
	if n := f.routers.callCount(); n != 2 {
		t.Fatalf("fetches = %d, want 2", n)
	}
}
