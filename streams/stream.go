package streams

import (
	"context"
	"errors"
	"io"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/boltrx/boltrx/bolt"
)

// Handler receives the responses to one request. The connection calls it
// on its reader goroutine, in request order; resp is valid only during the
// call.
type Handler interface {
	// OnRecord is called for each RECORD; values belong to the handler.
	OnRecord(values []any)
	// OnSummary is called once with the SUCCESS, FAILURE or IGNORED that
	// ends the request.
	OnSummary(resp *bolt.Response)
	// OnConnError is called instead of OnSummary when the connection broke
	// before the summary arrived.
	OnConnError(err error)
}

// RecordsHandler is a Handler that also takes a run of RECORDs at once:
// the connection hands it the records it finds already read from the
// network in one call, which costs one lock and one wake-up per run
// instead of per record. values and its elements belong to the handler
// only during the call; the values slices themselves (values[i]) belong
// to the handler for good.
type RecordsHandler interface {
	Handler
	OnRecords(values [][]any)
}

// RawRecordsHandler is a RecordsHandler whose consumer can decode records
// itself: while it waits idle for records (WantsRaw), the connection's
// background reader hands it runs of RECORD messages undecoded and reads
// on, so that decoding, the larger part of a record's cost, runs on two
// goroutines instead of one.
type RawRecordsHandler interface {
	RecordsHandler
	// WantsRaw reports whether the next run of records should come
	// undecoded.
	WantsRaw() bool
	// OnRawRecords takes a run of RECORD messages back to back in raw,
	// message i ending at ends[i]; raw and ends belong to the handler
	// only during the call.
	OnRawRecords(raw []byte, ends []uint32)
}

// RecordDecodingConn is a Conn whose records a stream's consumer may
// decode itself (see RawRecordsHandler).
type RecordDecodingConn interface {
	Conn
	// NewRecordDecoder returns a decoder for the connection's RECORDs.
	NewRecordDecoder() *bolt.RecordDecoder
	// BadRecord breaks the connection after a RECORD did not decode.
	BadRecord(err error)
}

// Conn is what a Stream needs from the connection that carries it.
type Conn interface {
	// Request writes req, routes its responses to h, and flushes. Its
	// answer may come while nobody waits for it (a prefetched batch).
	Request(req bolt.Request, h Handler) error
	// Await waits until ready can be received from or ctx ends (then it
	// returns ctx's error), reading and dispatching the connection's
	// responses meanwhile if nobody else does.
	Await(ctx context.Context, ready <-chan struct{}) error
}

// ErrCancelled ends a stream that its consumer cancelled without a context
// error of its own (an unsubscribe).
var ErrCancelled = errors.New("streams: result cancelled by its consumer")

// ErrIgnored ends a stream whose request the server ignored because an
// earlier request on the connection failed.
var ErrIgnored = errors.New("streams: the server ignored the request after an earlier failure")

