package packstream

import (
	"bytes"
	"strconv"
	"testing"
	"time"
)

// Golden bytes: every example of the PackStream specification
// (packstream/index.adoc, version 1) and of the structure semantics page,
// written out by hand from the specification text.

type goldenCase struct {
	name    string
	value   any
	bytes   string
	dialect Dialect
}

func alphabetList() []any {
	l := make([]any, 40)
	for i := range l {
		l[i] = int64(i + 1)
	}
	return l
}

func alphabetMap() map[string]any {
	m := map[string]any{}
	for c := 'A'; c <= 'Z'; c++ {
		m[string(c)] = int64(c - 'A' + 1)
	}
	return m
}

var specValueCases = []goldenCase{
	{name: "null", value: nil, bytes: "C0"},
	{name: "true", value: true, bytes: "C3"},
	{name: "false", value: false, bytes: "C2"},
	{name: "int 42 tiny", value: int64(42), bytes: "2A"},
	{name: "int min", value: int64(-9223372036854775808), bytes: "CB 80 00 00 00 00 00 00 00"},
	{name: "int max", value: int64(9223372036854775807), bytes: "CB 7F FF FF FF FF FF FF FF"},
	{name: "float 1.23", value: 1.23, bytes: "C1 3F F3 AE 14 7A E1 47 AE"},
	{name: "bytes empty", value: []byte{}, bytes: "CC 00"},
	{name: "bytes 1 2 3", value: []byte{1, 2, 3}, bytes: "CC 03 01 02 03"},
	{name: "string empty", value: "", bytes: "80"},
	{name: "string A", value: "A", bytes: "81 41"},
	{name: "string alphabet", value: "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
		bytes: "D0 1A 41 42 43 44 45 46 47 48 49 4A 4B 4C 4D 4E 4F 50 51 52 53 54 55 56 57 58 59 5A"},
	{name: "string umlauts", value: "Größenmaßstäbe",
		bytes: "D0 12 47 72 C3 B6 C3 9F 65 6E 6D 61 C3 9F 73 74 C3 A4 62 65"},
	{name: "list empty", value: []any{}, bytes: "90"},
	{name: "list 1 2 3", value: []any{int64(1), int64(2), int64(3)}, bytes: "93 01 02 03"},
	{name: "list mixed", value: []any{int64(1), 2.0, "three"},
		bytes: "93 01 C1 40 00 00 00 00 00 00 00 85 74 68 72 65 65"},
	{name: "list 1..40", value: alphabetList(), bytes: "D4 28 " +
		"01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F 10 11 12 13 14 " +
		"15 16 17 18 19 1A 1B 1C 1D 1E 1F 20 21 22 23 24 25 26 27 28"},
	{name: "map empty", value: map[string]any{}, bytes: "A0"},
	{name: "map one entry", value: map[string]any{"one": "eins"}, bytes: "A1 83 6F 6E 65 84 65 69 6E 73"},
}

// mapAtoZ is the 26-entry example; its encoding order depends on Go's map
// iteration, so it is only decoded.
const mapAtoZ = "D8 1A " +
	"81 41 01 81 42 02 81 43 03 81 44 04 81 45 05 81 46 06 81 47 07 81 48 08 " +
	"81 49 09 81 4A 0A 81 4B 0B 81 4C 0C 81 4D 0D 81 4E 0E 81 4F 0F 81 50 10 " +
	"81 51 11 81 52 12 81 53 13 81 54 14 81 55 15 81 56 16 81 57 17 81 58 18 " +
	"81 59 19 81 5A 1A"

func TestSpecExamplesEncode(t *testing.T) {
	for _, c := range specValueCases {
		t.Run(c.name, func(t *testing.T) {
			got := encodeValue(t, c.dialect, c.value)
			if want := hx(t, c.bytes); !bytes.Equal(got, want) {
				t.Fatalf("encoded\n% X\nwant\n% X", got, want)
			}
		})
	}
}

