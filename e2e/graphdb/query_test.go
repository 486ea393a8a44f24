package graphdb

import (
	"math"
	"reflect"
	"testing"

	"github.com/boltrx/boltrx/packstream"
)

// queryCase is one query with the result it must give.
type queryCase struct {
	name   string
	setup  []string // write queries run (and committed) first
	query  string
	params map[string]any
	keys   []string
	rows   [][]any
	stats  Counters
	qtype  string
}

func checkQuery(t *testing.T, c queryCase) {
	t.Helper()
	_, _, r := newTestDB(t)
	for _, q := range c.setup {
		write(t, r, q, nil)
	}
	res := write(t, r, c.query, c.params)
	if !reflect.DeepEqual(res.Keys, c.keys) {
		t.Errorf("keys = %#v, want %#v", res.Keys, c.keys)
	}
	if !reflect.DeepEqual(res.Rows, c.rows) {
		t.Errorf("rows = %#v\nwant %#v", res.Rows, c.rows)
	}
	if res.Stats != c.stats {
		t.Errorf("stats = %+v, want %+v", res.Stats, c.stats)
	}
	if res.QueryType != c.qtype {
		t.Errorf("query type = %q, want %q", res.QueryType, c.qtype)
	}
}

func rows(rs ...[]any) [][]any { return append([][]any{}, rs...) }
func vals(vs ...any) []any     { return vs }

func TestReturnExpressions(t *testing.T) {
	cases := []queryCase{
		{
			name:  "literals",
			query: "RETURN 1, -2, 1.5, 'a', \"b\", true, false, null",
			keys:  []string{"1", "-2", "1.5", "'a'", "\"b\"", "true", "false", "null"},
			rows:  rows(vals(int64(1), int64(-2), 1.5, "a", "b", true, false, nil)),
			qtype: "r",
		},
		{
			name:  "lists and maps with aliases",
			query: "RETURN [1, 'x', [2]] AS l, {a: 1, b: {c: null}} AS m, [] AS e",
			keys:  []string{"l", "m", "e"},
			rows:  rows(vals([]any{int64(1), "x", []any{int64(2)}}, map[string]any{"a": int64(1), "b": map[string]any{"c": nil}}, []any{})),
			qtype: "r",
		},
		{
			name:   "parameters",
			query:  "RETURN $i AS i, $s AS s, $l AS l, $m.k AS k, $missingKey.x AS n",
			params: map[string]any{"i": int64(7), "s": "str", "l": []any{int64(1)}, "m": map[string]any{"k": "v"}, "missingKey": nil},
			keys:   []string{"i", "s", "l", "k", "n"},
			rows:   rows(vals(int64(7), "str", []any{int64(1)}, "v", nil)),
			qtype:  "r",
		},
		{
			name:  "arithmetic",
			query: "RETURN 1 + 2 * 3 AS a, (1 + 2) * 3 AS b, 7 / 2 AS c, 7.0 / 2 AS d, 7 % 3 AS e, 2 ^ 3 AS f, -(3) AS g, 1 + 0.5 AS h",
			keys:  []string{"a", "b", "c", "d", "e", "f", "g", "h"},
			rows:  rows(vals(int64(7), int64(9), int64(3), 3.5, int64(1), 8.0, int64(-3), 1.5)),
			qtype: "r",
		},
		{
			name:  "string concatenation",
			query: "RETURN 'a' + 'b' AS s, 'n' + 1 AS t, 2.5 + 'x' AS u, [1] + 2 AS l, [1] + [2, 3] AS m",
			keys:  []string{"s", "t", "u", "l", "m"},
			rows:  rows(vals("ab", "n1", "2.5x", []any{int64(1), int64(2)}, []any{int64(1), int64(2), int64(3)})),
			qtype: "r",
		},
		{
			name:  "functions",
			query: "RETURN toString(42) AS a, toString(1.0) AS b, toString(true) AS c, size([1, 2, 3]) AS d, size('héllo') AS e, toInteger('12') AS f, toFloat(3) AS g, coalesce(null, 2) AS h, range(1, 3) AS i, head([5, 6]) AS j, abs(-4) AS k",
			keys:  []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"},
			rows:  rows(vals("42", "1.0", "true", int64(3), int64(5), int64(12), 3.0, int64(2), []any{int64(1), int64(2), int64(3)}, int64(5), int64(4))),
			qtype: "r",
		},
		{
			name:  "comparisons and three-valued logic",
			query: "RETURN 1 < 2 AS a, 'a' >= 'b' AS b, 1 = 1.0 AS c, 1 <> 'a' AS d, null = null AS e, true AND null AS f, false AND null AS g, true OR null AS h, 2 IN [1, 2] AS i, null IS NULL AS j, 'abc' STARTS WITH 'ab' AS k, 1 < 'a' AS l",
			keys:  []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"},
			rows:  rows(vals(true, false, true, true, nil, nil, false, true, true, true, true, nil)),
			qtype: "r",
		},
		{
			name:  "case and indexing",
			query: "RETURN CASE WHEN 1 > 2 THEN 'x' ELSE 'y' END AS a, CASE 2 WHEN 1 THEN 'one' WHEN 2 THEN 'two' END AS b, [1, 2, 3][1] AS c, [1, 2, 3][-1] AS d, [1, 2, 3][1..] AS e, {k: 1}['k'] AS f",
			keys:  []string{"a", "b", "c", "d", "e", "f"},
			rows:  rows(vals("y", "two", int64(2), int64(3), []any{int64(2), int64(3)}, int64(1))),
			qtype: "r",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { checkQuery(t, c) })
	}
}

