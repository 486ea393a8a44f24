package packstream

// Marker bytes of PackStream v1 (and the UUID marker of Bolt 6.1).
const (
	markerTinyStringBase = 0x80
	markerTinyListBase   = 0x90
	markerTinyMapBase    = 0xA0
	markerTinyStructBase = 0xB0

	markerNull    = 0xC0
	markerFloat64 = 0xC1
	markerFalse   = 0xC2
	markerTrue    = 0xC3

	markerInt8  = 0xC8
	markerInt16 = 0xC9
	markerInt32 = 0xCA
	markerInt64 = 0xCB

	markerBytes8  = 0xCC
	markerBytes16 = 0xCD
	markerBytes32 = 0xCE

	markerString8  = 0xD0
	markerString16 = 0xD1
	markerString32 = 0xD2

	markerList8  = 0xD4
	markerList16 = 0xD5
	markerList32 = 0xD6

	markerMap8  = 0xD8
	markerMap16 = 0xD9
	markerMap32 = 0xDA

	// markerUUID starts a native UUID (Bolt 6.1): 0xE0 followed by the 16
	// bytes of the UUID in network (big-endian) order. PackStream v1
	// reserves 0xE0; only Dialect.UUIDs gives it this meaning.
	markerUUID = 0xE0
)

// maxSize is the largest size (bytes or entries) PackStream allows.
const maxSize = 1<<31 - 1

// MaxDepth is how deeply lists, maps and structures may nest inside one
// value the Decoder reads. A deeper value fails with ErrTooDeep. Real
// query results stay far below it; the limit keeps hostile input from
// exhausting the stack.
const MaxDepth = 256

// Kind is the PackStream type of the next value in a Decoder.
type Kind uint8

// The kinds of PackStream values.
const (
	KindInvalid Kind = iota // a reserved marker byte
	KindNull
	KindBool
	KindInt
	KindFloat
	KindBytes
	KindString
	KindList
	KindMap
	KindStruct
	KindUUID // Bolt 6.1 native UUID (marker 0xE0)
)

var kindNames = [...]string{
	KindInvalid: "invalid",
	KindNull:    "null",
	KindBool:    "boolean",
	KindInt:     "integer",
	KindFloat:   "float",
	KindBytes:   "bytes",
	KindString:  "string",
	KindList:    "list",
	KindMap:     "map",
	KindStruct:  "structure",
	KindUUID:    "uuid",
}

// String names the kind; a value that is no Kind is "invalid".
func (k Kind) String() string {
	if int(k) >= len(kindNames) {
		k = KindInvalid
	}
	return kindNames[k]
}

// markerKinds maps every marker byte to its kind (KindUUID for 0xE0
// regardless of dialect; the decoder checks the dialect).
var markerKinds = func() (t [256]Kind) {
	for m := 0; m < 256; m++ {
		t[m] = kindOfMarker(byte(m))
	}
	return t
}()

func kindOfMarker(m byte) Kind {
	switch {
	case m <= 0x7F || m >= 0xF0:
		return KindInt
	case m <= 0x8F:
		return KindString
	case m <= 0x9F:
		return KindList
	case m <= 0xAF:
		return KindMap
	case m <= 0xBF:
		return KindStruct
	}
	switch m {
	case markerNull:
		return KindNull
	case markerFloat64:
		return KindFloat
	case markerFalse, markerTrue:
		return KindBool
	case markerInt8, markerInt16, markerInt32, markerInt64:
		return KindInt
	case markerBytes8, markerBytes16, markerBytes32:
		return KindBytes
	case markerString8, markerString16, markerString32:
		return KindString
	case markerList8, markerList16, markerList32:
		return KindList
	case markerMap8, markerMap16, markerMap32:
		return KindMap
	case markerUUID:
		return KindUUID
	}
	return KindInvalid
}