// Options configure a Stream.
type Options struct {
	// FetchSize is n of every PULL: how many records one batch holds.
	// -1 asks for all records at once. 0 means DefaultFetchSize.
	FetchSize int64
	// MaxFetchSize lets batches grow while the consumer outpaces the
	// network: when records arrived twice in a row to a consumer that had
	// waited for them with nothing left to do (see ConsumerBusy), the next
	// PULL asks for twice as many, up to MaxFetchSize; when the consumer
	// did not starve since the latest PULL, the next asks for half as
	// many, down to FetchSize. A consumer slower than the server therefore
	// always pulls FetchSize records, and one that drains every batch pays
	// one round trip per MaxFetchSize records instead of per FetchSize. 0,
	// or anything not above FetchSize, keeps every PULL at FetchSize.
	MaxFetchSize int64
	// LowWatermark: when fewer records than this wait for the consumer and
	// the server has more, the next PULL goes out. 0 means FetchSize/2
	// (at least 1).
	LowWatermark int
	// MapFailure turns a FAILURE into the error the consumer sees;
	// nil keeps the *bolt.Failure.
	MapFailure func(*bolt.Failure) error
	// MapConnError turns a broken connection into the error the consumer
	// sees; nil keeps the error.
	MapConnError func(error) error
	// MapRefusal turns the error of a PULL or DISCARD the connection
	// refused to send (one matching bolt.ErrUsage: the server state does
	// not allow it, e.g. after another query of the transaction failed)
	// into the error the consumer sees; nil keeps the error. The stream
	// ends with it; the connection stays as it was.
	MapRefusal func(error) error
	// HeldByConsumer is for a consumer that keeps the batches Next hands
	// out and reads them record by record (the blocking Result): records
	// it took but has not read count towards the low watermark. Taking a
	// batch then does not send the next PULL by itself; the consumer
	// reports what it still holds with Held as it reads.
	HeldByConsumer bool
	// Earlier returns the failure of a request pipelined before the RUN
	// (a transaction's BEGIN), or nil. When the RUN or a PULL is ignored
	// or the connection breaks after such a failure, the consumer sees it
	// instead: it is why the stream failed. nil: none.
	Earlier func() error
	// WholeBatches makes Next hand out the records of one PULL at a time,
	// once that PULL's summary arrived (or the stream ended): each batch
	// Next returns is then exactly one PULL's answer, for a consumer that
	// works batch by batch (RxResult.RecordBatches). Without it, Next
	// hands out whatever arrived so far, as soon as it arrived.
	WholeBatches bool
	// ConsumerBusy, when not nil, is asked when records arrive for a
	// consumer that had to wait for them in Next while a PULL was in
	// flight: true means the consumer's own consumer still had work when
	// they came (records in a channel towards a subscriber, say), so the
	// wait did not starve anybody and does not grow the batches
	// (MaxFetchSize). nil: every such wait counts.
	ConsumerBusy func() bool
	// SpanContext is the context whose trace span the stream's later
	// requests (PULL, DISCARD) belong to; nil: none. The connection reads
	// it through the handlers' SpanContext method.
	SpanContext context.Context
	// OnDone is called once, without locks held, when the server has
	// answered every request of the stream (or the connection broke): the
	// connection is free for its next use, in the state outcome says.
	OnDone func(s *Stream, outcome Outcome)
}

// Outcome says in what state a finished stream left its connection.
type Outcome int

const (
	// Clean: every request succeeded (or the rest was discarded); the
	// connection can carry the next request as it is.
	Clean Outcome = iota
	// Failed: the server sent a FAILURE; the connection needs a RESET
	// (outside a transaction) before its next use.
	Failed
	// Broken: the connection failed; it must not be used again.
	Broken
)

// DefaultFetchSize is the PULL size when Options.FetchSize is 0.
const DefaultFetchSize = 1000

// Stream is the one streaming engine behind both the blocking Result and
// the reactive RxResult: records arrive in batches from the connection's
// reader goroutine into a bounded queue; the consumer takes everything
// queued at once; the next PULL goes out when the queue runs low while the
// server has more, so the next batch arrives while the consumer works. A
// consumer that stops taking records stops the PULLs: the queue holds at
// most about one batch, and the consumer one more. Batches are FetchSize
// records, or up to MaxFetchSize while the consumer outpaces the network.
type Stream struct {
	conn Conn
	opts Options

	mu           sync.Mutex
	keys         []string
	keysKnown    bool
	qid          int64
	queue        []Record  // received, not yet taken by the consumer
	older        []segment // received before queue; taken first, one segment at a time
	olderLen     int       // records in older
	chunkSize    int       // capacity of the latest record chunk
	pending      int       // requests sent whose summary has not arrived
	pullInFlight bool
	hasMore      bool
	cancelled    bool // the consumer gave up: drop records, DISCARD the rest
	finished     bool // no more records will be queued
	doneCalled   bool
	err          error
	summary      bolt.Success // RUN metadata merged with the final PULL/DISCARD metadata
	pulls        int          // PULL requests sent, for tests and demos
	received     int64        // RECORDs received
	failed       bool         // a FAILURE arrived
	broken       bool         // the connection broke
	waiting      bool         // the consumer sleeps on wake
	batchSize    int64        // n of the latest PULL
	starved      bool         // the consumer starved since the latest PULL (see hungry)
	// hungry counts the consecutive arrivals of records that found the
	// consumer idle (ConsumerBusy false) after it waited for them with a
	// PULL in flight. One such arrival may be the slack of stages behind
	// the consumer (an operator holding an item or two of a small
	// batch); two in a row are starvation.
	hungry   int
	fetchAll bool // the consumer wants the rest at once: PULL {n: -1}
	held     int  // records the consumer took but has not read (HeldByConsumer)
	// rawConn is conn when its records may be decoded by the consumer
	// (nil with WholeBatches); idle says the consumer waits for records
	// and would decode a raw run; decoder is the consumer's decoder.
	rawConn RecordDecodingConn
	idle    atomic.Bool
	decoder *bolt.RecordDecoder
	arena   []byte // free part of the chunk raw runs are copied into
	// bounds are the ends (in queue) of the PULL batches whose summary
	// arrived and that the consumer has not taken (WholeBatches).
	bounds    []int
	wake      chan struct{}
	keysReady chan struct{}
	done      chan struct{}
}

