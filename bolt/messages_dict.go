package bolt

import (
	"slices"

	"github.com/boltrx/boltrx/packstream"
)

// dictWriter writes a PackStream dictionary whose entries are decided by
// code: the same code runs twice, first counting the entries (so the header
// can be written), then writing them. That keeps encoding free of
// intermediate maps.
type dictWriter struct {
	enc      *packstream.Encoder
	counting bool
	passes   int
	n        int
	err      error
}

// newDict returns a dictWriter for the loop form, which keeps the writer
// on the stack (the hot path of RUN and BEGIN):
//
//	d := newDict(enc)
//	for d.pass() {
//		... d.str(k, v) ...
//	}
//	return d.err
func newDict(enc *packstream.Encoder) dictWriter {
	return dictWriter{enc: enc, counting: true}
}

// pass starts the counting pass, then the writing pass (after writing the
// map header), then stops the loop.
func (d *dictWriter) pass() bool {
	d.passes++
	switch {
	case d.passes == 1:
		return true
	case d.passes == 2 && d.err == nil:
		d.enc.WriteMapHeader(d.n)
		d.counting = false
		return true
	}
	return false
}

// writeDict runs entries once to count and once to write, after the map
// header. It returns the first error an entry reported.
func writeDict(enc *packstream.Encoder, entries func(d *dictWriter)) error {
	d := dictWriter{enc: enc, counting: true}
	entries(&d)
	if d.err != nil {
		return d.err
	}
	enc.WriteMapHeader(d.n)
	d.counting = false
	entries(&d)
	return d.err
}

// key reports whether the entry should be written now (false while
// counting), and writes the key.
func (d *dictWriter) key(k string) bool {
	if d.err != nil {
		return false
	}
	if d.counting {
		d.n++
		return false
	}
	d.enc.WriteString(k)
	return true
}

func (d *dictWriter) fail(err error) {
	if d.err == nil {
		d.err = err
	}
}

func (d *dictWriter) str(k, v string) {
	if d.key(k) {
		d.enc.WriteString(v)
	}
}

func (d *dictWriter) null(k string) {
	if d.key(k) {
		d.enc.WriteNull()
	}
}

func (d *dictWriter) integer(k string, v int64) {
	if d.key(k) {
		d.enc.WriteInt(v)
	}
}

func (d *dictWriter) boolean(k string, v bool) {
	if d.key(k) {
		d.enc.WriteBool(v)
	}
}

func (d *dictWriter) strings(k string, v []string) {
	if d.key(k) {
		writeStrings(d.enc, v)
	}
}

func (d *dictWriter) stringMap(k string, v map[string]string) {
	if d.key(k) {
		writeStringMap(d.enc, v)
	}
}

// anyMap writes a map of values with sorted keys.
func (d *dictWriter) anyMap(k string, v map[string]any) {
	if d.key(k) {
		if err := writeAnyMap(d.enc, v); err != nil {
			d.fail(err)
		}
	}
}

// mapList writes a list of maps with sorted keys.
func (d *dictWriter) mapList(k string, v []map[string]any) {
	if d.key(k) {
		d.enc.WriteListHeader(len(v))
		for _, m := range v {
			if err := writeAnyMap(d.enc, m); err != nil {
				d.fail(err)
				return
			}
		}
	}
}

// value writes any PackStream value.
func (d *dictWriter) value(k string, v any) {
	if d.key(k) {
		if err := d.enc.WriteValue(v); err != nil {
			d.fail(err)
		}
	}
}

// dict writes a nested dictionary.
func (d *dictWriter) dict(k string, entries func(*dictWriter)) {
	if d.key(k) {
		if err := writeDict(d.enc, entries); err != nil {
			d.fail(err)
		}
	}
}

// writeStrings writes a list of strings.
func writeStrings(enc *packstream.Encoder, v []string) {
	enc.WriteListHeader(len(v))
	for _, s := range v {
		enc.WriteString(s)
	}
}

// writeStringMap writes a map of strings with its keys in sorted order, so
// the bytes on the wire do not depend on map iteration.
func writeStringMap(enc *packstream.Encoder, m map[string]string) {
	enc.WriteMapHeader(len(m))
	for _, k := range sortedKeys(m) {
		enc.WriteString(k)
		enc.WriteString(m[k])
	}
}

// writeAnyMap writes a map of values with its keys in sorted order.
func writeAnyMap(enc *packstream.Encoder, m map[string]any) error {
	enc.WriteMapHeader(len(m))
	for _, k := range sortedKeys(m) {
		enc.WriteString(k)
		if err := enc.WriteValue(m[k]); err != nil {
			return err
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
