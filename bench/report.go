package main

import (
	"fmt"
	"io"
	"slices"
	"text/tabwriter"
)

// report is a run's result: printed as a table, or as JSON with -json.
type report struct {
	Title   string      `json:"title"`
	Mode    string      `json:"mode"`
	Machine string      `json:"machine"`
	Date    string      `json:"date"`
	Rounds  int         `json:"rounds"`
	Command string      `json:"command"`
	Took    string      `json:"took"`
	Rows    []reportRow `json:"rows"`
	// Telemetry is the table of -telemetry.
	Telemetry []telemetryRow `json:"telemetry,omitempty"`
}

// reportRow is one metric: boltrx (the subject) beside the reference.
type reportRow struct {
	Name        string   `json:"name"`
	About       string   `json:"about"`
	Unit        string   `json:"unit"`
	LowerBetter bool     `json:"lower_better"`
	Subject     *figures `json:"boltrx,omitempty"`
	Ref         *figures `json:"reference,omitempty"`
	// Ratio is boltrx's median / the reference's median.
	Ratio   *float64 `json:"ratio,omitempty"`
	Percent bool     `json:"ratio_as_percent,omitempty"`
	Target  string   `json:"target,omitempty"`
	Met     *bool    `json:"target_met,omitempty"`
	Skipped string   `json:"skipped,omitempty"`
}

// figures are one driver's values of a metric over the rounds.
type figures struct {
	Driver string    `json:"driver"`
	Median float64   `json:"median"`
	Min    float64   `json:"min"`
	Max    float64   `json:"max"`
	Q1     float64   `json:"q1"`
	Q3     float64   `json:"q3"`
	Values []float64 `json:"values"`
	// CPUSeconds are the worker processes' CPU times of each round, the
	// whole job's (all its rows share them).
	CPUSeconds []float64 `json:"cpu_s,omitempty"`
}

// summarize returns the figures of values; nil when there are none (the
// driver did not run).
func summarize(driver string, values []float64) *figures {
	if len(values) == 0 {
		return nil
	}
	s := slices.Clone(values)
	slices.Sort(s)
	return &figures{Driver: driver, Median: quantile(s, 0.5), Min: s[0], Max: s[len(s)-1],
		Q1: quantile(s, 0.25), Q3: quantile(s, 0.75), Values: values}
}

// quantile interpolates the q-quantile of sorted values.
func quantile(sorted []float64, q float64) float64 {
	pos := q * float64(len(sorted)-1)
	i := int(pos)
	if i+1 >= len(sorted) {
		return sorted[len(sorted)-1]
	}
	frac := pos - float64(i)
	return sorted[i] + frac*(sorted[i+1]-sorted[i])
}

func formatTarget(t float64, lowerBetter, percent bool) string {
	op := "≥"
	if lowerBetter {
		op = "≤"
	}
	if percent {
		return fmt.Sprintf("%s %.0f%%", op, 100*t)
	}
	return fmt.Sprintf("%s %.2f×", op, t)
}

// formatValue prints v in unit with a sensible precision.
func formatValue(v float64, unit string) string {
	switch {
	case unit == "MiB" || v < 100:
		return fmt.Sprintf("%.1f", v)
	case v >= 1e6:
		return fmt.Sprintf("%.2fM", v/1e6)
	case v >= 1e4:
		return fmt.Sprintf("%.0fk", v/1e3)
	}
	return fmt.Sprintf("%.0f", v)
}

func (f *figures) String(unit string) string {
	if f == nil {
		return "-"
	}
	return fmt.Sprintf("%s (%s–%s)", formatValue(f.Median, unit), formatValue(f.Min, unit), formatValue(f.Max, unit))
}

// print writes the report as a table.
func (r *report) print(w io.Writer) {
	fmt.Fprintf(w, "%s — %s\n", r.Title, r.Mode)
	fmt.Fprintf(w, "%s; %s; %d rounds, drivers alternating; median (min–max) per driver; took %s\n", r.Machine, r.Date, r.Rounds, r.Took)
	fmt.Fprintf(w, "reproduce: %s\n\n", r.Command)
	if len(r.Telemetry) > 0 {
		printTelemetry(w, r.Telemetry)
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "row\tunit\tboltrx\treference\tratio\ttarget\tmet\t")
	for _, row := range r.Rows {
		if row.Skipped != "" {
			fmt.Fprintf(tw, "%s\t%s\tskipped (below)\t\t\t\t\t\n", row.Name, row.Unit)
			continue
		}
		ref := "-"
		if row.Ref != nil {
			ref = row.Ref.Driver + " " + row.Ref.String(row.Unit)
		}
		ratio := "-"
		if row.Ratio != nil {
			ratio = fmt.Sprintf("%.2f×", *row.Ratio)
			if row.Percent {
				ratio = fmt.Sprintf("%.0f%%", 100**row.Ratio)
			}
		}
		met := ""
		if row.Met != nil {
			met = "no"
			if *row.Met {
				met = "yes"
			}
		}
		target := row.Target
		if target == "" {
			target = "-"
		}
		unit := row.Unit
		if row.LowerBetter {
			unit += " (lower better)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", row.Name, unit, row.Subject.String(row.Unit), ref, ratio, target, met)
	}
	tw.Flush()
	fmt.Fprintln(w)
	for _, row := range r.Rows {
		fmt.Fprintf(w, "  %-18s %s\n", row.Name, row.About)
		if row.Skipped != "" {
			fmt.Fprintf(w, "  %-18s skipped: %s\n", "", row.Skipped)
		}
	}
}
