package generator

import (
	"context"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/boltrx/boltrx/bolt"
	"github.com/boltrx/boltrx/e2e/server"
	"github.com/boltrx/boltrx/e2e/server/rawclient"
	"github.com/boltrx/boltrx/packstream"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// testTimeout only keeps a broken test from hanging.
const testTimeout = 10 * time.Second

func connect(t testing.TB, s *Server, v bolt.Version) *rawclient.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	c, err := rawclient.Dial(ctx, s.Addr(), rawclient.Offer(v))
	if err != nil {
		t.Fatal(err)
	}
	c.Timeout = testTimeout
	t.Cleanup(func() { _ = c.Close() })
	if _, err := c.Login(rawclient.BasicAuth("neo4j", "pw"), nil); err != nil {
		t.Fatal(err)
	}
	return c
}

func query(t *testing.T, c *rawclient.Client, params map[string]any) (run, pull rawclient.Reply) {
	t.Helper()
	run, pull, err := c.Query("MATCH (n) RETURN n", params, bolt.TxConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if err := run.Err(); err != nil {
		t.Fatal(err)
	}
	if err := pull.Err(); err != nil {
		t.Fatal(err)
	}
	return run, pull
}

func TestShapeRows(t *testing.T) {
	s := StartT(t, Config{Shape: ShapeRows, Rows: 3})
	c := connect(t, s, bolt.V5_0)
	run, pull := query(t, c, nil)
	if !slices.Equal(run.Success.Fields, []string{"id", "name", "score", "even"}) {
		t.Fatalf("fields %v", run.Success.Fields)
	}
	want := [][]any{
		{int64(1), "name-1", 0.5, false},
		{int64(2), "name-2", 1.0, true},
		{int64(3), "name-3", 1.5, false},
	}
	if len(pull.Records) != len(want) {
		t.Fatalf("%d records", len(pull.Records))
	}
	for i := range want {
		if !slices.Equal(pull.Records[i], want[i]) {
			t.Fatalf("record %d: %v, want %v", i, pull.Records[i], want[i])
		}
	}
	if pull.Success.Bookmark == "" || pull.Success.QueryType != "r" {
		t.Fatalf("summary %+v", pull.Success)
	}
}

func TestShapeInts(t *testing.T) {
	s := StartT(t, Config{Shape: ShapeInts, Rows: 5})
	c := connect(t, s, bolt.V4_4)
	_, pull := query(t, c, nil)
	for i, r := range pull.Records {
		if len(r) != 1 || r[0] != int64(i+1) {
			t.Fatalf("record %d: %v", i, r)
		}
	}
	if len(pull.Records) != 5 {
		t.Fatalf("%d records", len(pull.Records))
	}
}

// Nodes carry element ids from 5.0 on; before, the decoder derives them
// from the numeric id.
func TestShapeNodes(t *testing.T) {
	s := StartT(t, Config{Shape: ShapeNodes, Rows: 2})
	for _, v := range []bolt.Version{bolt.V4_4, bolt.V5_8} {
		c := connect(t, s, v)
		_, pull := query(t, c, nil)
		n, ok := pull.Records[1][0].(packstream.Node)
		if !ok {
			t.Fatalf("%v: value %T", v, pull.Records[1][0])
		}
		if n.Id != 3 || !slices.Equal(n.Labels, []string{"Person"}) ||
			n.Props["name"] != "name-2" || n.Props["age"] != int64(2) {
			t.Fatalf("%v: node %+v", v, n)
		}
		wantEID := "3"
		if c.Caps.ElementIDs {
			wantEID = elementIDPrefix + "3"
		}
		if n.ElementId != wantEID {
			t.Fatalf("%v: element id %q, want %q", v, n.ElementId, wantEID)
		}
	}
}

func TestShapePaths(t *testing.T) {
	s := StartT(t, Config{Shape: ShapePaths, Rows: 4})
	for _, v := range []bolt.Version{bolt.V3_0, bolt.V5_0, bolt.V6_1} {
		c := connect(t, s, v)
		_, pull := query(t, c, nil)
		if len(pull.Records) != 4 {
			t.Fatalf("%v: %d records", v, len(pull.Records))
		}
		p, ok := pull.Records[3][0].(packstream.Path)
		if !ok {
			t.Fatalf("%v: value %T", v, pull.Records[3][0])
		}
		if len(p.Nodes) != 2 || len(p.Relationships) != 1 {
			t.Fatalf("%v: path %+v", v, p)
		}
		person, company, rel := p.Nodes[0], p.Nodes[1], p.Relationships[0]
		if person.Labels[0] != "Person" || company.Labels[0] != "Company" || company.Props["name"] != "company-4" {
			t.Fatalf("%v: nodes %+v %+v", v, person, company)
		}
		if rel.Type != "WORKS_AT" || rel.StartId != person.Id || rel.EndId != company.Id || rel.Props["since"] != int64(2004) {
			t.Fatalf("%v: relationship %+v", v, rel)
		}
		if c.Caps.ElementIDs && (rel.StartElementId != person.ElementId || rel.ElementId != elementIDPrefix+"4") {
			t.Fatalf("%v: relationship element ids %+v", v, rel)
		}
	}
}

func TestParametersOverrideShapeAndRows(t *testing.T) {
	s := StartT(t, Config{Shape: ShapeNodes, Rows: 100})
	c := connect(t, s, bolt.V5_4)

	run, pull := query(t, c, map[string]any{"rows": int64(1), "shape": "ints"})
	if len(pull.Records) != 1 || pull.Records[0][0] != int64(1) || run.Success.Fields[0] != "n" {
		t.Fatalf("$rows=1: %v", pull.Records)
	}
	_, pull = query(t, c, map[string]any{"rows": int64(0)})
	if len(pull.Records) != 0 {
		t.Fatalf("$rows=0: %d records", len(pull.Records))
	}
	_, pull = query(t, c, map[string]any{"shape": "rows"})
	if len(pull.Records) != 100 || len(pull.Records[0]) != 4 {
		t.Fatalf("$shape=rows: %d records", len(pull.Records))
	}

	for _, bad := range []map[string]any{{"rows": int64(-1)}, {"rows": "ten"}, {"shape": "cubes"}} {
		run, _, err := c.Query("RETURN 1", bad, bolt.TxConfig{})
		if err != nil {
			t.Fatal(err)
		}
		if run.Kind != bolt.ResponseFailure || run.Failure.Code != server.CodeArgumentError {
			t.Fatalf("%v: %v %q", bad, run.Kind, run.Failure.Code)
		}
		if _, err := c.Success(&bolt.Reset{}); err != nil {
			t.Fatal(err)
		}
	}
}

// PULL n gets exactly n records until the last batch; DISCARD skips.
func TestPullNCounts(t *testing.T) {
	s := StartT(t, Config{Shape: ShapeRows, Rows: 2500})
	c := connect(t, s, bolt.V5_8)
	if _, err := c.Success(&bolt.Run{Query: "RETURN 1"}); err != nil {
		t.Fatal(err)
	}
	var first []int64
	for _, want := range []struct {
		n, got int
		more   bool
	}{{1000, 1000, true}, {1000, 1000, true}, {1000, 500, false}} {
		r, err := c.Success(&bolt.Pull{N: int64(want.n), Qid: bolt.LastQuery})
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Records) != want.got || r.Success.HasMore != want.more {
			t.Fatalf("PULL %d: %d records, has_more %v", want.n, len(r.Records), r.Success.HasMore)
		}
		first = append(first, r.Records[0][0].(int64))
	}
	if !slices.Equal(first, []int64{1, 1001, 2001}) {
		t.Fatalf("batches start at %v", first)
	}

	if _, err := c.Success(&bolt.Run{Query: "RETURN 1"}); err != nil {
		t.Fatal(err)
	}
	if r, err := c.Success(&bolt.Discard{N: 2000, Qid: bolt.LastQuery}); err != nil || len(r.Records) != 0 || !r.Success.HasMore {
		t.Fatalf("DISCARD 2000: %v %+v", err, r.Success)
	}
	r, err := c.Success(&bolt.Pull{N: bolt.All, Qid: bolt.LastQuery})
	if err != nil || len(r.Records) != 500 || r.Records[0][0] != int64(2001) {
		t.Fatalf("PULL all after DISCARD: %v, %d records", err, len(r.Records))
	}
}

