package graphdb

import (
	"strings"
)

// row holds the values of a query's variables, one slot per variable.
type row []any

// expr is a Cypher expression with its variables resolved to row slots.
type expr interface {
	eval(ec *execCtx, r row) (any, error)
	// children returns the sub-expressions (for analysis).
	children() []expr
}

// walkExpr calls fn for e and, while fn returns true, its descendants.
func walkExpr(e expr, fn func(expr) bool) {
	if e == nil || !fn(e) {
		return
	}
	for _, c := range e.children() {
		walkExpr(c, fn)
	}
}

type literalExpr struct{ val any }

func (e *literalExpr) eval(*execCtx, row) (any, error) { return e.val, nil }
func (e *literalExpr) children() []expr                { return nil }

type paramExpr struct{ name string }

func (e *paramExpr) eval(ec *execCtx, _ row) (any, error) { return ec.params[e.name], nil }
func (e *paramExpr) children() []expr                     { return nil }

type varExpr struct {
	name string
	slot int
}

func (e *varExpr) eval(_ *execCtx, r row) (any, error) { return r[e.slot], nil }
func (e *varExpr) children() []expr                    { return nil }

// propExpr is target.key.
type propExpr struct {
	target expr
	key    string
}

func (e *propExpr) children() []expr { return []expr{e.target} }

func (e *propExpr) eval(ec *execCtx, r row) (any, error) {
	t, err := e.target.eval(ec, r)
	if err != nil {
		return nil, err
	}
	return ec.property(t, e.key)
}

// indexExpr is target[index]: a list element or a map/entity key.
type indexExpr struct{ target, index expr }

func (e *indexExpr) children() []expr { return []expr{e.target, e.index} }

func (e *indexExpr) eval(ec *execCtx, r row) (any, error) {
	t, err := e.target.eval(ec, r)
	if err != nil {
		return nil, err
	}
	i, err := e.index.eval(ec, r)
	if err != nil || t == nil || i == nil {
		return nil, err
	}
	if list, ok := t.([]any); ok {
		n, ok := i.(int64)
		if !ok {
			return nil, typeError("list index must be an Integer, got %s", describe(i))
		}
		if n < 0 {
			n += int64(len(list))
		}
		if n < 0 || n >= int64(len(list)) {
			return nil, nil
		}
		return list[n], nil
	}
	key, ok := i.(string)
	if !ok {
		return nil, typeError("map key must be a String, got %s", describe(i))
	}
	return ec.property(t, key)
}

// sliceExpr is target[from..to] on a list.
type sliceExpr struct{ target, from, to expr }

func (e *sliceExpr) children() []expr { return []expr{e.target, e.from, e.to} }

func (e *sliceExpr) eval(ec *execCtx, r row) (any, error) {
	t, err := e.target.eval(ec, r)
	if err != nil || t == nil {
		return nil, err
	}
	list, ok := t.([]any)
	if !ok {
		return nil, typeError("Type mismatch: expected a List but was %s", typeName(t))
	}
	n := int64(len(list))
	bound := func(b expr, def int64) (int64, bool, error) {
		if b == nil {
			return def, true, nil
		}
		v, err := b.eval(ec, r)
		if err != nil || v == nil {
			return 0, false, err
		}
		i, ok := v.(int64)
		if !ok {
			return 0, false, typeError("list slice bound must be an Integer, got %s", describe(v))
		}
		if i < 0 {
			i += n
		}
		return min(max(i, 0), n), true, nil
	}
	from, ok1, err := bound(e.from, 0)
	if err != nil {
		return nil, err
	}
	to, ok2, err := bound(e.to, n)
	if err != nil || !ok1 || !ok2 {
		return nil, err
	}
	if from >= to {
		return []any{}, nil
	}
	return append([]any(nil), list[from:to]...), nil
}

type listExpr struct{ items []expr }

func (e *listExpr) children() []expr { return e.items }

