package boltrx

import (
	"cmp"
	"context"
	"errors"
	"net"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/boltrx/boltrx/actors"
	"github.com/boltrx/boltrx/bolt"
	"github.com/boltrx/boltrx/bookmarks"
	"github.com/boltrx/boltrx/router"
	"github.com/boltrx/boltrx/telemetry"
)

// Session runs work against one database, one operation at a time, and
// chains it causally: each transaction starts from the bookmarks of the
// previous one. A Session is cheap; create one per unit of work and Close
// it. It is not safe for concurrent use (like neo4j-go-driver's).
//
// The session's state (bookmarks, the open result or transaction, closed
// or not) sits in the Session under a mutex: completions on other
// goroutines (a stream ending on its connection's reader) update it
// directly, so no query costs a mailbox round trip. The caller's
// goroutine does the I/O on the leased connection; the actors own the
// connections' lifecycles (pool, RESET, close, supervision).
type Session struct {
	// executeQuery marks the session of Driver.ExecuteQuery, whose work
	// the TELEMETRY message reports as such.
	executeQuery bool
	// managedTelemetrySent is set during ExecuteRead/ExecuteWrite once
	// the server accepted an attempt's TELEMETRY message: the call's
	// retries do not send it again.
	managedTelemetrySent *atomic.Bool

	driver    *Driver
	cfg       SessionConfig
	fetchSize int
	// maxFetchSize bounds the growth of batches (Config.MaxFetchSize).
	maxFetchSize int
	// homeDB is the home database a routing driver resolved for the
	// session (no DatabaseName): pinned for its later work.
	homeDB atomic.Pointer[string]

	mu        sync.Mutex // guards the state below
	bookmarks Bookmarks
	closed    bool
	busy      bool    // an operation is being started
	result    *Result // the open auto-commit result
	tx        *ExplicitTransaction
}

// NewSession returns a session with the given configuration. Use
// Session.Close when done.
func (d *Driver) NewSession(ctx context.Context, cfg SessionConfig) (*Session, error) {
	if err := d.checkOpen(); err != nil {
		return nil, err
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	return &Session{
		driver:       d,
		cfg:          cfg,
		fetchSize:    cfg.effectiveFetchSize(d.cfg.FetchSize),
		maxFetchSize: cmp.Or(cfg.MaxFetchSize, d.cfg.MaxFetchSize),
		bookmarks:    bookmarks.Combine(cfg.Bookmarks),
	}, nil
}

// errSessionClosed is returned by every operation of a closed session.
func errSessionClosed() error {
	return usageErrorOf(ErrSessionClosed, "boltrx: the session is closed: open a new one with Driver.NewSession")
}

// begin starts an operation (tx: a transaction) and returns the
// bookmarks it starts from, buffering an auto-commit result that is
// still open (as neo4j drivers do).
func (s *Session) begin(ctx context.Context, tx bool) (Bookmarks, error) {
	if s == nil {
		return nil, usageErrorOf(ErrSessionClosed, "boltrx: the session is nil: open one with Driver.NewSession")
	}
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		s.mu.Lock()
		switch {
		case s.closed:
			s.mu.Unlock()
			return nil, errSessionClosed()
		case s.tx != nil:
			s.mu.Unlock()
			return nil, usageErrorf("boltrx: the session has an open transaction: commit, roll back or close it before running more work in the session, or run the query in the transaction")
		case s.result != nil:
			open := s.result
			s.mu.Unlock()
			if err := open.buffer(ctx); err != nil && ctx.Err() != nil {
				return nil, ctx.Err()
			}
			// The result is read to its end now: make sure the session
			// no longer counts it as open, whatever the order its end
			// arrived in.
			s.done(open, nil, "")
			continue
		case s.busy:
			s.mu.Unlock()
			return nil, usageErrorf("boltrx: the session is already starting an operation: a session is not safe for concurrent use, open one per goroutine")
		}
		s.busy = true
		bms := s.bookmarks
		s.mu.Unlock()
		return bms, nil
	}
}

