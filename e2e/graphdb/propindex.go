package graphdb

// indexKey names a property index: nodes with label, ordered by property key.
type indexKey struct {
	label string
	key   string
}

// propIndex orders the nodes of one label by one property. It holds an
// entry (value, id) for every value any retained version of the node had,
// null included for versions without the property, so it covers every node
// of the label. Entries may be stale; readers keep an entry only when the
// node they see has the label and exactly that value.
type propIndex struct {
	indexKey
	set sortedSet
}

// rangeBound is one end of a range scan.
type rangeBound struct {
	val       any
	inclusive bool
}

// index returns the property index for (label, key), building it from the
// stored versions when it does not exist yet. Callers hold g.mu (read or
// write), so no writer changes the graph while an index is built.
func (g *graph) index(label, key string) *propIndex {
	k := indexKey{label, key}
	g.idxMu.Lock()
	defer g.idxMu.Unlock()
	if ix, ok := g.indexes[k]; ok {
		return ix
	}
	ix := &propIndex{indexKey: k}
	if list := g.labels[label]; list != nil {
		for _, id := range list.ids {
			rec := g.nodes.at(id)
			if rec == nil || id >= g.nextNode {
				continue
			}
			for _, ver := range rec.versions {
				if !ver.deleted {
					ix.set.insert(indexEntry{val: ver.props.get(key), id: id})
				}
			}
		}
	}
	g.indexes[k] = ix
	g.byLabel[label] = append(g.byLabel[label], ix)
	return ix
}

// indexesOf returns the property indexes of label.
func (g *graph) indexesOf(label string) []*propIndex {
	g.idxMu.Lock()
	defer g.idxMu.Unlock()
	return g.byLabel[label]
}

// scan calls fn with the entries between lo and hi (either may be nil), in
// ascending order or, with desc, descending. With a bound, only values of
// the bound's type group are visited, because comparisons between types
// never hold in Cypher. fn returns false to stop.
func (ix *propIndex) scan(lo, hi *rangeBound, desc bool, fn func(indexEntry) bool) {
	rank := -1
	switch {
	case lo != nil:
		rank = typeRank(lo.val)
	case hi != nil:
		rank = typeRank(hi.val)
	}
	inRange := func(e indexEntry) bool {
		if rank >= 0 && typeRank(e.val) != rank {
			return false
		}
		if lo != nil {
			if c := orderCompare(e.val, lo.val); c < 0 || c == 0 && !lo.inclusive {
				return false
			}
		}
		if hi != nil {
			if c := orderCompare(e.val, hi.val); c > 0 || c == 0 && !hi.inclusive {
				return false
			}
		}
		return true
	}
	s := &ix.set
	if !desc {
		cur := s.first()
		switch {
		case lo != nil:
			cur = s.seek(func(e indexEntry) bool {
				c := orderCompare(e.val, lo.val)
				return c < 0 || c == 0 && !lo.inclusive
			})
		case rank >= 0:
			cur = s.seek(func(e indexEntry) bool { return typeRank(e.val) < rank })
		}
		for ; cur.valid(); cur.next() {
			e := cur.entry()
			if !inRange(e) {
				return
			}
			if !fn(e) {
				return
			}
		}
		return
	}
	cur := s.last()
	switch {
	case hi != nil:
		cur = s.seek(func(e indexEntry) bool {
			c := orderCompare(e.val, hi.val)
			return c < 0 || c == 0 && hi.inclusive
		})
		cur.prev()
	case rank >= 0:
		cur = s.seek(func(e indexEntry) bool { return typeRank(e.val) <= rank })
		cur.prev()
	}
	for ; cur.valid(); cur.prev() {
		e := cur.entry()
		if !inRange(e) {
			return
		}
		if !fn(e) {
			return
		}
	}
}
