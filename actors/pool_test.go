package actors_test

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/boltrx/boltrx/actors"
	"github.com/boltrx/boltrx/bolt"
	"github.com/boltrx/boltrx/internal/clock"
)

// fakeServer is a Bolt 5.8 server on in-memory pipes, written with
// bolt.Backend: it answers every request with SUCCESS and counts the
// connections it accepted and the RESETs it received. With dead set, it
// closes a connection instead of answering its RESET.
type fakeServer struct {
	dials  atomic.Int32
	resets atomic.Int32
	dead   atomic.Bool
	wg     sync.WaitGroup
}

// newFakeServer returns a server whose connections are all closed, and
// their goroutines ended, when the test ends.
func newFakeServer(t *testing.T) *fakeServer {
	s := &fakeServer{}
	t.Cleanup(s.wg.Wait)
	return s
}

// dial is a ConnectConfig.Dial that opens a connection to the server.
func (s *fakeServer) dial(ctx context.Context, _ string) (net.Conn, error) {
	client, server := net.Pipe()
	s.dials.Add(1)
	s.wg.Go(func() { s.serve(server) })
	return client, nil
}

func (s *fakeServer) serve(nc net.Conn) {
	defer nc.Close()
	res, err := bolt.ServerHandshake(context.Background(), nc, bolt.ServerHandshakeConfig{Supported: []bolt.Version{bolt.V5_8}})
	if err != nil {
		return
	}
	caps, _ := bolt.CapabilitiesFor(res.Version)
	be := bolt.NewBackend(nc, caps, 0)
	for {
		req, err := be.Receive()
		if err != nil {
			return
		}
		switch req.(type) {
		case *bolt.Goodbye:
			return
		case *bolt.Reset:
			s.resets.Add(1)
			if s.dead.Load() {
				return
			}
			_ = be.Send(&bolt.Success{})
		case *bolt.Hello:
			_ = be.Send(&bolt.Success{Server: "Neo4j/5.26.0", ConnectionID: "bolt-fake"})
		default:
			_ = be.Send(&bolt.Success{})
		}
		if err := be.Flush(); err != nil {
			return
		}
	}
}

// newTestPool starts a pool of connections to s, closed (with its actor
// system) when the test ends.
func newTestPool(t *testing.T, s *fakeServer, cfg actors.PoolConfig) *actors.Pool {
	t.Helper()
	return startPool(t, "fake:7687", s.dial, cfg)
}

// startPool starts a pool of connections to address, opened with dial,
// closed (with its actor system) when the test ends.
func startPool(t *testing.T, address string, dial func(context.Context, string) (net.Conn, error), cfg actors.PoolConfig) *actors.Pool {
	t.Helper()
	sys := actors.NewSystem(slog.New(slog.DiscardHandler))
	cfg.Connect = func(ctx context.Context) (*actors.Conn, error) {
		return actors.Connect(ctx, address, actors.ConnectConfig{
			Dial:      dial,
			UserAgent: "boltrx/test", BoltAgent: bolt.BoltAgent{Product: "boltrx/test"},
			Auth: map[string]any{"scheme": "basic", "principal": "neo4j", "credentials": "secret"},
		})
	}
	p := actors.NewPool(sys, nil, address, cfg)
	t.Cleanup(func() {
		if err := p.Close(context.Background()); err != nil {
			t.Errorf("closing the pool: %v", err)
		}
		sys.Shutdown()
	})
	return p
}

func poolContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// A full pool makes the next acquisition wait: it fails with an
// AcquisitionTimeoutError when nothing comes back in time, and gets the
// connection given back when one does.
func TestPoolExhaustion(t *testing.T) {
	s := newFakeServer(t)
	p := newTestPool(t, s, actors.PoolConfig{MaxSize: 1, AcquisitionTimeout: time.Second, LivenessCheckTimeout: -1})
	ctx := poolContext(t)
	c, err := p.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Acquire(ctx)
	var timeout *actors.AcquisitionTimeoutError
	if !errors.As(err, &timeout) || timeout.MaxSize != 1 {
		t.Fatalf("second acquisition from a full pool: %v, want an AcquisitionTimeoutError naming the size 1", err)
	}

	got := make(chan *actors.Conn, 1)
	go func() {
		c2, err := p.Acquire(ctx)
		if err != nil {
			t.Error(err)
		}
		got <- c2
	}()
	for p.Metrics().Waiting == 0 {
		time.Sleep(time.Millisecond)
	}
	p.Release(c)
	if c2 := <-got; c2 != c {
		t.Fatalf("the waiter got %p, want the connection given back (%p)", c2, c)
	} else {
		p.Release(c2)
	}
	if n := s.dials.Load(); n != 1 {
		t.Fatalf("%d connections opened, want 1", n)
	}
	if m := p.Metrics(); m.InUse != 0 || m.Idle != 1 || m.Waiting != 0 {
		t.Fatalf("metrics after both releases: %+v", m)
	}
}

