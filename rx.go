package boltrx

import (
	"context"
	"errors"
	"io"
	"sync"
	"sync/atomic"

	"github.com/reactivex/rxgo/v2"
)

// ErrAlreadySubscribed is the error item a second subscriber of an
// RxResult gets: a result's records can be observed once.
var ErrAlreadySubscribed = errors.New("boltrx: the result's records are already being observed: an RxResult has one subscriber; run the query again for another")

// RxResult is a query's result as a cold reactive stream: nothing is sent
// to the server until Records' (or RecordBatches') Observable is
// observed. The subscriber's demand drives the wire: the next PULL {n}
// goes out when the records not yet taken fall below a low watermark, and
// a subscriber that stops taking records stops the PULLs, so memory stays
// bounded by about two batches of the fetch size.
//
// By default the batches of an RxResult grow while its subscriber waits
// for records (see Config.MaxFetchSize: up to DefaultRxMaxFetchSizeFactor
// times the fetch size unless MaxFetchSize says otherwise), and the
// Observable's channel is buffered (DefaultRxBuffer records).
type RxResult struct {
	start func(ctx context.Context, mode *rxMode) (*Result, error)
	ctx   context.Context

	subscribed atomic.Bool
	started    chan struct{} // closed once the query was sent (or failed to be)
	once       sync.Once
	result     *Result
	err        error
}

// DefaultRxBuffer is the capacity of the channel of Records' Observable
// unless the caller's rxgo options say otherwise
// (rxgo.WithBufferedChannel(0) makes it unbuffered): the subscription's
// producer runs up to this many records ahead of the subscriber, so a
// record costs a channel send, not a goroutine switch. These records
// count as taken: with a slow subscriber, memory holds them on top of
// about two batches.
const DefaultRxBuffer = 256

// DefaultRxMaxFetchSizeFactor bounds the growth of an RxResult's batches
// when neither Config.MaxFetchSize nor SessionConfig.MaxFetchSize is set:
// a starved subscriber's PULLs grow up to this many times the fetch size.
const DefaultRxMaxFetchSizeFactor = 16

// rxMode is how an Rx subscription consumes its result's stream.
type rxMode struct {
	// wholeBatches: one item per PULL batch (RecordBatches).
	wholeBatches bool
	// busy reports, when records arrive after the subscription waited
	// for them, whether its subscriber still had work then (see
	// streams.Options.ConsumerBusy).
	busy func() bool
}

func newRxResult(ctx context.Context, start func(ctx context.Context, mode *rxMode) (*Result, error)) *RxResult {
	return &RxResult{start: start, ctx: ctx, started: make(chan struct{})}
}

// RunRx returns the result of query, run in an auto-commit transaction
// when the result's records are first observed.
func (s *Session) RunRx(ctx context.Context, query string, params map[string]any, configurers ...func(*TransactionConfig)) *RxResult {
	return newRxResult(ctx, func(ctx context.Context, mode *rxMode) (*Result, error) {
		return s.runAutoCommit(ctx, query, params, mode, configurers...)
	})
}

// RunRx returns the result of query, run in the transaction when the
// result's records are first observed. Several results of one
// transaction may stream at once, each pulled by its own qid.
func (tx *ExplicitTransaction) RunRx(ctx context.Context, query string, params map[string]any) *RxResult {
	return newRxResult(ctx, func(ctx context.Context, mode *rxMode) (*Result, error) {
		return tx.run(ctx, query, params, mode)
	})
}

// launch sends the query, once.
func (rr *RxResult) launch(ctx context.Context, mode *rxMode) (*Result, error) {
	rr.once.Do(func() {
		rr.result, rr.err = rr.start(ctx, mode)
		close(rr.started)
	})
	return rr.result, rr.err
}

// Records returns the cold Observable of the result's records, each item a
// *Record; an error item ends it when the query fails, and the stream ends
// with the context's error when it is cancelled. Disposing the
// subscription (cancelling the context given with rxgo.WithContext)
// discards the rest of the result on the server.
//
// opts are rxgo options of the Observable, applied after the default
// rxgo.WithBufferedChannel(DefaultRxBuffer): rxgo.WithBufferedChannel(n)
// lets the producer run up to n records ahead of the subscriber (0 hands
// over one record at a time); rxgo.WithContext(ctx) gives a context whose
// cancellation unsubscribes.
func (rr *RxResult) Records(opts ...rxgo.Option) rxgo.Observable {
	opts = append([]rxgo.Option{rxgo.WithBufferedChannel(DefaultRxBuffer)}, opts...)
	return rxgo.Defer([]rxgo.Producer{func(rxCtx context.Context, next chan<- rxgo.Item) {
		rr.produce(rxCtx, next, false)
	}}, opts...)
}

