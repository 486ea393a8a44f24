package packstream

import (
	"encoding/hex"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // zone ids resolve the same on every machine
)

// hx turns a readable byte listing into bytes: hex pairs separated by
// spaces, and 'text tokens inserted as raw ASCII (no spaces inside).
func hx(t testing.TB, s string) []byte {
	t.Helper()
	var out []byte
	for _, tok := range strings.Fields(s) {
		if tok[0] == '\'' {
			out = append(out, tok[1:]...)
			continue
		}
		b, err := hex.DecodeString(tok)
		if err != nil {
			t.Fatalf("bad hex token %q in test data: %v", tok, err)
		}
		out = append(out, b...)
	}
	return out
}

func encodeValue(t testing.TB, dialect Dialect, v any) []byte {
	t.Helper()
	e := Encoder{Dialect: dialect}
	if err := e.WriteValue(v); err != nil {
		t.Fatalf("WriteValue(%#v): %v", v, err)
	}
	return e.Buffer()
}

func decodeValue(t testing.TB, dialect Dialect, b []byte) any {
	t.Helper()
	d := Decoder{Dialect: dialect}
	d.Reset(b)
	v, err := d.ReadValue()
	if err != nil {
		t.Fatalf("ReadValue(% X): %v", b, err)
	}
	if d.Remaining() != 0 {
		t.Fatalf("ReadValue(% X) left %d bytes", b, d.Remaining())
	}
	return v
}

// instant is the comparable form of a time value: the same instant, the
// same zone name and the same offset.
type instant struct {
	kind   string
	unix   int64
	nanos  int
	zone   string
	offset int
}

func instantOf(kind string, t time.Time) instant {
	name, offset := t.Zone()
	return instant{kind: kind, unix: t.Unix(), nanos: t.Nanosecond(), zone: t.Location().String() + "/" + name, offset: offset}
}

// normalize maps a decoded value to a form reflect.DeepEqual compares by
// meaning: times by instant and zone, floats by bits (so NaN equals NaN).
func normalize(v any) any {
	switch x := v.(type) {
	case float64:
		return math.Float64bits(x)
	case time.Time:
		return instantOf("DateTime", x)
	case Date:
		return instantOf("Date", time.Time(x))
	case Time:
		return instantOf("Time", time.Time(x))
	case LocalTime:
		return instantOf("LocalTime", time.Time(x))
	case LocalDateTime:
		return instantOf("LocalDateTime", time.Time(x))
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normalize(e)
		}
		return out
	case map[string]any:
		return normalizeMap(x)
	case Node:
		x.Props = normalizeMap(x.Props)
		return x
	case Relationship:
		x.Props = normalizeMap(x.Props)
		return x
	case Path:
		nodes := make([]any, len(x.Nodes))
		for i, n := range x.Nodes {
			nodes[i] = normalize(n)
		}
		rels := make([]any, len(x.Relationships))
		for i, r := range x.Relationships {
			rels[i] = normalize(r)
		}
		return []any{"path", nodes, rels}
	case Point2D:
		return []any{"p2", x.SpatialRefId, math.Float64bits(x.X), math.Float64bits(x.Y)}
	case Point3D:
		return []any{"p3", x.SpatialRefId, math.Float64bits(x.X), math.Float64bits(x.Y), math.Float64bits(x.Z)}
	case Vector[float32]:
		bits := make([]uint32, len(x.Elems))
		for i, f := range x.Elems {
			bits[i] = math.Float32bits(f)
		}
		return bits
	case Vector[float64]:
		bits := make([]uint64, len(x.Elems))
		for i, f := range x.Elems {
			bits[i] = math.Float64bits(f)
		}
		return bits
	}
	return v
}

func normalizeMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, e := range m {
		out[k] = normalize(e)
	}
	return out
}

func sameValue(a, b any) bool { return reflect.DeepEqual(normalize(a), normalize(b)) }