// A connection that outlived MaxLifetime is closed when it comes back,
// and the next acquisition opens a new one.
func TestPoolMaxLifetime(t *testing.T) {
	fake := clock.Install()
	t.Cleanup(clock.Uninstall)
	s := newFakeServer(t)
	p := newTestPool(t, s, actors.PoolConfig{MaxSize: 2, AcquisitionTimeout: 5 * time.Second, MaxLifetime: time.Hour, LivenessCheckTimeout: -1})
	ctx := poolContext(t)
	c, err := p.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	p.Release(c)
	again, err := p.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if again != c {
		t.Fatal("a young idle connection was not reused")
	}
	fake.Advance(time.Hour + time.Second)
	p.Release(again)
	if m := p.Metrics(); m.Idle != 0 || m.Closed != 1 {
		t.Fatalf("metrics after an expired connection came back: %+v, want it closed", m)
	}
	fresh, err := p.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Release(fresh)
	if fresh == c || s.dials.Load() != 2 {
		t.Fatalf("after the lifetime: same connection %v, %d dials; want a new one", fresh == c, s.dials.Load())
	}
}

// A connection idle longer than LivenessCheckTimeout is checked with a
// RESET before it is handed out: a live one is reused, a dead one
// replaced.
func TestPoolLivenessCheck(t *testing.T) {
	fake := clock.Install()
	t.Cleanup(clock.Uninstall)
	s := newFakeServer(t)
	p := newTestPool(t, s, actors.PoolConfig{MaxSize: 2, AcquisitionTimeout: 5 * time.Second, LivenessCheckTimeout: time.Minute})
	ctx := poolContext(t)
	c, err := p.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	p.Release(c)
	if c2, err := p.Acquire(ctx); err != nil || c2 != c {
		t.Fatalf("recently used connection: %v, reused %v", err, c2 == c)
	} else {
		p.Release(c2)
	}
	if n := s.resets.Load(); n != 0 {
		t.Fatalf("%d RESETs for a connection idle less than the liveness timeout", n)
	}

	fake.Advance(2 * time.Minute)
	c3, err := p.Acquire(ctx)
	if err != nil || c3 != c {
		t.Fatalf("live connection after the liveness timeout: %v, reused %v", err, c3 == c)
	}
	if n := s.resets.Load(); n != 1 {
		t.Fatalf("%d RESETs, want 1 liveness check", n)
	}
	p.Release(c3)

	s.dead.Store(true)
	fake.Advance(2 * time.Minute)
	acquireNew(t, p, s, c, "dead connection")
}

// acquireNew acquires a connection from p and checks that it is a second
// one the pool dialled, not old; it gives it back when the test ends.
func acquireNew(t *testing.T, p *actors.Pool, s *fakeServer, old *actors.Conn, what string) {
	t.Helper()
	c, err := p.Acquire(poolContext(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Release(c) })
	if c == old || s.dials.Load() != 2 {
		t.Fatalf("%s: reused %v, %d dials; want a new connection", what, c == old, s.dials.Load())
	}
}

// A pooled connection that the server closed while it sat idle is not
// lent again once it sat idle for a moment: the pool looks at its socket
// and opens a new connection instead.
func TestPoolDropsAConnectionTheServerClosedWhileIdle(t *testing.T) {
	s := newFakeServer(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	serverSide := make(chan net.Conn, 4)
	s.wg.Go(func() {
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			serverSide <- nc
			s.wg.Go(func() { s.serve(nc) })
		}
	})
	t.Cleanup(func() { ln.Close() })
	dial := func(ctx context.Context, addr string) (net.Conn, error) {
		s.dials.Add(1)
		var d net.Dialer
		return d.DialContext(ctx, "tcp", addr)
	}
	p := startPool(t, ln.Addr().String(), dial, actors.PoolConfig{MaxSize: 2, AcquisitionTimeout: 5 * time.Second, LivenessCheckTimeout: -1})
	ctx := poolContext(t)
	c, err := p.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	p.Release(c)
	(<-serverSide).Close()
	// The close reaches the client, and the connection sits idle past
	// the moment in which the pool lends it without looking.
	time.Sleep(20 * time.Millisecond)
	acquireNew(t, p, s, c, "connection the server closed")
	if !c.Broken() {
		t.Fatal("the closed connection is not marked broken")
	}
}
