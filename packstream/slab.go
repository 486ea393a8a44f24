package packstream

import "unsafe"

// slabs hands out the memory of decoded values in chunks shared by many
// values (Decoder.Slabs): a record's list of fields, its integers and
// floats outside the range Go boxes for free, its short strings, and its
// nodes and relationships. Memory handed out is never handed out again,
// so values stay valid for as long as they are kept; a kept value keeps
// its chunk (at most a few KiB) alive.
type slabs struct {
	anys   []any // free part of the current chunk, likewise below
	ints   []int64
	floats []float64
	bytes  []byte
	strs   []string
	nodes  []Node
	rels   []Relationship
}

// Chunk sizes; a request larger than a quarter of a chunk gets its own
// allocation.
const (
	slabAnys   = 1024
	slabScalar = 512
	slabBytes  = 16 << 10
	slabGraph  = 128
)

// eface is the layout of an interface value with no methods.
type eface struct{ typ, data unsafe.Pointer }

// typeWord returns the type word of v's interface.
func typeWord(v any) unsafe.Pointer { return (*eface)(unsafe.Pointer(&v)).typ }

var (
	int64Type   = typeWord(int64(0))
	float64Type = typeWord(float64(0))
	stringType  = typeWord("")
	nodeType    = typeWord(Node{})
	relType     = typeWord(Relationship{})
)

// box returns the interface value of type typ whose data is *p: a value
// in a slab the decoder never writes again, boxed without allocating.
func box(typ, p unsafe.Pointer) (v any) {
	e := (*eface)(unsafe.Pointer(&v))
	e.typ, e.data = typ, p
	return v
}

// list returns an empty list with capacity n.
func (s *slabs) list(n int) []any {
	if n > slabAnys/4 {
		return make([]any, 0, n)
	}
	if len(s.anys) < n {
		s.anys = make([]any, slabAnys)
	}
	l := s.anys[:0:n]
	s.anys = s.anys[n:]
	return l
}

func (s *slabs) int(v int64) any {
	if len(s.ints) == 0 {
		s.ints = make([]int64, slabScalar)
	}
	p := &s.ints[0]
	*p = v
	s.ints = s.ints[1:]
	return box(int64Type, unsafe.Pointer(p))
}

func (s *slabs) float(v float64) any {
	if len(s.floats) == 0 {
		s.floats = make([]float64, slabScalar)
	}
	p := &s.floats[0]
	*p = v
	s.floats = s.floats[1:]
	return box(float64Type, unsafe.Pointer(p))
}

// string returns b as a string in the byte slab.
func (s *slabs) string(b []byte) string {
	n := len(b)
	if n == 0 {
		return ""
	}
	if n > slabBytes/16 {
		return string(b)
	}
	if len(s.bytes) < n {
		s.bytes = make([]byte, slabBytes)
	}
	copy(s.bytes, b)
	str := unsafe.String(&s.bytes[0], n)
	s.bytes = s.bytes[n:]
	return str
}

// stringValue returns b as a string boxed in an interface, string and
// header in slabs.
func (s *slabs) stringValue(b []byte) any {
	if len(s.strs) == 0 {
		s.strs = make([]string, slabScalar)
	}
	p := &s.strs[0]
	*p = s.string(b)
	s.strs = s.strs[1:]
	return box(stringType, unsafe.Pointer(p))
}

// stringList returns an empty list of strings with capacity n, in the
// strings slab.
func (s *slabs) stringList(n int) []string {
	if n > slabScalar/4 {
		return make([]string, 0, n)
	}
	if len(s.strs) < n {
		s.strs = make([]string, slabScalar)
	}
	l := s.strs[:0:n]
	s.strs = s.strs[n:]
	return l
}

func (s *slabs) node(n *Node) any {
	if len(s.nodes) == 0 {
		s.nodes = make([]Node, slabGraph)
	}
	p := &s.nodes[0]
	*p = *n
	s.nodes = s.nodes[1:]
	return box(nodeType, unsafe.Pointer(p))
}

func (s *slabs) rel(r *Relationship) any {
	if len(s.rels) == 0 {
		s.rels = make([]Relationship, slabGraph)
	}
	p := &s.rels[0]
	*p = *r
	s.rels = s.rels[1:]
	return box(relType, unsafe.Pointer(p))
}
