package boltstub

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/boltrx/boltrx/bolt"
	"github.com/boltrx/boltrx/packstream"
)

func TestConversationWithWildcardsAndStructures(t *testing.T) {
	srv := serveScript(t, `
		bolt 5.4
		agent "Neo4j/5.26.0"
		C: HELLO {"user_agent": any string, "bolt_agent": {"product": any string, ...}, "routing"?: any map}
		S: SUCCESS {"server": $agent, "connection_id": $connection_id}
		C: RUN "MATCH (n) WHERE n.born < $d RETURN n" {"d": Date("2000-01-01"), "p": Point2D(7203, 1, 2)} {"db"?: "neo4j", ...}
		C: PULL {"n": any int}
		S: SUCCESS {"fields": ["n"]}
		S: RECORD [Node(1, ["Person"], {"name": "Alice", "born": Date("1990-05-06")}, "4:db:1")]
		S: RECORD [Path([Node(1, [], {}), Node(2, [], {})], [Relationship(9, 2, 1, "KNOWS", {})])]
		S: SUCCESS {"type": "r", "t_last": 3}
	`)
	c := connect(t, srv.Addr(), bolt.V5_4)
	c.request(bolt.TagHello, map[string]any{"user_agent": "boltrx/0.1", "bolt_agent": map[string]any{"product": "boltrx/0.1", "platform": "linux"}})
	meta := c.expectTag(bolt.TagSuccess)[0].(map[string]any)
	if meta["server"] != "Neo4j/5.26.0" || meta["connection_id"] != "bolt-1" {
		t.Errorf("HELLO SUCCESS %v", meta)
	}
	c.send(bolt.TagRun, "MATCH (n) WHERE n.born < $d RETURN n",
		map[string]any{"d": packstream.Date(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)), "p": packstream.Point2D{SpatialRefId: 7203, X: 1, Y: 2}},
		map[string]any{"db": "neo4j", "tx_metadata": map[string]any{"app": "test"}})
	c.request(bolt.TagPull, map[string]any{"n": int64(1000)})
	c.expectTag(bolt.TagSuccess)
	node := c.expectTag(bolt.TagRecord)[0].([]any)[0].(packstream.Node)
	wantNode := packstream.Node{Id: 1, ElementId: "4:db:1", Labels: []string{"Person"},
		Props: map[string]any{"name": "Alice", "born": packstream.Date(time.Date(1990, 5, 6, 0, 0, 0, 0, time.UTC))}}
	if !reflect.DeepEqual(node, wantNode) {
		t.Errorf("node %#v, want %#v", node, wantNode)
	}
	path := c.expectTag(bolt.TagRecord)[0].([]any)[0].(packstream.Path)
	if len(path.Nodes) != 2 || len(path.Relationships) != 1 || path.Relationships[0].StartId != 2 || path.Relationships[0].Type != "KNOWS" {
		t.Errorf("path %#v", path)
	}
	c.expectTag(bolt.TagSuccess)
	waitDone(t, srv)
	c.close()
	wantNoFailure(t, srv)
}

const blocksScript = `
	bolt 5.4
	C: BEGIN {}
	S: SUCCESS {}
	optional
	  C: RUN "optional" {} {}
	  S: SUCCESS {}
	end
	repeat 1..3
	  C: PULL {"n": 1}
	  S: RECORD [1]
	  S: SUCCESS {"has_more": true}
	end
	either
	  C: COMMIT
	  S: SUCCESS {"bookmark": "bm:1"}
	or
	  C: ROLLBACK
	  S: SUCCESS {}
	end
`

type exchange struct {
	tag    byte
	fields []any
	answer []byte // the tags the server answers with
}

func play(t *testing.T, c *testClient, steps []exchange) {
	t.Helper()
	for _, s := range steps {
		c.request(s.tag, s.fields...)
		for _, want := range s.answer {
			c.expectTag(want)
		}
	}
}

