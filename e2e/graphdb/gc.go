package graphdb

import "slices"

// gcItem names a record that got a new version (or was deleted) in
// transaction txID; once no reader can need the older versions, they are
// dropped.
type gcItem struct {
	txID int64
	id   int64
	rel  bool
}

// collectGarbage prunes the queued records whose transaction is at or below
// lowWater: the oldest snapshot any replica or open transaction reads. It
// runs with g.mu held for writing, before the write transaction changes
// anything, so no pending version exists.
func (g *graph) collectGarbage(lowWater int64) {
	n := 0
	for n < len(g.gc) && g.gc[n].txID <= lowWater {
		item := g.gc[n]
		if item.rel {
			g.pruneRel(item.id, lowWater)
		} else {
			g.pruneNode(item.id, lowWater)
		}
		n++
	}
	if n > 0 {
		g.gc = slices.Delete(g.gc, 0, n)
	}
}

// newestAtOrBelow returns the index of the newest committed version with a
// transaction id at or below lowWater, or -1.
func newestAtOrBelow(txIDs func(i int) int64, n int, lowWater int64) int {
	for i := n - 1; i >= 0; i-- {
		if t := txIDs(i); t != pendingTx && t <= lowWater {
			return i
		}
	}
	return -1
}

// pruneNode drops the versions of a node no reader can see any more, and
// frees the node when its deletion is visible to every reader.
func (g *graph) pruneNode(id int64, lowWater int64) {
	rec := g.nodes.at(id)
	if rec == nil || len(rec.versions) == 0 {
		return
	}
	k := newestAtOrBelow(func(i int) int64 { return rec.versions[i].txID }, len(rec.versions), lowWater)
	if k < 0 {
		return
	}
	dropped, kept := rec.versions[:k], rec.versions[k:]
	freed := kept[0].deleted
	for _, label := range rec.labels.names {
		for _, ix := range g.indexesOf(label) {
			for _, old := range dropped {
				if old.deleted {
					continue
				}
				val := old.props.get(ix.key)
				stillUsed := !freed && slices.ContainsFunc(kept, func(v nodeVersion) bool {
					return !v.deleted && strictEqual(v.props.get(ix.key), val)
				})
				if !stillUsed {
					ix.set.remove(indexEntry{val: val, id: id})
				}
			}
		}
	}
	if !freed {
		rec.versions = slices.Clone(kept)
		return
	}
	labels := rec.labels
	*rec = nodeRecord{}
	for _, label := range labels.names {
		if list := g.labels[label]; list != nil {
			list.dead++
			g.compactLabel(list)
		}
	}
}

// compactLabel removes freed nodes from a label list once they are the
// majority of it.
func (g *graph) compactLabel(list *labelList) {
	if list.dead*2 < len(list.ids) {
		return
	}
	list.ids = slices.DeleteFunc(list.ids, func(id int64) bool {
		rec := g.nodes.at(id)
		return rec == nil || len(rec.versions) == 0
	})
	list.dead = 0
}

// pruneRel drops the versions of a relationship no reader can see any
// more, and frees it when its deletion is visible to every reader.
func (g *graph) pruneRel(id int64, lowWater int64) {
	rec := g.rels.at(id)
	if rec == nil || len(rec.versions) == 0 {
		return
	}
	k := newestAtOrBelow(func(i int) int64 { return rec.versions[i].txID }, len(rec.versions), lowWater)
	if k < 0 {
		return
	}
	if rec.versions[k].deleted {
		g.unlinkRel(rec, id)
		*rec = relRecord{}
		return
	}
	rec.versions = slices.Clone(rec.versions[k:])
}
