package router

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/boltrx/boltrx/bolt"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// newSystem starts a quiet actor system, shut down when the test ends.
func newSystem(t testing.TB) *actor.ActorSystem {
	t.Helper()
	quiet := slog.New(slog.DiscardHandler)
	sys := actor.NewActorSystem(
		actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger { return quiet }),
		actor.WithDeadLetterThrottleInterval(time.Millisecond),
		actor.WithDeadLetterRequestLogging(false),
	)
	t.Cleanup(sys.Shutdown)
	return sys
}

// fakeClock is a clock the test moves by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// fetchCall records one call of the fake Fetcher.
type fetchCall struct {
	router string
	req    Request
}

// answer is what a fake router says.
type answer func(ctx context.Context, req Request) (*bolt.RoutingTable, error)

// fakeRouters is a Fetcher whose routers answer from a table the test
// sets; unknown routers refuse the connection.
type fakeRouters struct {
	mu      sync.Mutex
	answers map[string]answer
	calls   []fetchCall
}

var errRefused = errors.New("connection refused")

func newFakeRouters() *fakeRouters { return &fakeRouters{answers: make(map[string]answer)} }

func (f *fakeRouters) set(router string, a answer) {
	f.mu.Lock()
	f.answers[router] = a
	f.mu.Unlock()
}

// serve makes router answer with rt (for any database).
func (f *fakeRouters) serve(router string, rt *bolt.RoutingTable) {
	f.set(router, func(context.Context, Request) (*bolt.RoutingTable, error) { return rt, nil })
}

// fail makes router fail with err.
func (f *fakeRouters) fail(router string, err error) {
	f.set(router, func(context.Context, Request) (*bolt.RoutingTable, error) { return nil, err })
}

func (f *fakeRouters) Fetch(ctx context.Context, router string, req Request) (*bolt.RoutingTable, error) {
	f.mu.Lock()
	f.calls = append(f.calls, fetchCall{router: router, req: req})
	a := f.answers[router]
	f.mu.Unlock()
	if a == nil {
		return nil, fmt.Errorf("dial %s: %w", router, errRefused)
	}
	return a(ctx, req)
}

func (f *fakeRouters) callCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}

func (f *fakeRouters) routersAsked() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]string, len(f.calls))
	for i, c := range f.calls {
		out[i] = c.router
	}
	return out
}

func (f *fakeRouters) lastCall() fetchCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[len(f.calls)-1]
}

func (f *fakeRouters) reset() {
	f.mu.Lock()
	f.calls = nil
	f.mu.Unlock()
}

// rt builds a routing table.
func rt(ttl int64, db string, routers, readers, writers []string) *bolt.RoutingTable {
	t := &bolt.RoutingTable{TTL: ttl, Database: db}
	if routers != nil {
		t.Servers = append(t.Servers, bolt.RoutingServers{Role: bolt.RoleRoute, Addresses: routers})
	}
	if readers != nil {
		t.Servers = append(t.Servers, bolt.RoutingServers{Role: bolt.RoleRead, Addresses: readers})
	}
	if writers != nil {
		t.Servers = append(t.Servers, bolt.RoutingServers{Role: bolt.RoleWrite, Addresses: writers})
	}
	return t
}

func list(s ...string) []string { return s }

const seed = "seed.example:7687"

// fixture is a Router over fake routers, a fake clock and a DNS that
// knows seed.example.
type fixture struct {
	t       *testing.T
	routers *fakeRouters
	clock   *fakeClock
	r       *Router
}

func newFixture(t *testing.T, tweak func(*Config)) *fixture {
	t.Helper()
	f := &fixture{t: t, routers: newFakeRouters(), clock: newFakeClock()}
	cfg := Config{
		InitialRouter: seed,
		Fetch:         f.routers.Fetch,
		Now:           f.clock.Now,
		LookupHost: func(_ context.Context, host string) ([]string, error) {
			if host == "seed.example" {
				return []string{"10.0.0.1"}, nil
			}
			return nil, &dnsError{host: host}
		},
	}
	if tweak != nil {
		tweak(&cfg)
	}
	f.r = New(newSystem(t), nil, cfg)
	t.Cleanup(f.r.Close)
	return f
}

type dnsError struct{ host string }

func (e *dnsError) Error() string { return "no such host " + e.host }

func (f *fixture) mustSelect(mode AccessMode, req Request) (string, string) {
	f.t.Helper()
	addr, db, err := f.r.Select(context.Background(), mode, req)
	if err != nil {
		f.t.Fatalf("Select(%v, %+v): %v", mode, req, err)
	}
	return addr, db
}

func (f *fixture) table(database string) Table {
	f.t.Helper()
	tbl, ok := f.r.Table(database)
	if !ok {
		f.t.Fatalf("no table for %q", database)
	}
	return tbl
}

// waitFor yields until cond holds (the test's own timeout bounds it).
func waitFor(cond func() bool) {
	for !cond() {
		runtime.Gosched()
		time.Sleep(time.Millisecond)
	}
}

func equal(a, b []string) bool { return slices.Equal(a, b) }
