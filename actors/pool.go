package actors

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/boltrx/boltrx/bolt"
	"github.com/boltrx/boltrx/internal/clock"
	"github.com/boltrx/boltrx/telemetry"
)

// ErrPoolClosed is the cause of an acquisition from a closed pool (the
// driver was closed).
var ErrPoolClosed = errors.New("boltrx: connection pool closed")

// AcquisitionTimeoutError says no connection became free in time.
type AcquisitionTimeoutError struct {
	Address string
	Timeout time.Duration
	MaxSize int
}

// Error describes the failure.
func (e *AcquisitionTimeoutError) Error() string {
	return fmt.Sprintf("boltrx: no connection to %s within the acquisition timeout %v: all %d connections of the pool are in use (raise MaxConnectionPoolSize or ConnectionAcquisitionTimeout, or close sessions and consume results sooner)",
		e.Address, e.Timeout, e.MaxSize)
}

// PoolConfig configures one pool.
type PoolConfig struct {
	// MaxSize bounds the connections, in use or idle (<= 0: unbounded).
	MaxSize int
	// AcquisitionTimeout bounds the wait for a connection (< 0: only
	// the caller's context bounds it).
	AcquisitionTimeout time.Duration
	// MaxLifetime closes connections older than this (<= 0: never).
	MaxLifetime time.Duration
	// LivenessCheckTimeout: a connection idle longer than this is checked
	// with a RESET before it is handed out (< 0: never checked).
	LivenessCheckTimeout time.Duration
	// Connect opens a new connection.
	Connect func(ctx context.Context) (*Conn, error)
	// Telemetry receives the pool's metrics (connections idle and used,
	// waiting acquisitions, timeouts, the time of every acquisition, of
	// every connection's creation and of every lease) and the span of an
	// acquisition that has to wait or dial; nil records nothing.
	Telemetry *telemetry.Instruments
}

// PoolMetrics is a snapshot of a pool.
type PoolMetrics struct {
	Address string
	InUse   int
	Idle    int
	Opening int
	Waiting int
	Created int64
	Closed  int64
}

// Pool holds the connections to one server address. Handing out and
// taking back an idle connection is a lock-protected fast path; the pool's
// actor owns the connections' actors (their lifecycle: RESET before reuse,
// close) and the pool's shutdown.
type Pool struct {
	Address string
	cfg     PoolConfig
	sys     *System
	pid     *actor.PID

	mu      sync.Mutex
	idle    []*Conn
	leased  int
	opening int
	waiters list.List // of *waiter
	closed  bool
	created int64
	dropped int64

	// authGen counts the AuthorizationExpired failures of the pool's
	// connections (see Conn.AuthStale).
	authGen atomic.Uint64
}

type waiter struct {
	grant chan grant
}

// grant hands a waiter either a connection or the right to open one.
type grant struct {
	conn *Conn
	dial bool
	err  error
}

// NewPool starts the pool actor for address as a child of parent (nil:
// the root).
func NewPool(sys *System, parent actor.SpawnerContext, address string, cfg PoolConfig) *Pool {
	p := &Pool{Address: address, cfg: cfg, sys: sys}
	props := actor.PropsFromProducer(func() actor.Actor { return &poolActor{pool: p} })
	if parent == nil {
		parent = sys.Root
	}
	p.pid = parent.Spawn(props)
	return p
}

// PID returns the pool actor's PID.
func (p *Pool) PID() *actor.PID { return p.pid }

// Acquire returns a READY connection, opening one when none is idle and
// the pool has room, or waiting for one within the acquisition timeout.
// An acquisition that has to wait or dial is traced as an "acquire"
// operation, a child of the span in ctx.
func (p *Pool) Acquire(ctx context.Context) (*Conn, error) {
	tel := p.cfg.Telemetry
	var start time.Time
	if tel.Metrics() {
		start = time.Now()
	}
	acq := acquisition{pool: p}
	c, err := p.acquire(ctx, &acq)
	if acq.op != nil {
		acq.op.RecordError(err)
		acq.op.End()
	}
	if !tel.Metrics() {
		return c, err
	}
	if err != nil {
		if _, ok := errors.AsType[*AcquisitionTimeoutError](err); ok {
			tel.ConnectionTimeout(p.Address)
		}
		return nil, err
	}
	tel.ConnectionWait(p.Address, time.Since(start))
	return c, nil
}

// acquisition is one call of Acquire: its operation span, started when
// the caller cannot be served at once.
type acquisition struct {
	pool    *Pool
	started bool
	op      *telemetry.Operation // nil when not traced
}

