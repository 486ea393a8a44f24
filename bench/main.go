// Command bench measures boltrx beside neo4j-go-driver v6.2.0 the way a
// user runs them: the Bolt server (the generator command,
// e2e/cmd/generator) in its own process, and each driver in a process of
// its own (this binary re-executed as `bench worker ...`, which prints its
// figures as JSON). The drivers alternate round by round, first one then
// the other; each row prints the median and the range (min–max) over the
// rounds per driver, the ratio boltrx / reference and the target of
// issue #13. Both drivers run with their default configuration except
// FetchSize 1000.
//
//	go run . -rounds 5                       # every scenario
//	go run . -scenario latency,stream-rx     # some of them
//	go run . -scenario stream-rx -driver boltrx -cpuprofile /tmp/rx   # profile the workers
//	go run . -inprocess -scenario stream-rx  # one process, for profiling only
//
// Scenarios: latency, concurrent, stream-rx, stream-next, raw-floor,
// nodes, stream-delay, heap, netem. -telemetry compares boltrx's
// OpenTelemetry set-ups instead.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"github.com/boltrx/boltrx/e2e/generator"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "worker" {
		os.Exit(workerMain(os.Args[2:], os.Stdout, os.Stderr))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := benchMain(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// options are the harness's flags.
type options struct {
	scenarios  string
	rounds     int
	rows       int
	samples    int
	duration   time.Duration
	netemRTT   time.Duration
	driver     string
	json       bool
	verbose    bool
	inprocess  bool
	telemetry  bool
	cpuprofile string
	generator  string
}

// command is the command line that repeats a run with these options.
func (o options) command() string {
	var b strings.Builder
	b.WriteString("cd bench && go run .")
	if o.telemetry {
		b.WriteString(" -telemetry")
	} else {
		fmt.Fprintf(&b, " -scenario %s", o.scenarios)
	}
	fmt.Fprintf(&b, " -rounds %d -rows %d -samples %d -duration %s", o.rounds, o.rows, o.samples, o.duration)
	if !o.telemetry {
		fmt.Fprintf(&b, " -netem-rtt %s", o.netemRTT)
	}
	if o.driver != "" {
		fmt.Fprintf(&b, " -driver %s", o.driver)
	}
	if o.inprocess {
		b.WriteString(" -inprocess")
	}
	return b.String()
}

// benchMain is the harness: it parses args, runs the scenarios and prints
// the report to stdout. It returns the exit code.
func benchMain(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	fs.StringVar(&o.scenarios, "scenario", "all", "comma-separated scenarios: all, or latency, concurrent, stream-rx, stream-next, raw-floor, nodes, stream-delay, heap, netem")
	fs.IntVar(&o.rounds, "rounds", 5, "rounds; each runs every driver once, alternating which goes first")
	fs.IntVar(&o.rows, "rows", 1_000_000, "records of the stream scenarios (nodes: 0.3×, heap: 2×)")
	fs.IntVar(&o.samples, "samples", 5000, "measured queries per latency run (netem: 1000)")
	fs.DurationVar(&o.duration, "duration", 3*time.Second, "measured time per concurrent run")
	fs.DurationVar(&o.netemRTT, "netem-rtt", time.Millisecond, "round-trip time netem adds in the netem scenario")
	fs.StringVar(&o.driver, "driver", "", "run only boltrx, or only the reference (official: the official driver, or the raw client of raw-floor), e.g. while profiling")
	fs.BoolVar(&o.json, "json", false, "print the report as JSON")
	fs.BoolVar(&o.verbose, "v", false, "print each worker's command line to stderr")
	fs.BoolVar(&o.inprocess, "inprocess", false, "PROFILING ONLY: server and drivers in this one process (not the product's speed)")
	fs.BoolVar(&o.telemetry, "telemetry", false, "compare boltrx with OpenTelemetry off, no-op, drop-all sampler and recording")
	fs.StringVar(&o.cpuprofile, "cpuprofile", "", "prefix of the workers' CPU profiles (<prefix>-<scenario>-<work>-<driver>-r<round>.pprof); with -inprocess, this process's profile")
	fs.StringVar(&o.generator, "generator", "", "a built generator command (default: go build ./e2e/cmd/generator into a temporary folder)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 || o.rounds < 1 || o.rows < 1 || o.samples < 1 {
		fmt.Fprintln(stderr, "bench: want positive -rounds, -rows and -samples and no arguments")
		return 2
	}
	if o.driver != "" && o.driver != driverBoltrx && o.driver != driverOfficial {
		fmt.Fprintf(stderr, "bench: -driver %q: want boltrx or official (the reference: the official driver or the raw client)\n", o.driver)
		return 2
	}
	chosen, err := choose(o.scenarios)
	if err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		return 2
	}
	h := &harness{opts: o, stderr: stderr}
	defer h.close()
	if err := h.prepare(ctx); err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		return 1
	}
	started := time.Now()
	var rep report
	if o.telemetry {
		rep, err = h.telemetry(ctx)
	} else {
		rep, err = h.run(ctx, chosen)
	}
	if err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		return 1
	}
	rep.Took = time.Since(started).Round(time.Second).String()
	if o.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			fmt.Fprintln(stderr, "bench:", err)
			return 1
		}
		return 0
	}
	rep.print(stdout)
	return 0
}