// New returns a Stream for a query whose RUN goes out on conn. The caller
// writes the RUN with RunHandler and, pipelined with it, the first PULL
// with FirstPull.
func New(conn Conn, opts Options) *Stream {
	if opts.FetchSize == 0 {
		opts.FetchSize = DefaultFetchSize
	}
	if opts.FetchSize < 0 || opts.MaxFetchSize < opts.FetchSize {
		opts.MaxFetchSize = opts.FetchSize
	}
	if opts.LowWatermark <= 0 {
		opts.LowWatermark = int(opts.FetchSize / 2)
		if opts.LowWatermark < 1 {
			opts.LowWatermark = 1
		}
	}
	s := &Stream{
		conn:      conn,
		opts:      opts,
		qid:       bolt.LastQuery,
		batchSize: opts.FetchSize,
		wake:      make(chan struct{}, 1),
		keysReady: make(chan struct{}),
		done:      make(chan struct{}),
	}
	if rc, ok := conn.(RecordDecodingConn); ok && !opts.WholeBatches {
		s.rawConn = rc
	}
	return s
}

// segment is a part of the queue older than its current chunk: records
// decoded, or RECORD messages not decoded yet (raw, message i ending at
// ends[i]) that the consumer decodes when it takes them.
type segment struct {
	records []Record
	raw     []byte
	ends    []uint32
}

func (g *segment) len() int {
	if g.ends != nil {
		return len(g.ends)
	}
	return len(g.records)
}

// RunHandler returns the handler for the stream's RUN and counts the RUN
// as pending.
func (s *Stream) RunHandler() Handler {
	s.mu.Lock()
	s.pending++
	s.mu.Unlock()
	return (*runHandler)(s)
}

// FirstPull returns the PULL to pipeline after the RUN, and its handler.
func (s *Stream) FirstPull() (*bolt.Pull, Handler) {
	s.mu.Lock()
	s.pending++
	s.pullInFlight = true
	s.pulls++
	s.mu.Unlock()
	return &bolt.Pull{N: s.opts.FetchSize, Qid: bolt.LastQuery}, (*pullHandler)(s)
}

// ignoredLocked records that the server ignored one of the stream's
// requests; ignored is ignoredError's answer, read before locking. An
// earlier failure (not ErrIgnored) is the stream's error even if the
// consumer cancelled it meanwhile: it is why the stream failed.
func (s *Stream) ignoredLocked(ignored error) {
	if s.err == nil || s.cancelled && ignored != ErrIgnored {
		s.err = ignored
	}
}

// Keys waits for the RUN's answer and returns the result's keys.
func (s *Stream) Keys(ctx context.Context) ([]string, error) {
	if err := s.conn.Await(ctx, s.keysReady); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.keysKnown {
		return nil, s.err
	}
	return s.keys, nil
}

