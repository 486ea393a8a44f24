package packstream

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

type (
	age    int
	label  string
	flag   bool
	ratio  float32
	names  []string
	scores map[string]float64
	blob   []byte
	octet  uint8
)

// sameBytes checks that v encodes exactly like want.
func sameBytes(t *testing.T, v, want any) {
	t.Helper()
	got := encodeValue(t, LatestDialect, v)
	exp := encodeValue(t, LatestDialect, want)
	if !bytes.Equal(got, exp) {
		t.Errorf("%T %v encoded\n% X\nwant (as %T)\n% X", v, v, got, want, exp)
	}
}

func TestGoValueMapping(t *testing.T) {
	i := 5
	var nilPtr *int
	var nilMap map[string]any
	var nilSlice []string
	s := "hi"
	ps := &s
	cases := []struct {
		v, want any
	}{
		{int8(-3), int64(-3)}, {int16(300), int64(300)}, {int32(-70000), int64(-70000)}, {int(1 << 40), int64(1 << 40)},
		{uint8(200), int64(200)}, {uint16(60000), int64(60000)}, {uint32(1 << 31), int64(1 << 31)},
		{uint(7), int64(7)}, {uint64(math.MaxInt64), int64(math.MaxInt64)}, {uintptr(9), int64(9)},
		{float32(1.5), 1.5},
		{age(42), int64(42)}, {label("x"), "x"}, {flag(true), true}, {ratio(0.25), 0.25},
		{names{"a", "b"}, []any{"a", "b"}},
		{scores{"k": 1}, map[string]any{"k": 1.0}},
		{blob{1, 2}, []byte{1, 2}},
		{[3]byte{1, 2, 3}, []byte{1, 2, 3}},
		{[2]octet{4, 5}, []byte{4, 5}}, {[]octet{6}, []byte{6}},
		{[2]int{4, 5}, []any{int64(4), int64(5)}},
		{[]string{"x"}, []any{"x"}}, {[]int{1}, []any{int64(1)}}, {[]int64{1}, []any{int64(1)}},
		{[]float64{2}, []any{2.0}}, {[]bool{true}, []any{true}}, {[]int32{-1}, []any{int64(-1)}},
		{map[string]string{"a": "b"}, map[string]any{"a": "b"}},
		{map[string][]int{"a": {1}}, map[string]any{"a": []any{int64(1)}}},
		{[]map[string]any{{"a": int64(1)}}, []any{map[string]any{"a": int64(1)}}},
		{map[label]int{"z": 1}, map[string]any{"z": int64(1)}},
		{&i, int64(5)}, {nilPtr, nil}, {&ps, "hi"},
		{nilMap, map[string]any{}}, {nilSlice, []any{}},
		{[]any{nilPtr, &i}, []any{nil, int64(5)}},
		{time.Duration(-1500) * time.Millisecond, Duration{Seconds: -2, Nanos: 500_000_000}},
		{time.Duration(90) * time.Second, Duration{Seconds: 90}},
		{&Point2D{X: 1}, Point2D{X: 1}},
		{ptr(time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)), time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)},
	}
	for _, c := range cases {
		sameBytes(t, c.v, c.want)
	}
}

func ptr[T any](v T) *T { return &v }

func TestEncodeErrors(t *testing.T) {
	type point struct {
		X, Y int
		F    func()
	}
	type feeding struct{ Feed chan int }
	cases := []struct {
		name string
		v    any
		err  error
		path string
	}{
		{"struct with a func", point{X: 1, Y: 2}, ErrUnsupportedType, ".F"},
		{"struct in list in map", map[string]any{"x": []any{1, 2, point{}}}, ErrUnsupportedType, `["x"][2].F`},
		{"struct in typed slice", []feeding{{}, {}}, ErrUnsupportedType, `[0].Feed`},
		{"pointer to struct in map", map[string]*feeding{"k": {}}, ErrUnsupportedType, `["k"].Feed`},
		{"chan", make(chan int), ErrUnsupportedType, ""},
		{"func", func() {}, ErrUnsupportedType, ""},
		{"complex", complex(1, 2), ErrUnsupportedType, ""},
		{"int keys", map[int]string{1: "a"}, ErrUnsupportedType, ""},
		{"uint64 overflow", []any{uint64(math.MaxInt64 + 1)}, ErrInvalidValue, "[0]"},
		{"uint overflow", map[string]uint{"u": math.MaxUint}, ErrInvalidValue, `["u"]`},
		{"node props", Node{Props: map[string]any{"bad": point{}}}, ErrUnsupportedType, `.Props["bad"].F`},
		{"invalid value", InvalidValue{Message: "x"}, ErrInvalidValue, ""},
		{"bad path", Path{Nodes: []Node{{Id: 1}}, Relationships: []Relationship{{}}}, ErrInvalidValue, ""},
		{"path with detached relationship", Path{Nodes: []Node{{Id: 1}, {Id: 2}},
			Relationships: []Relationship{{StartId: 1, EndId: 3}}}, ErrInvalidValue, ".Relationships[0]"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := Encoder{Dialect: bolt4}
			err := e.WriteValue(c.v)
			var ee *EncodeError
			if !errors.Is(err, c.err) || !errors.As(err, &ee) {
				t.Fatalf("WriteValue: %v, want %v", err, c.err)
			}
			if ee.Path != c.path {
				t.Errorf("path %q, want %q (%v)", ee.Path, c.path, err)
			}
			if !errors.Is(e.Err(), c.err) {
				t.Errorf("Err() = %v", e.Err())
			}
		})
	}
}

