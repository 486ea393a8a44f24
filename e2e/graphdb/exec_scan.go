package graphdb

// candidates calls fn with the ids of the nodes that may match np: the
// bound node, an index seek or ordered scan, a label scan, or every node.
// Callers check each candidate fully (bindNode and WHERE).
func (mr *matchRun) candidates(np *nodePat, fn func(int64) error) error {
	if cur := mr.r[np.slot]; np.bound || cur != nil {
		if ref, ok := cur.(nodeRef); ok {
			return fn(int64(ref))
		}
		return nil
	}
	for _, sp := range mr.m.seeks[np] {
		if sp.op == "id" || sp.op == "elementid" {
			return mr.seekID(sp, fn)
		}
	}
	if len(np.labels) == 0 {
		n := mr.ec.v.g.nextNode
		for id := int64(0); id < n; id++ {
			if err := mr.ec.tick(); err != nil {
				return err
			}
			if err := fn(id); err != nil {
				return err
			}
		}
		return nil
	}
	preds := mr.m.seeks[np]
	for _, sp := range preds {
		if sp.op == "=" || sp.op == "IN" {
			return mr.seekEqual(np, sp, fn)
		}
	}
	if h := mr.m.order; h != nil && h.node == np {
		return mr.scanIndex(np, h.key, h.desc, fn)
	}
	for _, sp := range preds {
		if sp.op != "=" && sp.op != "IN" {
			return mr.scanIndex(np, sp.key, false, fn)
		}
	}
	return mr.labelScan(np, fn)
}

// seekID finds the node named by id(n) = v or elementId(n) = v.
func (mr *matchRun) seekID(sp seekPred, fn func(int64) error) error {
	v, err := sp.val.eval(mr.ec, mr.r)
	if err != nil {
		return err
	}
	if sp.op == "elementid" {
		s, ok := v.(string)
		if !ok {
			return nil
		}
		id, ok := mr.ec.parseElementID('4', s)
		if !ok {
			return nil
		}
		return fn(id)
	}
	switch id := v.(type) {
	case int64:
		return fn(id)
	case float64:
		if id == float64(int64(id)) {
			return fn(int64(id))
		}
	}
	return nil
}

// labelScan visits the nodes of np's smallest label in id order.
func (mr *matchRun) labelScan(np *nodePat, fn func(int64) error) error {
	g := mr.ec.v.g
	var ids []int64
	for i, l := range np.labels {
		list := g.labels[l]
		if list == nil {
			return nil
		}
		if i == 0 || len(list.ids) < len(ids) {
			ids = list.ids
		}
	}
	for _, id := range ids {
		if err := mr.ec.tick(); err != nil {
			return err
		}
		if err := fn(id); err != nil {
			return err
		}
	}
	return nil
}

// indexVisitor adapts fn to an index scan: it skips stale entries (the
// node is not visible, lacks the label, or now has another value) and
// keeps the first error.
func (mr *matchRun) indexVisitor(label, key string, seen map[int64]bool, err *error, fn func(int64) error) func(indexEntry) bool {
	v := mr.ec.v
	return func(e indexEntry) bool {
		if *err = mr.ec.tick(); *err != nil {
			return false
		}
		ver := v.node(e.id)
		if ver == nil || !v.nodeLabels(e.id).has(label) || !strictEqual(ver.props.get(key), e.val) {
			return true
		}
		if seen != nil {
			if seen[e.id] {
				return true
			}
			seen[e.id] = true
		}
		*err = fn(e.id)
		return *err == nil
	}
}

// seekEqual finds the nodes whose property equals the predicate's value
// (or one of the values of an IN list).
func (mr *matchRun) seekEqual(np *nodePat, sp seekPred, fn func(int64) error) error {
	val, err := sp.val.eval(mr.ec, mr.r)
	if err != nil || val == nil {
		return err
	}
	values := []any{val}
	if sp.op == "IN" {
		list, ok := val.([]any)
		if !ok {
			return mr.labelScan(np, fn) // WHERE reports the type error
		}
		values = list
	}
	label := np.labels[0]
	ix := mr.ec.v.g.index(label, sp.key)
	var seen map[int64]bool
	if len(values) > 1 {
		seen = make(map[int64]bool)
	}
	var visitErr error
	visit := mr.indexVisitor(label, sp.key, seen, &visitErr, fn)
	for _, v := range values {
		if v == nil {
			continue
		}
		b := &rangeBound{val: v, inclusive: true}
		ix.scan(b, b, false, visit)
		if visitErr != nil {
			return visitErr
		}
	}
	return nil
}

// scanIndex visits np's nodes in the order of property key, restricted by
// the range predicates on that key.
func (mr *matchRun) scanIndex(np *nodePat, key string, desc bool, fn func(int64) error) error {
	var lo, hi *rangeBound
	for _, sp := range mr.m.seeks[np] {
		if sp.key != key || sp.op == "=" || sp.op == "IN" {
			continue
		}
		v, err := sp.val.eval(mr.ec, mr.r)
		if err != nil || v == nil {
			return err // a null bound matches nothing
		}
		b := &rangeBound{val: v, inclusive: sp.op == ">=" || sp.op == "<="}
		switch sp.op {
		case ">", ">=":
			if lo == nil {
				lo = b
			}
		default:
			if hi == nil {
				hi = b
			}
		}
	}
	label := np.labels[0]
	var visitErr error
	mr.ec.v.g.index(label, key).scan(lo, hi, desc, mr.indexVisitor(label, key, nil, &visitErr, fn))
	return visitErr
}
