package server

import (
	"context"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Server accepts Bolt connections on 127.0.0.1 and runs a session loop on
// each. Every goroutine it starts ends by Close.
type Server struct {
	cfg    Config
	ln     net.Listener
	ctx    context.Context // ends on Close; every connection's context derives from it
	cancel context.CancelFunc
	stop   func() bool // unregisters the Start context's AfterFunc
	wg     sync.WaitGroup

	mu        sync.Mutex
	closed    bool
	conns     map[*conn]struct{}
	partition chan struct{} // non-nil while partitioned; closed by Heal
	refusing  bool          // between RefuseConnections and AcceptConnections

	nextID atomic.Int64
	stats  counters
}

// counters are the server's statistics, updated atomically.
type counters struct {
	accepted       atomic.Int64
	requests       atomic.Int64
	records        atomic.Int64
	flushes        atomic.Int64
	delayedFlushes atomic.Int64
	noops          atomic.Int64
	refused        atomic.Int64
}

// Stats are counts since the server started.
type Stats struct {
	// Accepted counts the TCP connections accepted.
	Accepted int64
	// Requests counts the requests read (ignored ones included).
	Requests int64
	// Records counts the RECORD messages sent.
	Records int64
	// Flushes counts the writes of buffered responses; DelayedFlushes
	// those that ended a response batch and so waited FlushDelay.
	Flushes        int64
	DelayedFlushes int64
	// Noops counts the NOOP chunks sent as keep-alives.
	Noops int64
	// Refused counts the connections turned away by RefuseConnections.
	Refused int64
}

// Start listens on cfg.Addr and serves until Close or until ctx ends.
func Start(ctx context.Context, cfg Config) (*Server, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", cfg.Addr)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, ln: ln, conns: make(map[*conn]struct{})}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.stop = context.AfterFunc(ctx, func() { _ = s.Close() })
	s.wg.Add(1)
	go s.acceptLoop()
	return s, nil
}

// Addr returns the address the server listens on, "127.0.0.1:port".
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Config returns the configuration in effect (defaults filled in).
func (s *Server) Config() Config { return s.cfg }

// Stats returns the server's counters.
func (s *Server) Stats() Stats {
	return Stats{
		Accepted:       s.stats.accepted.Load(),
		Requests:       s.stats.requests.Load(),
		Records:        s.stats.records.Load(),
		Flushes:        s.stats.flushes.Load(),
		DelayedFlushes: s.stats.delayedFlushes.Load(),
		Noops:          s.stats.noops.Load(),
		Refused:        s.stats.refused.Load(),
	}
}

// Connections returns how many connections are open.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

// Close stops listening, closes every connection and waits until every
// goroutine of the server has ended. It may be called more than once.
func (s *Server) Close() error {
	s.stop()
	s.mu.Lock()
	first := !s.closed
	s.closed = true
	conns := s.connList()
	s.mu.Unlock()
	var err error
	if first {
		err = s.ln.Close()
	}
	// The sockets close before the contexts of the work in progress end
	// (see closeNet): clients see their connections drop, not failures.
	for _, c := range conns {
		c.closeNet()
	}
	s.cancel()
	s.wg.Wait()
	return err
}

// DropConnections closes every open connection; the server keeps
// listening.
func (s *Server) DropConnections() {
	s.mu.Lock()
	conns := s.connList()
	s.mu.Unlock()
	for _, c := range conns {
		c.closeNet()
	}
}

// RefuseConnections makes the server turn new connections away, as an
// overloaded or restarting server does: each one is accepted and at once
// reset (the client sees "connection reset by peer" before the
// handshake), until AcceptConnections. Open connections carry on.
func (s *Server) RefuseConnections() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refusing = true
}

// AcceptConnections ends RefuseConnections.
func (s *Server) AcceptConnections() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refusing = false
}

// Refusing reports whether the server turns new connections away.
func (s *Server) Refusing() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refusing
}

// Partition makes the server unreachable without closing anything: new
// connections are accepted but get no handshake answer, and open ones get
// no answer to their requests, until Heal.
func (s *Server) Partition() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.partition == nil {
		s.partition = make(chan struct{})
	}
}

// Heal ends a Partition: waiting connections are answered again.
func (s *Server) Heal() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.partition != nil {
		close(s.partition)
		s.partition = nil
	}
}

// Partitioned reports whether the server is partitioned.
func (s *Server) Partitioned() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.partition != nil
}

// waitReachable blocks while the server is partitioned; it returns false
// when ctx ends first.
func (s *Server) waitReachable(ctx context.Context) bool {
	s.mu.Lock()
	healed := s.partition
	s.mu.Unlock()
	if healed == nil {
		return true
	}
	select {
	case <-healed:
		return true
	case <-ctx.Done():
		return false
	}
}

func (s *Server) connList() []*conn {
	out := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		out = append(out, c)
	}
	return out
}

func (s *Server) acceptLoop() {
	defer s.wg.Done()
	backoff := 5 * time.Millisecond
	for {
		nc, err := s.ln.Accept()
		if err != nil {
			if s.ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return
			}
			s.logf("accept: %v", err)
			select { // a transient error (e.g. too many open files): retry later
			case <-time.After(backoff):
				backoff = min(2*backoff, time.Second)
			case <-s.ctx.Done():
				return
			}
			continue
		}
		backoff = 5 * time.Millisecond
		s.stats.accepted.Add(1)
		if s.Refusing() {
			s.stats.refused.Add(1)
			if tc, ok := nc.(*net.TCPConn); ok {
				_ = tc.SetLinger(0) // a reset, not an orderly close
			}
			_ = nc.Close()
			continue
		}
		c := newConn(s, nc)
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			_ = nc.Close()
			return
		}
		s.conns[c] = struct{}{}
		s.wg.Add(1)
		s.mu.Unlock()
		go func() {
			defer s.wg.Done()
			c.serve()
			s.mu.Lock()
			delete(s.conns, c)
			s.mu.Unlock()
		}()
	}
}

func (s *Server) logf(format string, args ...any) {
	if s.cfg.Logf != nil {
		s.cfg.Logf(format, args...)
	}
}
