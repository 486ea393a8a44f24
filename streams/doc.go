// Package streams is boltrx's streaming engine: a Stream is one query's
// result, whose consumer's demand becomes PULL {n, qid} batches. Its
// consumer takes records with Next, a blocking call that returns every
// record queued so far as one batch; the rxgo Observables of the public API
// (boltrx.RxResult) are built on top of it in the root package.
//
// Records arrive from the connection's reader goroutine in batches, which
// the Stream queues under its lock; the reader wakes the consumer through a
// one-slot channel only when the consumer waits for records, so no record
// hops through a mailbox or a channel on its own here. (The Observable that RxResult makes
// of a Stream is rxgo's, and rxgo delivers each item on its channel.) The
// next PULL goes out when the records waiting for the consumer fall below a
// low watermark while the server has more, so the next batch arrives while
// the consumer is still working; a consumer that stops taking records stops
// the PULLs, which bounds memory by about two batches whatever the size of
// the result.
package streams
