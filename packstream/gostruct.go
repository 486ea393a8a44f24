package packstream

import (
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// StructTag is the struct field tag key that names a field's map key:
// `neo4j:"name"`, `neo4j:"name,omitempty"`, `neo4j:"-"` (never mapped)
// and `neo4j:",omitempty"` (the Go name, omitted when empty).
const StructTag = "neo4j"

// StructField is one field of a Go struct as this package writes it (a
// map entry) and as the driver reads results into it. The rules follow
// encoding/json: exported fields only; the key is the tag's name, else the
// Go field name; fields of embedded structs (untagged, exported or not)
// are promoted into the outer struct, the shallowest field of a name
// winning and, among equally deep ones, the only tagged one (otherwise the
// name is ambiguous and left out).
type StructField struct {
	// Name is the map key.
	Name string
	// GoName is the Go field name, used in error paths
	// (`$person.Pets[2].Feed`).
	GoName string
	// Index is the reflect index sequence through embedded structs.
	Index []int
	// Type is the field's Go type.
	Type reflect.Type
	// OmitEmpty: the tag said omitempty; the field is left out of the map
	// when it holds its zero value or an empty slice or map.
	OmitEmpty bool
	// Tagged: the name came from a tag.
	Tagged bool
	// viaPointer: the path crosses an embedded pointer, which may be nil.
	viaPointer bool
}

// goStruct is the cached plan for one struct type.
type goStruct struct {
	fields []StructField
	// counted: some field may be left out (omitempty, nil embedded
	// pointer), so the map size is counted before the header is written.
	counted bool
}

var goStructs sync.Map // reflect.Type → *goStruct

// StructFields returns the fields of the struct type t (or of the struct
// t points to) in declaration order, computed once per type. It returns
// nil for other types.
func StructFields(t reflect.Type) []StructField {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil
	}
	return planOf(t).fields
}

func planOf(t reflect.Type) *goStruct {
	if p, ok := goStructs.Load(t); ok {
		return p.(*goStruct)
	}
	p := &goStruct{fields: structFields(t)}
	for _, f := range p.fields {
		if f.OmitEmpty || f.viaPointer {
			p.counted = true
		}
	}
	actual, _ := goStructs.LoadOrStore(t, p)
	return actual.(*goStruct)
}

// parseTag splits a neo4j tag into its name and whether it says omitempty.
func parseTag(tag string) (name string, omitEmpty bool) {
	name, opts, _ := strings.Cut(tag, ",")
	for opts != "" {
		var opt string
		opt, opts, _ = strings.Cut(opts, ",")
		if opt == "omitempty" {
			omitEmpty = true
		}
	}
	return name, omitEmpty
}

// structFields walks t breadth-first through its embedded structs and
// resolves the names as encoding/json does.
func structFields(t reflect.Type) []StructField {
	type level struct {
		typ        reflect.Type
		index      []int
		viaPointer bool
	}
	var found []StructField
	current := []level{{typ: t}}
	seen := map[reflect.Type]bool{}
	for len(current) > 0 {
		var next []level
		for _, lv := range current {
			if seen[lv.typ] {
				continue
			}
			seen[lv.typ] = true
			for i := 0; i < lv.typ.NumField(); i++ {
				sf := lv.typ.Field(i)
				ft := sf.Type
				isPtr := false
				if ft.Kind() == reflect.Pointer && ft.Name() == "" {
					ft, isPtr = ft.Elem(), true
				}
				if sf.Anonymous {
					if !sf.IsExported() && ft.Kind() != reflect.Struct {
						continue
					}
				} else if !sf.IsExported() {
					continue
				}
				tag := sf.Tag.Get(StructTag)
				if tag == "-" {
					continue
				}
				name, omitEmpty := parseTag(tag)
				index := append(slices.Clone(lv.index), i)
				if name == "" && sf.Anonymous && ft.Kind() == reflect.Struct && !isValueStruct(ft) {
					next = append(next, level{typ: ft, index: index, viaPointer: lv.viaPointer || isPtr})
					continue
				}
				if !sf.IsExported() {
					// A tagged or non-struct embedded field of an
					// unexported type cannot be read or set.
					continue
				}
				f := StructField{Name: name, GoName: sf.Name, Index: index, Type: sf.Type,
					OmitEmpty: omitEmpty, Tagged: name != "", viaPointer: lv.viaPointer}
				if f.Name == "" {
					f.Name = sf.Name
				}
				found = append(found, f)
			}
		}
		current = next
	}
	// Keep, per name, the dominant field: the shallowest, and among the
	// shallowest the only tagged one.
	byName := map[string][]int{}
	for i, f := range found {
		byName[f.Name] = append(byName[f.Name], i)
	}
	keep := make([]StructField, 0, len(found))
	for i, f := range found {
		group := byName[f.Name]
		if group[0] != i && len(group) > 0 {
			continue // the group is decided at its first member
		}
		if winner, ok := dominant(found, group); ok {
			keep = append(keep, winner)
		}
	}
	slices.SortFunc(keep, func(a, b StructField) int { return slices.Compare(a.Index, b.Index) })
	return keep
}

