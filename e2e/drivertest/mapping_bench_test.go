package drivertest_test

import (
	"context"
	"testing"

	"github.com/boltrx/boltrx"
	"github.com/boltrx/boltrx/e2e/generator"
)

// genRow is a record of the generator's "rows" shape.
type genRow struct {
	ID    int64   `neo4j:"id"`
	Name  string  `neo4j:"name"`
	Score float64 `neo4j:"score"`
	Even  bool    `neo4j:"even"`
}

// genPerson is the node of the generator's "nodes" shape.
type genPerson struct {
	Name string `neo4j:"name"`
	Age  int    `neo4j:"age"`
}

const benchRows = 10_000

// benchCollect runs a 10,000-record query against the in-process
// generator server b.N times and reports records/s; read reads a result.
func benchCollect(b *testing.B, shape generator.Shape, read func(context.Context, *boltrx.Result) (int, error)) {
	gen := generator.StartT(b, generator.Config{Shape: shape, Rows: benchRows})
	ctx := context.Background()
	drv, err := boltrx.NewDriver("bolt://"+gen.Addr(), boltrx.NoAuth())
	if err != nil {
		b.Fatal(err)
	}
	defer drv.Close(ctx)
	sess, _ := drv.NewSession(ctx, boltrx.SessionConfig{})
	defer sess.Close(ctx)
	b.ReportAllocs()
	for b.Loop() {
		res, err := sess.Run(ctx, "RETURN rows", nil)
		if err != nil {
			b.Fatal(err)
		}
		n, err := read(ctx, res)
		if err != nil || n != benchRows {
			b.Fatalf("%d records, %v", n, err)
		}
	}
	b.ReportMetric(float64(b.N)*benchRows/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkCollectAsRows / BenchmarkCollectRowsByHand: four columns into a
// struct, with CollectAs and with Collect plus the conversion a program
// writes by hand.
func BenchmarkCollectAsRows(b *testing.B) {
	benchCollect(b, generator.ShapeRows, func(ctx context.Context, res *boltrx.Result) (int, error) {
		rows, err := boltrx.CollectAs[genRow](ctx, res)
		return len(rows), err
	})
}

func BenchmarkCollectRowsByHand(b *testing.B) {
	benchCollect(b, generator.ShapeRows, func(ctx context.Context, res *boltrx.Result) (int, error) {
		recs, err := res.Collect(ctx)
		if err != nil {
			return 0, err
		}
		rows := make([]genRow, len(recs))
		for i, r := range recs {
			id, _, err1 := boltrx.GetRecordValue[int64](r, "id")
			name, _, err2 := boltrx.GetRecordValue[string](r, "name")
			score, _, err3 := boltrx.GetRecordValue[float64](r, "score")
			even, _, err4 := boltrx.GetRecordValue[bool](r, "even")
			if err1 != nil || err2 != nil || err3 != nil || err4 != nil {
				return 0, err1
			}
			rows[i] = genRow{ID: id, Name: name, Score: score, Even: even}
		}
		return len(rows), nil
	})
}

// BenchmarkCollectAsNodes / BenchmarkCollectNodesByHand: a node's
// properties into a struct.
func BenchmarkCollectAsNodes(b *testing.B) {
	benchCollect(b, generator.ShapeNodes, func(ctx context.Context, res *boltrx.Result) (int, error) {
		people, err := boltrx.CollectAs[genPerson](ctx, res)
		return len(people), err
	})
}

func BenchmarkCollectNodesByHand(b *testing.B) {
	benchCollect(b, generator.ShapeNodes, func(ctx context.Context, res *boltrx.Result) (int, error) {
		recs, err := res.Collect(ctx)
		if err != nil {
			return 0, err
		}
		people := make([]genPerson, len(recs))
		for i, r := range recs {
			n, _, err := boltrx.GetRecordValue[boltrx.Node](r, "n")
			if err != nil {
				return 0, err
			}
			name, err1 := boltrx.GetProperty[string](n, "name")
			age, err2 := boltrx.GetProperty[int64](n, "age")
			if err1 != nil || err2 != nil {
				return 0, err1
			}
			people[i] = genPerson{Name: name, Age: int(age)}
		}
		return len(people), nil
	})
}