// started registers the open auto-commit result or transaction of the
// operation begin started.
func (s *Session) started(r *Result, tx *ExplicitTransaction) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.busy = false
	if s.closed {
		return
	}
	s.result, s.tx = r, tx
}

// done ends an operation with the bookmark it produced ("" = none); r or
// tx is the open result or transaction it ends, if any (both nil: an
// operation that never started).
func (s *Session) done(r *Result, tx *ExplicitTransaction, bookmark string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r == nil && tx == nil {
		s.busy = false
	}
	if r != nil && s.result == r {
		s.result = nil
	}
	if tx != nil && s.tx == tx {
		s.tx = nil
	}
	if bookmark != "" {
		s.bookmarks = Bookmarks{bookmark}
	}
}

// startBookmarks adds the bookmark manager's bookmarks to the session's.
func (s *Session) startBookmarks(ctx context.Context, own Bookmarks) (Bookmarks, error) {
	if s.cfg.BookmarkManager == nil {
		return own, nil
	}
	managed, err := s.cfg.BookmarkManager.GetBookmarks(ctx)
	if err != nil {
		return nil, err
	}
	return bookmarks.Combine(own, managed), nil
}

// finish reports an operation's end to the session and, when it
// produced a bookmark, to the bookmark manager.
func (s *Session) finish(ctx context.Context, r *Result, tx *ExplicitTransaction, started Bookmarks, bookmark string) {
	if bookmark != "" && s.cfg.BookmarkManager != nil {
		_ = s.cfg.BookmarkManager.UpdateBookmarks(ctx, started, Bookmarks{bookmark})
	}
	s.done(r, tx, bookmark)
}

// abandon ends an operation that never started (its connection could
// not be had, for example).
func (s *Session) abandon() { s.done(nil, nil, "") }

// LastBookmarks returns the bookmarks of the session's last completed
// transaction, to pass to another session for causal chaining.
func (s *Session) LastBookmarks() Bookmarks {
	if s == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return append(Bookmarks(nil), s.bookmarks...)
}

// acquire leases a connection for the session's database and mode: from
// the URI's server for bolt://, from a member the router selects for
// neo4j://. It returns the database the work runs in ("" = the server's
// default). A session without a database runs in the user's home
// database, which the session resolves once, with its own bookmarks, and
// pins for its later work. The driver's cache of home databases (per
// impersonated user) only serves as a guess for picking a server that
// routes on the server side (5.8+ with ssr.enabled), which resolves the
// home database itself; any other server makes the session ask a router.
func (s *Session) acquire(ctx context.Context, bms Bookmarks) (*actors.Pool, *actors.Conn, string, error) {
	r := s.driver.router
	if r == nil {
		return s.acquireFrom(ctx, s.driver.target.Address, s.database(), nil)
	}
	mode := router.Write
	if s.cfg.AccessMode == AccessModeRead {
		mode = router.Read
	}
	req := router.Request{
		Database:         s.database(),
		ImpersonatedUser: s.cfg.ImpersonatedUser,
		Bookmarks:        bms,
		Auth:             s.cfg.Auth,
	}
	if s.cfg.BookmarkManager != nil {
		req.BookmarksFor = func(ctx context.Context) ([]string, error) {
			return s.startBookmarks(ctx, bms)
		}
	}
	// resolve: the session has no database and has not resolved its
	// home database yet (it may have resolved it as "", the default
	// database of a server that names none).
	resolve := s.cfg.DatabaseName == "" && s.homeDB.Load() == nil
	guess := false
	if resolve {
		name, cached := r.HomeDatabase("", s.cfg.ImpersonatedUser)
		// A cached "" comes from servers that name no home database
		// (before Bolt 4.4): the default database's table serves every
		// session, refreshed when it expires like any other.
		guess = cached && name != ""
		req.RefreshHome = !cached
	}
	var failed map[string]error // members this acquisition could not reach
	for {
		address, database, err := r.Select(ctx, mode, req)
		if err != nil {
			return nil, nil, "", routingError(err)
		}
		if err := failed[address]; err != nil {
			// Selected again after a refresh: nothing left to try.
			return nil, nil, "", err
		}
		var unconfirmed func(*actors.Conn) bool
		if guess {
			unconfirmed = func(c *actors.Conn) bool { return !s.serverResolvesHome(c) }
		}
		p, c, _, err := s.acquireFrom(ctx, address, database, unconfirmed)
		if errors.Is(err, errGuessUnconfirmed) {
			// The cached name was a guess the server cannot confirm:
			// resolve the home database for this session.
			guess, req.RefreshHome = false, true
			continue
		}
		if err != nil {
			if !unreachable(ctx, err) || !hasOther(r, database, mode, address) {
				return nil, nil, "", err
			}
			// The router forgot the member (routedError): try another
			// of the table's members for mode.
			if failed == nil {
				failed = make(map[string]error)
			}
			failed[address] = err
			continue
		}
		if resolve {
			s.homeDB.Store(&database)
		}
		return p, c, database, nil
	}
}

