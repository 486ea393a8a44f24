package boltrx

import (
	"maps"
	"strings"
	"testing"
	"time"
)

func TestRecordGetAndAsMap(t *testing.T) {
	keys := []string{"name", "age", "nothing"}
	r := Record{Keys: keys, Values: []any{"Alice", int64(42), nil}}
	if v, ok := r.Get("age"); !ok || v != int64(42) {
		t.Fatalf("Get(age) = %v, %v", v, ok)
	}
	if v, ok := r.Get("nothing"); !ok || v != nil {
		t.Fatalf("Get(nothing) = %v, %v; want nil, true", v, ok)
	}
	if _, ok := r.Get("missing"); ok {
		t.Fatal("Get(missing) found something")
	}
	want := map[string]any{"name": "Alice", "age": int64(42), "nothing": nil}
	if got := r.AsMap(); !maps.Equal(got, want) {
		t.Fatalf("AsMap = %v", got)
	}
	short := Record{Keys: keys, Values: []any{"x"}}
	if _, ok := short.Get("age"); ok {
		t.Fatal("Get beyond Values succeeded")
	}
	if m := short.AsMap(); len(m) != 1 {
		t.Fatalf("AsMap of a short record = %v", m)
	}
}

func TestRecordsShareKeys(t *testing.T) {
	keys := []string{"x"}
	a := Record{Keys: keys, Values: []any{int64(1)}}
	b := Record{Keys: keys, Values: []any{int64(2)}}
	if &a.Keys[0] != &b.Keys[0] {
		t.Fatal("records copy their keys")
	}
}

func TestGetRecordValue(t *testing.T) {
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	node := Node{ElementId: "4:x:1", Labels: []string{"Person"}}
	r := &Record{
		Keys:   []string{"name", "age", "missing", "node", "when", "vec", "uuid"},
		Values: []any{"Alice", int64(42), nil, node, now, NewVector[float32](1, 2), UUID{1}},
	}
	name, isNil, err := GetRecordValue[string](r, "name")
	if name != "Alice" || isNil || err != nil {
		t.Fatalf("name: %q %v %v", name, isNil, err)
	}
	age, isNil, err := GetRecordValue[int64](r, "age")
	if age != 42 || isNil || err != nil {
		t.Fatalf("age: %d %v %v", age, isNil, err)
	}
	none, isNil, err := GetRecordValue[string](r, "missing")
	if none != "" || !isNil || err != nil {
		t.Fatalf("null: %q %v %v", none, isNil, err)
	}
	if n, _, err := GetRecordValue[Node](r, "node"); err != nil || n.ElementId != "4:x:1" {
		t.Fatalf("node: %v %v", n, err)
	}
	if w, _, err := GetRecordValue[time.Time](r, "when"); err != nil || !w.Equal(now) {
		t.Fatalf("time: %v %v", w, err)
	}
	if v, _, err := GetRecordValue[Vector[float32]](r, "vec"); err != nil || v.Len() != 2 {
		t.Fatalf("vector: %v %v", v, err)
	}
	if u, _, err := GetRecordValue[UUID](r, "uuid"); err != nil || u != (UUID{1}) {
		t.Fatalf("uuid: %v %v", u, err)
	}
	if _, _, err := GetRecordValue[string](r, "nope"); err == nil || !strings.Contains(err.Error(), `"nope"`) {
		t.Fatalf("missing column: %v", err)
	}
	if _, isNil, err := GetRecordValue[string](r, "age"); err == nil || isNil || !strings.Contains(err.Error(), "int64") {
		t.Fatalf("wrong type: %v", err)
	}
}
