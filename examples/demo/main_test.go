package main

import (
	"bytes"
	"context"
	"github.com/boltrx/boltrx"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestDemoAgainstEmbeddedCluster runs the demo as `make demo` does (with
// fewer rows) and checks what it shows: every batch committed, every
// record read back, and the driver never more than about two batches
// ahead of the slow consumer.
func TestDemoAgainstEmbeddedCluster(t *testing.T) {
	t.Setenv("NEO4J_URI", "")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out bytes.Buffer
	o := options{rows: 4000, batch: 1000, fetchSize: 200, slowEvery: 100, pause: time.Millisecond}
	if err := run(ctx, &out, o); err != nil {
		t.Fatalf("demo failed: %v\n%s", err, out.String())
	}
	text := out.String()
	if got := strings.Count(text, "committed:"); got != 4 {
		t.Errorf("%d batches committed, want 4\n%s", got, text)
	}
	m := regexp.MustCompile(`done: (\d+) records passed the filter, (\d+) PULLs, at most (\d+) records requested ahead`).FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no summary line in\n%s", text)
	}
	passed, _ := strconv.Atoi(m[1])
	pulls, _ := strconv.Atoi(m[2])
	ahead, _ := strconv.Atoi(m[3])
	if passed != 2000 {
		t.Errorf("%d records passed the filter, want 2000", passed)
	}
	if pulls != 4000/200+1 && pulls != 4000/200 {
		t.Errorf("%d PULLs for 4000 records in batches of 200", pulls)
	}
	// Backpressure: the server is asked for at most the batch being
	// consumed, the queued one and the one in flight, plus the records
	// the Observable's channel buffers (boltrx.DefaultRxBuffer).
	if bound := 3*200 + boltrx.DefaultRxBuffer; ahead > bound {
		t.Errorf("%d records requested ahead of the consumer, want at most 3 batches and the channel's buffer (%d)", ahead, bound)
	}
}
