package graphdb

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestSyntaxErrorsCarryPositions(t *testing.T) {
	cases := []struct {
		query string
		pos   string // "(line L, column C)"
		text  string // part of the message
	}{
		{"RETRUN 1", "(line 1, column 1)", "Invalid input 'RETRUN'"},
		{"RETURN 1 +", "(line 1, column 11)", "unexpected end of input"},
		{"MATCH (n:Person)\nWHERE n.age >\nRETURN n", "(line 3, column 1)", "Invalid input 'RETURN'"},
		{"MATCH (n) RETURN m", "(line 1, column 18)", "Variable `m` not defined"},
		{"RETURN 'abc", "(line 1, column 8)", "missing '"},
		{"RETURN 1 AS a, 2 AS a", "(line 1, column 1)", "Multiple result columns"},
		{"MATCH (n)", "(line 1, column 1)", "Query cannot conclude with MATCH"},
		{"RETURN 1 RETURN 2", "(line 1, column 10)", "RETURN can only be used at the end"},
		{"CALL db.labels()", "(line 1, column 1)", "not supported"},
		{"MATCH (a)-[*1..2]->(b) RETURN a", "(line 1, column 12)", "variable length"},
		{"RETURN nosuch(1)", "(line 1, column 8)", "Unknown function 'nosuch'"},
		{"RETURN 99999999999999999999", "(line 1, column 8)", "integer is too large"},
		{"RETURN count(count(1))", "(line 1, column 14)", "aggregating function"},
		{"MATCH (n) WITH n.x RETURN 1", "(line 1, column 16)", "must be aliased"},
		{"MATCH (n) SET n:Label", "(line 1, column 16)", "labels"},
		{"CREATE (a)-[:R]-(b)", "(line 1, column 11)", "directed"},
		{"RETURN 1 LIMIT n", "(line 1, column 16)", "not allowed to refer to variables"},
		{"RETURN $", "(line 1, column 8)", "parameter name"},
		{"RETURN 1 /* open", "(line 1, column 17)", "comment"},
		{"", "(line 1, column 1)", "empty"},
		{"RETURN " + strings.Repeat("(", 300) + "1" + strings.Repeat(")", 300), "", "nested too deeply"},
	}
	for _, c := range cases {
		_, err := Parse(c.query)
		var e *Error
		if !errors.As(err, &e) || e.Code != CodeSyntaxError {
			t.Errorf("%q: error %v, want a SyntaxError", c.query, err)
			continue
		}
		if !strings.HasSuffix(e.Message, c.pos) || !strings.Contains(e.Message, c.text) {
			t.Errorf("%q: message %q, want %q ... %q", c.query, e.Message, c.text, c.pos)
		}
	}
}

func TestSyntaxErrorFailsTheTransaction(t *testing.T) {
	_, _, r := newTestDB(t)
	tx, err := r.Begin(WriteAccess)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Run(context.Background(), "CREATE (:A)", nil); err != nil {
		t.Fatal(err)
	}
	_, err = tx.Run(context.Background(), "CREAT (:B)", nil)
	if !errors.Is(err, &Error{Code: CodeSyntaxError}) {
		t.Fatalf("got %v", err)
	}
	if _, err := tx.Commit(); errCode(err) != CodeTxNotFound {
		t.Errorf("commit after failure: %v", err)
	}
	if res := read(t, r, "MATCH (n) RETURN count(n)", nil); res.Rows[0][0] != int64(0) {
		t.Errorf("the failed transaction left %v nodes", res.Rows[0][0])
	}
}

