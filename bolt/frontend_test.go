package bolt

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/boltrx/boltrx/packstream"
)

// frontendPipe returns a Frontend and a Backend talking over net.Pipe, and
// both ends of the pipe. Both ends are closed when the test ends.
func frontendPipe(t *testing.T, v Version) (fe *Frontend, be *Backend, client, server net.Conn) {
	t.Helper()
	client, server = net.Pipe()
	t.Cleanup(func() { client.Close(); server.Close() })
	caps := capsOf(t, v)
	return NewFrontend(client, caps, 0), NewBackend(server, caps, 0), client, server
}

// runServer runs the server side in a goroutine and returns its outcome.
// It closes the server's end when done, so a client waiting for an answer
// that a failed server never sends sees the end of the stream instead of
// blocking.
func runServer(conn net.Conn, fn func() error) <-chan error {
	done := make(chan error, 1)
	go func() {
		err := fn()
		conn.Close()
		done <- err
	}()
	return done
}

func expectRequest[T Request](be *Backend) (T, error) {
	var zero T
	req, err := be.Receive()
	if err != nil {
		return zero, err
	}
	r, ok := req.(T)
	if !ok {
		return zero, errors.New("server got " + req.Name())
	}
	return r, nil
}

// A whole 5.8 conversation: pipelined HELLO+LOGON, pipelined RUN+PULL with
// records, GOODBYE; the client side checked by the state machine.
func TestFrontendBackendConversation(t *testing.T) {
	fe, be, clientConn, serverConn := frontendPipe(t, V5_8)

	server := runServer(serverConn, func() error {
		hello, err := expectRequest[*Hello](be)
		if err != nil {
			return err
		}
		if hello.UserAgent != "app/1" || hello.BoltAgent.Product != "boltrx/0.1" {
			return errors.New("unexpected HELLO")
		}
		logon, err := expectRequest[*Logon](be)
		if err != nil {
			return err
		}
		if logon.Auth["principal"] != "neo4j" {
			return errors.New("unexpected LOGON")
		}
		_ = be.Send(&Success{Server: "Neo4j/5.26.0", ConnectionID: "bolt-1", Hints: Hints{TelemetryEnabled: true}})
		_ = be.Send(&Success{})
		if err := be.Flush(); err != nil {
			return err
		}
		run, err := expectRequest[*Run](be)
		if err != nil {
			return err
		}
		if _, err := expectRequest[*Pull](be); err != nil {
			return err
		}
		_ = be.Send(&Success{Fields: []string{"x"}, Present: KeyTFirst})
		for i := int64(1); i <= 2; i++ {
			_ = be.Send(&Record{Values: []any{run.Params["base"].(int64) + i}})
		}
		_ = be.Send(&Success{Bookmark: "FB:neo4j:1", QueryType: "r"})
		if err := be.Flush(); err != nil {
			return err
		}
		if _, err := expectRequest[*Goodbye](be); err != nil {
			return err
		}
		if _, err := be.Receive(); err != io.EOF {
			return errors.New("after GOODBYE: " + errString(err))
		}
		return nil
	})

	sm := NewStateMachine(fe.Capabilities())
	send := func(reqs ...Request) {
		t.Helper()
		for _, r := range reqs {
			if err := sm.Allow(r); err != nil {
				t.Fatal(err)
			}
			if err := fe.Send(r); err != nil {
				t.Fatal(err)
			}
		}
		if err := fe.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	var resp Response
	receiveSummary := func() []any {
		t.Helper()
		var values []any
		for {
			if err := fe.Receive(&resp); err != nil {
				t.Fatal(err)
			}
			if err := sm.OnResponse(nil, &resp); err != nil {
				t.Fatal(err)
			}
			if resp.IsSummary() {
				return values
			}
			values = append(values, resp.Record.Values...)
		}
	}

	send(&Hello{UserAgent: "app/1", BoltAgent: BoltAgent{Product: "boltrx/0.1"}},
		&Logon{Auth: map[string]any{"scheme": "basic", "principal": "neo4j", "credentials": "pw"}})
	receiveSummary()
	if resp.Kind != ResponseSuccess || sm.State() != StateAuthentication {
		t.Fatalf("after HELLO: %v %s", resp.Kind, sm.State())
	}
	helloSuccess := resp.Success
	receiveSummary()
	if sm.State() != StateReady || !helloSuccess.Hints.TelemetryEnabled || helloSuccess.ConnectionID != "bolt-1" {
		t.Fatalf("after LOGON: %s, HELLO said %+v", sm.State(), helloSuccess)
	}

	send(&Run{Query: "UNWIND [1, 2] AS i RETURN $base + i AS x", Params: map[string]any{"base": int64(40)}},
		&Pull{N: 1000, Qid: LastQuery})
	receiveSummary()
	if !reflect.DeepEqual(resp.Success.Fields, []string{"x"}) || !resp.Success.Has(KeyTFirst) {
		t.Fatalf("RUN answered %+v", resp.Success)
	}
	values := receiveSummary()
	if !reflect.DeepEqual(values, []any{int64(41), int64(42)}) || resp.Success.Bookmark != "FB:neo4j:1" {
		t.Fatalf("PULL gave %v and %+v", values, resp.Success)
	}
	if sm.State() != StateReady {
		t.Fatalf("after the result: %s", sm.State())
	}

	send(&Goodbye{})
	clientConn.Close()
	if err := <-server; err != nil {
		t.Fatalf("server: %v", err)
	}
}

func errString(err error) string {
	if err == nil {
		return "no error"
	}
	return err.Error()
}

// The "utc" patch: once the SUCCESS of HELLO agrees to it, both sides use
// the UTC DateTime structures.
func TestFrontendBackendUTCPatch(t *testing.T) {
	fe, be, _, serverConn := frontendPipe(t, V4_4)
	instant := time.Date(2024, 3, 31, 1, 30, 0, 0, time.FixedZone("", 3600))

	server := runServer(serverConn, func() error {
		hello, err := expectRequest[*Hello](be)
		if err != nil {
			return err
		}
		if be.Dialect().UTCDateTime {
			return errors.New("patched before agreeing")
		}
		_ = be.Send(&Success{Server: "Neo4j/4.4.0", PatchBolt: hello.PatchBolt})
		if !be.Dialect().UTCDateTime {
			return errors.New("server not patched after agreeing")
		}
		_ = be.Send(&Record{Values: []any{instant}})
		return be.Flush()
	})

	if fe.Dialect().UTCDateTime {
		t.Fatal("patched before HELLO")
	}
	if err := fe.Send(&Hello{UserAgent: "app", PatchBolt: []string{"utc"}}); err != nil {
		t.Fatal(err)
	}
	if err := fe.Flush(); err != nil {
		t.Fatal(err)
	}
	var resp Response
	if err := fe.Receive(&resp); err != nil {
		t.Fatal(err)
	}
	if !fe.Dialect().UTCDateTime {
		t.Fatal("client not patched after the server agreed")
	}
	if err := fe.Receive(&resp); err != nil {
		t.Fatal(err)
	}
	got, ok := resp.Record.Values[0].(time.Time)
	if !ok || !got.Equal(instant) {
		t.Errorf("DateTime decoded as %v, want %v", resp.Record.Values[0], instant)
	}
	if err := <-server; err != nil {
		t.Fatalf("server: %v", err)
	}
}

// The scripted server side: messages as bytes, whatever they hold, and
// records written straight from the server's values.
func TestBackendMessagesAndRecords(t *testing.T) {
	fe, be, _, serverConn := frontendPipe(t, V5_0)
	caps := capsOf(t, V5_0)
	run := &Run{Query: "RETURN 1", TxConfig: TxConfig{Database: "x"}}
	var want packstream.Encoder
	want.Dialect = caps.Dialect(false)
	if err := EncodeRequest(&want, caps, run); err != nil {
		t.Fatal(err)
	}
	server := runServer(serverConn, func() error {
		m, err := be.ReceiveMessage()
		if err != nil {
			return err
		}
		if !bytes.Equal(m, want.Buffer()) {
			return fmt.Errorf("RUN received as % x, want % x", m, want.Buffer())
		}
		if err := be.SendRecord(listRecord{int64(1), "a"}); err != nil {
			return err
		}
		if err := be.SendRecord(listRecord{make(chan int)}); err == nil {
			return errors.New("SendRecord encoded a channel")
		}
		var bad packstream.Encoder
		bad.WriteStructHeader(TagSuccess, 1)
		bad.WriteMapHeader(1)
		bad.WriteString("has_more")
		bad.WriteString("not a bool")
		be.SendMessage(bad.Buffer())
		be.SendNoop()
		be.SendMessage([]byte{0xB0, TagIgnored})
		return be.Flush()
	})
	if err := fe.Send(run); err != nil {
		t.Fatal(err)
	}
	if err := fe.Flush(); err != nil {
		t.Fatal(err)
	}
	var resp Response
	if err := fe.Receive(&resp); err != nil || resp.Kind != ResponseRecord ||
		!reflect.DeepEqual(resp.Record.Values, []any{int64(1), "a"}) {
		t.Fatalf("RECORD: %v %+v", err, resp)
	}
	err := fe.Receive(&resp)
	if !errors.Is(err, ErrProtocol) || !strings.Contains(err.Error(), "has_more") {
		t.Fatalf("bad SUCCESS: %v", err)
	}
	// The bad message was consumed; the stream goes on (NOOP skipped).
	if err := fe.Receive(&resp); err != nil || resp.Kind != ResponseIgnored {
		t.Fatalf("IGNORED: %v %v", err, resp.Kind)
	}
	if err := <-server; err != nil {
		t.Fatalf("server: %v", err)
	}
}

// listRecord is a RecordEncoder over a list of values.
type listRecord []any

func (r listRecord) EncodeRecord(enc *packstream.Encoder) error { return enc.WriteValue([]any(r)) }

// A request the version cannot carry buffers nothing, and the next one is
// encoded normally. A message larger than one chunk goes through.
func TestFrontendSendErrorsAndLargeMessages(t *testing.T) {
	caps := capsOf(t, V5_3)
	var wire bytes.Buffer
	fe := NewFrontend(&wire, caps, 0)
	if err := fe.Send(&Telemetry{}); !errors.Is(err, ErrUsage) {
		t.Fatalf("TELEMETRY on 5.3: %v", err)
	}
	if err := fe.Send(&Run{Query: "RETURN $x", Params: map[string]any{"x": make(chan int)}}); err == nil {
		t.Fatal("a channel parameter was encoded")
	}
	if fe.Buffered() != 0 {
		t.Fatalf("%d bytes buffered after failed sends", fe.Buffered())
	}
	big := strings.Repeat("x", 200_000)
	reqs := []Request{&Reset{}, &Run{Query: "RETURN $s", Params: map[string]any{"s": big}}, &Pull{N: All, Qid: LastQuery}}
	for _, r := range reqs {
		if err := fe.Send(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := fe.Flush(); err != nil {
		t.Fatal(err)
	}
	be := NewBackend(&wire, caps, 0)
	for _, want := range reqs {
		got, err := be.Receive()
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("got %s, want %s", got.Name(), want.Name())
		}
	}
}

// Errors of the stream are passed through; a malformed message is a
// protocol error.
func TestFrontendReceiveErrors(t *testing.T) {
	caps := capsOf(t, V5_8)
	var resp Response
	fe := NewFrontend(readOnly(nil), caps, 0)
	if err := fe.Receive(&resp); err != io.EOF {
		t.Errorf("empty stream: %v, want io.EOF", err)
	}
	fe = NewFrontend(readOnly(hx("00 03 B1 70")), caps, 0)
	if err := fe.Receive(&resp); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("cut stream: %v, want io.ErrUnexpectedEOF", err)
	}
	fe = NewFrontend(readOnly(hx("00 02 B1 70 00 00")), caps, 0)
	if err := fe.Receive(&resp); !errors.Is(err, ErrProtocol) || !errors.Is(err, packstream.ErrTruncated) {
		t.Errorf("truncated SUCCESS: %v", err)
	}
	fe = NewFrontend(readOnly(cat("00 0A B1 71 91 D0 FF", "00 00")), caps, 8)
	if err := fe.Receive(&resp); !errors.Is(err, ErrMessageTooLarge) {
		t.Errorf("message over the limit: %v", err)
	}
}

// Receiving a RECORD allocates exactly what decoding its values does
// (with slabs, as the Frontend decodes: amortised, nothing per record).
func TestReceiveRecordAllocatesOnlyItsValues(t *testing.T) {
	caps := capsOf(t, V5_8)
	values := cat("94 CA 00 01 E2 40", ps("a string value"), "C1 40 09 1E B8 51 EB 85 1F C3")
	msg := cat("B1 71", values)
	fe := NewFrontend(&loopReader{data: oneChunk(msg)}, caps, 0)
	var resp Response
	receive := testing.AllocsPerRun(200, func() {
		if err := fe.Receive(&resp); err != nil {
			t.Fatal(err)
		}
	})
	d := packstream.Decoder{Slabs: true}
	decodeValues := testing.AllocsPerRun(200, func() {
		d.Reset(values)
		if _, err := d.ReadList(); err != nil {
			t.Fatal(err)
		}
	})
	if receive != decodeValues {
		t.Errorf("Receive allocates %v per RECORD, decoding its values %v", receive, decodeValues)
	}
}

// readOnly is a connection that reads data and discards what is written.
func readOnly(data []byte) io.ReadWriter {
	return struct {
		io.Reader
		io.Writer
	}{bytes.NewReader(data), io.Discard}
}

// Receiving a SUCCESS of known keys with scalar values allocates nothing.
func TestReceiveScalarSuccessDoesNotAllocate(t *testing.T) {
	caps := capsOf(t, V5_8)
	msg := cat("B1 70 A3", ps("has_more"), "C3", ps("t_last"), "05", ps("qid"), "01")
	fe := NewFrontend(&loopReader{data: oneChunk(msg)}, caps, 0)
	var resp Response
	allocs := testing.AllocsPerRun(200, func() {
		if err := fe.Receive(&resp); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 || !resp.Success.HasMore || resp.Success.TLast != 5 {
		t.Errorf("%v allocations per SUCCESS (decoded %+v)", allocs, resp.Success)
	}
}

// oneChunk frames msg as one chunk.
func oneChunk(msg []byte) []byte {
	return append(append([]byte{byte(len(msg) >> 8), byte(len(msg))}, msg...), 0, 0)
}

// loopReader returns data over and over.
type loopReader struct {
	data []byte
	off  int
}

// Write discards what the Frontend sends.
func (r *loopReader) Write(p []byte) (int, error) { return len(p), nil }

func (r *loopReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		c := copy(p[n:], r.data[r.off:])
		n += c
		r.off = (r.off + c) % len(r.data)
	}
	return n, nil
}

// BenchmarkReceiveRecord measures receiving a RECORD of [int, string,
// float, bool] into a reused Response.
func BenchmarkReceiveRecord(b *testing.B) {
	caps, _ := CapabilitiesFor(V5_8)
	msg := cat("B1 71 94 CA 00 01 E2 40", ps("a string value"), "C1 40 09 1E B8 51 EB 85 1F C3")
	fe := NewFrontend(&loopReader{data: oneChunk(msg)}, caps, 0)
	var resp Response
	b.ReportAllocs()
	b.SetBytes(int64(len(msg) + 4))
	for b.Loop() {
		if err := fe.Receive(&resp); err != nil {
			b.Fatal(err)
		}
	}
	if resp.Kind != ResponseRecord || len(resp.Record.Values) != 4 {
		b.Fatalf("decoded %+v", resp)
	}
}

// BenchmarkSendRunPull measures encoding the pipelined RUN + PULL of an
// auto-commit query.
func BenchmarkSendRunPull(b *testing.B) {
	caps, _ := CapabilitiesFor(V5_8)
	fe := NewFrontend(readOnly(nil), caps, 0)
	run := &Run{Query: "MATCH (n:Person {name: $name}) RETURN n", Params: map[string]any{"name": "Alice"},
		TxConfig: TxConfig{Database: "neo4j", Bookmarks: []string{"FB:neo4j:42"}}}
	pull := &Pull{N: 1000, Qid: LastQuery}
	b.ReportAllocs()
	for b.Loop() {
		if err := fe.Send(run); err != nil {
			b.Fatal(err)
		}
		if err := fe.Send(pull); err != nil {
			b.Fatal(err)
		}
		if err := fe.Flush(); err != nil {
			b.Fatal(err)
		}
	}
}

// intRecord is a RecordEncoder of one integer, written without boxing.
type intRecord struct{ v int64 }

func (r *intRecord) EncodeRecord(enc *packstream.Encoder) error {
	enc.WriteListHeader(1)
	enc.WriteInt(r.v)
	return nil
}

// Streaming records through a Backend allocates nothing per record: the
// generator, the benchmark's server, sends millions of them.
func TestBackendSendRecordAllocatesNothing(t *testing.T) {
	be := NewBackend(struct {
		io.Reader
		io.Writer
	}{readOnly(nil), io.Discard}, capsOf(t, V5_8), 0)
	rec := &intRecord{}
	var enc RecordEncoder = rec
	allocs := testing.AllocsPerRun(1000, func() {
		rec.v++
		if err := be.SendRecord(enc); err != nil {
			t.Fatal(err)
		}
		if err := be.Flush(); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per record", allocs)
	}
}