// Next returns the records queued so far, waiting for at least one. At the
// end of the result it returns io.EOF itself (compare with ==: an error
// that ended the stream may wrap io.EOF, e.g. a connection the server
// closed), or the error that ended the stream.
// A cancelled ctx cancels the stream and returns ctx's error.
func (s *Stream) Next(ctx context.Context) ([]Record, error) {
	waitedInFlight := false
	for {
		s.mu.Lock()
		// The consumer asks for more: it holds nothing any more.
		s.held = 0
		if n := s.takeableLocked(); n > 0 {
			if waitedInFlight {
				s.noteArrivalLocked()
			}
			var batch []Record
			var raw segment
			if len(s.older) > 0 {
				raw = s.older[0]
				s.older[0] = segment{}
				s.older = s.older[1:]
				s.olderLen -= n
				batch, raw.records = raw.records, nil
			} else {
				batch = s.queue[:n:n]
				// The rest of the queue's chunk takes the next records.
				s.queue = s.queue[n:]
			}
			if len(s.bounds) > 0 {
				s.bounds = s.bounds[1:]
				for i := range s.bounds {
					s.bounds[i] -= n
				}
			}
			if s.opts.HeldByConsumer {
				s.held = n
			}
			pull := s.nextPullLocked()
			keys := s.keys
			s.mu.Unlock()
			if pull != nil {
				s.send(pull)
			}
			if raw.ends != nil {
				var err error
				if batch, err = s.decodeRaw(&raw, keys); err != nil {
					// The connection is out of step: it breaks, and the
					// stream ends with its error, dropping what follows.
					s.rawConn.BadRecord(err)
					s.mu.Lock()
					s.queue, s.older, s.olderLen = nil, nil, 0
					s.mu.Unlock()
					continue
				}
			}
			return batch, nil
		}
		if s.finished || s.cancelled {
			err := s.err
			s.mu.Unlock()
			if err == nil {
				err = io.EOF
			}
			return nil, err
		}
		s.waiting = true
		// Waiting for the first records is the query's own latency, not a
		// consumer outpacing the network: only a wait after records came
		// may be starvation, judged when the records arrive.
		if s.pullInFlight && s.received > 0 {
			waitedInFlight = true
		}
		pull := s.nextPullLocked()
		s.mu.Unlock()
		if pull != nil {
			s.send(pull)
			continue
		}
		if s.rawConn != nil {
			s.idle.Store(true)
		}
		err := s.conn.Await(ctx, s.wake)
		s.idle.Store(false)
		if err != nil {
			s.Cancel(err)
			return nil, err
		}
	}
}

// decodeRaw decodes a segment of RECORD messages on the consumer's
// goroutine.
func (s *Stream) decodeRaw(g *segment, keys []string) ([]Record, error) {
	if s.decoder == nil {
		s.decoder = s.rawConn.NewRecordDecoder()
	}
	out := make([]Record, len(g.ends))
	start := uint32(0)
	for i, end := range g.ends {
		values, err := s.decoder.Decode(g.raw[start:end])
		if err != nil {
			return nil, err
		}
		out[i] = Record{Values: values, Keys: keys}
		start = end
	}
	return out, nil
}

// noteArrivalLocked judges, when records arrive for a consumer that
// waited for them with a PULL in flight, whether it starved: its own
// consumer had nothing left to do (ConsumerBusy false) on two such
// arrivals in a row.
func (s *Stream) noteArrivalLocked() {
	if s.opts.ConsumerBusy != nil && s.opts.ConsumerBusy() {
		s.hungry = 0
		return
	}
	s.hungry++
	if s.hungry >= 2 {
		s.starved = true
	}
}

// takeableLocked returns how many queued records Next may hand out now:
// all of them, or with WholeBatches those of the oldest complete PULL
// batch (all once the stream finished).
func (s *Stream) takeableLocked() int {
	if len(s.older) > 0 {
		return s.older[0].len()
	}
	if !s.opts.WholeBatches || s.finished {
		return len(s.queue)
	}
	if len(s.bounds) > 0 {
		return s.bounds[0]
	}
	return 0
}

