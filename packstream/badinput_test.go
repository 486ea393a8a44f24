package packstream

import (
	"errors"
	"runtime"
	"strings"
	"testing"
)

const node42 = "B3 4E 2A 90 A0" // Node 42 in the 4.x dialect

func TestBadInput(t *testing.T) {
	cases := []struct {
		name    string
		bytes   string
		dialect Dialect
		err     error
		offset  int
	}{
		{"empty", "", bolt4, ErrTruncated, 0},
		{"float cut", "C1 3F F0", bolt4, ErrTruncated, 0},
		{"int16 cut", "C9 01", bolt4, ErrTruncated, 0},
		{"int64 cut", "CB 00 00", bolt4, ErrTruncated, 0},
		{"string past end", "D0 05 41", bolt4, ErrTruncated, 0},
		{"string size cut", "D1 00", bolt4, ErrTruncated, 0},
		{"tiny string past end", "83 41", bolt4, ErrTruncated, 0},
		{"bytes past end", "CC 05 01", bolt4, ErrTruncated, 0},
		{"list missing item", "92 01", bolt4, ErrTruncated, 2},
		{"map missing value", "A1 81 41", bolt4, ErrTruncated, 3},
		{"struct without tag", "B1", bolt4, ErrTruncated, 0},
		{"struct missing field", "B1 44", bolt4, ErrTruncated, 2},
		{"huge list in short input", "D6 7F FF FF FF 01 02", bolt4, ErrTruncated, 7},
		{"uuid cut", "E0 01 02", LatestDialect, ErrTruncated, 0},
		{"list over 2^31-1", "D6 80 00 00 00", bolt4, ErrTooLarge, 0},
		{"string over 2^31-1", "D2 FF FF FF FF", bolt4, ErrTooLarge, 0},
		{"map over 2^31-1", "DA 80 00 00 01", bolt4, ErrTooLarge, 0},
		{"bytes over 2^31-1", "CE 80 00 00 00", bolt4, ErrTooLarge, 0},
		{"reserved C4", "C4", bolt4, ErrUnknownMarker, 0},
		{"reserved C5", "C5", bolt4, ErrUnknownMarker, 0},
		{"reserved C6", "C6", bolt4, ErrUnknownMarker, 0},
		{"reserved C7", "C7", bolt4, ErrUnknownMarker, 0},
		{"reserved CF", "CF", bolt4, ErrUnknownMarker, 0},
		{"reserved D3", "D3", bolt4, ErrUnknownMarker, 0},
		{"reserved D7", "D7", bolt4, ErrUnknownMarker, 0},
		{"reserved DB", "DB", bolt4, ErrUnknownMarker, 0},
		{"reserved DC", "DC", bolt4, ErrUnknownMarker, 0},
		{"reserved DF", "DF", bolt4, ErrUnknownMarker, 0},
		{"reserved E1", "E1", LatestDialect, ErrUnknownMarker, 0},
		{"reserved EF in a list", "92 01 EF", bolt4, ErrUnknownMarker, 2},
		{"uuid before 6.1", "E0 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00", bolt5, ErrNotInDialect, 0},
		{"unknown tag", "B1 7A 01", bolt4, ErrUnknownStructure, 0},
		{"unknown tag in map", "A1 81 'k B0 00", bolt4, ErrUnknownStructure, 3},
		{"date with 2 fields", "B2 44 01 02", bolt4, ErrFieldCount, 0},
		{"node without fields", "B0 4E", bolt4, ErrFieldCount, 0},
		{"point3d with 3 fields", "B3 59 01 C1 00 00 00 00 00 00 00 00 C1 00 00 00 00 00 00 00 00", bolt4, ErrFieldCount, 0},
		{"invalid utf-8", "82 C3 28", bolt4, ErrInvalidUTF8, 0},
		{"invalid utf-8 key", "A1 81 FF 01", bolt4, ErrInvalidUTF8, 1},
		{"invalid utf-8 label", "B3 4E 01 91 81 80 A0", bolt4, ErrInvalidUTF8, 4},
		{"too deep lists", strings.Repeat("91 ", MaxDepth+1) + "C0", bolt4, ErrTooDeep, MaxDepth},
		{"too deep maps", strings.Repeat("A1 81 'k ", MaxDepth+1) + "C0", bolt4, ErrTooDeep, 3 * MaxDepth},
		{"node id not an int", "B3 4E 81 41 90 A0", bolt4, ErrUnexpectedKind, 2},
		{"point x not a float", "B3 58 01 01 01", bolt4, ErrUnexpectedKind, 3},
		{"path node not a node", "B3 50 91 B1 44 00 90 90", bolt4, ErrUnexpectedKind, 3},
		{"unbound outside path", "B3 72 01 81 'T A0", bolt4, ErrInvalidValue, 0},
		{"path relationship index past end", "B3 50 91 " + node42 + " 90 92 01 00", bolt4, ErrInvalidValue, 9},
		{"path relationship index 0", "B3 50 91 " + node42 + " 91 B3 72 01 81 'T A0 92 00 00", bolt4, ErrInvalidValue, 15},
		{"path relationship index min int", "B3 50 91 " + node42 + " 91 B3 72 01 81 'T A0 92 CB 80 00 00 00 00 00 00 00 00", bolt4, ErrInvalidValue, 15},
		{"path node index past end", "B3 50 91 " + node42 + " 91 B3 72 01 81 'T A0 92 01 01", bolt4, ErrInvalidValue, 15},
		{"path negative node index", "B3 50 91 " + node42 + " 91 B3 72 01 81 'T A0 92 01 FF", bolt4, ErrInvalidValue, 15},
		{"path odd indices", "B3 50 91 " + node42 + " 91 B3 72 01 81 'T A0 91 01", bolt4, ErrInvalidValue, 15},
		{"path without nodes", "B3 50 90 90 90", bolt4, ErrInvalidValue, 4},
		{"datetime nanos past a second", "B3 49 00 CA 3B 9A CA 00 00", bolt5, ErrInvalidValue, 3},
		{"datetime offset past 18h", "B3 49 00 00 CA 00 01 00 00", bolt5, ErrInvalidValue, 4},
		{"date days out of range", "B1 44 CB 7F FF FF FF FF FF FF FF", bolt4, ErrInvalidValue, 2},
		{"local time past midnight", "B1 74 CB 00 00 4E 94 91 4F 00 00", bolt4, ErrInvalidValue, 2},
		{"negative srid", "B3 58 FF C1 00 00 00 00 00 00 00 00 C1 00 00 00 00 00 00 00 00", bolt4, ErrInvalidValue, 2},
		{"vector bad type marker", "B2 56 CC 01 C0 CC 00", LatestDialect, ErrInvalidValue, 2},
		{"vector two-byte type marker", "B2 56 CC 02 C8 C8 CC 00", LatestDialect, ErrInvalidValue, 2},
		{"vector ragged data", "B2 56 CC 01 CA CC 03 00 00 01", LatestDialect, ErrInvalidValue, 5},
		{"vector type marker not bytes", "B2 56 C8 CC 00", LatestDialect, ErrUnexpectedKind, 2},
		{"vector before 6.0", "B2 56 CC 01 C8 CC 00", bolt5, ErrNotInDialect, 0},
		{"unsupported type before 6.0", "B4 3F 81 'X 01 00 A0", bolt5, ErrNotInDialect, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var d Decoder
			d.Dialect = c.dialect
			d.Reset(hx(t, c.bytes))
			v, err := d.ReadValue()
			if !errors.Is(err, c.err) {
				t.Fatalf("ReadValue = %#v, %v; want %v", v, err, c.err)
			}
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("error %T is not a *DecodeError", err)
			}
			if de.Offset != c.offset {
				t.Errorf("offset %d, want %d (%v)", de.Offset, c.offset, err)
			}
			if d.Offset() != 0 {
				t.Errorf("decoder left at %d after an error, want 0", d.Offset())
			}
		})
	}
}

