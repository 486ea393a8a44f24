package packstream

import (
	"math"
	"reflect"
	"strconv"
	"time"
)

// WriteValue writes any supported Go value:
//
//   - nil, bool, string, []byte, float32, float64;
//   - every integer kind; unsigned values over math.MaxInt64 fail with
//     ErrInvalidValue;
//   - []any, map[string]any and, through reflection, any other slice,
//     array or map with string keys whose elements are supported (a byte
//     slice or byte array is written as bytes); nil slices and maps are
//     written as empty ones;
//   - pointers and interfaces: nil is written as null, otherwise what they
//     point to;
//   - named types (type Age int) as their underlying kind;
//   - the Bolt types of this package: Node, Relationship, Path, Date,
//     Time, LocalTime, LocalDateTime, Duration, Point2D, Point3D, Vector,
//     UUID and UnsupportedType;
//   - time.Time as a DateTime: a time whose Location has an IANA zone name
//     (from time.LoadLocation) as a DateTimeZoneId, every other time (UTC,
//     time.Local, fixed zones) as a DateTime with the UTC offset in effect
//     at that instant. The Dialect decides between the UTC and legacy
//     structures;
//   - time.Duration as a Bolt Duration of seconds and nanoseconds;
//   - other Go structs (and pointers to them) as maps of their fields, by
//     the rules of StructFields: the `neo4j:"name,omitempty"` tag,
//     exported fields only, embedded structs flattened as encoding/json
//     does. The reflection work is done once per struct type.
//
// Channels, functions, complex numbers and maps with non-string keys fail
// with ErrUnsupportedType (`$person.Pets[2].Feed` names a struct field); Vector, UUID
// and UnsupportedType fail with ErrNotInDialect when the Dialect lacks
// them. The error is an *EncodeError whose Path names the offending
// element, e.g. `["x"][2]`. After an error the buffer holds a partial
// value: Reset before reuse. WriteValue also returns an error kept from an
// earlier Write (see Err). Values nested deeper than MaxDepth (e.g. a
// map that contains itself) fail with ErrTooDeep.
//
// The common types (the scalars, []any, map[string]any, []string, []int64,
// []float64, map[string]string and the Bolt types) are written without
// reflection and without allocating.
func (e *Encoder) WriteValue(v any) error {
	if err := e.writeValue(v, 0); err != nil {
		e.setErr(err)
		return err
	}
	return e.err
}

// WriteParams writes a map of query parameters. An error names the
// parameter, e.g. `$ids[3]`.
func (e *Encoder) WriteParams(params map[string]any) error {
	e.WriteMapHeader(len(params))
	for k, v := range params {
		e.WriteString(k)
		if err := e.writeValue(v, 1); err != nil {
			err = atParam(err, k)
			e.setErr(err)
			return err
		}
	}
	return e.err
}

// writeValue writes v at nesting depth depth.
func (e *Encoder) writeValue(v any, depth int) error {
	switch x := v.(type) {
	case nil:
		e.WriteNull()
	case bool:
		e.WriteBool(x)
	case int:
		e.WriteInt(int64(x))
	case int64:
		e.WriteInt(x)
	case int32, int16, int8:
		e.WriteInt(reflect.ValueOf(x).Int())
	case uint32, uint16, uint8:
		e.WriteInt(int64(reflect.ValueOf(x).Uint()))
	case uint:
		return e.writeUint(uint64(x), v)
	case uint64:
		return e.writeUint(x, v)
	case float64:
		e.WriteFloat(x)
	case float32:
		e.WriteFloat(float64(x))
	case string:
		e.WriteString(x)
	case []byte:
		e.WriteBytes(x)
	case []any:
		return writeList(e, x, depth)
	case map[string]any:
		return e.writeMap(x, depth)
	case []string:
		e.WriteListHeader(len(x))
		for _, s := range x {
			e.WriteString(s)
		}
	case []int64:
		e.WriteListHeader(len(x))
		for _, i := range x {
			e.WriteInt(i)
		}
	case []int:
		e.WriteListHeader(len(x))
		for _, i := range x {
			e.WriteInt(int64(i))
		}
	case []float64:
		e.WriteListHeader(len(x))
		for _, f := range x {
			e.WriteFloat(f)
		}
	case []map[string]any:
		return writeList(e, x, depth)
	case map[string]string:
		e.WriteMapHeader(len(x))
		for k, s := range x {
			e.WriteString(k)
			e.WriteString(s)
		}
	case time.Time:
		e.writeDateTime(x)
	case time.Duration:
		e.writeDuration(durationFromGo(x))
	default:
		return e.writeOther(v, depth)
	}
	return nil
}

