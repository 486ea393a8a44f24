package streams

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/boltrx/boltrx/bolt"
)

// fakeConn records the requests a stream sends and the handler of each, so
// a test can answer them as the server would.
type fakeConn struct {
	mu       sync.Mutex
	requests []bolt.Request
	handlers []Handler
	sent     chan struct{}
	fail     error
}

func newFakeConn() *fakeConn { return &fakeConn{sent: make(chan struct{}, 100)} }

func (c *fakeConn) Request(req bolt.Request, h Handler) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fail != nil {
		return c.fail
	}
	c.requests = append(c.requests, req)
	c.handlers = append(c.handlers, h)
	c.sent <- struct{}{}
	return nil
}

// Await waits for ready: the test plays the server on other goroutines.
func (c *fakeConn) Await(ctx context.Context, ready <-chan struct{}) error {
	select {
	case <-ready:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (c *fakeConn) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.requests)
}

func (c *fakeConn) last() (bolt.Request, Handler) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.requests[len(c.requests)-1], c.handlers[len(c.handlers)-1]
}

// start sends RUN + the first PULL the way a session does and returns the
// handlers the server side answers.
func start(t *testing.T, opts Options) (*Stream, *fakeConn, Handler, Handler) {
	t.Helper()
	c := newFakeConn()
	s := New(c, opts)
	run := s.RunHandler()
	pull, pullH := s.FirstPull()
	if pull.N != s.opts.FetchSize || pull.Qid != bolt.LastQuery {
		t.Fatalf("first PULL = %+v", pull)
	}
	return s, c, run, pullH
}

func success(meta bolt.Success) *bolt.Response {
	return &bolt.Response{Kind: bolt.ResponseSuccess, Success: meta}
}

func runSuccess(keys ...string) *bolt.Response {
	return success(bolt.Success{Present: bolt.KeyFields | bolt.KeyTFirst, Fields: keys, TFirst: 3})
}

func hasMore() *bolt.Response {
	return success(bolt.Success{Present: bolt.KeyHasMore, HasMore: true})
}

func final(bookmark string) *bolt.Response {
	return success(bolt.Success{Present: bolt.KeyBookmark | bolt.KeyTLast, Bookmark: bookmark, TLast: 7})
}

func feed(h Handler, from, to int) {
	for i := from; i < to; i++ {
		h.OnRecord([]any{int64(i)})
	}
}

