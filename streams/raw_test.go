package streams

import (
	"bytes"
	"context"
	"errors"
	"io"
	"runtime"
	"sync"
	"testing"

	"github.com/boltrx/boltrx/bolt"
	"github.com/boltrx/boltrx/packstream"
)

// decodingConn is a fakeConn whose records the consumer may decode
// itself (RecordDecodingConn), recording what it was told.
type decodingConn struct {
	*fakeConn
	caps *bolt.Capabilities
	mu   sync.Mutex
	bad  []error
}

func newDecodingConn(t *testing.T) *decodingConn {
	t.Helper()
	caps, ok := bolt.CapabilitiesFor(bolt.V5_0)
	if !ok {
		t.Fatal("no capabilities for 5.0")
	}
	return &decodingConn{fakeConn: newFakeConn(), caps: caps}
}

func (c *decodingConn) NewRecordDecoder() *bolt.RecordDecoder {
	return bolt.NewFrontend(&bytes.Buffer{}, c.caps, 0).NewRecordDecoder()
}

func (c *decodingConn) BadRecord(err error) {
	c.mu.Lock()
	c.bad = append(c.bad, err)
	c.mu.Unlock()
}

// startDecoding starts a stream on a decodingConn whose RUN succeeded,
// with the handler of its first PULL.
func startDecoding(t *testing.T) (*decodingConn, *Stream, Handler, RawRecordsHandler) {
	t.Helper()
	c := newDecodingConn(t)
	s := New(c, Options{FetchSize: 1000})
	run := s.RunHandler()
	_, pull := s.FirstPull()
	run.OnSummary(runSuccess("n"))
	rh, ok := pull.(RawRecordsHandler)
	if !ok {
		t.Fatal("the PULL handler takes no raw records")
	}
	return c, s, pull, rh
}

// rawRun encodes RECORDs [from] .. [to-1] back to back, as the reader
// hands them over.
func rawRun(t *testing.T, caps *bolt.Capabilities, from, to int) ([]byte, []uint32) {
	t.Helper()
	var raw []byte
	var ends []uint32
	var enc packstream.Encoder
	for i := from; i < to; i++ {
		enc.Reset(nil)
		if err := bolt.EncodeResponse(&enc, caps, &bolt.Record{Values: []any{int64(i)}}); err != nil {
			t.Fatal(err)
		}
		raw = append(raw, enc.Buffer()...)
		ends = append(ends, uint32(len(raw)))
	}
	return raw, ends
}

// Runs handed over undecoded and runs decoded by the reader reach the
// consumer in the order they came, and a consumer that waits says it
// would decode a run while one that does not wait says not.
func TestRawRunsKeepTheOrderOfRecords(t *testing.T) {
	c, s, pull, rh := startDecoding(t)
	if rh.WantsRaw() {
		t.Fatal("WantsRaw before the consumer waits")
	}
	got := waitingNext(t, s)
	for !rh.WantsRaw() {
		runtime.Gosched() // the consumer is about to wait
	}
	next := 0
	handRaw := func(n int) {
		raw, ends := rawRun(t, c.caps, next, next+n)
		rh.OnRawRecords(raw, ends)
		clear(raw) // the handler must have copied the bytes
		next += n
	}
	handRaw(3)
	first := <-got
	feed(pull, next, next+5) // decoded by the reader
	next += 5
	handRaw(200)
	feed(pull, next, next+2)
	next += 2
	handRaw(1)
	pull.OnSummary(final("bm"))
	all := takeAll(t, s)
	if first != 3 || len(all) != next-3 {
		t.Fatalf("first batch %d, then %d records; want 3, then %d", first, len(all), next-3)
	}
	for i, v := range all {
		if v != int64(i+3) {
			t.Fatalf("record %d reads %d", i+3, v)
		}
	}
}

// A RECORD that does not decode on the consumer's side breaks the
// connection (BadRecord) and ends the stream with the connection's
// error; the records after it are not handed out.
func TestBadRawRecordBreaksTheConnection(t *testing.T) {
	c, s, pull, rh := startDecoding(t)
	raw, ends := rawRun(t, c.caps, 0, 3)
	raw[ends[0]+2] = 0xC7 // a marker PackStream does not have, in record 1's list
	rh.OnRawRecords(raw, ends)
	broke := errors.New("connection broke")
	go func() {
		// The connection, told of the bad record, fails its requests.
		for {
			c.mu.Lock()
			n := len(c.bad)
			c.mu.Unlock()
			if n > 0 {
				pull.OnConnError(broke)
				return
			}
			runtime.Gosched()
		}
	}()
	batch, err := s.Next(context.Background())
	if err == nil {
		batch2, err2 := s.Next(context.Background())
		t.Fatalf("Next = %d records, then %d records and %v; want an error", len(batch), len(batch2), err2)
	}
	if !errors.Is(err, broke) {
		t.Fatalf("Next error = %v, want the connection's", err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var pe *bolt.ProtocolError
	if len(c.bad) != 1 || !errors.As(c.bad[0], &pe) {
		t.Fatalf("BadRecord calls %v, want one *bolt.ProtocolError", c.bad)
	}
	if _, err := s.Next(context.Background()); err == io.EOF || err == nil {
		t.Fatalf("after the failure Next = %v", err)
	}
}