// Cancel ends the stream early: queued records are dropped, the rest of
// the result is discarded on the server (DISCARD when it has more), and
// the consumer sees cause (ErrCancelled when nil). It does not wait.
func (s *Stream) Cancel(cause error) {
	if cause == nil {
		cause = ErrCancelled
	}
	s.mu.Lock()
	if s.finished || s.cancelled {
		s.mu.Unlock()
		return
	}
	s.cancelled = true
	s.queue, s.older, s.olderLen, s.bounds = nil, nil, 0, nil
	s.err = cause
	var discard *bolt.Discard
	if s.hasMore && !s.pullInFlight && s.pending == 0 {
		discard = &bolt.Discard{N: bolt.All, Qid: s.qid}
		s.pending++
		s.pullInFlight = true
	}
	if discard == nil && s.pending == 0 {
		// Nothing outstanding on the wire: the stream ends here.
		s.finishLocked()
	}
	s.mu.Unlock()
	s.signal()
	if discard != nil {
		s.send(discard)
	}
	s.maybeDone()
}

// Done is closed when the server has answered every request of the stream
// and OnDone has returned.
func (s *Stream) Done() <-chan struct{} { return s.done }

// Wait waits until the server has answered every request of the stream.
func (s *Stream) Wait(ctx context.Context) error {
	return s.conn.Await(ctx, s.done)
}

// Err returns the error that ended the stream, nil while it runs or after
// a complete result.
func (s *Stream) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Summary returns the metadata of the RUN merged with that of the final
// PULL or DISCARD (bookmark, t_last, counters, plan, notifications), and
// whether the stream has ended.
func (s *Stream) Summary() (bolt.Success, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.summary, s.finished
}

// Pulls returns how many PULL requests the stream has sent.
func (s *Stream) Pulls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pulls
}

// Received returns how many records the server has sent so far, those
// dropped after a cancellation included.
func (s *Stream) Received() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.received
}

// Queued returns how many records wait for the consumer.
func (s *Stream) Queued() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.queuedLocked()
}

// pushOlderLocked moves the records of the queue's chunk to the older
// segments; the queue goes on in the rest of the chunk.
func (s *Stream) pushOlderLocked() {
	if len(s.queue) == 0 {
		return
	}
	s.older = append(s.older, segment{records: s.queue[:len(s.queue):len(s.queue)]})
	s.olderLen += len(s.queue)
	s.queue = s.queue[len(s.queue):]
}

// rawArenaChunk is the size of the chunks raw runs are copied into.
const rawArenaChunk = 32 << 10

// queuedLocked returns how many records wait for the consumer.
func (s *Stream) queuedLocked() int { return s.olderLen + len(s.queue) }

// Record chunks: the queue lives in a chunk of records that later records
// fill on (Next hands out records by pointer into it, so the chunk is
// never written where records were handed out). A stream's first chunks
// are small, so that a short result does not pay for a batch.
const (
	firstRecordChunk = 16
	recordChunk      = 256 // 12 KiB: a small-object size class, reused by the allocator
)

// pushLocked queues one record, starting a new chunk when the queue's
// chunk is full. The records still queued in the full chunk stay where
// they are (older), unless the batches must stay whole: then the queue
// moves to a chunk large enough for all.
func (s *Stream) pushLocked(values []any) {
	if len(s.queue) == cap(s.queue) {
		// Chunks grow 16, 64, 256: a short result stays small.
		size := min(recordChunk, max(firstRecordChunk, 4*s.chunkSize))
		s.chunkSize = size
		if !s.opts.WholeBatches {
			s.pushOlderLocked()
			s.queue = make([]Record, 0, size)
		} else {
			size = max(size, 2*len(s.queue))
			chunk := make([]Record, len(s.queue), size)
			copy(chunk, s.queue)
			s.queue = chunk
		}
	}
	s.queue = append(s.queue, Record{Values: values, Keys: s.keys})
}

// LowWatermark returns the stream's low watermark: fewer records than
// this waiting for the consumer, while the server has more, send the next
// PULL.
func (s *Stream) LowWatermark() int { return s.opts.LowWatermark }