var (
	begin    = exchange{bolt.TagBegin, []any{map[string]any{}}, []byte{bolt.TagSuccess}}
	optRun   = exchange{bolt.TagRun, []any{"optional", map[string]any{}, map[string]any{}}, []byte{bolt.TagSuccess}}
	pullOne  = exchange{bolt.TagPull, []any{map[string]any{"n": int64(1)}}, []byte{bolt.TagRecord, bolt.TagSuccess}}
	commit   = exchange{bolt.TagCommit, nil, []byte{bolt.TagSuccess}}
	rollback = exchange{bolt.TagRollback, nil, []byte{bolt.TagSuccess}}
)

func TestBlocksFollowTheClient(t *testing.T) {
	paths := map[string][]exchange{
		"skip optional, one pull, commit":      {begin, pullOne, commit},
		"optional, three pulls, rollback":      {begin, optRun, pullOne, pullOne, pullOne, rollback},
		"optional, two pulls, commit":          {begin, optRun, pullOne, pullOne, commit},
		"the repeat ends when its limit is up": {begin, pullOne, pullOne, pullOne, commit},
	}
	for name, steps := range paths {
		t.Run(name, func(t *testing.T) {
			srv := serveScript(t, blocksScript)
			c := connect(t, srv.Addr(), bolt.V5_4)
			play(t, c, steps)
			waitDone(t, srv)
			c.close()
			wantNoFailure(t, srv)
		})
	}
}

func TestBlocksRejectWhatTheyDoNotAllow(t *testing.T) {
	tests := []struct {
		name     string
		steps    []exchange
		last     exchange // the deviating message
		line     int
		expected []string
	}{
		{"a fourth pull", []exchange{begin, pullOne, pullOne, pullOne}, pullOne, 18,
			[]string{`line 15: C: COMMIT`, `line 18: C: ROLLBACK`}},
		{"commit before any pull", []exchange{begin}, commit, 10,
			[]string{`line 6: C: RUN "optional" {} {}`, `line 10: C: PULL {"n": 1}`}},
		{"neither commit nor rollback", []exchange{begin, pullOne}, optRun, 18,
			[]string{`line 10: C: PULL {"n": 1}`, `line 15: C: COMMIT`, `line 18: C: ROLLBACK`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := serveScript(t, blocksScript)
			c := connect(t, srv.Addr(), bolt.V5_4)
			play(t, c, tc.steps)
			c.request(tc.last.tag, tc.last.fields...)
			c.expectEOF()
			f := wantOneFailure(t, srv, ErrUnexpectedMessage)
			if f.Line != tc.line || !reflect.DeepEqual(f.Expected, tc.expected) {
				t.Errorf("failure at line %d expecting %q, want line %d expecting %q\n%v", f.Line, f.Expected, tc.line, tc.expected, f)
			}
		})
	}
}

func TestRepeatWithoutLimitAndExactCount(t *testing.T) {
	srv := serveScript(t, `
		bolt 5.4
		repeat
		  C: PULL {"n": 1}
		  S: SUCCESS {}
		end
		repeat 2
		  C: DISCARD {"n": 1}
		  S: SUCCESS {}
		end
		C: RESET
		S: SUCCESS {}
	`)
	c := connect(t, srv.Addr(), bolt.V5_4)
	for i := 0; i < 5; i++ {
		c.request(bolt.TagPull, map[string]any{"n": int64(1)})
		c.expectTag(bolt.TagSuccess)
	}
	for i := 0; i < 2; i++ {
		c.request(bolt.TagDiscard, map[string]any{"n": int64(1)})
		c.expectTag(bolt.TagSuccess)
	}
	c.request(bolt.TagReset)
	c.expectTag(bolt.TagSuccess)
	waitDone(t, srv)
	c.close()
	wantNoFailure(t, srv)

	// One DISCARD short of the exact count.
	srv = serveScript(t, "bolt 5.4\nrepeat 2\n C: DISCARD {\"n\": 1}\nend\nC: RESET\n")
	c = connect(t, srv.Addr(), bolt.V5_4)
	c.request(bolt.TagDiscard, map[string]any{"n": int64(1)})
	c.request(bolt.TagReset)
	c.expectEOF()
	if f := wantOneFailure(t, srv, ErrUnexpectedMessage); f.Line != 3 {
		t.Errorf("failure at line %d, want 3 (the second DISCARD)\n%v", f.Line, f)
	}
}

