package main

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/boltrx/boltrx"
)

// errBadValue reports a Cypher value in testkit's JSON encoding that the
// backend cannot turn into a Go value.
var errBadValue = errors.New("bad Cypher value")

// maxValueDepth bounds the nesting of lists and maps in a value.
const maxValueDepth = 100

// Spatial reference ids of the two coordinate systems testkit names.
const (
	sridCartesian2D = 7203
	sridCartesian3D = 9157
	sridWGS842D     = 4326
	sridWGS843D     = 4979
)

// taggedValue is testkit's encoding of a Cypher value: the class name in
// nutkit/protocol/cypher.py and its fields.
type taggedValue struct {
	Name string          `json:"name"`
	Data json.RawMessage `json:"data"`
}

// decodeJSON unmarshals raw into v keeping integers exact (json.Number).
func decodeJSON(raw json.RawMessage, v any) error {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	return d.Decode(v)
}

// paramsFromJSON turns a map of testkit Cypher values (query parameters,
// transaction metadata) into Go values. A missing or null map is nil.
func paramsFromJSON(raw json.RawMessage) (map[string]any, error) {
	if isNull(raw) {
		return nil, nil
	}
	var fields map[string]json.RawMessage
	if err := decodeJSON(raw, &fields); err != nil {
		return nil, fmt.Errorf("%w: parameters are not a JSON object: %w", errBadValue, err)
	}
	out := make(map[string]any, len(fields))
	for k, v := range fields {
		x, err := valueFromJSON(v, 1)
		if err != nil {
			return nil, fmt.Errorf("parameter %q: %w", k, err)
		}
		out[k] = x
	}
	return out, nil
}

// isNull reports an absent or JSON null field.
func isNull(raw json.RawMessage) bool {
	s := bytes.TrimSpace(raw)
	return len(s) == 0 || string(s) == "null"
}

// valueFromJSON converts one value. Tagged Cypher values ({"name":
// "CypherInt", "data": {...}}) are decoded by their type; plain JSON
// (which testkit uses in a few places, e.g. custom auth parameters) is
// accepted too: numbers without fraction or exponent become int64, others
// float64.
func valueFromJSON(raw json.RawMessage, depth int) (any, error) {
	if depth > maxValueDepth {
		return nil, fmt.Errorf("%w: nested deeper than %d", errBadValue, maxValueDepth)
	}
	s := bytes.TrimSpace(raw)
	if len(s) == 0 || string(s) == "null" {
		return nil, nil
	}
	if s[0] == '{' {
		var tv taggedValue
		if err := decodeJSON(s, &tv); err == nil && tv.Name != "" && isCypherTag(tv.Name) {
			return taggedFromJSON(tv, depth)
		}
	}
	var plain any
	if err := decodeJSON(s, &plain); err != nil {
		return nil, fmt.Errorf("%w: %w", errBadValue, err)
	}
	return plainValue(plain, depth)
}

// isCypherTag reports whether name is one of testkit's Cypher classes.
func isCypherTag(name string) bool {
	switch name {
	case "Node", "Relationship", "Path":
		return true
	}
	return strings.HasPrefix(name, "Cypher")
}

// plainValue converts a value decoded from plain JSON.
func plainValue(v any, depth int) (any, error) {
	if depth > maxValueDepth {
		return nil, fmt.Errorf("%w: nested deeper than %d", errBadValue, maxValueDepth)
	}
	switch x := v.(type) {
	case json.Number:
		return numberValue(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			c, err := plainValue(e, depth+1)
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			c, err := plainValue(e, depth+1)
			if err != nil {
				return nil, err
			}
			out[k] = c
		}
		return out, nil
	}
	return v, nil // nil, bool, string
}

// numberValue returns an integral JSON number as int64, others as float64.
func numberValue(n json.Number) (any, error) {
	if !strings.ContainsAny(n.String(), ".eE") {
		if i, err := n.Int64(); err == nil {
			return i, nil
		}
	}
	f, err := n.Float64()
	if err != nil {
		return nil, fmt.Errorf("%w: number %s: %w", errBadValue, n, err)
	}
	return f, nil
}

