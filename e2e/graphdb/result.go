package graphdb

// Result is the outcome of one query: the column names, every row (values
// are PackStream Go values: nil, bool, int64, float64, string, []byte,
// []any, map[string]any, packstream.Node, packstream.Relationship,
// packstream.Path), the update counters and the query type ("r", "w", "rw"
// or "s"). The values belong to the caller.
type Result struct {
	Keys      []string
	Rows      [][]any
	Stats     Counters
	QueryType string
}

// Counters are the update statistics of a query, as Neo4j reports them in
// the "stats" entry of a Bolt SUCCESS message.
type Counters struct {
	NodesCreated         int64
	NodesDeleted         int64
	RelationshipsCreated int64
	RelationshipsDeleted int64
	PropertiesSet        int64
	LabelsAdded          int64
	LabelsRemoved        int64
	IndexesAdded         int64
	IndexesRemoved       int64
	ConstraintsAdded     int64
	ConstraintsRemoved   int64
}

// ContainsUpdates reports whether any counter is non-zero.
func (c Counters) ContainsUpdates() bool { return c != Counters{} }

// Add adds o to c.
func (c *Counters) Add(o Counters) {
	c.NodesCreated += o.NodesCreated
	c.NodesDeleted += o.NodesDeleted
	c.RelationshipsCreated += o.RelationshipsCreated
	c.RelationshipsDeleted += o.RelationshipsDeleted
	c.PropertiesSet += o.PropertiesSet
	c.LabelsAdded += o.LabelsAdded
	c.LabelsRemoved += o.LabelsRemoved
	c.IndexesAdded += o.IndexesAdded
	c.IndexesRemoved += o.IndexesRemoved
	c.ConstraintsAdded += o.ConstraintsAdded
	c.ConstraintsRemoved += o.ConstraintsRemoved
}

// Map returns the non-zero counters under their Neo4j names, plus
// "contains-updates": true when there is any, the way Neo4j sends them. An
// empty map means no updates.
func (c Counters) Map() map[string]any {
	m := make(map[string]any)
	put := func(name string, n int64) {
		if n != 0 {
			m[name] = n
		}
	}
	put("nodes-created", c.NodesCreated)
	put("nodes-deleted", c.NodesDeleted)
	put("relationships-created", c.RelationshipsCreated)
	put("relationships-deleted", c.RelationshipsDeleted)
	put("properties-set", c.PropertiesSet)
	put("labels-added", c.LabelsAdded)
	put("labels-removed", c.LabelsRemoved)
	put("indexes-added", c.IndexesAdded)
	put("indexes-removed", c.IndexesRemoved)
	put("constraints-added", c.ConstraintsAdded)
	put("constraints-removed", c.ConstraintsRemoved)
	if len(m) > 0 {
		m["contains-updates"] = true
	}
	return m
}
