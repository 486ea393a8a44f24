package main

import "time"

// job is one measurement of a scenario: the same work done by two drivers,
// the subject (boltrx) and a reference, in alternating order round by
// round.
type job struct {
	work    string
	subject string // always boltrx
	ref     string // official, or raw for the floor
	// rows gives the records of a streaming work from -rows.
	rows func(base int) int
	// samples overrides -samples for latency (0 = -samples).
	samples int
}

// rowDef is one line of the report: a metric of a job.
type rowDef struct {
	name        string // stable: scenario or scenario-metric
	about       string
	job         int // index into the scenario's jobs
	metric      string
	unit        string
	lowerBetter bool
	// target is the ratio subject/reference to reach (≤ when lowerBetter,
	// ≥ otherwise); 0 means none.
	target float64
	// percent prints the ratio as a percentage (the raw floor).
	percent bool
}

// scenario is what -scenario names: a generator set-up and its jobs.
type scenario struct {
	name       string
	flushDelay time.Duration
	netem      bool // in a network namespace with netem delay
	jobs       []job
	rows       []rowDef
}

func same(n int) int { return n }

// scenarios returns every scenario, in the order they run and print.
func scenarios() []scenario {
	one := func(w string, rows func(int) int) []job {
		return []job{{work: w, subject: driverBoltrx, ref: driverOfficial, rows: rows}}
	}
	return []scenario{
		{name: "latency", jobs: one(workLatency, same), rows: []rowDef{
			{name: "latency-p50", about: "single-row Run + Single, one session, p50", metric: metricP50, unit: "µs", lowerBetter: true, target: 0.9},
			{name: "latency-p99", about: "single-row Run + Single, one session, p99", metric: metricP99, unit: "µs", lowerBetter: true},
		}},
		{name: "concurrent", jobs: one(workConcurrent, same), rows: []rowDef{
			{name: "concurrent", about: "64 goroutines × ExecuteQuery of 10 rows", metric: metricQPS, unit: "q/s", target: 1.2},
		}},
		{name: "stream-rx", jobs: one(workStreamRx, same), rows: []rowDef{
			{name: "stream-rx", about: "rows [int,string,float,bool]: RunRx().Records() vs official Result.Next", metric: metricRate, unit: "rec/s", target: 2.0},
		}},
		{name: "stream-next", jobs: one(workStreamNext, same), rows: []rowDef{
			{name: "stream-next", about: "the same rows through Result.Next (both)", metric: metricRate, unit: "rec/s"},
		}},
		{name: "raw-floor", jobs: []job{{work: workStreamRx, subject: driverBoltrx, ref: driverRaw, rows: same}}, rows: []rowDef{
			{name: "raw-floor", about: "boltrx RunRx().Records() as % of a raw client that dechunks and counts", metric: metricRate, unit: "rec/s", target: 0.5, percent: true},
		}},
		{name: "nodes", jobs: one(workNodes, func(n int) int { return max(1, n*3/10) }), rows: []rowDef{
			{name: "nodes", about: "node records: RunRx().Records() vs official Result.Next", metric: metricRate, unit: "rec/s", target: 1.5},
		}},
		{name: "stream-delay", flushDelay: 2 * time.Millisecond, jobs: one(workStreamRx, same), rows: []rowDef{
			{name: "stream-delay", about: "rows with 2 ms per server flush: Rx (defaults) vs official Result.Next", metric: metricRate, unit: "rec/s", target: 3.0},
		}},
		{name: "heap", jobs: one(workHeap, func(n int) int { return 2 * n }), rows: []rowDef{
			{name: "heap", about: "slow consumer, peak heap objects above start (Rx vs official Next)", metric: metricPeakHeap, unit: "MiB", lowerBetter: true, target: 1.0},
			{name: "heap-live", about: "the same, peak live heap after GC", metric: metricPeakLive, unit: "MiB", lowerBetter: true},
		}},
		{name: "netem", netem: true, jobs: []job{
			{work: workLatency, subject: driverBoltrx, ref: driverOfficial, rows: same, samples: 1000},
			{work: workStreamRx, subject: driverBoltrx, ref: driverOfficial, rows: same},
		}, rows: []rowDef{
			{name: "netem-latency-p50", about: "netem RTT: single-row Run + Single, p50", job: 0, metric: metricP50, unit: "µs", lowerBetter: true},
			{name: "netem-stream-rx", about: "netem RTT: rows, RunRx().Records() vs official Result.Next", job: 1, metric: metricRate, unit: "rec/s"},
		}},
	}
}
