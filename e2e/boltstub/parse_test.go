package boltstub

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/boltrx/boltrx/bolt"
)

func mustParse(t *testing.T, script string) *Script {
	t.Helper()
	s, err := Parse(script)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return s
}

func TestParseSyntaxErrorsNameLineAndColumn(t *testing.T) {
	tests := []struct {
		name   string
		script string
		line   int
		col    int // 0: not checked
		msg    string
	}{
		{"no version", "C: RESET\n", 1, 0, "no Bolt version"},
		{"empty", "# nothing\n\n", 1, 0, "no conversation"},
		{"unknown statement", "bolt 5.4\nfoo\n", 2, 1, `unknown statement "foo"`},
		{"unknown message", "bolt 5.4\n\nC: PUL {}\n", 3, 4, `unknown message "PUL"`},
		{"missing colon", "bolt 5.4\nC RESET\n", 2, 3, `want ":"`},
		{"bad version", "bolt 5.x\nC: RESET\n", 1, 6, "want a version like 5.4"},
		{"unknown version", "bolt 9.9\nC: RESET\n", 1, 6, "unknown Bolt version 9.9"},
		{"range across majors", "bolt 4.4..5.0\nC: RESET\n", 1, 6, "within one major version"},
		{"unclosed map", "bolt 5.4\nC: RUN \"x\" {\"a\": 1\n\nC: RESET\n", 4, 1, `to close the "{" of line 2`},
		{"unclosed list at the end", "bolt 5.4\nC: RUN [1,\n", 2, 0, "never closed"},
		{"unclosed string", "bolt 5.4\nC: RUN \"x\n", 2, 8, "string is not closed"},
		{"bad escape", "bolt 5.4\nC: RUN \"a\\qb\"\n", 2, 10, `unknown escape \q`},
		{"wildcard in server line", "bolt 5.4\nS: SUCCESS {\"a\": any}\n", 2, 0, "cannot contain the wildcard any"},
		{"rest in server line", "bolt 5.4\nS: SUCCESS {\"a\": 1, ...}\n", 2, 0, "cannot contain"},
		{"optional key in server line", "bolt 5.4\nS: SUCCESS {\"a\"?: 1}\n", 2, 0, "optional key"},
		{"any message in server line", "bolt 5.4\nS: any\n", 2, 0, "cannot use any"},
		{"block without end", "bolt 5.4\noptional\n  C: RESET\n", 2, 1, "never closed with end"},
		{"end without block", "bolt 5.4\nC: RESET\nend\n", 3, 1, `"end" without a block`},
		{"block starts with server line", "bolt 5.4\noptional\n  S: SUCCESS {}\n  C: RESET\nend\n", 3, 0, "must begin with a client message"},
		{"empty block", "bolt 5.4\nrepeat\nend\n", 3, 1, "empty repeat block"},
		{"either with one branch", "bolt 5.4\neither\n  C: RESET\nend\n", 2, 0, "at least two branches"},
		{"anytime without trigger", "bolt 5.4\nanytime\n  close\nend\nC: RESET\n", 3, 0, "must begin with the client message"},
		{"anytime in block", "bolt 5.4\noptional\n  C: RESET\n  anytime\n", 4, 3, "cannot be inside a block"},
		{"unknown variable", "bolt 5.4\nS: SUCCESS {\"a\": $nope}\n", 2, 18, "unknown variable $nope"},
		{"bad integer", "bolt 5.4\nC: RUN 99999999999999999999\n", 2, 8, "does not fit 64 bits"},
		{"malformed number", "bolt 5.4\nC: RUN 12ab\n", 2, 8, "malformed number"},
		{"unknown word", "bolt 5.4\nC: RUN hello\n", 2, 8, `unknown word "hello" (strings need double quotes)`},
		{"unknown any type", "bolt 5.4\nC: RUN any String\n", 2, 12, "unknown type"},
		{"rest not last", "bolt 5.4\nC: RUN [..., 1]\n", 2, 12, `"..." must be the last item`},
		{"rest not last field", "bolt 5.4\nC: RUN ... 1\n", 2, 12, `"..." must be the last field`},
		{"duplicate key", "bolt 5.4\nC: RUN {\"a\": 1, \"a\": 2}\n", 2, 17, "appears twice"},
		{"bad date", "bolt 5.4\nC: RUN Date(\"2024-02-30\")\n", 2, 8, "day 30 out of range"},
		{"bad datetime", "bolt 5.4\nC: RUN DateTime(\"2024-02-01T10:00\")\n", 2, 8, "UTC offset"},
		{"node arity", "bolt 5.4\nC: RUN Node(1)\n", 2, 8, "Node takes 3 to 4 arguments, not 1"},
		{"node labels type", "bolt 5.4\nS: RECORD [Node(1, \"L\", {})]\n", 2, 12, "want a list of strings"},
		{"path shape", "bolt 5.4\nS: RECORD [Path([Node(1, [], {})], [Relationship(1, 1, 2, \"T\", {})])]\n", 2, 0, "n nodes and n-1 relationships"},
		{"vector too old", "bolt 5.4\nS: RECORD [Vector(\"int8\", [1])]\n", 2, 0, "cannot send this on Bolt 5.4"},
		{"vector element range", "bolt 6.0\nS: RECORD [Vector(\"int8\", [300])]\n", 2, 12, "300 does not fit int8"},
		{"bad uuid", "bolt 6.1\nC: RUN UUID(\"xyz\")\n", 2, 8, "UUID"},
		{"bad duration", "bolt 5.4\nC: RUN Duration(\"P1X\")\n", 2, 8, "unknown unit X"},
		{"bad struct tag", "bolt 5.4\nC: RUN Struct(300)\n", 2, 8, "from 0 to 255"},
		{"bad bytes", "bolt 5.4\nC: RUN Bytes(\"0g\")\n", 2, 14, "hex digits"},
		{"bad repeat", "bolt 5.4\nrepeat x\n  C: RESET\nend\n", 2, 8, "want repeat"},
		{"unlimited nullable repeat", "bolt 5.4\nrepeat\n  optional\n    C: RESET\n  end\nend\n", 2, 0, "at least one client message"},
		{"bad sleep", "bolt 5.4\nsleep soon\n", 2, 7, "want a duration"},
		{"bad raw", "bolt 5.4\nraw 0\n", 2, 5, "in hex"},
		{"bad handshake", "bolt 5.4\nhandshake maybe\nC: RESET\n", 2, 11, "want handshake reject"},
		{"setting after conversation", "bolt 5.4\nconnection 1\nC: RESET\nbolt 4.4\n", 4, 1, "settings must come before"},
		{"statements before sections", "bolt 5.4\nC: RESET\nconnection 1\nC: RESET\n", 3, 1, "statements before the first connection section"},
		{"sections out of order", "bolt 5.4\nconnection 2\nC: RESET\n", 2, 12, "must start at connection 1"},
		{"section after open range", "bolt 5.4\nconnections 1+\nC: RESET\nconnection 2\nC: RESET\n", 4, 0, "no connection can follow"},
		{"rejecting section with conversation", "bolt 5.4\nhandshake reject\nC: RESET\n", 3, 0, "has no conversation"},
		{"concurrent in section", "bolt 5.4\nconnection 1\nconcurrent\n", 3, 1, "whole script"},
		{"expect what", "bolt 5.4\nexpect reset\n", 2, 8, "want expect close"},
		{"trailing text", "bolt 5.4\nclose now\n", 2, 7, "unexpected"},
		{"bad agent", "bolt 5.4\nagent Neo4j\nC: RESET\n", 2, 7, "as a string"},
		{"bad patch", "bolt 4.4\npatch xyz\nC: RESET\n", 2, 7, "the only patch"},
		{"bad capabilities", "bolt 5.7\ncapabilities lots\nC: RESET\n", 2, 14, "want a number"},
		{"stray character", "bolt 5.4\nC: RUN @\n", 2, 8, "unexpected character"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(tc.script)
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse error = %v, want a *SyntaxError", err)
			}
			if !errors.Is(err, ErrSyntax) {
				t.Errorf("error does not wrap ErrSyntax")
			}
			if se.Line != tc.line || tc.col != 0 && se.Column != tc.col {
				t.Errorf("position = line %d column %d, want line %d column %d (%v)", se.Line, se.Column, tc.line, tc.col, err)
			}
			if !strings.Contains(se.Msg, tc.msg) {
				t.Errorf("message %q does not mention %q", se.Msg, tc.msg)
			}
			if !strings.Contains(err.Error(), "script line ") {
				t.Errorf("Error() = %q does not name the line", err.Error())
			}
		})
	}
}

