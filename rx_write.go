package boltrx

import (
	"context"

	"github.com/reactivex/rxgo/v2"
)

// RxTransactionWork is the unit of work of ExecuteReadRx/ExecuteWriteRx:
// it returns an Observable of what it produces from the transaction
// (typically built from tx.Run results).
type RxTransactionWork func(ctx context.Context, tx ManagedTransaction) rxgo.Observable

// ExecuteWriteRx runs work in a write transaction when the returned
// Observable is observed, and retries the whole unit of work on transient
// failures (for up to MaxTransactionRetryTime). The items work produces
// are delivered once the transaction committed, so a failed attempt never
// shows through; the unit of work should therefore produce a bounded
// number of items (stream large reads with RunRx).
func (s *Session) ExecuteWriteRx(ctx context.Context, work RxTransactionWork, configurers ...func(*TransactionConfig)) rxgo.Observable {
	return s.executeRx(ctx, AccessModeWrite, work, configurers...)
}

// ExecuteReadRx is ExecuteWriteRx for a read transaction.
func (s *Session) ExecuteReadRx(ctx context.Context, work RxTransactionWork, configurers ...func(*TransactionConfig)) rxgo.Observable {
	return s.executeRx(ctx, AccessModeRead, work, configurers...)
}

func (s *Session) executeRx(ctx context.Context, mode AccessMode, work RxTransactionWork, configurers ...func(*TransactionConfig)) rxgo.Observable {
	return rxgo.Defer([]rxgo.Producer{func(rxCtx context.Context, next chan<- rxgo.Item) {
		ctx, release := linkContext(ctx, rxCtx)
		defer release()
		out, err := s.executeManaged(ctx, mode, func(tx ManagedTransaction) (any, error) {
			var items []any
			for item := range work(ctx, tx).Observe(rxgo.WithContext(ctx)) {
				if item.E != nil {
					return nil, item.E
				}
				items = append(items, item.V)
			}
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			return items, nil
		}, configurers...)
		if err != nil {
			rxgo.Error(err).SendContext(rxCtx, next)
			return
		}
		for _, v := range out.([]any) {
			if !rxgo.Of(v).SendContext(rxCtx, next) {
				return
			}
		}
	}})
}

// BatchResult is what WriteBatchesRx emits for each batch it wrote.
type BatchResult struct {
	// Index counts the batches from 0.
	Index int
	// Rows is how many parameter maps the batch held.
	Rows int
	// Summary is the summary of the batch's query.
	Summary ResultSummary
	// Bookmarks are the session's bookmarks after the batch committed:
	// a restarted job can resume after the last acknowledged batch.
	Bookmarks Bookmarks
}

// WriteBatchesRx writes the parameter maps source emits, batchSize at a
// time: each batch is one managed write transaction (retried on transient
// failures) running query with $batch bound to the list of maps, for
// example "UNWIND $batch AS row CREATE (n:Item) SET n = row". The returned
// Observable emits a BatchResult per batch, after its commit; the next
// items are taken from source only after that, so a slow database slows
// the source instead of filling memory. An error item from source, or a
// failed batch, ends the stream with that error. Nothing happens until the
// returned Observable is observed.
func (s *Session) WriteBatchesRx(ctx context.Context, query string, source rxgo.Observable, batchSize int, configurers ...func(*TransactionConfig)) rxgo.Observable {
	if batchSize <= 0 {
		return rxgo.Thrown(usageErrorf("boltrx: WriteBatchesRx: batchSize must be positive, got %d", batchSize))
	}
	return rxgo.Defer([]rxgo.Producer{func(rxCtx context.Context, next chan<- rxgo.Item) {
		ctx, release := linkContext(ctx, rxCtx)
		defer release()
		items := source.Observe(rxgo.WithContext(ctx))
		batch := make([]any, 0, batchSize)
		index := 0
		flush := func() bool {
			if len(batch) == 0 {
				return true
			}
			summary, err := s.ExecuteWrite(ctx, func(tx ManagedTransaction) (any, error) {
				r, err := tx.Run(ctx, query, map[string]any{"batch": batch})
				if err != nil {
					return nil, err
				}
				return r.Consume(ctx)
			}, configurers...)
			if err != nil {
				rxgo.Error(err).SendContext(rxCtx, next)
				return false
			}
			res := BatchResult{Index: index, Rows: len(batch), Summary: summary.(ResultSummary), Bookmarks: s.LastBookmarks()}
			index++
			batch = make([]any, 0, batchSize)
			return rxgo.Of(res).SendContext(rxCtx, next)
		}
		for item := range items {
			if item.E != nil {
				rxgo.Error(item.E).SendContext(rxCtx, next)
				return
			}
			batch = append(batch, item.V)
			if len(batch) == batchSize && !flush() {
				return
			}
		}
		if err := ctx.Err(); err != nil {
			rxgo.Error(context.Cause(ctx)).SendContext(rxCtx, next)
			return
		}
		flush()
	}})
}
