package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/reactivex/rxgo/v2"

	"github.com/boltrx/boltrx"
)

// sensorCount is how many sensors the seeded readings come from.
const sensorCount = 12

// seededReading returns the reading with the given id as it is seeded.
// Temperatures cycle through 15.25 … 39.25 °C in a fixed pattern, so that
// exactly 10 readings in every 25 consecutive ids are at 30 °C or more.
func seededReading(id int64) map[string]any {
	return map[string]any{
		"id":      id,
		"sensor":  fmt.Sprintf("sensor-%02d", id%sensorCount),
		"celsius": 15.25 + float64(id*7%25),
	}
}

// seed replaces the :PipelineReading and :PipelineAlert nodes with rows
// fresh readings, written in batches through WriteBatchesRx.
func seed(ctx context.Context, out io.Writer, driver *boltrx.Driver, manager boltrx.BookmarkManager, rows int) error {
	for _, q := range []string{"MATCH (a:PipelineAlert) DETACH DELETE a", "MATCH (r:PipelineReading) DETACH DELETE r"} {
		if _, err := driver.ExecuteQuery(ctx, q, nil, boltrx.ExecuteQueryWithBookmarkManager(manager)); err != nil {
			return err
		}
	}
	session, err := driver.NewSession(ctx, boltrx.SessionConfig{BookmarkManager: manager})
	if err != nil {
		return err
	}
	defer session.Close(ctx)
	readings := rxgo.Range(1, rows).Map(func(_ context.Context, v any) (any, error) {
		return seededReading(int64(v.(int))), nil
	})
	start := time.Now()
	for item := range session.WriteBatchesRx(ctx, "UNWIND $batch AS row CREATE (r:PipelineReading) SET r = row", readings, 5_000).Observe() {
		if item.E != nil {
			return fmt.Errorf("seeding: %w", item.E)
		}
	}
	fmt.Fprintf(out, "seeded %d sensor readings in %v\n", rows, time.Since(start).Round(time.Millisecond))
	return nil
}
