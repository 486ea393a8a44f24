package graphdb

import (
	"slices"
	"strings"
)

// property is one key/value pair of a node or relationship.
type property struct {
	key string
	val any
}

// propList is a property map stored as a slice sorted by key: smaller than
// a Go map for the handful of properties a node usually has. A committed
// version's list is never modified; writers copy it first.
type propList []property

// find returns the position of key, or where it would be inserted.
func (p propList) find(key string) (int, bool) {
	if len(p) <= 8 {
		for i, e := range p {
			if c := strings.Compare(e.key, key); c >= 0 {
				return i, c == 0
			}
		}
		return len(p), false
	}
	return slices.BinarySearchFunc(p, key, func(e property, k string) int {
		return strings.Compare(e.key, k)
	})
}

// get returns the value of key, or nil when it is absent.
func (p propList) get(key string) any {
	if i, ok := p.find(key); ok {
		return p[i].val
	}
	return nil
}

// set stores val under key in place (val nil removes the key) and returns
// the updated list and the previous value.
func (p propList) set(key string, val any) (propList, any) {
	i, ok := p.find(key)
	switch {
	case ok && val == nil:
		old := p[i].val
		return slices.Delete(p, i, i+1), old
	case ok:
		old := p[i].val
		p[i].val = val
		return p, old
	case val == nil:
		return p, nil
	default:
		return slices.Insert(p, i, property{key: key, val: val}), nil
	}
}

// toMap copies the properties into a map for a result.
func (p propList) toMap() map[string]any {
	m := make(map[string]any, len(p))
	for _, e := range p {
		m[e.key] = cloneOut(e.val)
	}
	return m
}

// keys returns the property keys in order.
func (p propList) keys() []any {
	out := make([]any, len(p))
	for i, e := range p {
		out[i] = e.key
	}
	return out
}
