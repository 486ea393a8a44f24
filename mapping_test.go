package boltrx_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/boltrx/boltrx"
)

type Pet struct {
	Name string `neo4j:"name"`
	Legs int8   `neo4j:"legs,omitempty"`
}

type Address struct {
	City string `neo4j:"city"`
}

type Audit struct {
	CreatedBy string `neo4j:"createdBy,omitempty"`
}

type Person struct {
	Name   string        `neo4j:"name"`
	Age    int           `neo4j:"age"`
	Nick   *string       `neo4j:"nick"`
	Born   time.Time     `neo4j:"born,omitempty"`
	Tags   []string      `neo4j:"tags,omitempty"`
	Pets   []Pet         `neo4j:"pets,omitempty"`
	Home   *Address      `neo4j:"home"`
	Secret string        `neo4j:"-"`
	Since  time.Duration `neo4j:"since,omitempty"`
	Score  float64       `neo4j:"score,omitempty"`
	Audit
}

func rec(keys []string, values ...any) *boltrx.Record {
	return &boltrx.Record{Keys: keys, Values: values}
}

func TestRecordAsFromColumnsByTagAndCaseInsensitiveName(t *testing.T) {
	born := time.Date(1990, 5, 17, 0, 0, 0, 0, time.UTC)
	r := rec([]string{"NAME", "age", "nick", "born", "tags", "pets", "home", "since", "createdby", "unused"},
		"Alice", int64(33), "al", born, []any{"a", "b"},
		[]any{map[string]any{"name": "Rex", "legs": int64(4)}},
		map[string]any{"city": "Malmö"}, boltrx.DurationOf(0, 0, 90, 0), "me", true)
	p, err := boltrx.RecordAs[Person](r)
	if err != nil {
		t.Fatal(err)
	}
	nick := "al"
	want := Person{Name: "Alice", Age: 33, Nick: &nick, Born: born, Tags: []string{"a", "b"},
		Pets: []Pet{{Name: "Rex", Legs: 4}}, Home: &Address{City: "Malmö"}, Since: 90 * time.Second,
		Audit: Audit{CreatedBy: "me"}}
	if !reflect.DeepEqual(p, want) {
		t.Fatalf("got  %+v\nwant %+v", p, want)
	}
}

func TestRecordAsFromOneNodeColumnTakesItsProperties(t *testing.T) {
	node := boltrx.Node{Labels: []string{"Person"}, Props: map[string]any{"name": "Bob", "age": int64(7), "home": nil}}
	for _, r := range []*boltrx.Record{
		rec([]string{"p"}, node),
		rec([]string{"p"}, node.Props),
		rec([]string{"r"}, boltrx.Relationship{Props: node.Props}),
	} {
		p, err := boltrx.RecordAs[*Person](r)
		if err != nil {
			t.Fatal(err)
		}
		if p.Name != "Bob" || p.Age != 7 || p.Nick != nil || p.Home != nil {
			t.Errorf("got %+v", p)
		}
	}
	// An OPTIONAL MATCH that found nothing: a nil *Person.
	p, err := boltrx.RecordAs[*Person](rec([]string{"p"}, nil))
	if err != nil || p != nil {
		t.Errorf("null into *Person: %v, %v", p, err)
	}
}

