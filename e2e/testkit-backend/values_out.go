package main

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/boltrx/boltrx"
)

// tagged is testkit's encoding of a value sent to the frontend: a class
// name of nutkit/protocol and its fields.
type tagged struct {
	Name string `json:"name"`
	Data any    `json:"data"`
}

// valueOf wraps a scalar as {"name": name, "data": {"value": v}}.
func valueOf(name string, v any) tagged {
	return tagged{Name: name, Data: map[string]any{"value": v}}
}

// cypherNull is CypherNull, reused.
var cypherNull = tagged{Name: "CypherNull", Data: map[string]any{}}

// cypherValue converts a value of a record, a summary or an error's
// diagnostic record to testkit's encoding. Values testkit has no class for
// (a value the driver could not decode, a UUID) are errors.
func cypherValue(v any) (tagged, error) {
	switch x := v.(type) {
	case nil:
		return cypherNull, nil
	case bool:
		return valueOf("CypherBool", x), nil
	case int64:
		return valueOf("CypherInt", x), nil
	case int:
		return valueOf("CypherInt", int64(x)), nil
	case float64:
		return valueOf("CypherFloat", jsonFloat(x)), nil
	case float32:
		return valueOf("CypherFloat", jsonFloat(float64(x))), nil
	case string:
		return valueOf("CypherString", x), nil
	case []byte:
		return valueOf("CypherBytes", spacedHex(x)), nil
	case []any:
		return listValue(x)
	case []string:
		list := make([]any, len(x))
		for i, s := range x {
			list[i] = s
		}
		return listValue(list)
	case map[string]any:
		m, err := cypherMap(x)
		if err != nil {
			return tagged{}, err
		}
		return valueOf("CypherMap", m), nil
	case boltrx.Node:
		return nodeValue(x)
	case boltrx.Relationship:
		return relationshipValue(x)
	case boltrx.Path:
		return pathValue(x)
	case boltrx.Point2D:
		return pointValue(x.SpatialRefId, x.X, x.Y, nil)
	case boltrx.Point3D:
		z := x.Z
		return pointValue(x.SpatialRefId, x.X, x.Y, &z)
	case boltrx.Date:
		t := time.Time(x)
		return tagged{Name: "CypherDate", Data: map[string]any{"year": t.Year(), "month": int(t.Month()), "day": t.Day()}}, nil
	case boltrx.LocalTime:
		return tagged{Name: "CypherTime", Data: clockOf(time.Time(x))}, nil
	case boltrx.Time:
		t := time.Time(x)
		d := clockOf(t)
		_, offset := t.Zone()
		d["utc_offset_s"] = offset
		return tagged{Name: "CypherTime", Data: d}, nil
	case boltrx.LocalDateTime:
		return tagged{Name: "CypherDateTime", Data: dateTimeOf(time.Time(x))}, nil
	case time.Time:
		return zonedDateTimeValue(x), nil
	case boltrx.Duration:
		return tagged{Name: "CypherDuration", Data: map[string]any{
			"months": x.Months, "days": x.Days, "seconds": x.Seconds, "nanoseconds": x.Nanos,
		}}, nil
	case boltrx.InvalidValue:
		return tagged{}, fmt.Errorf("the driver could not represent a value: %s", x.Message)
	case boltrx.AnyVector:
		return vectorValue(x)
	}
	return tagged{}, fmt.Errorf("no testkit encoding for a %T", v)
}

// jsonFloat returns f, or testkit's string for a value JSON cannot carry.
func jsonFloat(f float64) any {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "+Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	return f
}

// spacedHex formats bytes the way testkit writes CypherBytes: "ff 01".
func spacedHex(b []byte) string {
	parts := make([]string, len(b))
	for i, c := range b {
		parts[i] = hex.EncodeToString([]byte{c})
	}
	return strings.Join(parts, " ")
}

func listValue(list []any) (tagged, error) {
	out := make([]tagged, len(list))
	for i, e := range list {
		c, err := cypherValue(e)
		if err != nil {
			return tagged{}, err
		}
		out[i] = c
	}
	return valueOf("CypherList", out), nil
}

// cypherMap converts the values of a map; the keys stay plain strings.
func cypherMap(m map[string]any) (map[string]tagged, error) {
	out := make(map[string]tagged, len(m))
	for k, e := range m {
		c, err := cypherValue(e)
		if err != nil {
			return nil, fmt.Errorf("%q: %w", k, err)
		}
		out[k] = c
	}
	return out, nil
}

func stringList(s []string) tagged {
	out := make([]tagged, len(s))
	for i, e := range s {
		out[i] = valueOf("CypherString", e)
	}
	return valueOf("CypherList", out)
}

func nodeValue(n boltrx.Node) (tagged, error) {
	props, err := cypherMap(n.Props)
	if err != nil {
		return tagged{}, err
	}
	return tagged{Name: "Node", Data: map[string]any{
		"id":        valueOf("CypherInt", n.Id),
		"elementId": valueOf("CypherString", n.ElementId),
		"labels":    stringList(n.Labels),
		"props":     valueOf("CypherMap", props),
	}}, nil
}

