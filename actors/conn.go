package actors

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/boltrx/boltrx/bolt"
	"github.com/boltrx/boltrx/internal/clock"
	"github.com/boltrx/boltrx/streams"
	"github.com/boltrx/boltrx/telemetry"
)

// ErrConnectionClosed is the cause of a request on a connection that was
// closed on purpose (pool purge, driver close).
var ErrConnectionClosed = errors.New("boltrx: connection closed")

// Conn is one Bolt connection after its handshake and HELLO: the socket,
// the framing and the client-side server-state machine. Responses are
// decoded and handed, in request order, to the handler of the request
// they answer by whichever goroutine holds the connection's read turn:
// a caller waiting for an answer (Await) reads the socket itself, so a
// short exchange (BEGIN, COMMIT, RUN+PULL of a small result) wakes no
// other goroutine; a background reader goroutine runs only while answers
// arrive that nobody waits for (a stream prefetching its next batch, the
// rest of a batch its consumer is busy with) and exits once no request
// awaits its answer.
//
// The session that holds a Conn (leased from its pool) writes on it
// directly; nothing on the request or record path passes a mailbox. The
// connection's actor, a child of the pool's, owns its lifecycle: the
// RESET before reuse, liveness checks, closing.
//
// Every request written gets a message span (package telemetry) as a
// child of the span in the context it was written with: Pipeline's ctx,
// or for Request the handler's SpanContext (see SpanContexter), else the
// ctx of the connection's latest Pipeline. The span ends when the
// request's summary arrives or the connection breaks.
type Conn struct {
	// Fixed after setup.
	Address  string
	Version  bolt.Version
	Caps     *bolt.Capabilities
	Server   string     // agent string, e.g. "Neo4j/5.26.0"
	ConnID   string     // the server's connection_id
	Hints    bolt.Hints // HELLO's connection hints
	Created  time.Time
	AuthUser string // principal of the token the connection authenticated with ("" = none)

	netConn net.Conn
	fe      *bolt.Frontend
	log     *slog.Logger
	msgLog  bool

	wmu sync.Mutex // the write side: one pipeline at a time

	smu     sync.Mutex // state machine and request queue
	sm      *bolt.StateMachine
	pending []pendingRequest
	head    int           // pending[head] is the oldest request awaiting its answer
	drained chan struct{} // closed when no request awaits its answer any more; nil when nobody waits
	// lastQid is the qid of the latest RUN of the transaction once its
	// SUCCESS arrived, -1 while it is unknown (a RUN awaits its answer, no
	// RUN yet, no transaction); runs counts the RUNs written.
	lastQid int64
	runs    int64

	tel      *telemetry.Instruments // nil: no telemetry
	telAttrs telemetry.ConnAttrs
	parentMu sync.Mutex
	parent   context.Context // ctx of the latest Pipeline; nil once released
	leasedAt time.Time       // guarded by the pool's lock

	auth atomic.Pointer[authState] // the token the connection is authenticated with
	// fresh: opened by the acquisition that holds it (see TakeFresh).
	fresh atomic.Bool
	// authGen is the pool's count of AuthorizationExpired failures (nil
	// outside a pool); authAt its value when the connection last
	// authenticated (see AuthStale).
	authGen *atomic.Uint64
	authAt  atomic.Uint64
	// logonFailure is the refusal of a pipelined re-authentication.
	logonFailure atomic.Pointer[bolt.Failure]
	// pendingLogon is the token of a re-authentication the next write
	// sends first (guarded by wmu); logonPending says there is one.
	pendingLogon map[string]any
	logonPending atomic.Bool
	// recvTimeout is the server's connection.recv_timeout_seconds hint
	// (0: none); awaiting says a request awaits its answer.
	recvTimeout time.Duration
	awaiting    atomic.Bool
	broken      atomic.Bool
	brokenErr   error // set once before broken becomes true
	onBroken    func(*Conn, error)
	brokenCh    chan struct{} // closed when the connection broke

	// readTurn holds a token while a goroutine reads the socket: the one
	// reader of the Frontend at a time.
	readTurn chan struct{}
	// background counts the background reader goroutines (at most one).
	background sync.WaitGroup
	// idleWaiters counts Await calls waiting while no request of the
	// connection awaited its answer: a request written then must be read
	// by the background reader.
	idleWaiters atomic.Int32
	// dlMu orders the read deadlines of an interrupted Await and of the
	// stall guard; interrupted says the deadline interrupts a read.
	dlMu        sync.Mutex
	interrupted bool
	lastUsed    atomic.Int64 // unix nanos of the last release, on the driver's clock
	releasedAt  atomic.Int64 // unix nanos of the last release, on the real clock
	// recordRun is readRecordRun's buffer, rawRun and rawEnds
	// readRawRun's, reused by whoever holds the read turn.
	recordRun [][]any
	rawRun    []byte
	rawEnds   []uint32
	pid       atomic.Pointer[connPID]
}

