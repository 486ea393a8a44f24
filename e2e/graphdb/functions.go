package graphdb

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// scalarFunc computes a function's value from evaluated arguments.
type scalarFunc func(ec *execCtx, args []any) (any, error)

// funcSpec describes a scalar function: its arity bounds and body.
type funcSpec struct {
	minArgs, maxArgs int
	fn               scalarFunc
}

// aggregateNames are the aggregating functions (handled by the projection).
var aggregateNames = map[string]bool{"count": true, "collect": true, "sum": true, "avg": true, "min": true, "max": true}

// maxRange bounds the number of elements range() may materialize (UNWIND
// range(...) is iterated lazily and has no such bound). Tests lower it.
var maxRange uint64 = 10_000_000

// scalarFuncs is the table of supported scalar functions (lower-case names).
var scalarFuncs map[string]funcSpec

func init() {
	scalarFuncs = map[string]funcSpec{
		"tostring":      {1, 1, fnToString},
		"tointeger":     {1, 1, fnToInteger},
		"tofloat":       {1, 1, fnToFloat},
		"toboolean":     {1, 1, fnToBoolean},
		"size":          {1, 1, fnSize},
		"length":        {1, 1, fnLength},
		"range":         {2, 3, fnRange},
		"id":            {1, 1, fnID},
		"elementid":     {1, 1, fnElementID},
		"labels":        {1, 1, fnLabels},
		"type":          {1, 1, fnType},
		"keys":          {1, 1, fnKeys},
		"properties":    {1, 1, fnProperties},
		"nodes":         {1, 1, fnNodes},
		"relationships": {1, 1, fnRelationships},
		"startnode":     {1, 1, fnStartNode},
		"endnode":       {1, 1, fnEndNode},
		"coalesce":      {1, 64, fnCoalesce},
		"head":          {1, 1, fnHead},
		"last":          {1, 1, fnLast},
		"tail":          {1, 1, fnTail},
		"reverse":       {1, 1, fnReverse},
		"abs":           {1, 1, fnAbs},
		"sqrt":          {1, 1, floatFunc(math.Sqrt)},
		"floor":         {1, 1, floatFunc(math.Floor)},
		"ceil":          {1, 1, floatFunc(math.Ceil)},
		"round":         {1, 1, floatFunc(roundHalfUp)},
		"toupper":       {1, 1, stringFunc(strings.ToUpper)},
		"tolower":       {1, 1, stringFunc(strings.ToLower)},
		"trim":          {1, 1, stringFunc(strings.TrimSpace)},
		"split":         {2, 2, fnSplit},
		"substring":     {2, 3, fnSubstring},
	}
}

func roundHalfUp(f float64) float64 { return math.Floor(f + 0.5) }

func argError(fn string, v any, want string) *Error {
	return typeError("Invalid input for function '%s()': Expected %s, got %s", fn, want, describe(v))
}

func fnToString(_ *execCtx, a []any) (any, error) {
	switch x := a[0].(type) {
	case nil:
		return nil, nil
	case string:
		return x, nil
	case int64, float64, bool:
		s, _ := stringOperand(x)
		return s, nil
	}
	if isOpaqueStorable(a[0]) {
		return fmt.Sprint(a[0]), nil
	}
	return nil, argError("toString", a[0], "a String, Number, Boolean, Temporal or Spatial value")
}

func fnToInteger(_ *execCtx, a []any) (any, error) {
	switch x := a[0].(type) {
	case nil:
		return nil, nil
	case int64:
		return x, nil
	case float64:
		if math.IsNaN(x) || x >= 9.223372036854775807e18 || x < -9.223372036854775808e18 {
			return nil, nil
		}
		return int64(x), nil
	case bool:
		if x {
			return int64(1), nil
		}
		return int64(0), nil
	case string:
		s := strings.TrimSpace(x)
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return i, nil
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return fnToInteger(nil, []any{f})
		}
		return nil, nil
	}
	return nil, argError("toInteger", a[0], "a String, Float, Integer or Boolean")
}

func fnToFloat(_ *execCtx, a []any) (any, error) {
	switch x := a[0].(type) {
	case nil:
		return nil, nil
	case int64:
		return float64(x), nil
	case float64:
		return x, nil
	case string:
		if f, err := strconv.ParseFloat(strings.TrimSpace(x), 64); err == nil {
			return f, nil
		}
		return nil, nil
	}
	return nil, argError("toFloat", a[0], "a String, Float or Integer")
}

func fnToBoolean(_ *execCtx, a []any) (any, error) {
	switch x := a[0].(type) {
	case nil:
		return nil, nil
	case bool:
		return x, nil
	case int64:
		return x != 0, nil
	case string:
		switch strings.ToLower(strings.TrimSpace(x)) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
		return nil, nil
	}
	return nil, argError("toBoolean", a[0], "a String, Integer or Boolean")
}

func fnSize(_ *execCtx, a []any) (any, error) {
	switch x := a[0].(type) {
	case nil:
		return nil, nil
	case []any:
		return int64(len(x)), nil
	case string:
		return int64(utf8.RuneCountInString(x)), nil
	}
	return nil, argError("size", a[0], "a String or List")
}