// waiting starts the acquisition's span (once) and returns the context
// its connection work runs in, so that a new connection's HELLO and LOGON
// nest under it.
func (a *acquisition) waiting(ctx context.Context) context.Context {
	if a.started || !a.pool.cfg.Telemetry.Tracing() {
		return ctx
	}
	a.started = true
	host, port := splitAddress(a.pool.Address)
	ctx, a.op = a.pool.cfg.Telemetry.StartOperation(ctx, telemetry.KindAcquire,
		telemetry.OperationAttrs{ServerAddress: host, ServerPort: port})
	return ctx
}

func (p *Pool) acquire(ctx context.Context, acq *acquisition) (*Conn, error) {
	// The acquisition timeout's timer starts only when the pool has no
	// idle connection to hand out at once.
	timed := false
	for {
		if !timed && p.cfg.AcquisitionTimeout >= 0 && !p.hasIdle() {
			timed = true
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeoutCause(ctx, p.cfg.AcquisitionTimeout, &AcquisitionTimeoutError{
				Address: p.Address, Timeout: p.cfg.AcquisitionTimeout, MaxSize: p.cfg.MaxSize})
			defer cancel()
		}
		c, mayDial, w, err := p.tryAcquire(!timed && p.cfg.AcquisitionTimeout >= 0)
		switch {
		case err != nil:
			return nil, err
		case c != nil:
			if c.Stale() {
				p.Release(c) // broken: dropped
				continue
			}
			if p.alive(ctx, c) {
				return c, nil
			}
			continue
		case mayDial:
			return p.open(acq.waiting(ctx))
		case w == nil:
			continue // no idle connection after all: arm the timeout
		}
		ctx = acq.waiting(ctx)
		select {
		case g := <-w.grant:
			if g.err != nil {
				return nil, g.err
			}
			if g.dial {
				return p.open(ctx)
			}
			if p.alive(ctx, g.conn) {
				return g.conn, nil
			}
		case <-ctx.Done():
			p.abandon(w)
			return nil, acquireError(ctx)
		}
	}
}

// deadlinePassed reports whether ctx ended, also when its deadline has
// passed but its timer has not fired yet: a dial or handshake that the
// deadline cut short (an I/O timeout) can return before ctx.Err() says
// so, and must then fail with the deadline's cause (the acquisition
// timeout, or the caller's own deadline), not as a bare I/O timeout that
// looks like the caller's context expired.
func deadlinePassed(ctx context.Context) bool {
	if ctx.Err() != nil {
		return true
	}
	deadline, ok := ctx.Deadline()
	if !ok || time.Now().Before(deadline) {
		return false
	}
	<-ctx.Done() // its timer is due
	return true
}

func acquireError(ctx context.Context) error {
	if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) && !errors.Is(cause, context.DeadlineExceeded) {
		return cause
	}
	return ctx.Err()
}

// tryAcquire takes an idle connection, or a permission to open one, or
// queues a waiter.
//
// idleOnly: only an idle connection will do; nothing else happens
// without one (the caller arms its timeout and asks again).
func (p *Pool) tryAcquire(idleOnly bool) (*Conn, bool, *waiter, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil, false, nil, ErrPoolClosed
	}
	for n := len(p.idle); n > 0; n = len(p.idle) {
		c := p.idle[n-1]
		p.idle[n-1] = nil
		p.idle = p.idle[:n-1]
		p.countIdle(-1)
		if c.Broken() || p.expired(c) || p.reauthImpossible(c) {
			p.dropLocked(c)
			continue
		}
		p.leaseLocked(c)
		return c, false, nil, nil
	}
	if idleOnly {
		return nil, false, nil, nil
	}
	if p.roomLocked() {
		p.opening++
		return nil, true, nil, nil
	}
	w := &waiter{grant: make(chan grant, 1)}
	p.waiters.PushBack(w)
	p.cfg.Telemetry.PendingRequests(p.Address, 1)
	return nil, false, w, nil
}

// leaseLocked counts c as in use.
func (p *Pool) leaseLocked(c *Conn) {
	p.leased++
	if p.cfg.Telemetry.Metrics() {
		c.leasedAt = time.Now()
		p.cfg.Telemetry.ConnectionState(p.Address, telemetry.StateUsed, 1)
	}
}

// unleaseLocked counts c as no longer in use.
func (p *Pool) unleaseLocked(c *Conn) {
	p.leased--
	if p.cfg.Telemetry.Metrics() {
		p.cfg.Telemetry.ConnectionState(p.Address, telemetry.StateUsed, -1)
		if !c.leasedAt.IsZero() {
			p.cfg.Telemetry.ConnectionUse(p.Address, time.Since(c.leasedAt))
			c.leasedAt = time.Time{}
		}
	}
}

// countIdle reports a change of the idle connections.
func (p *Pool) countIdle(delta int) {
	p.cfg.Telemetry.ConnectionState(p.Address, telemetry.StateIdle, int64(delta))
}

