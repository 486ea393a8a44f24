package boltstub

import (
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/boltrx/boltrx/bolt"
	"github.com/boltrx/boltrx/packstream"
)

// parseServerValue parses text as the only field of a server line.
func parseServerValue(t *testing.T, text string, v bolt.Version) any {
	t.Helper()
	s := mustParse(t, "bolt "+v.String()+"\nS: RECORD "+text+"\n")
	line := s.sections[0].body[0].(*serverLine)
	val, err := line.msg.fields[0].build(&env{version: v})
	if err != nil {
		t.Fatalf("build %s: %v", text, err)
	}
	return val
}

// parseClientLine parses "C: ..." in a script of version v.
func parseClientLine(t *testing.T, line string, v bolt.Version) *clientLine {
	t.Helper()
	s := mustParse(t, "bolt "+v.String()+"\n"+line+"\n")
	return s.sections[0].body[0].(*clientLine)
}

func TestLiteralsRoundTrip(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip("no time zone database:", err)
	}
	plus1 := time.FixedZone("", 3600)
	tests := []struct {
		version   bolt.Version
		text      string // as written in a script
		canonical string // as rendered after a trip over the wire
		goValue   any    // what package packstream decodes
	}{
		{bolt.V5_4, `null`, `null`, nil},
		{bolt.V5_4, `true`, `true`, true},
		{bolt.V5_4, `-9223372036854775808`, `-9223372036854775808`, int64(math.MinInt64)},
		{bolt.V5_4, `0x7F`, `127`, int64(127)},
		{bolt.V5_4, `1.0`, `1.0`, 1.0},
		{bolt.V5_4, `-2.5e-3`, `-0.0025`, -0.0025},
		{bolt.V5_4, `1e21`, `1e+21`, 1e21},
		{bolt.V5_4, `-Inf`, `-Inf`, math.Inf(-1)},
		{bolt.V5_4, `"tab\t quote\" é \u0001 😀"`, `"tab\t quote\" é \u0001 😀"`, "tab\t quote\" é \u0001 😀"},
		{bolt.V5_4, `Bytes("00 ff 10")`, `Bytes("00ff10")`, []byte{0, 0xff, 0x10}},
		{bolt.V5_4, `[1, [], {}]`, `[1, [], {}]`, []any{int64(1), []any{}, map[string]any{}}},
		{bolt.V5_4, `{b: 1, "a": [true]}`, `{"b": 1, "a": [true]}`, map[string]any{"a": []any{true}, "b": int64(1)}},
		{bolt.V5_4, `Node(1, ["A", "B"], {"x": 1})`, `Node(1, ["A", "B"], {"x": 1})`,
			packstream.Node{Id: 1, ElementId: "1", Labels: []string{"A", "B"}, Props: map[string]any{"x": int64(1)}}},
		{bolt.V5_4, `Node(1, [], {}, "4:db:1")`, `Node(1, [], {}, "4:db:1")`,
			packstream.Node{Id: 1, ElementId: "4:db:1", Labels: []string{}, Props: map[string]any{}}},
		{bolt.V4_4, `Node(7, ["L"], {})`, `Node(7, ["L"], {})`,
			packstream.Node{Id: 7, ElementId: "7", Labels: []string{"L"}, Props: map[string]any{}}},
		{bolt.V5_4, `Relationship(5, 1, 2, "KNOWS", {"since": 2020})`, `Relationship(5, 1, 2, "KNOWS", {"since": 2020})`,
			packstream.Relationship{Id: 5, ElementId: "5", StartId: 1, StartElementId: "1", EndId: 2, EndElementId: "2",
				Type: "KNOWS", Props: map[string]any{"since": int64(2020)}}},
		{bolt.V5_4, `Relationship(5, 1, 2, "T", {}, "r5", "n1", "n2")`, `Relationship(5, 1, 2, "T", {}, "r5", "n1", "n2")`,
			packstream.Relationship{Id: 5, ElementId: "r5", StartId: 1, StartElementId: "n1", EndId: 2, EndElementId: "n2",
				Type: "T", Props: map[string]any{}}},
		{bolt.V5_4, `Path([Node(1, [], {}), Node(2, [], {}), Node(1, [], {})], [Relationship(5, 1, 2, "T", {}), Relationship(6, 1, 2, "T", {})])`,
			`Path([Node(1, [], {}), Node(2, [], {}), Node(1, [], {})], [Relationship(5, 1, 2, "T", {}), Relationship(6, 1, 2, "T", {})])`,
			nil},
		{bolt.V5_4, `Date("2024-01-02")`, `Date("2024-01-02")`, packstream.Date(time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC))},
		{bolt.V5_4, `Date("-0044-03-15")`, `Date("-0044-03-15")`, packstream.Date(time.Date(-44, 3, 15, 0, 0, 0, 0, time.UTC))},
		{bolt.V5_4, `Date("+12345-01-01")`, `Date("+12345-01-01")`, packstream.Date(time.Date(12345, 1, 1, 0, 0, 0, 0, time.UTC))},
		{bolt.V5_4, `Time("12:34+01:00")`, `Time("12:34:00+01:00")`, packstream.Time(time.Date(1970, 1, 1, 12, 34, 0, 0, plus1))},
		{bolt.V5_4, `LocalTime("23:59:59.000000001")`, `LocalTime("23:59:59.000000001")`,
			packstream.LocalTime(time.Date(1970, 1, 1, 23, 59, 59, 1, time.UTC))},
		{bolt.V5_4, `LocalDateTime("2024-01-02T03:04:05.500")`, `LocalDateTime("2024-01-02T03:04:05.5")`,
			packstream.LocalDateTime(time.Date(2024, 1, 2, 3, 4, 5, 5e8, time.UTC))},
		{bolt.V5_4, `DateTime("2024-01-02T03:04:05+01:00")`, `DateTime("2024-01-02T03:04:05+01:00")`,
			time.Date(2024, 1, 2, 3, 4, 5, 0, plus1)},
		{bolt.V4_4, `DateTime("2024-01-02T03:04:05.25-05:30")`, `DateTime("2024-01-02T03:04:05.25-05:30")`,
			time.Date(2024, 1, 2, 3, 4, 5, 25e7, time.FixedZone("", -19800))},
		{bolt.V5_4, `DateTime("2024-01-02T03:04:05+00:00")`, `DateTime("2024-01-02T03:04:05Z")`,
			time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)},
		{bolt.V5_4, `DateTimeZoneId("2024-07-01T12:00:00[Europe/Paris]")`, `DateTimeZoneId("2024-07-01T12:00:00+02:00[Europe/Paris]")`,
			time.Date(2024, 7, 1, 12, 0, 0, 0, paris)},
		{bolt.V4_4, `DateTimeZoneId("2024-01-01T12:00:00+01:00[Europe/Paris]")`, `DateTimeZoneId("2024-01-01T12:00:00+01:00[Europe/Paris]")`,
			time.Date(2024, 1, 1, 12, 0, 0, 0, paris)},
		{bolt.V5_4, `Duration("P1Y2M3W4DT5H6M7.5S")`, `Duration("P14M25DT18367.5S")`,
			packstream.Duration{Months: 14, Days: 25, Seconds: 18367, Nanos: 5e8}},
		{bolt.V5_4, `Duration("PT-0.25S")`, `Duration("PT-0.25S")`, packstream.Duration{Seconds: -1, Nanos: 75e7}},
		{bolt.V5_4, `Duration("-P1M1D")`, `Duration("P-1M-1D")`, packstream.Duration{Months: -1, Days: -1}},
		{bolt.V5_4, `Duration(0, 0, 0, 0)`, `Duration("PT0S")`, packstream.Duration{}},
		{bolt.V5_4, `Duration(0, 0, 1, -5)`, `Duration(0, 0, 1, -5)`, packstream.Duration{Seconds: 1, Nanos: -5}},
		{bolt.V5_4, `Point2D(7203, 1, 2.5)`, `Point2D(7203, 1.0, 2.5)`, packstream.Point2D{SpatialRefId: 7203, X: 1, Y: 2.5}},
		{bolt.V5_4, `Point3D(9157, 1, 2, -3)`, `Point3D(9157, 1.0, 2.0, -3.0)`, packstream.Point3D{SpatialRefId: 9157, X: 1, Y: 2, Z: -3}},
		{bolt.V6_0, `Vector("int8", [1, -128, 127])`, `Vector("int8", [1, -128, 127])`, packstream.Vector[int8]{Elems: []int8{1, -128, 127}}},
		{bolt.V6_0, `Vector("int64", [])`, `Vector("int64", [])`, packstream.Vector[int64]{Elems: []int64{}}},
		{bolt.V6_0, `Vector("float32", [0.1, 2])`, `Vector("float32", [0.1, 2.0])`, packstream.Vector[float32]{Elems: []float32{0.1, 2}}},
		{bolt.V6_0, `Vector("float64", [0.1])`, `Vector("float64", [0.1])`, packstream.Vector[float64]{Elems: []float64{0.1}}},
		{bolt.V6_0, `UnsupportedType("QuantumFloat", 42, 21, "upgrade")`, `UnsupportedType("QuantumFloat", 42, 21, "upgrade")`,
			packstream.UnsupportedType{Name: "QuantumFloat", MinimumProtocolMajor: 42, MinimumProtocolMinor: 21, Message: "upgrade"}},
		{bolt.V6_1, `UUID("123E4567-E89B-12D3-A456-426614174000")`, `UUID("123e4567-e89b-12d3-a456-426614174000")`,
			packstream.UUID{0x12, 0x3e, 0x45, 0x67, 0xe8, 0x9b, 0x12, 0xd3, 0xa4, 0x56, 0x42, 0x66, 0x14, 0x17, 0x40, 0x00}},
		{bolt.V5_4, `Struct(0x01, 1, "x")`, `Struct(0x01, 1, "x")`, nil},
		{bolt.V5_4, `Struct(0x46, 1, 0, 3600)`, `Struct(0x46, 1, 0, 3600)`, nil},
	}
	for _, tc := range tests {
		t.Run(tc.version.String()+" "+tc.text, func(t *testing.T) {
			dialect := dialectOf(tc.version, false)
			val := parseServerValue(t, tc.text, tc.version)
			enc := packstream.Encoder{Dialect: dialect}
			if err := encodeMessage(&enc, bolt.TagRecord, []any{val}); err != nil {
				t.Fatalf("encode: %v", err)
			}
			wire := enc.Buffer()

			// The stub's own decoder renders the canonical text.
			msg, err := decodeMessage(wire, dialect)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if got := string(appendValue(nil, msg.fields[0])); got != tc.canonical {
				t.Errorf("rendered %s, want %s", got, tc.canonical)
			}
			// The rendered text reads back as a pattern matching the value.
			line := parseClientLine(t, "C: RECORD "+tc.canonical, tc.version)
			if !line.matches(msg, &env{version: tc.version}) {
				t.Errorf("%s does not match what it was rendered from", tc.canonical)
			}
			// Package packstream decodes the bytes as the Go value meant.
			if tc.goValue == nil && tc.text != "null" {
				return
			}
			var dec packstream.Decoder
			dec.Dialect = dialect
			dec.Reset(wire)
			if _, _, err := dec.ReadStructHeader(); err != nil {
				t.Fatal(err)
			}
			got, err := dec.ReadValue()
			if err != nil {
				t.Fatalf("packstream decode: %v", err)
			}
			if !sameGoValue(got, tc.goValue) {
				t.Errorf("packstream decoded %#v, want %#v", got, tc.goValue)
			}
		})
	}
}