// pendingRequest is a request written and not yet answered: the handler
// of its responses, its span and the RECORDs it received so far.
type pendingRequest struct {
	h       streams.Handler
	span    *telemetry.Message
	records int
	qid     int64 // the qid a PULL or DISCARD named; -1 when none
	run     int64 // for a RUN: its number (Conn.runs); 0 for other requests
}

// newConn wraps a socket whose handshake negotiated caps' version.
func newConn(address string, netConn net.Conn, caps *bolt.Capabilities, log *slog.Logger, msgLog bool, tel *telemetry.Instruments) *Conn {
	c := &Conn{
		Address:  address,
		Version:  caps.Version,
		Caps:     caps,
		Created:  clock.Now(),
		netConn:  netConn,
		fe:       nil, // set below: reads go through the stall guard
		log:      log,
		msgLog:   msgLog,
		sm:       bolt.NewStateMachine(caps),
		lastQid:  bolt.LastQuery,
		brokenCh: make(chan struct{}),
		readTurn: make(chan struct{}, 1),
		tel:      tel,
	}
	if tel.Enabled() {
		c.telAttrs = connAttrs(address, netConn, caps.Version)
	}
	c.fe = bolt.NewFrontend(stallGuard{c}, caps, 0)
	c.lastUsed.Store(c.Created.UnixNano())
	return c
}

// stallGuard is the connection's socket as its Frontend sees it: while a
// request awaits its answer and the server gave a recv-timeout hint, every
// read that brings bytes (a NOOP keep-alive included) moves the read
// deadline on, so only a server silent for the whole hinted time breaks
// the connection.
type stallGuard struct{ c *Conn }

func (g stallGuard) Read(p []byte) (int, error) {
	n, err := g.c.netConn.Read(p)
	if n > 0 && g.c.recvTimeout > 0 && g.c.awaiting.Load() {
		g.c.dlMu.Lock()
		if !g.c.interrupted {
			_ = g.c.netConn.SetReadDeadline(time.Now().Add(g.c.recvTimeout))
		}
		g.c.dlMu.Unlock()
	}
	return n, err
}

func (g stallGuard) Write(p []byte) (int, error) { return g.c.netConn.Write(p) }

// armStallGuardLocked starts or stops the recv-timeout clock as requests
// await answers or not; c.smu is held.
func (c *Conn) armStallGuardLocked() {
	if c.recvTimeout <= 0 {
		return
	}
	awaiting := c.head < len(c.pending)
	if awaiting == c.awaiting.Load() {
		return
	}
	c.awaiting.Store(awaiting)
	c.dlMu.Lock()
	defer c.dlMu.Unlock()
	if c.interrupted {
		return // the interrupted reader restores the deadline
	}
	c.setStallDeadline(awaiting)
}

// setStallDeadline sets the read deadline the stall guard wants; c.dlMu
// is held.
func (c *Conn) setStallDeadline(awaiting bool) {
	if c.recvTimeout > 0 && awaiting {
		_ = c.netConn.SetReadDeadline(time.Now().Add(c.recvTimeout))
	} else {
		_ = c.netConn.SetReadDeadline(time.Time{})
	}
}

// start makes the connection ready for use after its setup (HELLO,
// LOGON), which reads synchronously because a SUCCESS of HELLO may switch
// the dialect. No goroutine starts: callers read their answers
// themselves (Await).
func (c *Conn) start() {}

// peekAfterIdle is how long a connection sits in the pool before Stale
// looks at its socket (a system call, several microseconds on a virtual
// machine): a connection given back moments ago, as in a loop of short
// queries, is taken as it is, the way other drivers take every pooled
// connection. A server that closes one in that moment shows when the
// connection is used.
const peekAfterIdle = time.Millisecond

// Stale breaks an idle connection that the server closed (or wrote to
// unasked) while it sat in the pool, and reports whether it did so. The
// socket is looked at only after the connection sat idle for
// peekAfterIdle.
func (c *Conn) Stale() bool {
	if c.broken.Load() {
		return true
	}
	select {
	case c.readTurn <- struct{}{}:
	default:
		return false // a goroutine still reads it: it will see
	}
	peek := time.Now().UnixNano()-c.releasedAt.Load() >= int64(peekAfterIdle)
	stale := c.fe.ResponseBuffered() || (peek && peerClosed(c.netConn))
	<-c.readTurn
	if stale {
		c.fail(&IOError{Address: c.Address, Op: "read", Err: errors.New("the server closed the idle connection")})
		return true
	}
	return false
}