func TestSkipBadInput(t *testing.T) {
	cases := []struct {
		bytes string
		err   error
	}{
		{"", ErrTruncated},
		{"D6 7F FF FF FF 01", ErrTruncated},
		{"A2 81 'a 01", ErrTruncated},
		{"D0 09 'abc", ErrTruncated},
		{"92 01 C7", ErrUnknownMarker},
		{"D6 80 00 00 00", ErrTooLarge},
		{"B1", ErrTruncated},
	}
	for _, c := range cases {
		var d Decoder
		d.Reset(hx(t, c.bytes))
		err := d.Skip()
		var de *DecodeError
		if !errors.Is(err, c.err) || !errors.As(err, &de) {
			t.Errorf("Skip(%s) = %v, want %v", c.bytes, err, c.err)
		}
	}
	// Skip walks deep nesting without a depth limit and without recursion.
	var d Decoder
	d.Reset(hx(t, strings.Repeat("91 ", 10000)+"C0"))
	if err := d.Skip(); err != nil || d.Remaining() != 0 {
		t.Errorf("Skip deep list: %v, %d bytes left", err, d.Remaining())
	}
}

func TestTypedReadsRejectOtherKinds(t *testing.T) {
	var d Decoder
	reads := map[string]func() error{
		"ReadNull":         func() error { return d.ReadNull() },
		"ReadBool":         func() error { _, err := d.ReadBool(); return err },
		"ReadInt":          func() error { _, err := d.ReadInt(); return err },
		"ReadFloat":        func() error { _, err := d.ReadFloat(); return err },
		"ReadBytes":        func() error { _, err := d.ReadBytes(); return err },
		"ReadStringBytes":  func() error { _, err := d.ReadStringBytes(); return err },
		"ReadListHeader":   func() error { _, err := d.ReadListHeader(); return err },
		"ReadMapHeader":    func() error { _, err := d.ReadMapHeader(); return err },
		"ReadStructHeader": func() error { _, _, err := d.ReadStructHeader(); return err },
		"ReadList":         func() error { _, err := d.ReadList(); return err },
		"ReadMap":          func() error { _, err := d.ReadMap(); return err },
	}
	for name, read := range reads {
		// A string is the wrong kind for all of them except ReadStringBytes,
		// which gets a list instead.
		input := []byte{0x81, 'x'}
		if name == "ReadStringBytes" {
			input = []byte{0x90}
		}
		d.Reset(input)
		if err := read(); !errors.Is(err, ErrUnexpectedKind) {
			t.Errorf("%s on the wrong kind: %v", name, err)
		}
		d.Reset(nil)
		if err := read(); !errors.Is(err, ErrTruncated) {
			t.Errorf("%s on no input: %v", name, err)
		}
	}
}

