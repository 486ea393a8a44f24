package server

import (
	"context"
	"errors"
	"io"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/boltrx/boltrx/bolt"
)

// incomingQueue is how many requests the reader may read ahead of the
// session loop; a RESET among them interrupts the work in progress.
const incomingQueue = 32

// conn is one client connection: a reader goroutine decodes requests into
// in, the session loop (serve) answers them.
type conn struct {
	srv *Server
	nc  net.Conn
	cfg *Config

	ctx       context.Context // ends when the connection closes
	cancel    context.CancelFunc
	closeOnce sync.Once

	sess Session
	caps *bolt.Capabilities
	be   *bolt.Backend
	out  *output

	in        chan incoming
	helloGate chan struct{} // the reader waits on it after HELLO (the dialect may change)
	helloOnce sync.Once

	// resetPending counts the RESETs read but not yet handled: while it
	// is positive the session loop ignores what comes before them.
	resetPending atomic.Int32
	reqMu        sync.Mutex
	reqCancel    context.CancelFunc // cancels the Handler call in progress
	busy         atomic.Bool        // a Handler call is in progress (out.mu is free)

	// Session state, owned by the session loop.
	state bolt.ServerState
	tx    *txState
}

// incoming is a request, or the read error that ends the connection.
type incoming struct {
	req bolt.Request
	err error
}

func newConn(s *Server, nc net.Conn) *conn {
	c := &conn{
		srv:       s,
		nc:        nc,
		cfg:       &s.cfg,
		in:        make(chan incoming, incomingQueue),
		helloGate: make(chan struct{}),
		state:     bolt.StateConnected,
	}
	c.ctx, c.cancel = context.WithCancel(s.ctx)
	return c
}

// closeNet closes the socket and ends the connection's context; blocked
// reads, writes and Handler calls return.
//
// The socket closes first: a Handler call that the cancellation stops
// must not get its failure out to the client, which sees the connection
// drop as when a server dies.
func (c *conn) closeNet() {
	c.closeOnce.Do(func() {
		_ = c.nc.Close()
		c.cancel()
	})
}

// serve runs the connection from the handshake to the end.
func (c *conn) serve() {
	defer c.closeNet()
	if !c.srv.waitReachable(c.ctx) {
		return
	}
	hctx, cancel := context.WithTimeout(c.ctx, c.cfg.HandshakeTimeout)
	res, err := bolt.ServerHandshake(hctx, c.nc, bolt.ServerHandshakeConfig{
		Supported: c.cfg.Versions,
		Manifest:  c.cfg.manifest(),
	})
	cancel()
	if err != nil {
		if c.ctx.Err() == nil {
			c.srv.logf("server: %v: handshake: %v", c.nc.RemoteAddr(), err)
		}
		return
	}
	c.caps, _ = bolt.CapabilitiesFor(res.Version) // every configured version is in the table
	c.sess = Session{
		ID:           c.cfg.ConnectionIDPrefix + strconv.FormatInt(c.srv.nextID.Add(1), 10),
		Version:      res.Version,
		Capabilities: c.caps,
		RemoteAddr:   c.nc.RemoteAddr().String(),
	}
	c.be = bolt.NewBackend(c.nc, c.caps, c.cfg.MaxMessageSize)
	c.out = newOutput(c.ctx, c.be, c.cfg, &c.srv.stats)

	var helpers sync.WaitGroup
	helpers.Go(c.readLoop)
	if period := c.keepAlivePeriod(); period > 0 {
		helpers.Go(func() { c.keepAlive(period) })
	}

	c.out.mu.Lock()
	c.loop()
	c.out.mu.Unlock()

	c.abortTx()
	c.closeNet()
	helpers.Wait()
}

// loop answers requests until the connection ends.
func (c *conn) loop() {
	for {
		var msg incoming
		select {
		case msg = <-c.in:
		case <-c.ctx.Done():
			return
		}
		if msg.err != nil {
			c.onReadError(msg.err)
			return
		}
		if !c.srv.waitReachable(c.ctx) {
			return
		}
		c.srv.stats.requests.Add(1)
		keep := c.handle(msg.req)
		if !keep {
			_ = c.out.flush(false) // what was answered still goes out
			return
		}
		// One write per batch of pipelined requests: flush when no
		// further request is waiting.
		if len(c.in) == 0 || c.out.full() {
			if err := c.out.flush(len(c.in) == 0); err != nil {
				return
			}
		}
	}
}

// onReadError ends the connection after a read error: a malformed message
// gets Neo4j's FAILURE first; a closed or broken stream is just closed.
func (c *conn) onReadError(err error) {
	if errors.Is(err, bolt.ErrProtocol) {
		c.sendFailure(&Error{Code: CodeRequestInvalid, Message: err.Error(), Fatal: true})
		_ = c.out.flush(false)
		return
	}
	if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) && c.ctx.Err() == nil {
		c.srv.logf("server: %s: %v", c.sess.ID, err)
	}
}

