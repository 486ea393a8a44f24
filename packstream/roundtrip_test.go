package packstream

import (
	"bytes"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestIntBoundaries(t *testing.T) {
	cases := []struct {
		value  int64
		marker byte // first byte; for tiny ints the value itself
		size   int
	}{
		{math.MinInt64, markerInt64, 9},
		{-1<<31 - 1, markerInt64, 9},
		{-1 << 31, markerInt32, 5},
		{-32769, markerInt32, 5},
		{-32768, markerInt16, 3},
		{-129, markerInt16, 3},
		{-128, markerInt8, 2},
		{-17, markerInt8, 2},
		{-16, 0xF0, 1},
		{-1, 0xFF, 1},
		{0, 0x00, 1},
		{127, 0x7F, 1},
		{128, markerInt16, 3},
		{32767, markerInt16, 3},
		{32768, markerInt32, 5},
		{1<<31 - 1, markerInt32, 5},
		{1 << 31, markerInt64, 9},
		{math.MaxInt64, markerInt64, 9},
	}
	for _, c := range cases {
		t.Run(strconv.FormatInt(c.value, 10), func(t *testing.T) {
			var e Encoder
			e.WriteInt(c.value)
			b := e.Buffer()
			if len(b) != c.size || b[0] != c.marker {
				t.Fatalf("encoded % X, want %d bytes starting with %02X", b, c.size, c.marker)
			}
			var d Decoder
			d.Reset(b)
			got, err := d.ReadInt()
			if err != nil || got != c.value {
				t.Fatalf("ReadInt = %d, %v; want %d", got, err, c.value)
			}
			if v := decodeValue(t, Dialect{}, b); v != any(c.value) {
				t.Fatalf("ReadValue = %#v, want int64 %d", v, c.value)
			}
		})
	}
}

// sizeCase is a container or string of n entries and the header it must have.
var sizeBoundaries = []struct {
	n      int
	header int // bytes of marker and size
}{
	{0, 1}, {15, 1}, {16, 2}, {255, 2}, {256, 3}, {65535, 3}, {65536, 5},
}

func TestStringSizes(t *testing.T) {
	for _, c := range sizeBoundaries {
		s := strings.Repeat("x", c.n)
		b := encodeValue(t, Dialect{}, s)
		if len(b) != c.header+c.n {
			t.Errorf("string of %d bytes: encoded %d bytes, want %d", c.n, len(b), c.header+c.n)
		}
		wantMarker := map[int]byte{1: byte(0x80 + min(c.n, 15)), 2: markerString8, 3: markerString16, 5: markerString32}[c.header]
		if b[0] != wantMarker {
			t.Errorf("string of %d bytes: marker %02X, want %02X", c.n, b[0], wantMarker)
		}
		if got := decodeValue(t, Dialect{}, b); got != s {
			t.Errorf("string of %d bytes did not round-trip", c.n)
		}
	}
}

func TestBytesSizes(t *testing.T) {
	for _, c := range sizeBoundaries {
		v := bytes.Repeat([]byte{7}, c.n)
		b := encodeValue(t, Dialect{}, v)
		// Bytes have no tiny form: the header is at least two bytes.
		header := max(c.header, 2)
		if len(b) != header+c.n {
			t.Errorf("%d bytes: encoded %d bytes, want %d", c.n, len(b), header+c.n)
		}
		wantMarker := map[int]byte{2: markerBytes8, 3: markerBytes16, 5: markerBytes32}[header]
		if b[0] != wantMarker {
			t.Errorf("%d bytes: marker %02X, want %02X", c.n, b[0], wantMarker)
		}
		if got, ok := decodeValue(t, Dialect{}, b).([]byte); !ok || !bytes.Equal(got, v) {
			t.Errorf("%d bytes did not round-trip", c.n)
		}
	}
}

func TestListSizes(t *testing.T) {
	for _, c := range sizeBoundaries {
		list := make([]any, c.n)
		for i := range list {
			list[i] = int64(i % 100)
		}
		b := encodeValue(t, Dialect{}, list)
		if len(b) != c.header+c.n {
			t.Errorf("list of %d: encoded %d bytes, want %d", c.n, len(b), c.header+c.n)
		}
		wantMarker := map[int]byte{1: byte(0x90 + min(c.n, 15)), 2: markerList8, 3: markerList16, 5: markerList32}[c.header]
		if b[0] != wantMarker {
			t.Errorf("list of %d: marker %02X, want %02X", c.n, b[0], wantMarker)
		}
		if got := decodeValue(t, Dialect{}, b); !sameValue(got, list) {
			t.Errorf("list of %d did not round-trip", c.n)
		}
		var d Decoder
		d.Reset(b)
		if n, err := d.ReadListHeader(); err != nil || n != c.n || d.Offset() != c.header {
			t.Errorf("ReadListHeader = %d, %v at %d; want %d at %d", n, err, d.Offset(), c.n, c.header)
		}
	}
}

func TestMapSizes(t *testing.T) {
	for _, c := range sizeBoundaries {
		m := make(map[string]any, c.n)
		keyBytes := 0
		for i := 0; i < c.n; i++ {
			k := strconv.Itoa(i) // 1..5 bytes, all tiny strings
			m[k] = int64(1)
			keyBytes += 1 + len(k)
		}
		b := encodeValue(t, Dialect{}, m)
		if len(b) != c.header+keyBytes+c.n {
			t.Errorf("map of %d: encoded %d bytes, want %d", c.n, len(b), c.header+keyBytes+c.n)
		}
		wantMarker := map[int]byte{1: byte(0xA0 + min(c.n, 15)), 2: markerMap8, 3: markerMap16, 5: markerMap32}[c.header]
		if b[0] != wantMarker {
			t.Errorf("map of %d: marker %02X, want %02X", c.n, b[0], wantMarker)
		}
		if got := decodeValue(t, Dialect{}, b); !sameValue(got, m) {
			t.Errorf("map of %d did not round-trip", c.n)
		}
	}
}

func TestFloatRoundTrip(t *testing.T) {
	for _, f := range []float64{0, math.Copysign(0, -1), 1.5, -2.25, math.MaxFloat64, math.SmallestNonzeroFloat64,
		math.Inf(1), math.Inf(-1), math.NaN()} {
		b := encodeValue(t, Dialect{}, f)
		if len(b) != 9 || b[0] != markerFloat64 {
			t.Fatalf("float %v encoded % X", f, b)
		}
		got, ok := decodeValue(t, Dialect{}, b).(float64)
		if !ok || math.Float64bits(got) != math.Float64bits(f) {
			t.Errorf("float %v decoded as %v", f, got)
		}
	}
}

// roundTripValues are values of every type, in the newest dialect.
func roundTripValues(t testing.TB) []any {
	loc := paris(t)
	return []any{
		nil, true, false, int64(-5), int64(1 << 40), 3.5, "héllo", []byte{0, 255},
		[]any{int64(1), "two", []any{3.0, nil}},
		map[string]any{"a": map[string]any{"b": []any{true}}, "": int64(0)},
		Node{Id: 7, ElementId: "4:abc:7", Labels: []string{"Person"}, Props: map[string]any{
			"born": time.Date(1980, 5, 6, 7, 8, 9, 10, loc)}},
		Relationship{Id: 1, ElementId: "5:x:1", StartId: 2, StartElementId: "e2", EndId: 3, EndElementId: "e3",
			Type: "T", Props: map[string]any{}},
		Date(time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)),
		Date(time.Date(-40000, 3, 1, 0, 0, 0, 0, time.UTC)),
		Time(time.Date(1970, 1, 1, 23, 59, 59, 999999999, time.FixedZone("", 18*3600))),
		LocalTime(time.Date(1970, 1, 1, 12, 0, 0, 1, time.UTC)),
		LocalDateTime(time.Date(1900, 2, 28, 12, 30, 0, 999, time.UTC)),
		time.Date(2024, 3, 31, 2, 30, 0, 5, loc),
		time.Date(1890, 1, 1, 0, 0, 0, 0, time.FixedZone("", -5*3600-1800)),
		time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
		Duration{Months: -1, Days: 40, Seconds: -3, Nanos: 999999999},
		Point2D{X: -1.5, Y: 2, SpatialRefId: 7203},
		Point3D{X: 1, Y: 2, Z: 3, SpatialRefId: 4979},
		NewVector[int8](-128, 127), NewVector[int16](-32768, 32767), NewVector[int32](math.MinInt32, 5),
		NewVector[int64](math.MinInt64, math.MaxInt64), NewVector[float32](1.25, float32(math.Inf(-1))),
		NewVector[float64](math.Pi, math.NaN()),
		mustUUID(t, "00000000-0000-0000-0000-000000000001"),
		UnsupportedType{Name: "Q", MinimumProtocolMajor: 7, MinimumProtocolMinor: 1},
		specPathWithIDs(),
	}
}

