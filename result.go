package boltrx

import (
	"context"
	"errors"
	"io"
	"sync"
	"sync/atomic"

	"github.com/boltrx/boltrx/actors"
	"github.com/boltrx/boltrx/bolt"
	"github.com/boltrx/boltrx/streams"
	"github.com/boltrx/boltrx/telemetry"
)

// Result is a query's result, read record by record with Next. Records
// arrive in batches of the session's fetch size; the next batch is asked
// for while the caller is still reading the current one. The blocking
// Result and the reactive RxResult share one engine (package streams).
type Result struct {
	session  *Session
	tx       *ExplicitTransaction // nil for an auto-commit result
	pool     *actors.Pool
	conn     *actors.Conn
	query    string
	params   map[string]any
	started  Bookmarks
	stream   *streams.Stream
	op       *telemetry.Operation // an auto-commit result's span, ended with the stream
	database string               // the database the query runs in, for routing feedback
	rx       *rxMode              // nil: read by Next; else how an Rx subscription reads it

	batch   []Record
	pos     int
	current *Record
	err     error
	ended   bool // Next returned false
	// consumed: Consume ran, or the result's transaction ended; reading
	// records is a usage error from then on.
	consumed bool
	peeked   bool
	// drained: the stream was read to its end into batch (buffer), whose
	// records still come out of Next; drainErr ends them.
	drained  bool
	drainErr error
	// lowWatermark is the stream's; heldReported: the stream needs no
	// more news of the records left in batch (see reportHeld).
	lowWatermark int
	heldReported bool

	summaryOnce sync.Once
	summary     ResultSummary
}

func newResult(_ context.Context, s *Session, tx *ExplicitTransaction, pool *actors.Pool, conn *actors.Conn, query string, params map[string]any, started Bookmarks) *Result {
	return &Result{session: s, tx: tx, pool: pool, conn: conn, query: query, params: params, started: started}
}

// start sends [BEGIN +] RUN + PULL {n} in one write.
func (r *Result) start(ctx context.Context, run *bolt.Run, begin *bolt.Begin, usage *bolt.Telemetry) error {
	fetchSize := int64(r.session.fetchSize)
	if !r.conn.Caps.PullN {
		fetchSize = bolt.All // Bolt 3 has only PULL_ALL
	}
	opts := streams.Options{
		FetchSize:    fetchSize,
		MaxFetchSize: int64(r.session.maxFetchSize),
		MapFailure:   r.mapFailure,
		MapConnError: func(err error) error { return connectivityError(err) },
		MapRefusal:   r.refusal,
		Earlier:      r.earlierFailure,
		OnDone:       r.onStreamDone,
		SpanContext:  ctx,
		// Next hands records out one by one from the batches it takes:
		// the records of a batch not read yet count towards the low
		// watermark (reportHeld).
		HeldByConsumer: true,
	}
	if r.rx != nil {
		// An Rx subscription hands what it takes to its channel, whose
		// reader the stream cannot see: taken counts as consumed. Its
		// batches grow while the subscriber waits, by default.
		opts.HeldByConsumer = false
		opts.WholeBatches = r.rx.wholeBatches
		opts.ConsumerBusy = r.rx.busy
		opts.MaxFetchSize = rxMaxFetchSize(fetchSize, int64(r.session.maxFetchSize))
	}
	r.stream = streams.New(r.conn, opts)
	r.lowWatermark = r.stream.LowWatermark()
	reqs := make([]bolt.Request, 0, 4)
	hs := make([]streams.Handler, 0, 4)
	if usage != nil {
		reqs = append(reqs, usage)
		var sent *atomic.Bool
		if r.tx != nil {
			sent = r.tx.telemetrySent
		}
		hs = append(hs, telemetryHandler{sent: sent})
	}
	var beginH *beginHandler
	if begin != nil {
		beginH = &beginHandler{tx: r.tx, mapFailure: r.mapFailure}
		reqs = append(reqs, begin)
		hs = append(hs, beginH)
	}
	pull, pullH := r.stream.FirstPull()
	reqs = append(reqs, run, pull)
	hs = append(hs, r.stream.RunHandler(), pullH)
	if err := r.conn.Pipeline(ctx, reqs, hs); err != nil {
		// Nothing was written; the stream's handlers will never be called.
		r.stream.Cancel(err)
		if r.tx == nil {
			r.pool.Release(r.conn)
		}
		return mapRequestError(err)
	}
	return nil
}

