package graphdb

import (
	"bytes"
	"cmp"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"time"
)

// Ranks of the Cypher orderability order (ORDER BY, ascending):
// MAP < NODE < RELATIONSHIP < LIST < PATH < DATETIME < LOCAL DATETIME <
// DATE < TIME < LOCAL TIME < DURATION < POINT < BYTES < STRING < BOOLEAN <
// NUMBER < null. BYTES is not a Cypher type; it is placed next to STRING.
const (
	rankMap = iota
	rankNode
	rankRel
	rankList
	rankPath
	rankDateTime
	rankLocalDateTime
	rankDate
	rankTime
	rankLocalTime
	rankDuration
	rankPoint
	rankOther
	rankBytes
	rankString
	rankBool
	rankNumber
	rankNull
)

// typeRank returns the orderability group of v.
func typeRank(v any) int {
	switch v.(type) {
	case nil:
		return rankNull
	case int64, float64:
		return rankNumber
	case bool:
		return rankBool
	case string:
		return rankString
	case []byte:
		return rankBytes
	case []any:
		return rankList
	case map[string]any:
		return rankMap
	case nodeRef:
		return rankNode
	case relRef:
		return rankRel
	case *pathRef:
		return rankPath
	case time.Time:
		return rankDateTime
	}
	switch reflect.TypeOf(v).Name() {
	case "LocalDateTime":
		return rankLocalDateTime
	case "Date":
		return rankDate
	case "Time":
		return rankTime
	case "LocalTime":
		return rankLocalTime
	case "Duration":
		return rankDuration
	case "Point2D", "Point3D":
		return rankPoint
	}
	return rankOther
}

// isOpaqueStorable reports whether v is a temporal or spatial value that may
// be stored as a property without the engine understanding it.
func isOpaqueStorable(v any) bool {
	switch typeRank(v) {
	case rankDateTime, rankLocalDateTime, rankDate, rankTime, rankLocalTime, rankDuration, rankPoint:
		return true
	}
	return false
}

// timeOf returns the instant of a temporal value (time.Time or a named type
// with a Time() method), and whether it has one.
func timeOf(v any) (time.Time, bool) {
	if t, ok := v.(time.Time); ok {
		return t, true
	}
	if t, ok := v.(interface{ Time() time.Time }); ok {
		return t.Time(), true
	}
	return time.Time{}, false
}

// orderCompare is the total order used by ORDER BY and by the property
// indexes: values of different types are ordered by typeRank, null last.
func orderCompare(a, b any) int {
	ra, rb := typeRank(a), typeRank(b)
	if ra != rb {
		return cmp.Compare(ra, rb)
	}
	switch ra {
	case rankNull:
		return 0
	case rankNumber:
		return compareNumbers(a, b)
	case rankBool:
		ab, bb := a.(bool), b.(bool)
		switch {
		case ab == bb:
			return 0
		case !ab:
			return -1
		default:
			return 1
		}
	case rankString:
		return strings.Compare(a.(string), b.(string))
	case rankBytes:
		return bytes.Compare(a.([]byte), b.([]byte))
	case rankList:
		return compareLists(a.([]any), b.([]any))
	case rankMap:
		return compareMaps(a.(map[string]any), b.(map[string]any))
	case rankNode:
		return cmp.Compare(a.(nodeRef), b.(nodeRef))
	case rankRel:
		return cmp.Compare(a.(relRef), b.(relRef))
	case rankPath:
		pa, pb := a.(*pathRef), b.(*pathRef)
		if c := slices.Compare(pa.nodes, pb.nodes); c != 0 {
			return c
		}
		return slices.Compare(pa.rels, pb.rels)
	}
	if ta, ok := timeOf(a); ok {
		if tb, ok := timeOf(b); ok {
			return ta.Compare(tb)
		}
	}
	return strings.Compare(fmt.Sprint(a), fmt.Sprint(b))
}

// compareNumbers orders int64 and float64 values numerically; NaN is above
// every other number.
func compareNumbers(a, b any) int {
	ai, aInt := a.(int64)
	bi, bInt := b.(int64)
	if aInt && bInt {
		return cmp.Compare(ai, bi)
	}
	if aInt && !bInt {
		return -compareFloatInt(b.(float64), ai)
	}
	if !aInt && bInt {
		return compareFloatInt(a.(float64), bi)
	}
	af, bf := a.(float64), b.(float64)
	switch {
	case math.IsNaN(af) && math.IsNaN(bf):
		return 0
	case math.IsNaN(af):
		return 1
	case math.IsNaN(bf):
		return -1
	}
	return cmp.Compare(af, bf)
}