// Broken reports whether the connection failed and must not be used.
func (c *Conn) Broken() bool { return c.broken.Load() }

// Err returns why the connection broke, or nil.
func (c *Conn) Err() error {
	if !c.broken.Load() {
		return nil
	}
	return c.brokenErr
}

// State returns the server state as of the responses received so far.
func (c *Conn) State() bolt.ServerState {
	c.smu.Lock()
	defer c.smu.Unlock()
	return c.sm.State()
}

// Idle reports whether no request awaits an answer and the server is
// READY: the connection can go back to the pool as it is.
func (c *Conn) Idle() bool {
	c.smu.Lock()
	defer c.smu.Unlock()
	return c.sm.Pending() == 0 && c.sm.State() == bolt.StateReady
}

// Request writes req, routes its responses to h and flushes: the
// streams.Conn the result engine uses. The request's span is a child of
// h's SpanContext when h implements SpanContexter, else of the ctx of the
// connection's latest Pipeline.
//
// Nobody may wait for the answer soon (a stream prefetching its next
// batch): when no goroutine reads the connection, the background reader
// starts.
func (c *Conn) Request(req bolt.Request, h streams.Handler) error {
	c.wmu.Lock()
	err := c.writeLocked(c.requestContext(h), []bolt.Request{req}, []streams.Handler{h})
	c.wmu.Unlock()
	if err == nil {
		c.ensureReader()
	}
	return err
}

// Pipeline writes every request in one flush; hs[i] receives the
// responses to reqs[i]. A request the server state or the protocol version
// does not allow fails with an error matching bolt.ErrUsage before anything
// is written. The requests' spans are children of the span in ctx, and so
// are those of later Requests whose handler does not say otherwise.
//
// The answers are read by whoever waits for them (Await): the caller,
// typically, on its own goroutine.
func (c *Conn) Pipeline(ctx context.Context, reqs []bolt.Request, hs []streams.Handler) error {
	c.wmu.Lock()
	c.setSpanParent(ctx)
	err := c.writeLocked(ctx, reqs, hs)
	c.wmu.Unlock()
	if err == nil && c.idleWaiters.Load() > 0 {
		c.ensureReader()
	}
	return err
}

// writeLocked writes reqs in one flush, after a pending
// re-authentication; the caller holds wmu.
func (c *Conn) writeLocked(ctx context.Context, reqs []bolt.Request, hs []streams.Handler) error {
	if err := c.Err(); err != nil {
		return err
	}
	reqs, hs = c.withPendingLogonLocked(reqs, hs)
	var spanBuf [4]*telemetry.Message
	spans := c.startSpans(ctx, reqs, spanBuf[:0])
	c.smu.Lock()
	for i, req := range reqs {
		qid := requestQid(req)
		c.implicitQidLocked(req)
		if err := c.sm.Allow(req); err != nil {
			c.smu.Unlock()
			endSpans(spans[min(i, len(spans)):], err)
			if i > 0 {
				// Earlier requests are recorded but not written: the
				// state machine no longer matches the wire.
				c.fail(fmt.Errorf("boltrx: pipeline refused after %d requests: %w", i, err))
			}
			return err
		}
		pr := pendingRequest{h: hs[i], qid: qid}
		c.trackQidLocked(req, &pr)
		if i < len(spans) {
			pr.span = spans[i]
		}
		c.pending = append(c.pending, pr)
	}
	c.armStallGuardLocked()
	c.smu.Unlock()
	for _, req := range reqs {
		if c.msgLog {
			c.log.Debug("bolt C", "address", c.Address, "message", req.Name())
		}
		if err := c.fe.Send(req); err != nil {
			// The request was allowed but cannot be encoded (a field the
			// version cannot carry): the connection's bookkeeping is off.
			c.fail(err)
			return err
		}
	}
	if err := c.fe.Flush(); err != nil {
		err = &IOError{Address: c.Address, Op: "write", Err: err}
		c.fail(err)
		return err
	}
	return nil
}