// sameGoValue compares decoded Go values; times by instant and offset.
func sameGoValue(a, b any) bool {
	if ta, ok := a.(time.Time); ok {
		tb, ok := b.(time.Time)
		_, oa := ta.Zone()
		_, ob := tb.Zone()
		return ok && ta.Equal(tb) && oa == ob && ta.Location().String() == tb.Location().String()
	}
	if fa, ok := a.(float64); ok && math.IsNaN(fa) {
		fb, ok := b.(float64)
		return ok && math.IsNaN(fb)
	}
	return reflect.DeepEqual(a, b)
}

func TestLegacyAndUTCDateTimeStructures(t *testing.T) {
	// The same literal travels as 'F' before Bolt 5 and as 'I' from 5.0,
	// or on 4.4 when the script agreed to the utc patch.
	tests := []struct {
		version bolt.Version
		utc     bool
		tag     byte
		seconds int64
	}{
		{bolt.V4_4, false, 'F', 1704161045 + 3600}, // wall-clock seconds
		{bolt.V4_4, true, 'I', 1704161045},         // 2024-01-02T02:04:05Z
		{bolt.V5_0, false, 'I', 1704161045},
	}
	for _, tc := range tests {
		val := parseServerValue(t, `DateTime("2024-01-02T03:04:05+01:00")`, tc.version)
		enc := packstream.Encoder{Dialect: dialectOf(tc.version, tc.utc)}
		if err := writeValue(&enc, val); err != nil {
			t.Fatal(err)
		}
		var dec packstream.Decoder
		dec.Reset(enc.Buffer())
		tag, n, err := dec.ReadStructHeader()
		if err != nil || tag != tc.tag || n != 3 {
			t.Fatalf("%s utc=%v: struct %c/%d (%v), want %c/3", tc.version, tc.utc, tag, n, err, tc.tag)
		}
		secs, _ := dec.ReadInt()
		if secs != tc.seconds {
			t.Errorf("%s utc=%v: seconds %d, want %d", tc.version, tc.utc, secs, tc.seconds)
		}
	}
}

