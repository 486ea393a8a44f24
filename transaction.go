package boltrx

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/boltrx/boltrx/actors"
	"github.com/boltrx/boltrx/bolt"
	"github.com/boltrx/boltrx/internal/retry"
	"github.com/boltrx/boltrx/telemetry"
	"go.opentelemetry.io/otel/trace"
)

// ManagedTransaction is the transaction a managed transaction's work
// function gets (ExecuteRead, ExecuteWrite): it runs queries; the driver
// commits, rolls back and retries.
type ManagedTransaction interface {
	Run(ctx context.Context, query string, params map[string]any) (*Result, error)
}

// ManagedTransactionWork is the unit of work of ExecuteRead/ExecuteWrite.
// It may run more than once (retries), so it must not have side effects
// outside the transaction that it cannot repeat.
type ManagedTransactionWork func(tx ManagedTransaction) (any, error)

// ExplicitTransaction is a transaction the caller commits or rolls back.
// Several of its results may be open at once (Bolt 4.0+).
type ExplicitTransaction struct {
	session *Session
	pool    *actors.Pool
	conn    *actors.Conn
	started Bookmarks

	op       *telemetry.Operation // the transaction's span (explicit transactions)
	database string               // the database it runs in, for routing feedback
	spanCtx  context.Context      // carries the span its queries' messages belong to

	pendingBegin     *bolt.Begin     // pipelined with the first RUN (ExecuteQuery)
	pendingTelemetry *bolt.Telemetry // pipelined before pendingBegin
	// telemetrySent, when not nil, is set once the server accepted the
	// TELEMETRY message: a managed transaction's retries do not send it
	// again.
	telemetrySent *atomic.Bool

	mu      sync.Mutex
	results []*Result
	done    bool
	failed  error // a query of the transaction failed: it can only roll back
}

// markFailed records that the transaction can no longer commit.
func (tx *ExplicitTransaction) markFailed(err error) {
	tx.mu.Lock()
	if tx.failed == nil && err != nil {
		tx.failed = err
	}
	tx.mu.Unlock()
}

// failure returns the failure that terminated the transaction, or nil.
func (tx *ExplicitTransaction) failure() error {
	tx.mu.Lock()
	defer tx.mu.Unlock()
	return tx.failed
}

func (tx *ExplicitTransaction) check() error {
	if tx == nil {
		return usageErrorOf(ErrTransactionClosed, "boltrx: the transaction is nil")
	}
	return errIfClosed(&tx.mu, &tx.done, ErrTransactionClosed, "boltrx: the transaction is closed: begin a new one")
}

// Run runs query in the transaction.
func (tx *ExplicitTransaction) Run(ctx context.Context, query string, params map[string]any) (*Result, error) {
	return tx.run(ctx, query, params, nil)
}

// run is Run for a result read by Next (rx nil) or by an Rx subscription.
func (tx *ExplicitTransaction) run(ctx context.Context, query string, params map[string]any, rx *rxMode) (*Result, error) {
	if err := tx.check(); err != nil {
		return nil, err
	}
	tx.mu.Lock()
	failed := tx.failed
	tx.mu.Unlock()
	if failed != nil {
		return nil, terminatedError(failed)
	}
	if !tx.conn.Caps.PullN {
		// Bolt 3 has one open result per transaction: read the previous
		// one into memory first.
		for _, r := range tx.openResults() {
			_ = r.buffer(ctx)
		}
	}
	ctx = tx.traced(ctx)
	r := newResult(ctx, tx.session, tx, tx.pool, tx.conn, query, params, tx.started)
	r.database, r.rx = tx.database, rx
	begin, usage := tx.pendingBegin, tx.pendingTelemetry
	tx.pendingBegin, tx.pendingTelemetry = nil, nil
	if err := r.start(ctx, &bolt.Run{Query: query, Params: params}, begin, usage); err != nil {
		var state *bolt.StateError
		if errors.As(err, &state) && state.State == bolt.StateFailed {
			// A query of the transaction failed; its result may not have
			// recorded the failure yet.
			return nil, tx.terminatedByFailure(ctx)
		}
		tx.markFailed(err)
		return nil, err
	}
	tx.mu.Lock()
	tx.results = append(tx.results, r)
	tx.mu.Unlock()
	return r, nil
}

