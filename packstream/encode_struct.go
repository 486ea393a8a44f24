package packstream

import (
	"encoding/binary"
	"math"
	"strconv"
	"time"
)

// writeMap writes a map of values at depth, such as the properties of a
// graph value.
func (e *Encoder) writeMap(props map[string]any, depth int) error {
	if depth >= MaxDepth {
		return tooDeep(props)
	}
	e.WriteMapHeader(len(props))
	for k, v := range props {
		e.WriteString(k)
		if err := e.writeValue(v, depth+1); err != nil {
			return atKey(err, k)
		}
	}
	return nil
}

func (e *Encoder) graphFields(legacy, withIDs int) int {
	if e.Dialect.ElementIDs {
		return withIDs
	}
	return legacy
}

func (e *Encoder) writeNode(n Node, depth int) error {
	e.WriteStructHeader(tagNode, e.graphFields(3, 4))
	e.WriteInt(n.Id)
	e.WriteListHeader(len(n.Labels))
	for _, l := range n.Labels {
		e.WriteString(l)
	}
	if err := e.writeMap(n.Props, depth+1); err != nil {
		return withPath(err, ".Props")
	}
	if e.Dialect.ElementIDs {
		e.WriteString(n.ElementId)
	}
	return nil
}

func (e *Encoder) writeRelationship(r Relationship, depth int) error {
	e.WriteStructHeader(tagRelationship, e.graphFields(5, 8))
	e.WriteInt(r.Id)
	e.WriteInt(r.StartId)
	e.WriteInt(r.EndId)
	e.WriteString(r.Type)
	if err := e.writeMap(r.Props, depth+1); err != nil {
		return withPath(err, ".Props")
	}
	if e.Dialect.ElementIDs {
		e.WriteString(r.ElementId)
		e.WriteString(r.StartElementId)
		e.WriteString(r.EndElementId)
	}
	return nil
}

// graphKey identifies a node or relationship: by element id when the
// dialect has them, by numeric id before.
type graphKey struct {
	id  int64
	eid string
}

func (e *Encoder) key(id int64, eid string) graphKey {
	if e.Dialect.ElementIDs {
		return graphKey{eid: eid}
	}
	return graphKey{id: id}
}

// writePath writes the wire form of a path: its distinct nodes, its
// distinct relationships (unbound) and the indices that rebuild the
// sequence.
func (e *Encoder) writePath(p Path, depth int) error {
	if len(p.Nodes) == 0 || len(p.Relationships) != len(p.Nodes)-1 {
		return &EncodeError{Type: typeOf(p), Value: p, Err: ErrInvalidValue,
			Detail: "a Path needs at least one node and one relationship fewer than nodes"}
	}
	nodeAt := map[graphKey]int{e.key(p.Nodes[0].Id, p.Nodes[0].ElementId): 0}
	nodes := []Node{p.Nodes[0]}
	relAt := map[graphKey]int{}
	var rels []Relationship
	indices := make([]int64, 0, 2*len(p.Relationships))
	for i, r := range p.Relationships {
		prev, next := e.key(p.Nodes[i].Id, p.Nodes[i].ElementId), e.key(p.Nodes[i+1].Id, p.Nodes[i+1].ElementId)
		start, end := e.key(r.StartId, r.StartElementId), e.key(r.EndId, r.EndElementId)
		var sign int64
		switch {
		case start == prev && end == next:
			sign = 1
		case start == next && end == prev:
			sign = -1
		default:
			return &EncodeError{Path: ".Relationships[" + strconv.Itoa(i) + "]", Type: typeOf(r), Value: r,
				Err: ErrInvalidValue, Detail: "relationship does not join the nodes before and after it"}
		}
		rk := e.key(r.Id, r.ElementId)
		ri, ok := relAt[rk]
		if !ok {
			ri = len(rels)
			relAt[rk] = ri
			rels = append(rels, r)
		}
		ni, ok := nodeAt[next]
		if !ok {
			ni = len(nodes)
			nodeAt[next] = ni
			nodes = append(nodes, p.Nodes[i+1])
		}
		indices = append(indices, sign*int64(ri+1), int64(ni))
	}
	if depth+1 >= MaxDepth {
		return tooDeep(p)
	}
	e.WriteStructHeader(tagPath, 3)
	e.WriteListHeader(len(nodes))
	for i, n := range nodes {
		if err := e.writeNode(n, depth+2); err != nil {
			return withPath(err, ".Nodes["+strconv.Itoa(i)+"]")
		}
	}
	e.WriteListHeader(len(rels))
	for i, r := range rels {
		e.WriteStructHeader(tagUnboundRelationship, e.graphFields(3, 4))
		e.WriteInt(r.Id)
		e.WriteString(r.Type)
		if err := e.writeMap(r.Props, depth+2); err != nil {
			return withPath(err, ".Relationships["+strconv.Itoa(i)+"].Props")
		}
		if e.Dialect.ElementIDs {
			e.WriteString(r.ElementId)
		}
	}
	e.WriteListHeader(len(indices))
	for _, x := range indices {
		e.WriteInt(x)
	}
	return nil
}