// rxMaxFetchSize is the bound of an Rx result's batches: the configured
// MaxFetchSize, or DefaultRxMaxFetchSizeFactor times the fetch size when
// none is configured (0). A negative MaxFetchSize keeps batches fixed.
func rxMaxFetchSize(fetchSize, configured int64) int64 {
	switch {
	case fetchSize <= 0:
		return 0
	case configured == 0:
		return DefaultRxMaxFetchSizeFactor * fetchSize
	case configured < 0:
		return 0
	}
	return configured
}

// mapFailure maps a FAILURE of the result's requests. A security failure
// goes to the token manager first, so that the error the caller sees is
// retryable when the manager handled it.
func (r *Result) mapFailure(f *bolt.Failure) error {
	err := mapFailure(f)
	if r.session.cfg.Auth == nil {
		r.session.driver.securityFeedback(context.Background(), r.conn.Auth(), err)
	}
	return err
}

// earlierFailure is the failure of the transaction the result runs in
// (its pipelined BEGIN, or an earlier query), nil for auto-commit.
func (r *Result) earlierFailure() error {
	if r.tx == nil {
		return nil
	}
	r.tx.mu.Lock()
	defer r.tx.mu.Unlock()
	return r.tx.failed
}

// onStreamDone runs on the connection's reader goroutine once the server
// answered every request of the result: an auto-commit result reports its
// bookmark and gives the connection back.
func (r *Result) onStreamDone(s *streams.Stream, outcome streams.Outcome) {
	if outcome != streams.Clean {
		r.session.driver.routedError(r.conn.Address, r.database, s.Err())
		if r.session.cfg.Auth == nil {
			r.session.driver.securityFeedback(context.Background(), r.conn.Auth(), s.Err())
		}
	}
	if r.tx != nil {
		if outcome != streams.Clean {
			r.tx.markFailed(s.Err())
		}
		return
	}
	sum, _ := s.Summary()
	r.session.learnHome(sum.Database)
	r.session.finish(context.Background(), r, nil, r.started, sum.Bookmark)
	r.pool.Release(r.conn)
	if err := s.Err(); err != nil && !errors.Is(err, streams.ErrCancelled) {
		endOperation(r.op, err)
	} else {
		endOperation(r.op, nil)
	}
}

// refusal is the error of a result whose next PULL or DISCARD the
// connection refused. In a transaction that a failure terminated (the
// server is FAILED), the result failed with the transaction; otherwise
// the refusal is a usage error.
func (r *Result) refusal(err error) error {
	var state *bolt.StateError
	if r.tx != nil && errors.As(err, &state) && state.State == bolt.StateFailed {
		// The failure's own bookkeeping may still be on its way to the
		// transaction; the server state already says it failed.
		cause, why := r.tx.failure(), ""
		if cause != nil {
			why = " (" + cause.Error() + ")"
		}
		return &UsageError{
			Message: "boltrx: the result failed: its transaction was terminated by an earlier failure" + why +
				", so no more of its records can be read: roll the transaction back or close it",
			kind:  ErrTransactionTerminated,
			cause: cause,
		}
	}
	return mapRequestError(err)
}

// mapFailure turns a FAILURE into the public error.
func mapFailure(f *bolt.Failure) error { return publicServerError(newNeo4jError(f)) }

// mapRequestError turns a refused request into the public error.
func mapRequestError(err error) error {
	if errors.Is(err, bolt.ErrUsage) {
		return wrapUsageError(err, "boltrx: %v", err)
	}
	return connectivityError(err)
}

// Keys returns the result's column names, waiting for the server's
// answer to the query.
func (r *Result) Keys(ctx context.Context) ([]string, error) {
	return r.stream.Keys(ctx)
}

// Next advances to the next record and reports whether there is one.
// After false, Err tells whether the result ended with an error.
func (r *Result) Next(ctx context.Context) bool {
	if r.refuseConsumed() {
		return false
	}
	if r.peeked {
		r.peeked = false
		r.current = &r.batch[r.pos-1]
		return true
	}
	if !r.fill(ctx) {
		r.current = nil
		return false
	}
	r.current = &r.batch[r.pos]
	r.pos++
	r.reportHeld()
	return true
}