const anytimeScript = `
	bolt 5.4
	anytime
	  C: RESET
	  S: SUCCESS {"from": "anytime"}
	end
	anytime
	  C: GOODBYE
	  close
	end
	C: RUN "a" {} {}
	S: SUCCESS {}
	optional
	  C: PULL {"n": 1}
	  S: SUCCESS {}
	end
	C: RESET
	S: SUCCESS {"from": "script"}
	C: RUN "b" {} {}
	S: SUCCESS {}
`

func TestAnytimeBlocks(t *testing.T) {
	srv := serveScript(t, anytimeScript)
	c := connect(t, srv.Addr(), bolt.V5_4)
	from := func() any { return c.expectTag(bolt.TagSuccess)[0].(map[string]any)["from"] }
	// Before the first line: the anytime block answers.
	c.request(bolt.TagReset)
	if got := from(); got != "anytime" {
		t.Errorf("first RESET answered by %v, want anytime", got)
	}
	c.request(bolt.TagRun, "a", map[string]any{}, map[string]any{})
	c.expectTag(bolt.TagSuccess)
	// At the optional block the script's own RESET line takes precedence.
	c.request(bolt.TagReset)
	if got := from(); got != "script" {
		t.Errorf("second RESET answered by %v, want the script's line", got)
	}
	c.request(bolt.TagRun, "b", map[string]any{}, map[string]any{})
	c.expectTag(bolt.TagSuccess)
	waitDone(t, srv)
	// After the end of the script only anytime blocks apply.
	c.request(bolt.TagReset)
	if got := from(); got != "anytime" {
		t.Errorf("RESET after the end answered by %v, want anytime", got)
	}
	c.request(bolt.TagGoodbye)
	c.expectEOF()
	c.close()
	wantNoFailure(t, srv)
}

func TestMessagesAfterTheEndOfTheScriptAreDeviations(t *testing.T) {
	srv := serveScript(t, "bolt 5.4\nC: RESET\nS: SUCCESS {}\n")
	c := connect(t, srv.Addr(), bolt.V5_4)
	c.request(bolt.TagReset)
	c.expectTag(bolt.TagSuccess)
	c.request(bolt.TagCommit)
	c.expectEOF()
	f := wantOneFailure(t, srv, ErrUnexpectedMessage)
	if len(f.Expected) != 1 || !strings.Contains(f.Expected[0], "end of the script") || f.Received != "C: COMMIT" {
		t.Errorf("report %v", f)
	}
}

func TestCloseSendsWhatIsBufferedFirst(t *testing.T) {
	srv := serveScript(t, "bolt 5.4\nC: RUN \"x\" {} {}\nS: FAILURE {\"code\": \"Neo.TransientError.General.DatabaseUnavailable\", \"message\": \"gone\"}\nclose\n")
	c := connect(t, srv.Addr(), bolt.V5_4)
	c.request(bolt.TagRun, "x", map[string]any{}, map[string]any{})
	if meta := c.expectTag(bolt.TagFailure)[0].(map[string]any); meta["message"] != "gone" {
		t.Errorf("FAILURE %v", meta)
	}
	c.expectEOF()
	waitDone(t, srv)
	wantNoFailure(t, srv)
}

