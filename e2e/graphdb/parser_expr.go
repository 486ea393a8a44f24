package graphdb

import (
	"math"
	"slices"
	"strings"
)

// maxExprDepth bounds expression nesting so that hostile input cannot
// exhaust the stack.
const maxExprDepth = 200

// parseExpr parses an expression (lowest precedence: OR).
func (p *parser) parseExpr() (expr, *Error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxExprDepth {
		return nil, p.errAt(p.peek(), "Expression nested too deeply (more than %d levels)", maxExprDepth)
	}
	return p.parseBinaryLevel(0)
}

// binaryLevels lists the boolean operator levels, loosest first.
var binaryLevels = []string{"OR", "XOR", "AND"}

func (p *parser) parseBinaryLevel(level int) (expr, *Error) {
	if level == len(binaryLevels) {
		return p.parseNot(0)
	}
	l, err := p.parseBinaryLevel(level + 1)
	if err != nil {
		return nil, err
	}
	for p.acceptKeyword(binaryLevels[level]) {
		r, err := p.parseBinaryLevel(level + 1)
		if err != nil {
			return nil, err
		}
		l = &binaryExpr{op: binaryLevels[level], l: l, r: r}
	}
	return l, nil
}

func (p *parser) parseNot(depth int) (expr, *Error) {
	if p.acceptKeyword("NOT") {
		if depth > maxExprDepth {
			return nil, p.errAt(p.peek(), "Expression nested too deeply")
		}
		x, err := p.parseNot(depth + 1)
		if err != nil {
			return nil, err
		}
		return &unaryExpr{op: "NOT", x: x}, nil
	}
	return p.parseComparison()
}

// comparisonOps are the comparison operators.
var comparisonOps = map[string]string{"=": "=", "<>": "<>", "!=": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">="}

func (p *parser) parseComparison() (expr, *Error) {
	l, err := p.parseAdditive()
	if err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		var op string
		switch {
		case t.kind == tokPunct && comparisonOps[t.text] != "":
			p.advance()
			op = comparisonOps[t.text]
		case p.acceptKeyword("IS", "NOT", "NULL"):
			l = &isNullExpr{x: l, not: true}
			continue
		case p.acceptKeyword("IS", "NULL"):
			l = &isNullExpr{x: l}
			continue
		case p.acceptKeyword("IN"):
			op = "IN"
		case p.acceptKeyword("STARTS", "WITH"):
			op = "STARTS WITH"
		case p.acceptKeyword("ENDS", "WITH"):
			op = "ENDS WITH"
		case p.acceptKeyword("CONTAINS"):
			op = "CONTAINS"
		case t.kind == tokPunct && t.text == "=~":
			return nil, p.errAt(t, "Invalid input '=~': regular expressions are not supported by this engine")
		default:
			return l, nil
		}
		r, err := p.parseAdditive()
		if err != nil {
			return nil, err
		}
		l = &binaryExpr{op: op, l: l, r: r}
	}
}

func (p *parser) parseAdditive() (expr, *Error) {
	l, err := p.parseMultiplicative()
	if err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		if t.kind != tokPunct || t.text != "+" && t.text != "-" {
			return l, nil
		}
		p.advance()
		r, err := p.parseMultiplicative()
		if err != nil {
			return nil, err
		}
		l = &binaryExpr{op: t.text, l: l, r: r}
	}
}

func (p *parser) parseMultiplicative() (expr, *Error) {
	l, err := p.parsePower()
	if err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		if t.kind != tokPunct || t.text != "*" && t.text != "/" && t.text != "%" {
			return l, nil
		}
		p.advance()
		r, err := p.parsePower()
		if err != nil {
			return nil, err
		}
		l = &binaryExpr{op: t.text, l: l, r: r}
	}
}

func (p *parser) parsePower() (expr, *Error) {
	l, err := p.parseUnary(0)
	if err != nil {
		return nil, err
	}
	for p.acceptPunct("^") {
		r, err := p.parseUnary(0)
		if err != nil {
			return nil, err
		}
		l = &binaryExpr{op: "^", l: l, r: r}
	}
	return l, nil
}