func fnLength(ec *execCtx, a []any) (any, error) {
	if p, ok := a[0].(*pathRef); ok {
		return int64(len(p.rels)), nil
	}
	v, err := fnSize(ec, a)
	if err != nil {
		return nil, argError("length", a[0], "a Path, String or List")
	}
	return v, nil
}

// rangeBounds checks the arguments of range(start, end[, step]).
func rangeBounds(a []any) (start, end, step int64, err error) {
	step = 1
	for i, v := range a {
		n, ok := v.(int64)
		if !ok {
			return 0, 0, 0, argError("range", v, "an Integer")
		}
		switch i {
		case 0:
			start = n
		case 1:
			end = n
		default:
			step = n
		}
	}
	if step == 0 {
		return 0, 0, 0, newError(CodeArgumentError, "Step argument to range() can't be 0")
	}
	return start, end, step, nil
}

// rangeLen returns how many values range(start, end, step) yields.
func rangeLen(start, end, step int64) uint64 {
	if step > 0 && start > end || step < 0 && start < end {
		return 0
	}
	var span uint64
	if step > 0 {
		span = uint64(end) - uint64(start)
		return span/uint64(step) + 1
	}
	span = uint64(start) - uint64(end)
	return span/uint64(-step) + 1
}

func fnRange(_ *execCtx, a []any) (any, error) {
	start, end, step, err := rangeBounds(a)
	if err != nil {
		return nil, err
	}
	n := rangeLen(start, end, step)
	if n > maxRange {
		return nil, newError(CodeArgumentError, "range() would produce %d values, more than the %d this engine allows", n, maxRange)
	}
	out := make([]any, n)
	v := start
	for i := range out {
		out[i] = v
		v += step
	}
	return out, nil
}

func fnID(_ *execCtx, a []any) (any, error) {
	switch x := a[0].(type) {
	case nil:
		return nil, nil
	case nodeRef:
		return int64(x), nil
	case relRef:
		return int64(x), nil
	}
	return nil, argError("id", a[0], "a Node or Relationship")
}

func fnElementID(ec *execCtx, a []any) (any, error) {
	switch x := a[0].(type) {
	case nil:
		return nil, nil
	case nodeRef:
		return ec.elementID('4', int64(x)), nil
	case relRef:
		return ec.elementID('5', int64(x)), nil
	}
	return nil, argError("elementId", a[0], "a Node or Relationship")
}

func fnLabels(ec *execCtx, a []any) (any, error) {
	switch x := a[0].(type) {
	case nil:
		return nil, nil
	case nodeRef:
		if ec.v.node(int64(x)) == nil {
			return nil, entityGone("Node", int64(x))
		}
		names := ec.v.nodeLabels(int64(x)).names
		out := make([]any, len(names))
		for i, n := range names {
			out[i] = n
		}
		return out, nil
	}
	return nil, argError("labels", a[0], "a Node")
}

func fnType(ec *execCtx, a []any) (any, error) {
	switch x := a[0].(type) {
	case nil:
		return nil, nil
	case relRef:
		ver, rec := ec.v.rel(int64(x))
		if ver == nil {
			return nil, entityGone("Relationship", int64(x))
		}
		return rec.typ, nil
	}
	return nil, argError("type", a[0], "a Relationship")
}

// entityProps returns the visible properties of a node or relationship.
func entityProps(ec *execCtx, v any) (propList, bool, error) {
	switch x := v.(type) {
	case nodeRef:
		ver := ec.v.node(int64(x))
		if ver == nil {
			return nil, true, entityGone("Node", int64(x))
		}
		return ver.props, true, nil
	case relRef:
		ver, _ := ec.v.rel(int64(x))
		if ver == nil {
			return nil, true, entityGone("Relationship", int64(x))
		}
		return ver.props, true, nil
	}
	return nil, false, nil
}

func fnKeys(ec *execCtx, a []any) (any, error) {
	if m, ok := a[0].(map[string]any); ok {
		out := make([]any, 0, len(m))
		for _, k := range sortedKeys(m) {
			out = append(out, k)
		}
		return out, nil
	}
	if a[0] == nil {
		return nil, nil
	}
	props, ok, err := entityProps(ec, a[0])
	if !ok {
		return nil, argError("keys", a[0], "a Map, Node or Relationship")
	}
	if err != nil {
		return nil, err
	}
	return props.keys(), nil
}

func fnProperties(ec *execCtx, a []any) (any, error) {
	if m, ok := a[0].(map[string]any); ok {
		return m, nil
	}
	if a[0] == nil {
		return nil, nil
	}
	props, ok, err := entityProps(ec, a[0])
	if !ok {
		return nil, argError("properties", a[0], "a Map, Node or Relationship")
	}
	if err != nil {
		return nil, err
	}
	return props.toMap(), nil
}

func fnNodes(_ *execCtx, a []any) (any, error) {
	switch x := a[0].(type) {
	case nil:
		return nil, nil
	case *pathRef:
		out := make([]any, len(x.nodes))
		for i, n := range x.nodes {
			out[i] = nodeRef(n)
		}
		return out, nil
	}
	return nil, argError("nodes", a[0], "a Path")
}

