package boltstub

import (
	"strconv"
	"strings"
	"time"
)

// statement reads one statement that starts with t.
func (p *parser) statement(t token) (stmt, error) {
	switch t.text {
	case "C", "S":
		return p.messageLine(t)
	case "optional":
		if err := p.endOfLine(); err != nil {
			return nil, err
		}
		body, _, err := p.block(t, "end")
		if err != nil {
			return nil, err
		}
		first, _, err := analyze(body, true, "an optional block")
		if err != nil {
			return nil, err
		}
		return &optionalBlock{line: t.line, body: body, first: first}, nil
	case "repeat":
		return p.repeatBlock(t)
	case "either":
		return p.eitherBlock(t)
	case "close", "stall", "noop":
		kind := map[string]actionKind{"close": actClose, "stall": actStall, "noop": actNoop}[t.text]
		return &action{line: t.line, kind: kind, text: t.text}, p.endOfLine()
	case "expect":
		w, err := p.next()
		if err != nil {
			return nil, err
		}
		if !w.is(tokIdent, "close") {
			return nil, syntaxErrorf(w.line, w.col, "want expect close")
		}
		return &action{line: t.line, kind: actExpectClose, text: "expect close"}, p.endOfLine()
	case "sleep":
		text, col := p.lx.restOfLine()
		d, err := time.ParseDuration(text)
		if err != nil || d < 0 {
			return nil, syntaxErrorf(t.line, col, "want a duration, e.g. sleep 200ms")
		}
		return &action{line: t.line, kind: actSleep, dur: d, text: "sleep " + text}, nil
	case "raw":
		text, col := p.lx.restOfLine()
		b, err := parseHex(text)
		if err != nil || len(b) == 0 {
			return nil, syntaxErrorf(t.line, col, "want the bytes to send in hex, e.g. raw 00 03 b1 70 a0 00 00")
		}
		return &action{line: t.line, kind: actRaw, raw: b, text: "raw " + text}, nil
	case "end", "or":
		return nil, syntaxErrorf(t.line, t.col, "%q without a block to close", t.text)
	case "anytime", "connection", "connections", "bolt", "manifest", "capabilities", "agent", "patch",
		"handshake", "concurrent":
		return nil, syntaxErrorf(t.line, t.col, "%q cannot be inside a block", t.text)
	}
	return nil, syntaxErrorf(t.line, t.col, "unknown statement %q", t.text)
}

// messageLine reads "C: ..." or "S: ...".
func (p *parser) messageLine(t token) (stmt, error) {
	if _, err := p.expect(":"); err != nil {
		return nil, err
	}
	start := p.lx.pos
	msg, err := p.parseMessage()
	if err != nil {
		return nil, err
	}
	text := t.text + ": " + statementText(p.lx.src[start:p.lx.pos])
	if err := p.endOfLine(); err != nil {
		return nil, err
	}
	if t.text == "C" {
		return &clientLine{line: t.line, text: text, msg: msg}, nil
	}
	if err := concreteMessage(msg); err != nil {
		return nil, syntaxErrorf(t.line, 0, "%v", err)
	}
	return &serverLine{line: t.line, text: text, msg: msg}, nil
}

// statementText is the source of a statement as reports show it: on one
// line, comments removed, runs of blanks outside strings made one space.
func statementText(s string) string {
	var b strings.Builder
	inString, blank := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case inString:
			if c == '\\' && i+1 < len(s) {
				b.WriteByte(c)
				i++
				c = s[i]
			} else if c == '"' {
				inString = false
			}
		case c == '#':
			for i+1 < len(s) && s[i+1] != '\n' {
				i++
			}
			continue
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			blank = true
			continue
		case c == '"':
			inString = true
		}
		if blank && b.Len() > 0 {
			b.WriteByte(' ')
		}
		blank = false
		b.WriteByte(c)
	}
	return b.String()
}

// block reads statements up to one of the terminators, which it returns.
func (p *parser) block(open token, terminators ...string) ([]stmt, string, error) {
	var body []stmt
	for {
		t, err := p.next()
		if err != nil {
			return nil, "", err
		}
		switch {
		case t.kind == tokEOF:
			return nil, "", syntaxErrorf(open.line, open.col, "%s block is never closed with end", open.text)
		case t.kind == tokNewline:
			continue
		case t.kind != tokIdent:
			return nil, "", syntaxErrorf(t.line, t.col, "want a statement, found %s", t.describe())
		}
		for _, term := range terminators {
			if t.text == term {
				if len(body) == 0 {
					return nil, "", syntaxErrorf(t.line, t.col, "empty %s block", open.text)
				}
				return body, term, p.endOfLine()
			}
		}
		st, err := p.statement(t)
		if err != nil {
			return nil, "", err
		}
		body = append(body, st)
	}
}

// repeatBlock reads "repeat [N | N+ | N..M]" and its body.
func (p *parser) repeatBlock(t token) (stmt, error) {
	text, col := p.lx.restOfLine()
	r := &repeatBlock{line: t.line, min: 0, max: -1}
	var err error
	switch {
	case text == "":
	case strings.HasSuffix(text, "+"):
		r.min, err = strconv.Atoi(strings.TrimSuffix(text, "+"))
	case strings.Contains(text, ".."):
		a, b, _ := strings.Cut(text, "..")
		r.min, err = strconv.Atoi(strings.TrimSpace(a))
		if err == nil {
			r.max, err = strconv.Atoi(strings.TrimSpace(b))
		}
	default:
		r.min, err = strconv.Atoi(text)
		r.max = r.min
	}
	if err != nil || r.min < 0 || r.max >= 0 && (r.max < r.min || r.max == 0) {
		return nil, syntaxErrorf(t.line, col, "want repeat (any number of times), repeat N+ (N or more), repeat N or repeat N..M")
	}
	if r.body, _, err = p.block(t, "end"); err != nil {
		return nil, err
	}
	if r.first, r.nullable, err = analyze(r.body, true, "a repeat block"); err != nil {
		return nil, err
	}
	if r.nullable && r.max < 0 {
		return nil, syntaxErrorf(t.line, 0, "the body of an unlimited repeat must need at least one client message")
	}
	return r, nil
}

// eitherBlock reads "either ... or ... end".
func (p *parser) eitherBlock(t token) (stmt, error) {
	if err := p.endOfLine(); err != nil {
		return nil, err
	}
	e := &eitherBlock{line: t.line}
	for {
		body, term, err := p.block(t, "or", "end")
		if err != nil {
			return nil, err
		}
		first, nullable, err := analyze(body, true, "a branch of either")
		if err != nil {
			return nil, err
		}
		e.branches = append(e.branches, body)
		e.firsts = append(e.firsts, first)
		e.nullable = append(e.nullable, nullable)
		if term == "end" {
			break
		}
	}
	if len(e.branches) < 2 {
		return nil, syntaxErrorf(t.line, 0, "either needs at least two branches separated by or")
	}
	return e, nil
}

// anytimeBlock reads "anytime", a client line, and the reaction to it.
func (p *parser) anytimeBlock(t token) (*anytimeBlock, error) {
	if err := p.endOfLine(); err != nil {
		return nil, err
	}
	body, _, err := p.block(t, "end")
	if err != nil {
		return nil, err
	}
	trigger, ok := body[0].(*clientLine)
	if !ok {
		return nil, syntaxErrorf(body[0].stmtLine(), 0, "an anytime block must begin with the client message it answers (C: ...)")
	}
	return &anytimeBlock{line: t.line, trigger: trigger, body: body[1:]}, nil
}