func TestWriteParamsNamesTheParameter(t *testing.T) {
	var e Encoder
	err := e.WriteParams(map[string]any{"ok": 1, "ids": []any{1, 2, 3, uint64(1 << 63)}})
	var ee *EncodeError
	if !errors.Is(err, ErrInvalidValue) || !errors.As(err, &ee) || ee.Path != "$ids[3]" {
		t.Fatalf("WriteParams: %v (path %q), want ErrInvalidValue at $ids[3]", err, ee.Path)
	}
	if msg := err.Error(); !strings.Contains(msg, "parameter $ids[3]") || !strings.Contains(msg, "uint64") {
		t.Errorf("message %q does not name the parameter and type", msg)
	}
	e.Reset(nil)
	type point struct{ X complex64 }
	err = e.WriteParams(map[string]any{"p": map[string]any{"inner": point{}}})
	if !errors.As(err, &ee) || ee.Path != `$p["inner"].X` || !errors.Is(err, ErrUnsupportedType) {
		t.Fatalf("WriteParams struct: %v", err)
	}
	e.Reset(nil)
	if err := e.WriteParams(map[string]any{"n": int64(1)}); err != nil {
		t.Fatal(err)
	}
	if want := hx(t, "A1 81 'n 01"); !bytes.Equal(e.Buffer(), want) {
		t.Errorf("params encoded % X, want % X", e.Buffer(), want)
	}
}

func TestEncodeSelfContainingValue(t *testing.T) {
	m := map[string]any{}
	m["self"] = m
	var e Encoder
	if err := e.WriteValue(m); !errors.Is(err, ErrTooDeep) {
		t.Fatalf("self-containing map: %v, want ErrTooDeep", err)
	}
	type loop *loop
	var l loop
	l = &l
	e.Reset(nil)
	if err := e.WriteValue(l); !errors.Is(err, ErrTooDeep) {
		t.Fatalf("self-pointing pointer: %v, want ErrTooDeep", err)
	}
}

func TestEncoderResetReusesBuffer(t *testing.T) {
	var e Encoder
	e.WriteString("first")
	buf := e.Buffer()
	e.Reset(buf)
	e.WriteInt(1)
	if got := e.Buffer(); len(got) != 1 || &got[0] != &buf[0] {
		t.Fatalf("Reset did not reuse the buffer")
	}
	if e.Err() != nil {
		t.Fatal(e.Err())
	}
}

func TestStructHeaderLimits(t *testing.T) {
	var e Encoder
	e.WriteStructHeader(0x80, 1)
	if !errors.Is(e.Err(), ErrTooLarge) || len(e.Buffer()) != 0 {
		t.Errorf("tag 0x80: err %v, wrote % X", e.Err(), e.Buffer())
	}
	e.Reset(nil)
	e.WriteStructHeader('N', 16)
	if !errors.Is(e.Err(), ErrTooLarge) {
		t.Errorf("16 fields: %v", e.Err())
	}
}

