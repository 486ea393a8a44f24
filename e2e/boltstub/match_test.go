package boltstub

import (
	"strings"
	"testing"

	"github.com/boltrx/boltrx/bolt"
)

// matchField matches the single field of a received "RECORD <value>"
// against the single field of the client line "C: RECORD <pattern>".
func matchField(t *testing.T, pattern, value string) (bool, []string) {
	t.Helper()
	line := parseClientLine(t, "C: RECORD "+pattern, bolt.V6_1)
	msg := &message{tag: bolt.TagRecord, fields: []any{parseServerValue(t, value, bolt.V6_1)}}
	m := matcher{env: &env{agent: "Neo4j/5.26.0", conn: 2, version: bolt.V6_1}}
	ok := line.msg.matchMessage(&m, msg)
	return ok, m.diffs
}

func TestPatternsMatch(t *testing.T) {
	tests := []struct {
		pattern, value string
		want           bool
		diff           string // a part of the first difference when want is false
	}{
		{`1`, `1`, true, ""},
		{`1`, `1.0`, false, "expected 1, received 1.0"},
		{`NaN`, `NaN`, true, ""},
		{`"a"`, `"b"`, false, `expected "a", received "b"`},
		{`any`, `null`, true, ""},
		{`any`, `[1, {"a": Date("2024-01-01")}]`, true, ""},
		{`any string`, `"x"`, true, ""},
		{`any string`, `1`, false, "expected any string, received 1"},
		{`any int`, `1`, true, ""},
		{`any float`, `1`, false, ""},
		{`any number`, `1.5`, true, ""},
		{`any number`, `"1"`, false, ""},
		{`any bool`, `false`, true, ""},
		{`any null`, `null`, true, ""},
		{`any bytes`, `Bytes("00")`, true, ""},
		{`any list`, `[]`, true, ""},
		{`any map`, `{}`, true, ""},
		{`any map`, `[]`, false, ""},
		{`any struct`, `Point2D(1, 2, 3)`, true, ""},
		{`any Node`, `Node(1, [], {})`, true, ""},
		{`any Node`, `Relationship(1, 2, 3, "T", {})`, false, "expected any Node"},
		{`any DateTime`, `DateTime("2024-01-01T00:00:00Z")`, true, ""},
		{`any UUID`, `UUID("123e4567-e89b-12d3-a456-426614174000")`, true, ""},
		{`[1, 2]`, `[1, 2]`, true, ""},
		{`[1, 2]`, `[1, 2, 3]`, false, "expected 2 elements, received 3"},
		{`[1, 2]`, `[2, 1]`, false, "field 1 [0]: expected 1, received 2"},
		{`[1, ...]`, `[1, 2, 3]`, true, ""},
		{`[1, ...]`, `[]`, false, "expected 1 elements or more"},
		{`[...]`, `[1]`, true, ""},
		{`unordered [1, 2]`, `[2, 1]`, true, ""},
		{`unordered [1, any int]`, `[5, 1]`, true, ""},
		{`unordered [1, 1]`, `[1, 2]`, false, "no element (in any order) matches 1"},
		{`unordered [2, ...]`, `[1, 2, 3]`, true, ""},
		{`{"a": 1, "b": 2}`, `{"b": 2, "a": 1}`, true, ""},
		{`{"a": 1}`, `{"a": 1, "b": 2}`, false, `unexpected key "b": 2`},
		{`{"a": 1, "b": 2}`, `{"a": 1}`, false, `missing key "b" (expected 2)`},
		{`{"a": 1, ...}`, `{"a": 1, "b": 2}`, true, ""},
		{`{"a"?: 1}`, `{}`, true, ""},
		{`{"a"?: 1}`, `{"a": 1}`, true, ""},
		{`{"a"?: 1}`, `{"a": 2}`, false, `field 1 ["a"]: expected 1, received 2`},
		{`{"a": {"b": [1, any string]}}`, `{"a": {"b": [1, 2]}}`, false, `field 1 ["a"]["b"][1]: expected any string, received 2`},
		{`ordered {"a": 1, "b": 2}`, `{"a": 1, "b": 2}`, true, ""},
		{`ordered {"a": 1, "b": 2}`, `{"b": 2, "a": 1}`, false, "keys out of order"},
		{`ordered {"a": 1, "b"?: 2, ...}`, `{"a": 1, "c": 3, "b": 2}`, true, ""},
		{`$agent`, `"Neo4j/5.26.0"`, true, ""},
		{`$conn`, `2`, true, ""},
		{`$connection_id`, `"bolt-2"`, true, ""},
		{`$version`, `"6.1"`, true, ""},
		{`$conn`, `1`, false, "expected $conn = 2, received 1"},
		{`Node(1, ["A"], {})`, `Node(1, ["A"], {}, "4:x:1")`, true, ""}, // element id left out: not checked
		{`Node(1, ["A"], {}, "4:x:1")`, `Node(1, ["A"], {}, "4:x:2")`, false, `Node.element_id: expected "4:x:1"`},
		{`Node(any, ["A"], {"name": any string, ...})`, `Node(9, ["A"], {"name": "x", "age": 3})`, true, ""},
		{`Node(any, ["A"], {"name": any string})`, `Node(9, ["B"], {"name": "x"})`, false, `field 1 Node.labels[0]: expected "A", received "B"`},
		{`Relationship(any, 1, 2, "T", {})`, `Relationship(7, 1, 2, "T", {})`, true, ""},
		{`Path([any Node, any Node], [any])`, `Path([Node(1, [], {}), Node(2, [], {})], [Relationship(5, 1, 2, "T", {})])`, true, ""},
		{`Date("2024-01-02")`, `Date("2024-01-02")`, true, ""},
		{`Date(any string)`, `Date("2024-01-02")`, true, ""},
		{`LocalTime("12:00")`, `LocalTime("12:00:00.000")`, true, ""},
		{`DateTime("2024-01-01T01:00:00+01:00")`, `DateTime("2024-01-01T00:00:00Z")`, false, "expected"}, // same instant, other offset
		{`Duration("P1D")`, `Duration(0, 1, 0, 0)`, true, ""},
		{`Duration("PT1S")`, `Duration("PT2S")`, false, `field 1 Duration: expected "PT1S", received "PT2S"`},
		{`Point2D(7203, 1, any)`, `Point2D(7203, 1.0, 5.5)`, true, ""},
		{`Point2D(7203, 1, 2)`, `Point3D(7203, 1, 2, 3)`, false, "expected Point2D"},
		{`Vector("int8", [1, 2])`, `Vector("int8", [1, 2])`, true, ""},
		{`Vector("int16", [1, 2])`, `Vector("int8", [1, 2])`, false, ""},
		{`UUID("123e4567-e89b-12d3-a456-426614174000")`, `UUID("123E4567E89B12D3A456426614174000")`, true, ""},
		{`Struct(0x01, 1, ...)`, `Struct(0x01, 1, 2)`, true, ""},
		{`Struct(0x01, 1)`, `Struct(0x02, 1)`, false, "expected Struct(0x01, 1)"},
		{`Struct(0x01, 1)`, `Struct(0x01, 1, 2)`, false, ""},
		{`Bytes("0102")`, `Bytes("01 02")`, true, ""},
	}
	for _, tc := range tests {
		got, diffs := matchField(t, tc.pattern, tc.value)
		if got != tc.want {
			t.Errorf("%s against %s: match = %v, want %v (%v)", tc.pattern, tc.value, got, tc.want, diffs)
			continue
		}
		if got && len(diffs) > 0 {
			t.Errorf("%s against %s matched but recorded differences %v", tc.pattern, tc.value, diffs)
		}
		if !got && (len(diffs) == 0 || !strings.Contains(diffs[0], tc.diff)) {
			t.Errorf("%s against %s: differences %q, want one with %q", tc.pattern, tc.value, diffs, tc.diff)
		}
	}
}