func TestSpecExamplesDecode(t *testing.T) {
	cases := append([]goldenCase{
		{name: "map A..Z", value: alphabetMap(), bytes: mapAtoZ},
		{name: "int 42 int8", value: int64(42), bytes: "C8 2A"},
		{name: "int 42 int16", value: int64(42), bytes: "C9 00 2A"},
		{name: "int 42 int32", value: int64(42), bytes: "CA 00 00 00 2A"},
		{name: "int 42 int64", value: int64(42), bytes: "CB 00 00 00 00 00 00 00 2A"},
		{name: "map duplicate key keeps last", value: map[string]any{"key_1": int64(3), "key_2": int64(2)},
			bytes: "A3 85 'key_1 01 85 'key_2 02 85 'key_1 03"},
	}, specValueCases...)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := decodeValue(t, c.dialect, hx(t, c.bytes))
			if !sameValue(got, c.value) {
				t.Fatalf("decoded %#v, want %#v", got, c.value)
			}
		})
	}
}

func paris(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

var bolt4 = Dialect{}
var bolt5 = Dialect{UTCDateTime: true, ElementIDs: true}

func structureCases(t testing.TB) []goldenCase {
	// 1970-01-01T02:15:00.000000042+01:00 from the DateTime examples.
	offsetTime := time.Date(1970, 1, 1, 2, 15, 0, 42, time.FixedZone("", 3600))
	zoneTime := time.Date(1970, 1, 1, 2, 15, 0, 42, paris(t))
	return []goldenCase{
		{name: "Node", dialect: bolt5,
			value: Node{Id: 3, ElementId: "abc123", Labels: []string{"Example", "Node"},
				Props: map[string]any{"name": "example"}},
			bytes: "B4 4E 03 92 87 'Example 84 'Node A1 84 'name 87 'example 86 'abc123"},
		{name: "Node before 5.0", dialect: bolt4,
			value: Node{Id: 3, ElementId: "3", Labels: []string{"Example", "Node"},
				Props: map[string]any{"name": "example"}},
			bytes: "B3 4E 03 92 87 'Example 84 'Node A1 84 'name 87 'example"},
		{name: "Relationship", dialect: bolt5,
			value: Relationship{Id: 11, StartId: 2, EndId: 3, Type: "KNOWS",
				Props: map[string]any{"name": "example"}, ElementId: "abc123",
				StartElementId: "def456", EndElementId: "ghi789"},
			bytes: "B8 52 0B 02 03 85 'KNOWS A1 84 'name 87 'example 86 'abc123 86 'def456 86 'ghi789"},
		{name: "Relationship before 5.0", dialect: bolt4,
			value: Relationship{Id: 11, StartId: 2, EndId: 3, Type: "KNOWS",
				Props: map[string]any{"name": "example"}, ElementId: "11",
				StartElementId: "2", EndElementId: "3"},
			bytes: "B5 52 0B 02 03 85 'KNOWS A1 84 'name 87 'example"},
		{name: "Path", dialect: bolt4, value: specPath(),
			bytes: "B3 50 " +
				"93 B3 4E 2A 90 A0 B3 4E 45 90 A0 B3 4E 01 90 A0 " +
				"92 B3 72 C9 03 E8 85 'KNOWS A0 B3 72 C9 03 E9 85 'KNOWS A0 " +
				"96 01 01 01 00 FE 02"},
		{name: "Path with element ids", dialect: bolt5,
			value: Path{
				Nodes: []Node{{Id: 1, ElementId: "n1", Labels: []string{}, Props: map[string]any{}},
					{Id: 2, ElementId: "n2", Labels: []string{}, Props: map[string]any{}}},
				Relationships: []Relationship{{Id: 17, ElementId: "foo", Type: "KNOWS",
					Props: map[string]any{"name": "example"}, StartId: 2, StartElementId: "n2", EndId: 1, EndElementId: "n1"}},
			},
			bytes: "B3 50 92 B4 4E 01 90 A0 82 'n1 B4 4E 02 90 A0 82 'n2 " +
				"91 B4 72 11 85 'KNOWS A1 84 'name 87 'example 83 'foo " +
				"92 FF 01"},
		{name: "Date 2007-12-03", value: Date(time.Date(2007, 12, 3, 0, 0, 0, 0, time.UTC)), bytes: "B1 44 C9 36 1A"},
		{name: "Date epoch", value: Date(time.Unix(0, 0).UTC()), bytes: "B1 44 00"},
		{name: "Time", value: Time(time.Date(1970, 1, 1, 0, 0, 1, 5, time.FixedZone("", -3600))),
			bytes: "B2 54 CA 3B 9A CA 05 C9 F1 F0"},
		{name: "LocalTime", value: LocalTime(time.Date(1970, 1, 1, 0, 0, 0, 100, time.UTC)), bytes: "B1 74 64"},
		{name: "LocalDateTime", value: LocalDateTime(time.Date(1970, 1, 1, 1, 0, 0, 7, time.UTC)),
			bytes: "B2 64 C9 0E 10 07"},
		{name: "DateTime", dialect: bolt5, value: offsetTime, bytes: "B3 49 C9 11 94 2A C9 0E 10"},
		{name: "DateTimeZoneId", dialect: bolt5, value: zoneTime, bytes: "B3 69 C9 11 94 2A 8C 'Europe/Paris"},
		{name: "Legacy DateTime", dialect: bolt4, value: offsetTime, bytes: "B3 46 C9 1F A4 2A C9 0E 10"},
		{name: "Legacy DateTimeZoneId", dialect: bolt4, value: zoneTime, bytes: "B3 66 C9 1F A4 2A 8C 'Europe/Paris"},
		{name: "Duration", value: Duration{Months: 14, Days: 3, Seconds: 7, Nanos: 1}, bytes: "B4 45 0E 03 07 01"},
		{name: "Point2D", value: Point2D{SpatialRefId: 4326, X: 1, Y: 2},
			bytes: "B3 58 C9 10 E6 C1 3F F0 00 00 00 00 00 00 C1 40 00 00 00 00 00 00 00"},
		{name: "Point3D", value: Point3D{SpatialRefId: 9157, X: 1, Y: 2, Z: 3.14},
			bytes: "B4 59 C9 23 C5 C1 3F F0 00 00 00 00 00 00 C1 40 00 00 00 00 00 00 00 C1 40 09 1E B8 51 EB 85 1F"},
		{name: "Vector int16", dialect: LatestDialect, value: NewVector[int16](1, -2),
			bytes: "B2 56 CC 01 C9 CC 04 00 01 FF FE"},
		{name: "Vector float32", dialect: LatestDialect, value: NewVector[float32](1.5),
			bytes: "B2 56 CC 01 C6 CC 04 3F C0 00 00"},
		{name: "Vector int8 empty", dialect: LatestDialect, value: NewVector[int8](),
			bytes: "B2 56 CC 01 C8 CC 00"},
		{name: "UnsupportedType", dialect: LatestDialect,
			value: UnsupportedType{Name: "QuantumFloat", MinimumProtocolMajor: 42, MinimumProtocolMinor: 21, Message: "upgrade"},
			bytes: "B4 3F 8C 'QuantumFloat 2A 15 A1 87 'message 87 'upgrade"},
		{name: "UUID", dialect: LatestDialect, value: mustUUID(t, "123e4567-e89b-12d3-a456-426614174000"),
			bytes: "E0 12 3E 45 67 E8 9B 12 D3 A4 56 42 66 14 17 40 00"},
	}
}

func mustUUID(t testing.TB, s string) UUID {
	t.Helper()
	u, err := ParseUUID(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// specPath is the Path example of structure-semantics.adoc, bound:
// (42)-[1000]->(69)-[1000]->(42)<-[1001]-(1). Positive indices follow the
// path's direction, so the second step binds relationship 1000 from 69 to
// 42, as the specification's picture shows.
func specPath() Path {
	n := func(id int64) Node {
		return Node{Id: id, ElementId: itoa(id), Labels: []string{}, Props: map[string]any{}}
	}
	r := func(id, from, to int64) Relationship {
		return Relationship{Id: id, ElementId: itoa(id), Type: "KNOWS", Props: map[string]any{},
			StartId: from, StartElementId: itoa(from), EndId: to, EndElementId: itoa(to)}
	}
	return Path{
		Nodes:         []Node{n(42), n(69), n(42), n(1)},
		Relationships: []Relationship{r(1000, 42, 69), r(1000, 69, 42), r(1001, 1, 42)},
	}
}

func itoa(i int64) string { return strconv.FormatInt(i, 10) }

func TestStructureGoldenBytes(t *testing.T) {
	for _, c := range structureCases(t) {
		t.Run(c.name, func(t *testing.T) {
			want := hx(t, c.bytes)
			if got := encodeValue(t, c.dialect, c.value); !bytes.Equal(got, want) {
				t.Errorf("encoded\n% X\nwant\n% X", got, want)
			}
			got := decodeValue(t, c.dialect, want)
			if !sameValue(got, c.value) {
				t.Errorf("decoded %#v\nwant %#v", got, c.value)
			}
		})
	}
}
