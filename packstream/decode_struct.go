package packstream

import (
	"encoding/binary"
	"math"
	"strconv"
	"time"
)

// Limits on decoded temporal values. They are far beyond what Neo4j
// produces (years ±999,999,999) and keep every computation below from
// overflowing.
const (
	maxAbsSeconds   = 1 << 50 // seconds from the epoch
	maxAbsDays      = maxAbsSeconds / 86400
	maxOffsetSecond = 18 * 60 * 60 // UTC offsets, as in ISO-8601 / java.time
	nanosPerDay     = 86400 * 1_000_000_000
)

// readStruct reads a structure value and hydrates it into its Go type.
func (d *Decoder) readStruct(depth int) (any, error) {
	start := d.off
	if err := d.enter(start, depth); err != nil {
		return nil, err
	}
	tag, fields, err := d.ReadStructHeader()
	if err != nil {
		return nil, err
	}
	v, err := d.hydrate(start, tag, fields, depth+1)
	if err != nil {
		d.off = start
		return nil, err
	}
	return v, nil
}

// hydrate reads the fields of a structure whose header at start was read.
func (d *Decoder) hydrate(start int, tag byte, fields, depth int) (any, error) {
	switch tag {
	case tagNode:
		n, err := d.readNode(start, fields, depth)
		if err != nil || !d.Slabs {
			return n, err
		}
		return d.slabs.node(&n), nil
	case tagRelationship:
		r, err := d.readRelationship(start, fields, depth, true)
		if err != nil || !d.Slabs {
			return r, err
		}
		return d.slabs.rel(&r), nil
	case tagUnboundRelationship:
		return nil, d.errAt(start, ErrInvalidValue, "UnboundRelationship outside a Path")
	case tagPath:
		return d.readPath(start, fields, depth)
	case tagUnsupportedType:
		return d.readUnsupportedType(start, fields, depth)
	}
	if read := scalarStructs[tag]; read != nil {
		return read(d, start, tag, fields)
	}
	return nil, d.errAt(start, ErrUnknownStructure, "tag "+markerHex(tag))
}

// structReader reads the fields of a structure with tag whose header at
// start announced fields.
type structReader func(d *Decoder, start int, tag byte, fields int) (any, error)

// scalarStructs reads, by tag, the structures that hold no other values:
// the temporal and spatial types and Vector.
var scalarStructs = [256]structReader{
	tagDate:                 scalar((*Decoder).readDate),
	tagTime:                 scalar((*Decoder).readTime),
	tagLocalTime:            scalar((*Decoder).readLocalTime),
	tagLocalDateTime:        scalar((*Decoder).readLocalDateTime),
	tagDateTime:             (*Decoder).readDateTime,
	tagDateTimeZoneID:       (*Decoder).readDateTime,
	tagLegacyDateTime:       (*Decoder).readDateTime,
	tagLegacyDateTimeZoneID: (*Decoder).readDateTime,
	tagDuration:             scalar((*Decoder).readDuration),
	tagPoint2D:              scalar((*Decoder).readPoint2D),
	tagPoint3D:              scalar((*Decoder).readPoint3D),
	tagVector:               scalar((*Decoder).readVector),
}

// scalar adapts the reader of a structure that does not depend on its tag.
func scalar[T any](read func(d *Decoder, start, fields int) (T, error)) structReader {
	return func(d *Decoder, start int, _ byte, fields int) (any, error) {
		return read(d, start, fields)
	}
}

func (d *Decoder) checkFields(start int, name string, got, want int) error {
	if got != want {
		return d.errAt(start, ErrFieldCount, name+" with "+strconv.Itoa(got)+" fields, want "+strconv.Itoa(want))
	}
	return nil
}

func (d *Decoder) invalid(start int, detail string) error {
	return d.errAt(start, ErrInvalidValue, detail)
}

// expectStruct reads a structure header that must have tag.
func (d *Decoder) expectStruct(tag byte, name string) (start, fields int, err error) {
	start = d.off
	got, fields, err := d.ReadStructHeader()
	if err != nil {
		return start, 0, err
	}
	if got != tag {
		return start, 0, d.errAt(start, ErrUnexpectedKind, "want "+name+" structure, found tag "+markerHex(got))
	}
	return start, fields, nil
}

