package actorstest_test

import (
	"testing"

	"github.com/boltrx/boltrx/bolt"
	"github.com/boltrx/boltrx/e2e/boltstub"
)

// answerRecorder is a streams.Handler that remembers how its request
// ended.
type answerRecorder struct {
	done    chan struct{}
	kind    bolt.ResponseKind
	connErr error
}

func newAnswerRecorder() *answerRecorder { return &answerRecorder{done: make(chan struct{})} }

func (h *answerRecorder) OnRecord([]any) {}

func (h *answerRecorder) OnSummary(resp *bolt.Response) {
	h.kind = resp.Kind
	close(h.done)
}

func (h *answerRecorder) OnConnError(err error) {
	h.connErr = err
	close(h.done)
}

// A connection closed while a request awaits its answer (the RESET of a
// connection given back to its pool, when the driver closes) reads that
// answer before it says GOODBYE: a socket closed with unread bytes is
// reset, and the server loses what it was still sending.
func TestCloseReadsTheAnswersStillInFlight(t *testing.T) {
	srv := boltstub.Start(t, `
bolt 5.8
C: HELLO {"user_agent": "boltrx/test", ...}
S: SUCCESS {"server": "Neo4j/5.26.0", "connection_id": "bolt-1"}
C: LOGON {"scheme": "basic", "principal": "neo4j", "credentials": "`+password+`"}
S: SUCCESS {}
C: RESET
S: SUCCESS {}
C: GOODBYE
close
`)
	ctx := testContext(t)
	c := connectTraced(t, ctx, srv.Addr(), nil)
	h := newAnswerRecorder()
	if err := c.Request(&bolt.Reset{}, h); err != nil {
		t.Fatalf("Request: %v", err)
	}
	c.Close()
	<-h.done
	if h.connErr != nil || h.kind != bolt.ResponseSuccess {
		t.Fatalf("the RESET ended with %v / %v, want its SUCCESS", h.kind, h.connErr)
	}
	// The server then reads the GOODBYE and the script ends.
	if err := srv.Wait(ctx); err != nil {
		t.Fatal(err)
	}
}

// A PULL or DISCARD of the transaction's latest query leaves its qid out
// (the default, -1); one of an earlier query names it.
func TestLatestQueryIsPulledWithTheDefaultQid(t *testing.T) {
	srv := boltstub.Start(t, setup58+`
C: BEGIN {}
S: SUCCESS {}
C: RUN "RETURN a" {} {}
S: SUCCESS {"fields": ["a"], "qid": 0}
C: PULL {"n": 1}
S: RECORD [1]
S: SUCCESS {"has_more": true}
C: RUN "RETURN b" {} {}
S: SUCCESS {"fields": ["b"], "qid": 1}
C: PULL {"n": 1, "qid": 0}
S: RECORD [2]
S: SUCCESS {"has_more": true}
C: DISCARD {"n": -1}
S: SUCCESS {}
C: DISCARD {"n": -1, "qid": 0}
S: SUCCESS {}
C: COMMIT
S: SUCCESS {"bookmark": "bm"}
`)
	ctx := testContext(t)
	c := connectTraced(t, ctx, srv.Addr(), nil)
	defer c.Close()
	for _, req := range []bolt.Request{
		&bolt.Begin{},
		&bolt.Run{Query: "RETURN a"},
		&bolt.Pull{N: 1, Qid: 0},
		&bolt.Run{Query: "RETURN b"},
		&bolt.Pull{N: 1, Qid: 0},
		&bolt.Discard{N: bolt.All, Qid: 1},
		&bolt.Discard{N: bolt.All, Qid: 0},
		&bolt.Commit{},
	} {
		if _, err := c.Call(ctx, req); err != nil {
			t.Fatalf("%s: %v", req.Name(), err)
		}
	}
}