// implicitQidLocked lets a PULL or DISCARD of the transaction's latest
// query, whose qid is known, name it the default way (qid -1, left out of
// the message); c.smu is held.
func (c *Conn) implicitQidLocked(req bolt.Request) {
	switch r := req.(type) {
	case *bolt.Pull:
		if r.Qid >= 0 && r.Qid == c.lastQid {
			r.Qid = bolt.LastQuery
		}
	case *bolt.Discard:
		if r.Qid >= 0 && r.Qid == c.lastQid {
			r.Qid = bolt.LastQuery
		}
	}
}

// trackQidLocked follows which query is the transaction's latest: a RUN
// makes it unknown until its SUCCESS names its qid, and the end of a
// transaction forgets it; c.smu is held.
func (c *Conn) trackQidLocked(req bolt.Request, pr *pendingRequest) {
	switch req.(type) {
	case *bolt.Run:
		c.runs++
		pr.run = c.runs
		c.lastQid = bolt.LastQuery
	case *bolt.Begin, *bolt.Commit, *bolt.Rollback, *bolt.Reset:
		c.lastQid = bolt.LastQuery
	}
}

// Call writes reqs pipelined and waits for every summary. It returns the
// SUCCESS metadata of each request, or the first FAILURE as a
// *bolt.Failure. Records, if any, are dropped unless a request's handler
// collects them (use CallCollect). A cancelled ctx breaks the connection:
// its state is unknown once a request is left unanswered.
func (c *Conn) Call(ctx context.Context, reqs ...bolt.Request) ([]bolt.Success, error) {
	out, errs, err := c.CallEach(ctx, reqs...)
	if err != nil {
		return nil, err
	}
	for _, e := range errs {
		if e != nil {
			return out, e
		}
	}
	return out, nil
}

// CallEach is Call with the outcome of each request: errs[i] is nil when
// reqs[i] succeeded, its FAILURE, or the error of its IGNORED or of the
// broken connection. err is set only when the requests could not be sent.
func (c *Conn) CallEach(ctx context.Context, reqs ...bolt.Request) (out []bolt.Success, errs []error, err error) {
	calls := make([]*syncHandler, len(reqs))
	hs := make([]streams.Handler, len(reqs))
	for i := range reqs {
		calls[i] = newSyncHandler(false)
		hs[i] = calls[i]
	}
	if err := c.Pipeline(ctx, reqs, hs); err != nil {
		return nil, nil, err
	}
	out = make([]bolt.Success, len(reqs))
	errs = make([]error, len(reqs))
	for i, h := range calls {
		if errs[i] = h.wait(ctx, c); errs[i] == nil {
			out[i] = h.success
		}
	}
	return out, errs, nil
}

// CallCollect writes req, waits for its summary and returns the records it
// produced with its SUCCESS (a RUN+PULL pair goes as two requests: use it
// on the PULL after Pipeline-ing the RUN through Call's machinery).
func (c *Conn) CallCollect(ctx context.Context, run bolt.Request, pull bolt.Request) (bolt.Success, [][]any, bolt.Success, error) {
	runH := newSyncHandler(false)
	pullH := newSyncHandler(true)
	if err := c.Pipeline(ctx, []bolt.Request{run, pull}, []streams.Handler{runH, pullH}); err != nil {
		return bolt.Success{}, nil, bolt.Success{}, err
	}
	runErr := runH.wait(ctx, c)
	pullErr := pullH.wait(ctx, c)
	if runErr != nil {
		return bolt.Success{}, nil, bolt.Success{}, runErr
	}
	if pullErr != nil {
		return runH.success, nil, bolt.Success{}, pullErr
	}
	return runH.success, pullH.records, pullH.success, nil
}

// Interrupt breaks the connection with cause: a request abandoned midway
// leaves it in an unknown state.
func (c *Conn) Interrupt(cause error) { c.fail(cause) }

// closeDrainTimeout bounds how long Close waits for the answers to
// requests still in flight (a RESET before reuse, say) before GOODBYE.
const closeDrainTimeout = time.Second

// Close says GOODBYE when it can and closes the socket, then waits for the
// reader goroutine to exit. Requests still awaiting their answers get
// them first (for up to a second): a socket closed with unread answers
// in its buffer is reset (TCP RST) instead of closed, and the server may
// lose what it was still sending.
func (c *Conn) Close() {
	c.awaitAnswers(closeDrainTimeout)
	c.CloseNoWait()
	c.background.Wait()
}

