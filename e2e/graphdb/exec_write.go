package graphdb

import (
	"slices"
	"strings"
)

// writer returns the write context, failing in a read transaction.
func (ec *execCtx) writer() (*writeCtx, error) {
	if ec.wc == nil {
		return nil, newError(CodeAccessMode, "Writing in read access mode not allowed")
	}
	return ec.wc, nil
}

// buildProps turns a map into a stored property list: keys sorted and
// interned, values checked and copied, nulls dropped.
func (wc *writeCtx) buildProps(m map[string]any) (propList, error) {
	props := make(propList, 0, len(m))
	for k, v := range m {
		if v == nil {
			continue
		}
		sv, err := storableProperty(k, v)
		if err != nil {
			return nil, err
		}
		props = append(props, property{key: wc.g.internKey(k), val: sv})
	}
	slices.SortFunc(props, func(a, b property) int { return strings.Compare(a.key, b.key) })
	return props, nil
}

// patternProps evaluates the inline properties of a pattern element.
func (ec *execCtx) patternProps(e expr, r row) (map[string]any, error) {
	if e == nil {
		return nil, nil
	}
	v, err := e.eval(ec, r)
	if err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok && v != nil {
		return nil, typeError("Properties of a node or relationship must be a Map, got %s", typeName(v))
	}
	return m, nil
}

// createPart creates the unbound nodes and all relationships of a pattern.
func (ec *execCtx) createPart(p *patternPart, r row) error {
	wc, err := ec.writer()
	if err != nil {
		return err
	}
	for _, np := range p.nodes {
		if cur := r[np.slot]; np.bound || cur != nil {
			ref, ok := cur.(nodeRef)
			if !ok {
				return newError("Neo.ClientError.Statement.SemanticError", "Failed to create relationship: node `%s` is %s", np.name, describe(cur))
			}
			if ec.v.node(int64(ref)) == nil {
				return entityGone("Node", int64(ref))
			}
			continue
		}
		m, err := ec.patternProps(np.props, r)
		if err != nil {
			return err
		}
		props, err := wc.buildProps(m)
		if err != nil {
			return err
		}
		id, cerr := wc.g.createNode(wc.w, np.labels, props)
		r[np.slot] = nodeRef(id)
		ec.stats.NodesCreated++
		ec.stats.LabelsAdded += int64(len(wc.g.nodes.at(id).labels.names))
		ec.stats.PropertiesSet += int64(len(props))
		if cerr != nil {
			return cerr
		}
	}
	for i, rp := range p.rels {
		a, b := int64(r[p.nodes[i].slot].(nodeRef)), int64(r[p.nodes[i+1].slot].(nodeRef))
		if rp.dir == dirIn {
			a, b = b, a
		}
		m, err := ec.patternProps(rp.props, r)
		if err != nil {
			return err
		}
		props, err := wc.buildProps(m)
		if err != nil {
			return err
		}
		id := wc.g.createRel(wc.w, rp.types[0], a, b, props)
		r[rp.slot] = relRef(id)
		ec.stats.RelationshipsCreated++
		ec.stats.PropertiesSet += int64(len(props))
	}
	if p.pathSlot >= 0 {
		path := &pathRef{}
		for _, n := range p.nodes {
			path.nodes = append(path.nodes, int64(r[n.slot].(nodeRef)))
		}
		for _, rp := range p.rels {
			path.rels = append(path.rels, int64(r[rp.slot].(relRef)))
		}
		r[p.pathSlot] = path
	}
	return nil
}

// createStage runs CREATE for each input row.
type createStage struct {
	c    *createClause
	ec   *execCtx
	next stage
}

func (c *createClause) newStage(ec *execCtx, next stage) (stage, error) {
	return &createStage{c: c, ec: ec, next: next}, nil
}

func (s *createStage) push(r row) error {
	for _, slot := range s.c.newSlots {
		r[slot] = nil
	}
	for _, p := range s.c.parts {
		if err := s.ec.createPart(p, r); err != nil {
			return err
		}
	}
	return s.next.push(r)
}

