package boltstub

import (
	"fmt"

	"github.com/boltrx/boltrx/packstream"
)

// Vector (Bolt 6.0).

// canonVector checks and converts every element for the element type.
func canonVector(args []any) ([]any, error) {
	typ := args[0].(string)
	elems := args[1].(listValue)
	out := make(listValue, len(elems))
	for i, e := range elems {
		v, err := vectorElement(typ, e)
		if err != nil {
			return nil, fmt.Errorf("element %d of the Vector: %w", i+1, err)
		}
		out[i] = v
	}
	return []any{typ, out}, nil
}

// vectorElement converts one element: a float32 is rounded to float32
// precision, an integer must fit the type.
func vectorElement(typ string, e any) (any, error) {
	switch typ {
	case "float32":
		f, err := convFloat(e)
		if err != nil {
			return nil, err
		}
		return float64(float32(f.(float64))), nil
	case "float64":
		return convFloat(e)
	}
	n, ok := e.(int64)
	if !ok {
		return nil, fmt.Errorf("%w: want an integer", errWrongType)
	}
	bits := map[string]int{"int8": 8, "int16": 16, "int32": 32, "int64": 64}[typ]
	if bits < 64 && (n < -(1<<(bits-1)) || n >= 1<<(bits-1)) {
		return nil, fmt.Errorf("%d does not fit %s", n, typ)
	}
	return n, nil
}

// vectorGoValue builds the packstream.Vector of the element type.
func vectorGoValue(args []any) (any, error) {
	elems := args[1].(listValue)
	switch args[0].(string) {
	case "int8":
		return packstream.Vector[int8]{Elems: convertElems(elems, func(v any) int8 { return int8(v.(int64)) })}, nil
	case "int16":
		return packstream.Vector[int16]{Elems: convertElems(elems, func(v any) int16 { return int16(v.(int64)) })}, nil
	case "int32":
		return packstream.Vector[int32]{Elems: convertElems(elems, func(v any) int32 { return int32(v.(int64)) })}, nil
	case "int64":
		return packstream.Vector[int64]{Elems: convertElems(elems, func(v any) int64 { return v.(int64) })}, nil
	case "float32":
		return packstream.Vector[float32]{Elems: convertElems(elems, func(v any) float32 { return float32(v.(float64)) })}, nil
	default:
		return packstream.Vector[float64]{Elems: convertElems(elems, func(v any) float64 { return v.(float64) })}, nil
	}
}

// convertElems converts the elements of a list.
func convertElems[T any](elems listValue, f func(any) T) []T {
	out := make([]T, len(elems))
	for i, e := range elems {
		out[i] = f(e)
	}
	return out
}

// vectorArgs gives the canonical arguments of a decoded vector.
func vectorArgs(v any) ([]any, bool) {
	switch v := v.(type) {
	case packstream.Vector[int8]:
		return []any{"int8", listOf(v.Elems, func(e int8) any { return int64(e) })}, true
	case packstream.Vector[int16]:
		return []any{"int16", listOf(v.Elems, func(e int16) any { return int64(e) })}, true
	case packstream.Vector[int32]:
		return []any{"int32", listOf(v.Elems, func(e int32) any { return int64(e) })}, true
	case packstream.Vector[int64]:
		return []any{"int64", listOf(v.Elems, func(e int64) any { return e })}, true
	case packstream.Vector[float32]:
		return []any{"float32", listOf(v.Elems, func(e float32) any { return float64(e) })}, true
	case packstream.Vector[float64]:
		return []any{"float64", listOf(v.Elems, func(e float64) any { return e })}, true
	}
	return nil, false
}

// listOf converts typed elements into a listValue.
func listOf[T any](elems []T, f func(T) any) listValue {
	out := make(listValue, len(elems))
	for i, e := range elems {
		out[i] = f(e)
	}
	return out
}
