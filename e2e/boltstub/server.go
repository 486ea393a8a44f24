package boltstub

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// Server is a scripted Bolt server: it accepts connections, plays the
// script's conversation on each, checks every message the client sends
// and records the failures.
type Server struct {
	script *Script
	ln     net.Listener
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	// sleep pauses a conversation (a field so tests can observe pauses).
	sleep func(ctx context.Context, d time.Duration) error

	mu        sync.Mutex
	closed    bool
	accepted  int                   // connections accepted so far
	open      map[net.Conn]struct{} // connections not yet closed (Close closes them)
	busy      int                   // connections whose conversation still runs
	busyMoved chan struct{}         // closed and replaced whenever busy changes
	finished  map[int]chan struct{} // closed when connection n's conversation is over
	done      map[int]bool          // connections whose script reached its end
	required  int                   // connections the script needs to complete
	reached   int                   // required connections that completed
	failures  []error
	doneCh    chan struct{}
	doneOnce  sync.Once
}

// Start parses script and serves it on 127.0.0.1 for the duration of the
// test: a script error fails the test at once, and when the test ends the
// server stops and every failure (a deviation, an unfinished script) is
// reported with t.Errorf.
func Start(t testing.TB, script string) *Server {
	t.Helper()
	s, err := Parse(script)
	if err != nil {
		t.Fatal(err)
	}
	return startScript(t, s)
}

// StartFile is Start with the script read from a file (e.g. testdata/x.script).
func StartFile(t testing.TB, path string) *Server {
	t.Helper()
	s, err := ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return startScript(t, s)
}

// startScript is the common part of Start and StartFile.
func startScript(t testing.TB, s *Script) *Server {
	t.Helper()
	srv, err := Listen("127.0.0.1:0", s)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Errorf("%v", err)
		}
	})
	return srv
}

// Listen serves script on addr (e.g. "127.0.0.1:0") until Close.
func Listen(addr string, script *Script) (*Server, error) {
	return listen(addr, script, nil)
}

// listen is Listen with a hook that may adjust the server before it
// accepts connections (tests replace sleep).
func listen(addr string, script *Script, adjust func(*Server)) (*Server, error) {
	if script == nil || len(script.sections) == 0 {
		return nil, errors.New("boltstub: Listen needs a parsed script")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{
		script:    script,
		ln:        ln,
		ctx:       ctx,
		cancel:    cancel,
		sleep:     sleepCtx,
		open:      map[net.Conn]struct{}{},
		busyMoved: make(chan struct{}),
		finished:  map[int]chan struct{}{},
		done:      map[int]bool{},
		doneCh:    make(chan struct{}),
	}
	s.required = script.RequiredConnections()
	if s.required == 0 {
		s.markDone()
	}
	if adjust != nil {
		adjust(s)
	}
	s.wg.Add(1)
	go s.acceptLoop()
	return s, nil
}

// sleepCtx waits d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// RequiredConnections is how many connections the script needs to
// complete: those of its numbered sections, except the ones whose whole
// conversation is optional. A script that needs none (e.g. only
// "connections 1+") is complete before any client connects.
func (sc *Script) RequiredConnections() int {
	n := 0
	for _, sec := range sc.sections {
		if sec.required(sec.first) {
			n += sec.last - sec.first + 1
		}
	}
	return n
}

// Addr is the address the server listens on, "127.0.0.1:port".
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Done is closed when the script has run to its end on every connection it
// requires, or as soon as a failure is recorded (the script can then no
// longer complete).
func (s *Server) Done() <-chan struct{} { return s.doneCh }

// Wait blocks until Done, then returns Err; or returns ctx.Err() when ctx
// ends first.
func (s *Server) Wait(ctx context.Context) error {
	select {
	case <-s.doneCh:
		return s.Err()
	case <-ctx.Done():
		return ctx.Err()
	}
}

// WaitIdle blocks until no conversation is running any more: every
// connection was closed by its client, or by the script (close, a
// deviation); or until ctx ends. A stalled connection stays busy until the
// client closes it.
func (s *Server) WaitIdle(ctx context.Context) error {
	for {
		s.mu.Lock()
		n, moved := s.busy, s.busyMoved
		s.mu.Unlock()
		if n == 0 {
			return nil
		}
		select {
		case <-moved:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Err returns the failures recorded so far, joined (nil if none). After
// Close it also reports the conversations that did not reach their end
// and the connections that never came.
func (s *Server) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return errors.Join(s.failures...)
}

// Close stops the server: it stops listening, closes every connection,
// waits for its goroutines and returns Err.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return s.Err()
	}
	s.closed = true
	s.cancel()
	s.ln.Close()
	for c := range s.open {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()

	s.mu.Lock()
	var missing []string
	for _, sec := range s.script.sections {
		for n := max(sec.first, s.accepted+1); n <= sec.last; n++ {
			if sec.required(n) {
				missing = append(missing, fmt.Sprint(n))
			}
		}
	}
	if len(missing) > 0 {
		s.failures = append(s.failures, &Failure{Reason: ErrIncomplete, Connection: s.accepted + 1,
			Detail: fmt.Sprintf("the client never opened connection %s (the script expects more connections than the %d it got)",
				strings.Join(missing, ", "), s.accepted)})
	}
	s.mu.Unlock()
	s.markDone()
	return s.Err()
}

func (s *Server) markDone() { s.doneOnce.Do(func() { close(s.doneCh) }) }

// fail records a failure; the script can no longer complete.
func (s *Server) fail(f *Failure) {
	s.mu.Lock()
	s.failures = append(s.failures, f)
	s.mu.Unlock()
	s.markDone()
}

// completed records that connection n's script reached its end.
func (s *Server) completed(n int) {
	s.mu.Lock()
	if s.done[n] {
		s.mu.Unlock()
		return
	}
	s.done[n] = true
	if sec := s.script.section(n); sec != nil && sec.required(n) {
		s.reached++
	}
	all := s.reached >= s.required
	s.mu.Unlock()
	s.finish(n)
	if all {
		s.markDone()
	}
}

// section returns the section connection n runs, or nil.
func (sc *Script) section(n int) *section {
	for _, sec := range sc.sections {
		if sec.covers(n) {
			return sec
		}
	}
	return nil
}

// untrack forgets a closed connection.
func (s *Server) untrack(c net.Conn) {
	s.mu.Lock()
	delete(s.open, c)
	s.mu.Unlock()
}

// idle records that a connection's conversation is over.
func (s *Server) idle() {
	s.mu.Lock()
	s.busy--
	close(s.busyMoved)
	s.busyMoved = make(chan struct{})
	s.mu.Unlock()
}

// finishedCh returns the channel closed when connection n's conversation
// is over: its script reached the end, or the connection ended.
func (s *Server) finishedCh(n int) chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.finishedLocked(n)
}

func (s *Server) finishedLocked(n int) chan struct{} {
	ch, ok := s.finished[n]
	if !ok {
		ch = make(chan struct{})
		s.finished[n] = ch
	}
	return ch
}

// finish closes connection n's finished channel (once).
func (s *Server) finish(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := s.finishedLocked(n)
	select {
	case <-ch:
	default:
		close(ch)
	}
}

// acceptLoop accepts connections until the listener closes.
func (s *Server) acceptLoop() {
	defer s.wg.Done()
	for {
		conn, err := s.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) || s.ctx.Err() != nil {
				return
			}
			// A temporary problem (e.g. out of file descriptors): try again.
			if sleepCtx(s.ctx, 10*time.Millisecond) != nil {
				return
			}
			continue
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			conn.Close()
			return
		}
		s.accepted++
		n := s.accepted
		s.open[conn] = struct{}{}
		s.busy++
		s.wg.Add(1)
		s.mu.Unlock()
		go s.serve(conn, n)
	}
}

