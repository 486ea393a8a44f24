package main

import (
	"context"
	"fmt"
	"os"
	"text/tabwriter"

	"go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/boltrx/boltrx"
	"github.com/boltrx/boltrx/e2e/generator"
)

// telemetryModes are the ways boltrx runs in the telemetry comparison.
var telemetryModes = []struct {
	name      string
	configure func(*boltrx.Config) func()
}{
	{"switched off", func(c *boltrx.Config) func() { c.OpenTelemetryDisabled = true; return func() {} }},
	{"no-op provider", func(c *boltrx.Config) func() { c.TracerProvider = noop.NewTracerProvider(); return func() {} }},
	{"drop-all sampler", func(c *boltrx.Config) func() {
		tp := trace.NewTracerProvider(trace.WithSampler(trace.NeverSample()))
		c.TracerProvider = tp
		return func() { _ = tp.Shutdown(context.Background()) }
	}},
	{"all recorded (in memory)", func(c *boltrx.Config) func() {
		tp := trace.NewTracerProvider(trace.WithSampler(trace.AlwaysSample()), trace.WithSpanProcessor(tracetest.NewSpanRecorder()))
		c.TracerProvider = tp
		return func() { _ = tp.Shutdown(context.Background()) }
	}},
}

// compareTelemetry prints single-query latency and streaming throughput of
// boltrx in each telemetry mode, relative to telemetry switched off.
func compareTelemetry(ctx context.Context) error {
	single, err := generator.Start(ctx, generator.Config{Rows: 1})
	if err != nil {
		return err
	}
	defer single.Close()
	rowsGen, err := generator.Start(ctx, generator.Config{Shape: generator.ShapeRows})
	if err != nil {
		return err
	}
	defer rowsGen.Close()
	type figures struct{ p50, stream []float64 }
	results := make([]figures, len(telemetryModes))
	for run := 0; run < *runs; run++ {
		for i, m := range telemetryModes { // alternate modes, so drift hits all
			for _, scenario := range []struct {
				gen *generator.Server
				fn  func(context.Context, driverUnderTest) (float64, error)
				out *[]float64
			}{
				{single, latencyP(50), &results[i].p50},
				{rowsGen, stream(generator.ShapeRows, *rows), &results[i].stream},
			} {
				var cfg boltrx.Config
				done := m.configure(&cfg)
				d := newBoltrxWith(scenario.gen.Addr(), func(c *boltrx.Config) {
					c.OpenTelemetryDisabled, c.TracerProvider = cfg.OpenTelemetryDisabled, cfg.TracerProvider
				})
				v, err := scenario.fn(ctx, d)
				d.close(ctx)
				done()
				if err != nil {
					return fmt.Errorf("%s: %w", m.name, err)
				}
				*scenario.out = append(*scenario.out, v)
			}
		}
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "telemetry\tlatency p50 µs\tvs off\tstream records/s\tvs off\t")
	off := results[0]
	for i, m := range telemetryModes {
		r := results[i]
		fmt.Fprintf(tw, "%s\t%.1f\t%+.1f%%\t%.0f\t%+.1f%%\t\n", m.name,
			median(r.p50), 100*(median(r.p50)/median(off.p50)-1),
			median(r.stream), 100*(median(r.stream)/median(off.stream)-1))
	}
	return tw.Flush()
}
