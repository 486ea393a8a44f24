package server

import (
	"context"
	"errors"
	"net"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/boltrx/boltrx/bolt"
	"github.com/boltrx/boltrx/e2e/server/rawclient"
	"github.com/boltrx/boltrx/packstream"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// testTimeout only keeps a broken test from hanging; no test asserts on
// time.
const testTimeout = 10 * time.Second

// Queries the test handler understands.
const (
	qCount   = "COUNT"   // $n records [1] .. [$n]
	qFail    = "FAIL"    // a syntax error at RUN
	qFailAt  = "FAIL AT" // $n records, then an error from Next
	qBlock   = "BLOCK"   // blocks until the request is interrupted
	qBadType = "BADTYPE" // a record with a value PackStream cannot encode
	qEcho    = "ECHO"    // one record: the parameter $v
)

// Bookmarks with a meaning for the test handler's Begin.
const (
	bmBlock      = "block"       // Begin blocks until interrupted
	bmUntilNoops = "until-noops" // Begin waits until the server sent a NOOP
)

// testHandler is a Handler over synthetic results.
type testHandler struct {
	srv *Server // set after Start, for bmUntilNoops

	mu        sync.Mutex
	begins    []TxRequest
	sessions  []Session
	commits   int
	rollbacks int
}

func (h *testHandler) Begin(ctx context.Context, s *Session, req TxRequest) (Transaction, error) {
	h.mu.Lock()
	h.begins = append(h.begins, req)
	h.sessions = append(h.sessions, *s)
	h.mu.Unlock()
	if req.Database == "missing" {
		return nil, Errorf("Neo.ClientError.Database.DatabaseNotFound", "Database does not exist. Database name: 'missing'.")
	}
	switch {
	case slices.Contains(req.Bookmarks, bmBlock):
		<-ctx.Done()
		return nil, ctx.Err()
	case slices.Contains(req.Bookmarks, bmUntilNoops):
		for h.srv.Stats().Noops == 0 {
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(time.Millisecond):
			}
		}
	}
	db := req.Database
	if db == "" {
		db = "neo4j"
	}
	return &testTx{h: h, db: db}, nil
}

func (h *testHandler) Route(_ context.Context, _ *Session, req RouteRequest) (*bolt.RoutingTable, error) {
	if req.Database == "missing" {
		return nil, Errorf("Neo.ClientError.Database.DatabaseNotFound", "no such database")
	}
	return &bolt.RoutingTable{TTL: 300, Database: req.Database, Servers: []bolt.RoutingServers{
		{Role: bolt.RoleRoute, Addresses: []string{"127.0.0.1:1"}},
		{Role: bolt.RoleWrite, Addresses: []string{"127.0.0.1:1"}},
		{Role: bolt.RoleRead, Addresses: []string{"127.0.0.1:2"}},
	}}, nil
}

func (h *testHandler) lastBegin() TxRequest {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.begins[len(h.begins)-1]
}

func (h *testHandler) counts() (commits, rollbacks int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.commits, h.rollbacks
}

type testTx struct {
	h    *testHandler
	db   string
	done bool
}

func (t *testTx) Database() string { return t.db }

func (t *testTx) Run(ctx context.Context, query string, params map[string]any) (Cursor, error) {
	n, _ := params["n"].(int64)
	switch query {
	case qCount:
		return &countCursor{n: n, failAt: -1}, nil
	case qFailAt:
		return &countCursor{n: n, failAt: n}, nil
	case qFail:
		return nil, Errorf(CodeSyntaxError, "Invalid input 'FAIL'")
	case qBlock:
		<-ctx.Done()
		return nil, ctx.Err()
	case qEcho:
		return NewRowsCursor([]string{"v"}, [][]any{{params["v"]}}, Summary{QueryType: "r"}), nil
	case qBadType:
		return NewRowsCursor([]string{"x"}, [][]any{{make(chan int)}}, Summary{}), nil
	}
	return NewRowsCursor([]string{"query"}, [][]any{{query}}, Summary{QueryType: "r"}), nil
}

func (t *testTx) Commit(context.Context) (string, error) {
	t.h.mu.Lock()
	defer t.h.mu.Unlock()
	t.done = true
	t.h.commits++
	return "bm:" + t.db, nil
}

func (t *testTx) Rollback(context.Context) error {
	t.h.mu.Lock()
	defer t.h.mu.Unlock()
	if !t.done {
		t.done = true
		t.h.rollbacks++
	}
	return nil
}

// countCursor yields [1] .. [n]; with failAt >= 0, Next fails after failAt
// records.
type countCursor struct {
	n, i, failAt int64
	closed       bool
}