func (p *parser) parseUnary(depth int) (expr, *Error) {
	t := p.peek()
	if t.kind == tokPunct && (t.text == "-" || t.text == "+") {
		if depth > maxExprDepth {
			return nil, p.errAt(t, "Expression nested too deeply")
		}
		p.advance()
		if n := p.peek(); t.text == "-" && n.kind == tokInt && n.big {
			p.advance()
			return p.parsePostfix(&literalExpr{val: int64(math.MinInt64)})
		}
		x, err := p.parseUnary(depth + 1)
		if err != nil {
			return nil, err
		}
		return &unaryExpr{op: t.text, x: x}, nil
	}
	atom, err := p.parseAtom()
	if err != nil {
		return nil, err
	}
	return p.parsePostfix(atom)
}

// parsePostfix parses property access, indexing and slicing after an atom.
func (p *parser) parsePostfix(e expr) (expr, *Error) {
	for {
		switch {
		case p.acceptPunct("."):
			key, err := p.name("a property key name")
			if err != nil {
				return nil, err
			}
			e = &propExpr{target: e, key: key}
		case p.acceptPunct("["):
			var from, to expr
			var err *Error
			if !(p.peek().kind == tokPunct && p.peek().text == "..") {
				if from, err = p.parseExpr(); err != nil {
					return nil, err
				}
			}
			if p.acceptPunct("..") {
				if !(p.peek().kind == tokPunct && p.peek().text == "]") {
					if to, err = p.parseExpr(); err != nil {
						return nil, err
					}
				}
				if err := p.expectPunct("]"); err != nil {
					return nil, err
				}
				e = &sliceExpr{target: e, from: from, to: to}
				continue
			}
			if from == nil {
				return nil, p.unexpected("an expression")
			}
			if err := p.expectPunct("]"); err != nil {
				return nil, err
			}
			e = &indexExpr{target: e, index: from}
		default:
			return e, nil
		}
	}
}

// parseAtom parses a literal, parameter, variable, function call, list,
// map, CASE or parenthesized expression.
func (p *parser) parseAtom() (expr, *Error) {
	t := p.peek()
	switch t.kind {
	case tokInt:
		p.advance()
		if t.big {
			return nil, p.errAt(t, "Invalid input '%s': integer is too large", p.text(t))
		}
		return &literalExpr{val: t.num}, nil
	case tokFloat:
		p.advance()
		return &literalExpr{val: t.flt}, nil
	case tokString:
		p.advance()
		return &literalExpr{val: t.text}, nil
	case tokParam:
		p.advance()
		p.addParam(t.text)
		return &paramExpr{name: t.text}, nil
	case tokPunct:
		switch t.text {
		case "(":
			p.advance()
			e, err := p.parseExpr()
			if err != nil {
				return nil, err
			}
			return e, p.expectPunct(")")
		case "[":
			p.advance()
			return p.parseListLiteral()
		case "{":
			return p.parseMapLiteral()
		}
	case tokIdent:
		return p.parseIdentAtom(t)
	}
	return nil, p.unexpected("an expression")
}

func (p *parser) addParam(name string) {
	for _, n := range p.params {
		if n == name {
			return
		}
	}
	p.params = append(p.params, name)
}

// parseIdentAtom parses what starts with a name: a literal keyword, CASE,
// a function call or a variable.
func (p *parser) parseIdentAtom(t token) (expr, *Error) {
	if !t.quoted {
		switch strings.ToUpper(t.text) {
		case "TRUE":
			p.advance()
			return &literalExpr{val: true}, nil
		case "FALSE":
			p.advance()
			return &literalExpr{val: false}, nil
		case "NULL":
			p.advance()
			return &literalExpr{}, nil
		case "CASE":
			p.advance()
			return p.parseCase()
		}
	}
	if n := p.peekAt(1); n.kind == tokPunct && n.text == "(" || n.kind == tokPunct && n.text == "." && p.peekAt(2).kind == tokIdent && p.peekAt(3).kind == tokPunct && p.peekAt(3).text == "(" {
		return p.parseCall()
	}
	if isReserved(t) {
		return nil, p.unexpected("an expression")
	}
	p.advance()
	v, ok := p.scope.vars[t.text]
	if !ok {
		return nil, p.errAt(t, "Variable `%s` not defined", t.text)
	}
	return &varExpr{name: t.text, slot: v.slot}, nil
}