func TestHostileHeadersDoNotAllocate(t *testing.T) {
	inputs := []string{
		"D6 7F FF FF FF",                            // list of 2^31-1 entries
		"DA 7F FF FF FF",                            // map of 2^31-1 entries
		"B3 4E 01 D6 7F FF FF FF",                   // node with 2^31-1 labels
		"B3 50 D6 7F FF FF FF",                      // path with 2^31-1 nodes
		"B3 50 90 D6 7F FF FF FF",                   // path with 2^31-1 relationships
		"B3 50 91 " + node42 + " 90 D6 7F FF FF FF", // path with 2^31-1 indices
	}
	for _, in := range inputs {
		b := hx(t, in)
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		var d Decoder
		d.Reset(b)
		if _, err := d.ReadValue(); !errors.Is(err, ErrTruncated) {
			t.Errorf("%s: %v, want ErrTruncated", in, err)
		}
		runtime.ReadMemStats(&after)
		if grew := after.TotalAlloc - before.TotalAlloc; grew > 1<<16 {
			t.Errorf("%s: allocated %d bytes for %d bytes of input", in, grew, len(b))
		}
	}
}

func TestPeekKind(t *testing.T) {
	cases := map[string]Kind{
		"C0": KindNull, "C3": KindBool, "7F": KindInt, "F0": KindInt, "CB": KindInt, "C1": KindFloat,
		"CC": KindBytes, "80": KindString, "D2": KindString, "9F": KindList, "D6": KindList,
		"A0": KindMap, "DA": KindMap, "B0": KindStruct, "BF": KindStruct,
	}
	for in, want := range cases {
		var d Decoder
		d.Reset(hx(t, in))
		if k, err := d.PeekKind(); k != want || err != nil || d.Offset() != 0 {
			t.Errorf("PeekKind(%s) = %v, %v; want %v without moving", in, k, err, want)
		}
	}
	var d Decoder
	d.Reset([]byte{0xC4})
	if _, err := d.PeekKind(); !errors.Is(err, ErrUnknownMarker) {
		t.Errorf("PeekKind(C4): %v", err)
	}
	if KindStruct.String() != "structure" || Kind(99).String() != "invalid" {
		t.Errorf("Kind names: %s %s", KindStruct, Kind(99))
	}
}
