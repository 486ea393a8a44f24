package packstream

import (
	"encoding/binary"
	"math"
	"strconv"
	"unicode/utf8"
)

// Decoder reads PackStream values from a byte slice without copying it.
// Values it returns (strings, byte slices, lists, maps, structures) are
// copies, safe to keep after the buffer is reused, except where a method
// says it returns a view. The zero value is ready to use after Reset. A
// Decoder is not safe for concurrent use.
//
// Every error is a *DecodeError wrapping one of the package's sentinel
// errors. After an error the decoder stays at the start of the value
// that failed.
type Decoder struct {
	// Dialect selects the structure encodings of the negotiated protocol
	// version.
	Dialect Dialect
	// Slabs makes the decoder allocate the values it returns in chunks
	// shared by many values (lists, integers and floats, short strings,
	// nodes and relationships) instead of one allocation each: a stream
	// of records then costs a fraction of the allocations. Values stay
	// valid as long as they are kept, but a kept value keeps its chunk
	// (a few KiB) in memory.
	Slabs bool
	slabs slabs

	buf []byte
	off int

	// names shares one string between the equal short strings the
	// decoder meets again and again (map keys, labels, relationship
	// types), so each record does not allocate them anew.
	names map[string]string
	// recent holds the names met last, one per slot of a cheap hash.
	recent [16]string
}

// Bounds of the name table: strings longer than maxNameLen are not shared,
// and the table stops growing at maxNames entries (maps with unbounded
// key sets must not grow it without end).
const (
	maxNameLen = 64
	maxNames   = 1024
)

// name returns b as a string, shared with earlier equal names. b must be
// valid UTF-8 (stringView checks it).
func (d *Decoder) name(b []byte) string {
	if len(b) > maxNameLen {
		return string(b)
	}
	if len(b) == 0 {
		return ""
	}
	// The same few names come again record after record: a look at the
	// slot of recent names costs a comparison, not a map lookup.
	slot := &d.recent[(len(b)^int(b[0])<<1^int(b[len(b)-1])<<2)%len(d.recent)]
	if *slot == string(b) {
		return *slot
	}
	if s, ok := d.names[string(b)]; ok {
		*slot = s
		return s
	}
	s := string(b)
	*slot = s
	if d.names == nil {
		d.names = make(map[string]string, 16)
	}
	if len(d.names) < maxNames {
		d.names[s] = s
	}
	return s
}

// Reset makes the decoder read buf from its start.
func (d *Decoder) Reset(buf []byte) {
	d.buf = buf
	d.off = 0
}

// Offset is the position of the next value in the buffer.
func (d *Decoder) Offset() int { return d.off }

// Remaining is the number of bytes not read yet.
func (d *Decoder) Remaining() int { return len(d.buf) - d.off }

func (d *Decoder) errAt(off int, err error, detail string) error {
	return &DecodeError{Offset: off, Err: err, Detail: detail}
}

func (d *Decoder) truncated(off int, what string) error {
	return d.errAt(off, ErrTruncated, what)
}

func markerHex(m byte) string {
	const digits = "0123456789ABCDEF"
	return "0x" + string([]byte{digits[m>>4], digits[m&0xF]})
}

// unexpected reports a value of the wrong kind at off.
func (d *Decoder) unexpected(off int, want string) error {
	m := d.buf[off]
	got := markerKinds[m]
	return d.errAt(off, ErrUnexpectedKind, "want "+want+", found "+got.String()+" (marker "+markerHex(m)+")")
}

// PeekKind reports the kind of the next value without consuming it.
func (d *Decoder) PeekKind() (Kind, error) {
	if d.off >= len(d.buf) {
		return KindInvalid, d.truncated(d.off, "no value left")
	}
	m := d.buf[d.off]
	k := markerKinds[m]
	switch k {
	case KindInvalid:
		return k, d.errAt(d.off, ErrUnknownMarker, "marker "+markerHex(m))
	case KindUUID:
		if !d.Dialect.UUIDs {
			return KindInvalid, d.errAt(d.off, ErrNotInDialect, "UUID marker 0xE0 needs Bolt 6.1")
		}
	}
	return k, nil
}

// ReadNull reads a null.
func (d *Decoder) ReadNull() error {
	if d.off >= len(d.buf) {
		return d.truncated(d.off, "want null")
	}
	if d.buf[d.off] != markerNull {
		return d.unexpected(d.off, "null")
	}
	d.off++
	return nil
}

