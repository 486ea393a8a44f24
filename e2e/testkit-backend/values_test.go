package main

import (
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/boltrx/boltrx"
)

// fromJSON converts one testkit value given as JSON text.
func fromJSON(t *testing.T, s string) any {
	t.Helper()
	v, err := valueFromJSON(json.RawMessage(s), 0)
	if err != nil {
		t.Fatalf("valueFromJSON(%s): %v", s, err)
	}
	return v
}

// toJSON converts a Go value to testkit's encoding, as JSON text.
func toJSON(t *testing.T, v any) string {
	t.Helper()
	c, err := cypherValue(v)
	if err != nil {
		t.Fatalf("cypherValue(%#v): %v", v, err)
	}
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	return string(b)
}

func TestValuesFromJSON(t *testing.T) {
	stockholm, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		t.Skip("no time zone database:", err)
	}
	cases := []struct {
		in   string
		want any
	}{
		{`{"name": "CypherNull", "data": {}}`, nil},
		{`{"name": "CypherNull"}`, nil},
		{`{"name": "CypherBool", "data": {"value": true}}`, true},
		{`{"name": "CypherInt", "data": {"value": 9223372036854775807}}`, int64(math.MaxInt64)},
		{`{"name": "CypherInt", "data": {"value": -9223372036854775808}}`, int64(math.MinInt64)},
		{`{"name": "CypherFloat", "data": {"value": 1.5}}`, 1.5},
		{`{"name": "CypherFloat", "data": {"value": "+Infinity"}}`, math.Inf(1)},
		{`{"name": "CypherFloat", "data": {"value": "-Infinity"}}`, math.Inf(-1)},
		{`{"name": "CypherString", "data": {"value": "näive"}}`, "näive"},
		{`{"name": "CypherBytes", "data": {"value": "00 ff 10"}}`, []byte{0, 0xff, 0x10}},
		{`{"name": "CypherBytes", "data": {"value": ""}}`, []byte{}},
		{`{"name": "CypherList", "data": {"value": [{"name": "CypherInt", "data": {"value": 1}}, {"name": "CypherNull", "data": {}}]}}`, []any{int64(1), nil}},
		{`{"name": "CypherMap", "data": {"value": {"name": {"name": "CypherString", "data": {"value": "x"}}}}}`, map[string]any{"name": "x"}},
		{`{"name": "CypherPoint", "data": {"system": "cartesian", "x": 1, "y": 2.5}}`, boltrx.Point2D{X: 1, Y: 2.5, SpatialRefId: 7203}},
		{`{"name": "CypherPoint", "data": {"system": "wgs84", "x": 1, "y": 2, "z": 3}}`, boltrx.Point3D{X: 1, Y: 2, Z: 3, SpatialRefId: 4979}},
		{`{"name": "CypherDate", "data": {"year": 2024, "month": 2, "day": 29}}`, boltrx.Date(time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC))},
		{`{"name": "CypherTime", "data": {"hour": 23, "minute": 59, "second": 58, "nanosecond": 7}}`,
			boltrx.LocalTime(time.Date(1970, 1, 1, 23, 59, 58, 7, time.UTC))},
		{`{"name": "CypherDuration", "data": {"months": 1, "days": -2, "seconds": 3, "nanoseconds": 4}}`, boltrx.DurationOf(1, -2, 3, 4)},
		{`{"name": "CypherDateTime", "data": {"year": 2022, "month": 3, "day": 4, "hour": 5, "minute": 6, "second": 7, "nanosecond": 8}}`,
			boltrx.LocalDateTime(time.Date(2022, 3, 4, 5, 6, 7, 8, time.UTC))},
		// Plain JSON (custom auth parameters use it).
		{`{"a": 1, "b": 0.5, "c": [true, "x", null]}`, map[string]any{"a": int64(1), "b": 0.5, "c": []any{true, "x", nil}}},
		// A map whose key is "name" but that is no tagged value.
		{`{"name": "not a cypher class", "x": 1}`, map[string]any{"name": "not a cypher class", "x": int64(1)}},
	}
	for _, c := range cases {
		if got := fromJSON(t, c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("valueFromJSON(%s) = %#v, want %#v", c.in, got, c.want)
		}
	}

	nan := fromJSON(t, `{"name": "CypherFloat", "data": {"value": "NaN"}}`)
	if f, ok := nan.(float64); !ok || !math.IsNaN(f) {
		t.Errorf("NaN decoded as %#v", nan)
	}

	// A time with an offset keeps the wall clock and the offset.
	tm := fromJSON(t, `{"name": "CypherTime", "data": {"hour": 1, "minute": 2, "second": 3, "nanosecond": 4, "utc_offset_s": -3600}}`)
	gotTime, ok := tm.(boltrx.Time)
	if _, off := time.Time(gotTime).Zone(); !ok || off != -3600 || time.Time(gotTime).Hour() != 1 || time.Time(gotTime).Nanosecond() != 4 {
		t.Errorf("CypherTime with offset decoded as %#v", tm)
	}

	// A zoned date-time: wall clock and offset fix the instant (the
	// second 02:30 of a DST change), shown in the named zone.
	dt := fromJSON(t, `{"name": "CypherDateTime", "data": {"year": 2022, "month": 10, "day": 30, "hour": 2, "minute": 30, "second": 0,
		"nanosecond": 0, "utc_offset_s": 3600, "timezone_id": "Europe/Stockholm"}}`)
	zoned, ok := dt.(time.Time)
	want := time.Date(2022, 10, 30, 1, 30, 0, 0, time.UTC)
	if !ok || !zoned.Equal(want) || zoned.Location().String() != stockholm.String() {
		t.Errorf("zoned CypherDateTime decoded as %v, want %v in %v", dt, want, stockholm)
	}
	if _, off := zoned.Zone(); off != 3600 || zoned.Hour() != 2 {
		t.Errorf("zoned CypherDateTime: offset %d hour %d, want 3600 and 2", off, zoned.Hour())
	}

	// An offset without a zone id: a fixed zone.
	dt = fromJSON(t, `{"name": "CypherDateTime", "data": {"year": 2022, "month": 1, "day": 1, "hour": 0, "minute": 0, "second": 0,
		"nanosecond": 0, "utc_offset_s": 7200}}`)
	fixed, ok := dt.(time.Time)
	if _, off := fixed.Zone(); !ok || off != 7200 || !fixed.Equal(time.Date(2021, 12, 31, 22, 0, 0, 0, time.UTC)) {
		t.Errorf("CypherDateTime with offset decoded as %v", dt)
	}
}

