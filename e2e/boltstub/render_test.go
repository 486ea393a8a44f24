package boltstub

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/boltrx/boltrx/bolt"
	"github.com/boltrx/boltrx/packstream"
)

// rendersBack checks that a received message, rendered as a client line,
// parses into an expectation that matches the message: what a failure
// report shows can be pasted into a script.
func rendersBack(t testing.TB, wire []byte, dialect packstream.Dialect, v bolt.Version) {
	t.Helper()
	msg, err := decodeMessage(wire, dialect)
	if err != nil {
		return // not a message: nothing to render
	}
	text := msg.render("C: ", v)
	if strings.Contains(text, " more bytes)") {
		return // cut off for the report
	}
	s, err := Parse("bolt " + v.String() + "\n" + text + "\n")
	if err != nil {
		t.Fatalf("rendered message does not parse: %v\n%s", err, text)
	}
	line := s.sections[0].body[0].(*clientLine)
	m := matcher{env: &env{version: v}}
	if !line.msg.matchMessage(&m, msg) {
		t.Fatalf("rendered message does not match itself: %v\n%s", m.diffs, text)
	}
}

func encodeGo(t testing.TB, dialect packstream.Dialect, tag byte, fields ...any) []byte {
	t.Helper()
	enc := packstream.Encoder{Dialect: dialect}
	enc.WriteStructHeader(tag, len(fields))
	for _, f := range fields {
		if err := enc.WriteValue(f); err != nil {
			t.Fatal(err)
		}
	}
	return enc.Buffer()
}

func TestRenderedMessagesParseBack(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	if paris == nil {
		paris = time.FixedZone("", 3600)
	}
	params := map[string]any{
		"ints":    []any{int64(math.MinInt64), int64(-1), int64(0), int64(math.MaxInt64)},
		"floats":  []any{0.0, math.Copysign(0, -1), 1.0, -1.5e300, 5e-324, math.NaN(), math.Inf(1), math.Inf(-1)},
		"strings": []any{"", `"quoted" \back\slash`, "line\nbreak\ttab\r\x00\x1f\x7f", "# not a comment", "é😀", "$agent"},
		"bytes":   []byte{0, 1, 0xff},
		"nested":  map[string]any{"a b": map[string]any{"": []any{nil, true}}},
		"node":    packstream.Node{Id: 1, ElementId: "4:x:1", Labels: []string{"A"}, Props: map[string]any{"k": []any{"v"}}},
		"rel":     packstream.Relationship{Id: 2, ElementId: "r", StartId: 1, StartElementId: "s", EndId: 3, EndElementId: "e", Type: "T"},
		"path": packstream.Path{
			Nodes:         []packstream.Node{{Id: 1, ElementId: "1"}, {Id: 2, ElementId: "2"}},
			Relationships: []packstream.Relationship{{Id: 3, ElementId: "3", StartId: 2, StartElementId: "2", EndId: 1, EndElementId: "1", Type: "BACK"}},
		},
		"date":     packstream.Date(time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)),
		"time":     packstream.Time(time.Date(1970, 1, 1, 1, 2, 3, 4, time.FixedZone("", -3600))),
		"local":    packstream.LocalTime(time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)),
		"localdt":  packstream.LocalDateTime(time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC)),
		"dt":       time.Date(2024, 5, 6, 7, 8, 9, 10, time.FixedZone("", 5*3600+30*60)),
		"zoned":    time.Date(2024, 10, 27, 2, 30, 0, 0, paris),
		"duration": packstream.Duration{Months: -5, Days: 40, Seconds: -3, Nanos: 1},
		"point":    packstream.Point3D{SpatialRefId: 4979, X: 1.5, Y: math.Inf(1), Z: -0.25},
		"vector":   packstream.Vector[float32]{Elems: []float32{0.1, float32(math.Inf(-1)), 3e38}},
		"ivector":  packstream.Vector[int16]{Elems: []int16{-32768, 32767}},
		"uuid":     packstream.UUID{1, 2, 3},
	}
	latest := packstream.LatestDialect
	messages := [][]byte{
		encodeGo(t, latest, bolt.TagHello, map[string]any{"user_agent": "x", "routing": map[string]any{"address": "h:1"}}),
		encodeGo(t, latest, bolt.TagRun, "RETURN $x", params, map[string]any{}),
		encodeGo(t, latest, bolt.TagPull, map[string]any{"n": int64(-1)}),
		encodeGo(t, latest, bolt.TagGoodbye),
		encodeGo(t, latest, 0x55, int64(1), "unknown message"),
	}
	for _, m := range messages {
		rendersBack(t, m, latest, bolt.V6_1)
	}
	// A raw structure (unknown tag) and a legacy DateTime on Bolt 5.
	enc := packstream.Encoder{Dialect: latest}
	enc.WriteStructHeader(bolt.TagRecord, 1)
	enc.WriteListHeader(2)
	enc.WriteStructHeader(0x01, 2)
	enc.WriteInt(1)
	enc.WriteString("x")
	enc.WriteStructHeader('F', 3)
	enc.WriteInt(1)
	enc.WriteInt(2)
	enc.WriteInt(3600)
	rendersBack(t, enc.Buffer(), latest, bolt.V6_1)
	msg, err := decodeMessage(enc.Buffer(), latest)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := msg.render("C: ", bolt.V6_1), `C: RECORD [Struct(0x01, 1, "x"), Struct(0x46, 1, 2, 3600)]`; got != want {
		t.Errorf("rendered %s, want %s", got, want)
	}
	// Pre-4.0 names: the tag of PULL is PULL_ALL on 3.0.
	m3, _ := decodeMessage(encodeGo(t, packstream.Dialect{}, bolt.TagPull), packstream.Dialect{})
	if got := m3.render("C: ", bolt.V3_0); got != "C: PULL_ALL" {
		t.Errorf("3.0 rendering %q, want C: PULL_ALL", got)
	}
}