// ReadBool reads a boolean.
func (d *Decoder) ReadBool() (bool, error) {
	if d.off >= len(d.buf) {
		return false, d.truncated(d.off, "want boolean")
	}
	switch m := d.buf[d.off]; m {
	case markerTrue, markerFalse:
		d.off++
		return m == markerTrue, nil
	}
	return false, d.unexpected(d.off, "boolean")
}

// ReadInt reads an integer in any of its encodings.
func (d *Decoder) ReadInt() (int64, error) {
	if d.off >= len(d.buf) {
		return 0, d.truncated(d.off, "want integer")
	}
	m := d.buf[d.off]
	if m <= 0x7F || m >= 0xF0 {
		d.off++
		return int64(int8(m)), nil
	}
	switch m {
	case markerInt8, markerInt16, markerInt32, markerInt64:
		return d.readSizedInt(m)
	}
	return 0, d.unexpected(d.off, "integer")
}

// readSizedInt reads an integer with marker m (C8..CB) at d.off.
func (d *Decoder) readSizedInt(m byte) (int64, error) {
	start := d.off
	var n int
	switch m {
	case markerInt8:
		n = 1
	case markerInt16:
		n = 2
	case markerInt32:
		n = 4
	default:
		n = 8
	}
	if len(d.buf)-start-1 < n {
		return 0, d.truncated(start, "integer of "+strconv.Itoa(n)+" bytes")
	}
	b := d.buf[start+1 : start+1+n]
	d.off = start + 1 + n
	switch n {
	case 1:
		return int64(int8(b[0])), nil
	case 2:
		return int64(int16(binary.BigEndian.Uint16(b))), nil
	case 4:
		return int64(int32(binary.BigEndian.Uint32(b))), nil
	}
	return int64(binary.BigEndian.Uint64(b)), nil
}

// ReadFloat reads a float.
func (d *Decoder) ReadFloat() (float64, error) {
	if d.off >= len(d.buf) {
		return 0, d.truncated(d.off, "want float")
	}
	if d.buf[d.off] != markerFloat64 {
		return 0, d.unexpected(d.off, "float")
	}
	return d.readFloatBody()
}

func (d *Decoder) readFloatBody() (float64, error) {
	if len(d.buf)-d.off < 9 {
		return 0, d.truncated(d.off, "float of 8 bytes")
	}
	f := math.Float64frombits(binary.BigEndian.Uint64(d.buf[d.off+1:]))
	d.off += 9
	return f, nil
}

// readSize reads the size that follows a marker: width bytes at off+1.
// It returns the size and the offset of the data.
func (d *Decoder) readSize(off, width int, what string) (int, int, error) {
	if len(d.buf)-off-1 < width {
		return 0, 0, d.truncated(off, what+" size")
	}
	p := d.buf[off+1:]
	var n uint32
	switch width {
	case 1:
		n = uint32(p[0])
	case 2:
		n = uint32(binary.BigEndian.Uint16(p))
	default:
		n = binary.BigEndian.Uint32(p)
		if n > maxSize {
			return 0, 0, d.errAt(off, ErrTooLarge, what+" of "+strconv.FormatUint(uint64(n), 10)+" (at most 2147483647)")
		}
	}
	return int(n), off + 1 + width, nil
}

// stringView reads a string and returns its bytes as a view into the buffer.
func (d *Decoder) stringView() ([]byte, error) {
	start := d.off
	if start >= len(d.buf) {
		return nil, d.truncated(start, "want string")
	}
	m := d.buf[start]
	var n, data int
	switch {
	case m&0xF0 == markerTinyStringBase:
		n, data = int(m&0x0F), start+1
	case m == markerString8 || m == markerString16 || m == markerString32:
		var err error
		if n, data, err = d.readSize(start, 1<<(m-markerString8), "string"); err != nil {
			return nil, err
		}
	default:
		return nil, d.unexpected(start, "string")
	}
	if len(d.buf)-data < n {
		return nil, d.truncated(start, "string of "+strconv.Itoa(n)+" bytes")
	}
	s := d.buf[data : data+n : data+n]
	if !utf8.Valid(s) {
		return nil, d.errAt(start, ErrInvalidUTF8, "")
	}
	d.off = data + n
	return s, nil
}

