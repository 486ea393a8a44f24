package chaos

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// TestMain closes the fuzz target's server and driver after the tests,
// then checks no goroutine is left.
func TestMain(m *testing.M) {
	code := m.Run()
	closeFuzzTarget()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}

// TestChaos runs the load against the simulated cluster for 30 seconds
// (CHAOS_DURATION overrides it, CHAOS_SEED the seed) with faults, and
// requires every invariant to hold.
func TestChaos(t *testing.T) {
	if testing.Short() {
		t.Skip("a 30-second run")
	}
	cfg := Config{Seed: 1, Duration: 30 * time.Second, Logf: t.Logf}
	if d, err := time.ParseDuration(os.Getenv("CHAOS_DURATION")); err == nil {
		cfg.Duration = d
	}
	if s, err := strconv.ParseUint(os.Getenv("CHAOS_SEED"), 10, 64); err == nil {
		cfg.Seed = s
	}
	rep, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Log(rep.Line())
	if rep.Failed() {
		t.Fatalf("invariants broken: %s", rep.Line())
	}
	if rep.Writes == 0 || rep.Reads == 0 || rep.Streams == 0 || rep.Loaded == 0 {
		t.Fatalf("a kind of worker did nothing: %s", rep.Line())
	}
	var faults int64
	for _, n := range rep.Faults {
		faults += n
	}
	if faults == 0 {
		t.Fatalf("no fault injected: %s", rep.Line())
	}
}

// TestPoolPressure: 1,000 goroutines share a pool of 50 for 10 seconds
// (POOL_DURATION overrides it), with random deadlines and cancellations.
func TestPoolPressure(t *testing.T) {
	if testing.Short() {
		t.Skip("a 10-second run")
	}
	cfg := PoolConfig{Seed: 1, Duration: 10 * time.Second, Logf: t.Logf}
	if d, err := time.ParseDuration(os.Getenv("POOL_DURATION")); err == nil {
		cfg.Duration = d
	}
	rep, err := RunPool(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Log(rep.Line())
	if rep.Failed() {
		t.Fatalf("invariants broken: %s", rep.Line())
	}
}