func TestUnknownZoneIDsCanBeSentAndAreShownRaw(t *testing.T) {
	val := parseServerValue(t, `DateTimeZoneId("2024-01-02T03:04:05+01:00[Mars/Olympus_Mons]")`, bolt.V5_4)
	enc := packstream.Encoder{Dialect: dialectOf(bolt.V5_4, false)}
	if err := encodeMessage(&enc, bolt.TagRecord, []any{val}); err != nil {
		t.Fatal(err)
	}
	msg, err := decodeMessage(enc.Buffer(), dialectOf(bolt.V5_4, false))
	if err != nil {
		t.Fatal(err)
	}
	want := `Struct(0x69, 1704161045, 0, "Mars/Olympus_Mons")`
	if got := string(appendValue(nil, msg.fields[0])); got != want {
		t.Errorf("rendered %s, want %s", got, want)
	}
	if _, err := Parse("bolt 5.4\nC: RUN DateTimeZoneId(\"2024-01-02T03:04:05[Mars/Olympus_Mons]\")\n"); err == nil ||
		!strings.Contains(err.Error(), "give the offset too") {
		t.Errorf("an unknown zone without offset: %v", err)
	}
}

func TestTemporalTextIsCanonical(t *testing.T) {
	tests := []struct {
		form temporalForm
		in   string
		want string
	}{
		{formLocalTime, "12:00", "12:00:00"},
		{formLocalTime, "12:00:00.000", "12:00:00"},
		{formLocalTime, "00:00:00.120", "00:00:00.12"},
		{formTime, "23:59:59-00:00:30", "23:59:59-00:00:30"},
		{formDate, "2000-02-29", "2000-02-29"},
		{formDateTime, "2024-01-02T03:04:05.000000000Z", "2024-01-02T03:04:05Z"},
		{formZonedDateTime, "2024-03-31T01:30:00[Europe/Paris]", "2024-03-31T01:30:00+01:00[Europe/Paris]"},
	}
	for _, tc := range tests {
		got, err := canonicalTemporal(tc.in, tc.form)
		if err != nil || got != tc.want {
			t.Errorf("canonical %q = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []struct {
		form temporalForm
		in   string
	}{
		{formDate, "1900-02-29"}, {formDate, "2024-13-01"}, {formDate, "24-01-01"}, {formLocalTime, "24:00"},
		{formLocalTime, "12:00:00.1234567890"}, {formTime, "12:00"}, {formTime, "12:00+19:00"},
		{formDateTime, "2024-01-01 12:00Z"}, {formZonedDateTime, "2024-01-01T12:00+01:00[Europe/Paris"},
		{formZonedDateTime, "2024-07-01T12:00+01:00[Europe/Paris]"}, // Paris is +02:00 in July
	} {
		if got, err := canonicalTemporal(bad.in, bad.form); err == nil {
			t.Errorf("%s %q accepted as %q", formName(bad.form), bad.in, got)
		}
	}
}

func TestDurationText(t *testing.T) {
	tests := []struct {
		in   string
		want duration
	}{
		{"P1Y", duration{months: 12}},
		{"P2W", duration{days: 14}},
		{"PT1H1M1S", duration{seconds: 3661}},
		{"PT0.000000001S", duration{nanos: 1}},
		{"PT-1.5S", duration{seconds: -2, nanos: 5e8}},
		{"-PT1.5S", duration{seconds: -2, nanos: 5e8}},
		{"P1M-1D", duration{months: 1, days: -1}},
	}
	for _, tc := range tests {
		got, err := parseDuration(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("parseDuration(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
		text, _ := got.canonical()
		back, err := parseDuration(text)
		if err != nil || back != got {
			t.Errorf("%q: canonical %q reads back as %+v, %v", tc.in, text, back, err)
		}
	}
	for _, bad := range []string{"", "P", "1D", "PT", "P1S", "PT1D", "P1.5D", "PT1.5.5S", "PT1.0000000001S", "P1M1M",
		"P9223372036854775807Y", "PTT1S"} {
		if d, err := parseDuration(bad); err == nil {
			t.Errorf("parseDuration(%q) accepted: %+v", bad, d)
		}
	}
}

// TestStructuresInsideProperties sends every kind of value as a property
// of a Node: they travel as packstream Go values inside the structure.
func TestStructuresInsideProperties(t *testing.T) {
	if _, err := time.LoadLocation("Europe/Paris"); err != nil {
		t.Skip("no time zone database:", err)
	}
	props := `{"b": Bytes("01"), "d": Date("2024-01-02"), "dt": DateTime("2024-01-02T03:04:05+01:00"), ` +
		`"dur": Duration("P1DT1S"), "l": [1, "x", null, false, 1.5], "ldt": LocalDateTime("2024-01-02T03:04:05"), ` +
		`"lt": LocalTime("03:04:05"), "m": {"k": [Point2D(7203, 1.0, 2.0)]}, "p3": Point3D(9157, 1.0, 2.0, 3.0), ` +
		`"t": Time("03:04:05-02:00"), "u": UUID("123e4567-e89b-12d3-a456-426614174000"), "v": Vector("int32", [1, -2]), ` +
		`"z": DateTimeZoneId("2024-01-02T03:04:05+01:00[Europe/Paris]")}`
	text := `Node(1, ["All"], ` + props + `, "n1")`
	val := parseServerValue(t, text, bolt.V6_1)
	dialect := dialectOf(bolt.V6_1, false)
	enc := packstream.Encoder{Dialect: dialect}
	if err := encodeMessage(&enc, bolt.TagRecord, []any{val}); err != nil {
		t.Fatal(err)
	}
	msg, err := decodeMessage(enc.Buffer(), dialect)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(appendValue(nil, msg.fields[0])); got != text {
		t.Errorf("rendered\n%s\nwant\n%s", got, text)
	}
	// A raw structure cannot be a property: packstream has no Go value for it.
	if _, err := Parse("bolt 5.4\nS: RECORD Node(1, [], {\"x\": Struct(0x01)})\n"); err == nil ||
		!strings.Contains(err.Error(), "cannot be nested") {
		t.Errorf("raw structure in properties: %v", err)
	}
}
