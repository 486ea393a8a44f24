package packstream

// Structure tags of the graph types.
const (
	tagNode                = 'N' // 0x4E
	tagRelationship        = 'R' // 0x52
	tagUnboundRelationship = 'r' // 0x72
	tagPath                = 'P' // 0x50
)

// Node is a snapshot of a graph node (structure 'N' 0x4E).
//
// Before Bolt 5.0 the wire has no element id; the decoder then sets
// ElementId to the decimal form of Id, the way neo4j-go-driver does.
type Node struct {
	Id        int64          // legacy numeric id
	ElementId string         // element id (Bolt 5.0+)
	Labels    []string       // the node's labels
	Props     map[string]any // the node's properties
}

// Relationship is a snapshot of a graph relationship (structure 'R' 0x52,
// or an UnboundRelationship 'r' 0x72 bound to its nodes inside a Path).
//
// Before Bolt 5.0 the element ids are the decimal forms of the numeric ids.
type Relationship struct {
	Id             int64          // legacy numeric id
	ElementId      string         // element id (Bolt 5.0+)
	StartId        int64          // numeric id of the start node
	StartElementId string         // element id of the start node (Bolt 5.0+)
	EndId          int64          // numeric id of the end node
	EndElementId   string         // element id of the end node (Bolt 5.0+)
	Type           string         // relationship type
	Props          map[string]any // the relationship's properties
}

// Path is an alternating sequence of nodes and relationships (structure 'P'
// 0x50): Relationships[i] joins Nodes[i] and Nodes[i+1], in either
// direction, so len(Relationships) == len(Nodes)-1.
//
// On the wire a path is a list of distinct nodes, a list of distinct
// unbound relationships and a list of indices; the decoder binds them into
// this form and the encoder does the reverse.
type Path struct {
	Nodes         []Node         // the nodes in path order, repeats allowed
	Relationships []Relationship // the relationships in path order
}
