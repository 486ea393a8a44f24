package main

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/reactivex/rxgo/v2"

	"github.com/boltrx/boltrx"
)

// readingsQuery streams the input, in id order.
const readingsQuery = "MATCH (r:PipelineReading) RETURN r.id AS id, r.sensor AS sensor, r.celsius AS celsius ORDER BY r.id"

// alertsQuery writes one batch of enriched alerts. MERGE on the reading
// id makes a rerun update the alerts instead of duplicating them.
const alertsQuery = "UNWIND $batch AS row MERGE (a:PipelineAlert {readingId: row.readingId}) SET a += row"

// reading is one input record, mapped from the query's columns by its
// tags (boltrx.RecordsAs).
type reading struct {
	ID      int64   `neo4j:"id"`
	Sensor  string  `neo4j:"sensor"`
	Celsius float64 `neo4j:"celsius"` // a reading without one fails the pipeline, naming the column
}

// alert is one row of the alerts to write: WriteBatchesRx sends a batch of
// them as $batch, each as the map of its tagged fields.
type alert struct {
	ReadingID  int64   `neo4j:"readingId"`
	Sensor     string  `neo4j:"sensor"`
	Site       string  `neo4j:"site"`
	Floor      int64   `neo4j:"floor"`
	Celsius    float64 `neo4j:"celsius"`
	Fahrenheit float64 `neo4j:"fahrenheit"`
	Level      string  `neo4j:"level"`
}

// pipelineStats counts what went through the pipeline's stages. The
// stages run on rxgo's goroutines, the report on the caller's: every
// field is atomic.
type pipelineStats struct {
	taken    atomic.Int64 // records taken from the query's result
	passed   atomic.Int64 // readings that passed the filter
	lookups  atomic.Int64 // calls to the sensor directory
	maxAhead atomic.Int64 // most records requested from the server beyond those taken
}

// pipeline is the reactive flow from the query's records to the
// parameter maps of the alerts to write.
type pipeline struct {
	result    *boltrx.RxResult
	fetchSize int
	threshold float64 // readings at or above it become alerts
	group     int     // readings per directory lookup
	directory sensorDirectory
	stats     pipelineStats
}

// alerts returns the Observable of alerts:
//
//	RecordsAs[reading] → Map(take) → Filter(hot) → BufferWithCount(group) → Map(enrich group) → flatten
//
// Every stage hands items to the next over an unbuffered channel, so a
// stage that waits (the directory, or WriteBatchesRx committing a batch)
// stops the ones before it, and in the end the driver's PULLs.
func (p *pipeline) alerts() rxgo.Observable {
	enriched := boltrx.RecordsAs[reading](p.result).
		Map(p.take).
		Filter(p.isHot).
		BufferWithCount(p.group).
		Map(p.enrichGroup)
	return flatten(enriched)
}

// take is the first stage after the typed records: it counts the
// readings taken and how far ahead of them the driver has asked the
// server for records (PULLs sent × fetch size − readings taken).
func (p *pipeline) take(_ context.Context, v any) (any, error) {
	taken := p.stats.taken.Add(1)
	if ahead := int64(p.result.Pulls()*p.fetchSize) - taken; ahead > p.stats.maxAhead.Load() {
		p.stats.maxAhead.Store(ahead) // only this stage writes it
	}
	return v, nil
}

// isHot keeps the readings at or above the threshold.
func (p *pipeline) isHot(v any) bool {
	r, ok := v.(reading)
	if !ok || r.Celsius < p.threshold {
		return false
	}
	p.stats.passed.Add(1)
	return true
}

// enrichGroup looks the sensors of a group of hot readings up in the
// directory, with one call for the whole group, and returns the group's
// alerts.
func (p *pipeline) enrichGroup(ctx context.Context, v any) (any, error) {
	group, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("pipeline: unexpected group %T", v)
	}
	readings := make([]reading, 0, len(group))
	sensors := make([]string, 0, len(group))
	for _, g := range group {
		r, ok := g.(reading)
		if !ok {
			return nil, fmt.Errorf("pipeline: unexpected reading %T", g)
		}
		readings = append(readings, r)
		sensors = append(sensors, r.Sensor)
	}
	p.stats.lookups.Add(1)
	info, err := p.directory.Lookup(ctx, sensors)
	if err != nil {
		return nil, err
	}
	rows := make([]alert, len(readings))
	for i, r := range readings {
		site, floor := "unknown", int64(-1)
		if s, ok := info[r.Sensor]; ok {
			site, floor = s.Site, s.Floor
		}
		level := "warning"
		if r.Celsius >= p.threshold+6 {
			level = "critical"
		}
		rows[i] = alert{ReadingID: r.ID, Sensor: r.Sensor, Site: site, Floor: floor,
			Celsius: r.Celsius, Fahrenheit: r.Celsius*9/5 + 32, Level: level}
	}
	return rows, nil
}

// flatten emits the alerts of each group one by one: WriteBatchesRx takes
// one row per item and makes its own batches. It observes the
// groups with the context it is observed with, so when WriteBatchesRx
// stops (done, failed or cancelled) the whole chain up to the query's
// result stops too, and the driver discards the rest of the result.
func flatten(groups rxgo.Observable) rxgo.Observable {
	return rxgo.Defer([]rxgo.Producer{func(ctx context.Context, next chan<- rxgo.Item) {
		for item := range groups.Observe(rxgo.WithContext(ctx)) {
			if item.E != nil {
				item.SendContext(ctx, next)
				return
			}
			rows, ok := item.V.([]alert)
			if !ok {
				rxgo.Error(fmt.Errorf("pipeline: unexpected group %T", item.V)).SendContext(ctx, next)
				return
			}
			for _, row := range rows {
				if !rxgo.Of(row).SendContext(ctx, next) {
					return
				}
			}
		}
	}})
}