// unreachable reports an acquisition failure that says the member could
// not be reached (a failed dial or handshake), rather than that the
// caller's context ended or the member's pool stayed full.
func unreachable(ctx context.Context, err error) bool {
	var ce *ConnectivityError
	if ctx.Err() != nil || !errors.As(err, &ce) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	_, full := errors.AsType[*actors.AcquisitionTimeoutError](err)
	return !full
}

// hasOther reports whether database's table still names a member for
// mode other than address. An acquisition tries the members the table
// has; it does not refresh the table because they all failed.
func hasOther(r *router.Router, database string, mode router.AccessMode, address string) bool {
	t, ok := r.Table(database)
	if !ok {
		return false
	}
	members := t.Readers
	if mode == router.Write {
		members = t.Writers
	}
	return slices.ContainsFunc(members, func(m string) bool { return m != address })
}

// errGuessUnconfirmed: the connection cannot confirm a guessed home
// database (see acquireFrom's reject).
var errGuessUnconfirmed = errors.New("boltrx: the server does not resolve the home database")

// acquireFrom leases an authenticated connection to address for work in
// database. reject, when not nil, refuses a connection before it is
// authenticated (errGuessUnconfirmed).
func (s *Session) acquireFrom(ctx context.Context, address, database string, reject func(*actors.Conn) bool) (*actors.Pool, *actors.Conn, string, error) {
	if op := telemetry.OperationFrom(ctx); op != nil && database != "" {
		op.SetDatabase(database)
	}
	p, c, err := s.driver.lease(ctx, address, leaseOptions{
		database: database, feedback: true, auth: s.cfg.Auth, authenticate: true, reject: reject,
	})
	if err != nil {
		return nil, nil, "", err
	}
	return p, c, database, nil
}

// database is the database the session's work runs in: the configured
// one, else the home database resolved earlier ("" before that).
func (s *Session) database() string {
	if s.cfg.DatabaseName != "" {
		return s.cfg.DatabaseName
	}
	if home := s.homeDB.Load(); home != nil {
		return *home
	}
	return ""
}

// serverResolvesHome reports whether work on conn goes without a
// database so that the server resolves the home database itself: a
// session without DatabaseName, on a 5.8+ server whose cluster routes on
// the server side (the ssr.enabled hint).
func (s *Session) serverResolvesHome(conn *actors.Conn) bool {
	return s.cfg.DatabaseName == "" && conn.Caps.HomeDatabaseHint && conn.Hints.SSREnabled
}

