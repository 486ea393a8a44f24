// Package streams is boltrx's streaming engine: a Stream is one query's
// result, whose consumer's demand becomes PULL {n, qid} batches. Its
// consumer takes records with Next, a blocking call that returns the
// records queued so far (one chunk at a time); the rxgo Observables of the
// public API (boltrx.RxResult) are built on top of it in the root package.
//
// Records come from whichever goroutine reads the connection: the
// consumer itself when it waits for a short answer, else the connection's
// background reader, which hands them over in runs (RecordsHandler): one
// lock and at most one wake-up of the consumer per run, records stored in
// chunks shared by many records. While the consumer waits idle, the reader
// hands it runs undecoded (RawRecordsHandler) and reads on, so decoding
// runs on two goroutines. No record hops through a mailbox or a channel
// on its own here (the Observable that RxResult makes of a Stream is
// rxgo's, and rxgo delivers each item on its channel).
//
// The next PULL goes out when the records waiting for the consumer fall
// below a low watermark while the server has more, so the next batch
// arrives while the consumer is still working; a consumer that stops
// taking records stops the PULLs, which bounds memory by about two batches
// whatever the size of the result. With MaxFetchSize, batches grow while
// records keep arriving to a consumer that ran dry, and shrink back when
// they do not.
package streams