func TestHugeValuesAreCutOffInReports(t *testing.T) {
	wire := encodeGo(t, packstream.LatestDialect, bolt.TagRun, strings.Repeat("x", 10000))
	msg, err := decodeMessage(wire, packstream.LatestDialect)
	if err != nil {
		t.Fatal(err)
	}
	text := msg.render("C: ", bolt.V5_4)
	if len(text) > maxRendered+100 || !strings.HasSuffix(text, "more bytes)") {
		t.Errorf("rendered %d bytes ending %q", len(text), text[len(text)-30:])
	}
}

func TestDecodeMessageRejectsBadInput(t *testing.T) {
	latest := packstream.LatestDialect
	good := encodeGo(t, latest, bolt.TagRun, "q", map[string]any{"a": []any{int64(1)}}, map[string]any{})
	tests := map[string][]byte{
		"empty":          {},
		"not a struct":   {0x01},
		"truncated":      good[:len(good)-2],
		"trailing bytes": append(append([]byte{}, good...), 0x00),
		"unknown marker": {0xB1, 0x10, 0xC7},
		"map key int":    {0xB1, 0x10, 0xA1, 0x01, 0x01},
		"deep nesting":   append([]byte{0xB1, 0x10}, []byte(strings.Repeat("\x91", 300))...),
		"huge list":      {0xB1, 0x10, 0xD6, 0x7F, 0xFF, 0xFF, 0xFF},
	}
	for name, b := range tests {
		if msg, err := decodeMessage(b, latest); err == nil {
			t.Errorf("%s: decoded %v", name, msg.render("C: ", bolt.V5_4))
		}
	}
}

func FuzzDecodeMessage(f *testing.F) {
	latest := packstream.LatestDialect
	f.Add(encodeGo(f, latest, bolt.TagRun, "q", map[string]any{"x": []any{1.5, "s", nil}}, map[string]any{"db": "n"}))
	f.Add(encodeGo(f, latest, bolt.TagRecord, []any{packstream.Node{Id: 1, Labels: []string{"L"}}, packstream.Duration{Days: 1}}))
	f.Add(encodeGo(f, latest, bolt.TagRecord, []any{packstream.Vector[int8]{Elems: []int8{1}}, packstream.UUID{}}))
	f.Add([]byte{0xB3, 0x10, 0xB2, 0x01, 0x01, 0x02, 0xB3, 0x46, 0x01, 0x02, 0x03, 0xC0})
	f.Add([]byte{0xB1, 0x71, 0x91, 0xB3, 0x69, 0x01, 0x02, 0x83, 'X', '/', 'Y'})
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, d := range []packstream.Dialect{{}, latest} {
			rendersBack(t, b, d, bolt.V6_1)
		}
	})
}