func TestUnwindForms(t *testing.T) {
	cases := []queryCase{
		{
			name:  "range",
			query: "UNWIND range(1, 3) AS x RETURN x, x * 10 AS y, toString(x) AS s",
			keys:  []string{"x", "y", "s"},
			rows:  rows(vals(int64(1), int64(10), "1"), vals(int64(2), int64(20), "2"), vals(int64(3), int64(30), "3")),
			qtype: "r",
		},
		{
			name:  "range with step",
			query: "UNWIND range(10, 0, -5) AS x RETURN x",
			keys:  []string{"x"},
			rows:  rows(vals(int64(10)), vals(int64(5)), vals(int64(0))),
			qtype: "r",
		},
		{
			name:   "list parameter",
			query:  "UNWIND $list AS x RETURN x",
			params: map[string]any{"list": []any{"a", int64(2), nil}},
			keys:   []string{"x"},
			rows:   rows(vals("a"), vals(int64(2)), vals(nil)),
			qtype:  "r",
		},
		{
			name:   "empty and null lists give no rows",
			query:  "UNWIND $list AS x RETURN x",
			params: map[string]any{"list": nil},
			keys:   []string{"x"},
			rows:   rows(),
			qtype:  "r",
		},
		{
			name:  "aggregation over unwind",
			query: "UNWIND [3, 1, 2, 1] AS x RETURN count(*) AS n, sum(x) AS s, min(x) AS lo, max(x) AS hi, avg(x) AS mean, collect(DISTINCT x) AS d",
			keys:  []string{"n", "s", "lo", "hi", "mean", "d"},
			rows:  rows(vals(int64(4), int64(7), int64(1), int64(3), 1.75, []any{int64(3), int64(1), int64(2)})),
			qtype: "r",
		},
		{
			name:  "grouping",
			query: "UNWIND ['a', 'b', 'a'] AS x RETURN x, count(*) AS c ORDER BY x",
			keys:  []string{"x", "c"},
			rows:  rows(vals("a", int64(2)), vals("b", int64(1))),
			qtype: "r",
		},
		{
			name:  "with, distinct, skip and limit",
			query: "UNWIND [5, 3, 5, 1, 4] AS x WITH DISTINCT x WHERE x > 1 RETURN x ORDER BY x DESC SKIP 1 LIMIT 1",
			keys:  []string{"x"},
			rows:  rows(vals(int64(4))),
			qtype: "r",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { checkQuery(t, c) })
	}
}

// node builds the expected packstream.Node of the test database.
func node(db *Database, id int64, labels []string, props map[string]any) packstream.Node {
	return packstream.Node{Id: id, ElementId: "4:" + db.UUID() + ":" + itoa(id), Labels: labels, Props: props}
}

func itoa(i int64) string {
	if i == 0 {
		return "0"
	}
	var b []byte
	neg := i < 0
	if neg {
		i = -i
	}
	for i > 0 {
		b = append([]byte{byte('0' + i%10)}, b...)
		i /= 10
	}
	if neg {
		return "-" + string(b)
	}
	return string(b)
}