// taggedFromJSON converts a tagged Cypher value.
func taggedFromJSON(tv taggedValue, depth int) (any, error) {
	if isNull(tv.Data) {
		tv.Data = json.RawMessage("{}")
	}
	switch tv.Name {
	case "CypherNull":
		return nil, nil
	case "CypherBool":
		var d struct{ Value bool }
		return d.Value, decodeData(tv, &d)
	case "CypherInt":
		var d struct{ Value json.Number }
		if err := decodeData(tv, &d); err != nil {
			return nil, err
		}
		i, err := d.Value.Int64()
		if err != nil {
			return nil, fmt.Errorf("%w: CypherInt %s: %w", errBadValue, d.Value, err)
		}
		return i, nil
	case "CypherFloat":
		return floatFromJSON(tv)
	case "CypherString":
		var d struct{ Value string }
		return d.Value, decodeData(tv, &d)
	case "CypherBytes":
		return bytesFromJSON(tv)
	case "CypherList":
		var d struct{ Value []json.RawMessage }
		if err := decodeData(tv, &d); err != nil {
			return nil, err
		}
		out := make([]any, len(d.Value))
		for i, e := range d.Value {
			v, err := valueFromJSON(e, depth+1)
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
			out[i] = v
		}
		return out, nil
	case "CypherMap":
		var d struct{ Value map[string]json.RawMessage }
		if err := decodeData(tv, &d); err != nil {
			return nil, err
		}
		out := make(map[string]any, len(d.Value))
		for k, e := range d.Value {
			v, err := valueFromJSON(e, depth+1)
			if err != nil {
				return nil, fmt.Errorf("[%q]: %w", k, err)
			}
			out[k] = v
		}
		return out, nil
	case "CypherPoint":
		return pointFromJSON(tv)
	case "CypherDate":
		var d struct{ Year, Month, Day int }
		if err := decodeData(tv, &d); err != nil {
			return nil, err
		}
		return boltrx.Date(time.Date(d.Year, time.Month(d.Month), d.Day, 0, 0, 0, 0, time.UTC)), nil
	case "CypherTime":
		return timeFromJSON(tv)
	case "CypherDateTime":
		return dateTimeFromJSON(tv)
	case "CypherDuration":
		var d struct{ Months, Days, Seconds, Nanoseconds int64 }
		if err := decodeData(tv, &d); err != nil {
			return nil, err
		}
		return boltrx.DurationOf(d.Months, d.Days, d.Seconds, int(d.Nanoseconds)), nil
	case "CypherVector":
		return vectorFromJSON(tv)
	}
	return nil, fmt.Errorf("%w: %s cannot be sent as a parameter", errBadValue, tv.Name)
}

// decodeData unmarshals a tagged value's fields.
func decodeData(tv taggedValue, v any) error {
	if err := decodeJSON(tv.Data, v); err != nil {
		return fmt.Errorf("%w: %s: %w", errBadValue, tv.Name, err)
	}
	return nil
}

// floatFromJSON decodes CypherFloat, whose value is a number or one of
// the strings "NaN", "+Infinity" and "-Infinity".
func floatFromJSON(tv taggedValue) (any, error) {
	var d struct{ Value any }
	if err := decodeData(tv, &d); err != nil {
		return nil, err
	}
	switch v := d.Value.(type) {
	case json.Number:
		f, err := v.Float64()
		if err != nil {
			return nil, fmt.Errorf("%w: CypherFloat %s: %w", errBadValue, v, err)
		}
		return f, nil
	case string:
		switch v {
		case "NaN":
			return math.NaN(), nil
		case "+Infinity", "Infinity":
			return math.Inf(1), nil
		case "-Infinity":
			return math.Inf(-1), nil
		}
	}
	return nil, fmt.Errorf("%w: CypherFloat value %v", errBadValue, d.Value)
}

// bytesFromJSON decodes CypherBytes, whose value is hex bytes separated
// by spaces ("ff 01"), or a list of numbers.
func bytesFromJSON(tv taggedValue) (any, error) {
	var d struct{ Value any }
	if err := decodeData(tv, &d); err != nil {
		return nil, err
	}
	switch v := d.Value.(type) {
	case string:
		b, err := hex.DecodeString(strings.ReplaceAll(v, " ", ""))
		if err != nil {
			return nil, fmt.Errorf("%w: CypherBytes %q: %w", errBadValue, v, err)
		}
		return b, nil
	case []any:
		b := make([]byte, len(v))
		for i, e := range v {
			n, ok := e.(json.Number)
			x, err := n.Int64()
			if !ok || err != nil || x < 0 || x > 255 {
				return nil, fmt.Errorf("%w: CypherBytes element %v", errBadValue, e)
			}
			b[i] = byte(x)
		}
		return b, nil
	}
	return nil, fmt.Errorf("%w: CypherBytes value %v", errBadValue, d.Value)
}

// pointFromJSON decodes CypherPoint.
func pointFromJSON(tv taggedValue) (any, error) {
	var d struct {
		System string
		X, Y   float64
		Z      *float64
	}
	if err := decodeData(tv, &d); err != nil {
		return nil, err
	}
	var srid2, srid3 uint32
	switch d.System {
	case "cartesian":
		srid2, srid3 = sridCartesian2D, sridCartesian3D
	case "wgs84":
		srid2, srid3 = sridWGS842D, sridWGS843D
	default:
		return nil, fmt.Errorf("%w: CypherPoint system %q", errBadValue, d.System)
	}
	if d.Z == nil {
		return boltrx.Point2D{X: d.X, Y: d.Y, SpatialRefId: srid2}, nil
	}
	return boltrx.Point3D{X: d.X, Y: d.Y, Z: *d.Z, SpatialRefId: srid3}, nil
}

