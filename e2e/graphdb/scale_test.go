package graphdb

import (
	"fmt"
	"testing"

	"github.com/boltrx/boltrx/packstream"
)

// etlRows builds one batch of rows with ids [from, from+n).
func etlRows(from, n int) []any {
	rows := make([]any, n)
	for i := range rows {
		id := int64(from + i)
		rows[i] = map[string]any{"id": id, "name": fmt.Sprintf("row-%07d", id), "score": float64(id) / 4}
	}
	return rows
}

func TestBatchWritesAndOrderedReads(t *testing.T) {
	const total, batch, page = 100_000, 10_000, 1_000
	_, db, r := newTestDB(t)
	// Insert out of order (second half first) so that the index order is
	// not just the insertion order.
	for _, start := range []int{total / 2, 0} {
		for b := start; b < start+total/2; b += batch {
			res := write(t, r, "UNWIND $rows AS row CREATE (n:Row) SET n = row", map[string]any{"rows": etlRows(b, batch)})
			if res.Stats.NodesCreated != batch || res.Stats.PropertiesSet != 3*batch {
				t.Fatalf("batch stats %+v", res.Stats)
			}
		}
	}
	if db.LastTxID() != total/batch {
		t.Errorf("%d transactions logged", db.LastTxID())
	}
	if c := count(t, r, "MATCH (n:Row) RETURN count(n)"); c != total {
		t.Fatalf("count %d", c)
	}

	// Keyset pagination in ascending order.
	next := int64(0)
	for lo := int64(-1); ; {
		res := read(t, r, "MATCH (n:Row) WHERE n.id > $lo RETURN n.id AS id, n.name AS name ORDER BY n.id LIMIT $page",
			map[string]any{"lo": lo, "page": page})
		if len(res.Rows) == 0 {
			break
		}
		for _, row := range res.Rows {
			if row[0] != next || row[1] != fmt.Sprintf("row-%07d", next) {
				t.Fatalf("row %v, want id %d", row, next)
			}
			next++
		}
		lo = res.Rows[len(res.Rows)-1][0].(int64)
	}
	if next != total {
		t.Fatalf("read back %d rows", next)
	}

	// SKIP/LIMIT pages, descending, whole nodes.
	for _, skip := range []int64{0, 4_000, 99_000} {
		res := read(t, r, "MATCH (n:Row) RETURN n ORDER BY n.id DESC SKIP $skip LIMIT 1000", map[string]any{"skip": skip})
		if len(res.Rows) != page {
			t.Fatalf("page at %d has %d rows", skip, len(res.Rows))
		}
		for i, row := range res.Rows {
			want := total - 1 - skip - int64(i)
			props := row[0].(packstream.Node).Props
			if props["id"] != want || props["score"] != float64(want)/4 {
				t.Fatalf("desc row %d of page %d: %v", i, skip, props)
			}
		}
	}

	// An upsert batch over existing data touches only its rows.
	res := write(t, r, "UNWIND $rows AS row MERGE (n:Row {id: row.id}) SET n += row", map[string]any{"rows": etlRows(total-batch/2, batch)})
	if res.Stats.NodesCreated != batch/2 {
		t.Errorf("upsert created %d nodes", res.Stats.NodesCreated)
	}
	if c := count(t, r, "MATCH (n:Row) WHERE n.id >= 99990 AND n.id < 100010 RETURN count(n)"); c != 20 {
		t.Errorf("range count %d", c)
	}
}