func TestRecordAsScalarsMapsAndPointers(t *testing.T) {
	if n, err := boltrx.RecordAs[int64](rec([]string{"n"}, int64(5))); err != nil || n != 5 {
		t.Errorf("int64: %v %v", n, err)
	}
	if n, err := boltrx.RecordAs[int32](rec([]string{"n"}, int64(5))); err != nil || n != 5 {
		t.Errorf("int32: %v %v", n, err)
	}
	if s, err := boltrx.RecordAs[*string](rec([]string{"s"}, nil)); err != nil || s != nil {
		t.Errorf("*string from null: %v %v", s, err)
	}
	if s, err := boltrx.RecordAs[[]int](rec([]string{"s"}, []any{int64(1), int64(2)})); err != nil || !reflect.DeepEqual(s, []int{1, 2}) {
		t.Errorf("[]int: %v %v", s, err)
	}
	if d, err := boltrx.RecordAs[boltrx.Date](rec([]string{"d"}, boltrx.DateOf(time.Unix(0, 0)))); err != nil || time.Time(d).Year() != 1970 {
		t.Errorf("Date: %v %v", d, err)
	}
	if n, err := boltrx.RecordAs[boltrx.Node](rec([]string{"n"}, boltrx.Node{Id: 3})); err != nil || n.Id != 3 {
		t.Errorf("Node: %v %v", n, err)
	}
	m, err := boltrx.RecordAs[map[string]int64](rec([]string{"a", "b"}, int64(1), int64(2)))
	if err != nil || !reflect.DeepEqual(m, map[string]int64{"a": 1, "b": 2}) {
		t.Errorf("map: %v %v", m, err)
	}
	props, err := boltrx.RecordAs[map[string]any](rec([]string{"p"}, boltrx.Node{Props: map[string]any{"x": 1}}))
	if err != nil || props["p"] == nil {
		t.Errorf("map of a node column: %v %v", props, err)
	}
	if f, err := boltrx.RecordAs[float64](rec([]string{"n"}, int64(1<<53))); err != nil || f != 1<<53 {
		t.Errorf("int64 into float64: %v %v", f, err)
	}
	if i, err := boltrx.RecordAs[int](rec([]string{"n"}, 2.0)); err != nil || i != 2 {
		t.Errorf("whole float into int: %v %v", i, err)
	}
	if v, err := boltrx.RecordAs[any](rec([]string{"n"}, "x")); err != nil || v != "x" {
		t.Errorf("any: %v %v", v, err)
	}
}

// mappingError asserts err is a *MappingError whose message has every
// part of want.
func mappingError(t *testing.T, err error, want ...string) *boltrx.MappingError {
	t.Helper()
	var me *boltrx.MappingError
	if !errors.As(err, &me) {
		t.Fatalf("err = %v (%T), want a *MappingError", err, err)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("message %q lacks %q", err, w)
		}
	}
	return me
}

func TestRecordAsErrorsNameColumnFieldAndTypes(t *testing.T) {
	_, err := boltrx.RecordAs[Pet](rec([]string{"name", "legs"}, "Rex", int64(300)))
	me := mappingError(t, err, `column "legs" (int64)`, "field Pet.Legs (int8)", "300 is out of the field's range")
	if me.Column != "legs" || me.Field != "Pet.Legs" || me.GoType != reflect.TypeFor[int8]() || me.Value != int64(300) {
		t.Errorf("fields %+v", me)
	}
	if got := err.Error(); got != `boltrx: cannot map the record: column "legs" (int64) into field Pet.Legs (int8): 300 is out of the field's range` {
		t.Errorf("message %q", got)
	}

	_, err = boltrx.RecordAs[Pet](rec([]string{"legs"}, int64(3)))
	me = mappingError(t, err, `column "name"`, "field Pet.Name (string)", "no such column", "pointer")
	if !me.Missing {
		t.Error("Missing not set")
	}

	_, err = boltrx.RecordAs[Pet](rec([]string{"name"}, nil))
	mappingError(t, err, `column "name" (null)`, "field Pet.Name (string)", "make the field a pointer")

	_, err = boltrx.RecordAs[Person](rec([]string{"name", "age", "pets"}, "A", int64(1),
		[]any{map[string]any{"name": "a"}, map[string]any{"name": int64(2)}}))
	mappingError(t, err, `column "pets[1].name" (int64)`, "field Person.Pets[1].Name (string)")

	_, err = boltrx.RecordAs[Person](rec([]string{"p"}, boltrx.Node{Props: map[string]any{"name": "A", "age": 2.5}}))
	mappingError(t, err, `column "p.age" (float64)`, "field Person.Age (int)", "not a whole number")

	_, err = boltrx.RecordAs[int](rec([]string{"a", "b"}, int64(1), int64(2)))
	mappingError(t, err, "(int)", "one column", "a, b")

	_, err = boltrx.RecordAs[float32](rec([]string{"f"}, 0.1))
	mappingError(t, err, "does not fit a float32 exactly")

	_, err = boltrx.RecordAs[uint](rec([]string{"u"}, int64(-1)))
	mappingError(t, err, "-1 is out of the field's range")

	_, err = boltrx.RecordAs[time.Duration](rec([]string{"d"}, boltrx.DurationOf(1, 0, 0, 0)))
	mappingError(t, err, "months or days")

	_, err = boltrx.RecordAs[string](rec([]string{"s"}, int64(1)))
	mappingError(t, err, `column "s" (int64) into (string)`, "do not fit")

	_, err = boltrx.RecordAs[Pet](nil)
	mappingError(t, err, "nil")
}

