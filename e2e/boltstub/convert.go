package boltstub

import (
	"errors"
	"fmt"
	"sort"
	"time"
)

// Conversions between the stub's value model and the Go values package
// packstream encodes and decodes (used for the fields of structures).

// goValueOf converts a value of the stub's model into the Go value package
// packstream encodes (for structure fields such as Node properties).
func goValueOf(v any) (any, error) {
	switch v := v.(type) {
	case listValue:
		out := make([]any, len(v))
		for i, e := range v {
			g, err := goValueOf(e)
			if err != nil {
				return nil, err
			}
			out[i] = g
		}
		return out, nil
	case *mapValue:
		out := make(map[string]any, v.Len())
		for i, k := range v.Keys {
			g, err := goValueOf(v.Values[i])
			if err != nil {
				return nil, err
			}
			out[k] = g
		}
		return out, nil
	case *structValue:
		if v.Kind == kindRaw {
			return nil, errors.New("a raw Struct(...) cannot be nested in a Bolt structure")
		}
		if v.Kind == kindDateTimeZoneID {
			t, err := zonedFromArgs(v.Args)
			if err != nil {
				return nil, err
			}
			if _, err := time.LoadLocation(t.Location().String()); err != nil {
				return nil, fmt.Errorf("zone %s is unknown here: it can only be sent outside other structures", t.Location())
			}
			return t, nil
		}
		return v.Kind.goValue(v.Kind.complete(v.Args))
	}
	return v, nil
}

// valueFromGo converts a Go value decoded by package packstream (inside a
// structure) into the stub's model; false for values it cannot show.
func valueFromGo(v any) (any, bool) {
	switch v := v.(type) {
	case nil, bool, int64, float64, string, []byte:
		return v, true
	case []any:
		out := make(listValue, len(v))
		for i, e := range v {
			x, ok := valueFromGo(e)
			if !ok {
				return nil, false
			}
			out[i] = x
		}
		return out, true
	case map[string]any:
		return mapFromGo(v)
	case time.Time:
		kind := kindDateTime
		if name := v.Location().String(); v.Location() != time.UTC && name != "" && name != "UTC" && name != "Local" {
			kind = kindDateTimeZoneID
		}
		args, ok := kind.fromGo(v)
		return &structValue{Kind: kind, Args: args}, ok
	}
	for _, k := range []*structKind{kindNode, kindRelationship, kindPath, kindDate, kindTime, kindLocalTime,
		kindLocalDateTime, kindDuration, kindPoint2D, kindPoint3D, kindVector, kindUUID, kindUnsupportedType} {
		if args, ok := k.fromGo(v); ok {
			return &structValue{Kind: k, Args: args}, true
		}
	}
	return nil, false
}

// mapFromGo converts a decoded map, keys sorted (Go maps have no order).
func mapFromGo(m map[string]any) (*mapValue, bool) {
	keys := sortedKeys(m)
	out := &mapValue{Keys: keys, Values: make([]any, len(keys))}
	for i, k := range keys {
		v, ok := valueFromGo(m[k])
		if !ok {
			return nil, false
		}
		out.Values[i] = v
	}
	return out, true
}

// stringsToList converts labels into a listValue.
func stringsToList(s []string) listValue {
	out := make(listValue, len(s))
	for i, e := range s {
		out[i] = e
	}
	return out
}

// sortedKeys returns the keys of m in order.
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
