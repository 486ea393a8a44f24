package graphdb

import (
	"slices"
	"strings"
)

// varKind is what a query variable is known to hold.
type varKind int

const (
	kindAny varKind = iota
	kindNode
	kindRel
	kindPath
)

// varInfo is a variable's row slot and kind.
type varInfo struct {
	slot int
	kind varKind
}

// scope maps the variables visible at a point of the query to slots.
type scope struct {
	vars  map[string]varInfo
	order []string
}

func newScope() *scope { return &scope{vars: make(map[string]varInfo)} }

func (s *scope) define(name string, v varInfo) {
	if _, ok := s.vars[name]; !ok {
		s.order = append(s.order, name)
	}
	s.vars[name] = v
}

func (s *scope) clone() *scope {
	c := newScope()
	for _, n := range s.order {
		c.define(n, s.vars[n])
	}
	return c
}

// parser turns tokens into a Statement, resolving variables to slots as it
// goes (Cypher scopes flow strictly left to right).
type parser struct {
	q       string
	toks    []token
	pos     int
	scope   *scope
	nSlots  int
	params  []string
	aggs    *[]*aggSpec // where aggregate calls go while parsing projection items
	updates bool
	depth   int // expression nesting, bounded by maxExprDepth
}

func (p *parser) peek() token          { return p.toks[p.pos] }
func (p *parser) peekAt(n int) token   { return p.toks[min(p.pos+n, len(p.toks)-1)] }
func (p *parser) advance() token       { t := p.toks[p.pos]; p.pos = min(p.pos+1, len(p.toks)-1); return t }
func (p *parser) text(t token) string  { return p.q[t.pos:t.end] }
func (p *parser) newSlot() int         { p.nSlots++; return p.nSlots - 1 }
func (p *parser) span(from int) string { return p.q[p.toks[from].pos:p.toks[max(p.pos-1, from)].end] }
func (p *parser) atEnd() bool          { return p.peek().kind == tokEOF }
func isKeyword(t token, kw string) bool {
	return t.kind == tokIdent && !t.quoted && strings.EqualFold(t.text, kw)
}

// acceptKeyword consumes the keyword sequence kws if it comes next.
func (p *parser) acceptKeyword(kws ...string) bool {
	for i, kw := range kws {
		if !isKeyword(p.peekAt(i), kw) {
			return false
		}
	}
	for range kws {
		p.advance()
	}
	return true
}

func (p *parser) expectKeyword(kw string) *Error {
	if p.acceptKeyword(kw) {
		return nil
	}
	return p.unexpected("'" + kw + "'")
}

func (p *parser) acceptPunct(s string) bool {
	if t := p.peek(); t.kind == tokPunct && t.text == s {
		p.advance()
		return true
	}
	return false
}

func (p *parser) expectPunct(s string) *Error {
	if p.acceptPunct(s) {
		return nil
	}
	return p.unexpected("'" + s + "'")
}

// unexpected reports the next token as invalid where want was expected.
func (p *parser) unexpected(want string) *Error {
	t := p.peek()
	if t.kind == tokEOF {
		return syntaxErrorAt(p.q, t.pos, "Invalid input '': expected %s (unexpected end of input)", want)
	}
	return syntaxErrorAt(p.q, t.pos, "Invalid input '%s': expected %s", p.text(t), want)
}

// errAt reports a problem at token t.
func (p *parser) errAt(t token, format string, args ...any) *Error {
	return syntaxErrorAt(p.q, t.pos, format, args...)
}

// name reads an identifier (keywords allowed, as in label and key names).
func (p *parser) name(what string) (string, *Error) {
	t := p.peek()
	if t.kind != tokIdent {
		return "", p.unexpected(what)
	}
	p.advance()
	return t.text, nil
}

// variableName reads a variable name being declared.
func (p *parser) variableName() (string, token, *Error) {
	t := p.peek()
	if t.kind != tokIdent || isReserved(t) {
		return "", t, p.unexpected("a variable name")
	}
	p.advance()
	return t.text, t, nil
}

// reservedWords cannot be used as unquoted variable names.
var reservedWords = map[string]bool{
	"MATCH": true, "OPTIONAL": true, "WHERE": true, "RETURN": true, "WITH": true, "UNWIND": true,
	"CREATE": true, "MERGE": true, "SET": true, "REMOVE": true, "DELETE": true, "DETACH": true,
	"ORDER": true, "BY": true, "SKIP": true, "LIMIT": true, "AS": true, "DISTINCT": true,
	"AND": true, "OR": true, "XOR": true, "NOT": true, "IN": true, "IS": true, "NULL": true,
	"TRUE": true, "FALSE": true, "CASE": true, "WHEN": true, "THEN": true, "ELSE": true, "END": true,
	"STARTS": true, "ENDS": true, "CONTAINS": true, "ON": true, "UNION": true, "CALL": true,
}

