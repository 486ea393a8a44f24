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

// carve returns an empty slice with capacity n from *free, the free part
// of a chunk of size elements, or from an allocation of its own when n is
// more than a quarter of a chunk or pooled is false.
func carve[T any](free *[]T, n, size int, pooled bool) []T {
	if !pooled || n > size/4 {
		return make([]T, 0, n)
	}
	if len(*free) < n {
		*free = make([]T, size)
	}
	l := (*free)[:0:n]
	*free = (*free)[n:]
	return l
}

// boxIn copies v into the next element of *free, the free part of a chunk
// of size elements, and returns it boxed as an interface of type typ.
func boxIn[T any](free *[]T, size int, typ unsafe.Pointer, v T) any {
	if len(*free) == 0 {
		*free = make([]T, size)
	}
	p := &(*free)[0]
	*p = v
	*free = (*free)[1:]
	return box(typ, unsafe.Pointer(p))
}

func (s *slabs) int(v int64) any { return boxIn(&s.ints, slabScalar, int64Type, v) }

func (s *slabs) float(v float64) any { return boxIn(&s.floats, slabScalar, float64Type, v) }

func (s *slabs) node(n *Node) any { return boxIn(&s.nodes, slabGraph, nodeType, *n) }

func (s *slabs) rel(r *Relationship) any { return boxIn(&s.rels, slabGraph, relType, *r) }

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
	return boxIn(&s.strs, slabScalar, stringType, s.string(b))
}
