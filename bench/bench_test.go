package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// The harness, built and run as users run it, measures every scenario
// with the generator and each driver in processes of their own and
// reports every row with figures from each round; only netem may be
// skipped, with a reason, and then leaves no network namespace behind.
// It asserts what the report holds, never how fast anything was.
func TestHarnessEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the harness")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	bin := filepath.Join(t.TempDir(), "bench")
	if out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	before := namespaces(ctx)
	const rounds = 2
	cmd := exec.CommandContext(ctx, bin, "-rounds", "2", "-rows", "3000", "-samples", "50", "-duration", "200ms", "-json")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("bench: %v\n%s", err, stderr.String())
	}
	var rep report
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatalf("report: %v\n%s", err, stdout.String())
	}
	if !strings.Contains(rep.Mode, "separate processes") || !strings.Contains(rep.Command, "go run . -scenario all -rounds 2 -rows 3000") {
		t.Errorf("mode %q, command %q", rep.Mode, rep.Command)
	}
	var want, got []string
	for _, sc := range scenarios() {
		for _, r := range sc.rows {
			want = append(want, r.name)
		}
	}
	for _, row := range rep.Rows {
		got = append(got, row.Name)
		if row.Skipped != "" {
			if !strings.HasPrefix(row.Name, "netem") {
				t.Errorf("%s skipped: %s", row.Name, row.Skipped)
			}
			continue
		}
		for _, f := range []*figures{row.Subject, row.Ref} {
			if f == nil || len(f.Values) != rounds {
				t.Errorf("%s: figures %+v, want %d values", row.Name, f, rounds)
				continue
			}
			for _, v := range f.Values {
				// A peak heap may be at the start's; everything else counts
				// something that happened.
				if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 || (v == 0 && row.Unit != "MiB") {
					t.Errorf("%s %s: value %v", row.Name, f.Driver, v)
				}
			}
			if len(f.CPUSeconds) != rounds || slices.Min(f.CPUSeconds) <= 0 {
				t.Errorf("%s %s: CPU seconds %v", row.Name, f.Driver, f.CPUSeconds)
			}
			if f.Min > f.Median || f.Median > f.Max {
				t.Errorf("%s %s: min %v, median %v, max %v", row.Name, f.Driver, f.Min, f.Median, f.Max)
			}
		}
		if row.Subject != nil && row.Subject.Driver != driverBoltrx {
			t.Errorf("%s: subject %q", row.Name, row.Subject.Driver)
		}
		if row.Ref != nil && row.Ref.Median > 0 && (row.Ratio == nil || math.Abs(*row.Ratio-row.Subject.Median/row.Ref.Median) > 1e-9) {
			t.Errorf("%s: ratio %v", row.Name, row.Ratio)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("rows %v, want %v", got, want)
	}
	if after := namespaces(ctx); len(after) > len(before) {
		t.Errorf("network namespaces left behind: before %v, after %v", before, after)
	}
}

// namespaces lists this harness's network namespaces (none when ip is
// missing).
func namespaces(ctx context.Context) []string {
	out, _ := exec.CommandContext(ctx, "ip", "netns", "list").Output()
	var ns []string
	for _, line := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(line, "boltrx-bench-") {
			ns = append(ns, line)
		}
	}
	return ns
}

func TestChooseScenarios(t *testing.T) {
	got, err := choose("stream-rx, latency")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].name != "latency" || got[1].name != "stream-rx" {
		t.Errorf("chose %v", got)
	}
	if all, _ := choose("all"); len(all) != len(scenarios()) {
		t.Errorf("all chose %d scenarios", len(all))
	}
	if _, err := choose("latency,stream"); err == nil || !strings.Contains(err.Error(), `"stream"`) {
		t.Errorf("unknown scenario: %v", err)
	}
}

func TestSummarize(t *testing.T) {
	f := summarize("x", []float64{5, 1, 3, 2, 4})
	if f.Median != 3 || f.Min != 1 || f.Max != 5 || f.Q1 != 2 || f.Q3 != 4 {
		t.Errorf("%+v", f)
	}
	if f := summarize("x", []float64{1, 2}); f.Median != 1.5 {
		t.Errorf("median of two: %v", f.Median)
	}
	if summarize("x", nil) != nil {
		t.Error("figures of no values")
	}
}
