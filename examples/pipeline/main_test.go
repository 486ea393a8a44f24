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

// testOptions are small sizes for the embedded cluster: 3000 readings, of
// which 1200 (10 in every 25) are at 30 °C or more.
func testOptions() options {
	return options{rows: 3000, fetchSize: 200, threshold: 30, group: 25, lookupLatency: time.Millisecond, batch: 250}
}

var (
	batchLine = regexp.MustCompile(`batch +(\d+) committed: +(\d+) alerts written \| +(\d+) records taken, +(\d+) PULLs sent, +(-?\d+) requested ahead`)
	doneLine  = regexp.MustCompile(`done: (\d+) readings read, (\d+) passed the filter, (\d+) directory lookups, (\d+) alerts written in (\d+) batches`)
	pullsLine = regexp.MustCompile(`backpressure: (\d+) PULLs of \d+ records; at most (-?\d+) records requested ahead`)
	verified  = regexp.MustCompile(`verified: (\d+) :PipelineAlert nodes`)
)

// numbers returns the integers re captures in text (nil when it does not
// match).
func numbers(t *testing.T, re *regexp.Regexp, text string) []int {
	t.Helper()
	m := re.FindStringSubmatch(text)
	if m == nil {
		return nil
	}
	out := make([]int, len(m)-1)
	for i, s := range m[1:] {
		n, err := strconv.Atoi(s)
		if err != nil {
			t.Fatalf("%q in %q: %v", s, m[0], err)
		}
		out[i] = n
	}
	return out
}

func runPipeline(t *testing.T, o options) string {
	t.Helper()
	t.Setenv("NEO4J_URI", "")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out bytes.Buffer
	if err := run(ctx, &out, o); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	return out.String()
}

// TestPipelineWritesEveryAlertWithBoundedDemand runs the example on the
// embedded cluster and checks what it shows: every hot reading became an
// alert, written in whole batches, and the driver never asked the server
// for more than three fetches beyond what the pipeline had taken, although
// the writes held the pipeline up after every batch.
func TestPipelineWritesEveryAlertWithBoundedDemand(t *testing.T) {
	o := testOptions()
	text := runPipeline(t, o)

	done := numbers(t, doneLine, text)
	if done == nil {
		t.Fatalf("no totals line in\n%s", text)
	}
	want := []int{3000, 1200, 1200 / 25, 1200, 5}
	for i, name := range []string{"readings read", "passed the filter", "directory lookups", "alerts written", "batches"} {
		if done[i] != want[i] {
			t.Errorf("%s = %d, want %d", name, done[i], want[i])
		}
	}
	if got := numbers(t, verified, text); got == nil || got[0] != 1200 {
		t.Errorf("alerts in the database: %v, want 1200\n%s", got, text)
	}

	pulls := numbers(t, pullsLine, text)
	if pulls == nil {
		t.Fatalf("no backpressure line in\n%s", text)
	}
	if pulls[0] != 3000/200 && pulls[0] != 3000/200+1 {
		t.Errorf("%d PULLs for 3000 records in fetches of 200", pulls[0])
	}
	// The batch being taken, the one queued and the one in flight, and
	// the record RecordsAs is mapping, plus the records the Observable's
	// channel buffers (boltrx.DefaultRxBuffer).
	bound := 3*o.fetchSize + 1 + boltrx.DefaultRxBuffer
	if pulls[1] <= 0 || pulls[1] > bound {
		t.Errorf("at most %d records requested ahead, want within (0, %d]", pulls[1], bound)
	}

	lines := batchLine.FindAllStringSubmatch(text, -1)
	if len(lines) != 5 {
		t.Fatalf("%d batch lines, want 5\n%s", len(lines), text)
	}
	for i, m := range lines {
		index, _ := strconv.Atoi(m[1])
		written, _ := strconv.Atoi(m[2])
		ahead, _ := strconv.Atoi(m[5])
		if index != i+1 || written != min((i+1)*o.batch, 1200) {
			t.Errorf("line %d: batch %d with %d alerts written so far, want batch %d with %d", i, index, written, i+1, min((i+1)*o.batch, 1200))
		}
		if ahead > bound {
			t.Errorf("batch %d: %d records requested ahead, want at most %d", index, ahead, bound)
		}
	}
	// While the first batch commits the reader has not run to the end of
	// the input: the pipeline's demand holds it back.
	if taken, _ := strconv.Atoi(lines[0][3]); taken >= 3000 {
		t.Errorf("all %d readings were taken before the first batch was written", taken)
	}
}

// TestPipelineStopsAfterWholeBatches stops the run as Ctrl-C would and
// checks that the stream stopped (the rest of the result discarded, no
// goroutine left: see TestMain) and only whole batches were written.
func TestPipelineStopsAfterWholeBatches(t *testing.T) {
	o := testOptions()
	o.stopAfter = 2
	text := runPipeline(t, o)
	m := regexp.MustCompile(`stopped after batch (\d+), as Ctrl-C would: .*, (\d+) alerts committed`).FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no stop line in\n%s", text)
	}
	batches, _ := strconv.Atoi(m[1])
	written, _ := strconv.Atoi(m[2])
	// The stop comes after batch 2 is acknowledged; batch 3 is normally
	// still being gathered then, but may already be committing.
	if batches < 2 || batches > 3 || written != batches*o.batch {
		t.Errorf("stopped after %d batches with %d alerts, want 2 (or 3) whole batches of %d", batches, written, o.batch)
	}
	if got := numbers(t, verified, text); got == nil || got[0] != written {
		t.Errorf("alerts in the database: %v, want the %d committed", got, written)
	}
	if strings.Contains(text, "done:") {
		t.Errorf("a stopped run reported totals as if it had finished:\n%s", text)
	}
}

func TestOptionsAreValidated(t *testing.T) {
	for name, change := range map[string]func(*options){
		"no rows":        func(o *options) { o.rows = 0 },
		"fetch all":      func(o *options) { o.fetchSize = -1 },
		"empty groups":   func(o *options) { o.group = 0 },
		"empty batches":  func(o *options) { o.batch = 0 },
		"negative delay": func(o *options) { o.lookupLatency = -time.Second },
	} {
		o := testOptions()
		change(&o)
		if err := run(context.Background(), &bytes.Buffer{}, o); err == nil {
			t.Errorf("%s: run accepted %+v", name, o)
		}
	}
	if err := testOptions().validate(); err != nil {
		t.Errorf("the test options are rejected: %v", err)
	}
}