func TestCreateForms(t *testing.T) {
	db := newDatabase(NewStore(Options{}), "neo4j")
	cases := []queryCase{
		{
			name:  "create returning the node",
			query: "CREATE (n:Person {name: 'Ann', age: 30 + 1}) RETURN n",
			keys:  []string{"n"},
			rows:  rows(vals(node(db, 0, []string{"Person"}, map[string]any{"name": "Ann", "age": int64(31)}))),
			stats: Counters{NodesCreated: 1, LabelsAdded: 1, PropertiesSet: 2},
			qtype: "rw",
		},
		{
			name:  "create returning properties",
			query: "CREATE (n:Person:Admin {name: 'Bo'}) RETURN n.name AS name, labels(n) AS l, id(n) AS id",
			keys:  []string{"name", "l", "id"},
			rows:  rows(vals("Bo", []any{"Admin", "Person"}, int64(0))),
			stats: Counters{NodesCreated: 1, LabelsAdded: 2, PropertiesSet: 1},
			qtype: "rw",
		},
		{
			name:  "create without return",
			query: "CREATE (:A), (:B {x: null})",
			keys:  []string{},
			rows:  rows(),
			stats: Counters{NodesCreated: 2, LabelsAdded: 2},
			qtype: "w",
		},
		{
			name:   "unwind create set n = row",
			query:  "UNWIND $rows AS row CREATE (n:Item) SET n = row",
			params: map[string]any{"rows": []any{map[string]any{"k": int64(1), "v": "a"}, map[string]any{"k": int64(2), "v": nil}}},
			keys:   []string{},
			rows:   rows(),
			stats:  Counters{NodesCreated: 2, LabelsAdded: 2, PropertiesSet: 3},
			qtype:  "w",
		},
		{
			name:   "unwind create with inline properties",
			query:  "UNWIND $rows AS row CREATE (n:Item {k: row.k, double: row.k * 2}) RETURN n.k, n.double",
			params: map[string]any{"rows": []any{map[string]any{"k": int64(1)}, map[string]any{"k": int64(2)}}},
			keys:   []string{"n.k", "n.double"},
			rows:   rows(vals(int64(1), int64(2)), vals(int64(2), int64(4))),
			stats:  Counters{NodesCreated: 2, LabelsAdded: 2, PropertiesSet: 4},
			qtype:  "rw",
		},
		{
			name:   "merge creates once per key",
			query:  "UNWIND $rows AS row MERGE (n:Item {key: row.key}) SET n += row RETURN n.key, n.v",
			params: map[string]any{"rows": []any{map[string]any{"key": "a", "v": int64(1)}, map[string]any{"key": "a", "v": int64(2)}}},
			keys:   []string{"n.key", "n.v"},
			rows:   rows(vals("a", int64(1)), vals("a", int64(2))),
			stats:  Counters{NodesCreated: 1, LabelsAdded: 1, PropertiesSet: 5},
			qtype:  "rw",
		},
		{
			name:   "merge matches existing nodes and set n = row replaces",
			setup:  []string{"CREATE (:Item {key: 'a', old: true}), (:Item {key: 'b'})"},
			query:  "UNWIND $rows AS row MERGE (n:Item {key: row.key}) SET n = row RETURN n.key, n.old, n.v ORDER BY n.key",
			params: map[string]any{"rows": []any{map[string]any{"key": "a", "v": int64(1)}, map[string]any{"key": "c", "v": int64(3)}}},
			keys:   []string{"n.key", "n.old", "n.v"},
			rows:   rows(vals("a", nil, int64(1)), vals("c", nil, int64(3))),
			stats:  Counters{NodesCreated: 1, LabelsAdded: 1, PropertiesSet: 6},
			qtype:  "rw",
		},
		{
			name:  "merge on create / on match",
			setup: []string{"CREATE (:K {id: 1})"},
			query: "UNWIND [1, 2] AS i MERGE (k:K {id: i}) ON CREATE SET k.created = true ON MATCH SET k.matched = true RETURN k.id, k.created, k.matched",
			keys:  []string{"k.id", "k.created", "k.matched"},
			rows:  rows(vals(int64(1), nil, true), vals(int64(2), true, nil)),
			stats: Counters{NodesCreated: 1, LabelsAdded: 1, PropertiesSet: 3},
			qtype: "rw",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { checkQuery(t, c) })
	}
}