// Held tells the stream (with HeldByConsumer) that the consumer still
// holds n records it took but has not read; the next PULL goes out when
// those and the queued ones are fewer than the low watermark. It reports
// whether further calls are useless until the consumer takes its next
// batch: the PULL went out, or the stream ended. (With HeldByConsumer the
// end of a batch sends the next PULL only when the consumer waits for
// records; otherwise its reports do.)
func (s *Stream) Held(n int) bool {
	s.mu.Lock()
	s.held = n
	pull := s.nextPullLocked()
	done := pull != nil || s.cancelled || s.finished
	s.mu.Unlock()
	if pull != nil {
		s.send(pull)
	}
	return done
}

// FetchAll asks for the rest of the result at once, for a consumer that
// keeps every record anyway (Collect): from now on the stream sends
// PULL {n: -1} as soon as the server has more and no PULL is in flight,
// whatever the queue holds.
func (s *Stream) FetchAll() {
	s.mu.Lock()
	if s.fetchAll {
		s.mu.Unlock()
		return
	}
	s.fetchAll = true
	pull := s.nextPullLocked()
	s.mu.Unlock()
	if pull != nil {
		s.send(pull)
	}
}

// nextPullLocked decides whether the next PULL goes out now and marks it
// in flight. The caller sends the returned request after unlocking.
func (s *Stream) nextPullLocked() *bolt.Pull {
	if !s.hasMore || s.pullInFlight || s.cancelled || s.finished || (s.queuedLocked()+s.held >= s.opts.LowWatermark && !s.fetchAll) {
		return nil
	}
	s.pullInFlight = true
	s.pending++
	s.pulls++
	if s.fetchAll {
		s.batchSize = bolt.All
		return &bolt.Pull{N: bolt.All, Qid: s.qid}
	}
	if s.opts.MaxFetchSize > s.opts.FetchSize {
		if s.starved {
			s.batchSize = min(2*s.batchSize, s.opts.MaxFetchSize)
		} else {
			s.batchSize = max(s.batchSize/2, s.opts.FetchSize)
		}
		s.starved = false
	}
	return &bolt.Pull{N: s.batchSize, Qid: s.qid}
}

func (s *Stream) send(req bolt.Request) {
	err := s.conn.Request(req, (*pullHandler)(s))
	switch {
	case err == nil:
	case errors.Is(err, bolt.ErrUsage):
		s.refused(err)
	default:
		// The connection broke before the request went out: the
		// consumer gets the same error as for a break while reading.
		s.fail(s.mapConnError(err), true)
	}
}

// refused ends the stream after the connection refused to send its next
// PULL or DISCARD: nothing was written, so nothing more is pending, and
// the connection is not broken but in a state that needs a RESET (or the
// end of its transaction) before its next use.
func (s *Stream) refused(err error) {
	if s.opts.MapRefusal != nil {
		err = s.opts.MapRefusal(err)
	}
	s.mu.Lock()
	s.pending--
	s.pullInFlight = false
	s.failed = true
	if s.err == nil || s.cancelled {
		s.err = err
	}
	s.endLocked()
}

// endLocked finishes the stream, unlocks s.mu, wakes the consumer and
// calls OnDone when nothing is pending any more.
func (s *Stream) endLocked() {
	s.finishLocked()
	s.mu.Unlock()
	s.signal()
	s.maybeDone()
}

// signal wakes a waiting consumer.
func (s *Stream) signal() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// finishLocked marks the end of records; it is idempotent.
func (s *Stream) finishLocked() {
	if s.finished {
		return
	}
	s.finished = true
	s.hasMore = false
	if !s.keysKnown {
		s.closeKeysReadyLocked()
	}
}

func (s *Stream) closeKeysReadyLocked() {
	select {
	case <-s.keysReady:
	default:
		close(s.keysReady)
	}
}

// fail ends the stream with err. connBroken means no further summaries
// will arrive, so nothing is pending any more.
func (s *Stream) fail(err error, connBroken bool) {
	s.mu.Lock()
	if s.err == nil || s.cancelled && connBroken {
		s.err = err
	}
	if connBroken {
		s.broken = true
		s.pending = 0
		s.pullInFlight = false
	}
	s.endLocked()
}

