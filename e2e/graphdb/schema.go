package graphdb

import (
	"fmt"
	"hash/fnv"
)

// schemaRegistry holds the named indexes and uniqueness constraints a
// client created. (Property indexes also appear on demand without a name;
// naming one only makes it visible to DROP INDEX.) Writers only.
type schemaRegistry struct {
	indexes     map[string]indexKey
	constraints map[string]indexKey
	unique      map[indexKey]string
}

func newSchemaRegistry() schemaRegistry {
	return schemaRegistry{
		indexes:     make(map[string]indexKey),
		constraints: make(map[string]indexKey),
		unique:      make(map[indexKey]string),
	}
}

// schemaOp is what a schema command does.
type schemaOp int

const (
	opCreateIndex schemaOp = iota
	opCreateConstraint
	opDropIndex
	opDropConstraint
)

// schemaCommand is a parsed CREATE/DROP INDEX/CONSTRAINT statement.
type schemaCommand struct {
	op       schemaOp
	name     string
	key      indexKey
	tolerant bool // IF NOT EXISTS / IF EXISTS
}

// defaultSchemaName derives a stable name for an unnamed index or
// constraint.
func defaultSchemaName(prefix string, k indexKey) string {
	h := fnv.New32a()
	h.Write([]byte(k.label + "\x00" + k.key))
	return fmt.Sprintf("%s_%08x", prefix, h.Sum32())
}

// run executes the command in the write transaction.
func (c *schemaCommand) run(ec *execCtx) (*Result, error) {
	wc, err := ec.writer()
	if err != nil {
		return nil, err
	}
	g, w, reg := wc.g, wc.w, &wc.g.schema
	switch c.op {
	case opCreateIndex:
		if _, exists := reg.indexes[c.name]; exists {
			return c.exists(ec, "index")
		}
		for _, k := range reg.indexes {
			if k == c.key {
				return c.exists(ec, "index")
			}
		}
		g.index(c.key.label, c.key.key)
		name, key := c.name, c.key
		reg.indexes[name] = key
		w.schemaUndo = append(w.schemaUndo, func() { delete(reg.indexes, name) })
		ec.stats.IndexesAdded++
	case opDropIndex:
		key, exists := reg.indexes[c.name]
		if !exists {
			return c.missing(ec, CodeIndexNotFound, "index")
		}
		name := c.name
		delete(reg.indexes, name)
		w.schemaUndo = append(w.schemaUndo, func() { reg.indexes[name] = key })
		ec.stats.IndexesRemoved++
	case opCreateConstraint:
		if _, exists := reg.constraints[c.name]; exists {
			return c.exists(ec, "constraint")
		}
		if _, exists := reg.unique[c.key]; exists {
			return c.exists(ec, "constraint")
		}
		if err := c.checkUniqueData(ec, g); err != nil {
			return nil, err
		}
		name, key := c.name, c.key
		reg.constraints[name] = key
		reg.unique[key] = name
		w.schemaUndo = append(w.schemaUndo, func() {
			delete(reg.constraints, name)
			delete(reg.unique, key)
		})
		ec.stats.ConstraintsAdded++
	case opDropConstraint:
		key, exists := reg.constraints[c.name]
		if !exists {
			return c.missing(ec, CodeConstraintNotFound, "constraint")
		}
		name := c.name
		delete(reg.constraints, name)
		delete(reg.unique, key)
		w.schemaUndo = append(w.schemaUndo, func() {
			reg.constraints[name] = key
			reg.unique[key] = name
		})
		ec.stats.ConstraintsRemoved++
	}
	return c.result(ec), nil
}

func (c *schemaCommand) result(ec *execCtx) *Result {
	return &Result{Keys: []string{}, Rows: [][]any{}, Stats: ec.stats, QueryType: "s"}
}

func (c *schemaCommand) exists(ec *execCtx, what string) (*Result, error) {
	if c.tolerant {
		return c.result(ec), nil
	}
	return nil, newError(CodeEquivalentSchema, "An equivalent %s already exists: '%s' or one on (:%s {%s})", what, c.name, c.key.label, c.key.key)
}

func (c *schemaCommand) missing(ec *execCtx, code, what string) (*Result, error) {
	if c.tolerant {
		return c.result(ec), nil
	}
	return nil, newError(code, "Unable to drop %s called `%s`. There is no such %s.", what, c.name, what)
}

// checkUniqueData fails when existing nodes already violate the new
// uniqueness constraint.
func (c *schemaCommand) checkUniqueData(ec *execCtx, g *graph) error {
	var prev any
	prevID := int64(-1)
	var dup error
	v := ec.v
	g.index(c.key.label, c.key.key).scan(nil, nil, false, func(e indexEntry) bool {
		ver := v.node(e.id)
		if e.val == nil || ver == nil || !v.nodeLabels(e.id).has(c.key.label) || !strictEqual(ver.props.get(c.key.key), e.val) {
			return true
		}
		if eq, _ := equalValues(prev, e.val); eq && prevID != e.id {
			dup = newError(CodeConstraintCreation,
				"Unable to create constraint %s: both Node(%d) and Node(%d) have the label `%s` and property `%s` = %s",
				c.name, prevID, e.id, c.key.label, c.key.key, describe(e.val))
			return false
		}
		prev, prevID = e.val, e.id
		return true
	})
	return dup
}

