package retry

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var (
	errTransient = errors.New("transient")
	errFatal     = errors.New("syntax error")
)

func isRetryable(err error) bool { return errors.Is(err, errTransient) }

// fakeTime is a clock whose sleeps advance it instantly.
type fakeTime struct {
	now    time.Time
	sleeps []time.Duration
}

func newFakeTime() *fakeTime { return &fakeTime{now: time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)} }

func (f *fakeTime) Now() time.Time { return f.now }

func (f *fakeTime) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f.sleeps = append(f.sleeps, d)
	f.now = f.now.Add(d)
	return nil
}

// limitErr records what LimitError was called with.
type limitErr struct {
	cause    error
	errs     []error
	attempts int
}

func (l *limitErr) Error() string { return "limit: " + l.cause.Error() }

func config(f *fakeTime, maxTime time.Duration, random float64) Config {
	return Config{
		MaxRetryTime: maxTime,
		IsRetryable:  isRetryable,
		LimitError: func(cause error, errs []error, attempts int) error {
			return &limitErr{cause: cause, errs: errs, attempts: attempts}
		},
		Now:    f.Now,
		Sleep:  f.Sleep,
		Random: func() float64 { return random },
	}
}

func TestSuccessEndsWithoutError(t *testing.T) {
	f := newFakeTime()
	s := New(config(f, 30*time.Second, 0.5))
	if s.Continue(context.Background(), nil) {
		t.Fatal("Continue(nil) asked for another attempt")
	}
	if s.Err() != nil || s.Attempts() != 0 || len(f.sleeps) != 0 {
		t.Fatalf("err=%v attempts=%d sleeps=%v", s.Err(), s.Attempts(), f.sleeps)
	}
}

func TestNonRetryableErrorIsReturnedAsIs(t *testing.T) {
	f := newFakeTime()
	s := New(config(f, 30*time.Second, 0.5))
	if s.Continue(context.Background(), errFatal) {
		t.Fatal("retried a non-retryable error")
	}
	if s.Err() != errFatal {
		t.Fatalf("Err() = %v, want the error itself", s.Err())
	}
	if len(f.sleeps) != 0 || s.Attempts() != 1 {
		t.Fatalf("sleeps=%v attempts=%d", f.sleeps, s.Attempts())
	}
}

func TestBackoffDoublesWithoutJitterAtMidpoint(t *testing.T) {
	f := newFakeTime()
	s := New(config(f, time.Hour, 0.5)) // Random 0.5: factor exactly 1
	ctx := context.Background()
	for range 4 {
		if !s.Continue(ctx, errTransient) {
			t.Fatalf("stopped early: %v", s.Err())
		}
	}
	if s.Continue(ctx, nil) || s.Err() != nil {
		t.Fatalf("success after retries: err=%v", s.Err())
	}
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second}
	if !slices.Equal(f.sleeps, want) {
		t.Fatalf("sleeps = %v, want %v", f.sleeps, want)
	}
	if s.LastDelay() != 8*time.Second || s.Attempts() != 4 {
		t.Fatalf("LastDelay=%v Attempts=%d", s.LastDelay(), s.Attempts())
	}
}

func TestJitterBounds(t *testing.T) {
	cases := []struct {
		random float64
		want   time.Duration
	}{
		{0, 800 * time.Millisecond},
		{0.25, 900 * time.Millisecond},
		{0.75, 1100 * time.Millisecond},
	}
	for _, c := range cases {
		f := newFakeTime()
		s := New(config(f, time.Hour, c.random))
		s.Continue(context.Background(), errTransient)
		if len(f.sleeps) != 1 || f.sleeps[0] != c.want {
			t.Errorf("random %v: sleeps %v, want [%v]", c.random, f.sleeps, c.want)
		}
	}
	// Random just below 1 stays below +20%.
	f := newFakeTime()
	s := New(config(f, time.Hour, 0.999999))
	s.Continue(context.Background(), errTransient)
	if d := f.sleeps[0]; d >= 1200*time.Millisecond || d < 1199*time.Millisecond {
		t.Fatalf("delay %v outside [1.199s, 1.2s)", d)
	}
}