// awaitAnswers waits until no request awaits its answer, the connection
// breaks, or d passes.
func (c *Conn) awaitAnswers(d time.Duration) {
	c.smu.Lock()
	if c.broken.Load() || c.head >= len(c.pending) {
		c.smu.Unlock()
		return
	}
	if c.drained == nil {
		c.drained = make(chan struct{})
	}
	drained := c.drained
	c.smu.Unlock()
	c.ensureReader()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-drained:
	case <-c.brokenCh:
	case <-t.C:
	}
}

// signalDrainedLocked wakes awaitAnswers once nothing awaits an answer;
// c.smu is held.
func (c *Conn) signalDrainedLocked() {
	if c.drained != nil && c.head >= len(c.pending) {
		close(c.drained)
		c.drained = nil
	}
}

// CloseNoWait is Close without waiting for the background reader, which
// exits on the closed socket: the way to close a connection from one of
// its own handlers (they run on the goroutine reading the connection).
func (c *Conn) CloseNoWait() {
	if !c.broken.Load() {
		c.wmu.Lock()
		c.smu.Lock()
		err := c.sm.Allow(&bolt.Goodbye{})
		c.smu.Unlock()
		if err == nil && c.fe.Send(&bolt.Goodbye{}) == nil {
			_ = c.netConn.SetWriteDeadline(time.Now().Add(100 * time.Millisecond))
			_ = c.fe.Flush()
		}
		c.wmu.Unlock()
	}
	c.fail(ErrConnectionClosed)
}

// fail marks the connection broken with err (the first cause wins), closes
// the socket and tells every request still waiting. A goroutine reading
// the connection stops on the closed socket.
func (c *Conn) fail(err error) {
	c.smu.Lock()
	if c.broken.Load() {
		c.smu.Unlock()
		return
	}
	c.brokenErr = err
	c.broken.Store(true)
	close(c.brokenCh)
	c.sm.MarkDefunct()
	waiting := c.pending[c.head:]
	c.pending, c.head = nil, 0
	c.smu.Unlock()
	_ = c.netConn.Close()
	refused := c.logonFailureOf()
	for _, pr := range waiting {
		c.endRequest(pr, nil, err)
		if refused != nil {
			// Pipelined behind a LOGON the server refused: that is
			// why they fail.
			pr.h.OnSummary(&bolt.Response{Kind: bolt.ResponseFailure, Failure: *refused})
			continue
		}
		pr.h.OnConnError(err)
	}
	if c.onBroken != nil && !errors.Is(err, ErrConnectionClosed) {
		c.onBroken(c, err)
	}
	if !errors.Is(err, ErrConnectionClosed) {
		c.log.Debug("connection broke", "address", c.Address, "error", err)
	}
}

// errNotAnswered: a response arrived that answers no request.
var errNotAnswered = errors.New("a response without a request")

// readOne reads the next response into resp and hands it to the handler
// of the request it answers. An error breaks the connection unless it
// interrupted a read between two messages on purpose (an Await whose ctx
// ended): then interrupted is true and the connection stays usable.
func (c *Conn) readOne(resp *bolt.Response) (interrupted bool, err error) {
	if err := c.fe.Receive(resp); err != nil {
		return c.receiveFailed(err)
	}
	return c.dispatch(resp)
}

// receiveFailed handles an error of Receive: it breaks the connection
// unless the error interrupted a read between two messages on purpose
// (then interrupted is true).
func (c *Conn) receiveFailed(err error) (interrupted bool, _ error) {
	c.dlMu.Lock()
	mine := c.interrupted
	c.dlMu.Unlock()
	var ne net.Error
	if mine && errors.As(err, &ne) && ne.Timeout() && !c.fe.ReceiveFailed() {
		return true, err
	}
	if !c.broken.Load() {
		if errors.As(err, &ne) && ne.Timeout() && c.recvTimeout > 0 && !mine {
			err = fmt.Errorf("the server sent nothing for %v, its connection.recv_timeout_seconds hint: the connection is stale: %w", c.recvTimeout, err)
		}
		c.fail(&IOError{Address: c.Address, Op: "read", Err: err})
	}
	return false, err
}

// rawHandler returns the handler of the oldest request awaiting its
// answer when it wants its next RECORDs undecoded (its consumer waits
// idle and decodes them itself), else nil.
func (c *Conn) rawHandler() streams.RawRecordsHandler {
	c.smu.Lock()
	var h streams.Handler
	if c.head < len(c.pending) {
		h = c.pending[c.head].h
	}
	c.smu.Unlock()
	if rh, ok := h.(streams.RawRecordsHandler); ok && rh.WantsRaw() {
		return rh
	}
	return nil
}