// isReserved reports whether t is an unquoted reserved word.
func isReserved(t token) bool {
	return t.kind == tokIdent && !t.quoted && reservedWords[strings.ToUpper(t.text)]
}

// clauseKeywords start the clauses this engine understands.
const clauseKeywords = "'MATCH', 'OPTIONAL MATCH', 'UNWIND', 'CREATE', 'MERGE', 'SET', 'REMOVE', 'DELETE', 'DETACH DELETE', 'WITH' or 'RETURN'"

// parseStatement parses a whole query.
func parseStatement(q string) (*Statement, *Error) {
	toks, err := tokenize(q)
	if err != nil {
		return nil, err
	}
	p := &parser{q: q, toks: toks, scope: newScope()}
	if p.atSchemaCommand() {
		return p.parseSchemaStatement()
	}
	st := &Statement{query: q}
	var last string
	var lastTok token
	for !p.atEnd() && !(p.peek().kind == tokPunct && p.peek().text == ";") {
		if last == "RETURN" {
			return nil, p.errAt(p.peek(), "RETURN can only be used at the end of the query")
		}
		lastTok = p.peek()
		c, kind, err := p.parseClause()
		if err != nil {
			return nil, err
		}
		st.clauses = append(st.clauses, c)
		last = kind
	}
	p.acceptPunct(";")
	if !p.atEnd() {
		return nil, p.unexpected("end of input")
	}
	switch last {
	case "":
		return nil, syntaxErrorAt(q, 0, "Invalid input '': expected %s (the query is empty)", clauseKeywords)
	case "MATCH", "OPTIONAL MATCH", "UNWIND", "WITH":
		return nil, p.errAt(lastTok, "Query cannot conclude with %s (must be a RETURN clause or an update clause)", last)
	}
	st.finish(p, last == "RETURN")
	return st, nil
}

// parseClause parses the clause at the current token and names its kind.
func (p *parser) parseClause() (clause, string, *Error) {
	t := p.peek()
	switch {
	case p.acceptKeyword("OPTIONAL", "MATCH"):
		c, err := p.parseMatch(true)
		return c, "OPTIONAL MATCH", err
	case p.acceptKeyword("MATCH"):
		c, err := p.parseMatch(false)
		return c, "MATCH", err
	case p.acceptKeyword("UNWIND"):
		c, err := p.parseUnwind()
		return c, "UNWIND", err
	case p.acceptKeyword("CREATE"):
		p.updates = true
		c, err := p.parseCreate()
		return c, "CREATE", err
	case p.acceptKeyword("MERGE"):
		p.updates = true
		c, err := p.parseMerge()
		return c, "MERGE", err
	case p.acceptKeyword("SET"):
		p.updates = true
		items, err := p.parseSetItems()
		return &setClause{items: items}, "SET", err
	case p.acceptKeyword("REMOVE"):
		p.updates = true
		c, err := p.parseRemove()
		return c, "REMOVE", err
	case p.acceptKeyword("DETACH", "DELETE"):
		p.updates = true
		c, err := p.parseDelete(true)
		return c, "DELETE", err
	case p.acceptKeyword("DELETE"):
		p.updates = true
		c, err := p.parseDelete(false)
		return c, "DELETE", err
	case p.acceptKeyword("WITH"):
		c, err := p.parseProjection(false, t)
		return c, "WITH", err
	case p.acceptKeyword("RETURN"):
		c, err := p.parseProjection(true, t)
		return c, "RETURN", err
	}
	if isKeyword(t, "CALL") || isKeyword(t, "FOREACH") || isKeyword(t, "LOAD") || isKeyword(t, "USE") ||
		isKeyword(t, "SHOW") || isKeyword(t, "UNION") || isKeyword(t, "EXPLAIN") || isKeyword(t, "PROFILE") {
		return nil, "", p.errAt(t, "Invalid input '%s': %s is not supported by this engine, expected %s", p.text(t), strings.ToUpper(t.text), clauseKeywords)
	}
	return nil, "", p.unexpected(clauseKeywords)
}

func (p *parser) parseUnwind() (clause, *Error) {
	e, err := p.parseExpr()
	if err != nil {
		return nil, err
	}
	if err := p.expectKeyword("AS"); err != nil {
		return nil, err
	}
	name, _, err := p.variableName()
	if err != nil {
		return nil, err
	}
	slot := p.newSlot()
	p.scope.define(name, varInfo{slot: slot})
	return &unwindClause{list: e, slot: slot}, nil
}