// removeWaiterLocked takes a waiter out of the queue.
func (p *Pool) removeWaiterLocked(e *list.Element) *waiter {
	p.waiters.Remove(e)
	p.cfg.Telemetry.PendingRequests(p.Address, -1)
	return e.Value.(*waiter)
}

// hasIdle reports whether an idle connection may be handed out at once.
func (p *Pool) hasIdle() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.idle) > 0
}

func (p *Pool) roomLocked() bool {
	return p.cfg.MaxSize <= 0 || p.leased+p.opening+len(p.idle) < p.cfg.MaxSize
}

// abandon withdraws a waiter whose caller gave up; a grant that raced the
// give-up goes to the next waiter.
func (p *Pool) abandon(w *waiter) {
	p.mu.Lock()
	for e := p.waiters.Front(); e != nil; e = e.Next() {
		if e.Value == w {
			p.removeWaiterLocked(e)
			p.mu.Unlock()
			return
		}
	}
	p.mu.Unlock()
	g := <-w.grant
	switch {
	case g.conn != nil:
		p.Release(g.conn)
	case g.dial:
		p.mu.Lock()
		p.opening--
		p.passDialLocked()
		p.mu.Unlock()
	}
}

// open dials a connection for a caller holding an opening slot.
func (p *Pool) open(ctx context.Context) (*Conn, error) {
	var start time.Time
	if p.cfg.Telemetry.Metrics() {
		start = time.Now()
	}
	c, err := p.cfg.Connect(ctx)
	if p.cfg.Telemetry.Metrics() {
		p.cfg.Telemetry.ConnectionCreated(p.Address, time.Since(start), err)
	}
	p.mu.Lock()
	p.opening--
	if err != nil {
		p.passDialLocked()
		p.mu.Unlock()
		if deadlinePassed(ctx) {
			return nil, acquireError(ctx)
		}
		return nil, err
	}
	if p.closed {
		p.mu.Unlock()
		c.Close()
		return nil, ErrPoolClosed
	}
	p.leaseLocked(c)
	p.created++
	p.mu.Unlock()
	c.authGen = &p.authGen
	c.authenticatedNow()
	c.onBroken = p.connBroken
	// The connection's actor must exist before the connection is used:
	// releasing it goes through the actor.
	adopted := make(chan struct{})
	p.sys.Root.Send(p.pid, &adoptConn{conn: c, done: adopted})
	select {
	case <-adopted:
	case <-ctx.Done():
		p.Release(c)
		return nil, acquireError(ctx)
	}
	return c, nil
}

// alive checks a connection that sat idle past the liveness timeout with
// a RESET; a dead one is dropped and false returned.
func (p *Pool) alive(ctx context.Context, c *Conn) bool {
	if p.cfg.LivenessCheckTimeout < 0 || clock.Since(time.Unix(0, c.lastUsed.Load())) <= p.cfg.LivenessCheckTimeout {
		return true
	}
	if _, err := c.Call(ctx, &bolt.Reset{}); err == nil {
		return true
	}
	p.Release(c)
	return false
}

// reauthImpossible reports a connection that must authenticate again
// (AuthStale) on a server that cannot re-authenticate (before Bolt 5.1):
// it is closed instead.
func (p *Pool) reauthImpossible(c *Conn) bool {
	return !c.Caps.Logon && c.AuthStale()
}

func (p *Pool) expired(c *Conn) bool {
	return p.cfg.MaxLifetime > 0 && clock.Since(c.Created) > p.cfg.MaxLifetime
}

// Release gives a connection back. A connection that is not READY with
// nothing pending is RESET first by its actor; a broken or expired one,
// or one that must authenticate again on a server that cannot, is
// closed.
func (p *Pool) Release(c *Conn) {
	c.forgetPendingLogon()
	c.lastUsed.Store(clock.Now().UnixNano())
	c.releasedAt.Store(time.Now().UnixNano())
	c.forgetSpanParent()
	if !c.Broken() && !c.Idle() {
		if pid := c.pid.Load(); pid != nil {
			p.sys.Root.Send(pid.pid, &resetThenRelease{pool: p})
			return
		}
		c.Interrupt(errors.New("boltrx: connection released mid-request"))
	}
	p.putBack(c)
}

func (p *Pool) putBack(c *Conn) {
	p.mu.Lock()
	p.unleaseLocked(c)
	if p.closed || c.Broken() || p.expired(c) || p.reauthImpossible(c) {
		p.dropLocked(c)
		p.passDialLocked()
		p.mu.Unlock()
		return
	}
	if e := p.waiters.Front(); e != nil {
		w := p.removeWaiterLocked(e)
		p.leaseLocked(c)
		p.mu.Unlock()
		w.grant <- grant{conn: c}
		return
	}
	p.idle = append(p.idle, c)
	p.countIdle(1)
	p.mu.Unlock()
}

