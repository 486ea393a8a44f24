// Command bench runs boltrx and neo4j-go-driver v6 side by side against
// the same e2e generator server, in one process, and prints each figure
// with the ratio boltrx / official (higher is better for rates, lower for
// latencies and memory). Each figure is the median of -runs runs.
//
//	go run . -runs 5                # every scenario
//	go run . -scenario stream,heap  # some of them
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/boltrx/boltrx"
	"github.com/boltrx/boltrx/e2e/generator"
)

type scenario struct {
	name   string
	unit   string
	better string // "higher" or "lower"
	run    func(ctx context.Context, d driverUnderTest) (float64, error)
	setup  func(ctx context.Context) (*generator.Server, error)
	// configure adjusts boltrx's configuration for the scenario; nil
	// keeps the common one (fetch size 1000, as the official driver).
	configure func(*boltrx.Config)
}

var (
	runs      = flag.Int("runs", 3, "runs per driver and scenario; the median is reported")
	scenarios = flag.String("scenario", "all", "comma-separated scenarios: latency, concurrent, stream, stream-delay, stream-delay-grow, nodes, heap")
	rows      = flag.Int("rows", 1_000_000, "rows of the stream scenarios")
	only      = flag.String("driver", "", "run only this driver (boltrx or official), e.g. while profiling")
	cpuprof   = flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	heapprof  = flag.String("heapprofile", "", "write a heap profile, taken halfway through the heap scenario, to this file")
	otelMode  = flag.Bool("telemetry", false, "compare boltrx with telemetry off, no-op, drop-all and recording instead")
)

func main() {
	flag.Parse()
	ctx := context.Background()
	if *cpuprof != "" {
		f, err := os.Create(*cpuprof)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	all := []scenario{
		{name: "latency-p50", unit: "µs", better: "lower", setup: startGen(generator.Config{Rows: 1}), run: latencyP(50)},
		{name: "latency-p99", unit: "µs", better: "lower", setup: startGen(generator.Config{Rows: 1}), run: latencyP(99)},
		{name: "concurrent", unit: "queries/s", better: "higher", setup: startGen(generator.Config{Rows: 1}), run: concurrent},
		{name: "stream", unit: "records/s", better: "higher", setup: startGen(generator.Config{Shape: generator.ShapeRows}), run: stream(generator.ShapeRows, *rows)},
		{name: "stream-delay", unit: "records/s", better: "higher", setup: startGen(generator.Config{Shape: generator.ShapeRows, FlushDelay: 2 * time.Millisecond}), run: stream(generator.ShapeRows, *rows)},
		{name: "stream-delay-grow", unit: "records/s", better: "higher", setup: startGen(generator.Config{Shape: generator.ShapeRows, FlushDelay: 2 * time.Millisecond}), run: stream(generator.ShapeRows, *rows), configure: growBatches},
		{name: "nodes", unit: "records/s", better: "higher", setup: startGen(generator.Config{Shape: generator.ShapeNodes}), run: stream(generator.ShapeNodes, 300_000)},
		{name: "heap", unit: "MiB peak", better: "lower", setup: startGen(generator.Config{Shape: generator.ShapeRows}), run: slowConsumerPeakHeap(2_000_000)},
	}
	if *otelMode {
		if err := compareTelemetry(ctx); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	want := map[string]bool{}
	for _, s := range strings.Split(*scenarios, ",") {
		want[strings.TrimSpace(s)] = true
	}
	fmt.Printf("boltrx vs neo4j-go-driver v6.2.0 — %s, %d CPUs, %s/%s, median of %d runs, %s\n",
		runtime.Version(), runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, *runs, time.Now().Format(time.DateOnly))
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scenario\tunit\tboltrx\tofficial\tratio\tspread boltrx\tspread official\t")
	for _, sc := range all {
		base := strings.TrimSuffix(strings.TrimSuffix(sc.name, "-p50"), "-p99")
		if !want["all"] && !want[sc.name] && !want[base] {
			continue
		}
		gen, err := sc.setup(ctx)
		if err != nil {
			fmt.Fprintln(os.Stderr, "start generator:", err)
			os.Exit(1)
		}
		results := map[string][]float64{}
		var drivers []driverUnderTest
		if *only != "official" {
			drivers = append(drivers, newBoltrxWith(gen.Addr(), sc.configure))
		}
		if *only != "boltrx" {
			drivers = append(drivers, newOfficial(gen.Addr()))
		}
		for i := 0; i < *runs; i++ {
			for _, d := range drivers { // alternate, so drift hits both
				v, err := sc.run(ctx, d)
				if err != nil {
					fmt.Fprintf(os.Stderr, "%s with %s: %v\n", sc.name, d.name(), err)
					os.Exit(1)
				}
				results[d.name()] = append(results[d.name()], v)
			}
		}
		for _, d := range drivers {
			d.close(ctx)
		}
		_ = gen.Close()
		if *only != "" {
			fmt.Fprintf(tw, "%s\t%s\t%.1f\t\t\t%s\t\t\n", sc.name, sc.unit, median(results[*only]), spread(results[*only]))
			tw.Flush()
			continue
		}
		b, o := median(results["boltrx"]), median(results["official"])
		fmt.Fprintf(tw, "%s\t%s\t%.1f\t%.1f\t%.2fx\t%s\t%s\t\n", sc.name, sc.unit, b, o, b/o,
			spread(results["boltrx"]), spread(results["official"]))
		tw.Flush()
	}
	tw.Flush()
}

// growBatches lets boltrx's batches grow from 1000 records up to 16,000
// while the consumer outpaces the network (Config.MaxFetchSize); the
// official driver has no such setting and keeps pulling 1000.
func growBatches(c *boltrx.Config) { c.MaxFetchSize = 16_000 }

func startGen(cfg generator.Config) func(ctx context.Context) (*generator.Server, error) {
	return func(ctx context.Context) (*generator.Server, error) { return generator.Start(ctx, cfg) }
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	return s[len(s)/2]
}

// spread is the range of the runs as ± percent of the median.
func spread(xs []float64) string {
	if len(xs) < 2 {
		return "-"
	}
	m := median(xs)
	lo, hi := slices.Min(xs), slices.Max(xs)
	return fmt.Sprintf("±%.0f%%", 50*(hi-lo)/m)
}

// writeHeapProfile writes the live heap (as of a fresh GC) to path.
func writeHeapProfile(path string) {
	runtime.GC()
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	defer f.Close()
	if err := pprof.WriteHeapProfile(f); err != nil {
		fmt.Fprintln(os.Stderr, err)
	}
}