func (p *parser) parseListLiteral() (expr, *Error) {
	l := &listExpr{}
	if p.acceptPunct("]") {
		return l, nil
	}
	for {
		e, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		l.items = append(l.items, e)
		if p.acceptPunct("]") {
			return l, nil
		}
		if err := p.expectPunct(","); err != nil {
			return nil, err
		}
	}
}

// parseMapLiteral parses {key: expr, ...}.
func (p *parser) parseMapLiteral() (*mapExpr, *Error) {
	if err := p.expectPunct("{"); err != nil {
		return nil, err
	}
	m := &mapExpr{}
	if p.acceptPunct("}") {
		return m, nil
	}
	for {
		kt := p.peek()
		var key string
		switch kt.kind {
		case tokIdent, tokString:
			key = kt.text
			p.advance()
		default:
			return nil, p.unexpected("a property key name")
		}
		if err := p.expectPunct(":"); err != nil {
			return nil, err
		}
		e, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		if i := slices.Index(m.keys, key); i >= 0 {
			m.vals[i] = e
		} else {
			m.keys = append(m.keys, key)
			m.vals = append(m.vals, e)
		}
		if p.acceptPunct("}") {
			return m, nil
		}
		if err := p.expectPunct(","); err != nil {
			return nil, err
		}
	}
}

func (p *parser) parseCase() (expr, *Error) {
	c := &caseExpr{}
	if !isKeyword(p.peek(), "WHEN") {
		s, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		c.subject = s
	}
	for p.acceptKeyword("WHEN") {
		w, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		if err := p.expectKeyword("THEN"); err != nil {
			return nil, err
		}
		th, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		c.whens = append(c.whens, w)
		c.thens = append(c.thens, th)
	}
	if len(c.whens) == 0 {
		return nil, p.unexpected("'WHEN'")
	}
	if p.acceptKeyword("ELSE") {
		e, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		c.orElse = e
	}
	return c, p.expectKeyword("END")
}

// parseCall parses name(args) or namespace.name(args).
func (p *parser) parseCall() (expr, *Error) {
	start := p.peek()
	name := p.advance().text
	for p.acceptPunct(".") {
		part, err := p.name("a function name")
		if err != nil {
			return nil, err
		}
		name += "." + part
	}
	if err := p.expectPunct("("); err != nil {
		return nil, err
	}
	lower := strings.ToLower(name)
	if aggregateNames[lower] {
		return p.parseAggregateCall(lower, start)
	}
	spec, ok := scalarFuncs[lower]
	if !ok {
		return nil, p.errAt(start, "Unknown function '%s'", name)
	}
	f := &funcExpr{name: lower, fn: spec.fn}
	args, err := p.parseArgs()
	if err != nil {
		return nil, err
	}
	if len(args) < spec.minArgs || len(args) > spec.maxArgs {
		return nil, p.errAt(start, "Function %s() called with %d arguments, expects %d to %d", name, len(args), spec.minArgs, spec.maxArgs)
	}
	f.args = args
	return f, nil
}

// parseArgs parses the arguments of a call after '('.
func (p *parser) parseArgs() ([]expr, *Error) {
	var args []expr
	if p.acceptPunct(")") {
		return args, nil
	}
	for {
		e, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		args = append(args, e)
		if p.acceptPunct(")") {
			return args, nil
		}
		if err := p.expectPunct(","); err != nil {
			return nil, err
		}
	}
}

// parseAggregateCall parses count/collect/sum/avg/min/max and registers it
// with the projection being parsed.
func (p *parser) parseAggregateCall(name string, start token) (expr, *Error) {
	if p.aggs == nil {
		return nil, p.errAt(start, "Invalid use of aggregating function %s(...) in this context", name)
	}
	sink := p.aggs
	p.aggs = nil // no nested aggregates
	defer func() { p.aggs = sink }()
	spec := &aggSpec{name: name}
	if name == "count" && p.acceptPunct("*") {
		spec.star = true
		if err := p.expectPunct(")"); err != nil {
			return nil, err
		}
	} else {
		spec.distinct = p.acceptKeyword("DISTINCT")
		args, err := p.parseArgs()
		if err != nil {
			return nil, err
		}
		if len(args) != 1 {
			return nil, p.errAt(start, "Function %s() called with %d arguments, expects 1", name, len(args))
		}
		spec.arg = args[0]
	}
	spec.slot = p.newSlot()
	*sink = append(*sink, spec)
	return &aggRefExpr{slot: spec.slot}, nil
}
