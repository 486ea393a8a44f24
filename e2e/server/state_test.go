package server

import (
	"testing"

	"github.com/boltrx/boltrx/bolt"
	"github.com/boltrx/boltrx/e2e/server/rawclient"
)

// After a failure everything is IGNORED until RESET; RESET returns to
// READY and rolls the transaction back.
func TestFailedIgnoredUntilReset(t *testing.T) {
	for _, v := range []bolt.Version{bolt.V3_0, bolt.V4_4, bolt.V5_8} {
		t.Run(v.String(), func(t *testing.T) {
			srv, h := startServer(t, Config{})
			c := login(t, srv, v)

			mustSend(t, c, &bolt.Begin{}, &bolt.Run{Query: qFail}, &bolt.Run{Query: qCount, Params: params(1)},
				&bolt.Pull{N: bolt.All, Qid: bolt.LastQuery}, &bolt.Commit{})
			expectKind(t, mustReply(t, c), bolt.ResponseSuccess)
			r := mustReply(t, c)
			expectFailure(t, r, CodeSyntaxError)
			if r.Failure.Message == "" {
				t.Error("FAILURE without a message")
			}
			for range 3 { // RUN, PULL, COMMIT
				expectKind(t, mustReply(t, c), bolt.ResponseIgnored)
			}
			// Sent only now: a RESET read ahead would make the server
			// ignore the requests before it (tested below).
			if _, err := c.Success(&bolt.Reset{}); err != nil {
				t.Fatal(err)
			}
			if commits, rollbacks := h.counts(); commits != 0 || rollbacks != 1 {
				t.Fatalf("commits %d rollbacks %d, want 0 and 1", commits, rollbacks)
			}

			_, pull, err := c.Query(qCount, params(3), bolt.TxConfig{})
			if err != nil || pull.Kind != bolt.ResponseSuccess || len(pull.Records) != 3 {
				t.Fatalf("after RESET: %v %v", err, pull.Kind)
			}
		})
	}
}

// On 5.7+ a FAILURE carries the GQL keys.
func TestFailureGQLShape(t *testing.T) {
	srv, _ := startServer(t, Config{})
	c := login(t, srv, bolt.V5_7)
	run, _, err := c.Query(qFail, nil, bolt.TxConfig{})
	if err != nil {
		t.Fatal(err)
	}
	f := run.Failure
	if f.Code != CodeSyntaxError || f.GQLStatus != "42001" || f.Description == "" || f.Classification() != "CLIENT_ERROR" {
		t.Fatalf("failure %+v", f)
	}
	if f.DiagnosticRecord["CURRENT_SCHEMA"] != "/" {
		t.Fatalf("diagnostic record %v", f.DiagnosticRecord)
	}
}

// A request the state does not permit gets FAILURE Request.Invalid, and
// the connection closes, as Neo4j 5.12+ does.
func TestRequestInvalidInStateClosesConnection(t *testing.T) {
	tests := []struct {
		name  string
		setup []bolt.Request
		req   bolt.Request
	}{
		{"PULL in READY", nil, &bolt.Pull{N: 10, Qid: bolt.LastQuery}},
		{"COMMIT in READY", nil, &bolt.Commit{}},
		{"ROLLBACK in READY", nil, &bolt.Rollback{}},
		{"BEGIN in TX_READY", []bolt.Request{&bolt.Begin{}}, &bolt.Begin{}},
		{"COMMIT in TX_STREAMING", []bolt.Request{&bolt.Begin{}, &bolt.Run{Query: qCount, Params: params(1)}}, &bolt.Commit{}},
		{"RUN in STREAMING", []bolt.Request{&bolt.Run{Query: qCount, Params: params(1)}}, &bolt.Run{Query: qCount}},
		{"HELLO in READY", nil, &bolt.Hello{UserAgent: "x", BoltAgent: bolt.BoltAgent{Product: "x"}}},
		{"LOGON in READY", nil, &bolt.Logon{Auth: map[string]any{}}},
		{"ROUTE in TX_READY", []bolt.Request{&bolt.Begin{}}, &bolt.Route{}},
	}
	srv, _ := startServer(t, Config{})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := login(t, srv, bolt.V5_8)
			for _, r := range tc.setup {
				if _, err := c.Success(r); err != nil {
					t.Fatal(err)
				}
			}
			mustSend(t, c, tc.req)
			r := mustReply(t, c)
			expectFailure(t, r, CodeRequestInvalid)
			expectClosed(t, c)
		})
	}
}

// A RESET before HELLO is a protocol violation.
func TestResetBeforeHello(t *testing.T) {
	srv, _ := startServer(t, Config{})
	c := dial(t, srv.Addr(), rawclient.Offer(bolt.V4_4))
	mustSend(t, c, &bolt.Reset{})
	expectFailure(t, mustReply(t, c), CodeRequestInvalid)
	expectClosed(t, c)
}