func (tx *ExplicitTransaction) openResults() []*Result {
	tx.mu.Lock()
	defer tx.mu.Unlock()
	open := make([]*Result, 0, len(tx.results))
	for _, r := range tx.results {
		if r.IsOpen() {
			open = append(open, r)
		}
	}
	return open
}

// terminatedError is the error of Run or Commit on a transaction an
// earlier failure terminated. It matches ErrTransactionTerminated and
// unwraps to that failure, so a managed transaction retries it when the
// failure was retryable.
func terminatedError(cause error) error {
	why := ""
	if cause != nil {
		why = fmt.Sprintf(" (%v)", cause)
	}
	return &UsageError{
		Message: "cannot use this transaction, because it has been terminated by an earlier failure" + why + ": roll it back or close it",
		kind:    ErrTransactionTerminated,
		cause:   cause,
	}
}

// terminatedByFailure is the error of a request the connection refused
// because the server's transaction failed: it waits until the results
// that ended with an error have done their bookkeeping, which records the
// failure on the transaction, and returns terminatedError of it.
func (tx *ExplicitTransaction) terminatedByFailure(ctx context.Context) error {
	tx.mu.Lock()
	results := append([]*Result(nil), tx.results...)
	tx.mu.Unlock()
	for _, r := range results {
		if r.stream.Err() != nil {
			_ = r.stream.Wait(ctx)
		}
	}
	return terminatedError(tx.failure())
}

// settleResults ends every open result: its remaining records are
// discarded; a result that failed fails the transaction.
func (tx *ExplicitTransaction) settleResults(ctx context.Context) error {
	for _, r := range tx.openResults() {
		if _, err := r.Consume(ctx); err != nil && ctx.Err() != nil {
			return ctx.Err()
		}
	}
	tx.mu.Lock()
	defer tx.mu.Unlock()
	tx.results = nil
	return tx.failed
}

// Commit commits the transaction and returns once the server confirmed.
// Records of its results not read yet are discarded.
func (tx *ExplicitTransaction) Commit(ctx context.Context) error {
	if err := tx.check(); err != nil {
		return err
	}
	if err := tx.settleResults(ctx); err != nil {
		tx.endWith(ctx, "", err)
		return terminatedError(err)
	}
	reqs := []bolt.Request{&bolt.Commit{}}
	withTelemetry := tx.pendingBegin != nil && tx.pendingTelemetry != nil
	if tx.pendingBegin != nil {
		reqs = []bolt.Request{tx.pendingBegin, &bolt.Commit{}}
		if tx.pendingTelemetry != nil {
			reqs = append([]bolt.Request{tx.pendingTelemetry}, reqs...)
		}
		tx.pendingBegin, tx.pendingTelemetry = nil, nil
	}
	out, err := tx.conn.Call(tx.traced(ctx), reqs...)
	if err == nil && withTelemetry && tx.telemetrySent != nil {
		tx.telemetrySent.Store(true)
	}
	if err != nil {
		err = tx.mapError(err)
		// A read transaction changed nothing, whatever became of its
		// COMMIT: its connection error stays retryable.
		if IsConnectivityError(err) && tx.session.cfg.AccessMode != AccessModeRead {
			err = newCommitOutcomeUnknownError(err)
		}
		tx.endWith(ctx, "", err)
		return err
	}
	tx.end(ctx, out[len(out)-1].Bookmark)
	return nil
}