// graphFields is the number of fields of a graph structure in the dialect.
func (d *Decoder) graphFields(legacy, withIDs int) int {
	if d.Dialect.ElementIDs {
		return withIDs
	}
	return legacy
}

// readElementID reads the element id field, or makes one from the numeric
// id before Bolt 5.0.
func (d *Decoder) readElementID(id int64) (string, error) {
	if d.Dialect.ElementIDs {
		if d.Slabs {
			b, err := d.stringView()
			if err != nil {
				return "", err
			}
			return d.slabs.string(b), nil
		}
		return d.ReadString()
	}
	return strconv.FormatInt(id, 10), nil
}

func (d *Decoder) readStringList(depth int) ([]string, error) {
	n, err := d.listHeader(depth)
	if err != nil {
		return nil, err
	}
	list := carve(&d.slabs.strs, d.capacity(n, 1), slabScalar, d.Slabs)
	for i := 0; i < n; i++ {
		s, err := d.stringView()
		if err != nil {
			return nil, err
		}
		list = append(list, d.name(s))
	}
	return list, nil
}

func (d *Decoder) readNode(start, fields, depth int) (n Node, err error) {
	if err = d.checkFields(start, "Node", fields, d.graphFields(3, 4)); err != nil {
		return n, err
	}
	if n.Id, err = d.ReadInt(); err != nil {
		return n, err
	}
	if n.Labels, err = d.readStringList(depth); err != nil {
		return n, err
	}
	if n.Props, err = d.readMap(depth); err != nil {
		return n, err
	}
	n.ElementId, err = d.readElementID(n.Id)
	return n, err
}

// readRelationship reads a Relationship or, unless bound, the
// UnboundRelationship of a Path, which has neither start nor end.
func (d *Decoder) readRelationship(start, fields, depth int, bound bool) (r Relationship, err error) {
	name, want := "Relationship", d.graphFields(5, 8)
	if !bound {
		name, want = "UnboundRelationship", d.graphFields(3, 4)
	}
	if err = d.checkFields(start, name, fields, want); err != nil {
		return r, err
	}
	if r.Id, err = d.ReadInt(); err != nil {
		return r, err
	}
	if bound {
		if err = d.readInts(&r.StartId, &r.EndId); err != nil {
			return r, err
		}
	}
	typ, err := d.stringView()
	if err != nil {
		return r, err
	}
	r.Type = d.name(typ)
	if r.Props, err = d.readMap(depth); err != nil {
		return r, err
	}
	if r.ElementId, err = d.readElementID(r.Id); err != nil || !bound {
		return r, err
	}
	if r.StartElementId, err = d.readElementID(r.StartId); err != nil {
		return r, err
	}
	r.EndElementId, err = d.readElementID(r.EndId)
	return r, err
}

// readInts reads integer fields into dst, in order.
func (d *Decoder) readInts(dst ...*int64) (err error) {
	for _, p := range dst {
		if *p, err = d.ReadInt(); err != nil {
			return err
		}
	}
	return nil
}

// readFloats reads float fields into dst, in order.
func (d *Decoder) readFloats(dst ...*float64) (err error) {
	for _, p := range dst {
		if *p, err = d.ReadFloat(); err != nil {
			return err
		}
	}
	return nil
}

// smallestGraphStruct is the fewest bytes a Node or UnboundRelationship
// takes (marker, tag, tiny id, empty list or string, empty map).
const smallestGraphStruct = 5

func (d *Decoder) readPath(start, fields, depth int) (p Path, err error) {
	if err = d.checkFields(start, "Path", fields, 3); err != nil {
		return p, err
	}
	nodes, err := readGraphList(d, depth, tagNode, "Node", (*Decoder).readNode)
	if err != nil {
		return p, err
	}
	rels, err := readGraphList(d, depth, tagUnboundRelationship, "UnboundRelationship", (*Decoder).readUnbound)
	if err != nil {
		return p, err
	}
	indicesAt := d.off
	n, err := d.ReadListHeader()
	if err != nil {
		return p, err
	}
	indices := make([]int64, 0, d.capacity(n, 1))
	for i := 0; i < n; i++ {
		x, err := d.ReadInt()
		if err != nil {
			return p, err
		}
		indices = append(indices, x)
	}
	return bindPath(nodes, rels, indices, func(detail string) error {
		return d.invalid(indicesAt, detail)
	})
}