func TestValuesFromJSONRejectBadInput(t *testing.T) {
	bad := []string{
		`{"name": "CypherInt", "data": {"value": 1.5}}`,
		`{"name": "CypherInt", "data": {"value": 99999999999999999999}}`,
		`{"name": "CypherFloat", "data": {"value": "lots"}}`,
		`{"name": "CypherBytes", "data": {"value": "zz"}}`,
		`{"name": "CypherPoint", "data": {"system": "mars", "x": 1, "y": 2}}`,
		`{"name": "CypherDateTime", "data": {"year": 2022, "month": 1, "day": 1, "hour": 0, "minute": 0, "second": 0, "nanosecond": 0, "utc_offset_s": 0, "timezone_id": "No/Such_Zone"}}`,
		`{"name": "CypherDateTime", "data": {"year": 2022, "month": 1, "day": 1, "hour": 0, "minute": 0, "second": 0, "nanosecond": 0, "timezone_id": "UTC"}}`,
		`{"name": "CypherUnheardOf", "data": {}}`,
		`{"name": "Node", "data": {}}`,
		`{"name": "CypherString", "data": {"value": 1}}`,
		`[1, 2`,
	}
	for _, in := range bad {
		if v, err := valueFromJSON(json.RawMessage(in), 0); !errors.Is(err, errBadValue) {
			t.Errorf("valueFromJSON(%s) = %#v, %v; want errBadValue", in, v, err)
		}
	}
}

