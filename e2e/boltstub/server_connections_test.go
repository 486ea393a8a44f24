package boltstub

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/boltrx/boltrx/bolt"
)

func TestConnectionsRunTheirSectionsOneAfterAnother(t *testing.T) {
	srv := serveScript(t, `
		bolt 5.4
		connection 1
		  C: RUN "first" {} {}
		  S: SUCCESS {"conn": $conn}
		  C: RESET
		  S: SUCCESS {}
		connection 2
		  C: RUN "second" {} {}
		  S: SUCCESS {"conn": $conn}
	`)
	c1 := connect(t, srv.Addr(), bolt.V5_4)
	c1.request(bolt.TagRun, "first", map[string]any{}, map[string]any{})
	if got := c1.expectTag(bolt.TagSuccess)[0].(map[string]any)["conn"]; got != int64(1) {
		t.Errorf("$conn on the first connection = %v", got)
	}
	// The second connection waits for the first conversation to end: it
	// sees no handshake answer meanwhile.
	c2 := dial(t, srv.Addr())
	c2.conn.Write([]byte{0x60, 0x60, 0xB0, 0x17, 0, 0, 4, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	c2.conn.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	var b [4]byte
	if n, err := c2.conn.Read(b[:]); n != 0 || !isTimeout(err) {
		t.Fatalf("second connection read %d bytes (%v) before the first conversation ended", n, err)
	}
	c2.conn.SetReadDeadline(time.Now().Add(testTimeout))
	c1.request(bolt.TagReset)
	c1.expectTag(bolt.TagSuccess)
	// The first connection stays open (a pool would keep it); its script
	// is over, so the second one goes on.
	if _, err := readFull(c2.conn, b[:]); err != nil || b != [4]byte{0, 0, 4, 5} {
		t.Fatalf("handshake answer % x, %v", b, err)
	}
	c2.setVersion(bolt.V5_4)
	c2.request(bolt.TagRun, "second", map[string]any{}, map[string]any{})
	if got := c2.expectTag(bolt.TagSuccess)[0].(map[string]any)["conn"]; got != int64(2) {
		t.Errorf("$conn on the second connection = %v", got)
	}
	waitDone(t, srv)
	c1.close()
	c2.close()
	wantNoFailure(t, srv)
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func TestConcurrentConnectionsShareAConversation(t *testing.T) {
	srv := serveScript(t, `
		bolt 5.4
		concurrent
		anytime
		  C: GOODBYE
		  close
		end
		connections 1..3
		  C: HELLO ...
		  S: SUCCESS {"connection_id": $connection_id}
		  C: RUN "RETURN 1" {} {}
		  S: SUCCESS {}
	`)
	clients := make([]*testClient, 3)
	ids := map[any]bool{}
	for i := range clients {
		clients[i] = connect(t, srv.Addr(), bolt.V5_4)
	}
	// All three are in the middle of the conversation at once.
	for _, c := range clients {
		c.request(bolt.TagHello, map[string]any{})
		ids[c.expectTag(bolt.TagSuccess)[0].(map[string]any)["connection_id"]] = true
	}
	if len(ids) != 3 || !ids["bolt-1"] || !ids["bolt-2"] || !ids["bolt-3"] {
		t.Errorf("connection ids %v", ids)
	}
	select {
	case <-srv.Done():
		t.Fatal("Done before the conversations ended")
	default:
	}
	var wg sync.WaitGroup
	for _, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.request(bolt.TagRun, "RETURN 1", map[string]any{}, map[string]any{})
			c.expectTag(bolt.TagSuccess)
			c.request(bolt.TagGoodbye)
			c.expectEOF()
		}()
	}
	wg.Wait()
	waitDone(t, srv)
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	if err := srv.WaitIdle(ctx); err != nil {
		t.Fatalf("WaitIdle: %v", err)
	}
	wantNoFailure(t, srv)
}

func TestAConnectionTheScriptDoesNotDescribe(t *testing.T) {
	srv := serveScript(t, "bolt 5.4\nconcurrent\nC: RESET\nS: SUCCESS {}\n")
	c1 := connect(t, srv.Addr(), bolt.V5_4)
	c2 := dial(t, srv.Addr())
	c2.expectEOF()
	c1.request(bolt.TagReset)
	c1.expectTag(bolt.TagSuccess)
	c1.close()
	f := wantOneFailure(t, srv, ErrUnexpectedConnection)
	if f.Connection != 2 || !strings.Contains(f.Error(), "a single connection") {
		t.Errorf("report %v", f)
	}
}

func TestConnectionsThatNeverCame(t *testing.T) {
	srv := serveScript(t, "bolt 5.4\nconnection 1\n C: RESET\n S: SUCCESS {}\nconnections 2..3\n C: RESET\nconnections 4+\n C: RESET\n")
	c := connect(t, srv.Addr(), bolt.V5_4)
	c.request(bolt.TagReset)
	c.expectTag(bolt.TagSuccess)
	c.close()
	f := wantOneFailure(t, srv, ErrIncomplete)
	if !strings.Contains(f.Detail, "never opened connection 2, 3") {
		t.Errorf("report %v", f)
	}
}

func TestOptionalConnectionsNeedNotCome(t *testing.T) {
	srv := serveScript(t, "bolt 5.4\nconnection 1\n C: RESET\nconnections 2..5\n optional\n  C: RESET\n end\n")
	c := connect(t, srv.Addr(), bolt.V5_4)
	c.request(bolt.TagReset)
	waitDone(t, srv) // connection 1 is all the script needs
	c.close()
	wantNoFailure(t, srv)
}

func TestOpenEndedSectionServesEveryFurtherConnection(t *testing.T) {
	srv := serveScript(t, "bolt 5.4\nconcurrent\nconnection 1\n C: RESET\nconnections 2+\n handshake reject\n")
	c := connect(t, srv.Addr(), bolt.V5_4)
	for i := 0; i < 3; i++ {
		r := dial(t, srv.Addr())
		if got := r.handshake(proposal(bolt.V5_4, 0)); got != 0 {
			t.Fatalf("connection %d: answer %08x, want a rejection", i+2, got)
		}
		r.expectEOF()
		r.close()
	}
	c.request(bolt.TagReset)
	waitDone(t, srv)
	c.close()
	wantNoFailure(t, srv)
}

func TestDoneAndWait(t *testing.T) {
	srv := serveScript(t, "bolt 5.4\nC: RESET\nS: SUCCESS {}\n")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := srv.Wait(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Wait with a cancelled context = %v before the script ran", err)
	}
	c := connect(t, srv.Addr(), bolt.V5_4)
	c.request(bolt.TagReset)
	c.expectTag(bolt.TagSuccess)
	waitDone(t, srv)
	if err := srv.Err(); err != nil {
		t.Errorf("Err = %v", err)
	}
	idle, cancelIdle := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancelIdle()
	if err := srv.WaitIdle(idle); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("WaitIdle with the client still connected = %v", err)
	}
	c.close()
	ctx2, cancel2 := context.WithTimeout(context.Background(), testTimeout)
	defer cancel2()
	if err := srv.WaitIdle(ctx2); err != nil {
		t.Errorf("WaitIdle after the client closed = %v", err)
	}
	wantNoFailure(t, srv)
	if err := srv.Close(); err != nil {
		t.Errorf("a second Close = %v", err)
	}
}

func TestListenNeedsAScript(t *testing.T) {
	if _, err := Listen("127.0.0.1:0", nil); err == nil {
		t.Error("Listen(nil) succeeded")
	}
	if _, err := Listen("256.0.0.1:1", mustParse(t, "bolt 5.4\nC: RESET\n")); err == nil {
		t.Error("Listen on a bad address succeeded")
	}
}
