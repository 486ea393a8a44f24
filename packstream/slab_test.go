package packstream

import (
	"reflect"
	"runtime"
	"testing"
)

// Values decoded with Slabs equal those decoded without, and stay intact
// while later values are decoded into the same slabs.
func TestSlabsDecodeTheSameValuesAndKeepThem(t *testing.T) {
	records := [][]any{
		{int64(123456), "a string value", 3.14, true, nil, int64(-7), int64(200), ""},
		{Node{Id: 1, ElementId: "4:x:1", Labels: []string{"Person"}, Props: map[string]any{"name": "Alice", "age": int64(1 << 40)}}},
		{Relationship{Id: 2, ElementId: "5:x:2", StartId: 1, StartElementId: "4:x:1", EndId: 3, EndElementId: "4:x:3", Type: "KNOWS", Props: map[string]any{"since": 1999.5}}},
		{[]any{int64(1000), "nested", []any{2.5}}, map[string]any{"k": "v"}},
	}
	plain := Decoder{Dialect: LatestDialect}
	slab := Decoder{Dialect: LatestDialect, Slabs: true}
	var kept [][]any
	var want [][]any
	for round := range 3000 { // several chunks of every slab
		rec := records[round%len(records)]
		e := Encoder{Dialect: LatestDialect}
		if err := e.WriteValue(rec); err != nil {
			t.Fatal(err)
		}
		buf := append([]byte(nil), e.Buffer()...)
		plain.Reset(buf)
		p, err := plain.ReadList()
		if err != nil {
			t.Fatal(err)
		}
		slab.Reset(buf)
		s, err := slab.ReadList()
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(p, s) {
			t.Fatalf("round %d: slabs decoded %#v, want %#v", round, s, p)
		}
		clear(buf) // the decoded values must not share the input
		if round%97 == 0 {
			kept, want = append(kept, s), append(want, p)
		}
	}
	runtime.GC()
	for i := range kept {
		if !reflect.DeepEqual(kept[i], want[i]) {
			t.Fatalf("kept record %d changed: %#v, want %#v", i, kept[i], want[i])
		}
	}
	// A list handed out cannot grow into its neighbours.
	slab.Reset(mustEncode(t, []any{int64(1), int64(2)}))
	a, _ := slab.ReadList()
	slab.Reset(mustEncode(t, []any{int64(3), int64(4)}))
	b, _ := slab.ReadList()
	_ = append(a, "x")
	if b[0] != int64(3) {
		t.Fatalf("appending to one list changed the next: %v", b)
	}
}

func mustEncode(t *testing.T, v any) []byte {
	t.Helper()
	e := Encoder{Dialect: LatestDialect}
	if err := e.WriteValue(v); err != nil {
		t.Fatal(err)
	}
	return append([]byte(nil), e.Buffer()...)
}