func (d *Decoder) readUnbound(start, fields, depth int) (Relationship, error) {
	return d.readRelationship(start, fields, depth, false)
}

// readGraphList reads a list of the structures with tag that a Path at
// depth holds, each with read.
func readGraphList[T any](d *Decoder, depth int, tag byte, name string, read func(d *Decoder, start, fields, depth int) (T, error)) ([]T, error) {
	n, err := d.listHeader(depth)
	if err != nil {
		return nil, err
	}
	list := make([]T, 0, d.capacity(n, smallestGraphStruct))
	for i := 0; i < n; i++ {
		at, fields, err := d.expectStruct(tag, name)
		if err != nil {
			return nil, err
		}
		v, err := read(d, at, fields, depth+2)
		if err != nil {
			return nil, err
		}
		list = append(list, v)
	}
	return list, nil
}

// bindPath turns the wire form of a path into the sequence of its nodes and
// bound relationships, checking every index.
func bindPath(nodes []Node, rels []Relationship, indices []int64, fail func(string) error) (Path, error) {
	if len(nodes) == 0 {
		return Path{}, fail("Path without nodes")
	}
	if len(indices)%2 != 0 {
		return Path{}, fail("Path with an odd number of indices")
	}
	steps := len(indices) / 2
	p := Path{
		Nodes:         make([]Node, 1, steps+1),
		Relationships: make([]Relationship, 0, steps),
	}
	p.Nodes[0] = nodes[0]
	nRels := int64(len(rels))
	for i := 0; i < steps; i++ {
		ri, ni := indices[2*i], indices[2*i+1]
		if ri == 0 || ri < -nRels || ri > nRels {
			return Path{}, fail("Path relationship index " + strconv.FormatInt(ri, 10) +
				" out of range for " + strconv.Itoa(len(rels)) + " relationships")
		}
		if ni < 0 || ni >= int64(len(nodes)) {
			return Path{}, fail("Path node index " + strconv.FormatInt(ni, 10) +
				" out of range for " + strconv.Itoa(len(nodes)) + " nodes")
		}
		prev, next := &p.Nodes[len(p.Nodes)-1], &nodes[ni]
		r := rels[abs64(ri)-1]
		from, to := prev, next
		if ri < 0 {
			from, to = next, prev
		}
		r.StartId, r.StartElementId = from.Id, from.ElementId
		r.EndId, r.EndElementId = to.Id, to.ElementId
		p.Relationships = append(p.Relationships, r)
		p.Nodes = append(p.Nodes, *next)
	}
	return p, nil
}