// learnHome records the home database a 5.8+ server named in the SUCCESS
// of BEGIN or RUN: the session pins it, and the driver's cache of home
// databases follows it when it changed on the server.
func (s *Session) learnHome(db string) {
	if db == "" || s.cfg.DatabaseName != "" || s.driver.router == nil {
		return
	}
	if home := s.homeDB.Load(); home != nil && *home == db {
		return
	}
	s.homeDB.Store(&db)
	s.driver.router.SetHomeDatabase("", s.cfg.ImpersonatedUser, db)
}

// txConfig builds the transaction fields of RUN/BEGIN; with trace
// propagation on, the metadata carries the traceparent of ctx's span.
func (s *Session) txConfig(ctx context.Context, conn *actors.Conn, database string, bms Bookmarks, cfg TransactionConfig) (bolt.TxConfig, error) {
	tc := bolt.TxConfig{
		Bookmarks:                bms,
		TxMetadata:               s.driver.tel.InjectTraceparent(ctx, cfg.Metadata),
		Database:                 database,
		ImpersonatedUser:         s.cfg.ImpersonatedUser,
		NotificationsMinSeverity: string(s.cfg.NotificationsMinSeverity),
		NotificationsDisabled:    disabledClassifications(s.cfg.NotificationsDisabledClassifications),
	}
	if timeout, ok := cfg.wireTimeout(); ok {
		tc.TxTimeout = timeout
		tc.NoTxTimeout = timeout == 0
	}
	if s.cfg.AccessMode == AccessModeRead {
		tc.Mode = bolt.ModeRead
	}
	caps := conn.Caps
	if tc.Database != "" && s.cfg.DatabaseName == "" && (!caps.Database || s.serverResolvesHome(conn)) {
		// A home database a 3.x routing table named, or one a 5.8+
		// server resolves itself (it says which in BEGIN/RUN SUCCESS).
		tc.Database = ""
	}
	switch {
	case tc.Database != "" && !caps.Database:
		return tc, usageErrorf("boltrx: SessionConfig.DatabaseName needs Bolt 4.0 or newer; the server speaks %v: leave it empty to use the default database", conn.Version)
	case tc.ImpersonatedUser != "" && !caps.ImpersonatedUser:
		return tc, usageErrorf("boltrx: impersonation (SessionConfig.ImpersonatedUser) needs Bolt 4.4 or newer; the server speaks %v: leave it empty, or connect to a newer server", conn.Version)
	case (tc.NotificationsMinSeverity != "" || tc.NotificationsDisabled != nil) && !caps.NotificationFilters:
		return tc, usageErrorf("boltrx: notification filters need Bolt 5.2 or newer; the server speaks %v: remove them from the session config", conn.Version)
	}
	return tc, nil
}

// work is what an operation starts from: the bookmarks, a leased
// connection to a member serving the session's database, and the
// transaction fields of its RUN or BEGIN.
type work struct {
	bookmarks Bookmarks
	pool      *actors.Pool
	conn      *actors.Conn
	database  string
	tx        bolt.TxConfig
}

// startWork begins an operation in the session (tx: a transaction, not an
// auto-commit query): the session actor's go-ahead, the bookmarks to start
// from, a connection, and the transaction fields. On error nothing is
// held.
func (s *Session) startWork(ctx context.Context, tx bool, configurers []func(*TransactionConfig)) (work, error) {
	txCfg, err := newTransactionConfig(configurers...)
	if err != nil {
		return work{}, err
	}
	own, err := s.begin(ctx, tx)
	if err != nil {
		return work{}, err
	}
	// The bookmark manager is asked for the routing request (only when
	// a table is fetched) and again for the transaction itself.
	pool, conn, database, err := s.acquire(ctx, own)
	if err != nil {
		s.abandon()
		return work{}, err
	}
	bms, err := s.startBookmarks(ctx, own)
	if err != nil {
		pool.Release(conn)
		s.abandon()
		return work{}, err
	}
	setOperationServer(telemetry.OperationFrom(ctx), conn)
	tc, err := s.txConfig(ctx, conn, database, bms, txCfg)
	if err != nil {
		pool.Release(conn)
		s.abandon()
		return work{}, err
	}
	return work{bookmarks: bms, pool: pool, conn: conn, database: database, tx: tc}, nil
}