func TestExpectClose(t *testing.T) {
	script := "bolt 5.4\nanytime\n C: GOODBYE\nend\nC: RESET\nexpect close\n"
	srv := serveScript(t, script)
	c := connect(t, srv.Addr(), bolt.V5_4)
	c.request(bolt.TagReset)
	c.request(bolt.TagGoodbye) // anytime blocks still apply
	c.close()
	waitDone(t, srv)
	wantNoFailure(t, srv)

	srv = serveScript(t, script)
	c = connect(t, srv.Addr(), bolt.V5_4)
	c.request(bolt.TagReset)
	c.request(bolt.TagReset)
	c.expectEOF()
	f := wantOneFailure(t, srv, ErrUnexpectedMessage)
	if !reflect.DeepEqual(f.Expected, []string{"line 6: expect close"}) {
		t.Errorf("expected %q, want the expect close line", f.Expected)
	}
}

func TestStallSendsNothingMore(t *testing.T) {
	srv := serveScript(t, "bolt 5.4\nC: RUN \"x\" {} {}\nS: SUCCESS {\"fields\": []}\nstall\n")
	c := connect(t, srv.Addr(), bolt.V5_4)
	c.send(bolt.TagRun, "x", map[string]any{}, map[string]any{})
	c.request(bolt.TagPull, map[string]any{"n": int64(-1)})
	c.expectTag(bolt.TagSuccess)
	waitDone(t, srv) // the script is complete at stall
	// The PULL is never answered and the connection stays open.
	c.conn.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	var b [1]byte
	n, err := c.conn.Read(b[:])
	var ne net.Error
	if n != 0 || !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("read %d bytes, %v; want nothing until the deadline", n, err)
	}
	c.close()
	wantNoFailure(t, srv)
}