func TestGivesUpAfterMaxRetryTime(t *testing.T) {
	f := newFakeTime()
	s := New(config(f, 30*time.Second, 0.5))
	ctx := context.Background()
	attempts := 0
	for {
		attempts++
		f.now = f.now.Add(100 * time.Millisecond) // the attempt's own duration
		if !s.Continue(ctx, errTransient) {
			break
		}
		if attempts > 100 {
			t.Fatal("never gave up")
		}
	}
	// Waits 1+2+4+8+16 s plus 0.5 s of attempts leave 31.5 s elapsed at
	// the sixth failure.
	if attempts != 6 {
		t.Fatalf("attempts = %d, want 6", attempts)
	}
	var limit *limitErr
	if !errors.As(s.Err(), &limit) {
		t.Fatalf("Err() = %v, want the LimitError", s.Err())
	}
	if limit.cause != ErrMaxRetryTimeExceeded || limit.attempts != 6 || len(limit.errs) != 6 {
		t.Fatalf("limit = %+v", limit)
	}
}

func TestZeroMaxRetryTimeNeverRetries(t *testing.T) {
	f := newFakeTime()
	s := New(config(f, 0, 0.5))
	if s.Continue(context.Background(), errTransient) {
		t.Fatal("retried with a zero budget")
	}
	var limit *limitErr
	if !errors.As(s.Err(), &limit) || limit.cause != ErrMaxRetryTimeExceeded || len(f.sleeps) != 0 {
		t.Fatalf("Err() = %v, sleeps %v", s.Err(), f.sleeps)
	}
}

func TestDoneContextStopsRetrying(t *testing.T) {
	f := newFakeTime()
	s := New(config(f, time.Hour, 0.5))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if s.Continue(ctx, errTransient) {
		t.Fatal("retried with a cancelled context")
	}
	var limit *limitErr
	if !errors.As(s.Err(), &limit) || !errors.Is(limit.cause, context.Canceled) {
		t.Fatalf("Err() = %v", s.Err())
	}
}

func TestSleepInterruptedStopsRetrying(t *testing.T) {
	f := newFakeTime()
	cfg := config(f, time.Hour, 0.5)
	cfg.Sleep = func(context.Context, time.Duration) error { return context.DeadlineExceeded }
	s := New(cfg)
	if s.Continue(context.Background(), errTransient) {
		t.Fatal("retried although the sleep failed")
	}
	var limit *limitErr
	if !errors.As(s.Err(), &limit) || limit.cause != context.DeadlineExceeded {
		t.Fatalf("Err() = %v", s.Err())
	}
}

func TestDelayIsCappedAtBudget(t *testing.T) {
	f := newFakeTime()
	cfg := config(f, 15*time.Second, 0.5)
	cfg.InitialDelay = 10 * time.Second
	s := New(cfg)
	ctx := context.Background()
	s.Continue(ctx, errTransient) // t=0: wait 10 s
	s.Continue(ctx, errTransient) // t=10: wait min(20, 15) s
	want := []time.Duration{10 * time.Second, 15 * time.Second}
	if !slices.Equal(f.sleeps, want) {
		t.Fatalf("sleeps = %v, want %v", f.sleeps, want)
	}
}

func TestDefaultLimitErrorWrapsCauseAndLastError(t *testing.T) {
	f := newFakeTime()
	cfg := config(f, 0, 0.5)
	cfg.LimitError = nil
	s := New(cfg)
	s.Continue(context.Background(), errTransient)
	if err := s.Err(); !errors.Is(err, ErrMaxRetryTimeExceeded) || !errors.Is(err, errTransient) {
		t.Fatalf("Err() = %v", err)
	}
}

func TestMissingIsRetryableRetriesNothing(t *testing.T) {
	f := newFakeTime()
	cfg := config(f, time.Hour, 0.5)
	cfg.IsRetryable = nil
	s := New(cfg)
	if s.Continue(context.Background(), errTransient) || s.Err() != errTransient {
		t.Fatalf("Err() = %v", s.Err())
	}
}

func TestErrorsAreCopies(t *testing.T) {
	f := newFakeTime()
	s := New(config(f, time.Hour, 0.5))
	s.Continue(context.Background(), errTransient)
	errs := s.Errors()
	errs[0] = errFatal
	if s.Errors()[0] != errTransient {
		t.Fatal("Errors() exposes internal state")
	}
}

func TestDefaultSleepHonoursContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Fatalf("sleep = %v", err)
	}
	if err := sleep(context.Background(), 0); err != nil {
		t.Fatalf("sleep(0) = %v", err)
	}
}

func TestDefaultsApplied(t *testing.T) {
	s := New(Config{IsRetryable: isRetryable})
	if s.cfg.InitialDelay != DefaultInitialDelay || s.cfg.Multiplier != DefaultMultiplier || s.cfg.Jitter != DefaultJitter {
		t.Fatalf("defaults not applied: %+v", s.cfg)
	}
	clamped := New(Config{Jitter: 5})
	if clamped.cfg.Jitter != 1 {
		t.Fatalf("jitter not clamped: %v", clamped.cfg.Jitter)
	}
}