func fnRelationships(_ *execCtx, a []any) (any, error) {
	switch x := a[0].(type) {
	case nil:
		return nil, nil
	case *pathRef:
		out := make([]any, len(x.rels))
		for i, r := range x.rels {
			out[i] = relRef(r)
		}
		return out, nil
	}
	return nil, argError("relationships", a[0], "a Path")
}

func relEnd(ec *execCtx, v any, fn string, start bool) (any, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case relRef:
		ver, rec := ec.v.rel(int64(x))
		if ver == nil {
			return nil, entityGone("Relationship", int64(x))
		}
		if start {
			return nodeRef(rec.start), nil
		}
		return nodeRef(rec.end), nil
	}
	return nil, argError(fn, v, "a Relationship")
}

func fnStartNode(ec *execCtx, a []any) (any, error) { return relEnd(ec, a[0], "startNode", true) }
func fnEndNode(ec *execCtx, a []any) (any, error)   { return relEnd(ec, a[0], "endNode", false) }

func fnCoalesce(_ *execCtx, a []any) (any, error) {
	for _, v := range a {
		if v != nil {
			return v, nil
		}
	}
	return nil, nil
}

func listArg(fn string, v any) ([]any, bool, error) {
	if v == nil {
		return nil, false, nil
	}
	l, ok := v.([]any)
	if !ok {
		return nil, false, argError(fn, v, "a List")
	}
	return l, true, nil
}

func fnHead(_ *execCtx, a []any) (any, error) {
	l, ok, err := listArg("head", a[0])
	if !ok || len(l) == 0 {
		return nil, err
	}
	return l[0], nil
}

func fnLast(_ *execCtx, a []any) (any, error) {
	l, ok, err := listArg("last", a[0])
	if !ok || len(l) == 0 {
		return nil, err
	}
	return l[len(l)-1], nil
}

func fnTail(_ *execCtx, a []any) (any, error) {
	l, ok, err := listArg("tail", a[0])
	if !ok {
		return nil, err
	}
	if len(l) == 0 {
		return []any{}, nil
	}
	return append([]any(nil), l[1:]...), nil
}

func fnReverse(_ *execCtx, a []any) (any, error) {
	if s, ok := a[0].(string); ok {
		r := []rune(s)
		for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
			r[i], r[j] = r[j], r[i]
		}
		return string(r), nil
	}
	l, ok, err := listArg("reverse", a[0])
	if !ok {
		return nil, err
	}
	out := make([]any, len(l))
	for i, v := range l {
		out[len(l)-1-i] = v
	}
	return out, nil
}

func fnAbs(_ *execCtx, a []any) (any, error) {
	switch x := a[0].(type) {
	case nil:
		return nil, nil
	case int64:
		if x == math.MinInt64 {
			return nil, overflow()
		}
		if x < 0 {
			return -x, nil
		}
		return x, nil
	case float64:
		return math.Abs(x), nil
	}
	return nil, argError("abs", a[0], "a Number")
}

// floatFunc lifts a float function to a Cypher function on numbers.
func floatFunc(f func(float64) float64) scalarFunc {
	return func(_ *execCtx, a []any) (any, error) {
		if a[0] == nil {
			return nil, nil
		}
		x, ok := toFloat64(a[0])
		if !ok {
			return nil, argError("numeric function", a[0], "a Number")
		}
		return f(x), nil
	}
}

// stringFunc lifts a string function to a Cypher function.
func stringFunc(f func(string) string) scalarFunc {
	return func(_ *execCtx, a []any) (any, error) {
		if a[0] == nil {
			return nil, nil
		}
		s, ok := a[0].(string)
		if !ok {
			return nil, argError("string function", a[0], "a String")
		}
		return f(s), nil
	}
}

func fnSplit(_ *execCtx, a []any) (any, error) {
	if a[0] == nil || a[1] == nil {
		return nil, nil
	}
	s, ok1 := a[0].(string)
	sep, ok2 := a[1].(string)
	if !ok1 || !ok2 {
		return nil, typeError("Invalid input for function 'split()': Expected two Strings")
	}
	parts := strings.Split(s, sep)
	out := make([]any, len(parts))
	for i, p := range parts {
		out[i] = p
	}
	return out, nil
}

func fnSubstring(_ *execCtx, a []any) (any, error) {
	if a[0] == nil {
		return nil, nil
	}
	s, ok := a[0].(string)
	if !ok {
		return nil, argError("substring", a[0], "a String")
	}
	r := []rune(s)
	start, ok := a[1].(int64)
	if !ok || start < 0 {
		return nil, argError("substring", a[1], "a non-negative Integer")
	}
	start = min(start, int64(len(r)))
	end := int64(len(r))
	if len(a) == 3 {
		n, ok := a[2].(int64)
		if !ok || n < 0 {
			return nil, argError("substring", a[2], "a non-negative Integer")
		}
		end = min(start+n, end)
	}
	return string(r[start:end]), nil
}