// choose returns the scenarios named in list ("all" for every one).
func choose(list string) ([]scenario, error) {
	all := scenarios()
	want := map[string]bool{}
	for _, s := range strings.Split(list, ",") {
		if s = strings.TrimSpace(s); s != "" {
			want[s] = true
		}
	}
	var out []scenario
	for _, sc := range all {
		if want["all"] || want[sc.name] {
			out = append(out, sc)
			delete(want, sc.name)
		}
	}
	delete(want, "all")
	for name := range want {
		var names []string
		for _, sc := range all {
			names = append(names, sc.name)
		}
		return nil, fmt.Errorf("unknown scenario %q (want all or some of %s)", name, strings.Join(names, ", "))
	}
	return out, nil
}

// harness runs scenarios with the generator and workers as processes, or
// all in this process with -inprocess.
type harness struct {
	opts    options
	stderr  io.Writer
	self    string // this binary, re-executed as the worker
	genBin  string
	tmp     string
	cleanup []func()
}

func (h *harness) close() {
	for i := len(h.cleanup) - 1; i >= 0; i-- {
		h.cleanup[i]()
	}
}

// prepare finds the worker binary and builds the generator; with
// -inprocess it starts the CPU profile instead.
func (h *harness) prepare(ctx context.Context) error {
	if h.opts.inprocess {
		stop := context.AfterFunc(ctx, func() {
			fmt.Fprintln(h.stderr, "bench: interrupted")
			os.Exit(130)
		})
		h.cleanup = append(h.cleanup, func() { stop() })
		if h.opts.cpuprofile != "" {
			f, err := os.Create(h.opts.cpuprofile)
			if err != nil {
				return err
			}
			if err := pprof.StartCPUProfile(f); err != nil {
				f.Close()
				return err
			}
			h.cleanup = append(h.cleanup, func() { pprof.StopCPUProfile(); f.Close() })
		}
		return nil
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	h.self = self
	h.genBin = h.opts.generator
	if h.genBin != "" {
		return nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return err
	}
	repo, err := findRepo(wd)
	if err != nil {
		return err
	}
	h.tmp, err = os.MkdirTemp("", "boltrx-bench-")
	if err != nil {
		return err
	}
	h.cleanup = append(h.cleanup, func() { os.RemoveAll(h.tmp) })
	h.genBin, err = buildGenerator(ctx, repo, h.tmp)
	return err
}

// server is a running generator: a process, or in this process with
// -inprocess.
type server struct {
	uri  string
	stop func()
}

func (h *harness) startServer(ctx context.Context, ns *netns, flushDelay time.Duration) (*server, error) {
	if h.opts.inprocess {
		g, err := generator.Start(ctx, generator.Config{Shape: generator.ShapeRows, Rows: 1, FlushDelay: flushDelay})
		if err != nil {
			return nil, err
		}
		return &server{uri: "bolt://" + g.Addr(), stop: func() { _ = g.Close() }}, nil
	}
	g, err := startGenerator(ctx, h.genBin, ns, flushDelay)
	if err != nil {
		return nil, err
	}
	return &server{uri: g.uri(), stop: g.stop}, nil
}

// measure runs one work with one driver and returns its metrics.
func (h *harness) measure(ctx context.Context, ns *netns, spec workSpec, profileName string) (map[string]float64, error) {
	if h.opts.inprocess {
		// Background, as the workers do (see workerMain); prepare makes an
		// interrupt end the process.
		res, err := runWork(context.Background(), spec)
		return res.Metrics, err
	}
	prof := ""
	if h.opts.cpuprofile != "" {
		prof = h.opts.cpuprofile + "-" + profileName + ".pprof"
	}
	res, args, err := runWorker(ctx, h.self, ns, spec, prof)
	if h.opts.verbose {
		fmt.Fprintln(h.stderr, "  "+strings.Join(args, " "))
	}
	return res.Metrics, err
}

// run runs the chosen scenarios and returns the report.
func (h *harness) run(ctx context.Context, chosen []scenario) (report, error) {
	rep := h.newReport()
	for _, sc := range chosen {
		began := time.Now()
		rows, err := h.scenario(ctx, sc)
		if errors.Is(err, errNoNetem) {
			for _, r := range sc.rows {
				rep.Rows = append(rep.Rows, reportRow{Name: r.name, About: r.about, Unit: r.unit, Skipped: err.Error()})
			}
			fmt.Fprintf(h.stderr, "bench: %s skipped: %v\n", sc.name, err)
			continue
		}
		if err != nil {
			return rep, fmt.Errorf("%s: %w", sc.name, err)
		}
		rep.Rows = append(rep.Rows, rows...)
		if h.opts.verbose {
			fmt.Fprintf(h.stderr, "bench: %s took %v\n", sc.name, time.Since(began).Round(time.Millisecond))
		}
	}
	return rep, nil
}

// scenario runs one scenario for every round.
func (h *harness) scenario(ctx context.Context, sc scenario) ([]reportRow, error) {
	var ns *netns
	if sc.netem {
		if h.opts.inprocess {
			return nil, fmt.Errorf("%w: -inprocess has no network namespace", errNoNetem)
		}
		var err error
		if ns, err = setupNetem(ctx, h.opts.netemRTT); err != nil {
			return nil, err
		}
		defer func() {
			if err := ns.teardown(); err != nil {
				fmt.Fprintln(h.stderr, "bench: removing the network namespace:", err)
			}
		}()
	}
	srv, err := h.startServer(ctx, ns, sc.flushDelay)
	if err != nil {
		return nil, err
	}
	defer srv.stop()
	// values[job][driver][metric] are the figures of every round.
	values := make([]map[string]map[string][]float64, len(sc.jobs))
	for round := range h.opts.rounds {
		for j, jb := range sc.jobs {
			if values[j] == nil {
				values[j] = map[string]map[string][]float64{}
			}
			order := []string{jb.subject, jb.ref}
			if round%2 == 1 {
				order[0], order[1] = order[1], order[0]
			}
			for _, d := range order {
				if !h.wants(d == jb.subject) {
					continue
				}
				spec := workSpec{Driver: d, Work: jb.work, URI: srv.uri, Rows: jb.rows(h.opts.rows),
					Samples: h.opts.samples, Duration: h.opts.duration}
				if jb.samples > 0 {
					spec.Samples = min(jb.samples, h.opts.samples)
				}
				m, err := h.measure(ctx, ns, spec, fmt.Sprintf("%s-%s-%s-r%d", sc.name, jb.work, d, round+1))
				if err != nil {
					return nil, err
				}
				if values[j][d] == nil {
					values[j][d] = map[string][]float64{}
				}
				for k, v := range m {
					values[j][d][k] = append(values[j][d][k], v)
				}
			}
		}
	}
	var rows []reportRow
	for _, r := range sc.rows {
		jb := sc.jobs[r.job]
		row := reportRow{Name: r.name, About: r.about, Unit: r.unit, LowerBetter: r.lowerBetter,
			Subject: summarize(jb.subject, values[r.job][jb.subject][r.metric]),
			Ref:     summarize(jb.ref, values[r.job][jb.ref][r.metric])}
		for _, f := range []*figures{row.Subject, row.Ref} {
			if f != nil {
				f.CPUSeconds = values[r.job][f.Driver][metricCPU]
			}
		}
		if row.Subject != nil && row.Ref != nil && row.Ref.Median != 0 {
			ratio := row.Subject.Median / row.Ref.Median
			row.Ratio = &ratio
		}
		if r.target != 0 {
			row.Target = formatTarget(r.target, r.lowerBetter, r.percent)
			if row.Ratio != nil {
				met := *row.Ratio >= r.target
				if r.lowerBetter {
					met = *row.Ratio <= r.target
				}
				row.Met = &met
			}
		}
		row.Percent = r.percent
		rows = append(rows, row)
	}
	return rows, nil
}

// wants reports whether -driver lets the subject (boltrx) or the
// reference (official driver or raw client) run.
func (h *harness) wants(subject bool) bool {
	switch h.opts.driver {
	case "":
		return true
	case driverBoltrx:
		return subject
	}
	return !subject
}

// newReport fills in how and where the run is made.
func (h *harness) newReport() report {
	mode := "separate processes: the generator command as the server, each driver run in a worker process of its own"
	if h.opts.inprocess {
		mode = "IN-PROCESS, FOR PROFILING ONLY: server and drivers share one process; this is not the product's speed"
	}
	host, _ := os.Hostname()
	return report{
		Title:   "boltrx vs neo4j-go-driver v6.2.0",
		Mode:    mode,
		Machine: fmt.Sprintf("%s, %s/%s, %d CPUs, host %s", runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), host),
		Date:    time.Now().UTC().Format("2006-01-02 15:04 MST"),
		Rounds:  h.opts.rounds,
		Command: h.opts.command(),
	}
}
