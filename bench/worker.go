package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"syscall"
	"time"
)

// The works a worker can do. A scenario of the harness runs one or two of
// them with each driver; the driver decides the API (see drivers.go).
const (
	workLatency    = "latency"     // Run + Single of one row, repeated in one session
	workConcurrent = "concurrent"  // 64 goroutines of ExecuteQuery, 10 rows each
	workStreamRx   = "stream-rx"   // rows through boltrx's RunRx().Records(); official: Result.Next
	workStreamNext = "stream-next" // rows through Result.Next
	workNodes      = "nodes"       // node records through RunRx().Records(); official: Result.Next
	workHeap       = "heap"        // a slow consumer; peak heap
)

// The drivers a worker can run.
const (
	driverBoltrx   = "boltrx"
	driverOfficial = "official"
	driverRaw      = "raw" // the dechunk-and-count floor (rawfloor.go)
)

// workSpec is what one worker measures.
type workSpec struct {
	Driver   string        `json:"driver"`
	Work     string        `json:"work"`
	URI      string        `json:"uri"`
	Rows     int           `json:"rows"`     // records of the streaming works
	Samples  int           `json:"samples"`  // measured queries of latency
	Duration time.Duration `json:"duration"` // measured time of concurrent
	Otel     string        `json:"otel,omitempty"`
}

// workResult is what a worker prints: one JSON object on stdout.
type workResult struct {
	Driver  string             `json:"driver"`
	Work    string             `json:"work"`
	Metrics map[string]float64 `json:"metrics"`
}

// workerMain is `bench worker ...`: it measures one work with one driver
// in this process and prints the result as JSON on stdout.
func workerMain(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bench worker", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var spec workSpec
	fs.StringVar(&spec.Driver, "driver", driverBoltrx, "boltrx, official or raw")
	fs.StringVar(&spec.Work, "work", workLatency, "latency, concurrent, stream-rx, stream-next, nodes or heap")
	fs.StringVar(&spec.URI, "uri", "bolt://127.0.0.1:7687", "the generator's address")
	fs.IntVar(&spec.Rows, "rows", 1_000_000, "records of the streaming works")
	fs.IntVar(&spec.Samples, "samples", 5000, "measured queries of latency (after 10% warm-up)")
	fs.DurationVar(&spec.Duration, "duration", 3*time.Second, "measured time of concurrent (after 0.5 s warm-up)")
	fs.StringVar(&spec.Otel, "otel", "", "boltrx's OpenTelemetry: off, noop, drop or record (\"\" = the default)")
	cpuprofile := fs.String("cpuprofile", "", "write this worker's CPU profile to this file")
	memprofile := fs.String("memprofile", "", "write this worker's allocation profile (every allocation sampled) to this file")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fmt.Fprintln(stderr, "worker:", err)
			return 1
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(stderr, "worker:", err)
			return 1
		}
		defer pprof.StopCPUProfile()
	}
	// The measured calls get context.Background(), as in most benchmarks
	// and many programs: the official driver reads the socket on a
	// goroutine of its own per read when the context can be cancelled
	// (its racing reader), which would cost it about a factor of five on
	// streaming. A watchdog stands in for a deadline instead.
	watchdog := time.AfterFunc(10*time.Minute, func() {
		fmt.Fprintf(stderr, "worker %s %s: still running after 10 minutes\n", spec.Driver, spec.Work)
		os.Exit(3)
	})
	defer watchdog.Stop()
	if *memprofile != "" {
		runtime.MemProfileRate = 1
		defer writeMemProfile(*memprofile, stderr)
	}
	res, err := runWork(context.Background(), spec)
	if cpu, ok := cpuSeconds(); ok && err == nil {
		res.Metrics[metricCPU] = cpu
	}
	if err != nil {
		fmt.Fprintf(stderr, "worker %s %s: %v\n", spec.Driver, spec.Work, err)
		return 1
	}
	if err := json.NewEncoder(stdout).Encode(res); err != nil {
		fmt.Fprintln(stderr, "worker:", err)
		return 1
	}
	return 0
}

// writeMemProfile writes the allocation profile to path.
func writeMemProfile(path string, stderr io.Writer) {
	f, err := os.Create(path)
	if err == nil {
		err = pprof.Lookup("allocs").WriteTo(f, 0)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintln(stderr, "worker: memprofile:", err)
	}
}

// errUnknown reports a driver or work the worker does not know.
var errUnknown = errors.New("unknown driver or work")

// runWork measures spec in this process.
func runWork(ctx context.Context, spec workSpec) (workResult, error) {
	res := workResult{Driver: spec.Driver, Work: spec.Work, Metrics: map[string]float64{}}
	if spec.Driver == driverRaw {
		if spec.Work != workStreamRx && spec.Work != workStreamNext {
			return res, fmt.Errorf("%w: the raw client only streams, not %q", errUnknown, spec.Work)
		}
		rate, err := rawFloor(ctx, spec.URI, spec.Rows)
		res.Metrics[metricRate] = rate
		return res, err
	}
	d, err := openDriver(spec)
	if err != nil {
		return res, err
	}
	defer d.close(context.Background())
	if err := d.warmUp(ctx); err != nil {
		return res, fmt.Errorf("warm-up query: %w", err)
	}
	switch spec.Work {
	case workLatency:
		p50, p99, err := latency(ctx, d, spec.Samples)
		res.Metrics[metricP50], res.Metrics[metricP99] = p50, p99
		return res, err
	case workConcurrent:
		qps, err := concurrent(ctx, d, spec.Duration)
		res.Metrics[metricQPS] = qps
		return res, err
	case workStreamRx, workStreamNext, workNodes:
		shape := shapeRows
		if spec.Work == workNodes {
			shape = shapeNodes
		}
		rate, err := streamRate(ctx, d, shape, spec.Rows, spec.Work != workStreamNext)
		res.Metrics[metricRate] = rate
		return res, err
	case workHeap:
		peak, live, err := slowConsumerHeap(ctx, d, spec.Rows)
		res.Metrics[metricPeakHeap], res.Metrics[metricPeakLive] = peak, live
		return res, err
	}
	return res, fmt.Errorf("%w: work %q", errUnknown, spec.Work)
}

// The metrics workers report.
const (
	metricP50      = "p50_us"
	metricP99      = "p99_us"
	metricQPS      = "queries_per_s"
	metricRate     = "records_per_s"
	metricPeakHeap = "peak_heap_mib" // heap objects (live and unswept) above the start
	metricPeakLive = "peak_live_mib" // live heap as of each GC, above the start
	// metricCPU is the worker process's user and system CPU time, set-up
	// and warm-up included: less disturbed than wall time by other
	// processes on a busy machine (JSON only).
	metricCPU = "cpu_s"
)

// cpuSeconds returns the user and system CPU time of this process.
func cpuSeconds() (float64, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	tv := func(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
	return tv(ru.Utime) + tv(ru.Stime), true
}
