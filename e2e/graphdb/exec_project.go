package graphdb

import "slices"

// projectStage runs WITH or RETURN: projection, aggregation, DISTINCT,
// ORDER BY, SKIP, LIMIT and (for WITH) WHERE.
type projectStage struct {
	c     *projectClause
	ec    *execCtx
	next  stage
	skip  int64
	limit int64 // -1: no limit

	skipped, emitted int64

	groupItems []int // items without aggregates: the grouping keys
	groups     map[string]*group
	groupOrder []*group
	seen       map[string]bool
	buffer     []sortedRow
	keyBuf     []byte
}

// group is the state of one aggregation group.
type group struct {
	rep  row // the group's first row
	aggs []aggregator
}

// sortedRow is a buffered row with its ORDER BY keys.
type sortedRow struct {
	r    row
	keys []any
}

func (c *projectClause) newStage(ec *execCtx, next stage) (stage, error) {
	s := &projectStage{c: c, ec: ec, next: next, limit: -1}
	var err error
	if c.skip != nil {
		if s.skip, err = evalCount(ec, c.skip, "SKIP"); err != nil {
			return nil, err
		}
	}
	if c.limit != nil {
		if s.limit, err = evalCount(ec, c.limit, "LIMIT"); err != nil {
			return nil, err
		}
	}
	if len(c.aggs) > 0 {
		s.groups = make(map[string]*group)
		for i, it := range c.items {
			hasAgg := false
			walkExpr(it.expr, func(e expr) bool {
				if _, ok := e.(*aggRefExpr); ok {
					hasAgg = true
				}
				return !hasAgg
			})
			if !hasAgg {
				s.groupItems = append(s.groupItems, i)
			}
		}
	}
	if c.distinct {
		s.seen = make(map[string]bool)
	}
	return s, nil
}

// evalCount evaluates a SKIP or LIMIT value: a non-negative integer.
func evalCount(ec *execCtx, e expr, what string) (int64, error) {
	v, err := e.eval(ec, nil)
	if err != nil {
		return 0, err
	}
	n, ok := v.(int64)
	if f, isFloat := v.(float64); isFloat && f == float64(int64(f)) {
		n, ok = int64(f), true
	}
	if !ok || n < 0 {
		return 0, newError(CodeArgumentError, "Invalid input. '%v' is not a valid value for %s. Must be a non-negative integer.", v, what)
	}
	return n, nil
}

func (s *projectStage) push(r row) error {
	if s.groups != nil {
		return s.accumulate(r)
	}
	for _, it := range s.c.items {
		v, err := it.expr.eval(s.ec, r)
		if err != nil {
			return err
		}
		r[it.slot] = v
	}
	return s.afterProject(r, false)
}

// accumulate adds a row to its aggregation group.
func (s *projectStage) accumulate(r row) error {
	s.keyBuf = s.keyBuf[:0]
	for _, i := range s.groupItems {
		v, err := s.c.items[i].expr.eval(s.ec, r)
		if err != nil {
			return err
		}
		s.keyBuf = appendValueKey(s.keyBuf, v)
	}
	g, ok := s.groups[string(s.keyBuf)]
	if !ok {
		g = s.newGroup(slices.Clone(r))
		s.groups[string(s.keyBuf)] = g
	}
	for i, spec := range s.c.aggs {
		var v any
		if !spec.star {
			var err error
			if v, err = spec.arg.eval(s.ec, r); err != nil {
				return err
			}
		}
		if err := g.aggs[i].add(v); err != nil {
			return err
		}
	}
	return nil
}

func (s *projectStage) newGroup(rep row) *group {
	g := &group{rep: rep, aggs: make([]aggregator, len(s.c.aggs))}
	for i, spec := range s.c.aggs {
		g.aggs[i] = newAggregator(spec)
	}
	s.groupOrder = append(s.groupOrder, g)
	return g
}

// afterProject applies DISTINCT and either buffers the row for sorting or
// emits it. owned says the row may be kept without copying.
func (s *projectStage) afterProject(r row, owned bool) error {
	if s.seen != nil {
		s.keyBuf = s.keyBuf[:0]
		for _, it := range s.c.items {
			s.keyBuf = appendValueKey(s.keyBuf, r[it.slot])
		}
		if s.seen[string(s.keyBuf)] {
			return nil
		}
		s.seen[string(s.keyBuf)] = true
	}
	if len(s.c.order) == 0 || s.c.presorted {
		return s.emit(r)
	}
	keys := make([]any, len(s.c.order))
	for i, k := range s.c.order {
		v, err := k.expr.eval(s.ec, r)
		if err != nil {
			return err
		}
		keys[i] = v
	}
	if !owned {
		r = slices.Clone(r)
	}
	s.buffer = append(s.buffer, sortedRow{r: r, keys: keys})
	return nil
}

// emit applies SKIP, LIMIT and WHERE, then passes the row on.
func (s *projectStage) emit(r row) error {
	if s.limit >= 0 && s.emitted >= s.limit {
		if s.c.canStop {
			return errStop
		}
		return nil
	}
	if s.skipped < s.skip {
		s.skipped++
		return nil
	}
	s.emitted++
	pass := true
	if s.c.where != nil {
		ok, err := predicate(s.ec, s.c.where, r)
		if err != nil {
			return err
		}
		pass = ok
	}
	if pass {
		if err := s.next.push(r); err != nil {
			return err
		}
	}
	if s.c.canStop && s.limit >= 0 && s.emitted >= s.limit {
		return errStop
	}
	return nil
}

func (s *projectStage) finish() error {
	if err := s.flush(); err != nil && err != errStop {
		return err
	}
	return s.next.finish()
}

// flush emits the aggregated groups and the sorted buffer.
func (s *projectStage) flush() error {
	if s.groups != nil {
		if len(s.groupOrder) == 0 && len(s.groupItems) == 0 {
			s.newGroup(make(row, s.ec.nSlots))
		}
		for _, g := range s.groupOrder {
			for i, spec := range s.c.aggs {
				g.rep[spec.slot] = g.aggs[i].result()
			}
			for _, it := range s.c.items {
				v, err := it.expr.eval(s.ec, g.rep)
				if err != nil {
					return err
				}
				g.rep[it.slot] = v
			}
			if err := s.afterProject(g.rep, true); err != nil {
				return err
			}
		}
	}
	if len(s.buffer) == 0 {
		return nil
	}
	slices.SortStableFunc(s.buffer, func(a, b sortedRow) int {
		for i, k := range s.c.order {
			c := orderCompare(a.keys[i], b.keys[i])
			if k.desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return 0
	})
	for _, b := range s.buffer {
		if err := s.emit(b.r); err != nil {
			return err
		}
	}
	return nil
}