func TestSleepFlushesThenPauses(t *testing.T) {
	paused := make(chan time.Duration)
	release := make(chan struct{})
	srv := serveScript(t, "bolt 5.4\nC: RESET\nS: SUCCESS {\"n\": 1}\nsleep 1h\nS: SUCCESS {\"n\": 2}\n", func(s *Server) {
		s.sleep = func(ctx context.Context, d time.Duration) error {
			paused <- d
			select {
			case <-release:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	})
	c := connect(t, srv.Addr(), bolt.V5_4)
	c.request(bolt.TagReset)
	if d := <-paused; d != time.Hour {
		t.Errorf("slept %v, want 1h", d)
	}
	// While the server sleeps the first answer has arrived in full.
	if got := c.expectTag(bolt.TagSuccess)[0].(map[string]any)["n"]; got != int64(1) {
		t.Errorf("first answer %v", got)
	}
	close(release)
	if got := c.expectTag(bolt.TagSuccess)[0].(map[string]any)["n"]; got != int64(2) {
		t.Errorf("second answer %v", got)
	}
	waitDone(t, srv)
	c.close()
	wantNoFailure(t, srv)
}

func TestSleepEndsWhenTheServerCloses(t *testing.T) {
	srv := serveScript(t, "bolt 5.4\nC: RESET\nsleep 1h\nS: SUCCESS {}\n")
	c := connect(t, srv.Addr(), bolt.V5_4)
	c.request(bolt.TagReset)
	// Close does not wait an hour; the conversation did not reach its end.
	f := wantOneFailure(t, srv, ErrIncomplete)
	if !strings.Contains(f.Detail, "server was stopped") {
		t.Errorf("failure %v", f)
	}
}

func TestNoopAndRawBytes(t *testing.T) {
	srv := serveScript(t, "bolt 5.4\nC: RESET\nnoop\nS: SUCCESS {}\nraw 00 03 b1 7E a0\nraw 00 00\n")
	c := connect(t, srv.Addr(), bolt.V5_4)
	c.request(bolt.TagReset)
	want := []byte{0x00, 0x00, 0x00, 0x03, 0xB1, 0x70, 0xA0, 0x00, 0x00, 0x00, 0x03, 0xB1, 0x7E, 0xA0, 0x00, 0x00}
	got := make([]byte, len(want))
	if _, err := io.ReadFull(c.conn, got); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("bytes % x, want % x", got, want)
	}
	waitDone(t, srv)
	c.close()
	wantNoFailure(t, srv)
}

func TestRawMessageTags(t *testing.T) {
	srv := serveScript(t, "bolt 5.4\nC: 0x55 1 any\nS: 0x56 \"x\"\n")
	c := connect(t, srv.Addr(), bolt.V5_4)
	c.request(0x55, int64(1), "anything")
	if got := c.expectTag(0x56); !reflect.DeepEqual(got, []any{"x"}) {
		t.Errorf("fields %v", got)
	}
	waitDone(t, srv)
	c.close()
	wantNoFailure(t, srv)
}

func TestDeviationReport(t *testing.T) {
	srv := serveScript(t, `
		bolt 5.4
		C: HELLO {"user_agent": any string, ...}
		S: SUCCESS {}
		C: RUN "RETURN 1 AS x" {} {"db": "neo4j"}
	`)
	c := connect(t, srv.Addr(), bolt.V5_4)
	c.request(bolt.TagHello, map[string]any{"user_agent": "x"})
	c.expectTag(bolt.TagSuccess)
	c.request(bolt.TagRun, "RETURN 1 AS x", map[string]any{"p": int64(1)}, map[string]any{"db": "system"})
	c.expectEOF() // the server closes the connection of a deviating client
	f := wantOneFailure(t, srv, ErrUnexpectedMessage)
	want := &Failure{
		Reason:     ErrUnexpectedMessage,
		Connection: 1,
		Line:       5,
		Expected:   []string{`line 5: C: RUN "RETURN 1 AS x" {} {"db": "neo4j"}`},
		Received:   `C: RUN "RETURN 1 AS x" {"p": 1} {"db": "system"}`,
		Differences: []string{
			`field 2: unexpected key "p": 1`,
			`field 3 ["db"]: expected "neo4j", received "system"`,
		},
	}
	if !reflect.DeepEqual(f, want) {
		t.Errorf("failure\n%#v\nwant\n%#v", f, want)
	}
	text := f.Error()
	for _, part := range []string{"connection 1, script line 5", "expected: line 5:", "received: C: RUN", `- field 3 ["db"]`} {
		if !strings.Contains(text, part) {
			t.Errorf("report does not contain %q:\n%s", part, text)
		}
	}
	var asFailure *Failure
	if err := srv.Err(); !errors.As(err, &asFailure) || !errors.Is(err, ErrUnexpectedMessage) {
		t.Errorf("Err() = %v does not expose the failure", err)
	}
}

func TestClientStoppingEarly(t *testing.T) {
	script := "bolt 5.4\nC: RESET\nS: SUCCESS {}\noptional\n C: RESET\nend\nC: COMMIT\n"
	srv := serveScript(t, script)
	c := connect(t, srv.Addr(), bolt.V5_4)
	c.request(bolt.TagReset)
	c.expectTag(bolt.TagSuccess)
	c.close()
	<-srv.Done() // the failure is recorded
	f := wantOneFailure(t, srv, ErrIncomplete)
	if f.Line != 7 || !reflect.DeepEqual(f.Expected, []string{"line 5: C: RESET", "line 7: C: COMMIT"}) ||
		!strings.Contains(f.Detail, "client closed the connection") {
		t.Errorf("report %#v", f)
	}

	// Stopping inside a repeat block that needs another iteration.
	srv = serveScript(t, "bolt 5.4\nrepeat 2\n C: RESET\n S: SUCCESS {}\nend\n")
	c = connect(t, srv.Addr(), bolt.V5_4)
	c.request(bolt.TagReset)
	c.expectTag(bolt.TagSuccess)
	c.close()
	<-srv.Done()
	if f := wantOneFailure(t, srv, ErrIncomplete); !reflect.DeepEqual(f.Expected, []string{"line 3: C: RESET"}) {
		t.Errorf("report %v", f)
	}

	// Stopping where a repeat block may end.
	srv = serveScript(t, "bolt 5.4\nrepeat 1+\n C: RESET\n S: SUCCESS {}\n optional\n  C: COMMIT\n end\nend\n")
	c = connect(t, srv.Addr(), bolt.V5_4)
	c.request(bolt.TagReset)
	c.expectTag(bolt.TagSuccess)
	c.close()
	waitDone(t, srv)
	wantNoFailure(t, srv)

	// Only optional lines are left: the script is complete.
	srv = serveScript(t, "bolt 5.4\nC: RESET\noptional\n C: COMMIT\nend\nrepeat\n C: RESET\nend\n")
	c = connect(t, srv.Addr(), bolt.V5_4)
	c.request(bolt.TagReset)
	c.close()
	waitDone(t, srv)
	wantNoFailure(t, srv)
}

func TestServerClosingBeforeTheEnd(t *testing.T) {
	srv := serveScript(t, "bolt 5.4\nC: RESET\nS: SUCCESS {}\nC: COMMIT\n")
	c := connect(t, srv.Addr(), bolt.V5_4)
	c.request(bolt.TagReset)
	c.expectTag(bolt.TagSuccess)
	select {
	case <-srv.Done():
		t.Fatal("Done before the end of the script")
	default:
	}
	f := wantOneFailure(t, srv, ErrIncomplete)
	if f.Line != 4 || !strings.Contains(f.Detail, "server was stopped") {
		t.Errorf("failure at line %d, want 4\n%v", f.Line, f)
	}
}

func TestScriptClosingBeforeMandatoryLines(t *testing.T) {
	srv := serveScript(t, `
		bolt 5.4
		either
		  C: COMMIT
		  close
		or
		  C: ROLLBACK
		end
		C: RESET
	`)
	c := connect(t, srv.Addr(), bolt.V5_4)
	c.request(bolt.TagCommit)
	c.expectEOF()
	f := wantOneFailure(t, srv, ErrIncomplete)
	if !strings.Contains(f.Detail, "the script closed the connection (line 5)") {
		t.Errorf("report %v", f)
	}
}

func TestMalformedClientMessage(t *testing.T) {
	srv := serveScript(t, "bolt 5.4\nC: RESET\n")
	c := connect(t, srv.Addr(), bolt.V5_4)
	c.cw.WriteMessage([]byte{0xB1, 0x0F, 0xC7}) // reserved marker C7
	c.flush()
	c.expectEOF()
	f := wantOneFailure(t, srv, ErrBadMessage)
	if !errors.Is(f, packstream.ErrUnknownMarker) || !strings.Contains(f.Received, "b10fc7") {
		t.Errorf("report %v", f)
	}
}

func TestUTCPatchOnBolt44(t *testing.T) {
	script := "bolt 4.4\n%s\nC: RUN \"x\" {\"t\": DateTime(\"2024-01-02T03:04:05+01:00\")} {}\nS: RECORD [DateTime(\"2024-01-02T03:04:05+01:00\")]\n"
	for _, patched := range []bool{false, true} {
		setting := "# no patch"
		if patched {
			setting = "patch utc"
		}
		srv := serveScript(t, strings.Replace(script, "%s", setting, 1))
		c := connect(t, srv.Addr(), bolt.V4_4)
		d := dialectOf(bolt.V4_4, patched)
		c.enc.Dialect, c.dec.Dialect = d, d
		at := time.Date(2024, 1, 2, 3, 4, 5, 0, time.FixedZone("", 3600))
		c.request(bolt.TagRun, "x", map[string]any{"t": at}, map[string]any{})
		b, err := c.cr.ReadMessage()
		if err != nil {
			t.Fatal(err)
		}
		// RECORD, list of 1, then the structure: 'I' with the patch, 'F' without.
		wantTag := byte('F')
		if patched {
			wantTag = 'I'
		}
		if len(b) < 5 || b[4] != wantTag {
			t.Errorf("patched=%v: record % x, want structure %c", patched, b, wantTag)
		}
		waitDone(t, srv)
		c.close()
		wantNoFailure(t, srv)
	}
	// A client that sends the UTC form without the patch deviates; the
	// report shows the raw structure.
	srv := serveScript(t, strings.Replace(script, "%s", "", 1))
	c := connect(t, srv.Addr(), bolt.V4_4)
	c.enc.Dialect = dialectOf(bolt.V4_4, true)
	c.request(bolt.TagRun, "x", map[string]any{"t": time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)}, map[string]any{})
	c.expectEOF()
	f := wantOneFailure(t, srv, ErrUnexpectedMessage)
	if !strings.Contains(f.Received, `{"t": Struct(0x49, 1704164645, 0, 0)}`) {
		t.Errorf("received %s", f.Received)
	}
}

