package graphdb

import (
	"slices"
)

// predicate evaluates a WHERE condition: only true passes.
func predicate(ec *execCtx, e expr, r row) (bool, error) {
	v, err := e.eval(ec, r)
	if err != nil {
		return false, err
	}
	if v != nil {
		if _, ok := v.(bool); !ok {
			return false, typeError("Type mismatch: expected Boolean but was %s", typeName(v))
		}
	}
	return v == true, nil
}

// matchStage runs a MATCH clause for each input row.
type matchStage struct {
	c    *matchClause
	ec   *execCtx
	next stage
}

func (c *matchClause) newStage(ec *execCtx, next stage) (stage, error) {
	return &matchStage{c: c, ec: ec, next: next}, nil
}

func (s *matchStage) push(r row) error {
	matched := false
	filter := func(r row) (bool, error) {
		if err := s.ec.tick(); err != nil {
			return false, err
		}
		if s.c.where == nil {
			return true, nil
		}
		return predicate(s.ec, s.c.where, r)
	}
	if s.c.eager {
		var rows []row
		err := s.c.run(s.ec, r, func(r row) error {
			ok, err := filter(r)
			if ok {
				rows = append(rows, slices.Clone(r))
			}
			return err
		})
		if err != nil {
			return err
		}
		for _, m := range rows {
			matched = true
			if err := s.next.push(m); err != nil {
				return err
			}
		}
	} else {
		err := s.c.run(s.ec, r, func(r row) error {
			ok, err := filter(r)
			if !ok || err != nil {
				return err
			}
			matched = true
			return s.next.push(r)
		})
		if err != nil {
			return err
		}
	}
	if s.c.optional && !matched {
		for _, slot := range s.c.newSlots {
			r[slot] = nil
		}
		return s.next.push(r)
	}
	return nil
}

func (s *matchStage) finish() error { return s.next.finish() }

// matchRun is one enumeration of a matcher's bindings for one input row.
type matchRun struct {
	m    *matcher
	ec   *execCtx
	r    row
	emit func(row) error
	used []int64 // relationships bound so far (each may be used once)
}

// step walks relationship rel from node from to node to.
type step struct {
	rel, from, to int
	forward       bool
}

// run calls emit with r extended by every binding of the pattern parts.
// The clause's own slots are cleared first.
func (m *matcher) run(ec *execCtx, r row, emit func(row) error) error {
	for _, s := range m.newSlots {
		r[s] = nil
	}
	mr := &matchRun{m: m, ec: ec, r: r, emit: emit}
	return mr.part(0)
}

// part enumerates the bindings of parts[i:].
func (mr *matchRun) part(i int) error {
	if i == len(mr.m.parts) {
		return mr.emit(mr.r)
	}
	p := mr.m.parts[i]
	s := mr.startIndex(p)
	var steps []step
	for j := s; j < len(p.rels); j++ {
		steps = append(steps, step{rel: j, from: j, to: j + 1, forward: true})
	}
	for j := s - 1; j >= 0; j-- {
		steps = append(steps, step{rel: j, from: j + 1, to: j})
	}
	np := p.nodes[s]
	return mr.candidates(np, func(id int64) error {
		assigned, ok, err := mr.bindNode(np, id)
		if !ok || err != nil {
			return err
		}
		err = mr.walk(p, steps, 0, i)
		if assigned {
			mr.r[np.slot] = nil
		}
		return err
	})
}

// startIndex picks the node a part's enumeration starts from: one already
// bound, else one an index can find, else one with a label.
func (mr *matchRun) startIndex(p *patternPart) int {
	for i, n := range p.nodes {
		if n.bound || mr.r[n.slot] != nil {
			return i
		}
	}
	for i, n := range p.nodes {
		if len(mr.m.seeks[n]) > 0 {
			return i
		}
	}
	for i, n := range p.nodes {
		if len(n.labels) > 0 {
			return i
		}
	}
	return 0
}