func TestValuesFromJSONBoundNesting(t *testing.T) {
	deep := ""
	for range maxValueDepth + 2 {
		deep += `{"name": "CypherList", "data": {"value": [`
	}
	for range maxValueDepth + 2 {
		deep += `]}}`
	}
	if _, err := valueFromJSON(json.RawMessage(deep), 0); !errors.Is(err, errBadValue) {
		t.Fatalf("deep value: %v, want errBadValue", err)
	}
}

func TestParamsFromJSON(t *testing.T) {
	got, err := paramsFromJSON(json.RawMessage(`{"x": {"name": "CypherInt", "data": {"value": 1}}}`))
	if err != nil || !reflect.DeepEqual(got, map[string]any{"x": int64(1)}) {
		t.Fatalf("params = %#v, %v", got, err)
	}
	for _, empty := range []string{``, `null`} {
		if got, err := paramsFromJSON(json.RawMessage(empty)); got != nil || err != nil {
			t.Errorf("paramsFromJSON(%q) = %#v, %v", empty, got, err)
		}
	}
	if _, err := paramsFromJSON(json.RawMessage(`{"x": {"name": "CypherInt", "data": {"value": "one"}}}`)); err == nil {
		t.Error("a bad parameter was accepted")
	}
}

func TestValuesToJSON(t *testing.T) {
	cases := []struct {
		in   any
		want string
	}{
		{nil, `{"name":"CypherNull","data":{}}`},
		{true, `{"name":"CypherBool","data":{"value":true}}`},
		{int64(-3), `{"name":"CypherInt","data":{"value":-3}}`},
		{2.5, `{"name":"CypherFloat","data":{"value":2.5}}`},
		{math.NaN(), `{"name":"CypherFloat","data":{"value":"NaN"}}`},
		{math.Inf(-1), `{"name":"CypherFloat","data":{"value":"-Infinity"}}`},
		{"s", `{"name":"CypherString","data":{"value":"s"}}`},
		{[]byte{1, 0xab}, `{"name":"CypherBytes","data":{"value":"01 ab"}}`},
		{[]any{int64(1), "a"}, `{"name":"CypherList","data":{"value":[{"name":"CypherInt","data":{"value":1}},{"name":"CypherString","data":{"value":"a"}}]}}`},
		{map[string]any{"k": nil}, `{"name":"CypherMap","data":{"value":{"k":{"name":"CypherNull","data":{}}}}}`},
		{boltrx.Point2D{X: 1, Y: 2, SpatialRefId: 4326}, `{"name":"CypherPoint","data":{"system":"wgs84","x":1,"y":2}}`},
		{boltrx.Point3D{X: 1, Y: 2, Z: 3, SpatialRefId: 9157}, `{"name":"CypherPoint","data":{"system":"cartesian","x":1,"y":2,"z":3}}`},
		{boltrx.Date(time.Date(2020, 12, 31, 0, 0, 0, 0, time.UTC)), `{"name":"CypherDate","data":{"day":31,"month":12,"year":2020}}`},
		{boltrx.LocalTime(time.Date(1970, 1, 1, 1, 2, 3, 4, time.UTC)), `{"name":"CypherTime","data":{"hour":1,"minute":2,"nanosecond":4,"second":3}}`},
		{boltrx.Time(time.Date(1970, 1, 1, 1, 2, 3, 4, time.FixedZone("", -5400))),
			`{"name":"CypherTime","data":{"hour":1,"minute":2,"nanosecond":4,"second":3,"utc_offset_s":-5400}}`},
		{boltrx.LocalDateTime(time.Date(2001, 2, 3, 4, 5, 6, 7, time.UTC)),
			`{"name":"CypherDateTime","data":{"day":3,"hour":4,"minute":5,"month":2,"nanosecond":7,"second":6,"year":2001}}`},
		{time.Date(2001, 2, 3, 4, 5, 6, 7, time.FixedZone("", 3600)),
			`{"name":"CypherDateTime","data":{"day":3,"hour":4,"minute":5,"month":2,"nanosecond":7,"second":6,"utc_offset_s":3600,"year":2001}}`},
		{time.Date(2001, 2, 3, 4, 5, 6, 7, time.UTC),
			`{"name":"CypherDateTime","data":{"day":3,"hour":4,"minute":5,"month":2,"nanosecond":7,"second":6,"utc_offset_s":0,"year":2001}}`},
		{boltrx.DurationOf(1, 2, 3, 4), `{"name":"CypherDuration","data":{"days":2,"months":1,"nanoseconds":4,"seconds":3}}`},
		{boltrx.Node{Id: 1, ElementId: "e1", Labels: []string{"L"}, Props: map[string]any{"p": int64(2)}},
			`{"name":"Node","data":{"elementId":{"name":"CypherString","data":{"value":"e1"}},"id":{"name":"CypherInt","data":{"value":1}},` +
				`"labels":{"name":"CypherList","data":{"value":[{"name":"CypherString","data":{"value":"L"}}]}},` +
				`"props":{"name":"CypherMap","data":{"value":{"p":{"name":"CypherInt","data":{"value":2}}}}}}}`},
		{boltrx.NewVector[int16](1, -2), `{"name":"CypherVector","data":{"data":"00 01 ff fe","dtype":"i16"}}`},
	}
	for _, c := range cases {
		if got := toJSON(t, c.in); got != c.want {
			t.Errorf("cypherValue(%#v)\n got %s\nwant %s", c.in, got, c.want)
		}
	}

	stockholm, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		t.Skip("no time zone database:", err)
	}
	zoned := time.Date(2022, 6, 1, 12, 0, 0, 0, stockholm)
	want := `{"name":"CypherDateTime","data":{"day":1,"hour":12,"minute":0,"month":6,"nanosecond":0,"second":0,` +
		`"timezone_id":"Europe/Stockholm","utc_offset_s":7200,"year":2022}}`
	if got := toJSON(t, zoned); got != want {
		t.Errorf("zoned date-time\n got %s\nwant %s", got, want)
	}
}

