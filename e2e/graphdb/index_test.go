package graphdb

import (
	"math/rand"
	"reflect"
	"slices"
	"testing"
)

func TestSortedSetAgainstReference(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	var s sortedSet
	var ref []indexEntry
	randomEntry := func() indexEntry {
		var v any
		switch rng.Intn(4) {
		case 0:
			v = int64(rng.Intn(50))
		case 1:
			v = float64(rng.Intn(50))
		case 2:
			v = string(rune('a' + rng.Intn(26)))
		default:
			v = nil
		}
		return indexEntry{val: v, id: int64(rng.Intn(40))}
	}
	for i := 0; i < 20000; i++ {
		e := randomEntry()
		pos, found := slices.BinarySearchFunc(ref, e, compareEntries)
		if rng.Intn(3) == 0 {
			if got := s.remove(e); got != found {
				t.Fatalf("remove(%v) = %v, want %v", e, got, found)
			}
			if found {
				ref = slices.Delete(ref, pos, pos+1)
			}
		} else {
			if got := s.insert(e); got == found {
				t.Fatalf("insert(%v) = %v, want %v", e, got, !found)
			}
			if !found {
				ref = slices.Insert(ref, pos, e)
			}
		}
	}
	if s.size != len(ref) {
		t.Fatalf("size %d, want %d", s.size, len(ref))
	}
	var fwd, back []indexEntry
	for c := s.first(); c.valid(); c.next() {
		fwd = append(fwd, c.entry())
	}
	for c := s.last(); c.valid(); c.prev() {
		back = append(back, c.entry())
	}
	slices.Reverse(back)
	if !reflect.DeepEqual(fwd, ref) || !reflect.DeepEqual(back, ref) {
		t.Fatal("iteration differs from the reference")
	}
	// seek lands on the first entry not before the probe.
	for i := 0; i < 500; i++ {
		probe := randomEntry()
		want, _ := slices.BinarySearchFunc(ref, probe, compareEntries)
		c := s.seek(func(e indexEntry) bool { return compareEntries(e, probe) < 0 })
		if want == len(ref) {
			if c.valid() {
				t.Fatalf("seek(%v) should be at the end", probe)
			}
			continue
		}
		if !c.valid() || compareEntries(c.entry(), ref[want]) != 0 {
			t.Fatalf("seek(%v) wrong", probe)
		}
	}
}

func TestIndexEntriesOrder(t *testing.T) {
	es := []indexEntry{{nil, 1}, {"b", 1}, {true, 1}, {1.5, 1}, {int64(1), 2}, {1.0, 1}, {int64(1), 1}, {[]any{int64(1)}, 1}, {"a", 1}}
	slices.SortFunc(es, compareEntries)
	want := []indexEntry{{[]any{int64(1)}, 1}, {"a", 1}, {"b", 1}, {true, 1}, {1.0, 1}, {int64(1), 1}, {int64(1), 2}, {1.5, 1}, {nil, 1}}
	if !reflect.DeepEqual(es, want) {
		t.Errorf("order %v", es)
	}
}

