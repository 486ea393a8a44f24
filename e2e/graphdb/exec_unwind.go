package graphdb

// unwindStage runs UNWIND for each input row.
type unwindStage struct {
	c    *unwindClause
	ec   *execCtx
	next stage
}

func (c *unwindClause) newStage(ec *execCtx, next stage) (stage, error) {
	return &unwindStage{c: c, ec: ec, next: next}, nil
}

func (s *unwindStage) push(r row) error {
	if f, ok := s.c.list.(*funcExpr); ok && f.name == "range" {
		return s.unwindRange(f, r)
	}
	v, err := s.c.list.eval(s.ec, r)
	if err != nil {
		return err
	}
	switch x := v.(type) {
	case nil:
		return nil
	case []any:
		for _, e := range x {
			if err := s.ec.tick(); err != nil {
				return err
			}
			r[s.c.slot] = e
			if err := s.next.push(r); err != nil {
				return err
			}
		}
		return nil
	default:
		r[s.c.slot] = v
		return s.next.push(r)
	}
}

// unwindRange iterates range(a, b[, step]) without building the list.
func (s *unwindStage) unwindRange(f *funcExpr, r row) error {
	args := make([]any, len(f.args))
	for i, a := range f.args {
		v, err := a.eval(s.ec, r)
		if err != nil {
			return err
		}
		args[i] = v
	}
	start, end, step, err := rangeBounds(args)
	if err != nil {
		return err
	}
	n := rangeLen(start, end, step)
	v := start
	for i := uint64(0); i < n; i++ {
		if err := s.ec.tick(); err != nil {
			return err
		}
		r[s.c.slot] = v
		if err := s.next.push(r); err != nil {
			return err
		}
		v += step
	}
	return nil
}

func (s *unwindStage) finish() error { return s.next.finish() }