func TestDecodedTemporalMethods(t *testing.T) {
	d := Date(time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC))
	if d.String() != "2024-02-29" || !d.Time().Equal(time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("Date: %s", d)
	}
	tm := Time(time.Date(1970, 1, 1, 13, 4, 5, 600, time.FixedZone("", 5400)))
	if tm.String() != "13:04:05.0000006+01:30" {
		t.Errorf("Time: %s", tm)
	}
	if s := LocalTime(time.Date(1970, 1, 1, 1, 2, 3, 0, time.UTC)).String(); s != "01:02:03" {
		t.Errorf("LocalTime: %s", s)
	}
	if s := LocalDateTime(time.Date(1999, 12, 31, 23, 59, 59, 5e8, time.UTC)).String(); s != "1999-12-31T23:59:59.5" {
		t.Errorf("LocalDateTime: %s", s)
	}
	for _, c := range []struct {
		d    Duration
		want string
	}{
		{Duration{Months: 14, Days: 3, Seconds: 7, Nanos: 1}, "P14M3DT7.000000001S"},
		{Duration{Seconds: -2, Nanos: 500_000_000}, "P0M0DT-1.500000000S"},
		{Duration{}, "P0M0DT0S"},
	} {
		if got := c.d.String(); got != c.want {
			t.Errorf("Duration %+v: %s, want %s", c.d, got, c.want)
		}
	}
	if s := NewVector[int8](1, -2).String(); s != "vector([1, -2], 2, INTEGER8 NOT NULL)" {
		t.Errorf("Vector: %s", s)
	}
	var av AnyVector = NewVector[float32](0.5)
	if av.Len() != 1 || av.ElementType() != VectorFloat32 {
		t.Errorf("AnyVector: %d %v", av.Len(), av.ElementType())
	}
	if s := (Point2D{X: 1, Y: 2.5, SpatialRefId: 7203}).String(); s != "point({srid:7203, x:1, y:2.5})" {
		t.Errorf("Point2D: %s", s)
	}
}

func TestUUIDText(t *testing.T) {
	const canonical = "123e4567-e89b-12d3-a456-426614174000"
	u := mustUUID(t, canonical)
	if u.String() != canonical {
		t.Errorf("String = %s", u)
	}
	if v := mustUUID(t, "123E4567E89B12D3A456426614174000"); v != u {
		t.Errorf("unhyphenated upper case parsed as %s", v)
	}
	for _, bad := range []string{"", "123e4567-e89b-12d3-a456-42661417400", "123e4567+e89b-12d3-a456-426614174000",
		"zz3e4567-e89b-12d3-a456-426614174000", strings.Repeat("0", 33)} {
		if _, err := ParseUUID(bad); !errors.Is(err, ErrInvalidValue) {
			t.Errorf("ParseUUID(%q): %v, want ErrInvalidValue", bad, err)
		}
	}
	text, _ := u.MarshalText()
	var back UUID
	if err := back.UnmarshalText(text); err != nil || back != u {
		t.Errorf("text round trip: %s %v", back, err)
	}
}

func TestErrorMessages(t *testing.T) {
	type point struct{ X chan int }
	var e Encoder
	err := e.WriteValue(map[string]any{"p": point{}})
	if msg := err.Error(); msg != `packstream: unsupported Go type: value["p"].X (chan int): `+
		"a Go chan has no PackStream form: tag the field `neo4j:\"-\"` or leave it out" {
		t.Errorf("encode message: %s", msg)
	}
	var d Decoder
	d.Reset(hx(t, "92 01 C7"))
	_, err = d.ReadValue()
	if msg := err.Error(); msg != "packstream: unknown marker byte: marker 0xC7 (at offset 2)" {
		t.Errorf("decode message: %s", msg)
	}
}

func TestPrimitiveReadsAndWrites(t *testing.T) {
	var e Encoder
	e.WriteNull()
	e.WriteBool(true)
	e.WriteBool(false)
	e.WriteStructHeader('X', 0)
	e.WriteUUID(UUID{1}) // not in the zero dialect: writes nothing
	if want := hx(t, "C0 C3 C2 B0 58"); !bytes.Equal(e.Buffer(), want) {
		t.Fatalf("wrote % X, want % X", e.Buffer(), want)
	}
	if !errors.Is(e.Err(), ErrNotInDialect) {
		t.Fatalf("WriteUUID without dialect: %v", e.Err())
	}
	var d Decoder
	d.Reset(e.Buffer())
	if err := d.ReadNull(); err != nil {
		t.Fatal(err)
	}
	if b, err := d.ReadBool(); !b || err != nil {
		t.Fatalf("ReadBool = %v, %v", b, err)
	}
	if b, err := d.ReadBool(); b || err != nil {
		t.Fatalf("ReadBool = %v, %v", b, err)
	}
	if tag, n, err := d.ReadStructHeader(); tag != 'X' || n != 0 || err != nil || d.Remaining() != 0 {
		t.Fatalf("ReadStructHeader = %c %d %v", tag, n, err)
	}
	e.Reset(nil)
	e.WriteListHeader(-1)
	if !errors.Is(e.Err(), ErrInvalidValue) || len(e.Buffer()) != 0 {
		t.Fatalf("negative list size: %v, wrote % X", e.Err(), e.Buffer())
	}
}