func (e *listExpr) eval(ec *execCtx, r row) (any, error) {
	out := make([]any, len(e.items))
	for i, it := range e.items {
		v, err := it.eval(ec, r)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

type mapExpr struct {
	keys []string
	vals []expr
}

func (e *mapExpr) children() []expr { return e.vals }

func (e *mapExpr) eval(ec *execCtx, r row) (any, error) {
	out := make(map[string]any, len(e.keys))
	for i, k := range e.keys {
		v, err := e.vals[i].eval(ec, r)
		if err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, nil
}

// unaryExpr is -x, +x or NOT x.
type unaryExpr struct {
	op string
	x  expr
}

func (e *unaryExpr) children() []expr { return []expr{e.x} }

func (e *unaryExpr) eval(ec *execCtx, r row) (any, error) {
	v, err := e.x.eval(ec, r)
	if err != nil || v == nil {
		return nil, err
	}
	switch e.op {
	case "NOT":
		b, ok := v.(bool)
		if !ok {
			return nil, typeError("Type mismatch: expected Boolean but was %s", typeName(v))
		}
		return !b, nil
	case "-":
		return arithmetic("-", int64(0), v)
	default:
		if typeRank(v) != rankNumber {
			return nil, typeError("Type mismatch: expected a number but was %s", typeName(v))
		}
		return v, nil
	}
}

// binaryExpr is an arithmetic, comparison, boolean, IN or string operator.
type binaryExpr struct {
	op   string
	l, r expr
}

func (e *binaryExpr) children() []expr { return []expr{e.l, e.r} }

func (e *binaryExpr) eval(ec *execCtx, r row) (any, error) {
	switch e.op {
	case "AND", "OR", "XOR":
		return e.evalBool(ec, r)
	}
	a, err := e.l.eval(ec, r)
	if err != nil {
		return nil, err
	}
	b, err := e.r.eval(ec, r)
	if err != nil {
		return nil, err
	}
	switch e.op {
	case "=":
		if eq, known := equalValues(a, b); known {
			return eq, nil
		}
		return nil, nil
	case "<>":
		if eq, known := equalValues(a, b); known {
			return !eq, nil
		}
		return nil, nil
	case "<", "<=", ">", ">=":
		return compareOp(e.op, a, b), nil
	case "IN":
		return inList(a, b)
	case "STARTS WITH", "ENDS WITH", "CONTAINS":
		return stringPredicate(e.op, a, b), nil
	}
	if a == nil || b == nil {
		return nil, nil
	}
	return arithmetic(e.op, a, b)
}

// evalBool implements the three-valued AND, OR and XOR.
func (e *binaryExpr) evalBool(ec *execCtx, r row) (any, error) {
	a, err := e.l.eval(ec, r)
	if err != nil {
		return nil, err
	}
	ab, aNull, err := asTernary(a)
	if err != nil {
		return nil, err
	}
	if !aNull && (e.op == "AND" && !ab || e.op == "OR" && ab) {
		return ab, nil
	}
	b, err := e.r.eval(ec, r)
	if err != nil {
		return nil, err
	}
	bb, bNull, err := asTernary(b)
	if err != nil {
		return nil, err
	}
	switch e.op {
	case "AND":
		if !bNull && !bb {
			return false, nil
		}
		if aNull || bNull {
			return nil, nil
		}
		return true, nil
	case "OR":
		if !bNull && bb {
			return true, nil
		}
		if aNull || bNull {
			return nil, nil
		}
		return false, nil
	default:
		if aNull || bNull {
			return nil, nil
		}
		return ab != bb, nil
	}
}

// asTernary reads a boolean operand: null is reported as isNull.
func asTernary(v any) (val, isNull bool, err error) {
	switch x := v.(type) {
	case nil:
		return false, true, nil
	case bool:
		return x, false, nil
	}
	return false, false, typeError("Type mismatch: expected Boolean but was %s", typeName(v))
}

// compareOp evaluates <, <=, > or >= (null when not comparable).
func compareOp(op string, a, b any) any {
	c, ok := comparePartial(a, b)
	if !ok {
		return nil
	}
	if isNaN(a) || isNaN(b) {
		return false
	}
	switch op {
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	default:
		return c >= 0
	}
}

// inList evaluates a IN b.
func inList(a, b any) (any, error) {
	if b == nil {
		return nil, nil
	}
	list, ok := b.([]any)
	if !ok {
		return nil, typeError("Type mismatch: expected a List but was %s", typeName(b))
	}
	unknown := false
	for _, e := range list {
		eq, known := equalValues(a, e)
		if known && eq {
			return true, nil
		}
		unknown = unknown || !known
	}
	if unknown {
		return nil, nil
	}
	return false, nil
}

// stringPredicate evaluates STARTS WITH, ENDS WITH and CONTAINS.
func stringPredicate(op string, a, b any) any {
	as, ok1 := a.(string)
	bs, ok2 := b.(string)
	if !ok1 || !ok2 {
		return nil
	}
	switch op {
	case "STARTS WITH":
		return strings.HasPrefix(as, bs)
	case "ENDS WITH":
		return strings.HasSuffix(as, bs)
	default:
		return strings.Contains(as, bs)
	}
}

// isNullExpr is x IS NULL or x IS NOT NULL.
type isNullExpr struct {
	x   expr
	not bool
}

func (e *isNullExpr) children() []expr { return []expr{e.x} }

func (e *isNullExpr) eval(ec *execCtx, r row) (any, error) {
	v, err := e.x.eval(ec, r)
	if err != nil {
		return nil, err
	}
	return (v == nil) != e.not, nil
}

// caseExpr is CASE [subject] WHEN .. THEN .. [ELSE ..] END.
type caseExpr struct {
	subject expr // nil for the generic form
	whens   []expr
	thens   []expr
	orElse  expr
}

func (e *caseExpr) children() []expr {
	out := append([]expr{e.subject, e.orElse}, e.whens...)
	return append(out, e.thens...)
}

func (e *caseExpr) eval(ec *execCtx, r row) (any, error) {
	var subject any
	if e.subject != nil {
		v, err := e.subject.eval(ec, r)
		if err != nil {
			return nil, err
		}
		subject = v
	}
	for i, w := range e.whens {
		v, err := w.eval(ec, r)
		if err != nil {
			return nil, err
		}
		match := false
		if e.subject != nil {
			match, _ = equalValues(subject, v)
		} else {
			match = v == true
		}
		if match {
			return e.thens[i].eval(ec, r)
		}
	}
	if e.orElse == nil {
		return nil, nil
	}
	return e.orElse.eval(ec, r)
}

// funcExpr is a call of a scalar function, or of an aggregate before the
// projection replaces it by an aggRefExpr.
type funcExpr struct {
	name string // lower case
	args []expr
	fn   scalarFunc
}

func (e *funcExpr) children() []expr { return e.args }

func (e *funcExpr) eval(ec *execCtx, r row) (any, error) {
	if e.fn == nil {
		return nil, newError(CodeSyntaxError, "Invalid use of aggregating function %s(...) in this context", e.name)
	}
	args := make([]any, len(e.args))
	for i, a := range e.args {
		v, err := a.eval(ec, r)
		if err != nil {
			return nil, err
		}
		args[i] = v
	}
	return e.fn(ec, args)
}

// aggRefExpr reads an aggregate's result from its slot.
type aggRefExpr struct{ slot int }

func (e *aggRefExpr) eval(_ *execCtx, r row) (any, error) { return r[e.slot], nil }
func (e *aggRefExpr) children() []expr                    { return nil }