// reportHeld tells the stream how many records of the current batch are
// still unread once they are fewer than the low watermark, so that the
// next PULL goes out while the caller reads the last ones.
func (r *Result) reportHeld() {
	held := len(r.batch) - r.pos
	if r.heldReported || r.drained || held >= r.lowWatermark {
		return
	}
	r.heldReported = r.stream.Held(held)
}

// fill makes sure a record is available at r.pos, fetching the next batch
// from the stream when needed.
func (r *Result) fill(ctx context.Context) bool {
	for r.pos >= len(r.batch) {
		if r.ended {
			return false
		}
		if r.drained {
			r.ended = true
			r.batch, r.pos = nil, 0
			r.err = r.drainErr
			return false
		}
		batch, err := r.stream.Next(ctx)
		if err != nil {
			r.ended = true
			r.batch, r.pos = nil, 0
			// io.EOF itself (not an error wrapping it, such as a
			// connection closed by the server) is the result's end.
			if err != io.EOF {
				r.err = err
			}
			// Wait for the bookkeeping of the end (bookmark, connection
			// back in its pool, span ended), after an error too.
			_ = r.stream.Wait(ctx)
			return false
		}
		r.batch, r.pos = batch, 0
		r.heldReported = false
	}
	return true
}

// Peek returns the next record without moving past it, or nil and false
// at the end.
func (r *Result) Peek(ctx context.Context) (*Record, bool) {
	if r.refuseConsumed() {
		return nil, false
	}
	if r.peeked {
		return &r.batch[r.pos-1], true
	}
	if !r.fill(ctx) {
		return nil, false
	}
	r.pos++
	r.peeked = true
	r.reportHeld()
	return &r.batch[r.pos-1], true
}

// PeekRecord is Peek in the shape of neo4j-go-driver's ResultWithContext.
func (r *Result) PeekRecord(ctx context.Context, record **Record) bool {
	rec, ok := r.Peek(ctx)
	*record = rec
	return ok
}

// NextRecord is Next in the shape of neo4j-go-driver's ResultWithContext.
func (r *Result) NextRecord(ctx context.Context, record **Record) bool {
	ok := r.Next(ctx)
	*record = r.current
	return ok
}

// refuseConsumed makes reading a consumed result fail with a usage error.
func (r *Result) refuseConsumed() bool {
	if !r.consumed {
		return false
	}
	r.current = nil
	r.err = usageErrorOf(ErrResultConsumed, "boltrx: the result was consumed (Consume, or the end of its transaction): read its records before, or keep what Collect returned")
	return true
}

// Record returns the current record (after Next returned true).
func (r *Result) Record() *Record { return r.current }

// Err returns the error that ended the result, nil after a complete one.
func (r *Result) Err() error { return r.err }

// IsOpen reports whether the result may still produce records.
func (r *Result) IsOpen() bool { return !r.ended }

// Collect returns the remaining records. It asks the server for all of
// them at once (PULL {n: -1}) rather than batch by batch.
func (r *Result) Collect(ctx context.Context) ([]*Record, error) {
	if !r.consumed && !r.ended && !r.drained {
		r.stream.FetchAll()
	}
	var out []*Record
	for r.Next(ctx) {
		out = append(out, r.current)
	}
	if r.err != nil {
		return nil, r.err
	}
	return out, nil
}

// Single returns the only remaining record; no record or more than one
// is an error (the rest of the result is discarded).
func (r *Result) Single(ctx context.Context) (*Record, error) {
	rec, err := r.onlyRecord(ctx, "Single")
	if rec == nil && err == nil {
		return nil, usageErrorf("boltrx: Result.Single: the result has no record")
	}
	return rec, err
}

// onlyRecord reads the result to its end and returns its only remaining
// record, nil when none remains, or a usage error naming method when
// more than one remains (the rest discarded on the server).
func (r *Result) onlyRecord(ctx context.Context, method string) (*Record, error) {
	if !r.Next(ctx) {
		return nil, r.err
	}
	rec := r.current
	if r.Next(ctx) {
		_, _ = r.Consume(ctx)
		return nil, usageErrorf("boltrx: Result.%s: the result has more than one record", method)
	}
	if r.err != nil {
		return nil, r.err
	}
	return rec, nil
}