func (p *parser) parseMatch(optional bool) (clause, *Error) {
	firstSlot := p.nSlots
	parts, err := p.parsePatternList(patternMatch)
	if err != nil {
		return nil, err
	}
	m := &matchClause{optional: optional}
	m.parts = parts
	if p.acceptKeyword("WHERE") {
		if m.where, err = p.parseExpr(); err != nil {
			return nil, err
		}
	}
	for s := firstSlot; s < p.nSlots; s++ {
		m.newSlots = append(m.newSlots, s)
	}
	m.planSeeks(m.where, m.newSlots)
	return m, nil
}

func (p *parser) parseCreate() (clause, *Error) {
	firstSlot := p.nSlots
	parts, err := p.parsePatternList(patternCreate)
	if err != nil {
		return nil, err
	}
	c := &createClause{parts: parts}
	for s := firstSlot; s < p.nSlots; s++ {
		c.newSlots = append(c.newSlots, s)
	}
	return c, nil
}

func (p *parser) parseMerge() (clause, *Error) {
	firstSlot := p.nSlots
	part, err := p.parsePatternPart(patternMerge)
	if err != nil {
		return nil, err
	}
	m := &mergeClause{}
	m.parts = []*patternPart{part}
	for s := firstSlot; s < p.nSlots; s++ {
		m.newSlots = append(m.newSlots, s)
	}
	m.planSeeks(nil, m.newSlots)
	for p.acceptKeyword("ON") {
		onCreate := p.acceptKeyword("CREATE")
		if !onCreate && !p.acceptKeyword("MATCH") {
			return nil, p.unexpected("'CREATE' or 'MATCH'")
		}
		if err := p.expectKeyword("SET"); err != nil {
			return nil, err
		}
		items, err := p.parseSetItems()
		if err != nil {
			return nil, err
		}
		if onCreate {
			m.onCreate = append(m.onCreate, items...)
		} else {
			m.onMatch = append(m.onMatch, items...)
		}
	}
	return m, nil
}

// parseSetItems parses "n.p = e", "n = e", "n += e", separated by commas.
func (p *parser) parseSetItems() ([]setItem, *Error) {
	var items []setItem
	for {
		t := p.peek()
		name, _, err := p.variableName()
		if err != nil {
			return nil, err
		}
		v, ok := p.scope.vars[name]
		if !ok {
			return nil, p.errAt(t, "Variable `%s` not defined", name)
		}
		item := setItem{target: v.slot}
		switch {
		case p.acceptPunct("."):
			key, err := p.name("a property key name")
			if err != nil {
				return nil, err
			}
			if err := p.expectPunct("="); err != nil {
				return nil, err
			}
			item.kind, item.key = setProperty, key
		case p.acceptPunct("="):
			item.kind = setReplace
		case p.acceptPunct("+="):
			item.kind = setMerge
		case p.peek().kind == tokPunct && p.peek().text == ":":
			return nil, p.errAt(p.peek(), "Invalid input ':': setting labels is not supported by this engine (labels are fixed when a node is created)")
		default:
			return nil, p.unexpected("'.', '=' or '+='")
		}
		if item.val, err = p.parseExpr(); err != nil {
			return nil, err
		}
		items = append(items, item)
		if !p.acceptPunct(",") {
			return items, nil
		}
	}
}

// parseRemove parses REMOVE n.p, ... as setting the properties to null.
func (p *parser) parseRemove() (clause, *Error) {
	var items []setItem
	for {
		t := p.peek()
		name, _, err := p.variableName()
		if err != nil {
			return nil, err
		}
		v, ok := p.scope.vars[name]
		if !ok {
			return nil, p.errAt(t, "Variable `%s` not defined", name)
		}
		if !p.acceptPunct(".") {
			if p.peek().kind == tokPunct && p.peek().text == ":" {
				return nil, p.errAt(p.peek(), "Invalid input ':': removing labels is not supported by this engine (labels are fixed when a node is created)")
			}
			return nil, p.unexpected("'.'")
		}
		key, err := p.name("a property key name")
		if err != nil {
			return nil, err
		}
		items = append(items, setItem{kind: setProperty, target: v.slot, key: key, val: &literalExpr{}})
		if !p.acceptPunct(",") {
			return &setClause{items: items}, nil
		}
	}
}

func (p *parser) parseDelete(detach bool) (clause, *Error) {
	d := &deleteClause{detach: detach}
	for {
		e, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		d.targets = append(d.targets, e)
		if !p.acceptPunct(",") {
			return d, nil
		}
	}
}

