package boltstub

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/boltrx/boltrx/bolt"
)

// anytimeFor returns the anytime block whose trigger msg matches.
func (c *conversation) anytimeFor(msg *message) *anytimeBlock {
	for _, a := range c.sec.anytime {
		if a.trigger.matches(msg, &c.env) {
			return a
		}
	}
	return nil
}

// peek returns the next client message without consuming it; nil when the
// client has closed the connection (or it broke).
func (c *conversation) peek() (*message, *Failure) {
	if c.pending != nil || c.eof {
		return c.pending, nil
	}
	c.flush()
	if c.eof {
		return nil, nil
	}
	b, err := c.be.ReceiveMessage()
	if err != nil {
		var framing *bolt.FramingError
		switch {
		case errors.As(err, &framing) || errors.Is(err, io.ErrUnexpectedEOF):
			return nil, &Failure{Reason: ErrBadMessage, Connection: c.num, Line: c.line(),
				Detail: err.Error(), Cause: err}
		default:
			c.lost(err)
			return nil, nil
		}
	}
	msg, err := decodeMessage(b, c.dialect)
	if err != nil {
		return nil, &Failure{Reason: ErrBadMessage, Connection: c.num, Line: c.line(),
			Detail: err.Error(), Received: "bytes " + cutOff(hex.EncodeToString(b)), Cause: err}
	}
	c.pending = msg
	return msg, nil
}

// consume marks the pending message as used.
func (c *conversation) consume() {
	c.pending = nil
	c.skipped = c.skipped[:0]
}

// flush sends what the server lines buffered.
func (c *conversation) flush() {
	if c.eof || c.be.Buffered() == 0 {
		return
	}
	if err := c.be.Flush(); err != nil {
		c.lost(err)
	}
}

// lost records that the connection is gone.
func (c *conversation) lost(err error) {
	if c.eof {
		return
	}
	c.eof = true
	switch {
	case c.ctx.Err() != nil:
		c.eofWhy = "the server was stopped (end of the test?)"
	case errors.Is(err, io.EOF):
		c.eofWhy = "the client closed the connection"
	default:
		c.eofWhy = "the connection broke: " + err.Error()
	}
}

// line is the script line the conversation stands at.
func (c *conversation) line() int {
	for i := len(c.stack) - 1; i >= 0; i-- {
		f := c.stack[i]
		if f.pc >= 0 && f.pc < len(f.stmts) {
			return f.stmts[f.pc].stmtLine()
		}
	}
	return 0
}

// ended handles the end of the client's messages at a client line.
func (c *conversation) ended() *Failure {
	if c.restEndable() {
		c.stack = c.stack[:0]
		return nil
	}
	return c.endedAt(c.line(), c.expectations())
}

// endedAt reports a conversation that stopped at line before the end.
func (c *conversation) endedAt(line int, expected []*clientLine) *Failure {
	why := c.eofWhy
	if c.closed {
		why = fmt.Sprintf("the script closed the connection (line %d)", line)
		line = c.line()
	}
	f := &Failure{Reason: ErrIncomplete, Connection: c.num, Line: line, Detail: why}
	for _, l := range append(c.skipped, expected...) {
		f.Expected = append(f.Expected, fmt.Sprintf("line %d: %s", l.line, l.text))
	}
	if len(f.Expected) == 0 && line > 0 {
		f.Expected = []string{fmt.Sprintf("line %d and what follows", line)}
	}
	return f
}

// deviation reports a client message the script does not expect. extra
// replaces the generated expectations when set; lines are the client
// lines it was compared with (the expectations when nil).
func (c *conversation) deviation(msg *message, extra []string, lines []*clientLine) *Failure {
	if lines == nil && extra == nil {
		lines = append(append([]*clientLine(nil), c.skipped...), c.expectations()...)
	}
	f := &Failure{Reason: ErrUnexpectedMessage, Connection: c.num, Line: c.line(),
		Received: msg.render("C: ", c.env.version), Expected: extra}
	if len(lines) > 0 {
		f.Line = lines[len(lines)-1].line
	}
	var compared []*clientLine
	for _, l := range lines {
		if !slices.Contains(compared, l) {
			compared = append(compared, l)
			f.Expected = append(f.Expected, fmt.Sprintf("line %d: %s", l.line, l.text))
		}
	}
	// Explain the differences to the expected messages of the same name.
	for _, l := range compared {
		if !l.msg.anyTag && l.msg.tag != msg.tag {
			continue
		}
		m := matcher{env: &c.env}
		l.msg.matchMessage(&m, msg)
		for _, d := range m.diffs {
			if len(compared) > 1 {
				d = fmt.Sprintf("line %d: %s", l.line, d)
			}
			f.Differences = append(f.Differences, d)
		}
	}
	return f
}
