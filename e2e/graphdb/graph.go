package graphdb

import (
	"slices"
	"strings"
	"sync"
)

// pendingTx marks a version written by the database's open write
// transaction and not yet committed. Committed versions carry the id of the
// transaction that wrote them (1, 2, 3, ...).
const pendingTx = 0

// nodeVersion is the state of a node as written by one transaction.
type nodeVersion struct {
	txID    int64
	props   propList
	deleted bool
}

// nodeRecord is a node with its versions, oldest first. Labels are set when
// the node is created and never change.
type nodeRecord struct {
	labels   *labelSet
	versions []nodeVersion
	adj      *adjacency
}

// adjacency lists the relationships that start or end at a node, in creation
// order. It may name deleted relationships; readers check visibility.
type adjacency struct {
	out []int64
	in  []int64
}

// relVersion is the state of a relationship as written by one transaction.
type relVersion struct {
	txID    int64
	props   propList
	deleted bool
}

// relRecord is a relationship with its versions, oldest first.
type relRecord struct {
	typ      string
	start    int64
	end      int64
	versions []relVersion
}

// labelSet is an interned, sorted set of labels shared by every node that
// has exactly these labels.
type labelSet struct {
	names []string
}

// has reports whether the set contains label.
func (l *labelSet) has(label string) bool {
	return slices.Contains(l.names, label)
}

// labelList lists, in ascending order, the ids of the nodes created with a
// label. Ids of freed nodes stay until the list is compacted.
type labelList struct {
	ids  []int64
	dead int
}

// pageBits sets the size of the pages records are allocated in: records
// never move, and no allocation is made per record.
const pageBits = 12

const pageSize = 1 << pageBits

// pages is a growable array of T addressed by int64 id.
type pages[T any] struct {
	p [][]T
}

// at returns the slot for id, or nil when it was never allocated.
func (ps *pages[T]) at(id int64) *T {
	if id < 0 {
		return nil
	}
	pi := id >> pageBits
	if pi >= int64(len(ps.p)) {
		return nil
	}
	return &ps.p[pi][id&(pageSize-1)]
}

// ensure allocates the slot for id and returns it.
func (ps *pages[T]) ensure(id int64) *T {
	for id>>pageBits >= int64(len(ps.p)) {
		ps.p = append(ps.p, make([]T, pageSize))
	}
	return ps.at(id)
}

// graph is the versioned data of one database, shared by all its replicas.
// mu is held for reading while a query reads and for writing while the
// write transaction changes data, commits or rolls back.
type graph struct {
	mu   sync.RWMutex
	uuid string // of the database, for element ids

	nodes    pages[nodeRecord]
	nextNode int64
	rels     pages[relRecord]
	nextRel  int64

	labels    map[string]*labelList
	labelSets map[string]*labelSet
	keys      map[string]string

	idxMu   sync.Mutex // guards indexes and byLabel (readers build indexes on demand)
	indexes map[indexKey]*propIndex
	byLabel map[string][]*propIndex

	schema schemaRegistry
	gc     []gcItem
}

func newGraph(uuid string) *graph {
	return &graph{
		uuid:      uuid,
		labels:    make(map[string]*labelList),
		labelSets: make(map[string]*labelSet),
		keys:      make(map[string]string),
		indexes:   make(map[indexKey]*propIndex),
		byLabel:   make(map[string][]*propIndex),
		schema:    newSchemaRegistry(),
	}
}

// internLabels returns the shared labelSet for labels (deduplicated,
// sorted). Writers only.
func (g *graph) internLabels(labels []string) *labelSet {
	sorted := slices.Clone(labels)
	slices.Sort(sorted)
	sorted = slices.Compact(sorted)
	key := strings.Join(sorted, "\x00")
	if ls, ok := g.labelSets[key]; ok {
		return ls
	}
	ls := &labelSet{names: sorted}
	g.labelSets[key] = ls
	return ls
}

// internKey returns a shared copy of a property key. Writers only.
func (g *graph) internKey(k string) string {
	if s, ok := g.keys[k]; ok {
		return s
	}
	g.keys[k] = k
	return k
}

// view is what one query sees: the versions committed up to snapshot, plus
// the pending versions when it runs in the write transaction.
type view struct {
	g        *graph
	snapshot int64
	writer   bool
}

// node returns the visible version of node id, or nil.
func (v *view) node(id int64) *nodeVersion {
	rec := v.g.nodes.at(id)
	if rec == nil || id >= v.g.nextNode {
		return nil
	}
	for i := len(rec.versions) - 1; i >= 0; i-- {
		ver := &rec.versions[i]
		if ver.txID == pendingTx && !v.writer || ver.txID > v.snapshot {
			continue
		}
		if ver.deleted {
			return nil
		}
		return ver
	}
	return nil
}

// nodeLabels returns the labels of a node (visible or not).
func (v *view) nodeLabels(id int64) *labelSet {
	if rec := v.g.nodes.at(id); rec != nil && rec.labels != nil {
		return rec.labels
	}
	return &labelSet{}
}

// rel returns the visible version of relationship id and its record, or nil.
func (v *view) rel(id int64) (*relVersion, *relRecord) {
	rec := v.g.rels.at(id)
	if rec == nil || id >= v.g.nextRel {
		return nil, nil
	}
	for i := len(rec.versions) - 1; i >= 0; i-- {
		ver := &rec.versions[i]
		if ver.txID == pendingTx && !v.writer || ver.txID > v.snapshot {
			continue
		}
		if ver.deleted {
			return nil, nil
		}
		return ver, rec
	}
	return nil, nil
}