const peopleSetup = "CREATE (:Person {name: 'Ann', age: 30}), (:Person {name: 'Bob', age: 25}), (:Person {name: 'Cid', age: 35}), (:Person {name: 'Dee'}), (:Pet {name: 'Rex'})"

func TestMatchForms(t *testing.T) {
	db := newDatabase(NewStore(Options{}), "neo4j")
	cases := []queryCase{
		{
			name:  "return nodes in id order",
			setup: []string{peopleSetup},
			query: "MATCH (n:Pet) RETURN n",
			keys:  []string{"n"},
			rows:  rows(vals(node(db, 4, []string{"Pet"}, map[string]any{"name": "Rex"}))),
			qtype: "r",
		},
		{
			name:  "inline properties",
			setup: []string{peopleSetup},
			query: "MATCH (n:Person {name: 'Bob'}) RETURN n.age AS age",
			keys:  []string{"age"},
			rows:  rows(vals(int64(25))),
			qtype: "r",
		},
		{
			name:  "where with and, order by, skip, limit",
			setup: []string{peopleSetup},
			query: "MATCH (n:Person) WHERE n.age >= 25 AND n.name <> 'Cid' RETURN n.name ORDER BY n.age DESC",
			keys:  []string{"n.name"},
			rows:  rows(vals("Ann"), vals("Bob")),
			qtype: "r",
		},
		{
			name:  "every comparison operator",
			setup: []string{peopleSetup},
			query: "MATCH (n:Person) WHERE n.age = 30 OR n.age < 26 OR n.age > 34 RETURN n.name ORDER BY n.name",
			keys:  []string{"n.name"},
			rows:  rows(vals("Ann"), vals("Bob"), vals("Cid")),
			qtype: "r",
		},
		{
			name:  "order by puts nulls last ascending",
			setup: []string{peopleSetup},
			query: "MATCH (n:Person) RETURN n.name, n.age ORDER BY n.age",
			keys:  []string{"n.name", "n.age"},
			rows:  rows(vals("Bob", int64(25)), vals("Ann", int64(30)), vals("Cid", int64(35)), vals("Dee", nil)),
			qtype: "r",
		},
		{
			name:  "order by desc puts nulls first, with skip and limit",
			setup: []string{peopleSetup},
			query: "MATCH (n:Person) RETURN n.name AS name ORDER BY n.age DESC SKIP 1 LIMIT $l",
			params: map[string]any{
				"l": int64(2),
			},
			keys:  []string{"name"},
			rows:  rows(vals("Cid"), vals("Ann")),
			qtype: "r",
		},
		{
			name:  "count",
			setup: []string{peopleSetup},
			query: "MATCH (n:Person) WHERE n.age > 26 RETURN count(n) AS c",
			keys:  []string{"c"},
			rows:  rows(vals(int64(2))),
			qtype: "r",
		},
		{
			name:  "count of nothing is zero",
			query: "MATCH (n:Nobody) RETURN count(n) AS c",
			keys:  []string{"c"},
			rows:  rows(vals(int64(0))),
			qtype: "r",
		},
		{
			name:  "set properties",
			setup: []string{peopleSetup},
			query: "MATCH (n:Person) WHERE n.age < 31 SET n.young = true, n.age = n.age + 1",
			keys:  []string{},
			rows:  rows(),
			stats: Counters{PropertiesSet: 4},
			qtype: "w",
		},
		{
			name:  "set is visible later in the query",
			setup: []string{peopleSetup},
			query: "MATCH (n:Person {name: 'Ann'}) SET n.age = 40 RETURN n.age",
			keys:  []string{"n.age"},
			rows:  rows(vals(int64(40))),
			stats: Counters{PropertiesSet: 1},
			qtype: "rw",
		},
		{
			name:  "remove and set to null",
			setup: []string{peopleSetup},
			query: "MATCH (n:Person {name: 'Ann'}) REMOVE n.age SET n.name = null, n.nothing = null RETURN properties(n) AS p",
			keys:  []string{"p"},
			rows:  rows(vals(map[string]any{})),
			stats: Counters{PropertiesSet: 2},
			qtype: "rw",
		},
		{
			name:  "delete",
			setup: []string{peopleSetup},
			query: "MATCH (n:Person) WHERE n.age IS NULL DELETE n",
			keys:  []string{},
			rows:  rows(),
			stats: Counters{NodesDeleted: 1},
			qtype: "w",
		},
		{
			name:  "detach delete",
			setup: []string{peopleSetup, "MATCH (a:Person {name: 'Ann'}), (b:Pet) CREATE (a)-[:OWNS]->(b)"},
			query: "MATCH (n:Pet) DETACH DELETE n",
			keys:  []string{},
			rows:  rows(),
			stats: Counters{NodesDeleted: 1, RelationshipsDeleted: 1},
			qtype: "w",
		},
		{
			name:  "optional match",
			setup: []string{peopleSetup},
			query: "MATCH (n:Pet) OPTIONAL MATCH (n)-[:EATS]->(f) RETURN n.name, f",
			keys:  []string{"n.name", "f"},
			rows:  rows(vals("Rex", nil)),
			qtype: "r",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { checkQuery(t, c) })
	}
}

