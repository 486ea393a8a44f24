// Package retry is the retry policy of managed transactions (ExecuteRead,
// ExecuteWrite, ExecuteQuery): which failures to retry, how long to wait
// between attempts and when to give up.
//
// The policy is the one of the Neo4j drivers: retry only retryable
// failures, wait about InitialDelay before the first retry and Multiplier
// times longer before each further one, each wait spread by ±Jitter, and
// give up once MaxRetryTime has passed since the first attempt started.
//
// The package knows nothing of the driver's error types: the caller passes
// the retryability test and the constructor of the error returned when
// giving up. Clock, sleep and randomness are injectable for tests.
package retry

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"
)

// Default policy values.
const (
	DefaultInitialDelay = time.Second
	DefaultMultiplier   = 2.0
	DefaultJitter       = 0.2
)

// ErrMaxRetryTimeExceeded is the cause passed to Config.LimitError when
// retrying stops because the maximum retry time has passed.
var ErrMaxRetryTimeExceeded = errors.New("maximum transaction retry time exceeded")

// Config configures a State. IsRetryable is required; zero values of the
// other fields select the defaults.
type Config struct {
	// MaxRetryTime is how long after the first attempt started a failed
	// attempt may still be retried. Zero or less: never retry.
	MaxRetryTime time.Duration
	// InitialDelay is the wait before the first retry (default 1 s).
	InitialDelay time.Duration
	// Multiplier grows the wait before each further retry (default 2).
	Multiplier float64
	// Jitter spreads each wait uniformly over ±Jitter of itself
	// (default 0.2). It is clamped to [0, 1].
	Jitter float64
	// IsRetryable reports whether a failed attempt may be retried.
	IsRetryable func(error) bool
	// LimitError builds the error returned when retrying stops although
	// the last failure was retryable. cause is ErrMaxRetryTimeExceeded or
	// the context's error; errs are the failures of all attempts, oldest
	// first. If nil, a plain wrapping error is built.
	LimitError func(cause error, errs []error, attempts int) error

	// Now is the clock (default time.Now).
	Now func() time.Time
	// Sleep waits d or until ctx is done, returning ctx's error in that
	// case (default: a timer).
	Sleep func(ctx context.Context, d time.Duration) error
	// Random returns a number in [0, 1) for the jitter (default math/rand/v2).
	Random func() float64
}

// State follows the attempts of one managed transaction. Use it as
//
//	state := retry.New(cfg)
//	for {
//		err := attempt()
//		if !state.Continue(ctx, err) {
//			return state.Err()
//		}
//	}
//
// A State is not safe for concurrent use.
type State struct {
	cfg       Config
	start     time.Time
	errs      []error
	nextDelay time.Duration // base delay of the next retry, before jitter
	lastDelay time.Duration // delay actually waited before the latest retry
	final     error
}

// New returns a State whose time budget starts now.
func New(cfg Config) *State {
	if cfg.InitialDelay <= 0 {
		cfg.InitialDelay = DefaultInitialDelay
	}
	if cfg.Multiplier <= 0 {
		cfg.Multiplier = DefaultMultiplier
	}
	if cfg.Jitter == 0 {
		cfg.Jitter = DefaultJitter
	}
	cfg.Jitter = min(max(cfg.Jitter, 0), 1)
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Sleep == nil {
		cfg.Sleep = sleep
	}
	if cfg.Random == nil {
		cfg.Random = rand.Float64
	}
	return &State{cfg: cfg, start: cfg.Now(), nextDelay: cfg.InitialDelay}
}

// Continue records the outcome err of the attempt that just ended and
// reports whether to run another attempt. When it returns true it has
// already waited the retry delay. When it returns false, Err holds what
// the caller should return: nil after a success, the error itself when it
// was not retryable, or a LimitError when retrying stopped (time budget
// used up, or ctx done).
func (s *State) Continue(ctx context.Context, err error) bool {
	if err == nil {
		s.final = nil
		return false
	}
	s.errs = append(s.errs, err)
	if s.cfg.IsRetryable == nil || !s.cfg.IsRetryable(err) {
		s.final = err
		return false
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		s.final = s.limit(ctxErr)
		return false
	}
	if s.cfg.Now().Sub(s.start) >= s.cfg.MaxRetryTime {
		s.final = s.limit(ErrMaxRetryTimeExceeded)
		return false
	}
	delay := s.jittered(s.nextDelay)
	s.nextDelay = s.grow(s.nextDelay)
	if sleepErr := s.cfg.Sleep(ctx, delay); sleepErr != nil {
		s.final = s.limit(sleepErr)
		return false
	}
	s.lastDelay = delay
	return true
}

// Err returns the outcome after Continue returned false.
func (s *State) Err() error { return s.final }

// Attempts returns how many failed attempts Continue has seen.
func (s *State) Attempts() int { return len(s.errs) }

// Errors returns the failures of all attempts so far, oldest first.
func (s *State) Errors() []error { return slices.Clone(s.errs) }

// LastDelay returns the wait before the latest retry (0 before any).
func (s *State) LastDelay() time.Duration { return s.lastDelay }

func (s *State) limit(cause error) error {
	if s.cfg.LimitError != nil {
		return s.cfg.LimitError(cause, slices.Clone(s.errs), len(s.errs))
	}
	return fmt.Errorf("giving up after %d attempts: %w: %w", len(s.errs), cause, s.errs[len(s.errs)-1])
}

// jittered spreads d uniformly over [d·(1-j), d·(1+j)).
func (s *State) jittered(d time.Duration) time.Duration {
	j := s.cfg.Jitter
	factor := 1 - j + 2*j*s.cfg.Random()
	return time.Duration(float64(d) * factor)
}

// grow multiplies d, capped at the time budget (at least InitialDelay) so
// that waits stay bounded and clear of overflow.
func (s *State) grow(d time.Duration) time.Duration {
	next := float64(d) * s.cfg.Multiplier
	limit := float64(max(s.cfg.MaxRetryTime, s.cfg.InitialDelay))
	if next > limit {
		return time.Duration(limit)
	}
	return time.Duration(next)
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