// SingleOptional returns the only remaining record, or nil when none
// remains: unlike Single, an empty result is not an error. More than one
// record is a usage error, as with Single. Either way the result is read
// to its end (the rest discarded on the server).
//
//	rec, err := res.SingleOptional(ctx)
//	if err != nil {
//		return err
//	}
//	if rec == nil {
//		// not found
//	}
func (r *Result) SingleOptional(ctx context.Context) (*Record, error) {
	return r.onlyRecord(ctx, "SingleOptional")
}

// Consume discards the remaining records (on the server, without sending
// them) and returns the summary.
func (r *Result) Consume(ctx context.Context) (ResultSummary, error) {
	if r.consumed && r.err != nil && errors.Is(r.err, ErrResultConsumed) {
		r.err = nil // a refused read does not make the summary fail
	}
	r.consumed = true
	if !r.ended && r.drained {
		r.ended = true
		r.batch, r.pos, r.current = nil, 0, nil
		r.err = r.drainErr
	}
	if !r.ended {
		r.stream.Cancel(nil)
		if err := r.stream.Wait(ctx); err != nil {
			return nil, err
		}
		r.ended = true
		r.batch, r.pos, r.current = nil, 0, nil
		if err := r.stream.Err(); err != nil && !errors.Is(err, streams.ErrCancelled) {
			r.err = err
		}
	}
	if r.err != nil {
		return nil, r.err
	}
	return r.Summary(), nil
}

// buffer reads the rest of the result into memory, so the connection can
// carry the session's next query while the caller still reads this one.
func (r *Result) buffer(ctx context.Context) error {
	if r.ended || r.drained {
		return nil
	}
	from := r.pos
	if r.peeked {
		from--
	}
	rest := append([]Record(nil), r.batch[from:]...)
	r.stream.FetchAll()
	for {
		batch, err := r.stream.Next(ctx)
		if err != nil {
			if err != io.EOF {
				r.drainErr = err
			}
			break
		}
		rest = append(rest, batch...)
	}
	r.drained = true
	r.batch, r.pos = rest, 0
	if r.peeked {
		r.pos = 1
	}
	return r.stream.Wait(ctx)
}

// Summary returns the result's summary; call it after the result ended
// (Consume does it).
func (r *Result) Summary() ResultSummary {
	r.summaryOnce.Do(func() {
		sum, _ := r.stream.Summary()
		r.summary = newResultSummary(summaryInput{
			QueryText:     r.query,
			Parameters:    r.params,
			ServerAddress: r.conn.Address,
			ServerAgent:   r.conn.Server,
			Protocol:      r.conn.Version,
			Run:           &sum,
			End:           &sum,
			HadRecords:    r.stream.Received() > 0,
		})
	})
	return r.summary
}

// beginHandler handles a BEGIN pipelined with the transaction's first
// RUN: a failure fails the transaction, and the RUN's result reports it
// (through Result.earlierFailure) when the server ignores the RUN and
// PULL after it.
type beginHandler struct {
	tx         *ExplicitTransaction
	mapFailure func(*bolt.Failure) error
}

func (h *beginHandler) OnRecord([]any) {}

func (h *beginHandler) OnSummary(resp *bolt.Response) {
	if resp.Kind == bolt.ResponseSuccess {
		h.tx.session.learnHome(resp.Success.Database)
	}
	if resp.Kind == bolt.ResponseFailure {
		f := resp.Failure
		h.tx.markFailed(h.mapFailure(&f))
	}
}

func (h *beginHandler) OnConnError(err error) { h.tx.markFailed(connectivityError(err)) }

// telemetryHandler handles the answer to TELEMETRY: a failure shows in
// the requests pipelined after it, which the server then ignores; a
// success is recorded in sent (when not nil).
type telemetryHandler struct{ sent *atomic.Bool }

func (telemetryHandler) OnRecord([]any) {}
func (h telemetryHandler) OnSummary(resp *bolt.Response) {
	if resp.Kind == bolt.ResponseSuccess && h.sent != nil {
		h.sent.Store(true)
	}
}
func (telemetryHandler) OnConnError(error) {}
