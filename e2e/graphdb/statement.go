package graphdb

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
)

// Statement is a parsed, compiled query. It is immutable and safe to
// execute concurrently.
type Statement struct {
	query       string
	clauses     []clause
	schema      *schemaCommand
	params      []string
	keys        []string
	returnSlots []int
	returns     bool
	nSlots      int
	queryType   string
	isWrite     bool
}

// Parse parses and compiles a query. Errors are *Error with code
// Neo.ClientError.Statement.SyntaxError and a "(line L, column C)" suffix.
// Statements are cached by query text (the cache is bounded).
func Parse(query string) (*Statement, error) {
	if st := statementCache.get(query); st != nil {
		return st, nil
	}
	st, err := parseStatement(query)
	if err != nil {
		return nil, err
	}
	statementCache.put(query, st)
	return st, nil
}

// IsWrite reports whether the statement may change data or schema.
func (s *Statement) IsWrite() bool { return s.isWrite }

// QueryType returns "r" (read only), "w" (writes, returns nothing), "rw"
// (writes and returns rows) or "s" (schema change).
func (s *Statement) QueryType() string { return s.queryType }

// Keys returns the names of the result columns.
func (s *Statement) Keys() []string { return slices.Clone(s.keys) }

// Params returns the names of the parameters the statement uses.
func (s *Statement) Params() []string { return slices.Clone(s.params) }

// finish derives the statement-wide facts once all clauses are parsed.
func (s *Statement) finish(p *parser, endsWithReturn bool) {
	s.params = p.params
	s.nSlots = p.nSlots
	s.isWrite = p.updates
	s.returns = endsWithReturn
	switch {
	case p.updates && endsWithReturn:
		s.queryType = "rw"
	case p.updates:
		s.queryType = "w"
	default:
		s.queryType = "r"
	}
	updateSeen := false
	for i, c := range s.clauses {
		switch c := c.(type) {
		case *matchClause:
			c.eager = p.updates
		case *createClause, *mergeClause, *setClause, *deleteClause:
			updateSeen = true
		case *projectClause:
			c.canStop = !updateSeen
			if i == 1 {
				pushOrderIntoMatch(s.clauses[0], c)
			}
			if c.isReturn {
				for _, it := range c.items {
					s.keys = append(s.keys, it.name)
					s.returnSlots = append(s.returnSlots, it.slot)
				}
			}
		}
	}
}

// pushOrderIntoMatch lets a single-node MATCH produce its rows in the
// projection's ORDER BY order (from a property index), so that the
// projection neither sorts nor reads past SKIP+LIMIT.
func pushOrderIntoMatch(first clause, pc *projectClause) {
	m, ok := first.(*matchClause)
	if !ok || m.optional || len(m.parts) != 1 || len(m.parts[0].nodes) != 1 || m.parts[0].pathSlot >= 0 {
		return
	}
	if len(pc.aggs) > 0 || pc.distinct || len(pc.order) != 1 {
		return
	}
	n := m.parts[0].nodes[0]
	if n.bound || len(n.labels) == 0 {
		return
	}
	for _, sp := range m.seeks[n] {
		if sp.op == "=" || sp.op == "IN" {
			return
		}
	}
	key, ok := propOfNode(pc.unalias(pc.order[0].expr), n)
	if !ok {
		return
	}
	m.order = &orderHint{node: n, key: key, desc: pc.order[0].desc}
	pc.presorted = true
}

// unalias rewrites a sort key that reads a projected column (c, or c.key)
// into the column's own expression.
func (pc *projectClause) unalias(e expr) expr {
	item := func(x expr) expr {
		if v, ok := x.(*varExpr); ok {
			for _, it := range pc.items {
				if it.slot == v.slot {
					return it.expr
				}
			}
		}
		return x
	}
	if p, ok := e.(*propExpr); ok {
		return &propExpr{target: item(p.target), key: p.key}
	}
	return item(e)
}

// checkParams fails with ParameterMissing when a used parameter is absent.
func (s *Statement) checkParams(params map[string]any) error {
	var missing []string
	for _, name := range s.params {
		if _, ok := params[name]; !ok {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return newError(CodeParameterMissing, "Expected parameter(s): %s", strings.Join(missing, ", "))
	}
	return nil
}

// errStop tells an upstream stage that no more rows are wanted.
var errStop = errors.New("graphdb: stop")

// stage is a clause instantiated for one execution: rows are pushed into
// it; finish flushes what it buffered.
type stage interface {
	push(r row) error
	finish() error
}

// execute runs the statement in view v (wc is nil for read transactions).
func (s *Statement) execute(ctx context.Context, v *view, wc *writeCtx, params map[string]any) (*Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, contextError(err)
	}
	cp, _ := canonical(params).(map[string]any)
	ec := &execCtx{ctx: ctx, v: v, wc: wc, params: cp, nSlots: s.nSlots}
	if s.schema != nil {
		return s.schema.run(ec)
	}
	res := &Result{Keys: append([]string{}, s.keys...), Rows: [][]any{}, QueryType: s.queryType}
	var next stage = discardSink{}
	if s.returns {
		next = &resultSink{ec: ec, res: res, slots: s.returnSlots}
	}
	for i := len(s.clauses) - 1; i >= 0; i-- {
		st, err := s.clauses[i].newStage(ec, next)
		if err != nil {
			return nil, err
		}
		next = st
	}
	if err := next.push(make(row, s.nSlots)); err != nil && err != errStop {
		return nil, err
	}
	if err := next.finish(); err != nil && err != errStop {
		return nil, err
	}
	if err := ec.checkDeletedNodes(); err != nil {
		return nil, err
	}
	res.Stats = ec.stats
	return res, nil
}

// resultSink converts the RETURN columns of each row into a result row.
type resultSink struct {
	ec    *execCtx
	res   *Result
	slots []int
}

func (s *resultSink) push(r row) error {
	out := make([]any, len(s.slots))
	for i, slot := range s.slots {
		v, err := s.ec.output(r[slot])
		if err != nil {
			return err
		}
		out[i] = v
	}
	s.res.Rows = append(s.res.Rows, out)
	return nil
}

func (s *resultSink) finish() error { return nil }

// discardSink ends a query without RETURN.
type discardSink struct{}

func (discardSink) push(row) error { return nil }
func (discardSink) finish() error  { return nil }

// statementCacheSize bounds each generation of the statement cache.
const statementCacheSize = 1024

// parseCache keeps recently parsed statements in two generations: when the
// current one is full it becomes the old one, and the old one is dropped.
type parseCache struct {
	mu       sync.Mutex
	current  map[string]*Statement
	previous map[string]*Statement
}

var statementCache = &parseCache{current: make(map[string]*Statement)}

func (c *parseCache) get(q string) *Statement {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.current[q]; ok {
		return st
	}
	if st, ok := c.previous[q]; ok {
		c.putLocked(q, st)
		return st
	}
	return nil
}

func (c *parseCache) put(q string, st *Statement) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.putLocked(q, st)
}

func (c *parseCache) putLocked(q string, st *Statement) {
	if len(c.current) >= statementCacheSize {
		c.previous, c.current = c.current, make(map[string]*Statement)
	}
	c.current[q] = st
}
