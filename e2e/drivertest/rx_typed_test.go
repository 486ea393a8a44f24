package drivertest_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/reactivex/rxgo/v2"

	"github.com/boltrx/boltrx"
	"github.com/boltrx/boltrx/e2e/boltstub"
)

// TestRecordsAsSlowConsumerKeepsThePullSequence: the typed stream of a
// subscriber slower than the server sends the same PULLs, one batch at a
// time, as the untyped one (the stub checks each message), and never asks
// for more than a batch beyond what the subscriber took.
func TestRecordsAsSlowConsumerKeepsThePullSequence(t *testing.T) {
	srv := boltstub.Start(t, head5+hello5+`
C: RUN "MATCH (p:Pet) RETURN p.name AS name, p.legs AS legs" {} {}
C: PULL {"n": 2}
S: SUCCESS {"fields": ["name", "legs"]}
S: RECORD ["a", 1]
S: RECORD ["b", 2]
S: SUCCESS {"has_more": true}
C: PULL {"n": 2}
S: RECORD ["c", 3]
S: RECORD ["d", 4]
S: SUCCESS {"has_more": true}
C: PULL {"n": 2}
S: RECORD ["e", 5]
S: SUCCESS {"bookmark": "bm:typed"}
`)
	const fetch = 2
	drv := newDriver(t, srv.Addr(), func(c *boltrx.Config) { c.FetchSize = fetch })
	ctx := ctxT(t)
	sess, _ := drv.NewSession(ctx, boltrx.SessionConfig{})
	defer sess.Close(ctx)
	rr := sess.RunRx(ctx, "MATCH (p:Pet) RETURN p.name AS name, p.legs AS legs", nil)
	var got []Pet
	for item := range boltrx.RecordsAs[Pet](rr).Observe(rxgo.WithContext(ctx)) {
		if item.E != nil {
			t.Fatal(item.E)
		}
		got = append(got, item.V.(Pet))
		// Records asked of the server beyond those taken: at most the
		// batch in hand, the one in flight and the one the mapping stage
		// holds.
		if ahead := rr.Pulls()*fetch - len(got); ahead > 3*fetch {
			t.Errorf("%d records requested ahead of the subscriber", ahead)
		}
		time.Sleep(15 * time.Millisecond) // slower than the server
	}
	want := []Pet{{"a", 1}, {"b", 2}, {"c", 3}, {"d", 4}, {"e", 5}}
	if len(got) != len(want) {
		t.Fatalf("items %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("items %v, want %v", got, want)
		}
	}
	if rr.Pulls() != 3 {
		t.Errorf("pulls = %d, want 3", rr.Pulls())
	}
	if bms := sess.LastBookmarks(); len(bms) != 1 || bms[0] != "bm:typed" {
		t.Errorf("bookmarks %v", bms)
	}
}

// TestRecordsAsMappingErrorDiscardsTheRest: a record that does not map
// ends the stream with the *MappingError and discards the rest of the
// result (a batch or two after it may already be on their way, as with
// any subscriber that unsubscribes), leaving the connection clean for the session's next query.
func TestRecordsAsMappingErrorDiscardsTheRest(t *testing.T) {
	srv := boltstub.Start(t, head5+hello5+`
C: RUN "RETURN x" {} {}
C: PULL {"n": 2}
S: SUCCESS {"fields": ["name", "legs"]}
S: RECORD ["a", 1]
S: RECORD ["b", "four"]
S: SUCCESS {"has_more": true}
repeat
  C: PULL {"n": 2}
  S: RECORD ["c", 3]
  S: SUCCESS {"has_more": true}
end
C: DISCARD {"n": -1}
S: SUCCESS {"bookmark": "bm:d"}
C: RUN "RETURN 1" {} {"bookmarks": ["bm:d"]}
C: PULL {"n": 2}
S: SUCCESS {"fields": ["1"]}
S: RECORD [1]
S: SUCCESS {}
`)
	drv := newDriver(t, srv.Addr(), func(c *boltrx.Config) { c.FetchSize = 2 })
	ctx := ctxT(t)
	sess, _ := drv.NewSession(ctx, boltrx.SessionConfig{})
	defer sess.Close(ctx)
	var got []Pet
	var failure error
	for item := range boltrx.RecordsAs[Pet](sess.RunRx(ctx, "RETURN x", nil)).Observe(rxgo.WithContext(ctx)) {
		if item.E != nil {
			failure = item.E
			continue
		}
		got = append(got, item.V.(Pet))
	}
	var me *boltrx.MappingError
	if len(got) != 1 || !errors.As(failure, &me) || me.Column != "legs" || me.Field != "Pet.Legs" {
		t.Fatalf("items %v, error %v: want one pet, then the mapping error of legs", got, failure)
	}
	res, err := sess.Run(ctx, "RETURN 1", nil)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := boltrx.SingleAs[int](ctx, res); err != nil || n != 1 {
		t.Fatalf("next query: %v %v", n, err)
	}
}

// TestStructParametersOnTheWire: a struct parameter goes out as the map
// of its tagged fields (the stub checks the RUN's bytes), and CollectAs
// reads the answer back into the struct.
func TestStructParametersOnTheWire(t *testing.T) {
	srv := boltstub.Start(t, head5+hello5+`
C: RUN "CREATE (p:Person) SET p = $person RETURN p" {"person": {"name": "Ann", "age": 41, "nick": null, "home": {"city": "Oslo"}, "pets": [{"name": "Rex", "legs": 4}]}} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["p"]}
S: RECORD [Node(1, ["Person"], {"name": "Ann", "age": 41, "pets": [{"name": "Rex", "legs": 4}], "home": {"city": "Oslo"}})]
S: SUCCESS {}
`)
	drv := newDriver(t, srv.Addr())
	ctx := ctxT(t)
	sess, _ := drv.NewSession(ctx, boltrx.SessionConfig{})
	defer sess.Close(ctx)
	in := Person{Name: "Ann", Age: 41, Home: &Address{City: "Oslo"}, Pets: []Pet{{Name: "Rex", Legs: 4}}, Secret: "not sent"}
	res, err := sess.Run(ctx, "CREATE (p:Person) SET p = $person RETURN p", map[string]any{"person": in})
	if err != nil {
		t.Fatal(err)
	}
	out, err := boltrx.CollectAs[Person](ctx, res)
	if err != nil {
		t.Fatal(err)
	}
	in.Secret = ""
	if len(out) != 1 || out[0].Name != in.Name || out[0].Age != in.Age || out[0].Home.City != "Oslo" || len(out[0].Pets) != 1 || out[0].Pets[0] != in.Pets[0] {
		t.Fatalf("read back %+v, want %+v", out, in)
	}
}

// TestStructParameterErrorNamesThePath: an unsupported field fails Run
// with an error naming the parameter path, and nothing is sent.
func TestStructParameterErrorNamesThePath(t *testing.T) {
	srv := boltstub.Start(t, head5+hello5)
	drv := newDriver(t, srv.Addr())
	ctx := ctxT(t)
	sess, _ := drv.NewSession(ctx, boltrx.SessionConfig{})
	defer sess.Close(ctx)
	type pet struct {
		Name string
		Feed func()
	}
	type owner struct{ Pets []pet }
	res, err := sess.Run(ctx, "RETURN $person", map[string]any{"person": owner{Pets: []pet{{}, {}, {Name: "c"}}}})
	if err == nil {
		_, err = res.Consume(ctx)
	}
	if err == nil || !containsAll(err.Error(), "$person.Pets[0].Feed", "func()") {
		t.Fatalf("err = %v, want one naming $person.Pets[0].Feed", err)
	}
}

func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}
