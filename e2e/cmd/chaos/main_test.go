package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// A short run without faults prints one summary line, last, and exits 0.
func TestShortRun(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"-duration", "2s", "-seed", "3", "-no-faults", "-q",
		"-writers", "4", "-readers", "2", "-consumers", "2", "-load", "2000", "-uri", ""}, &out, &errOut)
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	last := lines[len(lines)-1]
	if code != 0 {
		t.Fatalf("exit %d: %s\n%s", code, last, errOut.String())
	}
	for _, want := range []string{"seed=3 ", "mode=sim-nofaults ", "acked=", " lost=0 ", " duplicated=0 ", " stale_reads=0 ", " leaked_goroutines=0 ", "result=ok"} {
		if !strings.Contains(last, want) {
			t.Errorf("summary %q lacks %q", last, want)
		}
	}
}

// Bad flags exit 2.
func TestBadFlag(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"-nope"}, &out, &errOut); code != 2 {
		t.Fatalf("exit %d", code)
	}
}

// -pool runs the pool pressure and prints its line (a small one here:
// the 1,000 goroutines run in package chaos's test).
func TestPoolRun(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"-pool", "-duration", "1s", "-q", "-goroutines", "20", "-pool-size", "5",
		"-acquisition-timeout", "20s"}, &out, &errOut)
	line := strings.TrimSpace(out.String())
	if code != 0 || !strings.HasPrefix(line, "pool ") || !strings.Contains(line, " leaked_leases=0 ") || !strings.Contains(line, " goroutines=20 pool_size=5 ") {
		t.Fatalf("exit %d: %q\n%s", code, line, errOut.String())
	}
}