func (s *createStage) finish() error { return s.next.finish() }

// mergeStage runs MERGE for each input row.
type mergeStage struct {
	c    *mergeClause
	ec   *execCtx
	next stage
}

func (c *mergeClause) newStage(ec *execCtx, next stage) (stage, error) {
	return &mergeStage{c: c, ec: ec, next: next}, nil
}

func (s *mergeStage) push(r row) error {
	if err := s.checkNoNulls(r); err != nil {
		return err
	}
	var found []row
	err := s.c.run(s.ec, r, func(m row) error {
		found = append(found, slices.Clone(m))
		return nil
	})
	if err != nil {
		return err
	}
	if len(found) == 0 {
		if err := s.ec.createPart(s.c.parts[0], r); err != nil {
			return err
		}
		if err := s.ec.applySets(s.c.onCreate, r); err != nil {
			return err
		}
		return s.next.push(r)
	}
	for _, m := range found {
		if err := s.ec.applySets(s.c.onMatch, m); err != nil {
			return err
		}
		if err := s.next.push(m); err != nil {
			return err
		}
	}
	return nil
}

// checkNoNulls rejects MERGE patterns with null property values, as Neo4j
// does (they could never be matched again).
func (s *mergeStage) checkNoNulls(r row) error {
	p := s.c.parts[0]
	check := func(e expr, what string) error {
		m, ok := e.(*mapExpr)
		if !ok {
			return nil
		}
		for i, k := range m.keys {
			v, err := m.vals[i].eval(s.ec, r)
			if err != nil {
				return err
			}
			if v == nil {
				return newError("Neo.ClientError.Statement.SemanticError", "Cannot merge the following %s because of null property value for '%s'", what, k)
			}
		}
		return nil
	}
	for _, n := range p.nodes {
		if err := check(n.props, "node"); err != nil {
			return err
		}
	}
	for _, rp := range p.rels {
		if err := check(rp.props, "relationship"); err != nil {
			return err
		}
	}
	return nil
}

func (s *mergeStage) finish() error { return s.next.finish() }

// setStage runs SET or REMOVE for each input row.
type setStage struct {
	c    *setClause
	ec   *execCtx
	next stage
}

func (c *setClause) newStage(ec *execCtx, next stage) (stage, error) {
	return &setStage{c: c, ec: ec, next: next}, nil
}

func (s *setStage) push(r row) error {
	if err := s.ec.applySets(s.c.items, r); err != nil {
		return err
	}
	return s.next.push(r)
}

func (s *setStage) finish() error { return s.next.finish() }

// applySets performs SET items on the row's entities.
func (ec *execCtx) applySets(items []setItem, r row) error {
	for _, it := range items {
		if err := ec.applySet(it, r); err != nil {
			return err
		}
	}
	return nil
}

func (ec *execCtx) applySet(it setItem, r row) error {
	wc, err := ec.writer()
	if err != nil {
		return err
	}
	target := r[it.target]
	if target == nil {
		return nil
	}
	current, isEntity, err := entityProps(ec, target)
	if !isEntity {
		return typeError("Type mismatch: expected a node or relationship but was %s", typeName(target))
	}
	if err != nil {
		return err
	}
	val, err := it.val.eval(ec, r)
	if err != nil {
		return err
	}
	if it.kind == setProperty {
		return ec.setOne(wc, target, it.key, val)
	}
	m, err := ec.mapForSet(val)
	if err != nil {
		return err
	}
	if it.kind == setReplace {
		for _, k := range current.keys() {
			if _, keep := m[k.(string)]; !keep {
				if err := ec.setOne(wc, target, k.(string), nil); err != nil {
					return err
				}
			}
		}
	}
	keys := sortedKeys(m)
	for _, k := range keys {
		if err := ec.setOne(wc, target, k, m[k]); err != nil {
			return err
		}
	}
	return nil
}