func dominant(found []StructField, group []int) (StructField, bool) {
	depth := len(found[group[0]].Index)
	for _, i := range group {
		depth = min(depth, len(found[i].Index))
	}
	var shallow []StructField
	for _, i := range group {
		if len(found[i].Index) == depth {
			shallow = append(shallow, found[i])
		}
	}
	if len(shallow) == 1 {
		return shallow[0], true
	}
	var tagged []StructField
	for _, f := range shallow {
		if f.Tagged {
			tagged = append(tagged, f)
		}
	}
	if len(tagged) == 1 {
		return tagged[0], true
	}
	return StructField{}, false
}

var goDurationType = reflect.TypeOf(time.Duration(0))

// valueStructs are the struct types that stand for one value (time.Time
// and this package's Bolt types): written as that value, never as a map
// of their fields.
var valueStructs = map[reflect.Type]bool{}

func init() {
	for _, v := range []any{time.Time{}, Node{}, Relationship{}, Path{}, Date{}, Time{}, LocalTime{},
		LocalDateTime{}, Duration{}, Point2D{}, Point3D{}, UnsupportedType{}, InvalidValue{},
		Vector[int8]{}, Vector[int16]{}, Vector[int32]{}, Vector[int64]{}, Vector[float32]{}, Vector[float64]{}} {
		valueStructs[reflect.TypeOf(v)] = true
	}
}

// isValueStruct reports whether the struct type t is one of valueStructs.
func isValueStruct(t reflect.Type) bool { return valueStructs[t] }

// fieldValue returns the field f of the struct value v, and false when
// the path to it crosses a nil embedded pointer.
func fieldValue(v reflect.Value, f *StructField) (reflect.Value, bool) {
	for i, x := range f.Index {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return reflect.Value{}, false
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v, true
}

// isEmpty is omitempty's test: the zero value, or an empty slice or map.
func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Slice, reflect.Map:
		return v.Len() == 0
	}
	return v.IsZero()
}

// writeGoStruct writes the struct value rv as a map of its fields.
func (e *Encoder) writeGoStruct(rv reflect.Value, depth int) error {
	if depth >= MaxDepth {
		return &EncodeError{Type: rv.Type(), Err: ErrTooDeep,
			Detail: "more than " + strconv.Itoa(MaxDepth) + " nested levels (a value that contains itself?)"}
	}
	plan := planOf(rv.Type())
	n := len(plan.fields)
	if plan.counted {
		n = 0
		for i := range plan.fields {
			f := &plan.fields[i]
			if fv, ok := fieldValue(rv, f); ok && !(f.OmitEmpty && isEmpty(fv)) {
				n++
			}
		}
	}
	e.WriteMapHeader(n)
	for i := range plan.fields {
		f := &plan.fields[i]
		fv, ok := fieldValue(rv, f)
		if !ok || f.OmitEmpty && isEmpty(fv) {
			continue
		}
		e.WriteString(f.Name)
		if err := e.writeRV(fv, depth+1); err != nil {
			return withPath(err, "."+f.GoName)
		}
	}
	return nil
}

// writeRV writes a value reached by reflection (a struct field, an element
// of a typed slice): the plain kinds and structs directly, everything else
// through writeValue's type switch.
func (e *Encoder) writeRV(rv reflect.Value, depth int) error {
	switch rv.Kind() {
	case reflect.Bool:
		e.WriteBool(rv.Bool())
		return nil
	case reflect.String:
		e.WriteString(rv.String())
		return nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32:
		e.WriteInt(rv.Int())
		return nil
	case reflect.Int64:
		if rv.Type() != goDurationType {
			e.WriteInt(rv.Int())
			return nil
		}
	case reflect.Float32, reflect.Float64:
		e.WriteFloat(rv.Float())
		return nil
	case reflect.Struct:
		if !isValueStruct(rv.Type()) {
			return e.writeGoStruct(rv, depth)
		}
	case reflect.Pointer:
		if rv.IsNil() {
			e.WriteNull()
			return nil
		}
		if el := rv.Elem(); el.Kind() == reflect.Struct && !isValueStruct(el.Type()) {
			return e.writeGoStruct(el, depth)
		}
	case reflect.Slice:
		return e.writeReflectValue(rv, nil, depth)
	case reflect.Interface:
		if rv.IsNil() {
			e.WriteNull()
			return nil
		}
		return e.writeValue(rv.Elem().Interface(), depth)
	case reflect.Func, reflect.Chan, reflect.Complex64, reflect.Complex128, reflect.UnsafePointer:
		return &EncodeError{Type: rv.Type(), Err: ErrUnsupportedType,
			Detail: "a Go " + rv.Kind().String() + " has no PackStream form: tag the field `neo4j:\"-\"` or leave it out"}
	}
	if !rv.CanInterface() {
		return &EncodeError{Type: rv.Type(), Err: ErrUnsupportedType, Detail: "unexported value"}
	}
	return e.writeValue(rv.Interface(), depth)
}

// IsValueStruct reports whether the struct type t stands for one value
// (time.Time, Node, Date, Point2D, Vector and the other Bolt types), which
// is written as that value and never as a map of its fields.
func IsValueStruct(t reflect.Type) bool { return valueStructs[t] }