func abs64(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

// readIntIn reads an integer field that must lie in [lo, hi].
func (d *Decoder) readIntIn(lo, hi int64, what string) (int64, error) {
	at := d.off
	x, err := d.ReadInt()
	if err != nil {
		return 0, err
	}
	if x < lo || x > hi {
		return 0, d.invalid(at, what+" "+strconv.FormatInt(x, 10)+" out of range")
	}
	return x, nil
}

func (d *Decoder) readSeconds() (int64, error) {
	return d.readIntIn(-maxAbsSeconds, maxAbsSeconds, "seconds")
}

func (d *Decoder) readNanos() (int64, error) {
	return d.readIntIn(0, 999_999_999, "nanoseconds")
}

func (d *Decoder) readOffset() (int, error) {
	x, err := d.readIntIn(-maxOffsetSecond, maxOffsetSecond, "UTC offset seconds")
	return int(x), err
}

func (d *Decoder) readDate(start, fields int) (Date, error) {
	if err := d.checkFields(start, "Date", fields, 1); err != nil {
		return Date{}, err
	}
	days, err := d.readIntIn(-maxAbsDays, maxAbsDays, "days")
	if err != nil {
		return Date{}, err
	}
	return Date(time.Unix(days*86400, 0).UTC()), nil
}

// clockIn returns 1970-01-01 plus nanos of wall-clock time in loc.
func clockIn(nanos int64, loc *time.Location) time.Time {
	const ns = int64(time.Second)
	secs := nanos / ns
	return time.Date(1970, 1, 1, int(secs/3600), int(secs/60%60), int(secs%60), int(nanos%ns), loc)
}

// readNanosOfDay checks the field count of a Time or LocalTime (name) and
// reads its first field, the nanoseconds of the day.
func (d *Decoder) readNanosOfDay(start int, name string, fields, want int) (int64, error) {
	if err := d.checkFields(start, name, fields, want); err != nil {
		return 0, err
	}
	return d.readIntIn(0, nanosPerDay-1, "nanoseconds of the day")
}

func (d *Decoder) readTime(start, fields int) (Time, error) {
	nanos, err := d.readNanosOfDay(start, "Time", fields, 2)
	if err != nil {
		return Time{}, err
	}
	offset, err := d.readOffset()
	if err != nil {
		return Time{}, err
	}
	return Time(clockIn(nanos, fixedZone(offset))), nil
}

func (d *Decoder) readLocalTime(start, fields int) (LocalTime, error) {
	nanos, err := d.readNanosOfDay(start, "LocalTime", fields, 1)
	if err != nil {
		return LocalTime{}, err
	}
	return LocalTime(clockIn(nanos, time.UTC)), nil
}

func (d *Decoder) readLocalDateTime(start, fields int) (LocalDateTime, error) {
	if err := d.checkFields(start, "LocalDateTime", fields, 2); err != nil {
		return LocalDateTime{}, err
	}
	secs, err := d.readSeconds()
	if err != nil {
		return LocalDateTime{}, err
	}
	nanos, err := d.readNanos()
	if err != nil {
		return LocalDateTime{}, err
	}
	return LocalDateTime(time.Unix(secs, nanos).UTC()), nil
}

// readDateTime reads the four DateTime structures: 'I' and 'i' count UTC
// seconds, the legacy 'F' and 'f' count local wall-clock seconds. A zone
// id unknown here decodes as an InvalidValue.
func (d *Decoder) readDateTime(start int, tag byte, fields int) (any, error) {
	utc := tag == tagDateTime || tag == tagDateTimeZoneID
	if utc != d.Dialect.UTCDateTime {
		if utc {
			return nil, d.errAt(start, ErrNotInDialect, "UTC DateTime tag "+markerHex(tag)+" before Bolt 5.0 without the utc patch")
		}
		return nil, d.errAt(start, ErrNotInDialect, "legacy DateTime tag "+markerHex(tag)+" after Bolt 5.0 or with the utc patch")
	}
	if err := d.checkFields(start, "DateTime", fields, 3); err != nil {
		return nil, err
	}
	secs, err := d.readSeconds()
	if err != nil {
		return nil, err
	}
	nanos, err := d.readNanos()
	if err != nil {
		return nil, err
	}
	if tag == tagDateTime || tag == tagLegacyDateTime {
		offset, err := d.readOffset()
		if err != nil {
			return nil, err
		}
		if tag == tagLegacyDateTime {
			secs -= int64(offset)
		}
		return time.Unix(secs, nanos).In(fixedZone(offset)), nil
	}
	name, err := d.stringView()
	if err != nil {
		return nil, err
	}
	loc, err := lookupZone(name)
	if err != nil {
		return InvalidValue{Message: "unknown time zone id " + strconv.Quote(string(name)), Err: err}, nil
	}
	if tag == tagDateTimeZoneID {
		return time.Unix(secs, nanos).In(loc), nil
	}
	// Legacy: the seconds are the wall clock in the zone.
	w := time.Unix(secs, nanos).UTC()
	return time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), w.Nanosecond(), loc), nil
}

func (d *Decoder) readDuration(start, fields int) (v Duration, err error) {
	if err = d.checkFields(start, "Duration", fields, 4); err != nil {
		return v, err
	}
	if err = d.readInts(&v.Months, &v.Days, &v.Seconds); err != nil {
		return v, err
	}
	nanos, err := d.readIntIn(math.MinInt32, math.MaxInt32, "nanoseconds")
	v.Nanos = int(nanos)
	return v, err
}

