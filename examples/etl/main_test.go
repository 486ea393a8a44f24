package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/boltrx/boltrx"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestETLResumesAfterInterruption runs the job against the embedded
// cluster, interrupts it after two batches, starts it again, and checks
// that every source row was moved exactly once.
func TestETLResumesAfterInterruption(t *testing.T) {
	t.Setenv("NEO4J_URI", "")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var out bytes.Buffer
	uri, token, closeCluster, err := target(ctx, &out)
	if err != nil {
		t.Fatal(err)
	}
	defer closeCluster()
	driver, err := boltrx.NewDriver(uri, token)
	if err != nil {
		t.Fatal(err)
	}
	defer driver.Close(context.Background())
	const rows = 5000
	if err := seed(ctx, &out, driver, rows); err != nil {
		t.Fatal(err)
	}
	o := options{rows: rows, batch: 500, fetch: 200, interruptAfter: 2}
	if err := run(ctx, &out, driver, o); !errors.Is(err, errInterrupted) {
		t.Fatalf("first run = %v, want the interruption\n%s", err, out.String())
	}
	last, done, err := lastCommitted(ctx, driver)
	if err != nil {
		t.Fatal(err)
	}
	if done < 1000 || int64(done) != last {
		t.Fatalf("after the interruption: %d rows moved, last id %d; want whole batches (at least 2) in id order", done, last)
	}
	o.interruptAfter = 0
	if err := run(ctx, &out, driver, o); err != nil {
		t.Fatalf("second run: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "resuming after row") {
		t.Errorf("the second run did not resume:\n%s", out.String())
	}
	res, err := driver.ExecuteQuery(ctx, "MATCH (t:EtlTarget) RETURN count(t) AS n, count(DISTINCT t.id) AS ids, min(t.id) AS lo, max(t.id) AS hi", nil)
	if err != nil {
		t.Fatal(err)
	}
	rec := res.Records[0]
	for key, want := range map[string]int64{"n": rows, "ids": rows, "lo": 1, "hi": rows} {
		if got, _ := rec.Get(key); got != want {
			t.Errorf("%s = %v, want %d", key, got, want)
		}
	}
	if !strings.Contains(out.String(), "progress: 5000/5000 rows (100.0%)") {
		t.Errorf("no final progress line:\n%s", out.String())
	}
}
