package packstream

import (
	"errors"
	"testing"
)

// FuzzDecodeValue feeds arbitrary bytes to ReadValue in the oldest and the
// newest dialect. Decoding must never panic and must fail only with a
// *DecodeError; a value it accepts must survive encoding and decoding
// again unchanged.
func FuzzDecodeValue(f *testing.F) {
	for _, v := range roundTripValues(f) {
		e := Encoder{Dialect: LatestDialect}
		if err := e.WriteValue(v); err != nil {
			f.Fatal(err)
		}
		f.Add(e.Buffer())
	}
	for _, c := range structureCases(f) {
		f.Add(hx(f, c.bytes))
	}
	for _, c := range specValueCases {
		f.Add(hx(f, c.bytes))
	}
	for _, s := range []string{
		mapAtoZ, "C4", "E0 01", "D6 7F FF FF FF 01", "B3 50 91 " + node42 + " 91 B3 72 01 81 'T A0 92 FF 00",
		"B3 69 00 00 8A 'Mars/Olymp", "B3 66 00 00 8C 'Europe/Paris", "B3 46 00 00 C9 0E 10",
		"B4 3F 81 'X 01 00 A1 87 'message 01",
	} {
		f.Add(hx(f, s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, dialect := range []Dialect{bolt4, LatestDialect} {
			checkDecode(t, dialect, data)
		}
	})
}

func checkDecode(t *testing.T, dialect Dialect, data []byte) {
	d := Decoder{Dialect: dialect}
	d.Reset(data)
	v, err := d.ReadValue()
	if err != nil {
		var de *DecodeError
		if !errors.As(err, &de) || de.Offset < 0 || de.Offset > len(data) {
			t.Fatalf("ReadValue error %#v is not a *DecodeError within the input", err)
		}
		return
	}
	end := d.Offset()
	d.Reset(data)
	if err := d.Skip(); err != nil || d.Offset() != end {
		t.Fatalf("Skip disagrees with ReadValue: %v, ended at %d, want %d", err, d.Offset(), end)
	}
	if containsInvalid(v) || !graphIDsConsistent(v, dialect) {
		return
	}
	e := Encoder{Dialect: dialect}
	if err := e.WriteValue(v); err != nil {
		t.Fatalf("decoded %#v but cannot encode it: %v", v, err)
	}
	d.Reset(e.Buffer())
	again, err := d.ReadValue()
	if err != nil {
		t.Fatalf("re-encoded % X does not decode: %v", e.Buffer(), err)
	}
	if !sameValue(v, again) {
		t.Fatalf("round trip changed the value:\n%#v\n%#v", v, again)
	}
}

// containsInvalid reports whether v holds an InvalidValue, which decodes
// but by design cannot be encoded.
func containsInvalid(v any) bool {
	switch x := v.(type) {
	case InvalidValue:
		return true
	case []any:
		for _, e := range x {
			if containsInvalid(e) {
				return true
			}
		}
	case map[string]any:
		for _, e := range x {
			if containsInvalid(e) {
				return true
			}
		}
	case Node:
		return containsInvalid(x.Props)
	case Relationship:
		return containsInvalid(x.Props)
	case Path:
		for _, n := range x.Nodes {
			if containsInvalid(n.Props) {
				return true
			}
		}
		for _, r := range x.Relationships {
			if containsInvalid(r.Props) {
				return true
			}
		}
	}
	return false
}

// graphIDsConsistent reports whether every Path in v gives distinct nodes
// and relationships distinct ids. The encoder identifies path members by
// id, so a path whose wire form reuses an id for different content cannot
// round-trip; real servers never send one.
func graphIDsConsistent(v any, dialect Dialect) bool {
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			if !graphIDsConsistent(e, dialect) {
				return false
			}
		}
	case map[string]any:
		for _, e := range x {
			if !graphIDsConsistent(e, dialect) {
				return false
			}
		}
	case Node:
		return graphIDsConsistent(x.Props, dialect)
	case Relationship:
		return graphIDsConsistent(x.Props, dialect)
	case Path:
		e := Encoder{Dialect: dialect}
		nodes := map[graphKey]Node{}
		for _, n := range x.Nodes {
			k := e.key(n.Id, n.ElementId)
			if seen, ok := nodes[k]; ok && !sameValue(seen, n) {
				return false
			}
			nodes[k] = n
			if !graphIDsConsistent(n.Props, dialect) {
				return false
			}
		}
		rels := map[graphKey]Relationship{}
		for _, r := range x.Relationships {
			k := e.key(r.Id, r.ElementId)
			if seen, ok := rels[k]; ok && (seen.Type != r.Type || !sameValue(seen.Props, r.Props)) {
				return false
			}
			rels[k] = r
			if !graphIDsConsistent(r.Props, dialect) {
				return false
			}
		}
	}
	return true
}
