package bolt

import (
	"errors"
	"strconv"

	"github.com/boltrx/boltrx/packstream"
)

// fieldReader reads the fields of one Bolt message and turns every problem
// into a *ProtocolError that names the message and the field.
//
// Optional fields treat null as absent: they return the zero value.
type fieldReader struct {
	d   *packstream.Decoder
	msg string // message name for errors, e.g. "SUCCESS"
}

// fail wraps err (a PackStream error or nil) with the message and field.
func (r *fieldReader) fail(field string, offset int, detail string, err error) error {
	var de *packstream.DecodeError
	if errors.As(err, &de) {
		offset = de.Offset
	}
	if field != "" {
		if detail != "" {
			detail = field + ": " + detail
		} else {
			detail = field
		}
	}
	return &ProtocolError{Message: r.msg, Offset: offset, Detail: detail, Err: err}
}

// expect checks the kind of the next value. It reports null=true (and
// consumes the null) when the value is null and nullable is set.
func (r *fieldReader) expect(field string, want packstream.Kind, nullable bool) (null bool, err error) {
	off := r.d.Offset()
	k, err := r.d.PeekKind()
	if err != nil {
		return false, r.fail(field, off, "", err)
	}
	if k == packstream.KindNull && nullable {
		if err := r.d.ReadNull(); err != nil {
			return false, r.fail(field, off, "", err)
		}
		return true, nil
	}
	if k != want {
		return false, r.fail(field, off, "want "+want.String()+", got "+k.String(), packstream.ErrUnexpectedKind)
	}
	return false, nil
}

// then reads the next field of a message into *dst with read, unless err
// (an earlier failure) is set; it returns the first error. A decoder
// chains its fields through it and checks the error once.
func then[T any](err error, dst *T, read func(field string, nullable bool) (T, error), field string, nullable bool) error {
	if err != nil {
		return err
	}
	*dst, err = read(field, nullable)
	return err
}

// readField reads a field of kind want with read; present is false for an
// accepted null.
func readField[T any](r *fieldReader, field string, want packstream.Kind, nullable bool, read func(*packstream.Decoder) (T, error)) (v T, present bool, err error) {
	if null, err := r.expect(field, want, nullable); err != nil || null {
		return v, false, err
	}
	off := r.d.Offset()
	if v, err = read(r.d); err != nil {
		var zero T
		return zero, false, r.fail(field, off, "", err)
	}
	return v, true, nil
}

// str reads a string; a null is an error unless nullable.
func (r *fieldReader) str(field string, nullable bool) (string, error) {
	s, _, err := readField(r, field, packstream.KindString, nullable, (*packstream.Decoder).ReadString)
	return s, err
}

// integer reads an integer; present is false for an accepted null.
func (r *fieldReader) integer(field string, nullable bool) (v int64, present bool, err error) {
	return readField(r, field, packstream.KindInt, nullable, (*packstream.Decoder).ReadInt)
}

// boolean reads a boolean; present is false for an accepted null.
func (r *fieldReader) boolean(field string, nullable bool) (v bool, present bool, err error) {
	return readField(r, field, packstream.KindBool, nullable, (*packstream.Decoder).ReadBool)
}

// strings reads a list of strings; null gives nil when nullable.
func (r *fieldReader) strings(field string, nullable bool) ([]string, error) {
	return listField(r, field, nullable, r.str)
}

// listField reads a list whose entries item reads; null gives nil when
// nullable.
func listField[T any](r *fieldReader, field string, nullable bool, item func(field string, nullable bool) (T, error)) ([]T, error) {
	n, present, err := readField(r, field, packstream.KindList, nullable, (*packstream.Decoder).ReadListHeader)
	if err != nil || !present {
		return nil, err
	}
	out := make([]T, 0, min(n, r.d.Remaining()))
	for i := 0; i < n; i++ {
		v, err := item(field+"["+strconv.Itoa(i)+"]", false)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// stringMap reads a map of strings (a routing context); null gives nil when
// nullable.
func (r *fieldReader) stringMap(field string, nullable bool) (map[string]string, error) {
	n, present, err := readField(r, field, packstream.KindMap, nullable, (*packstream.Decoder).ReadMapHeader)
	if err != nil || !present {
		return nil, err
	}
	out := make(map[string]string, min(n, r.d.Remaining()/2))
	for i := 0; i < n; i++ {
		k, err := r.str(field+" key", false)
		if err != nil {
			return nil, err
		}
		if out[k], err = r.str(field+"["+strconv.Quote(k)+"]", false); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// anyMap reads a map of values; null gives nil when nullable.
func (r *fieldReader) anyMap(field string, nullable bool) (map[string]any, error) {
	m, _, err := readField(r, field, packstream.KindMap, nullable, (*packstream.Decoder).ReadMap)
	return m, err
}

// anyList reads a list of values; null gives nil when nullable. It reads
// the fields of every RECORD, so it calls the decoder directly rather than
// through readField.
func (r *fieldReader) anyList(field string, nullable bool) ([]any, error) {
	if null, err := r.expect(field, packstream.KindList, nullable); err != nil || null {
		return nil, err
	}
	off := r.d.Offset()
	l, err := r.d.ReadList()
	if err != nil {
		return nil, r.fail(field, off, "", err)
	}
	return l, nil
}

// mapList reads a list of maps (notifications, statuses); null gives nil.
// A single map is taken as a list of one: the specification describes the
// notifications of Bolt 3 as a dictionary.
func (r *fieldReader) mapList(field string) ([]map[string]any, error) {
	off := r.d.Offset()
	k, err := r.d.PeekKind()
	if err != nil {
		return nil, r.fail(field, off, "", err)
	}
	if k == packstream.KindMap {
		m, err := r.anyMap(field, false)
		if err != nil {
			return nil, err
		}
		return []map[string]any{m}, nil
	}
	return listField(r, field, true, r.anyMap)
}

// mapHeader reads the header of a dictionary field.
func (r *fieldReader) mapHeader(field string) (int, error) {
	n, _, err := readField(r, field, packstream.KindMap, false, (*packstream.Decoder).ReadMapHeader)
	return n, err
}

// key reads a dictionary key as a view into the message (no allocation).
func (r *fieldReader) key(field string) ([]byte, error) {
	off := r.d.Offset()
	k, err := r.d.ReadStringBytes()
	if err != nil {
		return nil, r.fail(field+" key", off, "", err)
	}
	return k, nil
}

// value reads any value (an unknown metadata entry).
func (r *fieldReader) value(field string) (any, error) {
	off := r.d.Offset()
	v, err := r.d.ReadValue()
	if err != nil {
		return nil, r.fail(field, off, "", err)
	}
	return v, nil
}

// skip skips one value.
func (r *fieldReader) skip(field string) error {
	off := r.d.Offset()
	if err := r.d.Skip(); err != nil {
		return r.fail(field, off, "", err)
	}
	return nil
}

// end checks that the message has no bytes after its last field.
func (r *fieldReader) end() error {
	if n := r.d.Remaining(); n > 0 {
		return r.fail("", r.d.Offset(), strconv.Itoa(n)+" trailing bytes after the message", nil)
	}
	return nil
}

// unknownKey reports a dictionary key the message cannot carry.
func (r *fieldReader) unknownKey(field, key string, v Version) error {
	return r.fail(field, r.d.Offset(), "key "+strconv.Quote(key)+" is not part of protocol version "+v.String(), nil)
}