// rawRecordMinSize is the size from which a RECORD is worth handing to
// its consumer undecoded: decoding a record of nodes or maps costs many
// times the copy and the hand-over, while a short flat row decodes in
// about what they cost (measured: 1M rows of [int, string, float, bool],
// ~35 bytes each, 7% slower when handed over; 1M nodes, ~100 bytes, 8%
// faster).
const rawRecordMinSize = 64

// readBackgroundOne is readOne for the background reader: while the
// consumer of the records waits idle, a run of RECORDs (from one of at
// least rawRecordMinSize bytes) goes to it undecoded (readRawRun), so
// that it decodes them on its own goroutine while this one reads on.
func (c *Conn) readBackgroundOne(resp *bolt.Response) error {
	rh := c.rawHandler()
	if rh == nil {
		_, err := c.readOne(resp)
		return err
	}
	msg, err := c.fe.ReceiveRecordRaw(resp, rawRecordMinSize)
	if err != nil {
		_, err = c.receiveFailed(err)
		return err
	}
	if msg == nil {
		_, err = c.dispatch(resp)
		return err
	}
	return c.readRawRun(rh, resp, msg)
}

// readRawRun collects the RECORD msg and the RECORDs already read from
// the network after it into one call of rh.OnRawRecords, undecoded. The
// first response after the run that is not a RECORD is dispatched as
// readOne would.
func (c *Conn) readRawRun(rh streams.RawRecordsHandler, resp *bolt.Response, msg []byte) error {
	c.smu.Lock()
	if c.head >= len(c.pending) {
		c.smu.Unlock()
		err := &bolt.ProtocolError{Message: "RECORD", Offset: -1, Detail: errNotAnswered.Error()}
		c.fail(err)
		return err
	}
	if err := c.sm.OnResponse(nil, resp); err != nil {
		c.smu.Unlock()
		c.fail(err)
		return err
	}
	c.smu.Unlock()
	raw := append(c.rawRun[:0], msg...)
	ends := append(c.rawEnds[:0], uint32(len(raw)))
	flush := func() {
		c.smu.Lock()
		if c.head < len(c.pending) {
			c.pending[c.head].records += len(ends)
		}
		c.smu.Unlock()
		rh.OnRawRecords(raw, ends)
		c.rawRun, c.rawEnds = raw[:0], ends[:0]
	}
	for len(ends) < maxRecordRun && c.fe.ResponseBuffered() {
		msg, err := c.fe.ReceiveRecordRaw(resp, 0)
		if err != nil {
			flush()
			if !c.broken.Load() {
				c.fail(&IOError{Address: c.Address, Op: "read", Err: err})
			}
			return err
		}
		if msg == nil {
			flush()
			_, err := c.dispatch(resp)
			return err
		}
		raw = append(raw, msg...)
		ends = append(ends, uint32(len(raw)))
	}
	flush()
	return nil
}

// BadRecord breaks the connection after the consumer of a stream found a
// RECORD it took undecoded (streams.RawRecordsHandler) malformed: the
// connection is out of step with the server, as when the reader finds
// one.
func (c *Conn) BadRecord(err error) {
	c.fail(&IOError{Address: c.Address, Op: "read", Err: err})
}

// NewRecordDecoder returns a decoder for the RECORDs of this connection
// that a stream's consumer decodes itself.
func (c *Conn) NewRecordDecoder() *bolt.RecordDecoder { return c.fe.NewRecordDecoder() }

// dispatch hands a response read from the network to the handler of the
// request it answers (see readOne).
func (c *Conn) dispatch(resp *bolt.Response) (interrupted bool, err error) {
	c.smu.Lock()
	if c.head >= len(c.pending) {
		c.smu.Unlock()
		err := &bolt.ProtocolError{Message: resp.Kind.String(), Offset: -1, Detail: errNotAnswered.Error()}
		c.fail(err)
		return false, err
	}
	if err := c.sm.OnResponse(nil, resp); err != nil {
		c.smu.Unlock()
		c.fail(err)
		return false, err
	}
	if resp.Kind == bolt.ResponseRecord {
		c.pending[c.head].records++
		h := c.pending[c.head].h
		c.smu.Unlock()
		if rh, ok := h.(streams.RecordsHandler); ok && c.fe.ResponseBuffered() {
			return c.readRecordRun(rh, resp)
		}
		h.OnRecord(resp.Record.Values)
		resp.Record.Values = nil
		return false, nil
	}
	if resp.Kind == bolt.ResponseFailure {
		c.noteFailure(&resp.Failure)
	}
	answered := c.pending[c.head]
	if answered.run == c.runs && answered.run != 0 && resp.Kind == bolt.ResponseSuccess && resp.Success.Has(bolt.KeyQid) {
		c.lastQid = resp.Success.Qid
	}
	c.pending[c.head] = pendingRequest{}
	c.head++
	if c.head == len(c.pending) {
		c.pending, c.head = c.pending[:0], 0
	}
	c.armStallGuardLocked()
	c.signalDrainedLocked()
	c.smu.Unlock()
	if c.msgLog {
		c.log.Debug("bolt S", "address", c.Address, "message", resp.Kind.String())
	}
	// The span ends first: whoever waits for the handler finds it ended.
	c.endRequest(answered, resp, nil)
	answered.h.OnSummary(resp)
	return false, nil
}

