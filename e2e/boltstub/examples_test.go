package boltstub

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/boltrx/boltrx/bolt"
)

func TestExampleScriptsParse(t *testing.T) {
	files, err := filepath.Glob("testdata/*.script")
	if err != nil || len(files) < 5 {
		t.Fatalf("example scripts: %v %v", files, err)
	}
	for _, f := range files {
		if _, err := ParseFile(f); err != nil {
			t.Errorf("%v", err)
		}
	}
}

// TestReadmeScriptsParse keeps the documentation honest: every script in
// README.md (a code block without a language) parses; fragments without a
// bolt line are parsed as the conversation of a Bolt 6.1 script.
func TestReadmeScriptsParse(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	var blocks []string
	var block strings.Builder
	inFence, plain := false, false
	for _, line := range strings.Split(string(readme), "\n") {
		switch {
		case strings.HasPrefix(line, "```") && !inFence:
			inFence, plain = true, line == "```" // only blocks without a language are scripts
			block.Reset()
		case strings.HasPrefix(line, "```"):
			if plain {
				blocks = append(blocks, block.String())
			}
			inFence = false
		case inFence:
			block.WriteString(line + "\n")
		}
	}
	isScript := regexp.MustCompile(`(?m)^\s*bolt \d`)
	for _, b := range blocks {
		if !isScript.MatchString(b) {
			b = "bolt 6.1\n" + b
		}
		if _, err := Parse(b); err != nil {
			t.Errorf("README script does not parse: %v\n%s", err, b)
		}
	}
	if len(blocks) < 7 {
		t.Errorf("found %d scripts in README.md", len(blocks))
	}
}

func TestAutoCommitExample(t *testing.T) {
	srv, err := listen("127.0.0.1:0", mustParseFile(t, "testdata/auto_commit.script"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	c := connect(t, srv.Addr(), bolt.V5_4)
	c.send(bolt.TagHello, map[string]any{"user_agent": "boltrx/0.1", "bolt_agent": map[string]any{"product": "boltrx/0.1", "language": "Go"}})
	c.send(bolt.TagLogon, map[string]any{"scheme": "basic", "principal": "neo4j", "credentials": "secret"})
	c.flush()
	c.expectTag(bolt.TagSuccess)
	c.expectTag(bolt.TagSuccess)
	c.send(bolt.TagRun, "UNWIND range(1, $n) AS i RETURN i, toString(i) AS s", map[string]any{"n": 3}, map[string]any{"db": "neo4j"})
	c.request(bolt.TagPull, map[string]any{"n": 1000})
	c.expectTag(bolt.TagSuccess)
	for i := int64(1); i <= 3; i++ {
		if rec := c.expectTag(bolt.TagRecord)[0].([]any); rec[0] != i {
			t.Errorf("record %v", rec)
		}
	}
	if meta := c.expectTag(bolt.TagSuccess)[0].(map[string]any); meta["bookmark"] != "FB:neo4j:1" {
		t.Errorf("summary %v", meta)
	}
	c.request(bolt.TagGoodbye)
	c.expectEOF()
	c.close()
	waitDone(t, srv)
	wantNoFailure(t, srv)
}

func TestLegacyBolt3Example(t *testing.T) {
	srv, err := listen("127.0.0.1:0", mustParseFile(t, "testdata/legacy_bolt3.script"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	c := connect(t, srv.Addr(), bolt.V3_0)
	c.request(bolt.TagHello, map[string]any{"user_agent": "x", "scheme": "basic", "principal": "neo4j", "credentials": "pass"})
	c.expectTag(bolt.TagSuccess)
	at := time.Date(2024, 1, 2, 3, 4, 5, 0, time.FixedZone("", 3600))
	c.send(bolt.TagRun, "RETURN $t AS t", map[string]any{"t": at}, map[string]any{})
	c.request(bolt.TagPull)
	c.expectTag(bolt.TagSuccess)
	got := c.expectTag(bolt.TagRecord)[0].([]any)[0].(time.Time)
	if !got.Equal(at) {
		t.Errorf("DateTime %v, want %v", got, at)
	}
	c.expectTag(bolt.TagSuccess)
	c.close()
	waitDone(t, srv)
	wantNoFailure(t, srv)
}

func mustParseFile(t *testing.T, path string) *Script {
	t.Helper()
	s, err := ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestPagingExample(t *testing.T) {
	script := mustParseFile(t, "testdata/paging.script")
	batch := func(c *testClient) {
		c.request(bolt.TagPull, map[string]any{"n": 2})
		c.expectTag(bolt.TagRecord)
		c.expectTag(bolt.TagRecord)
		if meta := c.expectTag(bolt.TagSuccess)[0].(map[string]any); meta["has_more"] != true {
			t.Errorf("batch summary %v", meta)
		}
	}
	for _, cancelAfter := range []int{1, 3} {
		srv, err := listen("127.0.0.1:0", script, nil)
		if err != nil {
			t.Fatal(err)
		}
		c := connect(t, srv.Addr(), bolt.V5_4)
		c.send(bolt.TagHello, map[string]any{"user_agent": "x"})
		c.send(bolt.TagLogon, map[string]any{"scheme": "none"})
		c.send(bolt.TagBegin, map[string]any{"mode": "r"})
		c.request(bolt.TagRun, "MATCH (p:Person) RETURN p", map[string]any{}, map[string]any{})
		for i := 0; i < 4; i++ {
			c.expectTag(bolt.TagSuccess)
		}
		for i := 0; i < cancelAfter; i++ {
			batch(c)
		}
		if cancelAfter == 1 {
			c.request(bolt.TagDiscard, map[string]any{"n": -1})
			c.expectTag(bolt.TagSuccess)
			c.request(bolt.TagCommit)
		} else {
			c.request(bolt.TagPull, map[string]any{"n": -1, "qid": -1})
			c.expectTag(bolt.TagSuccess)
			c.request(bolt.TagRollback)
		}
		c.expectTag(bolt.TagSuccess)
		c.close()
		waitDone(t, srv)
		wantNoFailure(t, srv)
	}
}
