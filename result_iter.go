package boltrx

import (
	"context"
	"iter"
)

// Records returns the rest of the result as a Go iterator (as
// neo4j-go-driver v6's ResultWithContext.Records):
//
//	for rec, err := range res.Records(ctx) {
//		if err != nil {
//			return err
//		}
//		...
//	}
//
// The error, if the result fails, is the last pair, with a nil record.
// Breaking out of the loop leaves the rest of the result unread; Consume
// discards it (closing the session does too).
func (r *Result) Records(ctx context.Context) iter.Seq2[*Record, error] {
	return func(yield func(*Record, error) bool) {
		for r.Next(ctx) {
			if !yield(r.Record(), nil) {
				return
			}
		}
		if err := r.Err(); err != nil {
			yield(nil, err)
		}
	}
}