func TestRelationshipsAndPaths(t *testing.T) {
	_, db, r := newTestDB(t)
	write(t, r, "CREATE (:P {k: 1}), (:P {k: 2}), (:P {k: 3})", nil)
	res := write(t, r, "MATCH (a:P {k: 1}), (b:P {k: 2}) CREATE (a)-[r:LIKES {w: 0.5}]->(b) RETURN r", nil)
	uuid := db.UUID()
	wantRel := packstream.Relationship{
		Id: 0, ElementId: "5:" + uuid + ":0",
		StartId: 0, StartElementId: "4:" + uuid + ":0",
		EndId: 1, EndElementId: "4:" + uuid + ":1",
		Type: "LIKES", Props: map[string]any{"w": 0.5},
	}
	if !reflect.DeepEqual(res.Rows, rows(vals(wantRel))) {
		t.Fatalf("created %#v", res.Rows)
	}
	if want := (Counters{RelationshipsCreated: 1, PropertiesSet: 1}); res.Stats != want {
		t.Errorf("stats %+v", res.Stats)
	}
	write(t, r, "MATCH (a:P {k: 2}), (b:P {k: 3}) CREATE (a)-[:LIKES {w: 1.0}]->(b)", nil)

	res = read(t, r, "MATCH p = (a:P)-[r:LIKES]->(b:P) WHERE a.k = 1 RETURN p", nil)
	wantPath := packstream.Path{
		Nodes:         []packstream.Node{node(db, 0, []string{"P"}, map[string]any{"k": int64(1)}), node(db, 1, []string{"P"}, map[string]any{"k": int64(2)})},
		Relationships: []packstream.Relationship{wantRel},
	}
	if !reflect.DeepEqual(res.Rows, rows(vals(wantPath))) {
		t.Fatalf("path %#v", res.Rows)
	}

	res = read(t, r, "MATCH (a:P)-[r:LIKES]->(b:P) RETURN a.k, b.k, r.w, type(r) ORDER BY a.k", nil)
	want := rows(vals(int64(1), int64(2), 0.5, "LIKES"), vals(int64(2), int64(3), 1.0, "LIKES"))
	if !reflect.DeepEqual(res.Rows, want) {
		t.Errorf("a, b: %#v", res.Rows)
	}
	res = read(t, r, "MATCH (b:P)<-[:LIKES]-(a:P) WHERE b.k = 3 RETURN a.k", nil)
	if !reflect.DeepEqual(res.Rows, rows(vals(int64(2)))) {
		t.Errorf("incoming: %#v", res.Rows)
	}
	res = read(t, r, "MATCH (a:P {k: 2})-[:LIKES]-(x) RETURN x.k ORDER BY x.k", nil)
	if !reflect.DeepEqual(res.Rows, rows(vals(int64(1)), vals(int64(3)))) {
		t.Errorf("undirected: %#v", res.Rows)
	}
	res = read(t, r, "MATCH p = (a:P)-[:LIKES]->(:P)-[:LIKES]->(c:P) RETURN a.k, c.k, length(p)", nil)
	if !reflect.DeepEqual(res.Rows, rows(vals(int64(1), int64(3), int64(2)))) {
		t.Errorf("two hops: %#v", res.Rows)
	}
	res = write(t, r, "MATCH (:P {k: 1})-[r:LIKES]->() SET r.w = 2 DELETE r RETURN count(*) AS c", nil)
	if res.Stats != (Counters{PropertiesSet: 1, RelationshipsDeleted: 1}) {
		t.Errorf("rel delete stats %+v", res.Stats)
	}
	if _, _, err := tryRun(r, WriteAccess, "MATCH (n:P {k: 2}) DELETE n", nil); errCode(err) != CodeConstraintValidation {
		t.Errorf("deleting a connected node: %v", err)
	}
	res = read(t, r, "MATCH ()-[r]->() RETURN count(r)", nil)
	if !reflect.DeepEqual(res.Rows, rows(vals(int64(1)))) {
		t.Errorf("remaining rels %#v", res.Rows)
	}
}

