package packstream

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

// decodeBack encodes v and decodes what was written.
func decodeBack(t *testing.T, v any) any {
	t.Helper()
	d := Decoder{Dialect: LatestDialect}
	d.Reset(encodeValue(t, LatestDialect, v))
	got, err := d.ReadValue()
	if err != nil {
		t.Fatalf("decoding %#v: %v", v, err)
	}
	return got
}

type pet struct {
	Name string `neo4j:"name"`
	Feed func() `neo4j:"feed,omitempty"`
}

type Audit struct {
	CreatedBy string `neo4j:"createdBy"`
	Version   int
}

type Contact struct {
	Email string `neo4j:"email"`
	Phone string `neo4j:"phone,omitempty"`
}

type person struct {
	Name     string            `neo4j:"name"`
	Age      int               `neo4j:"age,omitempty"`
	Nick     *string           `neo4j:"nick"`
	Born     time.Time         `neo4j:"born"`
	Tags     []string          `neo4j:"tags,omitempty"`
	Scores   map[string]int    `neo4j:",omitempty"`
	Secret   string            `neo4j:"-"`
	Dash     string            `neo4j:"-,"`
	Pets     []pet             `neo4j:"pets"`
	Where    Point2D           `neo4j:"where"`
	Raw      any               `neo4j:"raw"`
	Extra    map[string]string `neo4j:"extra,omitempty"`
	internal int
	Audit                  // flattened
	*Contact               // flattened through a pointer
	Since    time.Duration `neo4j:"since"`
}

func TestStructEncodesAsMapOfTaggedFields(t *testing.T) {
	born := time.Date(1990, 5, 17, 0, 0, 0, 0, time.UTC)
	nick := "al"
	p := person{
		Name: "Alice", Age: 33, Nick: &nick, Born: born, Tags: []string{"a"},
		Scores: map[string]int{"x": 1}, Secret: "s", Dash: "d",
		Pets:  []pet{{Name: "Rex"}},
		Where: Point2D{SpatialRefId: 7203, X: 1, Y: 2}, Raw: []any{int64(1)},
		internal: 9, Audit: Audit{CreatedBy: "me", Version: 2},
		Contact: &Contact{Email: "a@x"}, Since: time.Second,
	}
	got := decodeBack(t, p)
	want := map[string]any{
		"name": "Alice", "age": int64(33), "nick": "al", "born": born,
		"tags": []any{"a"}, "Scores": map[string]any{"x": int64(1)}, "-": "d",
		"pets":  []any{map[string]any{"name": "Rex"}},
		"where": Point2D{SpatialRefId: 7203, X: 1, Y: 2}, "raw": []any{int64(1)},
		"createdBy": "me", "Version": int64(2), "email": "a@x",
		"since": Duration{Seconds: 1},
	}
	gm, ok := got.(map[string]any)
	if !ok {
		t.Fatalf("decoded %T, want a map", got)
	}
	if gb, ok := gm["born"].(time.Time); ok && gb.Equal(born) {
		gm["born"] = born
	}
	if !reflect.DeepEqual(gm, want) {
		t.Fatalf("decoded\n%#v\nwant\n%#v", gm, want)
	}
}

func TestStructOmitEmptyAndNilEmbeddedPointer(t *testing.T) {
	got := decodeBack(t, &person{Name: "Bob"})
	gm := got.(map[string]any)
	for _, absent := range []string{"age", "tags", "Scores", "extra", "email", "phone", "Secret", "internal"} {
		if _, ok := gm[absent]; ok {
			t.Errorf("%q written for an empty or unexported field: %v", absent, gm)
		}
	}
	for _, present := range []string{"name", "nick", "born", "pets", "raw", "createdBy", "Version"} {
		if _, ok := gm[present]; !ok {
			t.Errorf("%q missing: %v", present, gm)
		}
	}
	if gm["nick"] != nil || gm["raw"] != nil {
		t.Errorf("nil pointer and nil interface must be null: %v", gm)
	}
}

type inner struct {
	Name string
	Tag  string `neo4j:"tag"`
}

type alsoInner struct {
	Name string
	Tag  string
}

type outerConflict struct {
	inner
	alsoInner
	Own string `neo4j:"Name,omitempty"` // shallower than both: wins
}

type outerAmbiguous struct {
	inner
	alsoInner
}