// maybeDone calls OnDone and closes Done once every request is answered
// and the stream has ended.
func (s *Stream) maybeDone() {
	s.mu.Lock()
	if !s.finished || s.pending > 0 || s.doneCalled {
		s.mu.Unlock()
		return
	}
	s.doneCalled = true
	outcome := Clean
	switch {
	case s.broken:
		outcome = Broken
	case s.failed:
		outcome = Failed
	}
	s.mu.Unlock()
	// OnDone first: whoever waits on Done must find the connection back
	// in its pool and the bookmark with its session.
	if s.opts.OnDone != nil {
		s.opts.OnDone(s, outcome)
	}
	close(s.done)
}

func (s *Stream) mapFailure(f *bolt.Failure) error {
	if s.opts.MapFailure != nil {
		return s.opts.MapFailure(f)
	}
	cp := *f
	return &cp
}

func (s *Stream) mapConnError(err error) error {
	if e := s.earlierFromOption(); e != nil {
		return e
	}
	if s.opts.MapConnError != nil {
		return s.opts.MapConnError(err)
	}
	return err
}

// ignoredError is the error of an ignored request: the earlier failure
// that made the server ignore it, when known.
func (s *Stream) ignoredError() error {
	if e := s.earlierFromOption(); e != nil {
		return e
	}
	return ErrIgnored
}

// earlierFromOption asks Options.Earlier for an earlier failure.
func (s *Stream) earlierFromOption() error {
	if s.opts.Earlier == nil {
		return nil
	}
	return s.opts.Earlier()
}

// lockForSummary locks s.mu for the summary that answers one of the
// stream's requests and counts the request answered. It returns the
// error an IGNORED stands for, read before locking (Earlier may take
// other locks).
func (s *Stream) lockForSummary(resp *bolt.Response) (ignored error) {
	if resp.Kind != bolt.ResponseSuccess && resp.Kind != bolt.ResponseFailure {
		ignored = s.ignoredError()
	}
	s.mu.Lock()
	s.pending--
	return ignored
}

// failedLocked records a FAILURE that answered one of the stream's
// requests.
func (s *Stream) failedLocked(f *bolt.Failure) {
	s.failed = true
	if s.err == nil || s.cancelled {
		s.err = s.mapFailure(f)
	}
}

// runHandler handles the answer to the stream's RUN.
type runHandler Stream

// SpanContext returns the context the stream's requests are traced in,
// nil when the stream was given none (the connection then decides).
func (h *runHandler) SpanContext() context.Context { return h.opts.SpanContext }

// SpanContext returns the context the stream's requests are traced in,
// nil when the stream was given none (the connection then decides).
func (h *pullHandler) SpanContext() context.Context { return h.opts.SpanContext }

func (h *runHandler) OnRecord([]any) {}

func (h *runHandler) OnSummary(resp *bolt.Response) {
	s := (*Stream)(h)
	ignored := s.lockForSummary(resp)
	switch resp.Kind {
	case bolt.ResponseSuccess:
		s.keys = resp.Success.Fields
		if s.keys == nil {
			s.keys = []string{}
		}
		s.keysKnown = true
		if resp.Success.Present&bolt.KeyQid != 0 {
			s.qid = resp.Success.Qid
		}
		s.summary.Fields = s.keys
		s.summary.TFirst = resp.Success.TFirst
		s.summary.Qid = resp.Success.Qid
		s.summary.Database = resp.Success.Database
		s.summary.Present |= resp.Success.Present & (bolt.KeyFields | bolt.KeyTFirst | bolt.KeyQid | bolt.KeyDatabase)
		s.closeKeysReadyLocked()
		s.mu.Unlock()
		return
	case bolt.ResponseFailure:
		s.failedLocked(&resp.Failure)
	default:
		s.ignoredLocked(ignored)
	}
	s.endLocked()
}

func (h *runHandler) OnConnError(err error) {
	s := (*Stream)(h)
	s.fail(s.mapConnError(err), true)
}

// pullHandler handles the answers to the stream's PULLs and DISCARD.
type pullHandler Stream

func (h *pullHandler) OnRecord(values []any) {
	s := (*Stream)(h)
	if !s.lockForRecords(1) {
		return
	}
	s.pushLocked(values)
	s.wakeForRecordsLocked()
}

