package graphdb

// patternMode says which clause a pattern belongs to; it decides how
// variables resolve and what is allowed.
type patternMode int

const (
	patternMatch patternMode = iota
	patternCreate
	patternMerge
)

// nodePat is one node of a pattern.
type nodePat struct {
	name   string
	slot   int
	bound  bool // the variable was declared by an earlier clause
	labels []string
	props  expr // *mapExpr, *paramExpr or nil
}

// Relationship directions of a relPat, read left to right.
const (
	dirBoth = 0
	dirOut  = 1  // (a)-[]->(b)
	dirIn   = -1 // (a)<-[]-(b)
)

// relPat is one relationship of a pattern.
type relPat struct {
	name  string
	slot  int
	bound bool
	types []string
	props expr
	dir   int
}

// patternPart is a chain nodes[0] rels[0] nodes[1] ... with an optional
// path variable.
type patternPart struct {
	pathSlot int // -1 without a path variable
	nodes    []*nodePat
	rels     []*relPat
}

func (p *parser) parsePatternList(mode patternMode) ([]*patternPart, *Error) {
	var parts []*patternPart
	for {
		part, err := p.parsePatternPart(mode)
		if err != nil {
			return nil, err
		}
		parts = append(parts, part)
		if !p.acceptPunct(",") {
			return parts, nil
		}
	}
}

// parsePatternPart parses [path =] (node) (-[rel]- (node))*.
func (p *parser) parsePatternPart(mode patternMode) (*patternPart, *Error) {
	part := &patternPart{pathSlot: -1}
	declaredBefore := p.nSlots
	var pathName string
	var pathTok token
	if t := p.peek(); t.kind == tokIdent && p.peekAt(1).kind == tokPunct && p.peekAt(1).text == "=" {
		pathName, pathTok = t.text, t
		p.advance()
		p.advance()
		if _, exists := p.scope.vars[pathName]; exists {
			return nil, p.errAt(pathTok, "Variable `%s` already declared", pathName)
		}
	}
	n, err := p.parseNodePattern(mode, declaredBefore)
	if err != nil {
		return nil, err
	}
	part.nodes = append(part.nodes, n)
	for {
		t := p.peek()
		if t.kind != tokPunct || t.text != "-" && t.text != "<" {
			break
		}
		r, err := p.parseRelPattern(mode, declaredBefore)
		if err != nil {
			return nil, err
		}
		n, err := p.parseNodePattern(mode, declaredBefore)
		if err != nil {
			return nil, err
		}
		part.rels = append(part.rels, r)
		part.nodes = append(part.nodes, n)
	}
	if pathName != "" {
		part.pathSlot = p.newSlot()
		p.scope.define(pathName, varInfo{slot: part.pathSlot, kind: kindPath})
	}
	return part, nil
}

// parseNodePattern parses (name:Label:Label {props}).
func (p *parser) parseNodePattern(mode patternMode, declaredBefore int) (*nodePat, *Error) {
	if err := p.expectPunct("("); err != nil {
		return nil, err
	}
	n := &nodePat{}
	nameTok := p.peek()
	if nameTok.kind == tokIdent {
		n.name = nameTok.text
		p.advance()
	}
	for p.acceptPunct(":") {
		label, err := p.name("a label name")
		if err != nil {
			return nil, err
		}
		n.labels = append(n.labels, label)
	}
	props, err := p.parsePatternProps()
	if err != nil {
		return nil, err
	}
	n.props = props
	if err := p.expectPunct(")"); err != nil {
		return nil, err
	}
	if n.name == "" {
		n.slot = p.newSlot()
		return n, nil
	}
	if v, ok := p.scope.vars[n.name]; ok {
		if v.kind != kindNode && v.kind != kindAny {
			return nil, p.errAt(nameTok, "Type mismatch: `%s` defined with conflicting type (expected Node)", n.name)
		}
		n.slot, n.bound = v.slot, v.slot < declaredBefore
		if mode == patternCreate && n.bound && (len(n.labels) > 0 || n.props != nil) {
			return nil, p.errAt(nameTok, "Can't create node `%s` with labels or properties here. The variable is already declared in this context", n.name)
		}
		return n, nil
	}
	n.slot = p.newSlot()
	p.scope.define(n.name, varInfo{slot: n.slot, kind: kindNode})
	return n, nil
}

// parsePatternProps parses an optional {map} or $param after a pattern
// element's labels or types.
func (p *parser) parsePatternProps() (expr, *Error) {
	t := p.peek()
	switch {
	case t.kind == tokPunct && t.text == "{":
		return p.parseMapLiteral()
	case t.kind == tokParam:
		p.advance()
		p.addParam(t.text)
		return &paramExpr{name: t.text}, nil
	}
	return nil, nil
}

// parseRelPattern parses -[name:TYPE|TYPE {props}]-> and its variants.
func (p *parser) parseRelPattern(mode patternMode, declaredBefore int) (*relPat, *Error) {
	start := p.peek()
	r := &relPat{}
	left := p.acceptPunct("<")
	if err := p.expectPunct("-"); err != nil {
		return nil, err
	}
	var nameTok token
	if p.acceptPunct("[") {
		nameTok = p.peek()
		if nameTok.kind == tokIdent {
			r.name = nameTok.text
			p.advance()
		}
		if p.acceptPunct(":") {
			for {
				typ, err := p.name("a relationship type name")
				if err != nil {
					return nil, err
				}
				r.types = append(r.types, typ)
				if !p.acceptPunct("|") {
					break
				}
				p.acceptPunct(":")
			}
		}
		if t := p.peek(); t.kind == tokPunct && t.text == "*" {
			return nil, p.errAt(t, "Invalid input '*': variable length relationships are not supported by this engine")
		}
		props, err := p.parsePatternProps()
		if err != nil {
			return nil, err
		}
		r.props = props
		if err := p.expectPunct("]"); err != nil {
			return nil, err
		}
	}
	if err := p.expectPunct("-"); err != nil {
		return nil, err
	}
	right := p.acceptPunct(">")
	switch {
	case left && right:
		return nil, p.errAt(start, "A relationship cannot point both ways")
	case left:
		r.dir = dirIn
	case right:
		r.dir = dirOut
	}
	if mode == patternCreate || mode == patternMerge {
		if r.dir == dirBoth && mode == patternCreate {
			return nil, p.errAt(start, "Only directed relationships are supported in CREATE")
		}
		if len(r.types) != 1 {
			return nil, p.errAt(start, "Exactly one relationship type must be specified for %s", map[patternMode]string{patternCreate: "CREATE", patternMerge: "MERGE"}[mode])
		}
	}
	if r.name == "" {
		r.slot = p.newSlot()
		return r, nil
	}
	if v, ok := p.scope.vars[r.name]; ok {
		if mode == patternCreate {
			return nil, p.errAt(nameTok, "Can't create relationship `%s`: the variable is already declared", r.name)
		}
		if v.kind != kindRel && v.kind != kindAny {
			return nil, p.errAt(nameTok, "Type mismatch: `%s` defined with conflicting type (expected Relationship)", r.name)
		}
		r.slot, r.bound = v.slot, v.slot < declaredBefore
		return r, nil
	}
	r.slot = p.newSlot()
	p.scope.define(r.name, varInfo{slot: r.slot, kind: kindRel})
	return r, nil
}