// atSchemaCommand reports whether the query is a schema command.
func (p *parser) atSchemaCommand() bool {
	if isKeyword(p.peek(), "DROP") {
		return true
	}
	if !isKeyword(p.peek(), "CREATE") {
		return false
	}
	n := p.peekAt(1)
	if isKeyword(n, "RANGE") || isKeyword(n, "BTREE") {
		n = p.peekAt(2)
	}
	return isKeyword(n, "INDEX") || isKeyword(n, "CONSTRAINT")
}

// parseSchemaStatement parses CREATE/DROP INDEX/CONSTRAINT.
func (p *parser) parseSchemaStatement() (*Statement, *Error) {
	c := &schemaCommand{}
	var err *Error
	switch {
	case p.acceptKeyword("DROP"):
		err = p.parseDrop(c)
	default:
		p.acceptKeyword("CREATE")
		if !p.acceptKeyword("RANGE") {
			p.acceptKeyword("BTREE")
		}
		if p.acceptKeyword("INDEX") {
			err = p.parseCreateIndex(c)
		} else {
			p.acceptKeyword("CONSTRAINT")
			err = p.parseCreateConstraint(c)
		}
	}
	if err != nil {
		return nil, err
	}
	p.acceptPunct(";")
	if !p.atEnd() {
		return nil, p.unexpected("end of input")
	}
	return &Statement{query: p.q, schema: c, keys: []string{}, queryType: "s", isWrite: true}, nil
}

func (p *parser) parseDrop(c *schemaCommand) *Error {
	switch {
	case p.acceptKeyword("INDEX"):
		c.op = opDropIndex
	case p.acceptKeyword("CONSTRAINT"):
		c.op = opDropConstraint
	default:
		return p.unexpected("'INDEX' or 'CONSTRAINT'")
	}
	name, err := p.name("a name")
	if err != nil {
		return err
	}
	c.name = name
	c.tolerant = p.acceptKeyword("IF", "EXISTS")
	return nil
}

// parseSchemaName reads the optional name and IF NOT EXISTS.
func (p *parser) parseSchemaName(c *schemaCommand) {
	if t := p.peek(); t.kind == tokIdent && !isKeyword(t, "FOR") && !isKeyword(t, "ON") &&
		!(isKeyword(t, "IF") && isKeyword(p.peekAt(1), "NOT")) {
		c.name = t.text
		p.advance()
	}
	c.tolerant = p.acceptKeyword("IF", "NOT", "EXISTS")
}

// parseSchemaTarget parses "(n:Label)" and returns the variable name.
func (p *parser) parseSchemaTarget(c *schemaCommand) (string, *Error) {
	if err := p.expectPunct("("); err != nil {
		return "", err
	}
	v, err := p.name("a variable name")
	if err != nil {
		return "", err
	}
	if err := p.expectPunct(":"); err != nil {
		return "", err
	}
	if c.key.label, err = p.name("a label name"); err != nil {
		return "", err
	}
	return v, p.expectPunct(")")
}

// parseSchemaProperty parses "n.prop" (optionally parenthesized).
func (p *parser) parseSchemaProperty(c *schemaCommand, variable string) *Error {
	paren := p.acceptPunct("(")
	t := p.peek()
	v, err := p.name("a variable name")
	if err != nil {
		return err
	}
	if v != variable {
		return p.errAt(t, "Variable `%s` not defined", v)
	}
	if err := p.expectPunct("."); err != nil {
		return err
	}
	if c.key.key, err = p.name("a property key name"); err != nil {
		return err
	}
	if t := p.peek(); t.kind == tokPunct && t.text == "," {
		return p.errAt(t, "Invalid input ',': composite indexes and constraints are not supported by this engine")
	}
	if paren {
		return p.expectPunct(")")
	}
	return nil
}

func (p *parser) parseCreateIndex(c *schemaCommand) *Error {
	c.op = opCreateIndex
	if p.acceptKeyword("ON") { // legacy: CREATE INDEX ON :Label(prop)
		if err := p.expectPunct(":"); err != nil {
			return err
		}
		var err *Error
		if c.key.label, err = p.name("a label name"); err != nil {
			return err
		}
		if err := p.expectPunct("("); err != nil {
			return err
		}
		if c.key.key, err = p.name("a property key name"); err != nil {
			return err
		}
		c.name = defaultSchemaName("index", c.key)
		return p.expectPunct(")")
	}
	p.parseSchemaName(c)
	if err := p.expectKeyword("FOR"); err != nil {
		return err
	}
	v, err := p.parseSchemaTarget(c)
	if err != nil {
		return err
	}
	if err := p.expectKeyword("ON"); err != nil {
		return err
	}
	if err := p.parseSchemaProperty(c, v); err != nil {
		return err
	}
	if c.name == "" {
		c.name = defaultSchemaName("index", c.key)
	}
	return nil
}

func (p *parser) parseCreateConstraint(c *schemaCommand) *Error {
	c.op = opCreateConstraint
	p.parseSchemaName(c)
	if !p.acceptKeyword("FOR") && !p.acceptKeyword("ON") {
		return p.unexpected("'FOR'")
	}
	v, err := p.parseSchemaTarget(c)
	if err != nil {
		return err
	}
	if !p.acceptKeyword("REQUIRE") && !p.acceptKeyword("ASSERT") {
		return p.unexpected("'REQUIRE'")
	}
	if err := p.parseSchemaProperty(c, v); err != nil {
		return err
	}
	if !p.acceptKeyword("IS", "UNIQUE") {
		return p.unexpected("'IS UNIQUE' (the only constraint this engine supports)")
	}
	if c.name == "" {
		c.name = defaultSchemaName("constraint", c.key)
	}
	return nil
}
