package graphdb

import "slices"

// writeState is the undo information of the open write transaction: what
// it added to the shared graph, so that rollback removes exactly that and
// commit stamps exactly that. It is only used with graph.mu held for writing.
type writeState struct {
	snapshot     int64 // the last committed transaction when the lock was taken
	firstNode    int64 // node ids from here on were allocated by this transaction
	firstRel     int64
	touchedNodes []int64 // nodes given a pending version, in order
	touchedRels  []int64
	indexAdded   []indexUndo
	labelLists   []*labelList // lists this transaction appended to
	schemaUndo   []func()
}

// indexUndo is an index entry a transaction inserted.
type indexUndo struct {
	ix *propIndex
	e  indexEntry
}

func newWriteState(g *graph, snapshot int64) *writeState {
	return &writeState{snapshot: snapshot, firstNode: g.nextNode, firstRel: g.nextRel}
}

// writerView is the view of the write transaction.
func (w *writeState) view(g *graph) *view {
	return &view{g: g, snapshot: w.snapshot, writer: true}
}

// addIndexEntry inserts an entry and remembers it for rollback.
func (w *writeState) addIndexEntry(ix *propIndex, e indexEntry) {
	if ix.set.insert(e) {
		w.indexAdded = append(w.indexAdded, indexUndo{ix: ix, e: e})
	}
}

// createNode allocates a node with labels and props (already interned
// keys and storable values) as a pending version.
func (g *graph) createNode(w *writeState, labels []string, props propList) (int64, *Error) {
	id := g.nextNode
	g.nextNode++
	rec := g.nodes.ensure(id)
	*rec = nodeRecord{labels: g.internLabels(labels), versions: []nodeVersion{{txID: pendingTx, props: props}}}
	w.touchedNodes = append(w.touchedNodes, id)
	for _, label := range rec.labels.names {
		list := g.labels[label]
		if list == nil {
			list = &labelList{}
			g.labels[label] = list
		}
		if !slices.Contains(w.labelLists, list) {
			w.labelLists = append(w.labelLists, list)
		}
		list.ids = append(list.ids, id)
		for _, ix := range g.indexesOf(label) {
			w.addIndexEntry(ix, indexEntry{val: props.get(ix.key), id: id})
		}
	}
	for _, p := range props {
		if err := g.checkUnique(w, id, rec.labels, p.key, p.val); err != nil {
			return id, err
		}
	}
	return id, nil
}

// pendingNode returns the pending version of a node visible to the writer,
// creating it as a copy of the committed one; nil if the node is not
// visible.
func (g *graph) pendingNode(w *writeState, id int64) *nodeVersion {
	rec := g.nodes.at(id)
	if rec == nil || id >= g.nextNode || len(rec.versions) == 0 {
		return nil
	}
	last := &rec.versions[len(rec.versions)-1]
	if last.txID == pendingTx {
		if last.deleted {
			return nil
		}
		return last
	}
	if last.deleted || last.txID > w.snapshot {
		return nil
	}
	rec.versions = append(rec.versions, nodeVersion{txID: pendingTx, props: slices.Clone(last.props)})
	w.touchedNodes = append(w.touchedNodes, id)
	return &rec.versions[len(rec.versions)-1]
}

// setNodeProperty sets (or, with val nil, removes) a property of a visible
// node and reports whether the stored value changed.
func (g *graph) setNodeProperty(w *writeState, id int64, key string, val any) (bool, *Error) {
	ver := g.pendingNode(w, id)
	if ver == nil {
		return false, newError(CodeEntityNotFound, "Node with id %d has been deleted in this transaction", id)
	}
	if strictEqual(ver.props.get(key), val) {
		return false, nil
	}
	key = g.internKey(key)
	ver.props, _ = ver.props.set(key, val)
	labels := g.nodes.at(id).labels
	for _, label := range labels.names {
		for _, ix := range g.indexesOf(label) {
			if ix.key == key {
				w.addIndexEntry(ix, indexEntry{val: val, id: id})
			}
		}
	}
	if err := g.checkUnique(w, id, labels, key, val); err != nil {
		return true, err
	}
	return true, nil
}