// specPathWithIDs is specPath in the Bolt 5 form (element ids).
func specPathWithIDs() Path {
	p := specPath()
	for i := range p.Nodes {
		p.Nodes[i].ElementId = "n" + p.Nodes[i].ElementId
	}
	for i := range p.Relationships {
		r := &p.Relationships[i]
		r.ElementId, r.StartElementId, r.EndElementId = "r"+r.ElementId, "n"+r.StartElementId, "n"+r.EndElementId
	}
	return p
}

func TestRoundTripEveryType(t *testing.T) {
	for i, v := range roundTripValues(t) {
		b := encodeValue(t, LatestDialect, v)
		got := decodeValue(t, LatestDialect, b)
		if !sameValue(got, v) {
			t.Errorf("value %d: %#v\nround-tripped to %#v", i, v, got)
		}
		// Encoding the decoded value again gives the same bytes (maps
		// aside, whose order is free).
		if _, isMap := v.(map[string]any); !isMap {
			if b2 := encodeValue(t, LatestDialect, got); !bytes.Equal(b, b2) {
				t.Errorf("value %d: re-encoded\n% X\nfirst\n% X", i, b2, b)
			}
		}
	}
}

func TestDecodedTimeZones(t *testing.T) {
	// Offset 0 decodes as time.UTC; other offsets as unnamed fixed zones;
	// zone ids as the named location.
	utc := decodeValue(t, bolt5, hx(t, "B3 49 00 00 00")).(time.Time)
	if utc.Location() != time.UTC {
		t.Errorf("offset 0 decoded in %v, want UTC", utc.Location())
	}
	off := decodeValue(t, bolt5, hx(t, "B3 49 00 00 C9 0E 10")).(time.Time)
	if name, o := off.Zone(); name != "" || o != 3600 {
		t.Errorf("offset 3600 decoded as zone %q %d", name, o)
	}
	named := decodeValue(t, bolt5, hx(t, "B3 69 00 00 8C 'Europe/Paris")).(time.Time)
	if named.Location().String() != "Europe/Paris" {
		t.Errorf("zone id decoded in %v", named.Location())
	}
	// And time.Local travels as an offset, never as the name "Local".
	b := encodeValue(t, bolt5, time.Date(2020, 1, 1, 0, 0, 0, 0, time.Local))
	if b[1] != tagDateTime {
		t.Errorf("time.Local encoded with tag %02X, want DateTime with offset", b[1])
	}
}

