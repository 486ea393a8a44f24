package packstream

import (
	"encoding/binary"
	"math"
	"reflect"
	"strconv"
)

// Encoder appends PackStream values to a byte slice it owns. The zero value
// is ready to use; Reset lets a connection reuse one buffer for every
// message. An Encoder is not safe for concurrent use.
//
// The Write methods for single values never fail except on sizes over the
// PackStream limit; such an error is kept (the first one only) and reported
// by Err, so a message can be written in one go and checked once.
type Encoder struct {
	// Dialect selects the structure encodings of the negotiated protocol
	// version.
	Dialect Dialect

	buf []byte
	err error
}

// Reset makes the encoder write into buf[:0], reusing its memory, and
// clears the error.
func (e *Encoder) Reset(buf []byte) {
	e.buf = buf[:0]
	e.err = nil
}

// Buffer returns the bytes written so far. The slice is the encoder's own:
// it is valid until the next Write or Reset.
func (e *Encoder) Buffer() []byte { return e.buf }

// Err returns the first error a Write method met, or nil.
func (e *Encoder) Err() error { return e.err }

func (e *Encoder) setErr(err error) {
	if e.err == nil {
		e.err = err
	}
}

// WriteNull writes null.
func (e *Encoder) WriteNull() { e.buf = append(e.buf, markerNull) }

// WriteBool writes a boolean.
func (e *Encoder) WriteBool(b bool) {
	if b {
		e.buf = append(e.buf, markerTrue)
	} else {
		e.buf = append(e.buf, markerFalse)
	}
}

// WriteInt writes an integer in its smallest encoding.
func (e *Encoder) WriteInt(i int64) {
	switch {
	case -16 <= i && i <= 127:
		e.buf = append(e.buf, byte(i))
	case -128 <= i && i <= 127:
		e.buf = append(e.buf, markerInt8, byte(i))
	case math.MinInt16 <= i && i <= math.MaxInt16:
		e.buf = append(e.buf, markerInt16, byte(i>>8), byte(i))
	case math.MinInt32 <= i && i <= math.MaxInt32:
		e.buf = append(e.buf, markerInt32)
		e.buf = binary.BigEndian.AppendUint32(e.buf, uint32(i))
	default:
		e.buf = append(e.buf, markerInt64)
		e.buf = binary.BigEndian.AppendUint64(e.buf, uint64(i))
	}
}

// WriteFloat writes a 64-bit float.
func (e *Encoder) WriteFloat(f float64) {
	e.buf = append(e.buf, markerFloat64)
	e.buf = binary.BigEndian.AppendUint64(e.buf, math.Float64bits(f))
}

// WriteString writes a string. The string is written as it is; callers
// that cannot vouch for its UTF-8 validity should check it (WriteValue
// does not, to stay cheap: the server rejects invalid UTF-8).
func (e *Encoder) WriteString(s string) {
	if !e.writeSize(markerTinyStringBase, markerString8, len(s), "string bytes") {
		return
	}
	e.buf = append(e.buf, s...)
}

// WriteBytes writes a byte array.
func (e *Encoder) WriteBytes(b []byte) {
	if e.writeBytesHeader(len(b)) {
		e.buf = append(e.buf, b...)
	}
}

// writeBytesHeader writes the marker and size of a byte array of n bytes
// (always a sized marker: bytes have no tiny form).
func (e *Encoder) writeBytesHeader(n int) bool {
	switch {
	case n <= math.MaxUint8:
		e.buf = append(e.buf, markerBytes8, byte(n))
	case n <= math.MaxUint16:
		e.buf = append(e.buf, markerBytes16, byte(n>>8), byte(n))
	case n <= maxSize:
		e.buf = append(e.buf, markerBytes32)
		e.buf = binary.BigEndian.AppendUint32(e.buf, uint32(n))
	default:
		e.tooLarge("bytes", n)
		return false
	}
	return true
}

// WriteListHeader writes the header of a list of n values; the values
// follow.
func (e *Encoder) WriteListHeader(n int) {
	e.writeSize(markerTinyListBase, markerList8, n, "list entries")
}

// WriteMapHeader writes the header of a map of n entries; n times a string
// key and a value follow.
func (e *Encoder) WriteMapHeader(n int) {
	e.writeSize(markerTinyMapBase, markerMap8, n, "map entries")
}

// WriteStructHeader writes the header of a structure with the given tag
// and number of fields (0..15, tag 0..127); the fields follow.
func (e *Encoder) WriteStructHeader(tag byte, fields int) {
	if fields < 0 || fields > 15 || tag > 127 {
		e.setErr(&EncodeError{Err: ErrTooLarge, Detail: "structure tag 0x" +
			strconv.FormatUint(uint64(tag), 16) + " with " + strconv.Itoa(fields) + " fields (at most tag 0x7F and 15 fields)"})
		return
	}
	e.buf = append(e.buf, markerTinyStructBase|byte(fields), tag)
}

// writeSize writes the marker and size of a string, list or map: tiny
// marker under 16, otherwise marker8/+1/+2 for 8-, 16- and 32-bit sizes.
func (e *Encoder) writeSize(tiny, marker8 byte, n int, what string) bool {
	switch {
	case n < 0:
		e.setErr(&EncodeError{Err: ErrInvalidValue, Detail: "negative size " + strconv.Itoa(n) + " of " + what})
		return false
	case n < 16:
		e.buf = append(e.buf, tiny|byte(n))
	case n <= math.MaxUint8:
		e.buf = append(e.buf, marker8, byte(n))
	case n <= math.MaxUint16:
		e.buf = append(e.buf, marker8+1, byte(n>>8), byte(n))
	case n <= maxSize:
		e.buf = append(e.buf, marker8+2)
		e.buf = binary.BigEndian.AppendUint32(e.buf, uint32(n))
	default:
		e.tooLarge(what, n)
		return false
	}
	return true
}

func (e *Encoder) tooLarge(what string, n int) {
	e.setErr(&EncodeError{Err: ErrTooLarge, Detail: strconv.Itoa(n) + " " + what + " (at most 2147483647)"})
}

// WriteUUID writes a native UUID (Bolt 6.1). Without Dialect.UUIDs it
// writes nothing and records an error wrapping ErrNotInDialect.
func (e *Encoder) WriteUUID(u UUID) {
	if !e.Dialect.UUIDs {
		e.setErr(&EncodeError{Type: uuidType, Value: u, Err: ErrNotInDialect, Detail: "UUID needs Bolt 6.1"})
		return
	}
	e.buf = append(e.buf, markerUUID)
	e.buf = append(e.buf, u[:]...)
}

var uuidType = reflect.TypeOf(UUID{})