// writeList writes a list of values at depth.
func writeList[T any](e *Encoder, list []T, depth int) error {
	if depth >= MaxDepth {
		return tooDeep(list)
	}
	e.WriteListHeader(len(list))
	for i, item := range list {
		if err := e.writeValue(item, depth+1); err != nil {
			return atIndex(err, i)
		}
	}
	return nil
}

// writeOther writes the Bolt types and, failing those, uses reflection.
func (e *Encoder) writeOther(v any, depth int) error {
	switch x := v.(type) {
	case Node:
		return e.writeNode(x, depth)
	case Relationship:
		return e.writeRelationship(x, depth)
	case Path:
		return e.writePath(x, depth)
	case Date:
		e.writeDate(x)
	case Time:
		e.writeTime(x)
	case LocalTime:
		e.writeLocalTime(x)
	case LocalDateTime:
		e.writeLocalDateTime(x)
	case Duration:
		e.writeDuration(x)
	case Point2D:
		e.WriteStructHeader(tagPoint2D, 3)
		e.WriteInt(int64(x.SpatialRefId))
		e.WriteFloat(x.X)
		e.WriteFloat(x.Y)
	case Point3D:
		e.WriteStructHeader(tagPoint3D, 4)
		e.WriteInt(int64(x.SpatialRefId))
		e.WriteFloat(x.X)
		e.WriteFloat(x.Y)
		e.WriteFloat(x.Z)
	case UUID:
		if !e.Dialect.UUIDs {
			return notInDialect(v, "UUID needs Bolt 6.1")
		}
		e.WriteUUID(x)
	case UnsupportedType:
		return e.writeUnsupportedType(x)
	case vectorWriter:
		return x.writeTo(e)
	case InvalidValue:
		return &EncodeError{Type: typeOf(v), Value: v, Err: ErrInvalidValue, Detail: "an InvalidValue cannot be sent"}
	default:
		return e.writeReflect(v, depth)
	}
	return nil
}

func (e *Encoder) writeUint(u uint64, v any) error {
	if u > math.MaxInt64 {
		return &EncodeError{Type: typeOf(v), Value: v, Err: ErrInvalidValue,
			Detail: strconv.FormatUint(u, 10) + " overflows a 64-bit signed integer"}
	}
	e.WriteInt(int64(u))
	return nil
}

// Path building for errors: each level prepends its step on the way out,
// so nothing is spent on paths unless an error happens.

func withPath(err error, step string) error {
	if ee, ok := err.(*EncodeError); ok {
		ee.Path = step + ee.Path
	}
	return err
}

func atIndex(err error, i int) error { return withPath(err, "["+strconv.Itoa(i)+"]") }

func atKey(err error, k string) error { return withPath(err, "["+strconv.Quote(k)+"]") }

func atParam(err error, name string) error { return withPath(err, "$"+name) }

func tooDeep(v any) error {
	return &EncodeError{Type: typeOf(v), Value: v, Err: ErrTooDeep,
		Detail: "more than " + strconv.Itoa(MaxDepth) + " nested levels (a value that contains itself?)"}
}

func notInDialect(v any, detail string) error {
	return &EncodeError{Type: typeOf(v), Value: v, Err: ErrNotInDialect, Detail: detail}
}
