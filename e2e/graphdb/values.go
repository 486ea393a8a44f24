package graphdb

import (
	"math"
	"slices"
)

// nodeRef is a node bound to a query variable. Properties are looked up in
// the transaction's view when they are read, so a binding always reflects
// the writes made earlier in the same query.
type nodeRef int64

// relRef is a relationship bound to a query variable.
type relRef int64

// pathRef is a path bound to a query variable: nodes[i] -rels[i]- nodes[i+1].
type pathRef struct {
	nodes []int64
	rels  []int64
}

// canonical returns v with Go integer and float kinds converted to the
// PackStream forms (int64, float64). Containers are copied only when one of
// their elements changes; other values are returned as they are.
func canonical(v any) any {
	c, _ := canon(v)
	return c
}

// canon is canonical that also reports whether anything changed.
func canon(v any) (any, bool) {
	switch x := v.(type) {
	case nil, bool, int64, float64, string, []byte:
		return v, false
	case int:
		return int64(x), true
	case int8:
		return int64(x), true
	case int16:
		return int64(x), true
	case int32:
		return int64(x), true
	case uint8:
		return int64(x), true
	case uint16:
		return int64(x), true
	case uint32:
		return int64(x), true
	case uint:
		return canon(uint64(x))
	case uint64:
		if x <= math.MaxInt64 {
			return int64(x), true
		}
		return float64(x), true
	case float32:
		return float64(x), true
	case []any:
		var out []any
		for i, e := range x {
			if c, changed := canon(e); changed {
				if out == nil {
					out = slices.Clone(x)
				}
				out[i] = c
			}
		}
		if out == nil {
			return x, false
		}
		return out, true
	case []string:
		return listOf(x, func(s string) any { return s }), true
	case []int64:
		return listOf(x, func(n int64) any { return n }), true
	case []int:
		return listOf(x, func(n int) any { return int64(n) }), true
	case []float64:
		return listOf(x, func(f float64) any { return f }), true
	case map[string]any:
		var out map[string]any
		for k, e := range x {
			if c, changed := canon(e); changed {
				if out == nil {
					out = make(map[string]any, len(x))
					for k2, e2 := range x {
						out[k2] = e2
					}
				}
				out[k] = c
			}
		}
		if out == nil {
			return x, false
		}
		return out, true
	default:
		return v, false
	}
}

func listOf[T any](in []T, conv func(T) any) []any {
	out := make([]any, len(in))
	for i, e := range in {
		out[i] = conv(e)
	}
	return out
}

// storableProperty checks that v may be stored as a property value (a
// scalar or a homogeneous list of scalars) and returns the copy to store.
func storableProperty(key string, v any) (any, *Error) {
	switch x := v.(type) {
	case bool, int64, float64, string:
		return v, nil
	case []byte:
		return slices.Clone(x), nil
	case []any:
		out := make([]any, len(x))
		kind := ""
		for i, e := range x {
			k := scalarKind(e)
			if k == "" {
				return nil, typeError("Property values can only be of primitive types or arrays thereof. Encountered: %s in property %q", describe(e), key)
			}
			if kind != "" && k != kind {
				return nil, typeError("Neo4j only supports a subset of Cypher types for storage as singleton or array properties: collections containing mixed types can not be stored in property %q", key)
			}
			kind = k
			out[i] = e
		}
		return out, nil
	case map[string]any, nodeRef, relRef, *pathRef:
		return nil, typeError("Property values can only be of primitive types or arrays thereof. Encountered: %s in property %q", describe(v), key)
	default:
		if isOpaqueStorable(v) {
			return v, nil
		}
		return nil, typeError("Property values can only be of primitive types or arrays thereof. Encountered: %s in property %q", describe(v), key)
	}
}

// scalarKind names the storage kind of a list element, or "" when the
// element cannot be stored inside a list property.
func scalarKind(v any) string {
	switch v.(type) {
	case bool:
		return "bool"
	case int64, float64:
		return "number"
	case string:
		return "string"
	default:
		if isOpaqueStorable(v) {
			return typeName(v)
		}
		return ""
	}
}

// cloneOut copies the mutable parts (lists, byte slices) of a stored value
// before it leaves the engine.
func cloneOut(v any) any {
	switch x := v.(type) {
	case []any:
		return slices.Clone(x)
	case []byte:
		return slices.Clone(x)
	default:
		return v
	}
}