func TestUnknownZoneIDIsInvalidValue(t *testing.T) {
	b := hx(t, "92 B3 69 00 00 8A 'Mars/Olymp 01")
	var d Decoder
	d.Dialect = bolt5
	d.Reset(b)
	list, err := d.ReadList()
	if err != nil {
		t.Fatalf("ReadList: %v", err)
	}
	iv, ok := list[0].(InvalidValue)
	if !ok || iv.Err == nil || !strings.Contains(iv.Message, "Mars/Olymp") {
		t.Fatalf("unknown zone decoded as %#v", list[0])
	}
	if list[1] != int64(1) {
		t.Fatalf("rest of the record lost: %#v", list)
	}
	for _, name := range []string{"Local", ""} {
		var e Encoder
		e.WriteStructHeader(tagDateTimeZoneID, 3)
		e.WriteInt(0)
		e.WriteInt(0)
		e.WriteString(name)
		if _, ok := decodeValue(t, bolt5, e.Buffer()).(InvalidValue); !ok {
			t.Errorf("zone id %q was accepted", name)
		}
	}
}

func TestSkip(t *testing.T) {
	for i, v := range roundTripValues(t) {
		b := encodeValue(t, LatestDialect, v)
		b = append(b, 0x2A)
		var d Decoder
		d.Dialect = LatestDialect
		d.Reset(b)
		if err := d.Skip(); err != nil {
			t.Fatalf("value %d: Skip: %v", i, err)
		}
		if x, err := d.ReadInt(); err != nil || x != 42 {
			t.Fatalf("value %d: after Skip read %d, %v", i, x, err)
		}
	}
}