func relationshipValue(r boltrx.Relationship) (tagged, error) {
	props, err := cypherMap(r.Props)
	if err != nil {
		return tagged{}, err
	}
	return tagged{Name: "Relationship", Data: map[string]any{
		"id":                 valueOf("CypherInt", r.Id),
		"elementId":          valueOf("CypherString", r.ElementId),
		"startNodeId":        valueOf("CypherInt", r.StartId),
		"startNodeElementId": valueOf("CypherString", r.StartElementId),
		"endNodeId":          valueOf("CypherInt", r.EndId),
		"endNodeElementId":   valueOf("CypherString", r.EndElementId),
		"type":               valueOf("CypherString", r.Type),
		"props":              valueOf("CypherMap", props),
	}}, nil
}

func pathValue(p boltrx.Path) (tagged, error) {
	nodes := make([]tagged, len(p.Nodes))
	for i, n := range p.Nodes {
		c, err := nodeValue(n)
		if err != nil {
			return tagged{}, err
		}
		nodes[i] = c
	}
	rels := make([]tagged, len(p.Relationships))
	for i, r := range p.Relationships {
		c, err := relationshipValue(r)
		if err != nil {
			return tagged{}, err
		}
		rels[i] = c
	}
	return tagged{Name: "Path", Data: map[string]any{
		"nodes":         valueOf("CypherList", nodes),
		"relationships": valueOf("CypherList", rels),
	}}, nil
}

func pointValue(srid uint32, x, y float64, z *float64) (tagged, error) {
	var system string
	switch srid {
	case sridCartesian2D, sridCartesian3D:
		system = "cartesian"
	case sridWGS842D, sridWGS843D:
		system = "wgs84"
	default:
		return tagged{}, fmt.Errorf("no testkit coordinate system for SRID %d", srid)
	}
	d := map[string]any{"system": system, "x": jsonFloat(x), "y": jsonFloat(y)}
	if z != nil {
		d["z"] = jsonFloat(*z)
	}
	return tagged{Name: "CypherPoint", Data: d}, nil
}

func clockOf(t time.Time) map[string]any {
	return map[string]any{"hour": t.Hour(), "minute": t.Minute(), "second": t.Second(), "nanosecond": t.Nanosecond()}
}

func dateTimeOf(t time.Time) map[string]any {
	d := clockOf(t)
	d["year"], d["month"], d["day"] = t.Year(), int(t.Month()), t.Day()
	return d
}

// zonedDateTimeValue encodes a DateTime. The driver decodes a DateTime
// with an offset into a fixed zone without a name (UTC for offset 0) and
// a DateTimeZoneId into the named zone: a named location other than UTC
// therefore carries a timezone_id.
func zonedDateTimeValue(t time.Time) tagged {
	d := dateTimeOf(t)
	_, offset := t.Zone()
	d["utc_offset_s"] = offset
	if name := t.Location().String(); name != "" && name != "UTC" && t.Location() != time.UTC {
		d["timezone_id"] = name
	}
	return tagged{Name: "CypherDateTime", Data: d}
}

// vectorValue encodes a vector as CypherVector: its element type ("i8",
// ..., "f64") and its elements as big-endian bytes in spaced hex, as on
// the wire. UNVERIFIED: the testkit snapshot this backend was written
// against has no vector type; the shape follows newer testkit releases.
func vectorValue(v boltrx.AnyVector) (tagged, error) {
	var buf []byte
	var dtype string
	switch x := v.(type) {
	case boltrx.Vector[int8]:
		dtype = "i8"
		for _, e := range x.Elems {
			buf = append(buf, byte(e))
		}
	case boltrx.Vector[int16]:
		dtype = "i16"
		for _, e := range x.Elems {
			buf = binary.BigEndian.AppendUint16(buf, uint16(e))
		}
	case boltrx.Vector[int32]:
		dtype = "i32"
		for _, e := range x.Elems {
			buf = binary.BigEndian.AppendUint32(buf, uint32(e))
		}
	case boltrx.Vector[int64]:
		dtype = "i64"
		for _, e := range x.Elems {
			buf = binary.BigEndian.AppendUint64(buf, uint64(e))
		}
	case boltrx.Vector[float32]:
		dtype = "f32"
		for _, e := range x.Elems {
			buf = binary.BigEndian.AppendUint32(buf, math.Float32bits(e))
		}
	case boltrx.Vector[float64]:
		dtype = "f64"
		for _, e := range x.Elems {
			buf = binary.BigEndian.AppendUint64(buf, math.Float64bits(e))
		}
	default:
		return tagged{}, fmt.Errorf("no testkit encoding for a %T", v)
	}
	return tagged{Name: "CypherVector", Data: map[string]any{
		"dtype": dtype,
		"data":  spacedHex(buf),
	}}, nil
}

// plainJSON makes an arbitrary value (plan arguments, ...) safe for
// encoding/json: NaN and infinities become testkit's strings, byte slices
// hex, and structured driver values their Cypher encoding.
func plainJSON(v any) any {
	switch x := v.(type) {
	case float64:
		return jsonFloat(x)
	case float32:
		return jsonFloat(float64(x))
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = plainJSON(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = plainJSON(e)
		}
		return out
	case nil, bool, string, int, int64, []string:
		return x
	}
	if c, err := cypherValue(v); err == nil {
		return c
	}
	return fmt.Sprint(v)
}