// Bolt 3.0: PULL_ALL/DISCARD_ALL, explicit transactions without qids and
// one open result at a time.
func TestBolt3Conversation(t *testing.T) {
	srv, h := startServer(t, Config{})
	c := login(t, srv, bolt.V3_0)

	run, pull, err := c.Query(qCount, params(3), bolt.TxConfig{Bookmarks: []string{"bm:0"}})
	if err != nil {
		t.Fatal(err)
	}
	if !run.Success.Has(bolt.KeyTFirst) || run.Success.Has(bolt.KeyQid) || len(run.Success.Fields) != 1 {
		t.Fatalf("RUN success %+v", run.Success)
	}
	if got := ints(t, pull.Records); len(got) != 3 || pull.Success.Bookmark != "bm:neo4j" ||
		pull.Success.Has(bolt.KeyDatabase) || pull.Success.Has(bolt.KeyHasMore) {
		t.Fatalf("PULL_ALL: %v %+v", got, pull.Success)
	}
	if b := h.lastBegin(); b.Explicit || len(b.Bookmarks) != 1 || b.Mode != bolt.ModeWrite {
		t.Fatalf("auto-commit request %+v", b)
	}

	mustSend(t, c, &bolt.Run{Query: qCount, Params: params(5)}, &bolt.Discard{N: bolt.All, Qid: bolt.LastQuery})
	expectKind(t, mustReply(t, c), bolt.ResponseSuccess)
	if d := mustReply(t, c); len(d.Records) != 0 || d.Success.Bookmark == "" {
		t.Fatalf("DISCARD_ALL: %d records, %+v", len(d.Records), d.Success)
	}

	if _, err := c.Success(&bolt.Begin{TxConfig: bolt.TxConfig{Mode: bolt.ModeRead}}); err != nil {
		t.Fatal(err)
	}
	if b := h.lastBegin(); !b.Explicit || b.Mode != bolt.ModeRead {
		t.Fatalf("BEGIN request %+v", b)
	}
	if _, err := c.Success(&bolt.Run{Query: qCount, Params: params(2)}); err != nil {
		t.Fatal(err)
	}
	// A second RUN before the first result is consumed: not on 3.0.
	mustSend(t, c, &bolt.Run{Query: qCount})
	expectFailure(t, mustReply(t, c), CodeRequestInvalid)
	expectClosed(t, c)
}

// A RESET behind a request the handler is blocked on interrupts it: the
// blocked request and those queued before the RESET are IGNORED.
func TestResetInterruptsWork(t *testing.T) {
	srv, h := startServer(t, Config{})
	c := login(t, srv, bolt.V5_0)

	mustSend(t, c, &bolt.Begin{TxConfig: bolt.TxConfig{Bookmarks: []string{bmBlock}}},
		&bolt.Run{Query: qCount, Params: params(1)}, &bolt.Pull{N: bolt.All, Qid: bolt.LastQuery})
	mustSend(t, c, &bolt.Reset{}) // a separate write: it arrives while BEGIN blocks
	for range 3 {
		expectKind(t, mustReply(t, c), bolt.ResponseIgnored)
	}
	expectKind(t, mustReply(t, c), bolt.ResponseSuccess)

	// A query blocked inside an explicit transaction: the transaction is
	// rolled back.
	if _, err := c.Success(&bolt.Begin{}); err != nil {
		t.Fatal(err)
	}
	mustSend(t, c, &bolt.Run{Query: qBlock})
	mustSend(t, c, &bolt.Reset{})
	expectKind(t, mustReply(t, c), bolt.ResponseIgnored)
	expectKind(t, mustReply(t, c), bolt.ResponseSuccess)
	if _, rollbacks := h.counts(); rollbacks != 1 {
		t.Fatalf("%d rollbacks, want 1", rollbacks)
	}
	if _, _, err := c.Query(qCount, params(1), bolt.TxConfig{}); err != nil {
		t.Fatal(err)
	}
}

// RESET in the middle of an open result drops it.
func TestResetDropsOpenResult(t *testing.T) {
	srv, h := startServer(t, Config{})
	c := login(t, srv, bolt.V4_4)
	if _, err := c.Success(&bolt.Run{Query: qCount, Params: params(10)}); err != nil {
		t.Fatal(err)
	}
	if r, err := c.Success(&bolt.Pull{N: 3, Qid: bolt.LastQuery}); err != nil || len(r.Records) != 3 {
		t.Fatal(err)
	}
	if _, err := c.Success(&bolt.Reset{}); err != nil {
		t.Fatal(err)
	}
	if commits, rollbacks := h.counts(); commits != 0 || rollbacks != 1 {
		t.Fatalf("commits %d rollbacks %d", commits, rollbacks)
	}
	mustSend(t, c, &bolt.Pull{N: 1, Qid: bolt.LastQuery})
	expectFailure(t, mustReply(t, c), CodeRequestInvalid)
}

func TestGoodbyeClosesConnection(t *testing.T) {
	srv, _ := startServer(t, Config{})
	c := login(t, srv, bolt.V5_0)
	mustSend(t, c, &bolt.Goodbye{})
	expectClosed(t, c)
}

// The handler's errors reach the client with their code; other errors
// become UnknownError.
func TestHandlerErrorCodes(t *testing.T) {
	srv, _ := startServer(t, Config{})
	c := login(t, srv, bolt.V4_4)
	run, _, err := c.Query(qCount, nil, bolt.TxConfig{Database: "missing"})
	if err != nil {
		t.Fatal(err)
	}
	expectFailure(t, run, "Neo.ClientError.Database.DatabaseNotFound")
	if _, err := c.Success(&bolt.Reset{}); err != nil {
		t.Fatal(err)
	}
	_, pull, err := c.Query(qBadType, nil, bolt.TxConfig{})
	if err != nil {
		t.Fatal(err)
	}
	expectFailure(t, pull, CodeUnknownError)
}
