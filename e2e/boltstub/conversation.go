package boltstub

import (
	"context"
	"fmt"
	"net"
	"slices"

	"github.com/boltrx/boltrx/bolt"
	"github.com/boltrx/boltrx/packstream"
)

// conversation runs one section of the script on one connection. It is an
// interpreter over a stack of frames: the conversation's statements, the
// bodies of the blocks it entered and the anytime blocks it is answering.
type conversation struct {
	ctx     context.Context
	srv     *Server
	num     int
	sec     *section
	conn    net.Conn
	env     env
	dialect packstream.Dialect // of the script's messages, encoded and decoded here
	be      *bolt.Backend      // frames them: the stub sees every byte the client sent

	stack   []*frame
	pending *message      // received, not yet consumed by a statement
	skipped []*clientLine // blocks passed over for the pending message, for reports
	eof     bool          // no more client messages
	eofWhy  string        // why, for reports
	closed  bool          // the script closed (or stalled) the connection
	stalled bool          // the script stalled: the connection stays open
}

// frame is a statement list being run.
type frame struct {
	stmts []stmt
	pc    int          // next statement; for repeat frames -1 between iterations
	rep   *repeatBlock // set for the frame of a repeat block
	count int          // iterations of rep completed
}

func (c *conversation) top() *frame { return c.stack[len(c.stack)-1] }

func (c *conversation) push(f *frame) { c.stack = append(c.stack, f) }

func (c *conversation) pop() { c.stack = c.stack[:len(c.stack)-1] }

// run plays the section. It returns nil when the script reached its end
// (and the connection then ended), or the failure.
func (c *conversation) run() *Failure {
	c.push(&frame{stmts: c.sec.body})
	if f := c.exec(); f != nil {
		return f
	}
	c.flush() // the last answers are on their way before Done
	c.srv.completed(c.num)
	// After the end of the script only the anytime blocks apply, until the
	// connection closes.
	for !c.closed {
		msg, f := c.peek()
		if f != nil {
			return f
		}
		if msg == nil {
			return nil
		}
		a := c.anytimeFor(msg)
		if a == nil {
			return c.deviation(msg, []string{"(the end of the script: only the anytime blocks apply)"}, nil)
		}
		c.consume()
		c.push(&frame{stmts: a.body})
		if f := c.exec(); f != nil {
			return f
		}
	}
	return nil
}

// exec runs statements until the stack is empty, the connection closes or
// the client deviates.
func (c *conversation) exec() *Failure {
	for len(c.stack) > 0 && !c.closed {
		if c.eof {
			// The connection is gone: what is left must be optional.
			return c.ended()
		}
		f := c.top()
		if f.rep != nil && (f.pc < 0 || f.pc >= len(f.stmts)) {
			if fail := c.iterate(f); fail != nil {
				return fail
			}
			continue
		}
		if f.pc >= len(f.stmts) {
			c.pop()
			continue
		}
		if fail := c.step(f, f.stmts[f.pc]); fail != nil {
			return fail
		}
	}
	return nil
}

// iterate decides, between two iterations of a repeat block, whether to
// run the body again.
func (c *conversation) iterate(f *frame) *Failure {
	if f.pc >= len(f.stmts) {
		f.count++
		f.pc = -1
	}
	switch {
	case f.count < f.rep.min:
		f.pc = 0
	case f.rep.max >= 0 && f.count >= f.rep.max:
		c.pop()
	default:
		parent := c.stack[len(c.stack)-2]
		enter, handled, fail := c.decide(f.rep.first, true, len(c.stack)-2, parent.pc)
		switch {
		case fail != nil:
			return fail
		case handled:
		case enter:
			f.pc = 0
		default:
			c.skipped = append(c.skipped, f.rep.first...)
			c.pop()
		}
	}
	return nil
}

// step runs one statement of the top frame.
func (c *conversation) step(f *frame, st stmt) *Failure {
	switch st := st.(type) {
	case *serverLine:
		b, err := buildMessage(st.msg, &c.env, c.dialect)
		if err != nil {
			return &Failure{Reason: ErrIncomplete, Connection: c.num, Line: st.line,
				Detail: "the script cannot send " + st.text + ": " + err.Error(), Cause: err}
		}
		c.be.SendMessage(b)
		f.pc++
	case *action:
		return c.act(f, st)
	case *clientLine:
		msg, fail := c.peek()
		if fail != nil {
			return fail
		}
		if msg == nil {
			return c.ended()
		}
		if st.matches(msg, &c.env) {
			c.consume()
			f.pc++
			return nil
		}
		if a := c.anytimeFor(msg); a != nil {
			c.consume()
			c.push(&frame{stmts: a.body})
			return nil
		}
		return c.deviation(msg, nil, nil)
	case *optionalBlock:
		enter, handled, fail := c.decide(st.first, true, len(c.stack)-1, f.pc+1)
		if fail != nil || handled {
			return fail
		}
		f.pc++
		if enter {
			c.push(&frame{stmts: st.body})
		} else {
			c.skipped = append(c.skipped, st.first...)
		}
	case *repeatBlock:
		f.pc++
		c.push(&frame{stmts: st.body, pc: -1, rep: st})
	case *eitherBlock:
		return c.either(f, st)
	}
	return nil
}

