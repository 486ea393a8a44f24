package boltrx

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/reactivex/rxgo/v2"

	"github.com/boltrx/boltrx/packstream"
)

// RecordAs maps a record into a T:
//
//   - a struct (or a pointer to one): each field takes the column of the
//     same name, the `neo4j:"name"` tag's or the Go field name's, matched
//     exactly first and then ignoring case. When the record has one
//     column that no field names and it holds a node, a relationship or a
//     map, the fields take its properties or entries instead, so that
//     `RETURN p` and `RETURN p.name AS name, p.age AS age` both fill a
//     Person. The tag rules are those of struct parameters
//     (packstream.StructFields): a struct written with SET p = $person
//     reads back the same. Columns no field names are ignored; a field
//     whose column or property is missing is an error unless it is a
//     pointer or tagged omitempty (Neo4j stores no null properties);
//   - a map[string]V: the columns by name;
//   - anything else (int64, string, time.Time, Node, []string, ...): the
//     value of a one-column record.
//
// Values convert to the field's type only without loss: integers into
// narrower integer types when in range, into floats when exact; floats
// into float32 when exact; time.Duration from a Duration of seconds;
// []any into typed slices, maps and nodes into structs. null goes into
// pointers, interfaces, slices and maps (nil) and is an error for other
// types. A value that does not fit is a *MappingError naming the column,
// the field and both types.
func RecordAs[T any](rec *Record) (T, error) {
	var out T
	if rec == nil {
		return out, &MappingError{Detail: "the record is nil"}
	}
	dst := reflect.ValueOf(&out).Elem()
	return out, mapperFor(dst.Type()).mapRecord(dst, rec, nil)
}

// As is RecordAs under the name of neo4j-go-driver v6.3 (neo4j.As), so
// that porting is a rename. Unlike v6.3's preview, a field whose column or
// property is missing, or null for a field that cannot hold null, is a
// *MappingError rather than a zero value: make such fields pointers or
// tag them omitempty.
func As[T any](rec *Record) (T, error) { return RecordAs[T](rec) }

// CollectRecordsAs maps records (an EagerResult's, say) with RecordAs;
// it is neo4j-go-driver v6.3's name for EagerAs on the records alone.
func CollectRecordsAs[T any](records []*Record) ([]T, error) { return mapRecords[T](records) }

// CollectAs reads the rest of the result (as Result.Collect does) and
// maps each record with RecordAs. The first record that does not map
// fails the call with its *MappingError.
func CollectAs[T any](ctx context.Context, r *Result) ([]T, error) {
	records, err := r.Collect(ctx)
	if err != nil {
		return nil, err
	}
	return mapRecords[T](records)
}