// One delayed flush per response batch: HELLO, LOGON, RUN and each PULL.
func TestFlushDelayPerResponse(t *testing.T) {
	s := StartT(t, Config{Shape: ShapeInts, Rows: 5000, FlushDelay: time.Millisecond})
	c := connect(t, s, bolt.V5_1) // HELLO, LOGON
	if _, err := c.Success(&bolt.Run{Query: "RETURN 1"}); err != nil {
		t.Fatal(err)
	}
	pulls := 0
	for {
		pulls++
		r, err := c.Success(&bolt.Pull{N: 1000, Qid: bolt.LastQuery})
		if err != nil {
			t.Fatal(err)
		}
		if !r.Success.HasMore {
			break
		}
	}
	if pulls != 5 {
		t.Fatalf("%d PULLs", pulls)
	}
	if st := s.Stats(); st.DelayedFlushes != 3+5 || st.Records != 5000 {
		t.Fatalf("stats %+v, want 8 delayed flushes and 5000 records", st)
	}
}

// A result of ten million rows is produced lazily: pulling a batch of it
// costs what the batch costs.
func TestHugeResultIsLazy(t *testing.T) {
	s := StartT(t, Config{Shape: ShapeRows, Rows: 10_000_000})
	c := connect(t, s, bolt.V5_0)
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	if _, err := c.Success(&bolt.Run{Query: "RETURN 1"}); err != nil {
		t.Fatal(err)
	}
	r, err := c.Success(&bolt.Pull{N: 1000, Qid: bolt.LastQuery})
	if err != nil || len(r.Records) != 1000 || !r.Success.HasMore {
		t.Fatalf("%v: %d records", err, len(r.Records))
	}
	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	// Ten million rows of four values would take gigabytes.
	if grew := int64(after.HeapAlloc) - int64(before.HeapAlloc); grew > 32<<20 {
		t.Fatalf("the heap grew by %d bytes", grew)
	}
	if _, err := c.Success(&bolt.Reset{}); err != nil {
		t.Fatal(err)
	}
}