func TestEagerAsMapsEveryRecord(t *testing.T) {
	keys := []string{"name"}
	res := &boltrx.EagerResult{Keys: keys, Records: []*boltrx.Record{rec(keys, "a"), rec(keys, "b")}}
	pets, err := boltrx.EagerAs[Pet](res)
	if err != nil || len(pets) != 2 || pets[1].Name != "b" {
		t.Fatalf("%v %v", pets, err)
	}
	same, err := boltrx.CollectRecordsAs[Pet](res.Records)
	if err != nil || !reflect.DeepEqual(same, pets) {
		t.Fatalf("CollectRecordsAs: %v %v", same, err)
	}
	if one, err := boltrx.As[Pet](res.Records[0]); err != nil || one.Name != "a" {
		t.Fatalf("As: %v %v", one, err)
	}
	res.Records = append(res.Records, rec(keys, int64(1)))
	if _, err := boltrx.EagerAs[Pet](res); err == nil {
		t.Fatal("a record that does not map was accepted")
	}
}

// handPerson is what a program without RecordAs writes.
func handPerson(r *boltrx.Record) (Pet, error) {
	name, _, err := boltrx.GetRecordValue[string](r, "name")
	if err != nil {
		return Pet{}, err
	}
	legs, _, err := boltrx.GetRecordValue[int64](r, "legs")
	if err != nil {
		return Pet{}, err
	}
	return Pet{Name: name, Legs: int8(legs)}, nil
}

func benchRecords(n int) *boltrx.EagerResult {
	keys := []string{"name", "legs"}
	res := &boltrx.EagerResult{Keys: keys}
	for i := range n {
		res.Records = append(res.Records, rec(keys, "pet", int64(i%5)))
	}
	return res
}

// BenchmarkMapRecordsEagerAs and BenchmarkMapRecordsByHand map the same
// 10,000 two-column records into a struct; records/s is the figure.
func BenchmarkMapRecordsEagerAs(b *testing.B) {
	res := benchRecords(10_000)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := boltrx.EagerAs[Pet](res); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)*10_000/b.Elapsed().Seconds(), "records/s")
}

func BenchmarkMapRecordsByHand(b *testing.B) {
	res := benchRecords(10_000)
	b.ReportAllocs()
	for b.Loop() {
		out := make([]Pet, len(res.Records))
		for i, r := range res.Records {
			p, err := handPerson(r)
			if err != nil {
				b.Fatal(err)
			}
			out[i] = p
		}
	}
	b.ReportMetric(float64(b.N)*10_000/b.Elapsed().Seconds(), "records/s")
}

type Contact struct {
	Email string `neo4j:"email"`
}

type hidden struct {
	Code string `neo4j:"code"`
}

// tagForms has every tag form.
type tagForms struct {
	Dash    string `neo4j:"-,"`         // the key "-"
	Plain   int    `neo4j:",omitempty"` // the Go name, may be missing
	Skipped string `neo4j:"-"`          // never read
	Named   string `neo4j:"named"`
	*Contact
}

func TestRecordAsTagFormsAndEmbeddedPointers(t *testing.T) {
	v, err := boltrx.RecordAs[tagForms](rec([]string{"-", "PLAIN", "Skipped", "named", "email"}, "d", int64(3), "s", "n", "e@x"))
	if err != nil {
		t.Fatal(err)
	}
	if v.Dash != "d" || v.Plain != 3 || v.Skipped != "" || v.Named != "n" || v.Contact == nil || v.Contact.Email != "e@x" {
		t.Fatalf("got %+v (contact %+v)", v, v.Contact)
	}
	// Plain may be missing (omitempty); the embedded pointer's field may not.
	_, err = boltrx.RecordAs[tagForms](rec([]string{"-", "named"}, "d", "n"))
	mappingError(t, err, `column "email"`, "field tagForms.Email (string)")

	// A nil pointer to an unexported embedded struct cannot be set: an
	// error, not a panic.
	type withHidden struct {
		*hidden
	}
	_, err = boltrx.RecordAs[withHidden](rec([]string{"code"}, "x"))
	mappingError(t, err, `column "code"`, "unexported embedded struct")
}

func TestRecordAsFillsFieldsPromotedFromAnUnexportedEmbeddedStruct(t *testing.T) {
	type withHiddenValue struct {
		hidden
		Name string `neo4j:"name"`
	}
	v, err := boltrx.RecordAs[withHiddenValue](rec([]string{"code", "name"}, "c", "n"))
	if err != nil || v.Code != "c" || v.Name != "n" {
		t.Fatalf("got %+v, %v", v, err)
	}
}
