package packstream

import (
	"strconv"
)

// ReadValue reads the next value of any kind. Bolt structures become the
// Go types of this package (see the package documentation); a structure
// with an unknown tag fails with ErrUnknownStructure.
func (d *Decoder) ReadValue() (any, error) { return d.readValue(0) }

// ReadList reads a list of values. It is the hot path for the fields of a
// RECORD message: one allocation for the slice plus the values themselves.
func (d *Decoder) ReadList() ([]any, error) { return d.readList(0) }

// ReadMap reads a map. A key that occurs twice keeps its last value, as the
// specification asks.
func (d *Decoder) ReadMap() (map[string]any, error) { return d.readMap(0) }

// readValue reads one value; depth is the number of lists, maps and
// structures around it.
func (d *Decoder) readValue(depth int) (any, error) {
	start := d.off
	if start >= len(d.buf) {
		return nil, d.truncated(start, "want a value")
	}
	m := d.buf[start]
	switch {
	case m <= 0x7F:
		d.off++
		// Values 0..255 box into an interface without allocating.
		return int64(m), nil
	case m >= 0xF0:
		d.off++
		return int64(int8(m)), nil
	case m <= 0x8F:
		return d.readStringValue()
	case m <= 0x9F:
		return d.readList(depth)
	case m <= 0xAF:
		return d.readMap(depth)
	case m <= 0xBF:
		return d.readStruct(depth)
	}
	switch m {
	case markerNull:
		d.off++
		return nil, nil
	case markerTrue, markerFalse:
		d.off++
		return m == markerTrue, nil
	case markerFloat64:
		f, err := d.readFloatBody()
		if err != nil || !d.Slabs {
			return f, err
		}
		return d.slabs.float(f), nil
	case markerInt8, markerInt16, markerInt32, markerInt64:
		n, err := d.readSizedInt(m)
		if err != nil || !d.Slabs || n >= 0 && n <= 255 {
			return n, err
		}
		return d.slabs.int(n), nil
	case markerString8, markerString16, markerString32:
		return d.readStringValue()
	case markerBytes8, markerBytes16, markerBytes32:
		return d.ReadBytes()
	case markerList8, markerList16, markerList32:
		return d.readList(depth)
	case markerMap8, markerMap16, markerMap32:
		return d.readMap(depth)
	case markerUUID:
		return d.ReadUUID()
	}
	return nil, d.errAt(start, ErrUnknownMarker, "marker "+markerHex(m))
}

// readStringValue reads a string as an interface value: the conversion from
// bytes is the only allocation (the empty string needs none).
func (d *Decoder) readStringValue() (any, error) {
	b, err := d.stringView()
	if err != nil {
		return nil, err
	}
	if d.Slabs && len(b) > 0 {
		return d.slabs.stringValue(b), nil
	}
	return string(b), nil
}

// capacity bounds a preallocation for n entries of at least perEntry bytes
// each by what the remaining input can hold, so a forged header cannot make
// the decoder allocate more than the input justifies.
func (d *Decoder) capacity(n, perEntry int) int {
	if most := d.Remaining() / perEntry; n > most {
		return most
	}
	return n
}

// enter checks the nesting limit for a container at start. It is small
// enough to be inlined; tooDeep builds the error.
func (d *Decoder) enter(start, depth int) error {
	if depth >= MaxDepth {
		return d.tooDeep(start)
	}
	return nil
}

func (d *Decoder) tooDeep(start int) error {
	return d.errAt(start, ErrTooDeep, "more than "+strconv.Itoa(MaxDepth)+" nested lists, maps or structures")
}

func (d *Decoder) readList(depth int) ([]any, error) {
	start := d.off
	n, err := d.listHeader(depth)
	if err != nil {
		return nil, err
	}
	list := carve(&d.slabs.anys, d.capacity(n, 1), slabAnys, d.Slabs)
	for i := 0; i < n; i++ {
		v, err := d.readValue(depth + 1)
		if err != nil {
			d.off = start
			return nil, err
		}
		list = append(list, v)
	}
	return list, nil
}