func TestValuesToJSONRejectUnknownValues(t *testing.T) {
	for _, v := range []any{
		boltrx.InvalidValue{Message: "unknown zone"},
		boltrx.Point2D{SpatialRefId: 1},
		struct{}{},
		[]any{boltrx.UUID{}},
	} {
		if _, err := cypherValue(v); err == nil {
			t.Errorf("cypherValue(%#v) succeeded", v)
		}
	}
}

// Everything a testkit parameter can carry comes back out unchanged.
func TestValuesRoundTrip(t *testing.T) {
	ins := []string{
		`{"name":"CypherList","data":{"value":[{"name":"CypherInt","data":{"value":1}},{"name":"CypherFloat","data":{"value":"+Infinity"}}]}}`,
		`{"name":"CypherMap","data":{"value":{"a":{"name":"CypherBytes","data":{"value":"de ad"}}}}}`,
		`{"name":"CypherPoint","data":{"system":"wgs84","x":1.5,"y":-2,"z":0}}`,
		`{"name":"CypherDuration","data":{"days":0,"months":-1,"nanoseconds":999999999,"seconds":-7}}`,
		`{"name":"CypherTime","data":{"hour":0,"minute":0,"nanosecond":0,"second":0,"utc_offset_s":50400}}`,
		`{"name":"CypherVector","data":{"data":"3f 80 00 00 c0 00 00 00","dtype":"f32"}}`,
		`{"name":"CypherVector","data":{"data":"80 7f","dtype":"i8"}}`,
	}
	for _, in := range ins {
		if got := toJSON(t, fromJSON(t, in)); got != in {
			t.Errorf("round trip\n got %s\nwant %s", got, in)
		}
	}
}

func TestPlainJSONMakesAnyValueEncodable(t *testing.T) {
	v := plainJSON(map[string]any{
		"nan":   math.NaN(),
		"list":  []any{math.Inf(1), int64(1)},
		"point": boltrx.Point2D{X: 1, Y: 2, SpatialRefId: 7203},
		"odd":   struct{ A int }{1},
	})
	if _, err := json.Marshal(v); err != nil {
		t.Fatalf("plainJSON result does not encode: %v", err)
	}
}