// deleteNode marks a visible node deleted and reports whether it was
// visible.
func (g *graph) deleteNode(w *writeState, id int64) bool {
	ver := g.pendingNode(w, id)
	if ver == nil {
		return false
	}
	ver.deleted = true
	ver.props = nil
	return true
}

// createRel allocates a relationship as a pending version.
func (g *graph) createRel(w *writeState, typ string, start, end int64, props propList) int64 {
	id := g.nextRel
	g.nextRel++
	rec := g.rels.ensure(id)
	*rec = relRecord{typ: g.internKey(typ), start: start, end: end, versions: []relVersion{{txID: pendingTx, props: props}}}
	w.touchedRels = append(w.touchedRels, id)
	s := g.nodes.at(start)
	if s.adj == nil {
		s.adj = &adjacency{}
	}
	s.adj.out = append(s.adj.out, id)
	e := g.nodes.at(end)
	if e.adj == nil {
		e.adj = &adjacency{}
	}
	e.adj.in = append(e.adj.in, id)
	return id
}

// pendingRel returns the pending version of a visible relationship.
func (g *graph) pendingRel(w *writeState, id int64) *relVersion {
	rec := g.rels.at(id)
	if rec == nil || id >= g.nextRel || len(rec.versions) == 0 {
		return nil
	}
	last := &rec.versions[len(rec.versions)-1]
	if last.txID == pendingTx {
		if last.deleted {
			return nil
		}
		return last
	}
	if last.deleted || last.txID > w.snapshot {
		return nil
	}
	rec.versions = append(rec.versions, relVersion{txID: pendingTx, props: slices.Clone(last.props)})
	w.touchedRels = append(w.touchedRels, id)
	return &rec.versions[len(rec.versions)-1]
}

// setRelProperty sets or removes a property of a visible relationship.
func (g *graph) setRelProperty(w *writeState, id int64, key string, val any) (bool, *Error) {
	ver := g.pendingRel(w, id)
	if ver == nil {
		return false, newError(CodeEntityNotFound, "Relationship with id %d has been deleted in this transaction", id)
	}
	if strictEqual(ver.props.get(key), val) {
		return false, nil
	}
	ver.props, _ = ver.props.set(g.internKey(key), val)
	return true, nil
}

// deleteRel marks a visible relationship deleted.
func (g *graph) deleteRel(w *writeState, id int64) bool {
	ver := g.pendingRel(w, id)
	if ver == nil {
		return false
	}
	ver.deleted = true
	ver.props = nil
	return true
}

// visibleRels returns the relationships of a node visible in v, each once
// (a self-loop is in both adjacency lists).
func (g *graph) visibleRels(v *view, id int64) []int64 {
	rec := g.nodes.at(id)
	if rec == nil || rec.adj == nil {
		return nil
	}
	var out []int64
	for _, r := range rec.adj.out {
		if ver, _ := v.rel(r); ver != nil {
			out = append(out, r)
		}
	}
	for _, r := range rec.adj.in {
		if ver, rr := v.rel(r); ver != nil && rr.start != rr.end {
			out = append(out, r)
		}
	}
	return out
}

// checkUnique fails when a uniqueness constraint on (label, key) of one of
// labels is violated by another node the writer sees with an equal value.
func (g *graph) checkUnique(w *writeState, id int64, labels *labelSet, key string, val any) *Error {
	if val == nil {
		return nil
	}
	for _, label := range labels.names {
		name, ok := g.schema.unique[indexKey{label, key}]
		if !ok {
			continue
		}
		if other, found := g.findEqual(w.view(g), label, key, val, id); found {
			return newError(CodeConstraintValidation,
				"Node(%d) already exists with label `%s` and property `%s` = %s (constraint %s)",
				other, label, key, describe(val), name)
		}
	}
	return nil
}