func TestCountersMap(t *testing.T) {
	if m := (Counters{}).Map(); len(m) != 0 {
		t.Errorf("empty counters map %v", m)
	}
	m := Counters{NodesCreated: 2, PropertiesSet: 3, IndexesAdded: 1}.Map()
	want := map[string]any{"nodes-created": int64(2), "properties-set": int64(3), "indexes-added": int64(1), "contains-updates": true}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("Map() = %v", m)
	}
	all := Counters{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}.Map()
	for _, k := range []string{"nodes-created", "nodes-deleted", "relationships-created", "relationships-deleted", "properties-set", "labels-added", "labels-removed", "indexes-added", "indexes-removed", "constraints-added", "constraints-removed"} {
		if _, ok := all[k]; !ok {
			t.Errorf("missing %s", k)
		}
	}
}

func TestFloatFormatting(t *testing.T) {
	for f, want := range map[float64]string{
		1: "1.0", 0.5: "0.5", -2.25: "-2.25", 1e7: "1.0E7", 1.5e-5: "1.5E-5", 1e300: "1.0E300",
		math.NaN(): "NaN", math.Inf(1): "Infinity", 123456.789: "123456.789",
	} {
		if got := formatFloat(f); got != want {
			t.Errorf("formatFloat(%v) = %q, want %q", f, got, want)
		}
	}
}

func TestSchemaCommands(t *testing.T) {
	_, _, r := newTestDB(t)
	res := write(t, r, "CREATE INDEX person_name IF NOT EXISTS FOR (p:Person) ON (p.name)", nil)
	if res.Stats != (Counters{IndexesAdded: 1}) || res.QueryType != "s" {
		t.Errorf("create index: %+v %s", res.Stats, res.QueryType)
	}
	if res := write(t, r, "CREATE INDEX person_name IF NOT EXISTS FOR (p:Person) ON (p.name)", nil); res.Stats != (Counters{}) {
		t.Errorf("second create index: %+v", res.Stats)
	}
	if _, _, err := tryRun(r, WriteAccess, "CREATE INDEX person_name FOR (p:Person) ON (p.name)", nil); errCode(err) != CodeEquivalentSchema {
		t.Errorf("duplicate index: %v", err)
	}
	res = write(t, r, "CREATE CONSTRAINT id_unique FOR (n:Thing) REQUIRE n.id IS UNIQUE", nil)
	if res.Stats != (Counters{ConstraintsAdded: 1}) {
		t.Errorf("create constraint: %+v", res.Stats)
	}
	write(t, r, "CREATE (:Thing {id: 1})", nil)
	if _, _, err := tryRun(r, WriteAccess, "CREATE (:Thing {id: 1})", nil); errCode(err) != CodeConstraintValidation {
		t.Errorf("duplicate under constraint: %v", err)
	}
	if _, _, err := tryRun(r, WriteAccess, "CREATE (:Thing {id: 2}), (:Thing {id: 2.0})", nil); errCode(err) != CodeConstraintValidation {
		t.Errorf("numerically equal duplicate: %v", err)
	}
	write(t, r, "MERGE (t:Thing {id: 1}) SET t.seen = true", nil)
	if res := read(t, r, "MATCH (t:Thing) RETURN count(t)", nil); res.Rows[0][0] != int64(1) {
		t.Errorf("things: %v", res.Rows)
	}
	write(t, r, "CREATE (:Dup {v: 'x'}), (:Dup {v: 'x'})", nil)
	if _, _, err := tryRun(r, WriteAccess, "CREATE CONSTRAINT FOR (d:Dup) REQUIRE d.v IS UNIQUE", nil); errCode(err) != CodeConstraintCreation {
		t.Errorf("constraint over duplicates: %v", err)
	}
	if res := write(t, r, "DROP CONSTRAINT id_unique", nil); res.Stats != (Counters{ConstraintsRemoved: 1}) {
		t.Errorf("drop constraint: %+v", res.Stats)
	}
	write(t, r, "CREATE (:Thing {id: 1})", nil)
	if res := write(t, r, "DROP INDEX person_name", nil); res.Stats != (Counters{IndexesRemoved: 1}) {
		t.Errorf("drop index: %+v", res.Stats)
	}
	if _, _, err := tryRun(r, WriteAccess, "DROP INDEX person_name", nil); errCode(err) != CodeIndexNotFound {
		t.Errorf("drop missing index: %v", err)
	}
	write(t, r, "DROP INDEX person_name IF EXISTS", nil)
	if _, _, err := tryRun(r, ReadAccess, "CREATE INDEX FOR (n:X) ON (n.y)", nil); errCode(err) != CodeAccessMode {
		t.Errorf("schema in read tx: %v", err)
	}
}