// TestIndexAgreesWithScan runs random writes (with rollbacks) and checks
// that index seeks and ordered index scans give what a plain scan gives.
func TestIndexAgreesWithScan(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	_, _, r := newTestDB(t)
	randomValue := func() any {
		switch rng.Intn(5) {
		case 0:
			return int64(rng.Intn(10))
		case 1:
			return float64(rng.Intn(10))
		case 2:
			return string(rune('a' + rng.Intn(5)))
		case 3:
			return nil
		default:
			return float64(rng.Intn(20)) / 2
		}
	}
	// The index is built early so that it is maintained through the writes.
	read(t, r, "MATCH (n:L) WHERE n.k = 1 RETURN n", nil)
	for round := 0; round < 60; round++ {
		tx := mustBegin(t, r, WriteAccess)
		for op := 0; op < 10; op++ {
			var q string
			switch rng.Intn(4) {
			case 0, 1:
				q = "CREATE (:L {k: $v})"
			case 2:
				q = "MATCH (n:L) WHERE id(n) % 7 = $m SET n.k = $v"
			default:
				q = "MATCH (n:L) WHERE id(n) % 11 = $m DELETE n"
			}
			mustRun(t, tx, q, map[string]any{"v": randomValue(), "m": int64(rng.Intn(7))})
		}
		if rng.Intn(3) == 0 {
			_ = tx.Rollback()
		} else if _, err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		for _, v := range []any{int64(3), 3.0, "b", 4.5, true} {
			p := map[string]any{"v": v}
			checkSame(t, r, "MATCH (n:L) WHERE n.k = $v RETURN id(n) AS i ORDER BY i",
				"MATCH (n:L) WHERE coalesce(n.k, null) = $v RETURN id(n) AS i ORDER BY i", p)
			checkSame(t, r, "MATCH (n:L {k: $v}) RETURN id(n) AS i ORDER BY i",
				"MATCH (n:L) WHERE coalesce(n.k, null) = $v RETURN id(n) AS i ORDER BY i", p)
			checkSame(t, r, "MATCH (n:L) WHERE n.k > $v RETURN id(n) AS i ORDER BY i",
				"MATCH (n:L) WHERE coalesce(n.k, null) > $v RETURN id(n) AS i ORDER BY i", p)
			checkSame(t, r, "MATCH (n:L) WHERE n.k <= $v RETURN id(n) AS i ORDER BY i",
				"MATCH (n:L) WHERE coalesce(n.k, null) <= $v RETURN id(n) AS i ORDER BY i", p)
		}
		for _, dir := range []string{"", " DESC"} {
			idx := read(t, r, "MATCH (n:L) RETURN n.k ORDER BY n.k"+dir, nil).Rows
			scan := read(t, r, "MATCH (n:L) RETURN n.k ORDER BY coalesce(n.k, null)"+dir, nil).Rows
			if len(idx) != len(scan) {
				t.Fatalf("round %d: ordered scan has %d rows, sort has %d", round, len(idx), len(scan))
			}
			for i := range idx {
				if orderCompare(idx[i][0], scan[i][0]) != 0 {
					t.Fatalf("round %d%s: row %d: %v vs %v", round, dir, i, idx[i][0], scan[i][0])
				}
			}
		}
	}
}

func checkSame(t *testing.T, r *Replica, indexed, scanned string, params map[string]any) {
	t.Helper()
	a := read(t, r, indexed, params).Rows
	b := read(t, r, scanned, params).Rows
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("%s with %v:\nindex %v\nscan  %v", indexed, params, a, b)
	}
}

func TestIndexSeesOwnWritesInWriteTx(t *testing.T) {
	_, _, r := newTestDB(t)
	write(t, r, "UNWIND range(1, 10) AS i CREATE (:L {k: i})", nil)
	tx := mustBegin(t, r, WriteAccess)
	mustRun(t, tx, "MATCH (n:L {k: 3}) SET n.k = 30", nil)
	mustRun(t, tx, "CREATE (:L {k: 31})", nil)
	res := mustRun(t, tx, "MATCH (n:L) WHERE n.k >= 10 RETURN n.k ORDER BY n.k DESC LIMIT 2", nil)
	if !reflect.DeepEqual(res.Rows, rows(vals(int64(31)), vals(int64(30)))) {
		t.Errorf("own writes through the index: %v", res.Rows)
	}
	if res := mustRun(t, tx, "MATCH (n:L {k: 3}) RETURN n", nil); len(res.Rows) != 0 {
		t.Errorf("old value still found: %v", res.Rows)
	}
	_ = tx.Rollback()
	if res := read(t, r, "MATCH (n:L {k: 3}) RETURN n.k", nil); len(res.Rows) != 1 {
		t.Errorf("after rollback: %v", res.Rows)
	}
}

func TestCommitDropsEntriesOfIntermediateValues(t *testing.T) {
	_, db, r := newTestDB(t)
	read(t, r, "MATCH (n:L) WHERE n.k = 0 RETURN n", nil) // create the index
	write(t, r, "CREATE (n:L {k: 1}) SET n.k = 2 SET n.k = 3", nil)
	write(t, r, "CREATE (n:L {k: 9}) DELETE n", nil)
	var vals []any
	ix := db.g.index("L", "k")
	for c := ix.set.first(); c.valid(); c.next() {
		vals = append(vals, c.entry().val)
	}
	if !reflect.DeepEqual(vals, []any{int64(3)}) {
		t.Errorf("index entries %v, want only the committed value", vals)
	}
}
