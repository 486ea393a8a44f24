// Package streams is boltrx's streaming engine: query results whose
// consumer's demand becomes PULL {n, qid} batches, as a blocking iterator
// and as rxgo Observables over the same Stream.
//
// Records arrive from the connection's reader goroutine in batches; the
// consumer takes every queued record at once, so no record hops through a
// mailbox or a channel on its own. The next PULL goes out when the records
// waiting for the consumer fall below a low watermark while the server has
// more, so the next batch arrives while the consumer is still working; a
// consumer that stops taking records stops the PULLs, which bounds memory
// by about two batches whatever the size of the result.
package streams
