package server

import (
	"slices"
	"testing"

	"github.com/boltrx/boltrx/bolt"
)

// PULL n sends exactly min(n, left) records, says has_more exactly when
// records remain, and the last PULL ends the auto-commit transaction with
// its bookmark and metadata.
func TestPullExactCounts(t *testing.T) {
	for _, v := range []bolt.Version{bolt.V4_0, bolt.V4_4, bolt.V5_8, bolt.V6_1} {
		t.Run(v.String(), func(t *testing.T) {
			srv, h := startServer(t, Config{})
			c := login(t, srv, v)
			run, err := c.Success(&bolt.Run{Query: qCount, Params: params(10)})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(run.Success.Fields, []string{"i"}) || !run.Success.Has(bolt.KeyTFirst) {
				t.Fatalf("RUN success %+v", run.Success)
			}
			if gotDB := run.Success.Has(bolt.KeyDatabase); gotDB != c.Caps.HomeDatabaseHint {
				t.Fatalf("db in RUN success: %v", gotDB)
			}
			var all []int64
			for _, step := range []struct {
				n, want int64
				more    bool
			}{{3, 3, true}, {1, 1, true}, {2, 2, true}, {4, 4, false}} {
				r, err := c.Success(&bolt.Pull{N: step.n, Qid: bolt.LastQuery})
				if err != nil {
					t.Fatal(err)
				}
				if int64(len(r.Records)) != step.want || r.Success.HasMore != step.more {
					t.Fatalf("PULL %d: %d records, has_more %v; want %d, %v",
						step.n, len(r.Records), r.Success.HasMore, step.want, step.more)
				}
				all = append(all, ints(t, r.Records)...)
				if !step.more {
					s := r.Success
					if s.Bookmark != "bm:neo4j" || s.Database != "neo4j" || s.QueryType != "r" ||
						!s.Has(bolt.KeyTLast) || s.Stats["nodes-created"] != int64(10) {
						t.Fatalf("final success %+v", s)
					}
				} else if r.Success.Bookmark != "" {
					t.Fatal("bookmark before the end of the result")
				}
			}
			if !slices.Equal(all, seq(1, 10)) {
				t.Fatalf("records %v", all)
			}
			if commits, _ := h.counts(); commits != 1 {
				t.Fatalf("%d commits", commits)
			}
			// READY again: a new query runs.
			if _, _, err := c.Query(qCount, params(1), bolt.TxConfig{}); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// A PULL for more than is left sends what is left; PULL -1 everything.
func TestPullMoreThanLeftAndAll(t *testing.T) {
	srv, _ := startServer(t, Config{})
	c := login(t, srv, bolt.V5_0)
	if _, err := c.Success(&bolt.Run{Query: qCount, Params: params(5)}); err != nil {
		t.Fatal(err)
	}
	r, err := c.Success(&bolt.Pull{N: 100, Qid: bolt.LastQuery})
	if err != nil || len(r.Records) != 5 || r.Success.HasMore {
		t.Fatalf("PULL 100 of 5: %v, %d records, has_more %v", err, len(r.Records), r.Success.HasMore)
	}
	_, pull, err := c.Query(qCount, params(0), bolt.TxConfig{})
	if err != nil || len(pull.Records) != 0 || pull.Success.Bookmark == "" {
		t.Fatalf("empty result: %v %+v", err, pull)
	}
}

// DISCARD n skips records without sending them.
func TestDiscard(t *testing.T) {
	srv, _ := startServer(t, Config{})
	c := login(t, srv, bolt.V4_4)
	if _, err := c.Success(&bolt.Run{Query: qCount, Params: params(10)}); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		req     bolt.Request
		records []int64
		more    bool
	}{
		{&bolt.Pull{N: 2, Qid: bolt.LastQuery}, []int64{1, 2}, true},
		{&bolt.Discard{N: 3, Qid: bolt.LastQuery}, nil, true},
		{&bolt.Pull{N: 2, Qid: bolt.LastQuery}, []int64{6, 7}, true},
		{&bolt.Discard{N: 3, Qid: bolt.LastQuery}, nil, false}, // exactly what is left
	}
	for i, s := range steps {
		r, err := c.Success(s.req)
		if err != nil {
			t.Fatal(err)
		}
		if got := ints(t, r.Records); !slices.Equal(got, s.records) || r.Success.HasMore != s.more {
			t.Fatalf("step %d: records %v has_more %v", i, got, r.Success.HasMore)
		}
		if !s.more && r.Success.Bookmark == "" {
			t.Fatal("no bookmark at the end")
		}
	}
	// DISCARD -1 right after RUN.
	mustSend(t, c, &bolt.Run{Query: qCount, Params: params(1000)}, &bolt.Discard{N: bolt.All, Qid: bolt.LastQuery})
	expectKind(t, mustReply(t, c), bolt.ResponseSuccess)
	if r := mustReply(t, c); len(r.Records) != 0 || r.Success.HasMore || r.Success.Bookmark == "" {
		t.Fatalf("DISCARD all: %+v", r)
	}
}

// Several open results in one transaction, addressed by qid.
func TestExplicitTransactionQids(t *testing.T) {
	srv, h := startServer(t, Config{})
	c := login(t, srv, bolt.V4_4)
	begin, err := c.Success(&bolt.Begin{TxConfig: bolt.TxConfig{Database: "other", Bookmarks: []string{"b1"}}})
	if err != nil {
		t.Fatal(err)
	}
	if begin.Success.Has(bolt.KeyDatabase) {
		t.Fatal("db in BEGIN success before 5.8")
	}
	if b := h.lastBegin(); !b.Explicit || b.Database != "other" || b.Bookmarks[0] != "b1" {
		t.Fatalf("begin request %+v", b)
	}
	a, err := c.Success(&bolt.Run{Query: qCount, Params: params(5)})
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.Success(&bolt.Run{Query: qCount, Params: params(3)})
	if err != nil {
		t.Fatal(err)
	}
	if !a.Success.Has(bolt.KeyQid) || a.Success.Qid != 0 || b.Success.Qid != 1 {
		t.Fatalf("qids %d %d", a.Success.Qid, b.Success.Qid)
	}
	check := func(req bolt.Request, want []int64, more bool) {
		t.Helper()
		r, err := c.Success(req)
		if err != nil {
			t.Fatal(err)
		}
		if got := ints(t, r.Records); !slices.Equal(got, want) || r.Success.HasMore != more {
			t.Fatalf("%v: records %v has_more %v", req.Name(), got, r.Success.HasMore)
		}
		if r.Success.Bookmark != "" {
			t.Fatal("bookmark inside a transaction")
		}
	}
	check(&bolt.Pull{N: 2, Qid: 0}, []int64{1, 2}, true)
	check(&bolt.Pull{N: bolt.All, Qid: bolt.LastQuery}, []int64{1, 2, 3}, false) // qid 1
	check(&bolt.Discard{N: 1, Qid: 0}, nil, true)
	// The last query (1) is closed now.
	mustSend(t, c, &bolt.Pull{N: 1, Qid: bolt.LastQuery})
	expectFailure(t, mustReply(t, c), CodeRequestInvalid)
	if _, err := c.Success(&bolt.Reset{}); err != nil {
		t.Fatal(err)
	}

	if _, err := c.Success(&bolt.Begin{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Success(&bolt.Run{Query: qCount, Params: params(2)}); err != nil {
		t.Fatal(err)
	}
	check(&bolt.Pull{N: bolt.All, Qid: 0}, []int64{1, 2}, false)
	commit, err := c.Success(&bolt.Commit{})
	if err != nil || commit.Success.Bookmark != "bm:neo4j" {
		t.Fatalf("COMMIT: %v %+v", err, commit.Success)
	}
	if _, err := c.Success(&bolt.Begin{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Success(&bolt.Rollback{}); err != nil {
		t.Fatal(err)
	}
	if commits, rollbacks := h.counts(); commits != 1 || rollbacks != 2 {
		t.Fatalf("commits %d rollbacks %d", commits, rollbacks)
	}
}

// 5.8: the resolved database is reported in the SUCCESS of BEGIN.
func TestHomeDatabaseHint(t *testing.T) {
	srv, _ := startServer(t, Config{})
	c := login(t, srv, bolt.V5_8)
	begin, err := c.Success(&bolt.Begin{})
	if err != nil || begin.Success.Database != "neo4j" {
		t.Fatalf("BEGIN: %v %+v", err, begin.Success)
	}
	run, err := c.Success(&bolt.Run{Query: qCount, Params: params(1)})
	if err != nil || run.Success.Has(bolt.KeyDatabase) || !run.Success.Has(bolt.KeyQid) {
		t.Fatalf("RUN in a transaction: %v %+v", err, run.Success)
	}
}

// A cursor that fails in the middle: the records before, then FAILURE.
func TestFailureWhileStreaming(t *testing.T) {
	srv, h := startServer(t, Config{})
	c := login(t, srv, bolt.V5_0)
	_, pull, err := c.Query(qFailAt, params(4), bolt.TxConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if len(pull.Records) != 4 {
		t.Fatalf("%d records before the failure", len(pull.Records))
	}
	expectFailure(t, pull, "Neo.ClientError.Statement.ArithmeticError")
	if commits, rollbacks := h.counts(); commits != 0 || rollbacks != 1 {
		t.Fatalf("commits %d rollbacks %d", commits, rollbacks)
	}
}

func TestPullSizeZeroIsInvalid(t *testing.T) {
	srv, _ := startServer(t, Config{})
	c := login(t, srv, bolt.V4_4)
	if _, err := c.Success(&bolt.Run{Query: qCount, Params: params(3)}); err != nil {
		t.Fatal(err)
	}
	// The bolt encoder refuses n = 0, so write the message by hand.
	mustSendRaw(t, c, 0xB1, bolt.TagPull, 0xA1, 0x81, 'n', 0x00)
	expectFailure(t, mustReply(t, c), CodeRequestInvalid)
	expectClosed(t, c)
}

// A large result streams in batches under PULL n, and the server flushes
// before a response is complete when it grows past the threshold.
func TestLargeResultStreams(t *testing.T) {
	srv, _ := startServer(t, Config{})
	c := login(t, srv, bolt.V5_4)
	const total, batch = 200_000, 50_000
	if _, err := c.Success(&bolt.Run{Query: qCount, Params: params(total)}); err != nil {
		t.Fatal(err)
	}
	before := srv.Stats().Flushes
	got := 0
	for {
		mustSend(t, c, &bolt.Pull{N: batch, Qid: bolt.LastQuery})
		n, r, err := c.CountReply()
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Err(); err != nil {
			t.Fatal(err)
		}
		got += n
		if !r.Success.HasMore {
			break
		}
	}
	if got != total {
		t.Fatalf("%d records, want %d", got, total)
	}
	// 50,000 records of about ten bytes each exceed 64 KiB: each PULL's answer
	// took more than one write.
	if flushes := srv.Stats().Flushes - before; flushes <= total/batch {
		t.Fatalf("%d flushes for %d PULLs", flushes, total/batch)
	}
	if srv.Stats().Records < total {
		t.Fatalf("records counter %d", srv.Stats().Records)
	}
}