// maxRecordRun bounds the records readRecordRun hands over at once, so
// that a consumer gets the first ones while the rest of a large buffer is
// decoded.
const maxRecordRun = 128

// readRecordRun goes on from the RECORD in resp with the responses
// already read from the network (they cost no wait), collecting the
// RECORDs that follow into one call of rh.OnRecords: one lock and one
// wake-up of the consumer per run, not per record. The first response
// after the run that is not a RECORD is dispatched as readOne would. The
// state machine needs no look at the run's later records: a RECORD
// changes no state, and the first one was allowed.
func (c *Conn) readRecordRun(rh streams.RecordsHandler, resp *bolt.Response) (bool, error) {
	run := append(c.recordRun[:0], resp.Record.Values)
	resp.Record.Values = nil
	flush := func() {
		if len(run) > 1 {
			c.smu.Lock()
			if c.head < len(c.pending) {
				c.pending[c.head].records += len(run) - 1
			}
			c.smu.Unlock()
		}
		rh.OnRecords(run)
		clear(run)
		c.recordRun = run[:0]
	}
	for len(run) < maxRecordRun && c.fe.ResponseBuffered() {
		if err := c.fe.Receive(resp); err != nil {
			flush()
			// A buffered message that does not decode: the connection
			// cannot go on.
			if !c.broken.Load() {
				c.fail(&IOError{Address: c.Address, Op: "read", Err: err})
			}
			return false, err
		}
		if resp.Kind != bolt.ResponseRecord {
			flush()
			return c.dispatch(resp)
		}
		run = append(run, resp.Record.Values)
		resp.Record.Values = nil
	}
	flush()
	return false, nil
}

// awaitingAnswers reports whether a request awaits its answer.
func (c *Conn) awaitingAnswers() bool {
	c.smu.Lock()
	defer c.smu.Unlock()
	return c.head < len(c.pending)
}

// needsBackground reports whether the background reader must read when
// the read turn is given up: a request still awaits its answer, and
// nobody may ever wait for it (a result the caller no longer reads, the
// IGNORED after a failed RUN, a prefetched batch). Answers left unread
// would keep the connection from its pool and the server waiting.
func (c *Conn) needsBackground() bool {
	return !c.broken.Load() && c.awaitingAnswers()
}

// ensureReader starts the background reader unless a goroutine reads the
// connection already.
func (c *Conn) ensureReader() {
	if c.broken.Load() {
		return
	}
	select {
	case c.readTurn <- struct{}{}:
	default:
		return // the reader will look again when it stops (endRead)
	}
	if !c.awaitingAnswers() {
		c.endRead()
		return
	}
	c.background.Add(1)
	go c.readBackground()
}

// endRead gives up the read turn; when answers remain that nobody will
// wait for, the background reader takes it.
func (c *Conn) endRead() {
	<-c.readTurn
	if c.needsBackground() {
		c.ensureReader()
	}
}

// readBackground reads and dispatches responses until no request awaits
// its answer or the connection breaks; the caller holds the read turn.
func (c *Conn) readBackground() {
	defer c.background.Done()
	var resp bolt.Response
	for c.awaitingAnswers() {
		if err := c.readBackgroundOne(&resp); err != nil {
			break
		}
	}
	// Answers of requests written meanwhile: endRead looks again.
	c.endRead()
}

