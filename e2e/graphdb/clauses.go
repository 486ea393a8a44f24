package graphdb

import "slices"

// clause is a compiled clause; each execution instantiates it as a stage.
type clause interface {
	newStage(ec *execCtx, next stage) (stage, error)
}

// unwindClause is UNWIND list AS x.
type unwindClause struct {
	list expr
	slot int
}

// seekPred is a predicate "node.key op val" usable to find candidate nodes
// in a property index; val does not depend on the clause's own variables.
type seekPred struct {
	key string
	op  string // "=", "IN", "<", "<=", ">", ">=", or "id" / "elementid" (key unused)
	val expr
}

// orderHint asks the matcher to produce a node's candidates ordered by a
// property (set when ORDER BY directly follows a single-node MATCH).
type orderHint struct {
	node *nodePat
	key  string
	desc bool
}

// matcher finds the bindings of a list of pattern parts.
type matcher struct {
	parts    []*patternPart
	newSlots []int
	seeks    map[*nodePat][]seekPred
	order    *orderHint
}

// matchClause is [OPTIONAL] MATCH patterns [WHERE pred].
type matchClause struct {
	matcher
	optional bool
	where    expr
	eager    bool // collect all matches before passing them on (the query writes)
}

// createClause is CREATE patterns.
type createClause struct {
	parts    []*patternPart
	newSlots []int
}

// mergeClause is MERGE pattern [ON CREATE SET ...] [ON MATCH SET ...].
type mergeClause struct {
	matcher
	onCreate []setItem
	onMatch  []setItem
}

// setKind distinguishes the SET forms.
type setKind int

const (
	setProperty setKind = iota // n.key = val
	setReplace                 // n = map
	setMerge                   // n += map
)

// setItem is one assignment of SET (or REMOVE, as a null assignment).
type setItem struct {
	kind   setKind
	target int // slot of the variable
	key    string
	val    expr
}

// setClause is SET items or REMOVE items.
type setClause struct {
	items []setItem
}

// deleteClause is [DETACH] DELETE exprs.
type deleteClause struct {
	detach  bool
	targets []expr
}

// projItem is one column of WITH or RETURN.
type projItem struct {
	expr expr
	text string // the expression as written: the default column name
	name string
	slot int
	kind varKind
}

// aggSpec is one aggregate call of a projection; its result goes to slot.
type aggSpec struct {
	name     string
	arg      expr
	distinct bool
	star     bool
	slot     int
}

// sortKey is one ORDER BY key.
type sortKey struct {
	expr expr
	desc bool
}

// projectClause is WITH or RETURN.
type projectClause struct {
	isReturn  bool
	distinct  bool
	items     []projItem
	aggs      []*aggSpec
	order     []sortKey
	skip      expr
	limit     expr
	where     expr
	presorted bool // the input already arrives in ORDER BY order
	canStop   bool // no update precedes it: it may stop its input early
}

// conjuncts splits a predicate into its AND-ed parts.
func conjuncts(e expr) []expr {
	if b, ok := e.(*binaryExpr); ok && b.op == "AND" {
		return append(conjuncts(b.l), conjuncts(b.r)...)
	}
	if e == nil {
		return nil
	}
	return []expr{e}
}

// usesSlots reports whether e reads any of slots.
func usesSlots(e expr, slots []int) bool {
	found := false
	walkExpr(e, func(x expr) bool {
		switch v := x.(type) {
		case *varExpr:
			found = found || slices.Contains(slots, v.slot)
		case *aggRefExpr:
			found = found || slices.Contains(slots, v.slot)
		}
		return !found
	})
	return found
}

// flippedOps turns "val op n.key" into "n.key op' val".
var flippedOps = map[string]string{"=": "=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}

// planSeeks records, for every labelled node not bound by an earlier
// clause, the predicates an index can answer: inline properties and WHERE
// conjuncts comparing one of its properties with a value computed without
// this clause's variables.
func (m *matcher) planSeeks(where expr, newSlots []int) {
	m.seeks = make(map[*nodePat][]seekPred)
	preds := conjuncts(where)
	for _, part := range m.parts {
		for _, n := range part.nodes {
			if n.bound {
				continue
			}
			for _, c := range preds {
				if sp, ok := idSeekFor(c, n, newSlots); ok {
					m.seeks[n] = append(m.seeks[n], sp)
				}
			}
			if len(n.labels) == 0 {
				continue
			}
			if mp, ok := n.props.(*mapExpr); ok {
				for i, k := range mp.keys {
					if !usesSlots(mp.vals[i], newSlots) {
						m.seeks[n] = append(m.seeks[n], seekPred{key: k, op: "=", val: mp.vals[i]})
					}
				}
			}
			for _, c := range preds {
				if sp, ok := seekFor(c, n, newSlots); ok {
					m.seeks[n] = append(m.seeks[n], sp)
				}
			}
		}
	}
}

// idSeekFor recognizes "id(n) = val" and "elementId(n) = val" (either
// side), which find the node directly.
func idSeekFor(c expr, n *nodePat, newSlots []int) (seekPred, bool) {
	b, ok := c.(*binaryExpr)
	if !ok || b.op != "=" {
		return seekPred{}, false
	}
	for _, side := range [][2]expr{{b.l, b.r}, {b.r, b.l}} {
		f, ok := side[0].(*funcExpr)
		if !ok || f.name != "id" && f.name != "elementid" || len(f.args) != 1 || usesSlots(side[1], newSlots) {
			continue
		}
		if v, ok := f.args[0].(*varExpr); ok && v.slot == n.slot {
			return seekPred{op: f.name, val: side[1]}, true
		}
	}
	return seekPred{}, false
}

// seekFor recognizes "n.key op val" (or "val op n.key") in c.
func seekFor(c expr, n *nodePat, newSlots []int) (seekPred, bool) {
	b, ok := c.(*binaryExpr)
	if !ok {
		return seekPred{}, false
	}
	if _, known := flippedOps[b.op]; !known && b.op != "IN" {
		return seekPred{}, false
	}
	if key, ok := propOfNode(b.l, n); ok && !usesSlots(b.r, newSlots) {
		return seekPred{key: key, op: b.op, val: b.r}, true
	}
	if b.op == "IN" {
		return seekPred{}, false
	}
	if key, ok := propOfNode(b.r, n); ok && !usesSlots(b.l, newSlots) {
		return seekPred{key: key, op: flippedOps[b.op], val: b.l}, true
	}
	return seekPred{}, false
}

// propOfNode matches "n.key" for the node pattern n.
func propOfNode(e expr, n *nodePat) (string, bool) {
	p, ok := e.(*propExpr)
	if !ok {
		return "", false
	}
	v, ok := p.target.(*varExpr)
	if !ok || v.slot != n.slot {
		return "", false
	}
	return p.key, true
}