func (c *countCursor) Fields() []string { return []string{"i"} }

func (c *countCursor) Next() (bool, error) {
	if c.failAt >= 0 && c.i == c.failAt {
		return false, Errorf("Neo.ClientError.Statement.ArithmeticError", "/ by zero")
	}
	if c.i >= c.n {
		return false, nil
	}
	c.i++
	return true, nil
}

func (c *countCursor) EncodeRecord(enc *packstream.Encoder) error {
	enc.WriteListHeader(1)
	enc.WriteInt(c.i)
	return nil
}

func (c *countCursor) Summary() Summary {
	return Summary{QueryType: "r", Stats: map[string]any{"nodes-created": c.n}}
}

func (c *countCursor) Close() { c.closed = true }

// startServer starts a server with a test handler; it closes when the
// test ends.
func startServer(t *testing.T, cfg Config) (*Server, *testHandler) {
	t.Helper()
	h := &testHandler{}
	if cfg.Handler == nil {
		cfg.Handler = h
	}
	srv, err := Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	h.srv = srv
	t.Cleanup(func() { _ = srv.Close() })
	return srv, h
}

// dial connects a raw client offering offer (nil = the default offer).
func dial(t *testing.T, addr string, offer []bolt.VersionRange) *rawclient.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	c, err := rawclient.Dial(ctx, addr, offer)
	if err != nil {
		t.Fatal(err)
	}
	c.Timeout = testTimeout
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// login dials and authenticates with the version pinned.
func login(t *testing.T, srv *Server, v bolt.Version) *rawclient.Client {
	t.Helper()
	c := dial(t, srv.Addr(), rawclient.Offer(v))
	if _, err := c.Login(rawclient.BasicAuth("neo4j", "pass"), nil); err != nil {
		t.Fatal(err)
	}
	return c
}

func mustSend(t *testing.T, c *rawclient.Client, reqs ...bolt.Request) {
	t.Helper()
	if err := c.Send(reqs...); err != nil {
		t.Fatal(err)
	}
}

func mustReply(t *testing.T, c *rawclient.Client) rawclient.Reply {
	t.Helper()
	r, err := c.Reply()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func expectKind(t *testing.T, r rawclient.Reply, want bolt.ResponseKind) {
	t.Helper()
	if r.Kind != want {
		t.Fatalf("got %v (failure %v), want %v", r.Kind, &r.Failure, want)
	}
}

func expectFailure(t *testing.T, r rawclient.Reply, code string) {
	t.Helper()
	if r.Kind != bolt.ResponseFailure || r.Failure.Code != code {
		t.Fatalf("got %v %q, want FAILURE %s", r.Kind, r.Failure.Code, code)
	}
}

// expectClosed checks that the server closed the connection.
func expectClosed(t *testing.T, c *rawclient.Client) {
	t.Helper()
	resp, err := c.Receive()
	if err == nil {
		t.Fatalf("got %v, want the connection closed", resp.Kind)
	}
	var ne interface{ Timeout() bool }
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("the server did not close the connection: %v", err)
	}
}

// ints turns records of one integer into a slice.
func ints(t *testing.T, records [][]any) []int64 {
	t.Helper()
	out := make([]int64, 0, len(records))
	for _, r := range records {
		if len(r) != 1 {
			t.Fatalf("record %v has %d values", r, len(r))
		}
		out = append(out, r[0].(int64))
	}
	return out
}

func seq(from, to int64) []int64 {
	var out []int64
	for i := from; i <= to; i++ {
		out = append(out, i)
	}
	return out
}

func params(n int64) map[string]any { return map[string]any{"n": n} }

// mustSendRaw sends one message given as raw bytes, chunked.
func mustSendRaw(t *testing.T, c *rawclient.Client, msg ...byte) {
	t.Helper()
	cw := bolt.NewChunkWriter(c.Conn)
	cw.WriteMessage(msg)
	if err := cw.Flush(); err != nil {
		t.Fatal(err)
	}
}

// dialRaw connects and writes bytes, without a handshake.
func dialRaw(addr string, b []byte) (net.Conn, error) {
	conn, err := net.DialTimeout("tcp", addr, testTimeout)
	if err != nil {
		return nil, err
	}
	if err := conn.SetDeadline(time.Now().Add(testTimeout)); err != nil {
		conn.Close()
		return nil, err
	}
	if _, err := conn.Write(b); err != nil {
		conn.Close()
		return nil, err
	}
	return conn, nil
}

// waitFor polls cond until it holds; the timeout only guards against a
// hang.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(testTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition never held")
		}
		time.Sleep(time.Millisecond)
	}
}
