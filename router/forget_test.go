package router

import (
	"slices"
	"testing"
)

func TestForgetRemovesAddressFromEveryTable(t *testing.T) {
	f := newFixture(t, nil)
	f.routers.serve(initial, rt(300, "", list("r1:7687", "s1:7687"), list("s1:7687", "s2:7687"), list("s1:7687")))
	f.mustSelect(Read, Request{Database: "a"})
	f.mustSelect(Read, Request{Database: "b"})

	f.r.Forget("s1:7687")
	for _, db := range list("a", "b") {
		tbl := f.table(db)
		if slices.Contains(tbl.Routers, "s1:7687") || slices.Contains(tbl.Readers, "s1:7687") || slices.Contains(tbl.Writers, "s1:7687") {
			t.Fatalf("%s still lists s1: %+v", db, tbl)
		}
	}
	for range 10 {
		if addr, _ := f.mustSelect(Read, Request{Database: "a"}); addr != "s2:7687" {
			t.Fatalf("read went to %s after Forget", addr)
		}
	}
	if n := f.routers.callCount(); n != 2 {
		t.Fatalf("%d fetches: reads still had a server, no refresh was due", n)
	}
	// No writer left: a write refreshes the table, from the routers left
	// (r1 is down), then the initial router.
	f.routers.reset()
	f.mustSelect(Write, Request{Database: "a"})
	if got := f.routers.routersAsked(); !equal(got, list("r1:7687", initial)) {
		t.Fatalf("write refresh asked %v", got)
	}
}

func TestForgetWriterOnlyTouchesOneDatabaseAndRole(t *testing.T) {
	f := newFixture(t, nil)
	f.routers.serve(initial, rt(300, "", list("r1:7687"), list("m1:7687", "m2:7687"), list("m1:7687", "m2:7687")))
	f.mustSelect(Write, Request{Database: "a"})
	f.mustSelect(Write, Request{Database: "b"})

	f.r.ForgetWriter("a", "m1:7687")
	if tbl := f.table("a"); !equal(tbl.Writers, list("m2:7687")) || !equal(tbl.Readers, list("m1:7687", "m2:7687")) {
		t.Fatalf("a: %+v", tbl)
	}
	if tbl := f.table("b"); !equal(tbl.Writers, list("m1:7687", "m2:7687")) {
		t.Fatalf("b lost a writer: %+v", tbl)
	}
	for range 10 {
		if addr, _ := f.mustSelect(Write, Request{Database: "a"}); addr != "m2:7687" {
			t.Fatalf("write went to %s", addr)
		}
	}
	f.r.ForgetWriter("nope", "m1:7687") // no table: nothing happens
}

func TestForgetDatabaseDropsTable(t *testing.T) {
	f := newFixture(t, nil)
	f.routers.serve(initial, rt(300, "home", list("r1:7687"), list("a:7687"), list("w:7687")))
	f.mustSelect(Read, Request{Database: "a"})
	f.mustSelect(Read, Request{Database: "b"})
	f.mustSelect(Read, Request{User: "u"}) // home database "home"

	f.r.ForgetDatabase("a")
	f.r.ForgetDatabase("home")
	if got := f.r.Databases(); !equal(got, list("b")) {
		t.Fatalf("databases %v, want [b]", got)
	}
	if _, ok := f.r.Table("a"); ok {
		t.Fatal("table a still there")
	}
	if _, ok := f.r.HomeDatabase("u", ""); ok {
		t.Fatal("the home database name of a dropped database is still cached")
	}
	f.routers.reset()
	f.mustSelect(Read, Request{Database: "a"})
	if f.routers.callCount() != 1 {
		t.Fatal("a dropped table was not fetched again")
	}
}