// ReadString reads a string.
func (d *Decoder) ReadString() (string, error) {
	b, err := d.stringView()
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// ReadStringBytes reads a string and returns its UTF-8 bytes as a view into
// the decoder's buffer, without allocating. The view is valid until the
// buffer is reused; it suits switching on map keys:
//
//	switch string(key) { case "fields": ... }
func (d *Decoder) ReadStringBytes() ([]byte, error) { return d.stringView() }

// bytesView reads a byte array and returns a view into the buffer.
func (d *Decoder) bytesView() ([]byte, error) {
	start := d.off
	if start >= len(d.buf) {
		return nil, d.truncated(start, "want bytes")
	}
	m := d.buf[start]
	if m != markerBytes8 && m != markerBytes16 && m != markerBytes32 {
		return nil, d.unexpected(start, "bytes")
	}
	n, data, err := d.readSize(start, 1<<(m-markerBytes8), "bytes")
	if err != nil {
		return nil, err
	}
	if len(d.buf)-data < n {
		return nil, d.truncated(start, "byte array of "+strconv.Itoa(n)+" bytes")
	}
	d.off = data + n
	return d.buf[data : data+n : data+n], nil
}

// ReadBytes reads a byte array and returns a copy (never nil).
func (d *Decoder) ReadBytes() ([]byte, error) {
	b, err := d.bytesView()
	if err != nil {
		return nil, err
	}
	return append(make([]byte, 0, len(b)), b...), nil
}

// readHeader reads a list or map header: tiny markers tinyBase|n, sized
// markers marker8, marker8+1, marker8+2.
func (d *Decoder) readHeader(tinyBase, marker8 byte, what string, depth int) (int, error) {
	start := d.off
	if err := d.enter(start, depth); err != nil {
		return 0, err
	}
	if start >= len(d.buf) {
		return 0, d.truncated(start, "want "+what)
	}
	m := d.buf[start]
	if m&0xF0 == tinyBase {
		d.off++
		return int(m & 0x0F), nil
	}
	if m < marker8 || m > marker8+2 {
		return 0, d.unexpected(start, what)
	}
	n, data, err := d.readSize(start, 1<<(m-marker8), what)
	if err != nil {
		return 0, err
	}
	d.off = data
	return n, nil
}

// ReadListHeader reads the header of a list and returns its number of
// entries; the entries follow. The number is what the input claims: size
// allocations by min(n, Remaining()).
func (d *Decoder) ReadListHeader() (int, error) {
	return d.readHeader(markerTinyListBase, markerList8, "list", 0)
}

// ReadMapHeader reads the header of a map and returns its number of
// entries; n times a key (string) and a value follow.
func (d *Decoder) ReadMapHeader() (int, error) {
	return d.readHeader(markerTinyMapBase, markerMap8, "map", 0)
}

// listHeader reads the header of a list nested in depth lists, maps or
// structures.
func (d *Decoder) listHeader(depth int) (int, error) {
	return d.readHeader(markerTinyListBase, markerList8, "list", depth)
}

// mapHeader reads the header of a map nested in depth lists, maps or
// structures.
func (d *Decoder) mapHeader(depth int) (int, error) {
	return d.readHeader(markerTinyMapBase, markerMap8, "map", depth)
}

// ReadStructHeader reads the header of a structure and returns its tag and
// number of fields; the fields follow.
func (d *Decoder) ReadStructHeader() (tag byte, fields int, err error) {
	start := d.off
	if start >= len(d.buf) {
		return 0, 0, d.truncated(start, "want structure")
	}
	m := d.buf[start]
	if m&0xF0 != markerTinyStructBase {
		return 0, 0, d.unexpected(start, "structure")
	}
	if len(d.buf)-start < 2 {
		return 0, 0, d.truncated(start, "structure tag")
	}
	d.off = start + 2
	return d.buf[start+1], int(m & 0x0F), nil
}

// ReadUUID reads a native UUID (Bolt 6.1, needs Dialect.UUIDs).
func (d *Decoder) ReadUUID() (UUID, error) {
	var u UUID
	start := d.off
	if start >= len(d.buf) {
		return u, d.truncated(start, "want UUID")
	}
	if d.buf[start] != markerUUID {
		return u, d.unexpected(start, "UUID")
	}
	if !d.Dialect.UUIDs {
		return u, d.errAt(start, ErrNotInDialect, "UUID marker 0xE0 needs Bolt 6.1")
	}
	if len(d.buf)-start < 17 {
		return u, d.truncated(start, "UUID of 16 bytes")
	}
	copy(u[:], d.buf[start+1:start+17])
	d.off = start + 17
	return u, nil
}
