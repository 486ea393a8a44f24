package graphdb

import (
	"context"
	"errors"
	"testing"
	"time"
)

// fuzzSeeds are queries of every accepted form plus some broken ones.
var fuzzSeeds = []string{
	"RETURN 1 + 2 * 3 AS x, 'a' + $b, [1, 2][0], {k: $m}.k",
	"UNWIND range(1, 10, 2) AS x RETURN x, toString(x) ORDER BY x DESC LIMIT 3",
	"UNWIND $l AS x RETURN collect(DISTINCT x), count(*), sum(x), avg(x), min(x), max(x)",
	"CREATE (n:P {name: 'a', age: 1}) RETURN n",
	"UNWIND $rows AS row CREATE (n:P) SET n = row",
	"UNWIND $rows AS row MERGE (n:P {key: row.key}) SET n += row",
	"MATCH (n:P) WHERE n.age > 0 AND n.name <> 'x' RETURN n.name AS name ORDER BY n.age DESC SKIP 1 LIMIT 2",
	"MATCH (n:P {name: 'a'}) SET n.age = n.age + 1 RETURN n",
	"MATCH (n:P) DETACH DELETE n",
	"MATCH (a:P), (b:P) CREATE (a)-[r:R {w: 1}]->(b) RETURN r",
	"MATCH p = (a:P)-[r:R]->(b:P) WHERE a.age < b.age RETURN p, r, a, b",
	"MATCH (n) OPTIONAL MATCH (n)-[r]-(m) WITH n, count(r) AS c WHERE c > 0 RETURN n, c",
	"CREATE INDEX i IF NOT EXISTS FOR (n:P) ON (n.age)",
	"CREATE CONSTRAINT c FOR (n:P) REQUIRE n.name IS UNIQUE",
	"RETURN CASE WHEN $a > 1 THEN 'x' ELSE 'y' END, coalesce(null, 1), size('abc')",
	"MATCH (n:P) WHERE n.age IN [1, 2, 3] RETURN n.age",
	"RETURN 1 /* c */ // d\n",
	"MATCH (n:P) RETURN n.x ORDER BY n.x SKIP $a LIMIT $a",
	"RETURN [1, 2, 3][1..2], -9223372036854775808, 0x1F, 1e3, .5",
	"RETRUN 1", "MATCH (n", "n.age > 1 AND n.name STARTS WITH 'a'", "toInteger(n.name) + size($l)", "[x IN $l]", "RETURN 'unterminated", "RETURN $", "MATCH (a)-[*]->(b) RETURN a",
}

func FuzzQuery(f *testing.F) {
	maxRange = 10_000
	for _, q := range fuzzSeeds {
		f.Add(q)
	}
	params := map[string]any{
		"a": int64(1), "b": "s", "l": []any{int64(1), 2.5, "x", nil}, "m": map[string]any{"k": int64(1)},
		"rows": []any{map[string]any{"key": "k1", "age": int64(3)}, map[string]any{"key": "k2", "name": "b"}},
	}
	f.Fuzz(func(t *testing.T, q string) {
		// The input as a query, as an expression and as a predicate.
		for _, variant := range []string{q, "RETURN " + q, "MATCH (n:P) WHERE " + q + " RETURN n"} {
			fuzzOne(t, variant, params)
		}
	})
}

// fuzzOne parses and runs one query: it may fail, but only with *Error.
func fuzzOne(t *testing.T, q string, params map[string]any) {
	st, err := Parse(q)
	if err != nil {
		var e *Error
		if !errors.As(err, &e) || e.Code != CodeSyntaxError {
			t.Fatalf("Parse(%q) error %v is not a SyntaxError", q, err)
		}
		return
	}
	switch st.QueryType() {
	case "r", "w", "rw", "s":
	default:
		t.Fatalf("query type %q", st.QueryType())
	}
	_, _, r := newTestDB(t)
	write(t, r, "CREATE (:P {name: 'a', age: 1})-[:R {w: 2}]->(:P {name: 'b', age: 2})", nil)
	tx, err := r.Begin(WriteAccess)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	res, err := tx.Run(ctx, q, params)
	if err != nil {
		var e *Error
		if !errors.As(err, &e) || e.Code == "" {
			t.Fatalf("Run(%q) error %v is not an *Error", q, err)
		}
		return
	}
	if len(res.Keys) != len(st.Keys()) {
		t.Fatalf("keys %v vs %v", res.Keys, st.Keys())
	}
	for _, row := range res.Rows {
		if len(row) != len(res.Keys) {
			t.Fatalf("row %v has %d values for %d keys", row, len(row), len(res.Keys))
		}
	}
	_ = tx.Rollback()
}
