// Package clock is where the driver reads the time of day for the
// deadlines that outlive a call: when an idle connection needs a
// liveness check, when a connection reached its maximum lifetime, when a
// token expires, when a routing table goes stale.
//
// Now is time.Now unless a test installed a fake with Install: the one
// test hook, used by the testkit backend to implement testkit's fake
// time (FakeTimeInstall, FakeTimeTick, FakeTimeUninstall). Reading the
// clock costs one atomic load more than time.Now. Timeouts of single
// calls (contexts, socket deadlines) keep using real time.
package clock

import (
	"sync"
	"sync/atomic"
	"time"
)

// installed is the fake in use, nil for the real clock.
var installed atomic.Pointer[Fake]

// Now returns the current time: the fake's when one is installed.
func Now() time.Time {
	if f := installed.Load(); f != nil {
		return f.Now()
	}
	return time.Now()
}

// Since returns the time elapsed since t, by Now.
func Since(t time.Time) time.Duration { return Now().Sub(t) }

// Fake is a clock that stands still until Advance moves it.
type Fake struct {
	mu  sync.Mutex
	now time.Time
}

// Now returns the fake's time.
func (f *Fake) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

// Advance moves the fake's time on by d.
func (f *Fake) Advance(d time.Duration) {
	f.mu.Lock()
	f.now = f.now.Add(d)
	f.mu.Unlock()
}

// Install makes Now read a fake clock, standing at the current time,
// and returns it; Uninstall goes back to the real clock. For tests only:
// the clock is the whole process's.
func Install() *Fake {
	f := &Fake{now: time.Now()}
	installed.Store(f)
	return f
}

// Uninstall goes back to the real clock.
func Uninstall() { installed.Store(nil) }
