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
// to the server until Records' Observable is observed. The subscriber's
// demand drives the wire: the next PULL {n} goes out when the records not
// yet taken fall below a low watermark, and a subscriber that stops taking
// records stops the PULLs, so memory stays bounded by about two batches.
type RxResult struct {
	start func(ctx context.Context) (*Result, error)
	ctx   context.Context

	subscribed atomic.Bool
	started    chan struct{} // closed once the query was sent (or failed to be)
	once       sync.Once
	result     *Result
	err        error
}

func newRxResult(ctx context.Context, start func(ctx context.Context) (*Result, error)) *RxResult {
	return &RxResult{start: start, ctx: ctx, started: make(chan struct{})}
}

// RunRx returns the result of query, run in an auto-commit transaction
// when the result's records are first observed.
func (s *Session) RunRx(ctx context.Context, query string, params map[string]any, configurers ...func(*TransactionConfig)) *RxResult {
	return newRxResult(ctx, func(ctx context.Context) (*Result, error) {
		return s.Run(ctx, query, params, configurers...)
	})
}

// RunRx returns the result of query, run in the transaction when the
// result's records are first observed. Several results of one
// transaction may stream at once, each pulled by its own qid.
func (tx *ExplicitTransaction) RunRx(ctx context.Context, query string, params map[string]any) *RxResult {
	return newRxResult(ctx, func(ctx context.Context) (*Result, error) {
		return tx.Run(ctx, query, params)
	})
}

// launch sends the query, once.
func (rr *RxResult) launch(ctx context.Context) (*Result, error) {
	rr.once.Do(func() {
		rr.result, rr.err = rr.start(ctx)
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
// opts are rxgo options of the Observable: rxgo.WithBufferedChannel(n)
// lets the producer run up to n records ahead of the subscriber (the
// default, unbuffered, hands over one record at a time);
// rxgo.WithContext(ctx) gives a context whose cancellation unsubscribes.
func (rr *RxResult) Records(opts ...rxgo.Option) rxgo.Observable {
	return rxgo.Defer([]rxgo.Producer{rr.produce}, opts...)
}

// produce runs in rxgo's producer goroutine of the subscription.
func (rr *RxResult) produce(rxCtx context.Context, next chan<- rxgo.Item) {
	if !rr.subscribed.CompareAndSwap(false, true) {
		rxgo.Error(ErrAlreadySubscribed).SendContext(rxCtx, next)
		return
	}
	ctx, cancel := context.WithCancelCause(rr.ctx)
	defer cancel(nil)
	stop := context.AfterFunc(rxCtx, func() { cancel(context.Cause(rxCtx)) })
	defer stop()

	res, err := rr.launch(ctx)
	if err != nil {
		rxgo.Error(err).SendContext(rxCtx, next)
		return
	}
	for {
		batch, err := res.stream.Next(ctx)
		if err == io.EOF {
			_ = res.stream.Wait(ctx)
			return
		}
		if err != nil {
			if ctx.Err() != nil {
				// Cancelled: the engine sends DISCARD or the session
				// RESETs; wait for a clean connection before ending.
				_ = res.stream.Wait(context.WithoutCancel(ctx))
				err = context.Cause(ctx)
			}
			select {
			case next <- rxgo.Error(err):
			case <-rxCtx.Done():
			case <-rr.ctx.Done():
			}
			return
		}
		// The batch goes to rxgo's channel, whose reader is the one
		// consumer the stream knows of: it counts as taken.
		res.stream.Held(0)
		for i := range batch {
			select {
			case next <- rxgo.Of(&batch[i]):
			case <-ctx.Done():
				res.stream.Cancel(context.Cause(ctx))
				_ = res.stream.Wait(context.WithoutCancel(ctx))
				select {
				case next <- rxgo.Error(context.Cause(ctx)):
				default:
				}
				return
			}
		}
	}
}

// Keys returns the result's column names once the query was sent (after
// the first subscription).
func (rr *RxResult) Keys(ctx context.Context) ([]string, error) {
	select {
	case <-rr.started:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if rr.err != nil {
		return nil, rr.err
	}
	return rr.result.Keys(ctx)
}

// Summary returns the result's summary after the stream completed.
func (rr *RxResult) Summary(ctx context.Context) (ResultSummary, error) {
	select {
	case <-rr.started:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if rr.err != nil {
		return nil, rr.err
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