// readLoop decodes requests ahead of the session loop. A RESET
// interrupts the Handler call in progress as soon as it is read.
func (c *conn) readLoop() {
	for {
		req, err := c.be.Receive()
		if err != nil {
			select {
			case c.in <- incoming{err: err}:
			case <-c.ctx.Done():
			}
			return
		}
		if _, ok := req.(*bolt.Reset); ok {
			c.resetPending.Add(1)
			c.interrupt()
		}
		select {
		case c.in <- incoming{req: req}:
		case <-c.ctx.Done():
			return
		}
		if _, ok := req.(*bolt.Hello); ok {
			// The answer to HELLO may switch the dialect (the "utc"
			// patch): read nothing more until it is decided.
			select {
			case <-c.helloGate:
			case <-c.ctx.Done():
				return
			}
		}
	}
}

// openHelloGate lets the reader go on after HELLO.
func (c *conn) openHelloGate() { c.helloOnce.Do(func() { close(c.helloGate) }) }

// interrupt cancels the Handler call in progress, if any.
func (c *conn) interrupt() {
	c.reqMu.Lock()
	defer c.reqMu.Unlock()
	if c.reqCancel != nil {
		c.reqCancel()
	}
}

// interrupted reports whether a RESET waits behind the current request.
func (c *conn) interrupted() bool { return c.resetPending.Load() > 0 }

// call runs a Handler call with a context that a RESET or the end of the
// connection cancels. The output is free meanwhile, for keep-alives.
func (c *conn) call(f func(ctx context.Context)) {
	ctx, cancel := context.WithCancel(c.ctx)
	defer cancel()
	c.reqMu.Lock()
	c.reqCancel = cancel
	c.reqMu.Unlock()
	if c.interrupted() { // a RESET was read before the cancel was registered
		cancel()
	}
	c.busy.Store(true)
	c.out.mu.Unlock()
	defer func() {
		c.out.mu.Lock()
		c.busy.Store(false)
		c.reqMu.Lock()
		c.reqCancel = nil
		c.reqMu.Unlock()
	}()
	f(ctx)
}

// keepAlivePeriod is how often NOOPs are due, or 0 for none: only with a
// recv_timeout hint, which exists from 4.3 on.
func (c *conn) keepAlivePeriod() time.Duration {
	if c.cfg.RecvTimeout <= 0 || !c.caps.ConnectionHints || !c.caps.NoopChunks {
		return 0
	}
	return max(c.cfg.RecvTimeout/2, time.Millisecond)
}

// keepAlive sends a NOOP whenever a Handler call keeps the connection
// silent for a period.
func (c *conn) keepAlive(period time.Duration) {
	tick := time.NewTicker(period / 2)
	defer tick.Stop()
	for {
		select {
		case <-c.ctx.Done():
			return
		case <-tick.C:
		}
		if !c.busy.Load() {
			continue
		}
		c.out.mu.Lock()
		var err error
		if c.busy.Load() && time.Since(c.out.lastWrite) >= period {
			err = c.out.noop()
		}
		c.out.mu.Unlock()
		if err != nil {
			return
		}
	}
}

// send buffers a response; false when it cannot be encoded, which ends
// the connection.
func (c *conn) send(m bolt.ResponseMessage) bool {
	if err := c.out.send(m); err != nil {
		c.srv.logf("server: %s: encoding a response: %v", c.sess.ID, err)
		return false
	}
	return true
}

// sendFailure buffers a FAILURE.
func (c *conn) sendFailure(e *Error) {
	if c.caps == nil || c.out == nil {
		return
	}
	c.send(failureMessage(e))
}

// ignore answers IGNORED.
func (c *conn) ignore() bool { return c.send(&bolt.Ignored{}) }

// fail answers a request with a FAILURE and abandons the transaction. The
// connection goes to FAILED, or closes after a fatal failure or one
// before authentication. A failure that a queued RESET caused (the
// Handler was interrupted) is answered with IGNORED instead.
func (c *conn) fail(err error) bool {
	c.abortTx()
	if c.interrupted() && c.state >= bolt.StateReady {
		c.state = bolt.StateInterrupted
		return c.ignore()
	}
	e := asError(err)
	c.sendFailure(e)
	if e.Fatal || c.state < bolt.StateReady {
		return false
	}
	c.state = bolt.StateFailed
	return true
}

// messageName is the request's name on the negotiated version
// ("PULL_ALL" on 3.0).
func (c *conn) messageName(req bolt.Request) string {
	if name := bolt.MessageName(req.Tag(), c.sess.Version); name != "" {
		return name
	}
	return req.Name()
}

// invalid answers a request the state does not permit.
func (c *conn) invalid(req bolt.Request) bool {
	return c.fail(errRequestInvalid(c.messageName(req), c.state))
}
