package boltrx_test

import (
	"strings"
	"testing"
	"time"

	"github.com/boltrx/boltrx"
	"github.com/boltrx/boltrx/packstream"
)

// fuzzTarget has a field of most kinds RecordAs handles.
type fuzzTarget struct {
	Name   string             `neo4j:"name"`
	Age    int8               `neo4j:"age,omitempty"`
	Count  *uint16            `neo4j:"count"`
	Score  float32            `neo4j:"score,omitempty"`
	Ok     bool               `neo4j:"ok,omitempty"`
	When   time.Time          `neo4j:"when,omitempty"`
	Wait   time.Duration      `neo4j:"wait,omitempty"`
	Tags   []string           `neo4j:"tags,omitempty"`
	Pair   [2]int             `neo4j:"pair,omitempty"`
	Props  map[string]float64 `neo4j:"props,omitempty"`
	Pets   []Pet              `neo4j:"pets,omitempty"`
	Home   *Address           `neo4j:"home"`
	Any    any                `neo4j:"any,omitempty"`
	Node   *boltrx.Node       `neo4j:"node"`
	Nested struct {
		Deep []map[string]int `neo4j:"deep,omitempty"`
	} `neo4j:"nested,omitempty"`
	Audit
}

// FuzzRecordAs maps records of random values and column names into a
// fixed struct: it may fail, never panic.
func FuzzRecordAs(f *testing.F) {
	var e packstream.Encoder
	e.Dialect = packstream.LatestDialect
	seed := func(keys string, values ...any) {
		e.Reset(nil)
		if err := e.WriteValue(values); err != nil {
			f.Fatal(err)
		}
		f.Add(keys, append([]byte(nil), e.Buffer()...))
	}
	seed("name,age,count", "a", int64(3), int64(4))
	seed("p", map[string]any{"name": "x", "pets": []any{map[string]any{"name": "r", "legs": int64(900)}}})
	seed("name,when,wait,tags,pair", "a", time.Unix(5, 0).UTC(), time.Second, []any{"x", int64(1)}, []any{int64(1), int64(2)})
	seed("NAME,props,home,node", "a", map[string]any{"x": 1.5, "y": int64(2)}, map[string]any{"city": nil}, packstream.Node{Props: map[string]any{"a": int64(1)}})
	seed("nested,any,score", map[string]any{"deep": []any{map[string]any{"k": 2.0}}}, []any{nil}, 0.5)
	f.Fuzz(func(t *testing.T, keys string, data []byte) {
		d := packstream.Decoder{Dialect: packstream.LatestDialect}
		d.Reset(data)
		values, err := d.ReadList()
		if err != nil {
			return
		}
		cols := strings.Split(keys, ",")
		if len(cols) > len(values) {
			cols = cols[:len(values)]
		}
		r := &boltrx.Record{Keys: cols, Values: values}
		v, err := boltrx.RecordAs[fuzzTarget](r)
		if err == nil && len(cols) == 0 && v.Name != "" {
			t.Fatalf("a record without columns filled Name %q", v.Name)
		}
		_, _ = boltrx.RecordAs[*fuzzTarget](r)
		_, _ = boltrx.RecordAs[map[string]int](r)
		_, _ = boltrx.RecordAs[[]fuzzTarget](r)
	})
}