// serve runs connection n.
func (s *Server) serve(conn net.Conn, n int) {
	defer s.wg.Done()
	defer s.untrack(conn)
	defer conn.Close()
	idle := sync.OnceFunc(s.idle)
	defer idle()
	defer s.finish(n)

	sec := s.script.section(n)
	if sec == nil {
		s.fail(&Failure{Reason: ErrUnexpectedConnection, Connection: n,
			Detail: fmt.Sprintf("the script describes %s", s.script.describeConnections())})
		return
	}
	if n > 1 && !s.script.concurrent {
		select {
		case <-s.finishedCh(n - 1):
		case <-s.ctx.Done():
			if sec.required(n) {
				s.fail(&Failure{Reason: ErrIncomplete, Connection: n, Detail: fmt.Sprintf(
					"connection %d waited for connection %d to end its conversation, which it did not "+
						"(write concurrent in the script to run connections at the same time)", n, n-1)})
			}
			return
		}
	}
	c, ok, f := s.handshake(conn, n, sec)
	if !ok {
		if f != nil {
			s.fail(f)
		}
		return
	}
	if c == nil { // the handshake was the whole conversation
		s.completed(n)
		idle()
		s.drain(conn, true)
		return
	}
	if f := c.run(); f != nil {
		c.flush()
		s.fail(f)
		idle()
		s.drain(conn, true)
		return
	}
	c.flush()
	if c.closed {
		if !c.stalled {
			idle()
		}
		s.drain(conn, !c.stalled)
	}
}

// drain waits for the client to close the connection, discarding what it
// sends, after closing the server's sending side (unless the script
// stalled). Closing a socket with unread data would reset it and could
// destroy what the server sent last.
func (s *Server) drain(conn net.Conn, closeWrite bool) {
	if tcp, ok := conn.(*net.TCPConn); ok && closeWrite {
		_ = tcp.CloseWrite()
	}
	buf := make([]byte, 4096)
	for {
		if _, err := conn.Read(buf); err != nil {
			return
		}
	}
}

// describeConnections says how many connections the script describes (a
// script ending with "connections A+" takes every connection).
func (sc *Script) describeConnections() string {
	last := sc.sections[len(sc.sections)-1]
	if last.last == 1 {
		return "a single connection"
	}
	return fmt.Sprintf("%d connections", last.last)
}