// mapForSet reads the right-hand side of SET n = x / n += x.
func (ec *execCtx) mapForSet(v any) (map[string]any, error) {
	switch x := v.(type) {
	case nil:
		return map[string]any{}, nil
	case map[string]any:
		return x, nil
	case nodeRef, relRef:
		props, _, err := entityProps(ec, x)
		if err != nil {
			return nil, err
		}
		return props.toMap(), nil
	}
	return nil, typeError("Type mismatch: expected a map but was %s", typeName(v))
}

// setOne sets one property (val nil removes it) and counts it the way
// Neo4j does: every assignment of a value, and every removal of a property
// that existed.
func (ec *execCtx) setOne(wc *writeCtx, target any, key string, val any) error {
	current, _, err := entityProps(ec, target)
	if err != nil {
		return err
	}
	existed := current.get(key) != nil
	if val != nil {
		sv, err := storableProperty(key, val)
		if err != nil {
			return err
		}
		val = sv
	} else if !existed {
		return nil
	}
	var serr *Error
	switch t := target.(type) {
	case nodeRef:
		_, serr = wc.g.setNodeProperty(wc.w, int64(t), key, val)
	case relRef:
		_, serr = wc.g.setRelProperty(wc.w, int64(t), key, val)
	}
	if serr != nil {
		return serr
	}
	ec.stats.PropertiesSet++
	return nil
}

// deleteStage runs [DETACH] DELETE for each input row.
type deleteStage struct {
	c    *deleteClause
	ec   *execCtx
	next stage
}

func (c *deleteClause) newStage(ec *execCtx, next stage) (stage, error) {
	return &deleteStage{c: c, ec: ec, next: next}, nil
}

func (s *deleteStage) push(r row) error {
	for _, t := range s.c.targets {
		v, err := t.eval(s.ec, r)
		if err != nil {
			return err
		}
		if err := s.ec.deleteValue(v, s.c.detach); err != nil {
			return err
		}
	}
	return s.next.push(r)
}

func (s *deleteStage) finish() error { return s.next.finish() }

// deleteValue deletes a node, relationship or path.
func (ec *execCtx) deleteValue(v any, detach bool) error {
	wc, err := ec.writer()
	if err != nil {
		return err
	}
	switch x := v.(type) {
	case nil:
		return nil
	case relRef:
		if wc.g.deleteRel(wc.w, int64(x)) {
			ec.stats.RelationshipsDeleted++
		}
		return nil
	case nodeRef:
		if detach {
			for _, rel := range wc.g.visibleRels(ec.v, int64(x)) {
				if wc.g.deleteRel(wc.w, rel) {
					ec.stats.RelationshipsDeleted++
				}
			}
		} else {
			ec.deletedNodes = append(ec.deletedNodes, int64(x))
		}
		if wc.g.deleteNode(wc.w, int64(x)) {
			ec.stats.NodesDeleted++
		}
		return nil
	case *pathRef:
		for _, rel := range x.rels {
			if err := ec.deleteValue(relRef(rel), detach); err != nil {
				return err
			}
		}
		for _, n := range x.nodes {
			if err := ec.deleteValue(nodeRef(n), detach); err != nil {
				return err
			}
		}
		return nil
	}
	return typeError("Expected a Node, Relationship or Path to delete, but got %s", typeName(v))
}

// checkDeletedNodes fails when a node deleted without DETACH still has
// relationships once the statement is done.
func (ec *execCtx) checkDeletedNodes() error {
	if ec.wc == nil {
		return nil
	}
	for _, id := range ec.deletedNodes {
		if rels := ec.wc.g.visibleRels(ec.v, id); len(rels) > 0 {
			return newError(CodeConstraintValidation,
				"Cannot delete node<%d>, because it still has relationships. To delete this node, you must first delete its relationships.", id)
		}
	}
	return nil
}
