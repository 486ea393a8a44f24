package graphdb

import (
	"encoding/binary"
	"fmt"
	"math"
	"reflect"
)

// appendValueKey appends a byte encoding of v such that two values get the
// same encoding exactly when Cypher treats them as equivalent for grouping
// and DISTINCT (1 and 1.0 are equivalent, null is equivalent to null, NaN
// to NaN).
func appendValueKey(buf []byte, v any) []byte { return appendKey(buf, v, false) }

// appendStrictKey is appendValueKey that tells integers from floats, so
// that it distinguishes every pair of values strictEqual distinguishes.
func appendStrictKey(buf []byte, v any) []byte { return appendKey(buf, v, true) }

func appendKey(buf []byte, v any, strict bool) []byte {
	switch x := v.(type) {
	case nil:
		return append(buf, 'z')
	case bool:
		if x {
			return append(buf, 't')
		}
		return append(buf, 'f')
	case int64:
		buf = append(buf, 'i')
		return binary.BigEndian.AppendUint64(buf, uint64(x))
	case float64:
		if !strict && x == math.Trunc(x) && x >= -9.2e18 && x <= 9.2e18 {
			return appendKey(buf, int64(x), false)
		}
		if math.IsNaN(x) {
			x = math.NaN()
		}
		buf = append(buf, 'd')
		return binary.BigEndian.AppendUint64(buf, math.Float64bits(x))
	case string:
		buf = append(buf, 's')
		buf = binary.AppendUvarint(buf, uint64(len(x)))
		return append(buf, x...)
	case []byte:
		buf = append(buf, 'b')
		buf = binary.AppendUvarint(buf, uint64(len(x)))
		return append(buf, x...)
	case []any:
		buf = append(buf, 'l')
		buf = binary.AppendUvarint(buf, uint64(len(x)))
		for _, e := range x {
			buf = appendKey(buf, e, strict)
		}
		return buf
	case map[string]any:
		buf = append(buf, 'm')
		buf = binary.AppendUvarint(buf, uint64(len(x)))
		for _, k := range sortedKeys(x) {
			buf = appendKey(buf, k, strict)
			buf = appendKey(buf, x[k], strict)
		}
		return buf
	case nodeRef:
		buf = append(buf, 'n')
		return binary.BigEndian.AppendUint64(buf, uint64(x))
	case relRef:
		buf = append(buf, 'r')
		return binary.BigEndian.AppendUint64(buf, uint64(x))
	case *pathRef:
		buf = append(buf, 'p')
		buf = binary.AppendUvarint(buf, uint64(len(x.nodes)))
		for _, n := range x.nodes {
			buf = binary.BigEndian.AppendUint64(buf, uint64(n))
		}
		for _, r := range x.rels {
			buf = binary.BigEndian.AppendUint64(buf, uint64(r))
		}
		return buf
	}
	s := reflect.TypeOf(v).String() + ":" + fmt.Sprint(v)
	buf = append(buf, 'o')
	buf = binary.AppendUvarint(buf, uint64(len(s)))
	return append(buf, s...)
}
