package chaos

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Report is the outcome of a run.
type Report struct {
	Seed     uint64
	Duration time.Duration
	// Mode is "sim" (the simulated cluster, with faults), "sim-nofaults"
	// or "uri" (a real cluster).
	Mode string

	// Acked counts the acknowledged writes: the writers' records and the
	// loader's items.
	Acked int64
	// Lost counts acknowledged writes missing at the end; Duplicated the
	// keys present more than once; Phantom the writers' keys present
	// although never attempted (a key after the one a writer was on).
	Lost, Duplicated, Phantom int64
	// Writes counts the writers' acknowledged records, Loaded the
	// loader's acknowledged items (of LoadItems).
	Writes, Loaded, LoadItems int64

	// Reads counts the readers' completed reads; StaleReads those that
	// missed a write acknowledged before they began.
	Reads, StaleReads int64

	// Streams counts the consumers' results; StreamsCompleted those read
	// to the end, StreamsCancelled those the consumer cancelled;
	// StreamRecords the records received; StreamCorrupt the results whose
	// records arrived out of order, or that ended early without an error.
	Streams, StreamsCompleted, StreamsCancelled, StreamRecords, StreamCorrupt int64

	// Faults counts the injected faults by kind.
	Faults map[string]int64
	// Errors counts the errors that reached a caller, by kind
	// ("ConnectivityError", "TransactionExecutionLimit",
	// "Neo4jError:<code>", "Cancelled", "UsageError", "Undocumented").
	Errors map[string]int64
	// UndocumentedErrors counts those of no kind the driver documents.
	UndocumentedErrors int64

	GoroutinesBefore, GoroutinesPeak, GoroutinesAfter int
	// LeakedGoroutines counts the goroutines left once the driver (and
	// the simulated cluster) closed, beyond those before the run.
	LeakedGoroutines int
	// Heap in use (bytes, after a GC for Before and After).
	HeapBefore, HeapPeak, HeapAfter uint64
	// HeapBack reports HeapAfter within HeapSlack of HeapBefore.
	HeapBack bool
}

// HeapSlack is how far above its level before the run the heap may end.
const HeapSlack = 32 << 20

// Failed reports whether an invariant broke: a lost, duplicated or
// phantom write, a stale read, a corrupt stream, an undocumented error,
// a leaked goroutine, or a heap that did not come back.
func (r *Report) Failed() bool {
	return r.Lost != 0 || r.Duplicated != 0 || r.Phantom != 0 || r.StaleReads != 0 ||
		r.StreamCorrupt != 0 || r.UndocumentedErrors != 0 || r.LeakedGoroutines != 0 || !r.HeapBack
}

// Line returns the report as one line of key=value pairs; it ends with
// result=ok or result=FAIL.
func (r *Report) Line() string {
	p := []string{
		"seed=" + strconv.FormatUint(r.Seed, 10),
		"duration=" + r.Duration.String(),
		"mode=" + r.Mode,
		"acked=" + itoa(r.Acked),
		"lost=" + itoa(r.Lost),
		"duplicated=" + itoa(r.Duplicated),
		"phantom=" + itoa(r.Phantom),
		"stale_reads=" + itoa(r.StaleReads),
		"leaked_goroutines=" + strconv.Itoa(r.LeakedGoroutines),
		"undocumented_errors=" + itoa(r.UndocumentedErrors),
		"stream_corrupt=" + itoa(r.StreamCorrupt),
		"writes=" + itoa(r.Writes),
		fmt.Sprintf("loaded=%d/%d", r.Loaded, r.LoadItems),
		"reads=" + itoa(r.Reads),
		"streams=" + itoa(r.Streams),
		"streams_completed=" + itoa(r.StreamsCompleted),
		"streams_cancelled=" + itoa(r.StreamsCancelled),
		"stream_records=" + itoa(r.StreamRecords),
	}
	var faults int64
	for _, k := range slices.Sorted(maps.Keys(r.Faults)) {
		p = append(p, "fault_"+k+"="+itoa(r.Faults[k]))
		faults += r.Faults[k]
	}
	p = append(p, "faults="+itoa(faults))
	for _, k := range slices.Sorted(maps.Keys(r.Errors)) {
		p = append(p, "err_"+k+"="+itoa(r.Errors[k]))
	}
	p = append(p,
		"goroutines_before="+strconv.Itoa(r.GoroutinesBefore),
		"goroutines_peak="+strconv.Itoa(r.GoroutinesPeak),
		"goroutines_after="+strconv.Itoa(r.GoroutinesAfter),
		"heap_before_mb="+mb(r.HeapBefore),
		"heap_peak_mb="+mb(r.HeapPeak),
		"heap_after_mb="+mb(r.HeapAfter),
		"heap_back="+strconv.FormatBool(r.HeapBack),
	)
	if r.Failed() {
		p = append(p, "result=FAIL")
	} else {
		p = append(p, "result=ok")
	}
	return strings.Join(p, " ")
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func mb(b uint64) string { return strconv.FormatFloat(float64(b)/(1<<20), 'f', 1, 64) }
