package router

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestFailoverOrderKnownRoutersThenInitialReResolved(t *testing.T) {
	var resolves atomic.Int32
	f := newFixture(t, func(c *Config) {
		c.Resolve = func(address string) []string {
			resolves.Add(1)
			if address != seed {
				t.Errorf("resolver got %q", address)
			}
			return list("a.example:7687", "b.example")
		}
		c.LookupHost = func(_ context.Context, host string) ([]string, error) {
			switch host {
			case "a.example":
				return list("10.1.0.1", "10.1.0.2"), nil
			case "b.example":
				return list("10.2.0.1"), nil
			}
			return nil, &dnsError{host: host}
		}
	})
	f.routers.serve("10.1.0.1:7687", rt(10, "", list("r1:7687", "r2:7687", "r3:7687"), list("x:7687"), list("w:7687")))
	f.mustSelect(Read, Request{Database: "db"})
	if got := f.routers.routersAsked(); !equal(got, list("10.1.0.1:7687")) {
		t.Fatalf("first refresh asked %v", got)
	}

	// Every known router and the first resolved address fail now; the
	// second one sends an invalid table, the third a valid one.
	f.routers.reset()
	f.routers.fail("r1:7687", errRefused)
	f.routers.fail("r2:7687", errRefused)
	f.routers.fail("10.1.0.1:7687", errRefused)
	f.routers.serve("10.1.0.2:7687", rt(10, "", nil, list("x:7687"), list("w:7687")))
	f.routers.serve("10.2.0.1:7687", rt(10, "", list("r9:7687"), list("y:7687"), list("w:7687")))
	f.clock.Advance(11 * time.Second)

	addr, _ := f.mustSelect(Read, Request{Database: "db"})
	want := list("r1:7687", "r2:7687", "r3:7687", "10.1.0.1:7687", "10.1.0.2:7687", "10.2.0.1:7687")
	if got := f.routers.routersAsked(); !equal(got, want) {
		t.Fatalf("asked %v\nwant  %v", got, want)
	}
	if addr != "y:7687" {
		t.Fatalf("read went to %s, want y from the third resolved address", addr)
	}
	if n := resolves.Load(); n != 2 {
		t.Fatalf("resolver called %d times, want once per fallback (2)", n)
	}
}

func TestInitialRouterAddressAlreadyTriedIsSkipped(t *testing.T) {
	f := newFixture(t, func(c *Config) {
		c.Resolve = func(string) []string { return list("10.0.0.1:7687", "10.0.0.2:7687") }
	})
	f.routers.serve(initial, rt(10, "", list(initial), list("x:7687"), list("w:7687")))
	f.mustSelect(Read, Request{Database: "db"})

	f.routers.reset()
	f.routers.fail(initial, errRefused)
	f.routers.serve("10.0.0.2:7687", rt(10, "", list("10.0.0.2:7687"), list("x:7687"), list("w:7687")))
	f.clock.Advance(time.Minute)
	f.mustSelect(Read, Request{Database: "db"})
	if got := f.routers.routersAsked(); !equal(got, list(initial, "10.0.0.2:7687")) {
		t.Fatalf("asked %v: the known router that failed was asked again", got)
	}
}

func TestAllRoutersDownNamesEachCause(t *testing.T) {
	f := newFixture(t, func(c *Config) {
		c.Resolve = func(string) []string { return list("seed.example:7687", "gone.example:7687") }
	})
	f.routers.serve(initial, rt(10, "", list("r1:7687", "r2:7687"), list("x:7687"), list("w:7687")))
	f.mustSelect(Read, Request{Database: "db"})

	errR1 := errors.New("r1 exploded")
	f.routers.fail("r1:7687", errR1)
	f.routers.fail(initial, errRefused)
	f.clock.Advance(time.Minute)
	_, _, err := f.r.Select(context.Background(), Read, Request{Database: "db"})

	var ue *UnavailableError
	if !errors.As(err, &ue) {
		t.Fatalf("Select = %v, want *UnavailableError", err)
	}
	if ue.Database != "db" || len(ue.Causes) != 4 {
		t.Fatalf("database %q, causes %v", ue.Database, ue.Causes)
	}
	wantRouters := list("r1:7687", "r2:7687", initial)
	for i, want := range wantRouters {
		var fe *FetchError
		if !errors.As(ue.Causes[i], &fe) || fe.Router != want {
			t.Fatalf("cause %d = %v, want a FetchError of %s", i, ue.Causes[i], want)
		}
	}
	var re *ResolveError
	var dns *dnsError
	if !errors.As(ue.Causes[3], &re) || re.Address != "gone.example:7687" || !errors.As(re, &dns) {
		t.Fatalf("cause 3 = %v, want the DNS failure of gone.example", ue.Causes[3])
	}
	if !errors.Is(err, errR1) || !errors.Is(err, errRefused) {
		t.Fatalf("errors.Is does not reach the causes of %v", err)
	}
	for _, s := range []string{"r1:7687", "r2:7687", initial, "r1 exploded", "gone.example"} {
		if !strings.Contains(err.Error(), s) {
			t.Fatalf("message %q does not name %q", err, s)
		}
	}
	if dbs := f.r.Databases(); len(dbs) != 0 {
		t.Fatalf("failed refresh left tables %v", dbs)
	}
}

func TestResolverWithoutAddresses(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.Resolve = func(string) []string { return nil } })
	_, _, err := f.r.Select(context.Background(), Write, Request{Database: "db"})
	var ue *UnavailableError
	var re *ResolveError
	if !errors.As(err, &ue) || !errors.As(err, &re) || re.Address != seed || !errors.Is(err, ErrNoRouters) {
		t.Fatalf("Select = %v, want UnavailableError naming the resolver's empty answer", err)
	}
	if f.routers.callCount() != 0 {
		t.Fatal("a router was asked")
	}
}