// findEqual returns a node other than except, visible in v, with label and
// a value of key equal to val.
func (g *graph) findEqual(v *view, label, key string, val any, except int64) (int64, bool) {
	found, foundID := false, int64(0)
	bound := &rangeBound{val: val, inclusive: true}
	g.index(label, key).scan(bound, bound, false, func(e indexEntry) bool {
		if e.id == except {
			return true
		}
		ver := v.node(e.id)
		if ver == nil || !v.nodeLabels(e.id).has(label) {
			return true
		}
		if eq, _ := equalValues(ver.props.get(key), val); eq {
			found, foundID = true, e.id
			return false
		}
		return true
	})
	return foundID, found
}

// rollback removes everything the write transaction added.
func (g *graph) rollback(w *writeState) {
	for i := len(w.indexAdded) - 1; i >= 0; i-- {
		u := w.indexAdded[i]
		u.ix.set.remove(u.e)
	}
	for i := len(w.touchedRels) - 1; i >= 0; i-- {
		id := w.touchedRels[i]
		rec := g.rels.at(id)
		if id >= w.firstRel {
			g.unlinkRel(rec, id)
			*rec = relRecord{}
			continue
		}
		rec.versions = rec.versions[:len(rec.versions)-1]
	}
	for i := len(w.touchedNodes) - 1; i >= 0; i-- {
		id := w.touchedNodes[i]
		rec := g.nodes.at(id)
		if id >= w.firstNode {
			*rec = nodeRecord{}
			continue
		}
		rec.versions = rec.versions[:len(rec.versions)-1]
	}
	for _, list := range w.labelLists {
		for len(list.ids) > 0 && list.ids[len(list.ids)-1] >= w.firstNode {
			list.ids = list.ids[:len(list.ids)-1]
		}
	}
	for i := len(w.schemaUndo) - 1; i >= 0; i-- {
		w.schemaUndo[i]()
	}
	g.nextNode, g.nextRel = w.firstNode, w.firstRel
}

// unlinkRel removes a relationship from the adjacency of its end nodes.
func (g *graph) unlinkRel(rec *relRecord, id int64) {
	if s := g.nodes.at(rec.start); s != nil && s.adj != nil {
		s.adj.out = removeID(s.adj.out, id)
	}
	if e := g.nodes.at(rec.end); e != nil && e.adj != nil {
		e.adj.in = removeID(e.adj.in, id)
	}
}

// removeID deletes id from list, searching from the end where new ids are.
func removeID(list []int64, id int64) []int64 {
	for i := len(list) - 1; i >= 0; i-- {
		if list[i] == id {
			return slices.Delete(list, i, i+1)
		}
	}
	return list
}

// commit stamps every pending version with txID and queues the records
// that now have superseded versions for garbage collection.
func (g *graph) commit(w *writeState, txID int64) {
	// Entries this transaction added for values its nodes no longer have
	// (changed again, or the node was deleted) describe no version at all.
	for _, u := range w.indexAdded {
		rec := g.nodes.at(u.e.id)
		last := &rec.versions[len(rec.versions)-1]
		if last.deleted || !strictEqual(last.props.get(u.ix.key), u.e.val) {
			u.ix.set.remove(u.e)
		}
	}
	for _, id := range w.touchedNodes {
		rec := g.nodes.at(id)
		rec.versions[len(rec.versions)-1].txID = txID
		if len(rec.versions) > 1 || rec.versions[0].deleted {
			g.gc = append(g.gc, gcItem{txID: txID, id: id})
		}
	}
	for _, id := range w.touchedRels {
		rec := g.rels.at(id)
		rec.versions[len(rec.versions)-1].txID = txID
		if len(rec.versions) > 1 || rec.versions[0].deleted {
			g.gc = append(g.gc, gcItem{txID: txID, id: id, rel: true})
		}
	}
}
