package server

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/boltrx/boltrx/bolt"
	"github.com/boltrx/boltrx/e2e/server/rawclient"
)

// Each response batch of a conversation held one request at a time is one
// delayed flush.
func TestFlushDelayOncePerResponse(t *testing.T) {
	srv, _ := startServer(t, Config{FlushDelay: time.Millisecond})
	c := login(t, srv, bolt.V5_4) // HELLO, LOGON: 2 responses
	if _, err := c.Success(&bolt.Run{Query: qCount, Params: params(2500)}); err != nil {
		t.Fatal(err)
	}
	for {
		r, err := c.Success(&bolt.Pull{N: 1000, Qid: bolt.LastQuery})
		if err != nil {
			t.Fatal(err)
		}
		if !r.Success.HasMore {
			break
		}
	}
	// HELLO, LOGON, RUN and three PULLs.
	st := srv.Stats()
	if st.DelayedFlushes != 6 || st.Flushes != 6 {
		t.Fatalf("flushes %d (delayed %d), want 6", st.Flushes, st.DelayedFlushes)
	}
}

func TestInterceptor(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	cfg := Config{Interceptor: func(s *Session, req bolt.Request) *Intercept {
		mu.Lock()
		seen = append(seen, req.Name())
		mu.Unlock()
		if r, ok := req.(*bolt.Run); ok && strings.Contains(r.Query, "boom") {
			return &Intercept{Failure: Errorf("Neo.TransientError.General.Injected", "injected")}
		}
		if r, ok := req.(*bolt.Run); ok && strings.Contains(r.Query, "cut") {
			return &Intercept{Disconnect: true}
		}
		return nil
	}}
	srv, _ := startServer(t, cfg)
	c := login(t, srv, bolt.V4_4)
	run, _, err := c.Query("boom", nil, bolt.TxConfig{})
	if err != nil {
		t.Fatal(err)
	}
	expectFailure(t, run, "Neo.TransientError.General.Injected")
	if _, err := c.Success(&bolt.Reset{}); err != nil {
		t.Fatal(err)
	}
	mustSend(t, c, &bolt.Run{Query: "cut"})
	expectClosed(t, c)
	// IGNORED requests are not shown to the interceptor; the sequence is
	// HELLO, RUN, PULL (ignored: not seen), RUN.
	want := []string{"HELLO", "RUN", "RUN"}
	mu.Lock()
	defer mu.Unlock()
	if strings.Join(seen, ",") != strings.Join(want, ",") {
		t.Fatalf("interceptor saw %v, want %v", seen, want)
	}
}

// Partition: connections are accepted but nothing is answered until Heal.
func TestPartitionAndHeal(t *testing.T) {
	srv, _ := startServer(t, Config{})
	open := login(t, srv, bolt.V5_0)
	srv.Partition()
	if !srv.Partitioned() {
		t.Fatal("not partitioned")
	}

	// A new connection gets no handshake answer.
	conn, err := dialRaw(srv.Addr(), []byte{0x60, 0x60, 0xB0, 0x17, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	if _, err := conn.Read(make([]byte, 4)); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("partitioned server answered the handshake: %v", err)
	}
	// An open connection gets no answer.
	mustSend(t, open, &bolt.Run{Query: qCount, Params: params(1)}, rawclient.PullAll())
	open.Timeout = 50 * time.Millisecond
	if _, err := open.Receive(); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("partitioned server answered a request: %v", err)
	}

	srv.Heal()
	_ = conn.SetReadDeadline(time.Now().Add(testTimeout))
	answer := make([]byte, 4)
	if _, err := conn.Read(answer); err != nil || answer[3] != 5 {
		t.Fatalf("after Heal: % X %v", answer, err)
	}
	// The open connection's answer arrives: its deadline passed, so read
	// it from a fresh client instead.
	c := login(t, srv, bolt.V5_0)
	if _, _, err := c.Query(qCount, params(1), bolt.TxConfig{}); err != nil {
		t.Fatal(err)
	}
}

func TestDropConnections(t *testing.T) {
	srv, h := startServer(t, Config{})
	c := login(t, srv, bolt.V5_0)
	if _, err := c.Success(&bolt.Begin{}); err != nil {
		t.Fatal(err)
	}
	srv.DropConnections()
	expectClosed(t, c)
	c = login(t, srv, bolt.V5_0)
	if _, _, err := c.Query(qCount, params(1), bolt.TxConfig{}); err != nil {
		t.Fatal(err)
	}
	// The dropped connection is forgotten once its cleanup (the
	// rollback) is done.
	waitFor(t, func() bool { return srv.Connections() == 1 })
	if _, rollbacks := h.counts(); rollbacks != 1 {
		t.Fatalf("%d rollbacks after the drop, want 1", rollbacks)
	}
}

// Close ends handler calls in progress and every goroutine (goleak checks
// the latter in TestMain).
func TestCloseWithBlockedHandler(t *testing.T) {
	srv, _ := startServer(t, Config{})
	c := login(t, srv, bolt.V5_0)
	mustSend(t, c, &bolt.Run{Query: qBlock})
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	expectClosed(t, c)
	if srv.Connections() != 0 {
		t.Fatalf("%d connections after Close", srv.Connections())
	}
	if err := srv.Close(); err != nil { // twice is fine
		t.Fatal(err)
	}
}

// The context given to Start bounds the server's life.
func TestStartContextStopsServer(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := Start(ctx, Config{Handler: &testHandler{}})
	if err != nil {
		t.Fatal(err)
	}
	c := dial(t, srv.Addr(), nil)
	cancel()
	expectClosed(t, c)
	_ = srv.Close() // waits for the close that cancel started
}

// While a handler call keeps a connection busy, the server sends NOOP
// chunks (the recv_timeout hint's promise).
func TestKeepAliveNoops(t *testing.T) {
	srv, _ := startServer(t, Config{RecvTimeout: 20 * time.Millisecond})
	c := login(t, srv, bolt.V4_4)
	// The handler's Begin returns once the server sent a NOOP.
	if _, err := c.Success(&bolt.Begin{TxConfig: bolt.TxConfig{Bookmarks: []string{bmUntilNoops}}}); err != nil {
		t.Fatal(err)
	}
	if srv.Stats().Noops == 0 {
		t.Fatal("no NOOP sent")
	}
}