func TestEmbeddedNamesResolveAsEncodingJSON(t *testing.T) {
	got := decodeBack(t, outerConflict{inner: inner{Name: "i", Tag: "t"}, alsoInner: alsoInner{Name: "a", Tag: "u"}, Own: "o"})
	want := map[string]any{"Name": "o", "tag": "t", "Tag": "u"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("conflict: %#v, want %#v", got, want)
	}
	// Name twice at one depth, neither tagged: left out, as json does;
	// tag/Tag differ in case and are two keys.
	got = decodeBack(t, outerAmbiguous{inner: inner{Name: "i", Tag: "t"}, alsoInner: alsoInner{Name: "a", Tag: "u"}})
	want = map[string]any{"tag": "t", "Tag": "u"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ambiguous: %#v, want %#v", got, want)
	}
}

func TestStructFieldErrorNamesTheParameterPath(t *testing.T) {
	type owner struct {
		Pets []pet
	}
	var e Encoder
	feed := func() {}
	err := e.WriteParams(map[string]any{"person": &owner{Pets: []pet{{}, {}, {Name: "c", Feed: feed}}}})
	var ee *EncodeError
	if !errors.As(err, &ee) || !errors.Is(err, ErrUnsupportedType) {
		t.Fatalf("err = %v, want an *EncodeError wrapping ErrUnsupportedType", err)
	}
	if ee.Path != "$person.Pets[2].Feed" {
		t.Errorf("path %q, want $person.Pets[2].Feed", ee.Path)
	}
	if !strings.Contains(err.Error(), "parameter $person.Pets[2].Feed (func())") {
		t.Errorf("message %q", err)
	}
	// A nil func with omitempty is simply left out.
	e.Reset(nil)
	if err := e.WriteParams(map[string]any{"person": owner{Pets: []pet{{Name: "a"}}}}); err != nil {
		t.Errorf("omitted func field: %v", err)
	}
}

func TestSelfReferencingStructIsTooDeepNotAPanic(t *testing.T) {
	type link struct {
		Next *link
	}
	l := &link{}
	l.Next = l
	var e Encoder
	if err := e.WriteValue(l); !errors.Is(err, ErrTooDeep) {
		t.Fatalf("err = %v, want ErrTooDeep", err)
	}
}

func TestStructFieldsExported(t *testing.T) {
	fields := StructFields(reflect.TypeOf(&person{}))
	var names []string
	for _, f := range fields {
		names = append(names, f.Name)
	}
	want := "name age nick born tags Scores - pets where raw extra createdBy Version email phone since"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("fields %q\nwant   %q", got, want)
	}
	if StructFields(reflect.TypeOf(1)) != nil {
		t.Error("fields of an int")
	}
}

type benchPerson struct {
	Name   string   `neo4j:"name"`
	Age    int      `neo4j:"age"`
	Email  string   `neo4j:"email"`
	Active bool     `neo4j:"active"`
	Score  float64  `neo4j:"score"`
	Tags   []string `neo4j:"tags"`
}

func benchPeople() ([]benchPerson, []map[string]any) {
	structs := make([]benchPerson, 10_000)
	maps := make([]map[string]any, len(structs))
	for i := range structs {
		p := benchPerson{Name: "person", Age: i % 90, Email: "p@example.com", Active: i%2 == 0, Score: float64(i) / 3, Tags: []string{"a", "b"}}
		structs[i] = p
		maps[i] = map[string]any{"name": p.Name, "age": p.Age, "email": p.Email, "active": p.Active, "score": p.Score, "tags": p.Tags}
	}
	return structs, maps
}

// BenchmarkEncodeParamsStructs10k and BenchmarkEncodeParamsMaps10k
// encode the same batch of 10,000 rows as structs and as maps.
func BenchmarkEncodeParamsStructs10k(b *testing.B) {
	structs, _ := benchPeople()
	benchmarkParams(b, map[string]any{"rows": structs})
}

func BenchmarkEncodeParamsMaps10k(b *testing.B) {
	_, maps := benchPeople()
	benchmarkParams(b, map[string]any{"rows": maps})
}

func benchmarkParams(b *testing.B, params map[string]any) {
	e := Encoder{Dialect: LatestDialect}
	b.ReportAllocs()
	for b.Loop() {
		e.Reset(e.Buffer())
		if err := e.WriteParams(params); err != nil {
			b.Fatal(err)
		}
	}
}
