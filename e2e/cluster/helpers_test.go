package cluster

import (
	"context"
	"errors"
	"net"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/boltrx/boltrx/bolt"
	"github.com/boltrx/boltrx/e2e/server/rawclient"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// testTimeout only keeps a broken test from hanging; no test asserts on
// time.
const testTimeout = 10 * time.Second

// routingContext marks a client that routes itself (no server-side
// routing for it).
var routingContext = map[string]string{"address": "cluster.test:7687"}

// client connects to member i with the version pinned and logs in (as
// neo4j/pass, with the given routing context).
func client(t *testing.T, c *Cluster, i int, v bolt.Version, routing map[string]string) *rawclient.Client {
	t.Helper()
	return clientAs(t, c, i, v, routing, rawclient.BasicAuth("neo4j", "pass"))
}

func clientAs(t *testing.T, c *Cluster, i int, v bolt.Version, routing map[string]string, auth map[string]any) *rawclient.Client {
	t.Helper()
	cl := dial(t, c.Addr(i), v)
	if _, err := cl.Login(auth, routing); err != nil {
		t.Fatal(err)
	}
	return cl
}

func dial(t *testing.T, addr string, v bolt.Version) *rawclient.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	cl, err := rawclient.Dial(ctx, addr, rawclient.Offer(v))
	if err != nil {
		t.Fatal(err)
	}
	cl.Timeout = testTimeout
	t.Cleanup(func() { _ = cl.Close() })
	return cl
}

// run runs an auto-commit query and fails the test on any failure; it
// returns the records and the final SUCCESS.
func run(t *testing.T, cl *rawclient.Client, query string, params map[string]any, cfg bolt.TxConfig) ([][]any, bolt.Success) {
	t.Helper()
	r, p, err := cl.Query(query, params, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Err(); err != nil {
		t.Fatalf("RUN %q: %v", query, err)
	}
	if err := p.Err(); err != nil {
		t.Fatalf("PULL %q: %v", query, err)
	}
	return p.Records, p.Success
}

// runFailure runs an auto-commit query that must fail with code, then
// resets the connection.
func runFailure(t *testing.T, cl *rawclient.Client, query string, cfg bolt.TxConfig, code string) bolt.Failure {
	t.Helper()
	r, p, err := cl.Query(query, nil, cfg)
	if err != nil {
		t.Fatal(err)
	}
	f := r.Failure
	if r.Kind != bolt.ResponseFailure {
		f = p.Failure
		if p.Kind != bolt.ResponseFailure {
			t.Fatalf("%q succeeded, want %s", query, code)
		}
	}
	if f.Code != code {
		t.Fatalf("%q: failure %s (%s), want %s", query, f.Code, f.Message, code)
	}
	if _, err := cl.Success(&bolt.Reset{}); err != nil {
		t.Fatal(err)
	}
	return f
}

// count returns the number of :Person nodes member i sees.
func count(t *testing.T, cl *rawclient.Client, cfg bolt.TxConfig) int64 {
	t.Helper()
	records, _ := run(t, cl, "MATCH (n:Person) RETURN count(n) AS c", nil, cfg)
	return records[0][0].(int64)
}

// route asks member cl for the routing table of db.
func route(t *testing.T, cl *rawclient.Client, db string) *bolt.RoutingTable {
	t.Helper()
	r, err := cl.Success(&bolt.Route{Routing: routingContext, Database: db})
	if err != nil {
		t.Fatal(err)
	}
	return r.Success.RoutingTable
}

// expectTable checks the addresses of each role.
func expectTable(t *testing.T, rt *bolt.RoutingTable, routers, readers, writers []string) {
	t.Helper()
	for _, want := range []struct {
		role  string
		addrs []string
	}{{bolt.RoleRoute, routers}, {bolt.RoleRead, readers}, {bolt.RoleWrite, writers}} {
		if got := rt.Addresses(want.role); !slices.Equal(got, want.addrs) {
			t.Errorf("%s: %v, want %v", want.role, got, want.addrs)
		}
	}
}

// expectClosed checks that the server closed the connection.
func expectClosed(t *testing.T, cl *rawclient.Client) {
	t.Helper()
	resp, err := cl.Receive()
	if err == nil {
		t.Fatalf("got %v, want the connection closed", resp.Kind)
	}
	var ne interface{ Timeout() bool }
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("the server did not close the connection: %v", err)
	}
}

// fakeClock is a clock tests move by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)} }

func (f *fakeClock) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fakeClock) Advance(d time.Duration) {
	f.mu.Lock()
	f.now = f.now.Add(d)
	f.mu.Unlock()
}

// mustFail sends req, expects a FAILURE with code and resets.
func mustFail(t *testing.T, cl *rawclient.Client, req bolt.Request, code string) {
	t.Helper()
	r, err := cl.Request(req)
	if err != nil {
		t.Fatal(err)
	}
	if r.Kind != bolt.ResponseFailure || r.Failure.Code != code {
		t.Fatalf("%s: %v %q (%s), want FAILURE %s", req.Name(), r.Kind, r.Failure.Code, r.Failure.Message, code)
	}
	if _, err := cl.Success(&bolt.Reset{}); err != nil {
		t.Fatal(err)
	}
}

// asFailure finds the *bolt.Failure in err.
func asFailure(err error, f **bolt.Failure) bool { return errors.As(err, f) }

// portOf returns the port of "127.0.0.1:port".
func portOf(t *testing.T, addr string) int {
	t.Helper()
	_, p, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	n, err := strconv.Atoi(p)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
