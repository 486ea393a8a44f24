package packstream

import (
	"errors"
	"testing"
	"time"
)

func TestElementIDsFollowDialect(t *testing.T) {
	n := Node{Id: 9, ElementId: "e9", Labels: []string{}, Props: map[string]any{}}
	b4 := encodeValue(t, bolt4, n)
	b5 := encodeValue(t, bolt5, n)
	if b4[0] != 0xB3 || b5[0] != 0xB4 {
		t.Fatalf("Node headers %02X (4.x) %02X (5.x), want B3 and B4", b4[0], b5[0])
	}
	if got := decodeValue(t, bolt4, b4).(Node); got.ElementId != "9" {
		t.Errorf("4.x node element id %q, want the numeric id", got.ElementId)
	}
	if got := decodeValue(t, bolt5, b5).(Node); got.ElementId != "e9" {
		t.Errorf("5.x node element id %q", got.ElementId)
	}
	// A 5.x node read with the 4.x dialect (or the reverse) has the wrong
	// number of fields.
	for _, c := range []struct {
		d Dialect
		b []byte
	}{{bolt4, b5}, {bolt5, b4}} {
		var d Decoder
		d.Dialect = c.d
		d.Reset(c.b)
		if _, err := d.ReadValue(); !errors.Is(err, ErrFieldCount) {
			t.Errorf("node of the other dialect: %v, want ErrFieldCount", err)
		}
	}
}

func TestLegacyAndUTCDateTimeAgree(t *testing.T) {
	times := []time.Time{
		time.Date(2021, 10, 31, 2, 30, 0, 1, paris(t)), // inside the DST fold
		time.Date(2021, 3, 28, 3, 30, 0, 0, paris(t)),  // just after the gap
		time.Date(1969, 12, 31, 23, 59, 59, 999999999, time.FixedZone("", -4*3600)),
		time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	for _, tm := range times {
		legacy := encodeValue(t, bolt4, tm)
		utc := encodeValue(t, bolt5, tm)
		if legacy[1] != tagLegacyDateTime && legacy[1] != tagLegacyDateTimeZoneID {
			t.Fatalf("%v: legacy dialect wrote tag %02X", tm, legacy[1])
		}
		if utc[1] != tagDateTime && utc[1] != tagDateTimeZoneID {
			t.Fatalf("%v: utc dialect wrote tag %02X", tm, utc[1])
		}
		a := decodeValue(t, bolt4, legacy).(time.Time)
		b := decodeValue(t, bolt5, utc).(time.Time)
		if !a.Equal(tm) || !b.Equal(tm) || a.Location().String() != b.Location().String() {
			t.Errorf("%v: legacy decoded %v, utc decoded %v", tm, a, b)
		}
	}
}

func TestDateTimeTagOutsideDialect(t *testing.T) {
	cases := []struct {
		d Dialect
		b string
	}{
		{bolt4, "B3 49 00 00 00"},
		{bolt4, "B3 69 00 00 83 'UTC"},
		{bolt5, "B3 46 00 00 00"},
		{bolt5, "B3 66 00 00 83 'UTC"},
	}
	for _, c := range cases {
		var d Decoder
		d.Dialect = c.d
		d.Reset(hx(t, c.b))
		if _, err := d.ReadValue(); !errors.Is(err, ErrNotInDialect) {
			t.Errorf("%s with %+v: %v, want ErrNotInDialect", c.b, c.d, err)
		}
	}
}

func TestNewerTypesNeedTheirDialect(t *testing.T) {
	values := map[string]any{
		"vector":      NewVector[float64](1),
		"uuid":        UUID{1},
		"unsupported": UnsupportedType{Name: "X"},
	}
	for name, v := range values {
		b := encodeValue(t, LatestDialect, v)
		without := LatestDialect
		switch name {
		case "uuid":
			without.UUIDs = false
		default:
			without.Vectors = false
		}
		e := Encoder{Dialect: without}
		err := e.WriteValue(v)
		var ee *EncodeError
		if !errors.Is(err, ErrNotInDialect) || !errors.As(err, &ee) {
			t.Errorf("%s: encode without dialect: %v, want ErrNotInDialect", name, err)
		}
		if !errors.Is(e.Err(), ErrNotInDialect) {
			t.Errorf("%s: Err() = %v after a failed WriteValue", name, e.Err())
		}
		var d Decoder
		d.Dialect = without
		d.Reset(b)
		_, err = d.ReadValue()
		var de *DecodeError
		if !errors.Is(err, ErrNotInDialect) || !errors.As(err, &de) || de.Offset != 0 {
			t.Errorf("%s: decode without dialect: %v, want ErrNotInDialect at 0", name, err)
		}
		d.Reset(b)
		if err := d.Skip(); name == "uuid" && !errors.Is(err, ErrNotInDialect) {
			t.Errorf("uuid: Skip without dialect: %v", err)
		}
	}
	// PeekKind reports UUIDs only in their dialect.
	var d Decoder
	d.Reset([]byte{markerUUID})
	if _, err := d.PeekKind(); !errors.Is(err, ErrNotInDialect) {
		t.Errorf("PeekKind(E0) without UUIDs: %v", err)
	}
	d.Dialect.UUIDs = true
	if k, err := d.PeekKind(); k != KindUUID || err != nil {
		t.Errorf("PeekKind(E0) = %v, %v; want uuid", k, err)
	}
}