func TestParameterErrors(t *testing.T) {
	_, _, r := newTestDB(t)
	_, _, err := tryRun(r, ReadAccess, "RETURN $a + $b AS x, $c", map[string]any{"b": int64(1)})
	if errCode(err) != CodeParameterMissing || !strings.Contains(err.Error(), "a, c") {
		t.Errorf("missing parameters: %v", err)
	}
	if _, _, err := tryRun(r, ReadAccess, "RETURN $a", map[string]any{"a": nil}); err != nil {
		t.Errorf("a null parameter is present: %v", err)
	}
	res := read(t, r, "RETURN $a + 1 AS x, $b AS y", map[string]any{"a": 41, "b": []string{"s"}})
	if res.Rows[0][0] != int64(42) || res.Rows[0][1].([]any)[0] != "s" {
		t.Errorf("Go values are converted: %#v", res.Rows)
	}
}

func TestTypeAndValueErrors(t *testing.T) {
	_, _, r := newTestDB(t)
	write(t, r, "CREATE (:N {v: 1})", nil)
	cases := []struct {
		query  string
		params map[string]any
		code   string
	}{
		{"RETURN 1 + true", nil, CodeTypeError},
		{"RETURN 1 - 'a'", nil, CodeTypeError},
		{"RETURN size(1)", nil, CodeTypeError},
		{"RETURN toString([1])", nil, CodeTypeError},
		{"RETURN NOT 1", nil, CodeTypeError},
		{"RETURN true AND 1", nil, CodeTypeError},
		{"RETURN range(1, 'x')", nil, CodeTypeError},
		{"RETURN 1 IN 1", nil, CodeTypeError},
		{"RETURN 1 / 0", nil, CodeArithmeticError},
		{"RETURN 9223372036854775807 + 1", nil, CodeArithmeticError},
		{"RETURN -9223372036854775808 * -1", nil, CodeArithmeticError},
		{"RETURN range(1, 2, 0)", nil, CodeArgumentError},
		{"RETURN 1 LIMIT -1", nil, CodeArgumentError},
		{"RETURN 1 SKIP $s", map[string]any{"s": "x"}, CodeArgumentError},
		{"MATCH (n:N) WHERE n.v RETURN n", nil, CodeTypeError},
		{"MATCH (n:N) RETURN n.v.x", nil, CodeTypeError},
		{"CREATE (:N {m: {a: 1}})", nil, CodeTypeError},
		{"CREATE (:N {l: [1, 'a']})", nil, CodeTypeError},
		{"CREATE (n:N) SET n = 5", nil, CodeTypeError},
		{"UNWIND $rows AS row CREATE (n:N) SET n = row", map[string]any{"rows": []any{int64(1)}}, CodeTypeError},
		{"MATCH (n:N) DELETE n SET n.x = 1", nil, CodeEntityNotFound},
		{"MERGE (n:N {v: null})", nil, "Neo.ClientError.Statement.SemanticError"},
		{"MATCH (n:N) DELETE 5", nil, CodeTypeError},
	}
	for _, c := range cases {
		_, _, err := tryRun(r, WriteAccess, c.query, c.params)
		if errCode(err) != c.code {
			t.Errorf("%s: got %v, want code %s", c.query, err, c.code)
		}
	}
	if res := read(t, r, "MATCH (n:N) RETURN count(n), n.v", nil); len(res.Rows) != 1 || res.Rows[0][0] != int64(1) || res.Rows[0][1] != int64(1) {
		t.Errorf("failed statements changed the data: %v", res.Rows)
	}
}

func TestErrorHelpers(t *testing.T) {
	err := error(&Error{Code: CodeTypeError, Message: "m"})
	if !errors.Is(err, &Error{Code: CodeTypeError}) || errors.Is(err, &Error{Code: CodeSyntaxError}) {
		t.Error("errors.Is must compare codes")
	}
	if err.Error() != CodeTypeError+": m" {
		t.Errorf("Error() = %q", err.Error())
	}
	ctxErr := contextError(context.DeadlineExceeded)
	if !errors.Is(ctxErr, context.DeadlineExceeded) || ctxErr.Code != CodeTxTimedOut {
		t.Errorf("context error %v", ctxErr)
	}
}