// passDialLocked lets the first waiter open a connection when a slot
// freed up.
func (p *Pool) passDialLocked() {
	if e := p.waiters.Front(); e != nil && p.roomLocked() {
		w := p.removeWaiterLocked(e)
		p.opening++
		w.grant <- grant{dial: true}
	}
}

// dropLocked closes a connection through its actor.
func (p *Pool) dropLocked(c *Conn) {
	p.dropped++
	if pid := c.pid.Load(); pid != nil {
		p.sys.Root.Stop(pid.pid)
		return
	}
	go c.Close()
}

// connBroken is called by a connection whose socket failed; an idle one
// leaves the pool at once.
func (p *Pool) connBroken(c *Conn, _ error) {
	p.mu.Lock()
	for i, idle := range p.idle {
		if idle == c {
			p.idle = append(p.idle[:i], p.idle[i+1:]...)
			p.countIdle(-1)
			p.dropLocked(c)
			p.passDialLocked()
			break
		}
	}
	p.mu.Unlock()
}

// Metrics returns a snapshot of the pool.
func (p *Pool) Metrics() PoolMetrics {
	p.mu.Lock()
	defer p.mu.Unlock()
	return PoolMetrics{Address: p.Address, InUse: p.leased, Idle: len(p.idle), Opening: p.opening,
		Waiting: p.waiters.Len(), Created: p.created, Closed: p.dropped}
}

// markClosed refuses new acquisitions, fails the waiters and returns the
// idle connections; the actor stops the connections.
func (p *Pool) markClosed() {
	p.mu.Lock()
	p.closed = true
	for e := p.waiters.Front(); e != nil; e = p.waiters.Front() {
		p.removeWaiterLocked(e).grant <- grant{err: ErrPoolClosed}
	}
	p.countIdle(-len(p.idle))
	p.idle = nil
	p.mu.Unlock()
}

// Close stops the pool actor and every connection actor under it, waiting
// for their sockets and reader goroutines to end.
func (p *Pool) Close(ctx context.Context) error {
	p.markClosed()
	return p.sys.Root.StopFuture(p.pid).Wait()
}

// adoptConn asks the pool actor to spawn the actor of a new connection;
// done is closed once it exists.
type adoptConn struct {
	conn *Conn
	done chan struct{}
}

// poolActor supervises the connection actors of one pool.
type poolActor struct {
	pool *Pool
}

func (a *poolActor) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *adoptConn:
		c := m.conn
		props := actor.PropsFromProducer(func() actor.Actor { return &connActor{conn: c} })
		pid := ctx.Spawn(props)
		c.pid.Store(&connPID{pid: pid})
		close(m.done)
		if c.Broken() {
			ctx.Stop(pid)
		}
	case *actor.Stopping:
		a.pool.markClosed()
	}
}

// connPID is the PID of a connection's actor, stored atomically on the
// connection once the pool actor has spawned it.
type connPID struct{ pid *actor.PID }

// resetThenRelease asks a connection's actor to RESET the connection and
// put it back into its pool.
type resetThenRelease struct{ pool *Pool }

// resetDone reports the RESET's outcome to the connection's actor.
type resetDone struct {
	pool *Pool
	err  error
}

// connActor owns one connection's lifecycle: the RESET before reuse and
// the close when it stops (pool purge, driver close, broken socket).
type connActor struct {
	conn *Conn
}

func (a *connActor) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *resetThenRelease:
		h := &resetHandler{sys: ctx.ActorSystem(), self: ctx.Self(), pool: m.pool}
		if err := a.conn.Request(&bolt.Reset{}, h); err != nil {
			m.pool.putBack(a.conn)
		}
	case *resetDone:
		if m.err != nil {
			a.conn.Interrupt(fmt.Errorf("boltrx: RESET before reuse failed: %w", m.err))
		}
		m.pool.putBack(a.conn)
	case *actor.Stopping:
		a.conn.Close()
	}
}

// resetHandler reports the answer to a RESET to the connection's actor.
type resetHandler struct {
	sys  *actor.ActorSystem
	self *actor.PID
	pool *Pool
}

func (h *resetHandler) OnRecord([]any) {}

func (h *resetHandler) OnSummary(resp *bolt.Response) {
	var err error
	if resp.Kind != bolt.ResponseSuccess {
		err = fmt.Errorf("answer %v", resp.Kind)
	}
	h.sys.Root.Send(h.self, &resetDone{pool: h.pool, err: err})
}

func (h *resetHandler) OnConnError(err error) {
	h.sys.Root.Send(h.self, &resetDone{pool: h.pool, err: err})
}