// Rollback rolls the transaction back.
func (tx *ExplicitTransaction) Rollback(ctx context.Context) error {
	if err := tx.check(); err != nil {
		return err
	}
	failed := tx.settleResults(ctx)
	var err error
	if failed == nil && tx.pendingBegin == nil && !tx.conn.Broken() {
		_, err = tx.conn.Call(tx.traced(ctx), &bolt.Rollback{})
		err = tx.mapError(err)
	}
	tx.pendingBegin, tx.pendingTelemetry = nil, nil
	tx.endWith(ctx, "", err)
	return err
}

// Close rolls the transaction back unless it was committed or rolled
// back already.
func (tx *ExplicitTransaction) Close(ctx context.Context) error {
	if tx == nil {
		return nil
	}
	tx.mu.Lock()
	done := tx.done
	tx.mu.Unlock()
	if done {
		return nil
	}
	return tx.Rollback(ctx)
}

// traced returns ctx carrying the transaction's span, so the messages of
// its queries are children of it.
func (tx *ExplicitTransaction) traced(ctx context.Context) context.Context {
	if tx.spanCtx == nil {
		return ctx
	}
	return trace.ContextWithSpan(ctx, trace.SpanFromContext(tx.spanCtx))
}

// end releases the connection and tells the session.
func (tx *ExplicitTransaction) end(ctx context.Context, bookmark string) {
	tx.endWith(ctx, bookmark, nil)
}

// endWith ends the transaction; err, when not nil, is recorded on its span.
func (tx *ExplicitTransaction) endWith(ctx context.Context, bookmark string, err error) {
	tx.mu.Lock()
	if tx.done {
		tx.mu.Unlock()
		return
	}
	tx.done = true
	if err == nil {
		err = tx.failed
	}
	tx.mu.Unlock()
	tx.session.driver.routedError(tx.conn.Address, tx.database, err)
	if tx.session.cfg.Auth == nil {
		tx.session.driver.securityFeedback(ctx, tx.conn.Auth(), err)
	}
	tx.release()
	tx.session.finish(ctx, nil, tx, tx.started, bookmark)
	endOperation(tx.op, err)
}

func (tx *ExplicitTransaction) release() { tx.pool.Release(tx.conn) }

// mapError turns a request's error into the public kind.
func (tx *ExplicitTransaction) mapError(err error) error {
	if err == nil {
		return nil
	}
	var f *bolt.Failure
	if errors.As(err, &f) {
		return mapFailure(f)
	}
	if tx.failed != nil {
		return tx.failed
	}
	return mapRequestError(err)
}

// ExecuteRead runs work in a read transaction (routed to a reader in a
// cluster), retrying it on transient failures for up to the driver's
// MaxTransactionRetryTime, and returns what work returned.
func (s *Session) ExecuteRead(ctx context.Context, work ManagedTransactionWork, configurers ...func(*TransactionConfig)) (any, error) {
	return s.executeManaged(ctx, AccessModeRead, work, configurers...)
}

// ExecuteWrite runs work in a write transaction, retrying it on transient
// failures for up to the driver's MaxTransactionRetryTime, and returns
// what work returned.
func (s *Session) ExecuteWrite(ctx context.Context, work ManagedTransactionWork, configurers ...func(*TransactionConfig)) (any, error) {
	return s.executeManaged(ctx, AccessModeWrite, work, configurers...)
}