func TestParseStatementInfo(t *testing.T) {
	for q, want := range map[string]struct {
		write bool
		typ   string
	}{
		"RETURN 1":              {false, "r"},
		"MATCH (n) RETURN n":    {false, "r"},
		"CREATE (n)":            {true, "w"},
		"CREATE (n) RETURN n":   {true, "rw"},
		"MATCH (n) SET n.x = 1": {true, "w"},
		"UNWIND $r AS row MERGE (n:L {k: row.k})":           {true, "w"},
		"MATCH (n) DETACH DELETE n":                         {true, "w"},
		"CREATE INDEX FOR (n:L) ON (n.k)":                   {true, "s"},
		"CREATE CONSTRAINT FOR (n:L) REQUIRE n.k IS UNIQUE": {true, "s"},
	} {
		st, err := Parse(q)
		if err != nil {
			t.Errorf("%s: %v", q, err)
			continue
		}
		if st.IsWrite() != want.write || st.QueryType() != want.typ {
			t.Errorf("%s: IsWrite=%v QueryType=%q, want %v %q", q, st.IsWrite(), st.QueryType(), want.write, want.typ)
		}
	}
	st, err := Parse("MATCH (n:L) WHERE n.a = $a RETURN n.b AS b, $c")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(st.Params(), []string{"a", "c"}) || !reflect.DeepEqual(st.Keys(), []string{"b", "$c"}) {
		t.Errorf("params %v keys %v", st.Params(), st.Keys())
	}
	again, _ := Parse("MATCH (n:L) WHERE n.a = $a RETURN n.b AS b, $c")
	if again != st {
		t.Error("the statement was not cached")
	}
}