// mapRecords maps records into a new slice of T.
func mapRecords[T any](records []*Record) ([]T, error) {
	out := make([]T, len(records))
	m := mapperFor(reflect.TypeFor[T]())
	var cols columnCache
	for i, rec := range records {
		if rec == nil {
			return nil, &MappingError{Detail: fmt.Sprintf("record %d is nil", i)}
		}
		if err := m.mapRecord(reflect.ValueOf(&out[i]).Elem(), rec, &cols); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// SingleAs returns the result's only record mapped with RecordAs; no
// record or more than one is an error, as with Result.Single.
func SingleAs[T any](ctx context.Context, r *Result) (T, error) {
	rec, err := r.Single(ctx)
	if err != nil {
		return *new(T), err
	}
	return RecordAs[T](rec)
}

// EagerAs maps the records of an ExecuteQuery result with RecordAs.
func EagerAs[T any](r *EagerResult) ([]T, error) {
	if r == nil {
		return nil, &MappingError{Detail: "the EagerResult is nil"}
	}
	return mapRecords[T](r.Records)
}

// RecordsAs is RxResult.Records with each record mapped by RecordAs: the
// Observable's items are T values. A record that does not map ends the
// stream with its *MappingError (the rest of the result is discarded on
// the server, as when a subscriber unsubscribes). Demand drives the PULLs
// as with Records: a slow subscriber stops them.
//
// opts are rxgo options of the returned Observable (see Records).
func RecordsAs[T any](rr *RxResult, opts ...rxgo.Option) rxgo.Observable {
	m := mapperFor(reflect.TypeFor[T]())
	return rxgo.Defer([]rxgo.Producer{func(ctx context.Context, next chan<- rxgo.Item) {
		inner, cancel := context.WithCancel(ctx)
		records := rr.Records().Observe(rxgo.WithContext(inner))
		// However the stream ends, the records' producer has finished
		// (the rest discarded, the connection clean) before the
		// subscriber sees the end, as with Records.
		stop := func() {
			cancel()
			for range records {
			}
		}
		defer stop()
		var cols columnCache
		for item := range records {
			if item.E != nil {
				item.SendContext(ctx, next)
				return
			}
			var v T
			err := m.mapRecord(reflect.ValueOf(&v).Elem(), item.V.(*Record), &cols)
			if err != nil {
				// Unsubscribe the records (DISCARD), then report.
				stop()
				rxgo.Error(err).SendContext(ctx, next)
				return
			}
			if !rxgo.Of(v).SendContext(ctx, next) {
				return
			}
		}
	}}, opts...)
}

// MappingError reports a record that RecordAs and its relatives could not
// map into the Go type asked for.
type MappingError struct {
	// Column is the column read, with the property or element path
	// inside it: `p`, `p.age`, `tags[2]`; "" when the error is about the
	// record as a whole.
	Column string
	// Field is the Go field written, e.g. `Person.Age` or
	// `Person.Pets[2].Name`; "" when the target is not a struct field.
	Field string
	// GoType is the Go type that was to receive the value.
	GoType reflect.Type
	// Value is the value that did not fit (nil when Missing).
	Value any
	// Missing: the record had no column (or the node no property) for
	// Field.
	Missing bool
	// Detail says what went wrong.
	Detail string
}

// Error implements error.
func (e *MappingError) Error() string {
	var b strings.Builder
	b.WriteString("boltrx: cannot map the record")
	if e.Column != "" {
		fmt.Fprintf(&b, ": column %q", e.Column)
		if !e.Missing {
			fmt.Fprintf(&b, " (%s)", valueTypeName(e.Value))
		}
	}
	if e.Field != "" || e.GoType != nil {
		b.WriteString(" into ")
		if e.Field != "" {
			b.WriteString("field " + e.Field + " ")
		}
		if e.GoType != nil {
			fmt.Fprintf(&b, "(%s)", e.GoType)
		}
	}
	if e.Detail != "" {
		b.WriteString(": " + e.Detail)
	}
	return b.String()
}

func valueTypeName(v any) string {
	if v == nil {
		return "null"
	}
	return fmt.Sprintf("%T", v)
}

// columnCache keeps the column-to-field assignment of the last Keys seen:
// the records of a result share one Keys slice.
type columnCache struct {
	keys []string
	cols []int // per field of the mapper: the column index, -1 for none
}

// mapper maps records into one Go type; one per type, cached.
type mapper struct {
	typ    reflect.Type // the target type as asked (maybe a pointer)
	base   reflect.Type // typ without pointers
	ptrs   int          // how many pointers typ has over base
	fields []packstream.StructField
	// isStruct: base is a struct mapped field by field (not a value
	// struct such as time.Time or Node).
	isStruct bool
	isMap    bool
}

var mappers sync.Map // reflect.Type → *mapper

func mapperFor(t reflect.Type) *mapper {
	if m, ok := mappers.Load(t); ok {
		return m.(*mapper)
	}
	m := &mapper{typ: t, base: t}
	for m.base.Kind() == reflect.Pointer {
		m.base = m.base.Elem()
		m.ptrs++
	}
	switch {
	case m.base.Kind() == reflect.Struct && !packstream.IsValueStruct(m.base):
		m.isStruct = true
		m.fields = packstream.StructFields(m.base)
	case m.base.Kind() == reflect.Map && m.base.Key().Kind() == reflect.String:
		m.isMap = true
	}
	actual, _ := mappers.LoadOrStore(t, m)
	return actual.(*mapper)
}

// columnsFor returns, per field, the index of the column that fills it:
// the exact name first, else the first column equal ignoring case.
func (m *mapper) columnsFor(keys []string, cache *columnCache) []int {
	if cache != nil && cache.cols != nil && slices.Equal(cache.keys, keys) {
		return cache.cols
	}
	cols := make([]int, len(m.fields))
	for i, f := range m.fields {
		cols[i] = slices.Index(keys, f.Name)
		if cols[i] < 0 {
			cols[i] = slices.IndexFunc(keys, func(k string) bool { return strings.EqualFold(k, f.Name) })
		}
	}
	if cache != nil {
		cache.keys, cache.cols = keys, cols
	}
	return cols
}

// mapRecord maps rec into dst, a settable value of type m.typ.
func (m *mapper) mapRecord(dst reflect.Value, rec *Record, cache *columnCache) error {
	keys, values := rec.Keys, rec.Values
	if len(values) < len(keys) {
		return &MappingError{Detail: fmt.Sprintf("the record has %d values for %d columns", len(values), len(keys))}
	}
	switch {
	case m.isStruct:
		cols := m.columnsFor(keys, cache)
		if len(keys) == 1 && !slices.ContainsFunc(cols, func(c int) bool { return c >= 0 }) {
			if values[0] == nil && m.ptrs > 0 {
				return nil // an OPTIONAL MATCH that found nothing: a nil pointer
			}
			if _, ok := propertiesOf(values[0]); ok {
				return prefix(convert(dst, values[0]), keys[0], m.base.Name())
			}
		}
		target := derefAlloc(dst)
		for i := range m.fields {
			f := &m.fields[i]
			if cols[i] < 0 {
				if err := missing(f); err != nil {
					return prefix(err, f.Name, m.base.Name()+"."+f.GoName)
				}
				continue
			}
			fv, err := settableField(target, f)
			if err == nil {
				err = convert(fv, values[cols[i]])
			}
			if err != nil {
				return prefix(err, keys[cols[i]], m.base.Name()+"."+f.GoName)
			}
		}
		return nil
	case m.isMap:
		target := derefAlloc(dst)
		mv := reflect.MakeMapWithSize(m.base, len(keys))
		for i, k := range keys {
			ev := reflect.New(m.base.Elem()).Elem()
			if err := convert(ev, values[i]); err != nil {
				return prefix(err, k, "")
			}
			mv.SetMapIndex(reflect.ValueOf(k).Convert(m.base.Key()), ev)
		}
		target.Set(mv)
		return nil
	default:
		if len(keys) != 1 {
			return &MappingError{GoType: m.typ, Detail: fmt.Sprintf("a %s takes a record of one column; this one has %d (%s): return one column, or map into a struct or map",
				m.typ, len(keys), strings.Join(keys, ", "))}
		}
		return prefix(convert(dst, values[0]), keys[0], "")
	}
}

// derefAlloc returns the value dst points to through its pointers,
// allocating nil ones.
func derefAlloc(dst reflect.Value) reflect.Value {
	for dst.Kind() == reflect.Pointer {
		if dst.IsNil() {
			dst.Set(reflect.New(dst.Type().Elem()))
		}
		dst = dst.Elem()
	}
	return dst
}

// missing is the error of a field with no column or property, nil when
// the field may stay empty (a pointer, or tagged omitempty).
func missing(f *packstream.StructField) error {
	if f.OmitEmpty || f.Type.Kind() == reflect.Pointer {
		return nil
	}
	return &MappingError{GoType: f.Type, Missing: true,
		Detail: "the record has no such column (nor the node such a property): return it, or make the field a pointer or tag it omitempty"}
}

// settableField returns the field f of the struct value v, allocating
// nil embedded pointers on the way.
func settableField(v reflect.Value, f *packstream.StructField) (reflect.Value, error) {
	for i, x := range f.Index {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				if !v.CanSet() {
					return reflect.Value{}, &MappingError{GoType: f.Type,
						Detail: "it is reached through a nil pointer to an unexported embedded struct; export the embedded type or embed it by value"}
				}
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v, nil
}

// prefix puts the column and field steps in front of a MappingError's
// (on the way out of the conversion, so that a success pays nothing for
// paths).
func prefix(err error, column, field string) error {
	if me, ok := err.(*MappingError); ok {
		me.Column = column + me.Column
		me.Field = field + me.Field
	}
	return err
}

func mismatch(dst reflect.Value, v any, detail string) error {
	return &MappingError{GoType: dst.Type(), Value: v, Detail: detail}
}

// propertiesOf returns the properties of a node or relationship, or the
// entries of a map.
func propertiesOf(v any) (map[string]any, bool) {
	switch x := v.(type) {
	case Node:
		return x.Props, true
	case Relationship:
		return x.Props, true
	case map[string]any:
		return x, true
	}
	return nil, false
}

var (
	goDurationType = reflect.TypeFor[time.Duration]()
	timeType       = reflect.TypeFor[time.Time]()
)

// convert stores the result value v into dst without losing anything.
func convert(dst reflect.Value, v any) error {
	if v == nil {
		switch dst.Kind() {
		case reflect.Pointer, reflect.Interface, reflect.Slice, reflect.Map:
			dst.SetZero()
			return nil
		}
		return mismatch(dst, v, "null fits only pointers, interfaces, slices and maps: make the field a pointer")
	}
	// The common cases without reflecting on v.
	switch x := v.(type) {
	case string:
		if dst.Kind() == reflect.String {
			dst.SetString(x)
			return nil
		}
	case int64:
		if k := dst.Kind(); k >= reflect.Int && k <= reflect.Int64 && dst.Type() != goDurationType {
			if dst.OverflowInt(x) {
				return mismatch(dst, v, fmt.Sprintf("%d is out of the field's range", x))
			}
			dst.SetInt(x)
			return nil
		}
	case float64:
		if dst.Kind() == reflect.Float64 {
			dst.SetFloat(x)
			return nil
		}
	case bool:
		if dst.Kind() == reflect.Bool {
			dst.SetBool(x)
			return nil
		}
	}
	rv := reflect.ValueOf(v)
	if rv.Type().AssignableTo(dst.Type()) {
		dst.Set(rv)
		return nil
	}
	switch dst.Kind() {
	case reflect.Pointer:
		elem := reflect.New(dst.Type().Elem())
		if err := convert(elem.Elem(), v); err != nil {
			return err
		}
		dst.Set(elem)
		return nil
	case reflect.Interface:
		return mismatch(dst, v, "the value does not implement the interface")
	case reflect.Bool:
		if b, ok := v.(bool); ok {
			dst.SetBool(b)
			return nil
		}
	case reflect.String:
		if s, ok := v.(string); ok {
			dst.SetString(s)
			return nil
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if dst.Type() == goDurationType {
			return convertDuration(dst, v)
		}
		i, ok, detail := exactInt(v)
		if !ok {
			if detail != "" {
				return mismatch(dst, v, detail)
			}
			break
		}
		if dst.OverflowInt(i) {
			return mismatch(dst, v, fmt.Sprintf("%d is out of the field's range", i))
		}
		dst.SetInt(i)
		return nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		i, ok, detail := exactInt(v)
		if !ok {
			if detail != "" {
				return mismatch(dst, v, detail)
			}
			break
		}
		if i < 0 || dst.OverflowUint(uint64(i)) {
			return mismatch(dst, v, fmt.Sprintf("%d is out of the field's range", i))
		}
		dst.SetUint(uint64(i))
		return nil
	case reflect.Float32, reflect.Float64:
		switch x := v.(type) {
		case float64:
			if dst.Kind() == reflect.Float32 && float64(float32(x)) != x && !math.IsNaN(x) {
				return mismatch(dst, v, fmt.Sprintf("%v does not fit a float32 exactly", x))
			}
			dst.SetFloat(x)
			return nil
		case int64:
			f := float64(x)
			if dst.Kind() == reflect.Float32 {
				f = float64(float32(x))
			}
			if int64(f) != x || f >= math.MaxInt64 {
				return mismatch(dst, v, fmt.Sprintf("%d has no exact %s form", x, dst.Type()))
			}
			dst.SetFloat(f)
			return nil
		}
	case reflect.Slice:
		if list, ok := v.([]any); ok {
			s := reflect.MakeSlice(dst.Type(), len(list), len(list))
			for i, item := range list {
				if err := convert(s.Index(i), item); err != nil {
					step := "[" + strconv.Itoa(i) + "]"
					return prefix(err, step, step)
				}
			}
			dst.Set(s)
			return nil
		}
	case reflect.Array:
		if list, ok := v.([]any); ok {
			if len(list) != dst.Len() {
				return mismatch(dst, v, fmt.Sprintf("a list of %d elements does not fit an array of %d", len(list), dst.Len()))
			}
			for i, item := range list {
				if err := convert(dst.Index(i), item); err != nil {
					step := "[" + strconv.Itoa(i) + "]"
					return prefix(err, step, step)
				}
			}
			return nil
		}
	case reflect.Map:
		props, ok := propertiesOf(v)
		if ok && dst.Type().Key().Kind() == reflect.String {
			m := reflect.MakeMapWithSize(dst.Type(), len(props))
			for k, item := range props {
				ev := reflect.New(dst.Type().Elem()).Elem()
				if err := convert(ev, item); err != nil {
					step := "[" + strconv.Quote(k) + "]"
					return prefix(err, step, step)
				}
				m.SetMapIndex(reflect.ValueOf(k).Convert(dst.Type().Key()), ev)
			}
			dst.Set(m)
			return nil
		}
	case reflect.Struct:
		if dst.Type() == timeType {
			if t, ok := asTime(v); ok {
				dst.Set(reflect.ValueOf(t))
				return nil
			}
			break
		}
		if packstream.IsValueStruct(dst.Type()) {
			break
		}
		if props, ok := propertiesOf(v); ok {
			return fillStruct(dst, props)
		}
	}
	return mismatch(dst, v, "the types do not fit")
}

// fillStruct sets the fields of the struct dst from the properties of a
// node or relationship, or the entries of a map.
func fillStruct(dst reflect.Value, props map[string]any) error {
	for _, f := range packstream.StructFields(dst.Type()) {
		value, found := props[f.Name]
		name := f.Name
		if !found {
			for k, x := range props {
				if strings.EqualFold(k, f.Name) {
					value, found, name = x, true, k
					break
				}
			}
		}
		if !found {
			if err := missing(&f); err != nil {
				return prefix(err, "."+name, "."+f.GoName)
			}
			continue
		}
		fv, err := settableField(dst, &f)
		if err == nil {
			err = convert(fv, value)
		}
		if err != nil {
			return prefix(err, "."+name, "."+f.GoName)
		}
	}
	return nil
}

// exactInt returns an integer value as int64: an int64 itself, or a
// float64 without a fractional part. detail explains a float that is not
// a whole number.
func exactInt(v any) (int64, bool, string) {
	switch x := v.(type) {
	case int64:
		return x, true, ""
	case float64:
		if x != math.Trunc(x) || x < math.MinInt64 || x >= math.MaxInt64 {
			return 0, false, fmt.Sprintf("%v is not a whole number in the integer range", x)
		}
		return int64(x), true, ""
	}
	return 0, false, ""
}

// convertDuration stores a Bolt Duration of seconds and nanoseconds (no
// months or days, whose length varies) into a time.Duration.
func convertDuration(dst reflect.Value, v any) error {
	d, ok := v.(Duration)
	if !ok {
		return mismatch(dst, v, "a time.Duration takes a Duration value")
	}
	if d.Months != 0 || d.Days != 0 {
		return mismatch(dst, v, "a Duration with months or days has no fixed length: read it into a boltrx.Duration")
	}
	const limit = math.MaxInt64 / int64(time.Second)
	if d.Seconds > limit || d.Seconds < -limit {
		return mismatch(dst, v, "the Duration is out of time.Duration's range")
	}
	dst.SetInt(d.Seconds*int64(time.Second) + int64(d.Nanos))
	return nil
}

// asTime returns the instant of a date-time value, and the calendar
// values (Date, LocalDateTime) as the time.Time the driver decodes them
// into.
func asTime(v any) (time.Time, bool) {
	switch x := v.(type) {
	case time.Time:
		return x, true
	case Date:
		return time.Time(x), true
	case LocalDateTime:
		return time.Time(x), true
	}
	return time.Time{}, false
}
