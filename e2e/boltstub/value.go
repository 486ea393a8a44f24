package boltstub

import (
	"bytes"
	"math"
)

// The stub has its own model of PackStream values, independent of the Go
// types package packstream hydrates structures into, because it must keep
// what a driver sent exactly as sent (the order of map keys, structures it
// could not hydrate) and show it back as script text.
//
// A value is one of:
//
//	nil, bool, int64, float64, string, []byte
//	listValue     a PackStream list
//	*mapValue     a PackStream map, keys in wire order
//	*structValue  a Bolt structure (or the Bolt 6.1 UUID), see structs.go

// listValue is a PackStream list.
type listValue []any

// mapValue is a PackStream map that keeps its keys in the order they had on the
// wire (or in the script).
type mapValue struct {
	Keys   []string
	Values []any
}

// Get returns the value of key and whether the map has it.
func (m *mapValue) Get(key string) (any, bool) {
	for i, k := range m.Keys {
		if k == key {
			return m.Values[i], true
		}
	}
	return nil, false
}

// Len is the number of entries.
func (m *mapValue) Len() int { return len(m.Keys) }

// structValue is a Bolt structure in the form a script writes it: the kind
// (Node, Date, ... or the raw form "Struct") and its canonical arguments.
// For the raw form Tag is the structure's tag byte and Args its fields.
type structValue struct {
	Kind *structKind
	Tag  byte
	Args []any
}

// equalValues reports whether two values of the stub's model are equal.
// Floats compare by value, except that NaN equals NaN (a script must be
// able to expect a NaN); map entries compare regardless of order.
func equalValues(a, b any) bool {
	switch a := a.(type) {
	case nil:
		return b == nil
	case bool:
		bv, ok := b.(bool)
		return ok && a == bv
	case int64:
		bv, ok := b.(int64)
		return ok && a == bv
	case float64:
		bv, ok := b.(float64)
		return ok && (a == bv || math.IsNaN(a) && math.IsNaN(bv))
	case string:
		bv, ok := b.(string)
		return ok && a == bv
	case []byte:
		bv, ok := b.([]byte)
		return ok && bytes.Equal(a, bv)
	case listValue:
		bv, ok := b.(listValue)
		if !ok || len(a) != len(bv) {
			return false
		}
		for i := range a {
			if !equalValues(a[i], bv[i]) {
				return false
			}
		}
		return true
	case *mapValue:
		bv, ok := b.(*mapValue)
		if !ok || a.Len() != bv.Len() {
			return false
		}
		for i, k := range a.Keys {
			v, found := bv.Get(k)
			if !found || !equalValues(a.Values[i], v) {
				return false
			}
		}
		return true
	case *structValue:
		bv, ok := b.(*structValue)
		if !ok || a.Kind != bv.Kind || a.Tag != bv.Tag || len(a.Args) != len(bv.Args) {
			return false
		}
		for i := range a.Args {
			if !equalValues(a.Args[i], bv.Args[i]) {
				return false
			}
		}
		return true
	}
	return false
}
