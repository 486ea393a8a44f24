package graphdb

import (
	"context"
	"sync"
	"testing"
)

// runBench runs one query in its own transaction, failing the benchmark on
// error.
func runBench(b *testing.B, r *Replica, mode AccessMode, q string, params map[string]any) *Result {
	tx, err := r.Begin(mode)
	if err != nil {
		b.Fatal(err)
	}
	res, err := tx.Run(context.Background(), q, params)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	return res
}

// BenchmarkUnwindCreateBatch1000 writes one 1,000-row batch per op into a
// store that keeps growing: the cost must not depend on the store size.
func BenchmarkUnwindCreateBatch1000(b *testing.B) {
	_, _, r := newTestDB(b)
	params := map[string]any{"rows": etlRows(0, 1000)}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		runBench(b, r, WriteAccess, "UNWIND $rows AS row CREATE (n:Row) SET n = row", params)
	}
}

// BenchmarkMergeBatch1000 upserts 1,000 existing rows of a 100,000-node
// store per op.
func BenchmarkMergeBatch1000(b *testing.B) {
	_, _, r := newTestDB(b)
	for i := 0; i < 100_000; i += 10_000 {
		runBench(b, r, WriteAccess, "UNWIND $rows AS row CREATE (n:Row) SET n = row", map[string]any{"rows": etlRows(i, 10_000)})
	}
	params := map[string]any{"rows": etlRows(50_000, 1000)}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		runBench(b, r, WriteAccess, "UNWIND $rows AS row MERGE (n:Row {id: row.id}) SET n += row", params)
	}
}

var (
	millionOnce    sync.Once
	millionReplica *Replica
)

// millionNodes returns a replica of a database with 1,000,000 :Row nodes
// and its id index built (shared by the page benchmarks).
func millionNodes(b *testing.B) *Replica {
	millionOnce.Do(func() {
		s := NewStore(Options{})
		db, _ := s.CreateDatabase("neo4j")
		r := db.Replica("core1")
		for i := 0; i < 1_000_000; i += 10_000 {
			runBench(b, r, WriteAccess, "UNWIND $rows AS row CREATE (n:Row) SET n = row", map[string]any{"rows": etlRows(i, 10_000)})
		}
		runBench(b, r, WriteAccess, "CREATE INDEX FOR (n:Row) ON (n.id)", nil)
		millionReplica = r
	})
	return millionReplica
}

// BenchmarkOrderedPage1M reads 1,000-row pages ordered by an indexed
// property from a 1,000,000-node store.
func BenchmarkOrderedPage1M(b *testing.B) {
	r := millionNodes(b)
	b.Run("keyset", func(b *testing.B) {
		lo := int64(0)
		b.ReportAllocs()
		for b.Loop() {
			res := runBench(b, r, ReadAccess, "MATCH (n:Row) WHERE n.id >= $lo RETURN n.id, n.name ORDER BY n.id LIMIT 1000", map[string]any{"lo": lo})
			if len(res.Rows) != 1000 {
				b.Fatalf("%d rows", len(res.Rows))
			}
			lo = (lo + 1000) % 999_000
		}
	})
	b.Run("nodes-keyset", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			runBench(b, r, ReadAccess, "MATCH (n:Row) WHERE n.id >= $lo RETURN n ORDER BY n.id LIMIT 1000", map[string]any{"lo": int64(500_000)})
		}
	})
	b.Run("skip-500k", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			runBench(b, r, ReadAccess, "MATCH (n:Row) RETURN n.id ORDER BY n.id SKIP 500000 LIMIT 1000", nil)
		}
	})
}

// BenchmarkParseCached measures a statement cache hit.
func BenchmarkParseCached(b *testing.B) {
	q := "MATCH (n:Row) WHERE n.id >= $lo RETURN n.id, n.name ORDER BY n.id LIMIT 1000"
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(q); err != nil {
			b.Fatal(err)
		}
	}
}
