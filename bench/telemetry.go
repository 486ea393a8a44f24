package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
)

// telemetryModes are boltrx's OpenTelemetry set-ups that -telemetry
// compares (worker -otel): switched off, a no-op provider, an SDK
// provider whose sampler drops everything, and every span recorded in
// memory.
var telemetryModes = []string{"off", "noop", "drop", "record"}

// telemetryRow is one set-up's figures.
type telemetryRow struct {
	Mode      string   `json:"mode"`
	P50       *figures `json:"p50_us"`
	Rate      *figures `json:"stream_rx_records_per_s"`
	P50VsOff  float64  `json:"p50_vs_off"`
	RateVsOff float64  `json:"rate_vs_off"`
}

// telemetry measures boltrx's latency p50 and Rx streaming in each
// telemetry set-up, each in its own worker process, the set-ups rotating
// their order round by round.
func (h *harness) telemetry(ctx context.Context) (report, error) {
	rep := h.newReport()
	rep.Title = "boltrx with OpenTelemetry off, no-op, drop-all sampler and recording"
	srv, err := h.startServer(ctx, nil, 0)
	if err != nil {
		return rep, err
	}
	defer srv.stop()
	p50 := map[string][]float64{}
	rate := map[string][]float64{}
	for round := range h.opts.rounds {
		for i := range telemetryModes {
			mode := telemetryModes[(i+round)%len(telemetryModes)]
			for _, work := range []string{workLatency, workStreamRx} {
				spec := workSpec{Driver: driverBoltrx, Work: work, URI: srv.uri, Rows: h.opts.rows,
					Samples: h.opts.samples, Duration: h.opts.duration, Otel: mode}
				m, err := h.measure(ctx, nil, spec, fmt.Sprintf("telemetry-%s-%s-r%d", mode, work, round+1))
				if err != nil {
					return rep, err
				}
				if work == workLatency {
					p50[mode] = append(p50[mode], m[metricP50])
				} else {
					rate[mode] = append(rate[mode], m[metricRate])
				}
			}
		}
	}
	off := summarize("off", p50["off"])
	offRate := summarize("off", rate["off"])
	for _, mode := range telemetryModes {
		row := telemetryRow{Mode: mode, P50: summarize(mode, p50[mode]), Rate: summarize(mode, rate[mode])}
		row.P50VsOff = row.P50.Median/off.Median - 1
		row.RateVsOff = row.Rate.Median/offRate.Median - 1
		rep.Telemetry = append(rep.Telemetry, row)
	}
	return rep, nil
}

func printTelemetry(w io.Writer, rows []telemetryRow) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "OpenTelemetry\tlatency p50 µs\tvs off\tstream-rx rec/s\tvs off\t")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%+.1f%%\t%s\t%+.1f%%\t\n", r.Mode, r.P50.String("µs"), 100*r.P50VsOff,
			r.Rate.String("rec/s"), 100*r.RateVsOff)
	}
	tw.Flush()
}