func (s *Session) executeManaged(ctx context.Context, mode AccessMode, work ManagedTransactionWork, configurers ...func(*TransactionConfig)) (any, error) {
	if work == nil {
		return nil, usageErrorf("boltrx: the transaction work function is nil")
	}
	policy := retry.New(retry.Config{
		MaxRetryTime: s.driver.cfg.MaxTransactionRetryTime,
		IsRetryable:  IsRetryable,
		LimitError:   newTransactionExecutionLimit,
	})
	saved := s.cfg.AccessMode
	s.cfg.AccessMode = mode
	s.managedTelemetrySent = new(atomic.Bool)
	defer func() { s.cfg.AccessMode, s.managedTelemetrySent = saved, nil }()
	var op *telemetry.Operation
	if !s.executeQuery { // ExecuteQuery's own span holds the attempts
		ctx, op = s.driver.tel.StartOperation(ctx, telemetry.KindManagedTransaction, s.operationAttrs(""))
	}
	for n := 1; ; n++ {
		attrs := s.operationAttrs("")
		attrs.Attempt = n
		actx, aop := s.driver.tel.StartOperation(ctx, telemetry.KindAttempt, attrs)
		value, err := s.attempt(actx, work, configurers...)
		endOperation(aop, err)
		if err == nil {
			endOperation(op, nil)
			return value, nil
		}
		if !policy.Continue(ctx, err) {
			if policy.Attempts() > 1 && IsRetryable(err) {
				err = policy.Err()
			}
			endOperation(op, err)
			return nil, err
		}
	}
}

// attempt runs work once in a new transaction and commits it.
func (s *Session) attempt(ctx context.Context, work ManagedTransactionWork, configurers ...func(*TransactionConfig)) (any, error) {
	// BEGIN goes out on its own and the work function runs once the
	// server accepted it, so that a failing BEGIN never runs the work;
	// ExecuteQuery, whose work is known, pipelines it with its RUN.
	api := bolt.TelemetryManagedTx
	if s.executeQuery {
		api = bolt.TelemetryExecuteQuery
	}
	tx, err := s.beginTx(ctx, s.executeQuery, api, configurers...)
	if err != nil {
		return nil, err
	}
	s.started(nil, tx)
	value, err := work(managedTx{tx})
	if err != nil {
		_ = tx.Close(ctx)
		return nil, err
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, err
	}
	return value, nil
}

// managedTx hides Commit and Rollback from the work function.
type managedTx struct{ tx *ExplicitTransaction }

func (m managedTx) Run(ctx context.Context, query string, params map[string]any) (*Result, error) {
	return m.tx.Run(ctx, query, params)
}

// ExecuteQuery runs one query in a managed transaction, with retries, and
// returns all its records. By default it writes, uses the driver's own
// bookmark manager (so successive calls are causally chained) and the
// default database; options change that.
func (d *Driver) ExecuteQuery(ctx context.Context, query string, params map[string]any, options ...ExecuteQueryConfigurationOption) (*EagerResult, error) {
	if err := d.checkOpen(); err != nil {
		return nil, err
	}
	cfg, err := newExecuteQueryConfiguration(d.defaultBookmarks, options...)
	if err != nil {
		return nil, err
	}
	ctx, op := d.tel.StartOperation(ctx, telemetry.KindExecuteQuery, telemetry.OperationAttrs{Database: cfg.Database, QueryText: query})
	res, err := d.executeQuery(ctx, cfg, query, params)
	endOperation(op, err)
	return res, err
}

func (d *Driver) executeQuery(ctx context.Context, cfg *ExecuteQueryConfiguration, query string, params map[string]any) (*EagerResult, error) {
	sess, err := d.NewSession(ctx, cfg.sessionConfig())
	if err != nil {
		return nil, err
	}
	sess.executeQuery = true
	defer sess.Close(ctx)
	work := func(tx ManagedTransaction) (any, error) {
		r, err := tx.Run(ctx, query, params)
		if err != nil {
			return nil, err
		}
		records, err := r.Collect(ctx)
		if err != nil {
			return nil, err
		}
		keys, err := r.Keys(ctx)
		if err != nil {
			return nil, err
		}
		summary, err := r.Consume(ctx)
		if err != nil {
			return nil, err
		}
		return &EagerResult{Keys: keys, Records: records, Summary: summary}, nil
	}
	var out any
	if cfg.Routing == Read {
		out, err = sess.ExecuteRead(ctx, work, cfg.TransactionConfigurers...)
	} else {
		out, err = sess.ExecuteWrite(ctx, work, cfg.TransactionConfigurers...)
	}
	if err != nil {
		return nil, err
	}
	return out.(*EagerResult), nil
}