// compareFloatInt compares a float with an integer exactly, even where the
// integer has no exact float representation.
func compareFloatInt(f float64, i int64) int {
	if math.IsNaN(f) {
		return 1
	}
	if f < -9.3e18 {
		return -1
	}
	if f > 9.3e18 {
		return 1
	}
	t := math.Trunc(f)
	if ti := int64(t); ti != i {
		return cmp.Compare(ti, i)
	}
	return cmp.Compare(f, t)
}

func compareLists(a, b []any) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if c := orderCompare(a[i], b[i]); c != 0 {
			return c
		}
	}
	return cmp.Compare(len(a), len(b))
}

func compareMaps(a, b map[string]any) int {
	ka, kb := sortedKeys(a), sortedKeys(b)
	if c := slices.Compare(ka, kb); c != 0 {
		return c
	}
	for _, k := range ka {
		if c := orderCompare(a[k], b[k]); c != 0 {
			return c
		}
	}
	return 0
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// comparePartial implements the Cypher comparison operators (<, <=, >, >=):
// ok is false when the comparison yields null (a null operand, or operands
// of types that are not comparable with each other). NaN compares false
// with everything, reported as ok with the caller checking isNaN.
func comparePartial(a, b any) (c int, ok bool) {
	ra, rb := typeRank(a), typeRank(b)
	if ra == rankNull || rb == rankNull || ra != rb {
		return 0, false
	}
	switch ra {
	case rankNumber, rankBool, rankString, rankList, rankBytes:
		return orderCompare(a, b), true
	case rankDateTime, rankLocalDateTime, rankDate, rankTime, rankLocalTime:
		if reflect.TypeOf(a) != reflect.TypeOf(b) {
			return 0, false
		}
		return orderCompare(a, b), true
	}
	return 0, false
}

// isNaN reports whether v is a float NaN.
func isNaN(v any) bool {
	f, ok := v.(float64)
	return ok && math.IsNaN(f)
}

// equalValues implements Cypher '=': known is false when the result is null.
func equalValues(a, b any) (equal, known bool) {
	if a == nil || b == nil {
		return false, false
	}
	ra, rb := typeRank(a), typeRank(b)
	if ra != rb {
		return false, true
	}
	switch ra {
	case rankNumber:
		if isNaN(a) || isNaN(b) {
			return false, true
		}
		return compareNumbers(a, b) == 0, true
	case rankList:
		la, lb := a.([]any), b.([]any)
		if len(la) != len(lb) {
			return false, true
		}
		known = true
		for i := range la {
			eq, k := equalValues(la[i], lb[i])
			if k && !eq {
				return false, true
			}
			known = known && k
		}
		return known, known
	case rankMap:
		ma, mb := a.(map[string]any), b.(map[string]any)
		if len(ma) != len(mb) {
			return false, true
		}
		known = true
		for k, va := range ma {
			vb, ok := mb[k]
			if !ok {
				return false, true
			}
			eq, kn := equalValues(va, vb)
			if kn && !eq {
				return false, true
			}
			known = known && kn
		}
		return known, known
	}
	return orderCompare(a, b) == 0, true
}

// strictEqual reports whether a and b are the same value of the same Go
// type (NaN equals NaN). Property indexes use it to tell whether an entry
// still describes a node's current value.
func strictEqual(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case int64:
		y, ok := b.(int64)
		return ok && x == y
	case float64:
		y, ok := b.(float64)
		return ok && (x == y || math.IsNaN(x) && math.IsNaN(y))
	case string:
		y, ok := b.(string)
		return ok && x == y
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case []byte:
		y, ok := b.([]byte)
		return ok && bytes.Equal(x, y)
	case []any:
		y, ok := b.([]any)
		return ok && slices.EqualFunc(x, y, strictEqual)
	}
	return reflect.TypeOf(a) == reflect.TypeOf(b) && orderCompare(a, b) == 0
}

// typeName returns the Cypher name of v's type, for error messages.
func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "NULL"
	case int64:
		return "Integer"
	case float64:
		return "Float"
	case string:
		return "String"
	case bool:
		return "Boolean"
	case []byte:
		return "ByteArray"
	case []any:
		return "List"
	case map[string]any:
		return "Map"
	case nodeRef:
		return "Node"
	case relRef:
		return "Relationship"
	case *pathRef:
		return "Path"
	case time.Time:
		return "DateTime"
	}
	return reflect.TypeOf(v).Name()
}

// describe renders a value and its type for error messages.
func describe(v any) string {
	switch x := v.(type) {
	case nil:
		return "NO_VALUE"
	case string:
		return fmt.Sprintf("String(%q)", x)
	case int64, float64, bool:
		return fmt.Sprintf("%s(%v)", typeName(v), x)
	}
	return typeName(v)
}