// walk follows steps[k:] and then continues with the next part.
func (mr *matchRun) walk(p *patternPart, steps []step, k int, partIndex int) error {
	if k == len(steps) {
		if p.pathSlot < 0 {
			return mr.part(partIndex + 1)
		}
		path := &pathRef{nodes: make([]int64, len(p.nodes)), rels: make([]int64, len(p.rels))}
		for i, n := range p.nodes {
			path.nodes[i] = int64(mr.r[n.slot].(nodeRef))
		}
		for i, rp := range p.rels {
			path.rels[i] = int64(mr.r[rp.slot].(relRef))
		}
		mr.r[p.pathSlot] = path
		err := mr.part(partIndex + 1)
		mr.r[p.pathSlot] = nil
		return err
	}
	st := steps[k]
	rp := p.rels[st.rel]
	from := int64(mr.r[p.nodes[st.from].slot].(nodeRef))
	target := p.nodes[st.to]
	try := func(relID, other int64) error {
		if err := mr.ec.tick(); err != nil {
			return err
		}
		if slices.Contains(mr.used, relID) {
			return nil
		}
		if ok, err := mr.relMatches(rp, relID); !ok || err != nil {
			return err
		}
		assigned, ok, err := mr.bindNode(target, other)
		if !ok || err != nil {
			return err
		}
		relAssigned := mr.r[rp.slot] == nil
		mr.r[rp.slot] = relRef(relID)
		mr.used = append(mr.used, relID)
		err = mr.walk(p, steps, k+1, partIndex)
		mr.used = mr.used[:len(mr.used)-1]
		if relAssigned {
			mr.r[rp.slot] = nil
		}
		if assigned {
			mr.r[target.slot] = nil
		}
		return err
	}
	// Direction of the wanted relationship as seen from the node walked from.
	dir := rp.dir
	if !st.forward {
		dir = -dir
	}
	if cur := mr.r[rp.slot]; rp.bound || cur != nil {
		relID, ok := cur.(relRef)
		if !ok {
			return nil
		}
		_, rec := mr.ec.v.rel(int64(relID))
		if rec == nil {
			return nil
		}
		if (dir == dirOut || dir == dirBoth) && rec.start == from {
			if err := try(int64(relID), rec.end); err != nil {
				return err
			}
		}
		if (dir == dirIn || dir == dirBoth) && rec.end == from && !(dir == dirBoth && rec.start == rec.end) {
			return try(int64(relID), rec.start)
		}
		return nil
	}
	node := mr.ec.v.g.nodes.at(from)
	if node == nil || node.adj == nil {
		return nil
	}
	if dir == dirOut || dir == dirBoth {
		for _, relID := range node.adj.out {
			_, rec := mr.ec.v.rel(relID)
			if rec == nil {
				continue
			}
			if err := try(relID, rec.end); err != nil {
				return err
			}
		}
	}
	if dir == dirIn || dir == dirBoth {
		for _, relID := range node.adj.in {
			_, rec := mr.ec.v.rel(relID)
			if rec == nil || dir == dirBoth && rec.start == rec.end {
				continue
			}
			if err := try(relID, rec.start); err != nil {
				return err
			}
		}
	}
	return nil
}

// bindNode checks node id against pattern node np and binds it unless the
// variable already holds it. assigned reports a new binding to undo.
func (mr *matchRun) bindNode(np *nodePat, id int64) (assigned, ok bool, err error) {
	cur := mr.r[np.slot]
	if np.bound || cur != nil {
		if ref, isNode := cur.(nodeRef); !isNode || int64(ref) != id {
			return false, false, nil
		}
	}
	ver := mr.ec.v.node(id)
	if ver == nil {
		return false, false, nil
	}
	if len(np.labels) > 0 {
		labels := mr.ec.v.nodeLabels(id)
		for _, l := range np.labels {
			if !labels.has(l) {
				return false, false, nil
			}
		}
	}
	if np.props != nil {
		if ok, err := propsMatch(mr.ec, mr.r, np.props, ver.props); !ok || err != nil {
			return false, false, err
		}
	}
	if cur == nil {
		mr.r[np.slot] = nodeRef(id)
		return true, true, nil
	}
	return false, true, nil
}

// relMatches checks a relationship's visibility, type and properties.
func (mr *matchRun) relMatches(rp *relPat, id int64) (bool, error) {
	ver, rec := mr.ec.v.rel(id)
	if ver == nil {
		return false, nil
	}
	if len(rp.types) > 0 && !slices.Contains(rp.types, rec.typ) {
		return false, nil
	}
	if rp.props != nil {
		return propsMatch(mr.ec, mr.r, rp.props, ver.props)
	}
	return true, nil
}

// propsMatch checks inline pattern properties ({k: v} or $map) against
// stored ones: every key must be equal (null never matches).
func propsMatch(ec *execCtx, r row, props expr, stored propList) (bool, error) {
	if m, ok := props.(*mapExpr); ok {
		for i, k := range m.keys {
			want, err := m.vals[i].eval(ec, r)
			if err != nil {
				return false, err
			}
			if eq, _ := equalValues(stored.get(k), want); !eq {
				return false, nil
			}
		}
		return true, nil
	}
	v, err := props.eval(ec, r)
	if err != nil {
		return false, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		if v == nil {
			return false, nil
		}
		return false, typeError("Parameter provided for node or relationship properties must be a Map, got %s", typeName(v))
	}
	for k, want := range m {
		if eq, _ := equalValues(stored.get(k), want); !eq {
			return false, nil
		}
	}
	return true, nil
}