func TestParseSettings(t *testing.T) {
	s := mustParse(t, `
		bolt 5.2..5.4, 4.4 3.0
		manifest
		capabilities 0x09
		agent "Neo4j/5.26.0"
		handshake delay 5ms
		concurrent
		C: RESET
	`)
	if !s.concurrent {
		t.Error("concurrent not set")
	}
	got := s.sections[0].settings
	want := settings{
		versions:       []bolt.Version{bolt.V5_4, bolt.V5_3, bolt.V5_2, bolt.V4_4, bolt.V3_0},
		manifest:       true,
		capabilities:   9,
		agent:          "Neo4j/5.26.0",
		handshakeDelay: 5e6,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("settings = %+v, want %+v", got, want)
	}
}

func TestParseSectionsOverrideTheHead(t *testing.T) {
	s := mustParse(t, `
		bolt 5.4
		agent "head"
		anytime
		  C: GOODBYE
		  close
		end
		connection 1
		  C: RESET
		connections 2..3
		  bolt 4.4
		  patch utc
		  anytime
		    C: RESET
		    S: SUCCESS {}
		  end
		  C: RUN "x" {} {}
		connections 4+
		  handshake reject
	`)
	if len(s.sections) != 3 {
		t.Fatalf("%d sections, want 3", len(s.sections))
	}
	first, second, third := s.sections[0], s.sections[1], s.sections[2]
	if first.first != 1 || first.last != 1 || second.first != 2 || second.last != 3 || third.first != 4 || third.last != -1 {
		t.Errorf("ranges = %d..%d %d..%d %d..%d", first.first, first.last, second.first, second.last, third.first, third.last)
	}
	if !reflect.DeepEqual(first.settings.versions, []bolt.Version{bolt.V5_4}) ||
		!reflect.DeepEqual(second.settings.versions, []bolt.Version{bolt.V4_4}) || !second.settings.utcPatch {
		t.Errorf("section settings not overridden: %+v / %+v", first.settings, second.settings)
	}
	if second.settings.agent != "head" {
		t.Errorf("section lost the head's agent: %q", second.settings.agent)
	}
	if len(first.anytime) != 1 || len(second.anytime) != 2 {
		t.Errorf("anytime blocks: %d and %d, want 1 and 2 (section's own first)", len(first.anytime), len(second.anytime))
	}
	if third.settings.handshake != handshakeReject {
		t.Error("handshake reject lost")
	}
	if got := s.RequiredConnections(); got != 3 {
		t.Errorf("RequiredConnections = %d, want 3", got)
	}
	for n, want := range map[int]bool{1: true, 2: true, 3: true, 4: false, 99: false} {
		if got := s.section(n).required(n); got != want {
			t.Errorf("connection %d required = %v, want %v", n, got, want)
		}
	}
}

