package actors_test

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/boltrx/boltrx/actors"
)

// laggingContext's deadline has passed, but its Done channel closes a
// little later: a socket's deadline can fire before the context's timer.
type laggingContext struct {
	context.Context
	deadline time.Time
	done     chan struct{}
}

func (c *laggingContext) Deadline() (time.Time, bool) { return c.deadline, true }
func (c *laggingContext) Done() <-chan struct{}       { return c.done }
func (c *laggingContext) Err() error {
	select {
	case <-c.done:
		return context.DeadlineExceeded
	default:
		return nil
	}
}

// A dial that the deadline cut short, returning before the context says
// it ended, fails as the context's deadline, not as a bare I/O timeout.
func TestDialCutShortByTheDeadlineFailsWithTheDeadline(t *testing.T) {
	sys := actors.NewSystem(nil)
	defer sys.Shutdown()
	pool := actors.NewPool(sys, nil, "127.0.0.1:1", actors.PoolConfig{
		MaxSize: 1, AcquisitionTimeout: -1,
		Connect: func(context.Context) (*actors.Conn, error) {
			return nil, &actors.IOError{Address: "127.0.0.1:1", Op: "dial", Err: os.ErrDeadlineExceeded}
		},
	})
	ctx := &laggingContext{Context: context.Background(), deadline: time.Now().Add(-time.Millisecond), done: make(chan struct{})}
	time.AfterFunc(20*time.Millisecond, func() { close(ctx.done) })
	_, err := pool.Acquire(ctx)
	if !errors.Is(err, context.DeadlineExceeded) || errors.As(err, new(*actors.IOError)) {
		t.Fatalf("Acquire: %v (%T), want the context's deadline", err, err)
	}
	cctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := pool.Close(cctx); err != nil {
		t.Fatal(err)
	}
}