func takeAll(t *testing.T, s *Stream) []int64 {
	t.Helper()
	var got []int64
	for {
		batch, err := s.Next(context.Background())
		if errors.Is(err, io.EOF) {
			return got
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		for _, r := range batch {
			got = append(got, r.Values[0].(int64))
		}
	}
}

func TestFastConsumerPullsNextBatchWhenQueueDrains(t *testing.T) {
	var outcome Outcome = -1
	s, c, run, pull := start(t, Options{FetchSize: 4, OnDone: func(_ *Stream, o Outcome) { outcome = o }})
	run.OnSummary(runSuccess("n"))
	keys, err := s.Keys(context.Background())
	if err != nil || len(keys) != 1 || keys[0] != "n" {
		t.Fatalf("Keys = %v, %v", keys, err)
	}
	feed(pull, 0, 4)
	pull.OnSummary(hasMore())
	// The queue holds a whole batch: no PULL until the consumer takes it.
	if c.count() != 0 {
		t.Fatalf("sent %d requests before the consumer took the batch", c.count())
	}
	batch, err := s.Next(context.Background())
	if err != nil || len(batch) != 4 {
		t.Fatalf("Next = %d records, %v", len(batch), err)
	}
	if c.count() != 1 {
		t.Fatalf("after taking the batch: %d requests, want the next PULL", c.count())
	}
	req, h := c.last()
	if p, ok := req.(*bolt.Pull); !ok || p.N != 4 || p.Qid != bolt.LastQuery {
		t.Fatalf("second request = %#v", req)
	}
	feed(h, 4, 6)
	h.OnSummary(final("bm-1"))
	rest := takeAll(t, s)
	if len(rest) != 2 || rest[0] != 4 || rest[1] != 5 {
		t.Fatalf("rest = %v", rest)
	}
	sum, ended := s.Summary()
	if !ended || sum.Bookmark != "bm-1" || sum.TFirst != 3 || sum.TLast != 7 || sum.HasMore {
		t.Fatalf("summary = %+v ended=%v", sum, ended)
	}
	if s.Pulls() != 2 || outcome != Clean {
		t.Fatalf("pulls = %d, outcome = %v", s.Pulls(), outcome)
	}
}

func TestReaderSendsNextPullWhenConsumerIsAhead(t *testing.T) {
	s, c, run, pull := start(t, Options{FetchSize: 10})
	run.OnSummary(runSuccess("n"))
	feed(pull, 0, 3)
	if got := takeAll3(t, s); got != 3 {
		t.Fatalf("took %d", got)
	}
	// The consumer has drained the queue: the batch's SUCCESS itself
	// triggers the next PULL, without waiting for the consumer.
	pull.OnSummary(hasMore())
	if c.count() != 1 {
		t.Fatalf("requests = %d, want the next PULL from the reader", c.count())
	}
}

func takeAll3(t *testing.T, s *Stream) int {
	t.Helper()
	batch, err := s.Next(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return len(batch)
}

func TestSlowConsumerStopsThePulls(t *testing.T) {
	s, c, run, pull := start(t, Options{FetchSize: 100})
	run.OnSummary(runSuccess("n"))
	feed(pull, 0, 100)
	pull.OnSummary(hasMore())
	if c.count() != 0 || s.Queued() != 100 {
		t.Fatalf("requests = %d, queued = %d", c.count(), s.Queued())
	}
	// However long the consumer waits, nothing more is asked for.
	time.Sleep(10 * time.Millisecond)
	if c.count() != 0 {
		t.Fatal("a PULL went out while the consumer held a full batch")
	}
}

func TestCancelWithMoreSendsDiscard(t *testing.T) {
	var outcome Outcome = -1
	s, c, run, pull := start(t, Options{FetchSize: 2, OnDone: func(_ *Stream, o Outcome) { outcome = o }})
	run.OnSummary(success(bolt.Success{Present: bolt.KeyFields | bolt.KeyQid, Fields: []string{"n"}, Qid: 7}))
	feed(pull, 0, 2)
	pull.OnSummary(hasMore())
	s.Cancel(nil)
	req, h := c.last()
	d, ok := req.(*bolt.Discard)
	if !ok || d.N != bolt.All || d.Qid != 7 {
		t.Fatalf("cancel sent %#v, want DISCARD {n: -1, qid: 7}", req)
	}
	if _, err := s.Next(context.Background()); !errors.Is(err, ErrCancelled) {
		t.Fatalf("Next after cancel: %v", err)
	}
	select {
	case <-s.Done():
		t.Fatal("done before the DISCARD was answered")
	default:
	}
	h.OnSummary(final("bm"))
	<-s.Done()
	if outcome != Clean {
		t.Fatalf("outcome = %v, want Clean", outcome)
	}
}

func TestCancelDuringPullDiscardsAfterIt(t *testing.T) {
	s, c, run, pull := start(t, Options{FetchSize: 2})
	run.OnSummary(runSuccess("n"))
	s.Cancel(context.Canceled)
	if c.count() != 0 {
		t.Fatal("sent a request while a PULL was in flight")
	}
	feed(pull, 0, 2) // dropped
	pull.OnSummary(hasMore())
	req, h := c.last()
	if _, ok := req.(*bolt.Discard); !ok {
		t.Fatalf("after the PULL: %#v, want DISCARD", req)
	}
	h.OnSummary(final(""))
	<-s.Done()
	if _, err := s.Next(context.Background()); !errors.Is(err, context.Canceled) {
		t.Fatalf("Next: %v, want the cancel cause", err)
	}
}

func TestFailureComesAfterQueuedRecords(t *testing.T) {
	s, _, run, pull := start(t, Options{FetchSize: 10})
	run.OnSummary(runSuccess("n"))
	feed(pull, 0, 2)
	pull.OnSummary(&bolt.Response{Kind: bolt.ResponseFailure, Failure: bolt.Failure{Code: "Neo.ClientError.Statement.ArithmeticError"}})
	batch, err := s.Next(context.Background())
	if err != nil || len(batch) != 2 {
		t.Fatalf("Next = %d records, %v; want the 2 records received before the failure", len(batch), err)
	}
	if _, err := s.Next(context.Background()); err == nil {
		t.Fatal("no error after the records")
	}
}

func TestFailureAfterRecordsArrivesInOrder(t *testing.T) {
	var outcome Outcome = -1
	s, _, run, pull := start(t, Options{FetchSize: 10, OnDone: func(_ *Stream, o Outcome) { outcome = o }})
	run.OnSummary(runSuccess("n"))
	feed(pull, 0, 3)
	batch, err := s.Next(context.Background())
	if err != nil || len(batch) != 3 {
		t.Fatalf("Next = %d, %v", len(batch), err)
	}
	pull.OnSummary(&bolt.Response{Kind: bolt.ResponseFailure, Failure: bolt.Failure{Code: "Neo.ClientError.Statement.ArithmeticError", Message: "/ by zero"}})
	_, err = s.Next(context.Background())
	var f *bolt.Failure
	if !errors.As(err, &f) || f.Code != "Neo.ClientError.Statement.ArithmeticError" {
		t.Fatalf("Next = %v, want the FAILURE", err)
	}
	if outcome != Failed {
		t.Fatalf("outcome = %v, want Failed", outcome)
	}
}

func TestRunFailureThenIgnoredPull(t *testing.T) {
	var outcome Outcome = -1
	s, _, run, pull := start(t, Options{OnDone: func(_ *Stream, o Outcome) { outcome = o }})
	run.OnSummary(&bolt.Response{Kind: bolt.ResponseFailure, Failure: bolt.Failure{Code: "Neo.ClientError.Statement.SyntaxError"}})
	if _, err := s.Keys(context.Background()); err == nil {
		t.Fatal("Keys succeeded after a RUN failure")
	}
	select {
	case <-s.Done():
		t.Fatal("done while the pipelined PULL is unanswered")
	default:
	}
	pull.OnSummary(&bolt.Response{Kind: bolt.ResponseIgnored})
	<-s.Done()
	var f *bolt.Failure
	if _, err := s.Next(context.Background()); !errors.As(err, &f) || f.Code != "Neo.ClientError.Statement.SyntaxError" {
		t.Fatalf("Next = %v", err)
	}
	if outcome != Failed {
		t.Fatalf("outcome = %v", outcome)
	}
}

func TestIgnoredAfterEarlierFailureReportsIt(t *testing.T) {
	beginFailed := errors.New("BEGIN failed")
	s, _, run, pull := start(t, Options{Earlier: func() error { return beginFailed }})
	s.Cancel(nil) // the consumer gives up before the answers arrive
	run.OnSummary(&bolt.Response{Kind: bolt.ResponseIgnored})
	pull.OnSummary(&bolt.Response{Kind: bolt.ResponseIgnored})
	<-s.Done()
	if err := s.Err(); !errors.Is(err, beginFailed) {
		t.Fatalf("Err = %v, want the earlier failure", err)
	}
}

func TestConnectionErrorBreaksStream(t *testing.T) {
	var outcome Outcome = -1
	boom := errors.New("connection reset")
	s, _, run, pull := start(t, Options{OnDone: func(_ *Stream, o Outcome) { outcome = o }})
	run.OnSummary(runSuccess("n"))
	feed(pull, 0, 1)
	pull.OnConnError(boom)
	if got := takeAll3(t, s); got != 1 {
		t.Fatalf("records before the break: %d", got)
	}
	if _, err := s.Next(context.Background()); !errors.Is(err, boom) {
		t.Fatalf("Next = %v", err)
	}
	if outcome != Broken {
		t.Fatalf("outcome = %v", outcome)
	}
}

func TestNextWaitsAndHonoursContext(t *testing.T) {
	s, c, run, _ := start(t, Options{FetchSize: 5})
	run.OnSummary(runSuccess("n"))
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		time.Sleep(5 * time.Millisecond)
		cancel()
	}()
	if _, err := s.Next(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Next = %v", err)
	}
	// The first PULL is still in flight: no DISCARD yet, the stream waits
	// for its answer before discarding.
	if c.count() != 0 {
		t.Fatalf("requests = %d", c.count())
	}
}

func TestNextWakesOnRecordFromAnotherGoroutine(t *testing.T) {
	s, _, run, pull := start(t, Options{FetchSize: 1000})
	run.OnSummary(runSuccess("n"))
	go func() {
		feed(pull, 0, 500)
		pull.OnSummary(final("b"))
	}()
	if got := takeAll(t, s); len(got) != 500 {
		t.Fatalf("got %d records", len(got))
	}
}

func TestRequestErrorEndsStream(t *testing.T) {
	s, c, run, pull := start(t, Options{FetchSize: 1})
	run.OnSummary(runSuccess("n"))
	feed(pull, 0, 1)
	pull.OnSummary(hasMore())
	c.fail = errors.New("write failed")
	if _, err := s.Next(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Next(context.Background()); err == nil || err.Error() != "write failed" {
		t.Fatalf("Next = %v", err)
	}
}

// A connection that broke before the next PULL went out ends the stream
// with the error MapConnError makes of it, as a break while reading does.
func TestRequestErrorIsMappedAsConnectionError(t *testing.T) {
	mapped := errors.New("mapped connectivity error")
	s, c, run, pull := start(t, Options{FetchSize: 1, MapConnError: func(err error) error {
		return fmt.Errorf("%w: %w", mapped, err)
	}})
	run.OnSummary(runSuccess("n"))
	feed(pull, 0, 1)
	pull.OnSummary(hasMore())
	broken := errors.New("read: EOF")
	c.fail = broken
	if _, err := s.Next(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Next(context.Background()); !errors.Is(err, mapped) || !errors.Is(err, broken) {
		t.Fatalf("Next = %v, want the mapped connection error", err)
	}
}

// waitingNext calls Next on another goroutine and returns once the
// consumer sleeps waiting for records.
func waitingNext(t *testing.T, s *Stream) <-chan int {
	t.Helper()
	got := make(chan int, 1)
	go func() {
		batch, err := s.Next(context.Background())
		if err != nil {
			t.Error(err)
		}
		got <- len(batch)
	}()
	for {
		s.mu.Lock()
		waiting := s.waiting
		s.mu.Unlock()
		if waiting {
			return got
		}
		time.Sleep(time.Millisecond)
	}
}

func TestBatchesGrowWhileTheConsumerWaitsAndShrinkWhenItLags(t *testing.T) {
	s, c, run, pull := start(t, Options{FetchSize: 4, MaxFetchSize: 16, LowWatermark: 1})
	run.OnSummary(runSuccess("n"))
	h := pull
	next := 0
	var sizes []int64
	answer := func(records int, consumerWaits bool) {
		t.Helper()
		var got <-chan int
		if consumerWaits {
			got = waitingNext(t, s)
		}
		before := c.count()
		feed(h, next, next+records)
		next += records
		h.OnSummary(hasMore())
		if consumerWaits {
			if n := <-got; n == 0 {
				t.Fatal("the waiting consumer got no records")
			}
			// It may have woken on the first record: take the rest.
			for s.Queued() > 0 {
				takeAll3(t, s)
			}
		} else {
			for s.Queued() > 0 {
				takeAll3(t, s)
			}
		}
		if c.count() != before+1 {
			t.Fatalf("requests = %d after a batch, want %d", c.count(), before+1)
		}
		req, ph := c.last()
		h = ph
		sizes = append(sizes, req.(*bolt.Pull).N)
	}
	// Waiting for the first batch is the query's latency: no growth.
	answer(4, true)
	// One starved arrival may be the slack of stages behind the
	// consumer: no growth yet.
	answer(4, true)
	// A consumer that keeps waiting for every later batch doubles the
	// batches up to MaxFetchSize.
	answer(4, true)
	answer(8, true)
	answer(16, true)
	// One that finds a full queue each time halves them back to FetchSize.
	answer(16, false)
	answer(8, false)
	answer(4, false)
	want := []int64{4, 4, 8, 16, 16, 8, 4, 4}
	if len(sizes) != len(want) {
		t.Fatalf("PULL sizes %v, want %v", sizes, want)
	}
	for i := range want {
		if sizes[i] != want[i] {
			t.Fatalf("PULL sizes %v, want %v", sizes, want)
		}
	}
	h.OnSummary(final("bm"))
	if _, err := s.Next(context.Background()); err != io.EOF {
		t.Fatalf("Next at the end = %v", err)
	}
}

func TestFixedBatchesWithoutMaxFetchSize(t *testing.T) {
	s, c, run, pull := start(t, Options{FetchSize: 4, LowWatermark: 1})
	run.OnSummary(runSuccess("n"))
	got := waitingNext(t, s)
	feed(pull, 0, 4)
	pull.OnSummary(hasMore())
	<-got
	for s.Queued() > 0 {
		takeAll3(t, s)
	}
	if c.count() != 1 {
		t.Fatalf("requests = %d", c.count())
	}
	if req, _ := c.last(); req.(*bolt.Pull).N != 4 {
		t.Fatalf("second PULL = %+v, want n=4 as the first", req)
	}
}

// A PULL the connection refuses (the server state does not allow it) ends
// the stream with the mapped error; nothing is left pending and the
// connection is not called broken.
func TestRefusedPullEndsTheStream(t *testing.T) {
	refusal := errors.New("the transaction failed")
	var outcome Outcome = -1
	s, c, run, pull := start(t, Options{FetchSize: 2,
		MapRefusal: func(err error) error {
			if !errors.Is(err, bolt.ErrUsage) {
				t.Errorf("MapRefusal got %v, want a bolt.ErrUsage error", err)
			}
			return refusal
		},
		OnDone: func(_ *Stream, o Outcome) { outcome = o }})
	run.OnSummary(runSuccess("n"))
	feed(pull, 0, 2)
	pull.OnSummary(hasMore())
	c.mu.Lock()
	c.fail = &bolt.StateError{State: bolt.StateFailed, Message: "PULL"}
	c.mu.Unlock()
	batch, err := s.Next(context.Background())
	if err != nil || len(batch) != 2 {
		t.Fatalf("Next = %d records, %v", len(batch), err)
	}
	if _, err := s.Next(context.Background()); err != refusal {
		t.Fatalf("Next after the refused PULL = %v, want the mapped refusal", err)
	}
	if err := s.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	if outcome != Failed {
		t.Fatalf("outcome %v, want Failed", outcome)
	}
}

// FetchAll asks for the rest at once, at once when the server has more,
// whatever the queue holds.
func TestFetchAllPullsTheRestAtOnce(t *testing.T) {
	s, c, run, pull := start(t, Options{FetchSize: 2})
	run.OnSummary(runSuccess("n"))
	feed(pull, 0, 2)
	pull.OnSummary(hasMore())
	if c.count() != 0 {
		t.Fatalf("sent %d requests with a full queue", c.count())
	}
	s.FetchAll()
	if c.count() != 1 {
		t.Fatalf("FetchAll sent %d requests, want one PULL", c.count())
	}
	req, h := c.last()
	if p, ok := req.(*bolt.Pull); !ok || p.N != bolt.All {
		t.Fatalf("request %#v, want PULL {n: -1}", req)
	}
	feed(h, 2, 5)
	h.OnSummary(final("bm"))
	if got := takeAll(t, s); len(got) != 5 {
		t.Fatalf("records %v", got)
	}
	if s.Pulls() != 2 {
		t.Fatalf("%d PULLs, want 2", s.Pulls())
	}
}

// With HeldByConsumer, taking a batch sends no PULL: the records the
// consumer still holds count until it reports fewer than the low
// watermark.
func TestHeldRecordsCountTowardsTheLowWatermark(t *testing.T) {
	s, c, run, pull := start(t, Options{FetchSize: 4, HeldByConsumer: true})
	run.OnSummary(runSuccess("n"))
	feed(pull, 0, 4)
	pull.OnSummary(hasMore())
	batch, err := s.Next(context.Background())
	if err != nil || len(batch) != 4 {
		t.Fatalf("Next = %d records, %v", len(batch), err)
	}
	if c.count() != 0 {
		t.Fatalf("taking the batch sent %d requests", c.count())
	}
	if s.Held(2) || c.count() != 0 {
		t.Fatalf("holding 2 of 4 (low watermark 2): %d requests", c.count())
	}
	if !s.Held(1) || c.count() != 1 {
		t.Fatalf("holding 1: %d requests, want the next PULL", c.count())
	}
	if s.Held(0); c.count() != 1 {
		t.Fatalf("a report while the PULL is in flight sent another request: %d", c.count())
	}
	_, h := c.last()
	feed(h, 4, 6)
	h.OnSummary(final("bm"))
	if got := takeAll(t, s); len(got) != 2 {
		t.Fatalf("rest %v", got)
	}
}

// With HeldByConsumer, the end of a batch the consumer took before it
// ended sends no PULL unless the consumer waits for records: the
// consumer's next report or Next does.
func TestHeldConsumerDecidesWhenToPull(t *testing.T) {
	s, c, run, pull := start(t, Options{FetchSize: 2, HeldByConsumer: true})
	run.OnSummary(runSuccess("n"))
	feed(pull, 0, 1)
	batch, err := s.Next(context.Background())
	if err != nil || len(batch) != 1 {
		t.Fatalf("Next = %d records, %v", len(batch), err)
	}
	if s.Held(0) {
		t.Fatal("Held reported done while the first PULL is in flight")
	}
	feed(pull, 1, 2)
	pull.OnSummary(hasMore())
	if c.count() != 0 {
		t.Fatalf("the end of the batch sent %d requests to a consumer that does not wait", c.count())
	}
	if batch, err = s.Next(context.Background()); err != nil || len(batch) != 1 {
		t.Fatalf("Next = %d records, %v", len(batch), err)
	}
	if !s.Held(0) || c.count() != 1 {
		t.Fatalf("after the consumer reported holding nothing: %d requests, want the next PULL", c.count())
	}
}

// answerWaiting plays the server for a consumer that waits in Next: it
// answers the PULL in flight (handler h) with n records, starting at
// *next, and has_more; once the consumer took them all, it returns the
// next PULL the stream sent and that PULL's handler.
func answerWaiting(t *testing.T, s *Stream, c *fakeConn, h Handler, next *int, n int) (*bolt.Pull, Handler) {
	t.Helper()
	got := waitingNext(t, s)
	feed(h, *next, *next+n)
	*next += n
	h.OnSummary(hasMore())
	<-got
	for s.Queued() > 0 {
		takeAll3(t, s)
	}
	req, ph := c.last()
	return req.(*bolt.Pull), ph
}

// A consumer that waits while it still has records of its own to hand on
// (ConsumerBusy) is not starved: the batches stay at FetchSize, and the
// next PULL waits until fewer than the low watermark are queued.
func TestBusyConsumerKeepsBatchesAtFetchSize(t *testing.T) {
	var busy atomic.Bool
	busy.Store(true)
	s, c, run, pull := start(t, Options{FetchSize: 4, MaxFetchSize: 64, LowWatermark: 2, ConsumerBusy: busy.Load})
	run.OnSummary(runSuccess("n"))
	h, next := pull, 0
	var sizes []int64
	for range 4 {
		before := c.count()
		var pull *bolt.Pull
		pull, h = answerWaiting(t, s, c, h, &next, 4)
		if c.count() != before+1 {
			t.Fatalf("requests = %d after a batch, want %d", c.count(), before+1)
		}
		sizes = append(sizes, pull.N)
		if held := s.Queued(); held > 4 {
			t.Fatalf("%d records queued, want at most one batch", held)
		}
	}
	if want := []int64{4, 4, 4, 4}; !slices.Equal(sizes, want) {
		t.Fatalf("PULL sizes %v, want %v", sizes, want)
	}
	// The subscriber runs dry: from the second arrival that finds it
	// idle, the batches grow.
	busy.Store(false)
	for i, want := range []int64{4, 8} {
		var pull *bolt.Pull
		if pull, h = answerWaiting(t, s, c, h, &next, 4); pull.N != want {
			t.Fatalf("PULL after starved arrival %d = %+v, want n=%d", i+1, pull, want)
		}
	}
}

// An arrival that finds the consumer idle once, between arrivals that
// find it busy (the slack of a stage behind it holding a small batch), is
// not starvation: the batches stay at FetchSize.
func TestOneIdleArrivalDoesNotGrowTheBatches(t *testing.T) {
	var busy atomic.Bool
	s, c, run, pull := start(t, Options{FetchSize: 2, MaxFetchSize: 64, LowWatermark: 1, ConsumerBusy: busy.Load})
	run.OnSummary(runSuccess("n"))
	h, next := pull, 0
	var sizes []int64
	for i := range 6 {
		busy.Store(i%2 == 0)
		var pull *bolt.Pull
		pull, h = answerWaiting(t, s, c, h, &next, 2)
		sizes = append(sizes, pull.N)
	}
	if want := []int64{2, 2, 2, 2, 2, 2}; !slices.Equal(sizes, want) {
		t.Fatalf("PULL sizes %v, want %v", sizes, want)
	}
}

// With WholeBatches, Next hands out exactly one PULL's records at a time,
// once its summary arrived, and the rest at the end.
func TestWholeBatchesHandOutOnePullAtATime(t *testing.T) {
	s, c, run, pull := start(t, Options{FetchSize: 3, WholeBatches: true})
	run.OnSummary(runSuccess("n"))
	got := waitingNext(t, s)
	feed(pull, 0, 2)
	select {
	case n := <-got:
		t.Fatalf("Next returned %d records before the batch was complete", n)
	case <-time.After(20 * time.Millisecond):
	}
	feed(pull, 2, 3)
	pull.OnSummary(hasMore())
	if n := <-got; n != 3 {
		t.Fatalf("first batch holds %d records, want 3", n)
	}
	req, h := c.last()
	if req.(*bolt.Pull).N != 3 {
		t.Fatalf("second PULL = %+v", req)
	}
	// The second batch is complete before the consumer asks: no PULL
	// while it waits in the queue; taking it sends the third, whose
	// first records are not handed out before its summary.
	feed(h, 3, 6)
	h.OnSummary(hasMore())
	if c.count() != 1 {
		t.Fatalf("requests = %d with a whole batch queued, want 1", c.count())
	}
	batch, err := s.Next(context.Background())
	if err != nil || len(batch) != 3 || batch[0].Values[0].(int64) != 3 {
		t.Fatalf("second batch = %v, %v", batch, err)
	}
	if c.count() != 2 {
		t.Fatalf("requests = %d, want the third PULL", c.count())
	}
	_, h = c.last()
	feed(h, 6, 7)
	if s.Queued() != 1 {
		t.Fatalf("queued = %d", s.Queued())
	}
	// A failure ends the cut-short batch, which still comes out first.
	h.OnSummary(&bolt.Response{Kind: bolt.ResponseFailure, Failure: bolt.Failure{Code: "Neo.X", Message: "boom"}})
	batch, err = s.Next(context.Background())
	if err != nil || len(batch) != 1 || batch[0].Values[0].(int64) != 6 {
		t.Fatalf("last batch = %v, %v", batch, err)
	}
	if _, err := s.Next(context.Background()); err == nil || err == io.EOF {
		t.Fatalf("Next after the failure = %v, want the failure", err)
	}
}

// Records handed over in runs (OnRecords) queue in order, and records a
// consumer took stay as they were while later records fill the rest of
// their chunk or move to new ones.
func TestRecordRunsKeepTakenRecords(t *testing.T) {
	s, _, run, pull := start(t, Options{FetchSize: 1000})
	run.OnSummary(runSuccess("n"))
	rh, ok := pull.(RecordsHandler)
	if !ok {
		t.Fatal("the PULL handler takes no record runs")
	}
	var taken [][]Record
	next := 0
	for _, size := range []int{1, 7, 30, 300, 5, 600} {
		values := make([][]any, size)
		for i := range values {
			values[i] = []any{int64(next)}
			next++
		}
		rh.OnRecords(values)
		clear(values) // the handler must not keep the run's slice
		for s.Queued() > 0 {
			batch, err := s.Next(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			taken = append(taken, batch)
		}
	}
	pull.OnSummary(final("bm"))
	want := int64(0)
	for _, batch := range taken {
		for _, r := range batch {
			if got := r.Values[0].(int64); got != want {
				t.Fatalf("record %d reads %d", want, got)
			}
			want++
		}
	}
	if want != int64(next) || s.Received() != int64(next) {
		t.Fatalf("took %d records, received %d, sent %d", want, s.Received(), next)
	}
}
