package main

import (
	"context"
	"fmt"
	"time"
)

// sensorInfo is what the sensor directory knows about one sensor.
type sensorInfo struct {
	Site  string
	Floor int64
}

// sensorDirectory stands in for the service a real pipeline would call to
// enrich its records (an HTTP API, a cache, another database). It answers
// a whole group of sensors per call, after a fixed latency, which is why
// the pipeline buffers records into groups before calling it.
type sensorDirectory struct {
	latency time.Duration
}

// sites are the buildings the example's sensors are spread over.
var sites = []string{"Amsterdam", "Berlin", "Lisbon"}

// Lookup returns what the directory knows about each of sensors, after
// the directory's latency. Sensors it does not know are left out.
func (d sensorDirectory) Lookup(ctx context.Context, sensors []string) (map[string]sensorInfo, error) {
	if d.latency > 0 {
		t := time.NewTimer(d.latency)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		}
	}
	out := make(map[string]sensorInfo, len(sensors))
	for _, s := range sensors {
		var n int
		if _, err := fmt.Sscanf(s, "sensor-%d", &n); err != nil || n < 0 {
			continue
		}
		out[s] = sensorInfo{Site: sites[n%len(sites)], Floor: int64(n / len(sites))}
	}
	return out, nil
}