func TestDNSWithoutAddresses(t *testing.T) {
	f := newFixture(t, func(c *Config) {
		c.LookupHost = func(context.Context, string) ([]string, error) { return nil, nil }
	})
	_, _, err := f.r.Select(context.Background(), Read, Request{Database: "db"})
	var re *ResolveError
	if !errors.As(err, &re) || !errors.Is(err, ErrNoRouters) {
		t.Fatalf("Select = %v, want a ResolveError with ErrNoRouters", err)
	}
}

func TestFatalErrorStopsFailover(t *testing.T) {
	errNotFound := errors.New("Neo.ClientError.Database.DatabaseNotFound")
	f := newFixture(t, func(c *Config) {
		c.IsFatal = func(err error) bool { return errors.Is(err, errNotFound) }
		c.Resolve = func(string) []string { return list("seed.example:7687", "10.0.0.9:7687") }
	})
	f.routers.fail(initial, errNotFound)
	f.routers.serve("10.0.0.9:7687", rt(10, "", list("r:7687"), list("x:7687"), nil))
	_, _, err := f.r.Select(context.Background(), Read, Request{Database: "nope"})
	var fe *FetchError
	if !errors.Is(err, errNotFound) || !errors.As(err, &fe) || fe.Router != initial {
		t.Fatalf("Select = %v, want the fatal error from %s", err, initial)
	}
	if got := f.routers.routersAsked(); !equal(got, list(initial)) {
		t.Fatalf("asked %v after a fatal error", got)
	}
}

func TestInvalidTableRejectedPreviousKept(t *testing.T) {
	f := newFixture(t, nil)
	f.routers.serve(initial, rt(60, "", list("r1:7687"), list("a:7687"), list("w:7687")))
	f.mustSelect(Read, Request{Database: "db"})
	before := f.table("db")

	f.routers.serve("r1:7687", rt(60, "", list("r1:7687"), nil, list("w:7687"))) // no readers
	f.routers.serve(initial, rt(60, "", list("r1:7687"), list("bad:port:x"), list("w:7687")))
	err := f.r.Refresh(context.Background(), Request{Database: "db"})
	var ite *InvalidTableError
	if !errors.Is(err, ErrInvalidTable) || !errors.As(err, &ite) || ite.Router != "r1:7687" || ite.Reason != "no readers" {
		t.Fatalf("Refresh = %v, want the InvalidTableError of r1", err)
	}
	if !strings.Contains(err.Error(), "bad:port:x") {
		t.Fatalf("%q does not name the unparsable address", err)
	}
	after := f.table("db")
	if !equal(after.Readers, before.Readers) || !after.Expires.Equal(before.Expires) {
		t.Fatalf("table changed to %+v", after)
	}
	if addr, _ := f.mustSelect(Read, Request{Database: "db"}); addr != "a:7687" {
		t.Fatalf("read went to %s", addr)
	}

	// A valid answer from a later router wins over an invalid one.
	f.routers.serve(initial, rt(60, "", list("r1:7687"), list("b:7687"), list("w:7687")))
	if err := f.r.Refresh(context.Background(), Request{Database: "db"}); err != nil {
		t.Fatal(err)
	}
	if tbl := f.table("db"); !equal(tbl.Readers, list("b:7687")) {
		t.Fatalf("readers %v", tbl.Readers)
	}
}

func TestInvalidFirstTableLeavesNothing(t *testing.T) {
	f := newFixture(t, nil)
	f.routers.serve(initial, rt(60, "", list("r1:7687"), nil, nil))
	_, _, err := f.r.Select(context.Background(), Read, Request{Database: "db"})
	if !errors.Is(err, ErrInvalidTable) {
		t.Fatalf("Select = %v", err)
	}
	if _, ok := f.r.Table("db"); ok {
		t.Fatal("an invalid table was stored")
	}
	if dbs := f.r.Databases(); len(dbs) != 0 {
		t.Fatalf("tables %v", dbs)
	}
}

func TestThousandFailingDatabasesLeaveNoTables(t *testing.T) {
	errNotFound := errors.New("database not found")
	f := newFixture(t, func(c *Config) { c.IsFatal = func(err error) bool { return errors.Is(err, errNotFound) } })
	f.routers.fail(initial, errNotFound)
	for i := range 1000 {
		db := "missing-" + string(rune('a'+i%26)) + "-" + itoa(i)
		if _, _, err := f.r.Select(context.Background(), Read, Request{Database: db}); !errors.Is(err, errNotFound) {
			t.Fatalf("Select(%s) = %v", db, err)
		}
	}
	if dbs := f.r.Databases(); len(dbs) != 0 {
		t.Fatalf("%d tables left, e.g. %v", len(dbs), dbs[:1])
	}
	// The same holds when routers are unreachable rather than refusing.
	f.routers.fail(initial, errRefused)
	for i := range 100 {
		if _, _, err := f.r.Select(context.Background(), Write, Request{Database: "gone" + itoa(i)}); err == nil {
			t.Fatal("Select succeeded")
		}
	}
	if dbs := f.r.Databases(); len(dbs) != 0 {
		t.Fatalf("%d tables left", len(dbs))
	}
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b []byte
	for ; i > 0; i /= 10 {
		b = append([]byte{byte('0' + i%10)}, b...)
	}
	return string(b)
}