func TestStartReportsFailuresWhenTheTestEnds(t *testing.T) {
	ft := &fakeTB{TB: t}
	var srv *Server
	ft.run(func() {
		srv = Start(ft, "bolt 5.4\nC: RESET\nS: SUCCESS {}\nC: COMMIT\n")
	})
	c := connect(t, srv.Addr(), bolt.V5_4)
	c.request(bolt.TagReset)
	c.expectTag(bolt.TagSuccess)
	ft.cleanup()
	if len(ft.errors) != 1 || !strings.Contains(ft.errors[0], "line 4: C: COMMIT") {
		t.Errorf("errors reported %q, want one naming line 3", ft.errors)
	}

	ft = &fakeTB{TB: t}
	ft.run(func() { Start(ft, "bolt 5.4\nC: NOPE\n") })
	if !ft.fatal || !strings.Contains(strings.Join(ft.errors, ""), "line 2") {
		t.Errorf("a script error must be fatal and name its line: %v %q", ft.fatal, ft.errors)
	}
	ft.cleanup()
}

func TestStartFile(t *testing.T) {
	ft := &fakeTB{TB: t}
	var srv *Server
	ft.run(func() { srv = StartFile(ft, "testdata/reset.script") })
	if ft.fatal {
		t.Fatalf("StartFile: %q", ft.errors)
	}
	c := connect(t, srv.Addr(), bolt.V5_4)
	c.request(bolt.TagReset)
	c.expectTag(bolt.TagSuccess)
	c.close()
	ft.cleanup()
	if len(ft.errors) != 0 {
		t.Errorf("errors %q", ft.errors)
	}
	ft = &fakeTB{TB: t}
	ft.run(func() { StartFile(ft, "testdata/no-such.script") })
	if !ft.fatal {
		t.Error("a missing file must be fatal")
	}
}

// fakeTB records what Start reports instead of failing the real test.
type fakeTB struct {
	testing.TB
	errors   []string
	fatal    bool
	cleanups []func()
}

func (f *fakeTB) Helper() {}
func (f *fakeTB) Errorf(format string, args ...any) {
	f.errors = append(f.errors, fmt.Sprintf(format, args...))
}
func (f *fakeTB) Fatal(args ...any) {
	f.errors = append(f.errors, fmt.Sprint(args...))
	f.fatal = true
	runtime.Goexit()
}
func (f *fakeTB) Cleanup(fn func()) { f.cleanups = append(f.cleanups, fn) }

// run calls fn in a goroutine, so that Fatal can end it.
func (f *fakeTB) run(fn func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	<-done
}

func (f *fakeTB) cleanup() {
	for i := len(f.cleanups) - 1; i >= 0; i-- {
		f.cleanups[i]()
	}
	f.cleanups = nil
}
