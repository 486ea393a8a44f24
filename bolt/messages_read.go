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

// str reads a string; a null is an error unless nullable.
func (r *fieldReader) str(field string, nullable bool) (string, error) {
	if null, err := r.expect(field, packstream.KindString, nullable); err != nil || null {
		return "", err
	}
	off := r.d.Offset()
	s, err := r.d.ReadString()
	if err != nil {
		return "", r.fail(field, off, "", err)
	}
	return s, nil
}

// integer reads an integer; present is false for an accepted null.
func (r *fieldReader) integer(field string, nullable bool) (v int64, present bool, err error) {
	if null, err := r.expect(field, packstream.KindInt, nullable); err != nil || null {
		return 0, false, err
	}
	off := r.d.Offset()
	v, err = r.d.ReadInt()
	if err != nil {
		return 0, false, r.fail(field, off, "", err)
	}
	return v, true, nil
}

// boolean reads a boolean; present is false for an accepted null.
func (r *fieldReader) boolean(field string, nullable bool) (v bool, present bool, err error) {
	if null, err := r.expect(field, packstream.KindBool, nullable); err != nil || null {
		return false, false, err
	}
	off := r.d.Offset()
	v, err = r.d.ReadBool()
	if err != nil {
		return false, false, r.fail(field, off, "", err)
	}
	return v, true, nil
}

// strings reads a list of strings; null gives nil when nullable.
func (r *fieldReader) strings(field string, nullable bool) ([]string, error) {
	if null, err := r.expect(field, packstream.KindList, nullable); err != nil || null {
		return nil, err
	}
	off := r.d.Offset()
	n, err := r.d.ReadListHeader()
	if err != nil {
		return nil, r.fail(field, off, "", err)
	}
	out := make([]string, 0, min(n, r.d.Remaining()))
	for i := 0; i < n; i++ {
		s, err := r.str(field+"["+strconv.Itoa(i)+"]", false)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// stringMap reads a map of strings (a routing context); null gives nil when
// nullable.
func (r *fieldReader) stringMap(field string, nullable bool) (map[string]string, error) {
	if null, err := r.expect(field, packstream.KindMap, nullable); err != nil || null {
		return nil, err
	}
	off := r.d.Offset()
	n, err := r.d.ReadMapHeader()
	if err != nil {
		return nil, r.fail(field, off, "", err)
	}
	out := make(map[string]string, min(n, r.d.Remaining()/2))
	for i := 0; i < n; i++ {
		k, err := r.str(field+" key", false)
		if err != nil {
			return nil, err
		}
		v, err := r.str(field+"["+strconv.Quote(k)+"]", false)
		if err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, nil
}

// anyMap reads a map of values; null gives nil when nullable.
func (r *fieldReader) anyMap(field string, nullable bool) (map[string]any, error) {
	if null, err := r.expect(field, packstream.KindMap, nullable); err != nil || null {
		return nil, err
	}
	off := r.d.Offset()
	m, err := r.d.ReadMap()
	if err != nil {
		return nil, r.fail(field, off, "", err)
	}
	return m, nil
}

// anyList reads a list of values; null gives nil when nullable.
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
	if null, err := r.expect(field, packstream.KindList, true); err != nil || null {
		return nil, err
	}
	n, err := r.d.ReadListHeader()
	if err != nil {
		return nil, r.fail(field, off, "", err)
	}
	out := make([]map[string]any, 0, min(n, r.d.Remaining()))
	for i := 0; i < n; i++ {
		m, err := r.anyMap(field+"["+strconv.Itoa(i)+"]", false)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// mapHeader reads the header of a dictionary field.
func (r *fieldReader) mapHeader(field string) (int, error) {
	if _, err := r.expect(field, packstream.KindMap, false); err != nil {
		return 0, err
	}
	off := r.d.Offset()
	n, err := r.d.ReadMapHeader()
	if err != nil {
		return 0, r.fail(field, off, "", err)
	}
	return n, nil
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
func (r *fieldReader) unknownKey(field string, key []byte, v Version) error {
	return r.fail(field, r.d.Offset(), "key "+strconv.Quote(string(key))+" is not part of protocol version "+v.String(), nil)
}