// RecordBatches returns the cold Observable of the result's records in
// batches: each item is a []*Record holding the answer to one PULL (the
// last batch may be cut short by a failure, which follows it as an error
// item). It suits pipelines that work a batch at a time (bulk writes to
// another store, say) and costs one channel hand-over per batch instead
// of per record. The same backpressure holds: a subscriber that stops
// taking batches stops the PULLs. Cancellation and opts are as for
// Records; the channel is unbuffered unless opts say otherwise.
func (rr *RxResult) RecordBatches(opts ...rxgo.Option) rxgo.Observable {
	return rxgo.Defer([]rxgo.Producer{func(rxCtx context.Context, next chan<- rxgo.Item) {
		rr.produce(rxCtx, next, true)
	}}, opts...)
}

// linkContext returns a context that ends with parent or, with its
// cause, when the subscription's rxCtx ends; release frees it.
func linkContext(parent, rxCtx context.Context) (ctx context.Context, release func()) {
	ctx, cancel := context.WithCancelCause(parent)
	stop := context.AfterFunc(rxCtx, func() { cancel(context.Cause(rxCtx)) })
	return ctx, func() {
		stop()
		cancel(nil)
	}
}

// produce runs in rxgo's producer goroutine of the subscription: it
// takes the stream's records as they arrive (one PULL batch at a time
// with batches) and hands them to next.
func (rr *RxResult) produce(rxCtx context.Context, next chan<- rxgo.Item, batches bool) {
	if !rr.subscribed.CompareAndSwap(false, true) {
		rxgo.Error(ErrAlreadySubscribed).SendContext(rxCtx, next)
		return
	}
	ctx, release := linkContext(rr.ctx, rxCtx)
	defer release()

	// The subscriber is busy while records wait in the channel, or, for
	// batches (often on an unbuffered channel), while it has not taken
	// the latest one by the time the next is ready.
	var batchPending bool
	busy := func() bool { return len(next) > 0 }
	if batches {
		busy = func() bool { return batchPending || len(next) > 0 }
	}
	mode := &rxMode{wholeBatches: batches, busy: busy}
	res, err := rr.launch(ctx, mode)
	if err != nil {
		rxgo.Error(err).SendContext(rxCtx, next)
		return
	}
	st := res.stream
	// cancelled ends a subscription whose context ended: the engine
	// sends DISCARD or the session RESETs; a clean connection comes
	// back before the stream ends.
	cancelled := func(send bool) {
		st.Cancel(context.Cause(ctx))
		_ = st.Wait(context.WithoutCancel(ctx))
		if send {
			select {
			case next <- rxgo.Error(context.Cause(ctx)):
			default:
			}
		}
	}
	for {
		batch, err := st.Next(ctx)
		if err == io.EOF {
			_ = st.Wait(ctx)
			return
		}
		if err != nil {
			if ctx.Err() != nil {
				cancelled(false)
				err = context.Cause(ctx)
			}
			select {
			case next <- rxgo.Error(err):
			case <-rxCtx.Done():
			case <-rr.ctx.Done():
			}
			return
		}
		if batches {
			out := make([]*Record, len(batch))
			for i := range batch {
				out[i] = &batch[i]
			}
			item := rxgo.Of(out)
			select {
			case next <- item:
				batchPending = false // the subscriber was waiting for it
				continue
			default:
			}
			batchPending = true
			select {
			case next <- item:
			case <-ctx.Done():
				cancelled(true)
				return
			}
			continue
		}
		if ctx.Err() != nil {
			cancelled(true)
			return
		}
		for i := range batch {
			// This goroutine is the channel's only sender: while the
			// channel has room, a plain send cannot block and costs less
			// than a select that also locks ctx's channel. A full
			// channel waits for the subscriber or the context.
			if len(next) < cap(next) {
				next <- rxgo.Of(&batch[i])
				continue
			}
			select {
			case next <- rxgo.Of(&batch[i]):
			case <-ctx.Done():
				cancelled(true)
				return
			}
		}
	}
}

// Keys returns the result's column names once the query was sent (after
// the first subscription).
func (rr *RxResult) Keys(ctx context.Context) ([]string, error) {
	if err := rr.awaitStart(ctx); err != nil {
		return nil, err
	}
	return rr.result.Keys(ctx)
}

// awaitStart waits until the query was sent (or failed to be) and
// returns the error of sending it, or ctx's.
func (rr *RxResult) awaitStart(ctx context.Context) error {
	select {
	case <-rr.started:
		return rr.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Summary returns the result's summary after the stream completed.
func (rr *RxResult) Summary(ctx context.Context) (ResultSummary, error) {
	if err := rr.awaitStart(ctx); err != nil {
		return nil, err
	}
	if err := rr.result.stream.Wait(ctx); err != nil {
		return nil, err
	}
	if err := rr.result.stream.Err(); err != nil {
		return nil, err
	}
	return rr.result.Summary(), nil
}

// Pulls returns how many PULL requests the result has sent so far, to
// watch backpressure at work.
func (rr *RxResult) Pulls() int {
	select {
	case <-rr.started:
	default:
		return 0
	}
	if rr.result == nil {
		return 0
	}
	return rr.result.stream.Pulls()
}