func TestParseKeepsStatementTextForReports(t *testing.T) {
	s := mustParse(t, "bolt 5.4\nC: RUN \"a # not  \\\" a comment\"   {\n  \"x\": 1  # a comment\n} {}  # another\n")
	line := s.sections[0].body[0].(*clientLine)
	if want := `C: RUN "a # not  \" a comment" { "x": 1 } {}`; line.text != want {
		t.Errorf("text = %q, want %q", line.text, want)
	}
	if line.line != 2 {
		t.Errorf("line = %d, want 2", line.line)
	}
}

func TestParseBlocks(t *testing.T) {
	s := mustParse(t, `
		bolt 5.4
		optional
		  C: RESET
		  S: SUCCESS {}
		end
		repeat 2..4
		  C: PULL {"n": 1}
		  S: SUCCESS {}
		end
		repeat 1+
		  C: DISCARD {"n": -1}
		end
		repeat 3
		  C: COMMIT
		end
		either
		  C: COMMIT
		or
		  optional
		    C: RESET
		  end
		  C: ROLLBACK
		end
	`)
	body := s.sections[0].body
	if len(body) != 5 {
		t.Fatalf("%d statements, want 5", len(body))
	}
	reps := []*repeatBlock{body[1].(*repeatBlock), body[2].(*repeatBlock), body[3].(*repeatBlock)}
	for i, want := range [][2]int{{2, 4}, {1, -1}, {3, 3}} {
		if reps[i].min != want[0] || reps[i].max != want[1] {
			t.Errorf("repeat %d: %d..%d, want %d..%d", i, reps[i].min, reps[i].max, want[0], want[1])
		}
	}
	either := body[4].(*eitherBlock)
	if len(either.firsts[1]) != 2 {
		t.Errorf("the second branch may start with RESET or ROLLBACK, got %d first lines", len(either.firsts[1]))
	}
	if s.sections[0].nullable {
		t.Error("a conversation with mandatory lines is not nullable")
	}
}

// FuzzParse feeds arbitrary text to the parser: it must return a script
// or a *SyntaxError with a line inside the text, and never panic.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.script")
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err == nil {
			f.Add(string(b))
		}
	}
	f.Add("bolt 5.4\nC: RUN [1, {\"a\"?: any Node}, ...] Duration(0, 1, 2, 3) ...\n")
	f.Add("bolt 5.4\neither\n C: RESET\nor\n optional\n  C: X\n end\nend\n")
	f.Fuzz(func(t *testing.T, text string) {
		_, err := Parse(text)
		if err == nil {
			return
		}
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Fatalf("error %v is no *SyntaxError", err)
		}
		if lines := strings.Count(text, "\n") + 1; se.Line < 1 || se.Line > lines {
			t.Fatalf("error at line %d of a %d-line text: %v", se.Line, lines, err)
		}
	})
}