// Await waits until ready can be received from, reading and dispatching
// the connection's responses on the calling goroutine meanwhile when no
// other goroutine reads them (the answer ready waits for is then read
// with no goroutine hand-off). It returns ctx's error if ctx ends first,
// nil otherwise; a broken connection tells the handlers, which make ready
// fire. A read interrupted by ctx leaves the connection usable: the
// background reader takes over the answers still awaited.
func (c *Conn) Await(ctx context.Context, ready <-chan struct{}) error {
	select {
	case <-ready:
		return nil
	default:
	}
	for {
		if c.broken.Load() || !c.awaitingAnswers() {
			got, err := c.awaitIdle(ctx, ready)
			if got {
				return nil
			}
			if err != nil {
				return err
			}
			continue
		}
		select {
		case <-ready:
			return nil
		case <-ctx.Done():
			c.ensureReader()
			return ctx.Err()
		case c.readTurn <- struct{}{}:
		}
		got, err := c.readUntil(ctx, ready)
		c.endRead()
		if got {
			return nil
		}
		if err != nil {
			c.ensureReader()
			return err
		}
	}
}

// awaitIdle waits for ready while no request awaits its answer (or the
// connection broke). A request written meanwhile is read by the
// background reader (Pipeline starts it while an Await waits here). It
// returns at once, got and err unset, when a request awaits its answer by
// the time it counts itself among the idle waiters: the caller reads it.
func (c *Conn) awaitIdle(ctx context.Context, ready <-chan struct{}) (got bool, err error) {
	c.idleWaiters.Add(1)
	defer c.idleWaiters.Add(-1)
	if !c.broken.Load() && c.awaitingAnswers() {
		return false, nil
	}
	select {
	case <-ready:
		return true, nil
	case <-ctx.Done():
		return false, ctx.Err()
	}
}

// readUntil reads and dispatches responses, holding the read turn, until
// ready fires (then it also dispatches the responses already buffered,
// which cost no wait), ctx interrupts a read, the connection breaks, or no
// request awaits its answer any more.
func (c *Conn) readUntil(ctx context.Context, ready <-chan struct{}) (bool, error) {
	var fired chan struct{}
	if ctx.Done() != nil {
		fired = make(chan struct{})
		stop := context.AfterFunc(ctx, func() {
			defer close(fired)
			c.dlMu.Lock()
			defer c.dlMu.Unlock()
			c.interrupted = true
			_ = c.netConn.SetReadDeadline(time.Unix(1, 0))
		})
		defer func() {
			if stop() {
				return
			}
			<-fired
			c.dlMu.Lock()
			c.interrupted = false
			c.setStallDeadline(c.awaiting.Load())
			c.dlMu.Unlock()
		}()
	}
	var resp bolt.Response
	for {
		// Look before every read: the turn may come after another
		// reader dispatched what ready waited for, or the last answer.
		select {
		case <-ready:
			for c.fe.ResponseBuffered() && !c.broken.Load() && c.awaitingAnswers() {
				if _, err := c.readOne(&resp); err != nil {
					break
				}
			}
			return true, nil
		default:
		}
		if c.broken.Load() || !c.awaitingAnswers() {
			return false, nil
		}
		interrupted, err := c.readOne(&resp)
		if interrupted {
			return false, ctx.Err()
		}
		if err != nil {
			return false, nil // the handlers know; ready fires
		}
	}
}

// IOError is a failure of the network under a connection.
type IOError struct {
	Address string
	Op      string // "dial", "read", "write", "handshake"
	Err     error
}

// Error describes the failure.
func (e *IOError) Error() string {
	return fmt.Sprintf("boltrx: %s %s: %v", e.Op, e.Address, e.Err)
}

// Unwrap returns the underlying cause.
func (e *IOError) Unwrap() error { return e.Err }

// syncHandler turns a request's answer into a blocking call.
type syncHandler struct {
	collect bool
	records [][]any
	success bolt.Success
	err     error
	done    chan struct{}
}

func newSyncHandler(collect bool) *syncHandler {
	return &syncHandler{collect: collect, done: make(chan struct{})}
}

func (h *syncHandler) OnRecord(values []any) {
	if h.collect {
		h.records = append(h.records, values)
	}
}

func (h *syncHandler) OnSummary(resp *bolt.Response) {
	switch resp.Kind {
	case bolt.ResponseSuccess:
		h.success = resp.Success
	case bolt.ResponseFailure:
		f := resp.Failure
		h.err = &f
	default:
		h.err = streams.ErrIgnored
	}
	close(h.done)
}

func (h *syncHandler) OnConnError(err error) {
	h.err = err
	close(h.done)
}

func (h *syncHandler) wait(ctx context.Context, c *Conn) error {
	if err := c.Await(ctx, h.done); err == nil {
		return h.err
	}
	select {
	case <-h.done:
		return h.err
	case <-ctx.Done():
		c.Interrupt(fmt.Errorf("boltrx: request abandoned: %w", context.Cause(ctx)))
		<-h.done
		return ctx.Err()
	}
}