func TestRoutingAnswers(t *testing.T) {
	s := StartT(t, Config{})
	c := connect(t, s, bolt.V4_4)
	r, err := c.Success(&bolt.Route{Routing: map[string]string{"address": s.Addr()}})
	if err != nil {
		t.Fatal(err)
	}
	rt := r.Success.RoutingTable
	if rt == nil || rt.Database != "neo4j" || rt.TTL != 300 {
		t.Fatalf("table %+v", rt)
	}
	for _, role := range []string{bolt.RoleRoute, bolt.RoleRead, bolt.RoleWrite} {
		if a := rt.Addresses(role); len(a) != 1 || a[0] != s.Addr() {
			t.Fatalf("%s: %v", role, a)
		}
	}

	c = connect(t, s, bolt.V4_0)
	run, pull, err := c.Query("CALL dbms.routing.getRoutingTable($context, $database)",
		map[string]any{"context": map[string]any{}, "database": nil}, bolt.TxConfig{Database: "system"})
	if err != nil {
		t.Fatal(err)
	}
	table, err := bolt.RoutingTableFromRecord(run.Success.Fields, pull.Records[0])
	if err != nil || table.TTL != 300 || len(table.Addresses(bolt.RoleWrite)) != 1 {
		t.Fatalf("procedure table %+v %v", table, err)
	}
}