func TestMessagePatterns(t *testing.T) {
	tests := []struct {
		pattern string
		tag     byte
		fields  string // rendered values, separated by " | "
		want    bool
		diff    string
	}{
		{`C: RESET`, bolt.TagReset, ``, true, ""},
		{`C: RESET`, bolt.TagRun, ``, false, "expected message RESET, received RUN"},
		{`C: PULL_ALL`, bolt.TagPull, `{"n": 1}`, false, "expected 0 fields, received 1"},
		{`C: PULL {"n": 1}`, bolt.TagPull, `{"n": 1}`, true, ""},
		{`C: RUN "q" ...`, bolt.TagRun, `"q" | {} | {}`, true, ""},
		{`C: RUN "q" {} {}`, bolt.TagRun, `"q" | {}`, false, "expected 3 fields, received 2"},
		{`C: any ...`, 0x55, `1 | 2`, true, ""},
		{`C: 0x55 1 any`, 0x55, `1 | 2`, true, ""},
		{`C: 0x55 1 2`, 0x56, `1 | 2`, false, "expected message 0x55, received 0x56"},
	}
	for _, tc := range tests {
		line := parseClientLine(t, tc.pattern, bolt.V5_4)
		msg := &message{tag: tc.tag}
		if tc.fields != "" {
			for _, f := range strings.Split(tc.fields, " | ") {
				msg.fields = append(msg.fields, parseServerValue(t, f, bolt.V5_4))
			}
		}
		m := matcher{env: &env{version: bolt.V5_4}}
		got := line.msg.matchMessage(&m, msg)
		if got != tc.want || !got && (len(m.diffs) == 0 || !strings.Contains(m.diffs[0], tc.diff)) {
			t.Errorf("%s against %s: %v %q, want %v with %q", tc.pattern, msg.render("C: ", bolt.V5_4), got, m.diffs, tc.want, tc.diff)
		}
	}
}

func TestDifferencesAreBounded(t *testing.T) {
	var keys []string
	for i := 0; i < 20; i++ {
		keys = append(keys, `"k`+string(rune('a'+i))+`": 1`)
	}
	pattern := "{" + strings.Join(keys, ", ") + "}"
	ok, diffs := matchField(t, pattern, "{}")
	if ok || len(diffs) != maxDifferences {
		t.Errorf("match = %v with %d differences, want %d", ok, len(diffs), maxDifferences)
	}
}

// TestPatternsRenderAsWritten checks the rendering of patterns: the text
// of a parsed client line reads back as the same pattern.
func TestPatternsRenderAsWritten(t *testing.T) {
	lines := []string{
		`RUN "q" {"a": any, "b"?: [1, ...], ...} ordered {"x": any Node} ...`,
		`RECORD [unordered [1, 2, ...], $conn, Bytes("00ff"), -Inf, 1.5, null]`,
		`any`,
		`0x55 Struct(0x01, 1, ...) Node(any, ["L"], {}) Duration("P1D") LocalTime("12:00:00")`,
		`PULL {"n": any int, "qid": any int}`,
	}
	for _, text := range lines {
		line := parseClientLine(t, "C: "+text, bolt.V5_4)
		got := string(line.msg.appendText(nil))
		if got != text {
			t.Errorf("rendered %s\nwant     %s", got, text)
		}
	}
}