// parseProjection parses the body of WITH or RETURN.
func (p *parser) parseProjection(isReturn bool, kw token) (clause, *Error) {
	pc := &projectClause{isReturn: isReturn}
	pc.distinct = p.acceptKeyword("DISTINCT")
	old := p.scope
	var aggs []*aggSpec
	p.aggs = &aggs
	err := p.parseProjectionItems(pc, old)
	p.aggs = nil
	if err != nil {
		return nil, err
	}
	pc.aggs = aggs
	newScope := newScope()
	for _, it := range pc.items {
		if _, dup := newScope.vars[it.name]; dup {
			return nil, p.errAt(kw, "Multiple result columns with the same name `%s` are not supported", it.name)
		}
		newScope.define(it.name, varInfo{slot: it.slot, kind: it.kind})
	}
	// ORDER BY sees the new names and, as Cypher allows, the old ones.
	orderScope := old.clone()
	for _, n := range newScope.order {
		orderScope.define(n, newScope.vars[n])
	}
	p.scope = orderScope
	if p.acceptKeyword("ORDER", "BY") {
		if err := p.parseOrderBy(pc); err != nil {
			return nil, err
		}
	}
	p.scope = newScope
	if p.acceptKeyword("SKIP") || p.acceptKeyword("OFFSET") {
		if pc.skip, err = p.parseConstantExpr("SKIP"); err != nil {
			return nil, err
		}
	}
	if p.acceptKeyword("LIMIT") {
		if pc.limit, err = p.parseConstantExpr("LIMIT"); err != nil {
			return nil, err
		}
	}
	if !isReturn && p.acceptKeyword("WHERE") {
		if pc.where, err = p.parseExpr(); err != nil {
			return nil, err
		}
	}
	return pc, nil
}

// parseProjectionItems parses "*" or "expr [AS name], ...".
func (p *parser) parseProjectionItems(pc *projectClause, old *scope) *Error {
	if p.acceptPunct("*") {
		names := slices.Clone(old.order)
		slices.Sort(names)
		for _, n := range names {
			v := old.vars[n]
			pc.items = append(pc.items, projItem{expr: &varExpr{name: n, slot: v.slot}, name: n, slot: p.newSlot(), kind: v.kind})
		}
		if !p.acceptPunct(",") {
			return nil
		}
	}
	for {
		start := p.pos
		startTok := p.peek()
		e, err := p.parseExpr()
		if err != nil {
			return err
		}
		it := projItem{expr: e, text: p.span(start), slot: p.newSlot()}
		if v, ok := e.(*varExpr); ok {
			it.kind = old.vars[v.name].kind
		}
		if p.acceptKeyword("AS") {
			if it.name, _, err = p.variableName(); err != nil {
				return err
			}
		} else {
			if _, isVar := e.(*varExpr); !isVar && !pc.isReturn {
				return p.errAt(startTok, "Expression in WITH must be aliased (use AS)")
			}
			it.name = it.text
		}
		pc.items = append(pc.items, it)
		if !p.acceptPunct(",") {
			return nil
		}
	}
}

// parseOrderBy parses the sort keys. A key written exactly like a projected
// expression (e.g. count(*)) refers to that column.
func (p *parser) parseOrderBy(pc *projectClause) *Error {
	for {
		start := p.pos
		var scratch []*aggSpec
		p.aggs = &scratch
		e, err := p.parseExpr()
		p.aggs = nil
		if err != nil {
			return err
		}
		text := p.span(start)
		matched := false
		for _, it := range pc.items {
			if it.text == text {
				e, matched = &varExpr{name: it.name, slot: it.slot}, true
				break
			}
		}
		if !matched && len(scratch) > 0 {
			return p.errAt(p.toks[start], "Aggregation in ORDER BY must also be a projected column")
		}
		key := sortKey{expr: e}
		if p.acceptKeyword("DESC") || p.acceptKeyword("DESCENDING") {
			key.desc = true
		} else if !p.acceptKeyword("ASC") {
			p.acceptKeyword("ASCENDING")
		}
		pc.order = append(pc.order, key)
		if !p.acceptPunct(",") {
			return nil
		}
	}
}

// parseConstantExpr parses a SKIP or LIMIT value: no variables allowed.
func (p *parser) parseConstantExpr(what string) (expr, *Error) {
	saved := p.scope
	p.scope = newScope()
	start := p.peek()
	e, err := p.parseExpr()
	p.scope = saved
	if err != nil {
		if err.Message != "" && strings.Contains(err.Message, "not defined") {
			return nil, p.errAt(start, "It is not allowed to refer to variables in %s", what)
		}
		return nil, err
	}
	return e, nil
}
