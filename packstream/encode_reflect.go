package packstream

import (
	"reflect"
	"strconv"
)

func typeOf(v any) reflect.Type { return reflect.TypeOf(v) }

// writeReflect is the slow path of WriteValue for types the type switch
// does not know: named types, typed slices, arrays and maps, pointers.
func (e *Encoder) writeReflect(v any, depth int) error {
	return e.writeReflectValue(reflect.ValueOf(v), v, depth)
}

// writeReflectValue writes rv; v is the same value as an interface, for
// error reports.
func (e *Encoder) writeReflectValue(rv reflect.Value, v any, depth int) error {
	switch rv.Kind() {
	case reflect.Invalid:
		e.WriteNull()
	case reflect.Bool:
		e.WriteBool(rv.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		e.WriteInt(rv.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return e.writeUint(rv.Uint(), v)
	case reflect.Float32, reflect.Float64:
		e.WriteFloat(rv.Float())
	case reflect.String:
		e.WriteString(rv.String())
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			e.WriteNull()
			return nil
		}
		if depth >= MaxDepth {
			return tooDeep(v)
		}
		// Structs directly, *time.Time, *Node and the like back through
		// the type switch.
		return e.writeRV(rv.Elem(), depth+1)
	case reflect.Slice:
		if rv.Type().Elem().Kind() == reflect.Uint8 {
			e.WriteBytes(rv.Bytes())
			return nil
		}
		return e.writeReflectList(rv, v, depth)
	case reflect.Array:
		if rv.Type().Elem().Kind() == reflect.Uint8 {
			// Element by element: the element type may be a named byte type.
			n := rv.Len()
			if !e.writeBytesHeader(n) {
				return e.err
			}
			for i := 0; i < n; i++ {
				e.buf = append(e.buf, byte(rv.Index(i).Uint()))
			}
			return nil
		}
		return e.writeReflectList(rv, v, depth)
	case reflect.Map:
		if rv.Type().Key().Kind() != reflect.String {
			return &EncodeError{Type: rv.Type(), Value: v, Err: ErrUnsupportedType,
				Detail: "map keys must be strings"}
		}
		if depth >= MaxDepth {
			return tooDeep(v)
		}
		e.WriteMapHeader(rv.Len())
		iter := rv.MapRange()
		for iter.Next() {
			k := iter.Key().String()
			e.WriteString(k)
			if err := e.writeRV(iter.Value(), depth+1); err != nil {
				return atKey(err, k)
			}
		}
	case reflect.Struct:
		// A Go struct (not a Bolt type: those never get here) is a map
		// of its fields (see StructFields).
		return e.writeGoStruct(rv, depth)
	default: // chan, func, complex, unsafe pointer
		return &EncodeError{Type: rv.Type(), Value: v, Err: ErrUnsupportedType,
			Detail: "a Go " + rv.Kind().String() + " has no PackStream form"}
	}
	return nil
}

func (e *Encoder) writeReflectList(rv reflect.Value, v any, depth int) error {
	if depth >= MaxDepth {
		if v == nil {
			return &EncodeError{Type: rv.Type(), Err: ErrTooDeep, Detail: "more than " + strconv.Itoa(MaxDepth) + " nested levels"}
		}
		return tooDeep(v)
	}
	n := rv.Len()
	e.WriteListHeader(n)
	for i := 0; i < n; i++ {
		if err := e.writeRV(rv.Index(i), depth+1); err != nil {
			return atIndex(err, i)
		}
	}
	return nil
}