// Run runs query in an auto-commit transaction and returns its result,
// whose records stream in batches as the caller reads them.
// A RUN the server fails with an error it marks idempotent is retried
// once (see Config.DisableAutoCommitRetries).
func (s *Session) Run(ctx context.Context, query string, params map[string]any, configurers ...func(*TransactionConfig)) (*Result, error) {
	return s.runAutoCommit(ctx, query, params, nil, configurers...)
}

// runAutoCommit runs query in an auto-commit transaction for Run (rx nil)
// or RunRx, retrying once a RUN the server failed without side effects
// (retry_autocommit.go).
func (s *Session) runAutoCommit(ctx context.Context, query string, params map[string]any, rx *rxMode, configurers ...func(*TransactionConfig)) (*Result, error) {
	attempt := func() (*Result, error) { return s.runAttempt(ctx, query, params, rx, configurers...) }
	r, err := attempt()
	if err == nil {
		r, err = s.retryAutoCommit(ctx, r, attempt)
	}
	return r, err
}

// runAttempt is one attempt of an auto-commit query, in its own telemetry
// operation.
func (s *Session) runAttempt(ctx context.Context, query string, params map[string]any, rx *rxMode, configurers ...func(*TransactionConfig)) (*Result, error) {
	ctx, op := s.driver.tel.StartOperation(ctx, telemetry.KindQuery, s.operationAttrs(query))
	r, err := s.runMode(ctx, op, query, params, rx, configurers...)
	if err != nil {
		endOperation(op, err)
		return nil, err
	}
	return r, nil
}

// runMode is run for a result read by Next (rx nil) or by an Rx
// subscription.
func (s *Session) runMode(ctx context.Context, op *telemetry.Operation, query string, params map[string]any, rx *rxMode, configurers ...func(*TransactionConfig)) (*Result, error) {
	w, err := s.startWork(ctx, false, configurers)
	if err != nil {
		return nil, err
	}
	pool, conn, database, bms, tc := w.pool, w.conn, w.database, w.bookmarks, w.tx
	r := newResult(ctx, s, nil, pool, conn, query, params, bms)
	r.op, r.database, r.rx = op, database, rx
	// Register the result before its RUN goes out: its end, reported
	// from whichever goroutine reads the answer, must come after this.
	s.started(r, nil)
	if err := r.start(ctx, &bolt.Run{Query: query, Params: params, TxConfig: tc}, nil, s.telemetry(conn, bolt.TelemetryImplicitTx)); err != nil {
		s.done(r, nil, "")
		return nil, err
	}
	return r, nil
}

// operationAttrs describes the session's work for its operation span.
func (s *Session) operationAttrs(query string) telemetry.OperationAttrs {
	mode := "write"
	if s.cfg.AccessMode == AccessModeRead {
		mode = "read"
	}
	return telemetry.OperationAttrs{Database: s.cfg.DatabaseName, AccessMode: mode, QueryText: query}
}

// setOperationServer records on op the server a connection reached.
func setOperationServer(op *telemetry.Operation, conn *actors.Conn) {
	if op == nil {
		return
	}
	host, port, err := net.SplitHostPort(conn.Address)
	if err != nil {
		host = conn.Address
	}
	n, _ := strconv.Atoi(port)
	op.SetServer(host, n, conn.Version.String())
}

// endOperation ends an operation span, recording err unless it is nil.
func endOperation(op *telemetry.Operation, err error) {
	if op == nil {
		return
	}
	if err != nil {
		op.RecordError(err)
	}
	op.End()
}