func TestProjectionForms(t *testing.T) {
	cases := []queryCase{
		{
			name:  "return star sorts columns by name",
			query: "UNWIND [1] AS b UNWIND ['x'] AS a RETURN *",
			keys:  []string{"a", "b"},
			rows:  rows(vals("x", int64(1))),
			qtype: "r",
		},
		{
			name:  "with chains and re-aggregates",
			query: "UNWIND range(1, 6) AS x WITH x % 2 AS parity, sum(x) AS total RETURN parity, total ORDER BY total DESC",
			keys:  []string{"parity", "total"},
			rows:  rows(vals(int64(0), int64(12)), vals(int64(1), int64(9))),
			qtype: "r",
		},
		{
			name:  "order by an aggregate written like the column",
			query: "UNWIND ['a', 'b', 'b'] AS x RETURN x, count(*) ORDER BY count(*) DESC, x",
			keys:  []string{"x", "count(*)"},
			rows:  rows(vals("b", int64(2)), vals("a", int64(1))),
			qtype: "r",
		},
		{
			name:  "return distinct",
			query: "UNWIND [1, 1.0, 2, null, null] AS x RETURN DISTINCT x",
			keys:  []string{"x"},
			rows:  rows(vals(int64(1)), vals(int64(2)), vals(nil)),
			qtype: "r",
		},
		{
			name:  "aggregates of no rows",
			query: "UNWIND [] AS x RETURN count(x) AS c, sum(x) AS s, avg(x) AS a, collect(x) AS l, max(x) AS m",
			keys:  []string{"c", "s", "a", "l", "m"},
			rows:  rows(vals(int64(0), int64(0), nil, []any{}, nil)),
			qtype: "r",
		},
		{
			name:  "grouped aggregate of no rows has no rows",
			query: "UNWIND [] AS x RETURN x, count(*)",
			keys:  []string{"x", "count(*)"},
			rows:  rows(),
			qtype: "r",
		},
		{
			name:  "limit zero",
			query: "UNWIND range(1, 3) AS x RETURN x LIMIT 0",
			keys:  []string{"x"},
			rows:  rows(),
			qtype: "r",
		},
		{
			name:  "with where after limit",
			query: "UNWIND range(1, 10) AS x WITH x ORDER BY x LIMIT 4 WHERE x % 2 = 0 RETURN collect(x) AS l",
			keys:  []string{"l"},
			rows:  rows(vals([]any{int64(2), int64(4)})),
			qtype: "r",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { checkQuery(t, c) })
	}
}

func TestLimitDoesNotStopUpdates(t *testing.T) {
	_, _, r := newTestDB(t)
	res := write(t, r, "UNWIND range(1, 5) AS i CREATE (n:N {i: i}) RETURN n.i LIMIT 2", nil)
	if len(res.Rows) != 2 || res.Stats.NodesCreated != 5 {
		t.Errorf("rows %v stats %+v", res.Rows, res.Stats)
	}
	if c := count(t, r, "MATCH (n:N) RETURN count(n)"); c != 5 {
		t.Errorf("%d nodes", c)
	}
}

func TestMatchSetDoesNotRevisitNodes(t *testing.T) {
	_, _, r := newTestDB(t)
	write(t, r, "UNWIND range(1, 50) AS i CREATE (:N {v: i})", nil)
	read(t, r, "MATCH (n:N) RETURN n.v ORDER BY n.v LIMIT 1", nil) // builds the index on v
	res := write(t, r, "MATCH (n:N) WHERE n.v > 0 SET n.v = n.v + 100", nil)
	if res.Stats.PropertiesSet != 50 {
		t.Errorf("properties set %d", res.Stats.PropertiesSet)
	}
	res = write(t, r, "MATCH (n:N) CREATE (:N {v: 0})", nil)
	if res.Stats.NodesCreated != 50 {
		t.Errorf("nodes created %d", res.Stats.NodesCreated)
	}
	if c := count(t, r, "MATCH (n:N) WHERE n.v > 150 RETURN count(n)"); c != 0 {
		t.Errorf("%d nodes were updated twice", c)
	}
}

func TestIDLookups(t *testing.T) {
	_, db, r := newTestDB(t)
	write(t, r, "CREATE (:A {v: 'a'}), (:B {v: 'b'}), ({v: 'c'})", nil)
	for _, c := range []struct {
		query  string
		params map[string]any
		want   [][]any
	}{
		{"MATCH (n) WHERE id(n) = 1 RETURN n.v", nil, rows(vals("b"))},
		{"MATCH (n:A) WHERE id(n) = 1 RETURN n.v", nil, rows()},
		{"MATCH (n) WHERE $id = id(n) RETURN n.v", map[string]any{"id": int64(2)}, rows(vals("c"))},
		{"MATCH (n) WHERE id(n) = 99 RETURN n.v", nil, rows()},
		{"MATCH (n) WHERE elementId(n) = $e RETURN n.v", map[string]any{"e": "4:" + db.UUID() + ":0"}, rows(vals("a"))},
		{"MATCH (n) WHERE elementId(n) = $e RETURN n.v", map[string]any{"e": "4:other:0"}, rows()},
		{"MATCH (n) WHERE elementId(n) = $e RETURN n.v", map[string]any{"e": int64(0)}, rows()},
	} {
		if res := read(t, r, c.query, c.params); !reflect.DeepEqual(res.Rows, c.want) {
			t.Errorf("%s %v: %v", c.query, c.params, res.Rows)
		}
	}
}