func (d *Decoder) readPoint2D(start, fields int) (p Point2D, err error) {
	p.SpatialRefId, err = d.readPoint(start, "Point2D", fields, &p.X, &p.Y)
	return p, err
}

func (d *Decoder) readPoint3D(start, fields int) (p Point3D, err error) {
	p.SpatialRefId, err = d.readPoint(start, "Point3D", fields, &p.X, &p.Y, &p.Z)
	return p, err
}

// readPoint reads the fields of a point structure of name: its spatial
// reference id, returned, and its coordinates, into coords.
func (d *Decoder) readPoint(start int, name string, fields int, coords ...*float64) (uint32, error) {
	if err := d.checkFields(start, name, fields, 1+len(coords)); err != nil {
		return 0, err
	}
	srid, err := d.readIntIn(0, math.MaxUint32, "spatial reference id")
	if err != nil {
		return 0, err
	}
	return uint32(srid), d.readFloats(coords...)
}

func (d *Decoder) readVector(start, fields int) (any, error) {
	if !d.Dialect.Vectors {
		return nil, d.errAt(start, ErrNotInDialect, "Vector needs Bolt 6.0")
	}
	if err := d.checkFields(start, "Vector", fields, 2); err != nil {
		return nil, err
	}
	at := d.off
	marker, err := d.bytesView()
	if err != nil {
		return nil, err
	}
	if len(marker) != 1 || VectorType(marker[0]).size() == 0 {
		return nil, d.invalid(at, "Vector type marker must be one of C8 C9 CA CB C6 C1")
	}
	typ := VectorType(marker[0])
	at = d.off
	data, err := d.bytesView()
	if err != nil {
		return nil, err
	}
	size := typ.size()
	if len(data)%size != 0 {
		return nil, d.invalid(at, "Vector data of "+strconv.Itoa(len(data))+" bytes is not a whole number of "+typ.String()+" elements")
	}
	return decodeVectorData(typ, data), nil
}

// decodeVectorData converts big-endian elements to a Vector of typ.
func decodeVectorData(typ VectorType, data []byte) any {
	be := binary.BigEndian
	switch typ {
	case VectorInt8:
		return vectorOf(data, 1, func(b []byte) int8 { return int8(b[0]) })
	case VectorInt16:
		return vectorOf(data, 2, func(b []byte) int16 { return int16(be.Uint16(b)) })
	case VectorInt32:
		return vectorOf(data, 4, func(b []byte) int32 { return int32(be.Uint32(b)) })
	case VectorInt64:
		return vectorOf(data, 8, func(b []byte) int64 { return int64(be.Uint64(b)) })
	case VectorFloat32:
		return vectorOf(data, 4, func(b []byte) float32 { return math.Float32frombits(be.Uint32(b)) })
	default:
		return vectorOf(data, 8, func(b []byte) float64 { return math.Float64frombits(be.Uint64(b)) })
	}
}

// vectorOf converts data, elements of size bytes each, with elem.
func vectorOf[T VectorElement](data []byte, size int, elem func([]byte) T) Vector[T] {
	v := make([]T, len(data)/size)
	for i := range v {
		v[i] = elem(data[size*i:])
	}
	return Vector[T]{Elems: v}
}

func (d *Decoder) readUnsupportedType(start, fields, depth int) (UnsupportedType, error) {
	var u UnsupportedType
	if !d.Dialect.Vectors {
		return u, d.errAt(start, ErrNotInDialect, "UnsupportedType needs Bolt 6.0")
	}
	if err := d.checkFields(start, "UnsupportedType", fields, 4); err != nil {
		return u, err
	}
	var err error
	if u.Name, err = d.ReadString(); err != nil {
		return u, err
	}
	major, err := d.readIntIn(0, math.MaxInt32, "protocol major version")
	if err != nil {
		return u, err
	}
	minor, err := d.readIntIn(0, math.MaxInt32, "protocol minor version")
	if err != nil {
		return u, err
	}
	u.MinimumProtocolMajor, u.MinimumProtocolMinor = int(major), int(minor)
	extra, err := d.readMap(depth)
	if err != nil {
		return u, err
	}
	u.Message, _ = extra["message"].(string)
	return u, nil
}