func TestExplicitTransactionBookmarks(t *testing.T) {
	s := StartT(t, Config{Shape: ShapeInts, Rows: 2})
	c := connect(t, s, bolt.V5_8)
	begin, err := c.Success(&bolt.Begin{TxConfig: bolt.TxConfig{Database: "bench"}})
	if err != nil || begin.Success.Database != "bench" {
		t.Fatalf("BEGIN: %v %+v", err, begin.Success)
	}
	if _, err := c.Success(&bolt.Run{Query: "x"}); err != nil {
		t.Fatal(err)
	}
	if r, err := c.Success(&bolt.Pull{N: bolt.All, Qid: bolt.LastQuery}); err != nil || len(r.Records) != 2 {
		t.Fatal(err)
	}
	b1, err := c.Success(&bolt.Commit{})
	if err != nil {
		t.Fatal(err)
	}
	_, pull := query(t, c, nil)
	if b1.Success.Bookmark == "" || pull.Success.Bookmark == b1.Success.Bookmark {
		t.Fatalf("bookmarks %q %q", b1.Success.Bookmark, pull.Success.Bookmark)
	}
}

func TestConfigErrors(t *testing.T) {
	if _, err := Start(context.Background(), Config{Shape: "cubes"}); err == nil {
		t.Error("unknown shape accepted")
	}
	if _, err := Start(context.Background(), Config{Rows: -5}); err == nil {
		t.Error("negative rows accepted")
	}
	if _, err := Start(context.Background(), Config{Addr: "0.0.0.0:0"}); err == nil {
		t.Error("non-loopback address accepted")
	}
	s := StartT(t, Config{NoRows: true})
	c := connect(t, s, bolt.V5_0)
	if _, pull := query(t, c, nil); len(pull.Records) != 0 {
		t.Fatalf("NoRows: %d records", len(pull.Records))
	}
}

// Every shape encodes without allocating.
func TestRecordsDoNotAllocate(t *testing.T) {
	for _, sh := range Shapes {
		var enc packstream.Encoder
		enc.Dialect = packstream.LatestDialect
		c := &cursor{shape: sh, rows: 1 << 40}
		enc.Reset(make([]byte, 0, 4096))
		buf := enc.Buffer()
		allocs := testing.AllocsPerRun(1000, func() {
			enc.Reset(buf)
			_, _ = c.Next()
			_ = c.EncodeRecord(&enc)
		})
		if allocs != 0 {
			t.Errorf("%s: %v allocations per record", sh, allocs)
		}
	}
}

// BenchmarkGeneratorRows measures the records per second a raw client
// pulls from the generator in batches of 1000 (shape rows), client and
// server sharing the machine.
func BenchmarkGeneratorRows(b *testing.B) {
	for _, sh := range Shapes {
		b.Run(string(sh), func(b *testing.B) {
			s := StartT(b, Config{Shape: sh})
			c := connect(b, s, bolt.V5_8)
			c.Timeout = 0
			rows := int64(b.N)
			b.ReportAllocs()
			b.ResetTimer()
			if err := c.Send(&bolt.Run{Query: "RETURN 1", Params: map[string]any{"rows": rows}}); err != nil {
				b.Fatal(err)
			}
			if _, err := c.Reply(); err != nil {
				b.Fatal(err)
			}
			got := 0
			for {
				if err := c.Send(&bolt.Pull{N: 1000, Qid: bolt.LastQuery}); err != nil {
					b.Fatal(err)
				}
				n, r, err := c.CountReply()
				if err != nil {
					b.Fatal(err)
				}
				got += n
				if !r.Success.HasMore {
					break
				}
			}
			b.StopTimer()
			if int64(got) != rows {
				b.Fatalf("%d records, want %d", got, rows)
			}
			b.ReportMetric(float64(got)/b.Elapsed().Seconds(), "records/s")
		})
	}
}

// BenchmarkGeneratorEncode measures the server side alone: encoding
// records into a buffer.
func BenchmarkGeneratorEncode(b *testing.B) {
	for _, sh := range Shapes {
		b.Run(string(sh), func(b *testing.B) {
			var enc packstream.Encoder
			enc.Dialect = packstream.LatestDialect
			c := &cursor{shape: sh, rows: 1 << 62}
			buf := make([]byte, 0, 1<<16)
			enc.Reset(buf)
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				if len(enc.Buffer()) > 60<<10 {
					enc.Reset(buf)
				}
				_, _ = c.Next()
				_ = c.EncodeRecord(&enc)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
		})
	}
}