// clockFields are the time-of-day fields of CypherTime and CypherDateTime.
type clockFields struct {
	Hour, Minute, Second, Nanosecond int
	UTCOffset                        *int    `json:"utc_offset_s"`
	TimezoneID                       *string `json:"timezone_id"`
}

// timeFromJSON decodes CypherTime: a Time with an offset, or a LocalTime.
func timeFromJSON(tv taggedValue) (any, error) {
	var d clockFields
	if err := decodeData(tv, &d); err != nil {
		return nil, err
	}
	if d.UTCOffset == nil {
		return boltrx.LocalTime(time.Date(1970, 1, 1, d.Hour, d.Minute, d.Second, d.Nanosecond, time.UTC)), nil
	}
	zone := time.FixedZone("", *d.UTCOffset)
	return boltrx.Time(time.Date(1970, 1, 1, d.Hour, d.Minute, d.Second, d.Nanosecond, zone)), nil
}

// dateTimeFromJSON decodes CypherDateTime: a LocalDateTime without
// offset, a time.Time in a fixed zone with an offset only, and a
// time.Time in the named zone with a zone id. The wall clock and the
// offset together fix the instant, which is then shown in the zone.
func dateTimeFromJSON(tv taggedValue) (any, error) {
	var d struct {
		Year, Month, Day int
		clockFields
	}
	if err := decodeData(tv, &d); err != nil {
		return nil, err
	}
	if d.UTCOffset == nil {
		if d.TimezoneID != nil {
			return nil, fmt.Errorf("%w: CypherDateTime with timezone_id %q but no utc_offset_s", errBadValue, *d.TimezoneID)
		}
		return boltrx.LocalDateTime(time.Date(d.Year, time.Month(d.Month), d.Day, d.Hour, d.Minute, d.Second, d.Nanosecond, time.UTC)), nil
	}
	offset := *d.UTCOffset
	wall := time.Date(d.Year, time.Month(d.Month), d.Day, d.Hour, d.Minute, d.Second, d.Nanosecond, time.UTC)
	instant := wall.Add(-time.Duration(offset) * time.Second)
	if d.TimezoneID == nil {
		return instant.In(time.FixedZone("", offset)), nil
	}
	loc, err := time.LoadLocation(*d.TimezoneID)
	if err != nil {
		return nil, fmt.Errorf("%w: CypherDateTime time zone %q: %w", errBadValue, *d.TimezoneID, err)
	}
	return instant.In(loc), nil
}

// vectorFromJSON decodes CypherVector: an element type ("i8", ..., "f64")
// and the elements as big-endian bytes in spaced hex (see vectorValue;
// UNVERIFIED against testkit, whose snapshot here has no vectors).
func vectorFromJSON(tv taggedValue) (any, error) {
	var d struct {
		DType string
		Data  string
	}
	if err := decodeData(tv, &d); err != nil {
		return nil, err
	}
	b, err := hex.DecodeString(strings.ReplaceAll(d.Data, " ", ""))
	if err != nil {
		return nil, fmt.Errorf("%w: CypherVector data: %w", errBadValue, err)
	}
	size := map[string]int{"i8": 1, "i16": 2, "i32": 4, "i64": 8, "f32": 4, "f64": 8}[d.DType]
	if size == 0 || len(b)%size != 0 {
		return nil, fmt.Errorf("%w: CypherVector of %q with %d bytes", errBadValue, d.DType, len(b))
	}
	n := len(b) / size
	switch d.DType {
	case "i8":
		v := make([]int8, n)
		for i := range v {
			v[i] = int8(b[i])
		}
		return boltrx.NewVector(v...), nil
	case "i16":
		v := make([]int16, n)
		for i := range v {
			v[i] = int16(binary.BigEndian.Uint16(b[2*i:]))
		}
		return boltrx.NewVector(v...), nil
	case "i32":
		v := make([]int32, n)
		for i := range v {
			v[i] = int32(binary.BigEndian.Uint32(b[4*i:]))
		}
		return boltrx.NewVector(v...), nil
	case "i64":
		v := make([]int64, n)
		for i := range v {
			v[i] = int64(binary.BigEndian.Uint64(b[8*i:]))
		}
		return boltrx.NewVector(v...), nil
	case "f32":
		v := make([]float32, n)
		for i := range v {
			v[i] = math.Float32frombits(binary.BigEndian.Uint32(b[4*i:]))
		}
		return boltrx.NewVector(v...), nil
	}
	v := make([]float64, n)
	for i := range v {
		v[i] = math.Float64frombits(binary.BigEndian.Uint64(b[8*i:]))
	}
	return boltrx.NewVector(v...), nil
}