// either enters the first branch the pending client message starts.
func (c *conversation) either(f *frame, st *eitherBlock) *Failure {
	var all []*clientLine
	for _, first := range st.firsts {
		all = append(all, first...)
	}
	skippable := slices.Contains(st.nullable, true)
	enter, handled, fail := c.decide(all, skippable, len(c.stack)-1, f.pc+1)
	if fail != nil || handled {
		return fail
	}
	f.pc++
	if enter {
		for i, first := range st.firsts {
			if starts(first, c.pending, &c.env) {
				c.push(&frame{stmts: st.branches[i]})
				return nil
			}
		}
	}
	// No branch starts with the message: a branch that needs no client
	// message may still be taken; otherwise the client deviated.
	for i, nullable := range st.nullable {
		if nullable {
			c.push(&frame{stmts: st.branches[i]})
			return nil
		}
	}
	if c.pending == nil {
		return c.endedAt(st.line, all)
	}
	return c.deviation(c.pending, nil, append(append([]*clientLine(nil), c.skipped...), all...))
}

// decide looks at the next client message to tell whether a block that
// starts with one of first runs. A message that only an anytime block
// expects is answered first (handled: decide again afterwards). The
// continuation (frames from index fi, statement start) takes precedence
// over anytime blocks when the block may be skipped.
func (c *conversation) decide(first []*clientLine, skippable bool, fi, start int) (enter, handled bool, fail *Failure) {
	msg, fail := c.peek()
	if fail != nil || msg == nil {
		return false, false, fail
	}
	if starts(first, msg, &c.env) {
		return true, false, nil
	}
	if skippable && c.reachable(msg, fi, start) {
		return false, false, nil
	}
	if a := c.anytimeFor(msg); a != nil {
		c.consume()
		c.push(&frame{stmts: a.body})
		return false, true, nil
	}
	return false, false, nil
}

// reachable reports whether msg starts what follows: the statements of
// frame fi from start on, then the frames below it (another iteration of
// a repeat block included).
func (c *conversation) reachable(msg *message, fi, start int) bool {
	found, _ := c.walk(fi, start, func(l *clientLine) bool { return l.matches(msg, &c.env) })
	return found
}

// expectations lists the client lines the conversation accepts next.
func (c *conversation) expectations() []*clientLine {
	var out []*clientLine
	f := c.top()
	start := f.pc
	if start < 0 {
		start = len(f.stmts)
	}
	_, _ = c.walk(len(c.stack)-1, start, func(l *clientLine) bool { out = append(out, l); return false })
	return out
}

// walk visits the client lines that may come next, from frame fi and
// statement start on, until visit returns true (found) or a statement
// that must come first ends the walk.
func (c *conversation) walk(fi, start int, visit func(*clientLine) bool) (found, blocked bool) {
	anyOf := func(lines []*clientLine) bool {
		for _, l := range lines {
			if visit(l) {
				return true
			}
		}
		return false
	}
	for ; fi >= 0; fi-- {
		f := c.stack[fi]
		if start >= 0 {
			for _, st := range f.stmts[min(start, len(f.stmts)):] {
				switch st := st.(type) {
				case *clientLine:
					return visit(st), true
				case *optionalBlock:
					if anyOf(st.first) {
						return true, false
					}
				case *repeatBlock:
					if anyOf(st.first) {
						return true, false
					}
					if st.min > 0 && !st.nullable {
						return false, true
					}
				case *eitherBlock:
					nullable := false
					for i, first := range st.firsts {
						if anyOf(first) {
							return true, false
						}
						nullable = nullable || st.nullable[i]
					}
					if !nullable {
						return false, true
					}
				case *action:
					if st.kind != actSleep && st.kind != actNoop && st.kind != actRaw {
						return false, true // close, stall, expect close: no message comes after
					}
				}
			}
		}
		if f.rep != nil {
			done := f.count
			if f.pc >= 0 {
				done++ // the iteration under way
			}
			if (f.rep.max < 0 || done < f.rep.max) && anyOf(f.rep.first) {
				return true, false
			}
			if done < f.rep.min {
				return false, true
			}
		}
		if fi > 0 {
			start = c.stack[fi-1].pc
		}
	}
	return false, false
}

// restEndable reports whether the conversation may end at this point.
func (c *conversation) restEndable() bool {
	for i := len(c.stack) - 1; i >= 0; i-- {
		f := c.stack[i]
		if f.pc >= 0 && !endable(f.stmts[min(f.pc, len(f.stmts)):]) {
			return false
		}
		if f.rep != nil {
			done := f.count
			if f.pc >= 0 {
				done++
			}
			if done < f.rep.min && !endable(f.rep.body) {
				return false
			}
		}
	}
	return true
}

// act runs a server action.
func (c *conversation) act(f *frame, a *action) *Failure {
	switch a.kind {
	case actNoop:
		c.be.SendNoop()
	case actRaw:
		c.flush()
		if _, err := c.conn.Write(a.raw); err != nil {
			c.lost(err)
		}
	case actSleep:
		c.flush()
		if err := c.srv.sleep(c.ctx, a.dur); err != nil {
			c.lost(err)
		}
	case actClose:
		f.pc++
		c.flush()
		c.closed = true
		if !c.restEndable() {
			return c.endedAt(a.line, c.expectations())
		}
		return nil
	case actStall:
		f.pc++
		c.flush()
		c.closed = true // nothing more is sent; the connection stays open
		c.stalled = true
		if !c.restEndable() {
			return c.endedAt(a.line, c.expectations())
		}
		return nil
	case actExpectClose:
		msg, fail := c.peek()
		if fail != nil {
			return fail
		}
		if msg != nil {
			if at := c.anytimeFor(msg); at != nil {
				c.consume()
				c.push(&frame{stmts: at.body})
				return nil
			}
			return c.deviation(msg, []string{fmt.Sprintf("line %d: expect close", a.line)}, nil)
		}
	}
	f.pc++
	return nil
}