// nanosOfDay is the wall-clock time of t in nanoseconds since midnight.
func nanosOfDay(t time.Time) int64 {
	h, m, s := t.Clock()
	return (int64(h)*3600+int64(m)*60+int64(s))*int64(time.Second) + int64(t.Nanosecond())
}

// wallSeconds is the wall-clock date and time of t counted as if it were UTC.
func wallSeconds(t time.Time) int64 {
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	return time.Date(y, mo, d, h, mi, s, 0, time.UTC).Unix()
}

func (e *Encoder) writeDate(d Date) {
	y, m, day := time.Time(d).Date()
	e.WriteStructHeader(tagDate, 1)
	e.WriteInt(time.Date(y, m, day, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

func (e *Encoder) writeTime(t Time) {
	_, offset := time.Time(t).Zone()
	e.WriteStructHeader(tagTime, 2)
	e.WriteInt(nanosOfDay(time.Time(t)))
	e.WriteInt(int64(offset))
}

func (e *Encoder) writeLocalTime(t LocalTime) {
	e.WriteStructHeader(tagLocalTime, 1)
	e.WriteInt(nanosOfDay(time.Time(t)))
}

func (e *Encoder) writeLocalDateTime(t LocalDateTime) {
	e.WriteStructHeader(tagLocalDateTime, 2)
	e.WriteInt(wallSeconds(time.Time(t)))
	e.WriteInt(int64(time.Time(t).Nanosecond()))
}

// writeDateTime writes t as DateTimeZoneId when its location has an IANA
// name and as DateTime with an offset otherwise; the dialect picks the UTC
// ('I', 'i') or legacy ('F', 'f') structures.
func (e *Encoder) writeDateTime(t time.Time) {
	name, named := namedZone(t.Location())
	_, offset := t.Zone()
	secs := t.Unix()
	tag := byte(tagDateTime)
	if !e.Dialect.UTCDateTime {
		// Legacy structures count wall-clock seconds.
		secs += int64(offset)
		tag = tagLegacyDateTime
	}
	if named {
		tag += tagDateTimeZoneID - tagDateTime // 'I'→'i', 'F'→'f'
	}
	e.WriteStructHeader(tag, 3)
	e.WriteInt(secs)
	e.WriteInt(int64(t.Nanosecond()))
	if named {
		e.WriteString(name)
	} else {
		e.WriteInt(int64(offset))
	}
}

func (e *Encoder) writeDuration(d Duration) {
	e.WriteStructHeader(tagDuration, 4)
	e.WriteInt(d.Months)
	e.WriteInt(d.Days)
	e.WriteInt(d.Seconds)
	e.WriteInt(int64(d.Nanos))
}

// vectorWriter is implemented by every Vector[T].
type vectorWriter interface {
	writeTo(e *Encoder) error
}

// writeTo writes a Vector structure: the element type as a one-byte Bytes
// value, then the elements big-endian as another.
func (v Vector[T]) writeTo(e *Encoder) error {
	if !e.Dialect.Vectors {
		return notInDialect(v, "Vector needs Bolt 6.0")
	}
	typ := v.ElementType()
	size := typ.size()
	if len(v.Elems) > maxSize/size {
		return &EncodeError{Type: typeOf(v), Err: ErrTooLarge,
			Detail: strconv.Itoa(len(v.Elems)) + " elements (at most 2147483647 bytes of data)"}
	}
	e.WriteStructHeader(tagVector, 2)
	e.buf = append(e.buf, markerBytes8, 1, byte(typ))
	e.writeBytesHeader(len(v.Elems) * size)
	be := binary.BigEndian
	switch elems := any(v.Elems).(type) {
	case []int8:
		for _, x := range elems {
			e.buf = append(e.buf, byte(x))
		}
	case []int16:
		for _, x := range elems {
			e.buf = be.AppendUint16(e.buf, uint16(x))
		}
	case []int32:
		for _, x := range elems {
			e.buf = be.AppendUint32(e.buf, uint32(x))
		}
	case []int64:
		for _, x := range elems {
			e.buf = be.AppendUint64(e.buf, uint64(x))
		}
	case []float32:
		for _, x := range elems {
			e.buf = be.AppendUint32(e.buf, math.Float32bits(x))
		}
	case []float64:
		for _, x := range elems {
			e.buf = be.AppendUint64(e.buf, math.Float64bits(x))
		}
	}
	return nil
}

func (e *Encoder) writeUnsupportedType(u UnsupportedType) error {
	if !e.Dialect.Vectors {
		return notInDialect(u, "UnsupportedType needs Bolt 6.0")
	}
	e.WriteStructHeader(tagUnsupportedType, 4)
	e.WriteString(u.Name)
	e.WriteInt(int64(u.MinimumProtocolMajor))
	e.WriteInt(int64(u.MinimumProtocolMinor))
	if u.Message == "" {
		e.WriteMapHeader(0)
		return nil
	}
	e.WriteMapHeader(1)
	e.WriteString("message")
	e.WriteString(u.Message)
	return nil
}