func (d *Decoder) readMap(depth int) (map[string]any, error) {
	start := d.off
	n, err := d.mapHeader(depth)
	if err != nil {
		return nil, err
	}
	m := make(map[string]any, d.capacity(n, 2))
	for i := 0; i < n; i++ {
		key, err := d.stringView()
		if err != nil {
			d.off = start
			return nil, err
		}
		v, err := d.readValue(depth + 1)
		if err != nil {
			d.off = start
			return nil, err
		}
		m[d.name(key)] = v
	}
	return m, nil
}

// Skip moves past the next value of any kind without decoding it. It
// checks markers and sizes but not UTF-8 or structure semantics, and
// allocates nothing.
func (d *Decoder) Skip() error {
	start := d.off
	pending := 1 // values still to skip
	for pending > 0 {
		if pending > d.Remaining() {
			// Every value takes at least one byte.
			err := d.truncated(d.off, strconv.Itoa(pending)+" values announced, "+strconv.Itoa(d.Remaining())+" bytes left")
			d.off = start
			return err
		}
		pending--
		if err := d.skipOne(&pending); err != nil {
			d.off = start
			return err
		}
	}
	return nil
}

// skipOne moves past one marker and its payload, adding the entries of a
// container to pending.
func (d *Decoder) skipOne(pending *int) error {
	at := d.off
	m := d.buf[at]
	switch {
	case m <= 0x7F || m >= 0xF0:
		d.off++
		return nil
	case m <= 0x8F:
		return d.skipPayload(at, 1, int(m&0x0F))
	case m <= 0x9F:
		d.off++
		*pending += int(m & 0x0F)
		return nil
	case m <= 0xAF:
		d.off++
		*pending += 2 * int(m&0x0F)
		return nil
	case m <= 0xBF:
		if len(d.buf)-at < 2 {
			return d.truncated(at, "structure tag")
		}
		d.off += 2
		*pending += int(m & 0x0F)
		return nil
	}
	switch m {
	case markerNull, markerTrue, markerFalse:
		return d.skipPayload(at, 1, 0)
	case markerFloat64:
		return d.skipPayload(at, 1, 8)
	case markerInt8, markerInt16, markerInt32, markerInt64:
		return d.skipPayload(at, 1, 1<<(m-markerInt8))
	case markerString8, markerString16, markerString32:
		return d.skipSized(at, 1<<(m-markerString8), "string")
	case markerBytes8, markerBytes16, markerBytes32:
		return d.skipSized(at, 1<<(m-markerBytes8), "bytes")
	case markerList8, markerList16, markerList32:
		return d.skipHeader(at, 1<<(m-markerList8), "list", 1, pending)
	case markerMap8, markerMap16, markerMap32:
		return d.skipHeader(at, 1<<(m-markerMap8), "map", 2, pending)
	case markerUUID:
		if !d.Dialect.UUIDs {
			return d.errAt(at, ErrNotInDialect, "UUID marker 0xE0 needs Bolt 6.1")
		}
		return d.skipPayload(at, 1, 16)
	}
	return d.errAt(at, ErrUnknownMarker, "marker "+markerHex(m))
}

// skipPayload moves past head bytes of marker (and size) and n bytes of
// data starting at at.
func (d *Decoder) skipPayload(at, head, n int) error {
	if len(d.buf)-at-head < n {
		return d.truncated(at, "value of "+strconv.Itoa(n)+" bytes")
	}
	d.off = at + head + n
	return nil
}

// skipHeader moves past the sized header of a list or map at at, adding
// perEntry values for each of its entries to pending.
func (d *Decoder) skipHeader(at, width int, what string, perEntry int, pending *int) error {
	n, data, err := d.readSize(at, width, what)
	if err != nil {
		return err
	}
	d.off = data
	*pending += perEntry * n
	return nil
}

func (d *Decoder) skipSized(at, width int, what string) error {
	n, data, err := d.readSize(at, width, what)
	if err != nil {
		return err
	}
	if len(d.buf)-data < n {
		return d.truncated(at, what+" of "+strconv.Itoa(n)+" bytes")
	}
	d.off = data + n
	return nil
}