// BeginTransaction starts an explicit transaction. Commit or roll it back,
// and Close it in any case (Close after Commit does nothing).
func (s *Session) BeginTransaction(ctx context.Context, configurers ...func(*TransactionConfig)) (*ExplicitTransaction, error) {
	ctx, op := s.driver.tel.StartOperation(ctx, telemetry.KindTransaction, s.operationAttrs(""))
	tx, err := s.beginTx(ctx, false, bolt.TelemetryExplicitTx, configurers...)
	if err != nil {
		endOperation(op, err)
		return nil, err
	}
	tx.op = op
	s.started(nil, tx)
	return tx, nil
}

// beginTx opens a transaction. lazy pipelines BEGIN with the first RUN
// (ExecuteQuery) instead of waiting for its answer; api is what a
// TELEMETRY message says about the transaction.
func (s *Session) beginTx(ctx context.Context, lazy bool, api int64, configurers ...func(*TransactionConfig)) (*ExplicitTransaction, error) {
	w, err := s.startWork(ctx, true, configurers)
	if err != nil {
		return nil, err
	}
	pool, conn, database, bms, tc := w.pool, w.conn, w.database, w.bookmarks, w.tx
	tx := &ExplicitTransaction{session: s, pool: pool, conn: conn, started: bms, spanCtx: ctx, database: database}
	begin := &bolt.Begin{TxConfig: tc}
	if lazy {
		tx.pendingBegin = begin
		if s.managedTelemetrySent == nil || !s.managedTelemetrySent.Load() {
			tx.pendingTelemetry = s.telemetry(conn, api)
			tx.telemetrySent = s.managedTelemetrySent
		}
		return tx, nil
	}
	reqs := []bolt.Request{begin}
	// A managed transaction's retries do not repeat a TELEMETRY the
	// server accepted.
	sent := s.managedTelemetrySent
	withTelemetry := false
	if sent == nil || !sent.Load() {
		if tel := s.telemetry(conn, api); tel != nil {
			reqs = []bolt.Request{tel, begin}
			withTelemetry = true
		}
	}
	out, errs, err := conn.CallEach(ctx, reqs...)
	if err == nil {
		if withTelemetry && sent != nil && errs[0] == nil {
			sent.Store(true)
		}
		for _, e := range errs {
			if e != nil {
				err = e
				break
			}
		}
	}
	if err == nil {
		s.learnHome(out[len(out)-1].Database)
	}
	if err != nil {
		err = tx.mapError(err)
		s.driver.routedError(conn.Address, database, err)
		if s.cfg.Auth == nil {
			s.driver.securityFeedback(ctx, conn.Auth(), err)
		}
		tx.release()
		s.abandon()
		return nil, err
	}
	return tx, nil
}

// telemetry returns the TELEMETRY message that tells the server which
// API ran the work (Bolt 5.4+, when the server asks for it with the
// telemetry.enabled hint and the driver's config does not turn it off),
// or nil.
func (s *Session) telemetry(conn *actors.Conn, api int64) *bolt.Telemetry {
	if s.driver.cfg.TelemetryDisabled || !conn.Caps.Telemetry || !conn.Hints.TelemetryEnabled {
		return nil
	}
	return &bolt.Telemetry{API: api}
}

// Close ends the session: an open result is discarded, an open
// transaction rolled back, and the session's actor stopped. Closing twice
// does nothing. A failure of the open auto-commit result is the result's
// to report (through Next, Err or Consume), not Close's: Close returns
// only what goes wrong rolling back an open transaction.
func (s *Session) Close(ctx context.Context) error {
	if s == nil {
		return nil
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	result, tx := s.result, s.tx
	s.result, s.tx = nil, nil
	s.mu.Unlock()
	var err error
	if result != nil {
		if _, cerr := result.Consume(ctx); cerr != nil {
			s.log().Debug("session closed after its result failed", "error", cerr)
		}
	}
	if tx != nil {
		err = tx.Close(ctx)
	}
	return err
}
