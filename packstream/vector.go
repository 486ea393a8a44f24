package packstream

import "strconv"

// tagVector is the structure tag of Vector ('V' 0x56, Bolt 6.0+).
const tagVector = 'V'

// VectorElement lists the element types a Vector can hold.
type VectorElement interface {
	int8 | int16 | int32 | int64 | float32 | float64
}

// VectorType names the element type of a vector. Its values are the
// PackStream markers the wire uses as the vector's type marker.
type VectorType byte

// The element types of vectors.
const (
	VectorInt8    VectorType = markerInt8    // 0xC8
	VectorInt16   VectorType = markerInt16   // 0xC9
	VectorInt32   VectorType = markerInt32   // 0xCA
	VectorInt64   VectorType = markerInt64   // 0xCB
	VectorFloat32 VectorType = 0xC6          // 0xC6, IEEE-754 single precision
	VectorFloat64 VectorType = markerFloat64 // 0xC1, IEEE-754 double precision
)

// String names the element type the way Cypher does (INTEGER8 ... FLOAT).
func (t VectorType) String() string {
	switch t {
	case VectorInt8:
		return "INTEGER8"
	case VectorInt16:
		return "INTEGER16"
	case VectorInt32:
		return "INTEGER32"
	case VectorInt64:
		return "INTEGER"
	case VectorFloat32:
		return "FLOAT32"
	case VectorFloat64:
		return "FLOAT"
	}
	return "VectorType(0x" + strconv.FormatUint(uint64(t), 16) + ")"
}

// size is the number of bytes of one element, 0 for an unknown type.
func (t VectorType) size() int {
	switch t {
	case VectorInt8:
		return 1
	case VectorInt16:
		return 2
	case VectorInt32, VectorFloat32:
		return 4
	case VectorInt64, VectorFloat64:
		return 8
	}
	return 0
}

// Vector is the Bolt 6.0 VECTOR value (structure 'V' 0x56): a sequence of
// numbers that all have the element type T. The decoder returns one of
// Vector[int8], Vector[int16], Vector[int32], Vector[int64],
// Vector[float32] or Vector[float64] (as a value, never a pointer); code
// that handles every element type can use the AnyVector interface.
//
// Vectors are only allowed when Dialect.Vectors is set.
type Vector[T VectorElement] struct {
	Elems []T
}

// AnyVector is implemented by every Vector[T].
type AnyVector interface {
	// Len is the number of elements.
	Len() int
	// ElementType is the type of the elements.
	ElementType() VectorType
	// String formats the vector like Cypher, e.g. vector([1, 2], 2, INTEGER8 NOT NULL).
	String() string
}

// NewVector returns a vector holding a copy of elems.
func NewVector[T VectorElement](elems ...T) Vector[T] {
	v := Vector[T]{Elems: make([]T, len(elems))}
	copy(v.Elems, elems)
	return v
}

// Len is the number of elements.
func (v Vector[T]) Len() int { return len(v.Elems) }

// ElementType is the type of the elements.
func (v Vector[T]) ElementType() VectorType {
	var zero T
	switch any(zero).(type) {
	case int8:
		return VectorInt8
	case int16:
		return VectorInt16
	case int32:
		return VectorInt32
	case int64:
		return VectorInt64
	case float32:
		return VectorFloat32
	default:
		return VectorFloat64
	}
}

// String formats the vector like Cypher, e.g. vector([1, 2], 2, INTEGER8 NOT NULL).
func (v Vector[T]) String() string {
	b := []byte("vector([")
	for i, e := range v.Elems {
		if i > 0 {
			b = append(b, ", "...)
		}
		switch x := any(e).(type) {
		case float32:
			b = strconv.AppendFloat(b, float64(x), 'g', -1, 32)
		case float64:
			b = strconv.AppendFloat(b, x, 'g', -1, 64)
		case int8:
			b = strconv.AppendInt(b, int64(x), 10)
		case int16:
			b = strconv.AppendInt(b, int64(x), 10)
		case int32:
			b = strconv.AppendInt(b, int64(x), 10)
		case int64:
			b = strconv.AppendInt(b, x, 10)
		}
	}
	b = append(b, "], "...)
	b = strconv.AppendInt(b, int64(len(v.Elems)), 10)
	b = append(b, ", "...)
	b = append(b, v.ElementType().String()...)
	b = append(b, " NOT NULL)"...)
	return string(b)
}