// lockForRecords counts n records received and locks s.mu to queue them;
// it returns false, unlocked, when the stream drops them (it was
// cancelled or has ended).
func (s *Stream) lockForRecords(n int) bool {
	s.mu.Lock()
	s.received += int64(n)
	if s.cancelled || s.finished {
		s.mu.Unlock()
		return false
	}
	return true
}

func (h *pullHandler) OnRecords(values [][]any) {
	s := (*Stream)(h)
	if !s.lockForRecords(len(values)) {
		return
	}
	for _, v := range values {
		s.pushLocked(v)
	}
	s.wakeForRecordsLocked()
}

// WantsRaw reports whether the consumer waits idle for records and
// would decode a run itself.
func (h *pullHandler) WantsRaw() bool { return h.idle.Load() }

func (h *pullHandler) OnRawRecords(raw []byte, ends []uint32) {
	s := (*Stream)(h)
	if !s.lockForRecords(len(ends)) {
		return
	}
	if len(s.arena) < len(raw) {
		s.arena = make([]byte, max(rawArenaChunk, len(raw)))
	}
	g := segment{raw: s.arena[:len(raw):len(raw)], ends: slices.Clone(ends)}
	copy(g.raw, raw)
	s.arena = s.arena[len(raw):]
	s.pushOlderLocked()
	s.older = append(s.older, g)
	s.olderLen += len(ends)
	s.wakeForRecordsLocked()
}

// wakeForRecordsLocked unlocks s.mu after records were queued, waking a
// consumer that waits for them.
func (s *Stream) wakeForRecordsLocked() {
	wake := s.waiting && !s.opts.WholeBatches
	if wake {
		s.waiting = false
	}
	s.mu.Unlock()
	if wake {
		s.signal()
	}
}

func (h *pullHandler) OnSummary(resp *bolt.Response) {
	s := (*Stream)(h)
	ignored := s.lockForSummary(resp)
	s.pullInFlight = false
	if s.opts.WholeBatches && len(s.queue) > 0 && (len(s.bounds) == 0 || s.bounds[len(s.bounds)-1] < len(s.queue)) {
		s.bounds = append(s.bounds, len(s.queue))
	}
	var next bolt.Request
	switch resp.Kind {
	case bolt.ResponseSuccess:
		meta := &resp.Success
		if meta.HasMore && meta.Present&bolt.KeyHasMore != 0 {
			s.hasMore = true
			if s.cancelled {
				next = &bolt.Discard{N: bolt.All, Qid: s.qid}
				s.pending++
				s.pullInFlight = true
			} else if !s.opts.HeldByConsumer || s.waiting {
				// A consumer that holds records says when it wants more
				// (Held), unless it already waits.
				if p := s.nextPullLocked(); p != nil {
					next = p
				}
			}
			break
		}
		s.mergeFinalLocked(meta)
		s.finishLocked()
	case bolt.ResponseFailure:
		s.failedLocked(&resp.Failure)
		// Records that arrived before the failure still go to the
		// consumer, then the error.
		s.finishLocked()
	default:
		s.ignoredLocked(ignored)
		s.finishLocked()
	}
	wake := s.waiting || s.finished
	s.waiting = false
	s.mu.Unlock()
	if wake {
		s.signal()
	}
	if next != nil {
		s.send(next)
		return
	}
	s.maybeDone()
}

func (h *pullHandler) OnConnError(err error) {
	s := (*Stream)(h)
	s.fail(s.mapConnError(err), true)
}

// mergeFinalLocked copies the end-of-result metadata into the summary.
func (s *Stream) mergeFinalLocked(meta *bolt.Success) {
	keep := s.summary
	s.summary = *meta
	s.summary.Fields = keep.Fields
	s.summary.TFirst = keep.TFirst
	s.summary.Qid = keep.Qid
	if s.summary.Database == "" {
		s.summary.Database = keep.Database
	}
	s.summary.Present |= keep.Present
	s.summary.Present &^= bolt.KeyHasMore
	s.summary.HasMore = false
}
