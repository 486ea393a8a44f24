package generator

import (
	"fmt"
	"strconv"
	"unsafe"

	"github.com/boltrx/boltrx/packstream"
)

// Shape is the kind of record the generator produces.
type Shape string

// The record shapes. Record i counts from 1.
const (
	// ShapeInts: one column "n" = i.
	ShapeInts Shape = "ints"
	// ShapeRows: the columns id, name, score, even =
	// [i, "name-<i>", i*0.5, i%2 == 0].
	ShapeRows Shape = "rows"
	// ShapeNodes: one column "n", a Node (:Person {name: "name-<i>",
	// age: i%100}).
	ShapeNodes Shape = "nodes"
	// ShapePaths: one column "p", a Path (:Person)-[:WORKS_AT {since}]->
	// (:Company) of two nodes and one relationship.
	ShapePaths Shape = "paths"
)

// Shapes lists every shape.
var Shapes = []Shape{ShapeInts, ShapeRows, ShapeNodes, ShapePaths}

// ParseShape checks a shape name.
func ParseShape(s string) (Shape, error) {
	for _, sh := range Shapes {
		if string(sh) == s {
			return sh, nil
		}
	}
	return "", fmt.Errorf("generator: unknown shape %q (want ints, rows, nodes or paths)", s)
}

// Fields returns the column names of the shape.
func (s Shape) Fields() []string {
	switch s {
	case ShapeRows:
		return []string{"id", "name", "score", "even"}
	case ShapeNodes:
		return []string{"n"}
	case ShapePaths:
		return []string{"p"}
	}
	return []string{"n"}
}

// Structure tags and field counts of the graph types (Bolt structure
// semantics): with element ids from 5.0 on, one field more.
const (
	tagNode                = 0x4E
	tagUnboundRelationship = 0x72
	tagPath                = 0x50
)

// elementIDPrefix starts the element ids, "4:<database uuid>:<id>" as
// Neo4j 5 forms them.
const elementIDPrefix = "4:6d0b5f0c-9a55-4f1b-8d4e-5c7a1e2f3b90:"

// recordWriter encodes the records of one shape; scratch holds the
// strings it builds, so that a record allocates nothing.
type recordWriter struct {
	scratch []byte
}

// encode writes record i of shape s as a list of values.
func (w *recordWriter) encode(enc *packstream.Encoder, s Shape, i int64) {
	switch s {
	case ShapeInts:
		enc.WriteListHeader(1)
		enc.WriteInt(i)
	case ShapeRows:
		enc.WriteListHeader(4)
		enc.WriteInt(i)
		w.writeName(enc, i)
		enc.WriteFloat(float64(i) * 0.5)
		enc.WriteBool(i%2 == 0)
	case ShapeNodes:
		enc.WriteListHeader(1)
		w.writePerson(enc, i)
	case ShapePaths:
		enc.WriteListHeader(1)
		w.writePath(enc, i)
	}
}

// writeString writes the scratch bytes as a string without copying them
// into a Go string first: the encoder copies them into its buffer at once
// and keeps no reference, and scratch is not changed meanwhile.
func (w *recordWriter) writeString(enc *packstream.Encoder) {
	if len(w.scratch) == 0 {
		enc.WriteString("")
		return
	}
	enc.WriteString(unsafe.String(&w.scratch[0], len(w.scratch)))
}

func (w *recordWriter) writeName(enc *packstream.Encoder, i int64) {
	w.scratch = strconv.AppendInt(append(w.scratch[:0], "name-"...), i, 10)
	w.writeString(enc)
}

func (w *recordWriter) writeElementID(enc *packstream.Encoder, id int64) {
	w.scratch = strconv.AppendInt(append(w.scratch[:0], elementIDPrefix...), id, 10)
	w.writeString(enc)
}

// graphFields is the field count of a graph structure: one more with
// element ids.
func graphFields(enc *packstream.Encoder, legacy int) int {
	if enc.Dialect.ElementIDs {
		return legacy + 1
	}
	return legacy
}

// writePerson writes node 2i-1 (:Person {name, age}).
func (w *recordWriter) writePerson(enc *packstream.Encoder, i int64) {
	id := 2*i - 1
	enc.WriteStructHeader(tagNode, graphFields(enc, 3))
	enc.WriteInt(id)
	enc.WriteListHeader(1)
	enc.WriteString("Person")
	enc.WriteMapHeader(2)
	enc.WriteString("name")
	w.writeName(enc, i)
	enc.WriteString("age")
	enc.WriteInt(i % 100)
	if enc.Dialect.ElementIDs {
		w.writeElementID(enc, id)
	}
}

// writeCompany writes node 2i (:Company {name}).
func (w *recordWriter) writeCompany(enc *packstream.Encoder, i int64) {
	id := 2 * i
	enc.WriteStructHeader(tagNode, graphFields(enc, 3))
	enc.WriteInt(id)
	enc.WriteListHeader(1)
	enc.WriteString("Company")
	enc.WriteMapHeader(1)
	enc.WriteString("name")
	w.scratch = strconv.AppendInt(append(w.scratch[:0], "company-"...), i, 10)
	w.writeString(enc)
	if enc.Dialect.ElementIDs {
		w.writeElementID(enc, id)
	}
}

// writePath writes (person i)-[:WORKS_AT {since}]->(company i): the nodes,
// the unbound relationship i and the indices [1, 1] (relationship 1
// forwards, then node 1).
func (w *recordWriter) writePath(enc *packstream.Encoder, i int64) {
	enc.WriteStructHeader(tagPath, 3)
	enc.WriteListHeader(2)
	w.writePerson(enc, i)
	w.writeCompany(enc, i)
	enc.WriteListHeader(1)
	enc.WriteStructHeader(tagUnboundRelationship, graphFields(enc, 3))
	enc.WriteInt(i)
	enc.WriteString("WORKS_AT")
	enc.WriteMapHeader(1)
	enc.WriteString("since")
	enc.WriteInt(2000 + i%25)
	if enc.Dialect.ElementIDs {
		w.writeElementID(enc, i)
	}
	enc.WriteListHeader(2)
	enc.WriteInt(1)
	enc.WriteInt(1)
}
