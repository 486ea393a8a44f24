package boltstub

import (
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/boltrx/boltrx/bolt"
)

// This file parses the values of client and server lines: JSON-like
// PackStream text with wildcards and Bolt structure constructors.

// valueParser reads values from a lexer.
type valueParser struct {
	lx *lexer
}

func (p *valueParser) next() (token, error) { return p.lx.next() }
func (p *valueParser) peek() (token, error) { return p.lx.peek() }

func (p *valueParser) expect(text string) (token, error) {
	t, err := p.next()
	if err != nil {
		return t, err
	}
	if t.kind != tokPunct || t.text != text {
		return t, syntaxErrorf(t.line, t.col, "want %q, found %s", text, t.describe())
	}
	return t, nil
}

// parseMessage reads "NAME field field ... [...]" up to the end of the line.
func (p *valueParser) parseMessage() (*messagePattern, error) {
	t, err := p.next()
	if err != nil {
		return nil, err
	}
	msg := &messagePattern{name: t.text}
	switch {
	case t.kind == tokIdent && t.text == "any":
		msg.anyTag = true
	case t.kind == tokIdent:
		tag, ok := bolt.TagByName(t.text)
		if !ok {
			return nil, syntaxErrorf(t.line, t.col,
				"unknown message %q (write other messages by their tag, e.g. 0x55)", t.text)
		}
		msg.tag = tag
	case t.kind == tokInt:
		n, err := parseInt(t)
		if err != nil || n < 0 || n > 255 {
			return nil, syntaxErrorf(t.line, t.col, "a message tag must be a number from 0 to 255")
		}
		msg.tag = byte(n)
		msg.name = string(appendTag(nil, msg.tag))
	default:
		return nil, syntaxErrorf(t.line, t.col, "want a message name, found %s", t.describe())
	}
	for {
		t, err := p.peek()
		if err != nil {
			return nil, err
		}
		if t.kind == tokNewline || t.kind == tokEOF {
			return msg, nil
		}
		if msg.rest {
			return nil, syntaxErrorf(t.line, t.col, `"..." must be the last field`)
		}
		if t.is(tokPunct, "...") {
			p.next()
			msg.rest = true
			continue
		}
		f, err := p.parseValue()
		if err != nil {
			return nil, err
		}
		msg.fields = append(msg.fields, f)
	}
}

// parseValue reads one value pattern.
func (p *valueParser) parseValue() (pattern, error) {
	t, err := p.next()
	if err != nil {
		return nil, err
	}
	switch t.kind {
	case tokString:
		return &constPat{t.text}, nil
	case tokInt:
		n, err := parseInt(t)
		if err != nil {
			return nil, err
		}
		return &constPat{n}, nil
	case tokFloat:
		f, err := strconv.ParseFloat(t.text, 64)
		if err != nil {
			return nil, syntaxErrorf(t.line, t.col, "number %s is out of range", t.text)
		}
		return &constPat{f}, nil
	case tokVar:
		if _, ok := variables[t.text]; !ok {
			return nil, syntaxErrorf(t.line, t.col, "unknown variable $%s (known: %s)", t.text, knownVariables())
		}
		return &varPat{t.text}, nil
	case tokPunct:
		switch t.text {
		case "[":
			return p.parseList(false)
		case "{":
			return p.parseMap(false)
		case "-":
			n, err := p.next()
			if err == nil && n.is(tokIdent, "Inf") {
				return &constPat{math.Inf(-1)}, nil
			}
		}
	case tokIdent:
		return p.parseWord(t)
	}
	return nil, syntaxErrorf(t.line, t.col, "want a value, found %s", t.describe())
}

func knownVariables() string {
	names := make([]string, 0, len(variables))
	for n := range variables {
		names = append(names, "$"+n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// parseInt reads a decimal or hex integer token into 64 bits.
func parseInt(t token) (int64, error) {
	text := t.text
	neg := strings.HasPrefix(text, "-")
	text = strings.TrimLeft(text, "+-")
	var u uint64
	var err error
	if strings.HasPrefix(text, "0x") || strings.HasPrefix(text, "0X") {
		u, err = strconv.ParseUint(text[2:], 16, 64)
	} else {
		u, err = strconv.ParseUint(text, 10, 64)
	}
	switch {
	case err != nil, !neg && u > math.MaxInt64, neg && u > 1<<63:
		return 0, syntaxErrorf(t.line, t.col, "integer %s does not fit 64 bits", t.text)
	case neg:
		return int64(-u), nil // -(1<<63) wraps to itself, which is right
	}
	return int64(u), nil
}

// parseWord reads a value that starts with a name: null, true, false, NaN,
// Inf, any [type], ordered {...}, unordered [...], Bytes("..."), and the
// structure constructors.
func (p *valueParser) parseWord(t token) (pattern, error) {
	switch t.text {
	case "null":
		return &constPat{nil}, nil
	case "true":
		return &constPat{true}, nil
	case "false":
		return &constPat{false}, nil
	case "NaN":
		return &constPat{math.NaN()}, nil
	case "Inf":
		return &constPat{math.Inf(1)}, nil
	case "any":
		n, err := p.peek()
		if err != nil {
			return nil, err
		}
		if n.kind == tokIdent {
			if _, ok := wildcardTypes[n.text]; ok {
				p.next()
				return &anyPat{typ: n.text}, nil
			}
			if _, ok := wildcardTypes[strings.ToLower(n.text)]; ok || structKinds[n.text] != nil {
				return nil, syntaxErrorf(n.line, n.col, "unknown type %q after any (types: %s)", n.text, wildcardTypeNames())
			}
		}
		return &anyPat{}, nil
	case "ordered":
		if _, err := p.expect("{"); err != nil {
			return nil, err
		}
		return p.parseMap(true)
	case "unordered":
		if _, err := p.expect("["); err != nil {
			return nil, err
		}
		return p.parseList(true)
	case "Bytes":
		return p.parseBytes(t)
	}
	if kind := structKinds[t.text]; kind != nil {
		return p.parseStruct(t, kind)
	}
	return nil, syntaxErrorf(t.line, t.col, "unknown word %q (strings need double quotes)", t.text)
}

func wildcardTypeNames() string {
	names := make([]string, 0, len(wildcardTypes))
	for n := range wildcardTypes {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// parseList reads the rest of a list after '['.
func (p *valueParser) parseList(unordered bool) (pattern, error) {
	l := &listPat{unordered: unordered}
	err := p.parseItems("]", func() error {
		v, err := p.parseValue()
		l.elems = append(l.elems, v)
		return err
	}, &l.rest)
	return l, err
}

// parseMap reads the rest of a map after '{'.
func (p *valueParser) parseMap(ordered bool) (pattern, error) {
	m := &mapPat{ordered: ordered}
	err := p.parseItems("}", func() error {
		k, err := p.next()
		if err != nil {
			return err
		}
		if k.kind != tokString && k.kind != tokIdent {
			return syntaxErrorf(k.line, k.col, "want a map key, found %s", k.describe())
		}
		e := mapEntry{key: k.text}
		if m.entry(e.key) != nil {
			return syntaxErrorf(k.line, k.col, "key %q appears twice", e.key)
		}
		if n, err := p.peek(); err == nil && n.is(tokPunct, "?") {
			p.next()
			e.optional = true
		}
		if _, err := p.expect(":"); err != nil {
			return err
		}
		if e.val, err = p.parseValue(); err != nil {
			return err
		}
		m.entries = append(m.entries, e)
		return nil
	}, &m.rest)
	return m, err
}

// parseItems reads comma-separated items up to the closing bracket; a
// final "..." sets *rest.
func (p *valueParser) parseItems(closing string, item func() error, rest *bool) error {
	openLine := p.lx.line
	if n := len(p.lx.opened); n > 0 {
		openLine = p.lx.opened[n-1]
	}
	opening := map[string]string{"]": "[", "}": "{", ")": "("}[closing]
	for {
		t, err := p.peek()
		if err != nil {
			return err
		}
		switch {
		case t.is(tokPunct, closing):
			p.next()
			return nil
		case t.is(tokPunct, "..."):
			p.next()
			*rest = true
			if t, err = p.next(); err != nil {
				return err
			}
			if !t.is(tokPunct, closing) {
				return syntaxErrorf(t.line, t.col, `"..." must be the last item before %q`, closing)
			}
			return nil
		}
		if err := item(); err != nil {
			return err
		}
		if t, err = p.next(); err != nil {
			return err
		}
		switch {
		case t.is(tokPunct, closing):
			return nil
		case !t.is(tokPunct, ","):
			return syntaxErrorf(t.line, t.col, "want ',' or %q (to close the %q of line %d), found %s",
				closing, opening, openLine, t.describe())
		}
	}
}

// parseBytes reads Bytes("00 01 ff").
func (p *valueParser) parseBytes(t token) (pattern, error) {
	if _, err := p.expect("("); err != nil {
		return nil, err
	}
	s, err := p.next()
	if err != nil {
		return nil, err
	}
	if s.kind != tokString {
		return nil, syntaxErrorf(s.line, s.col, `write bytes as hex digits in a string: Bytes("00 ff")`)
	}
	b, err := parseHex(s.text)
	if err != nil {
		return nil, syntaxErrorf(s.line, s.col, "%v", err)
	}
	if _, err := p.expect(")"); err != nil {
		return nil, err
	}
	return &constPat{b}, nil
}

// parseHex reads hex digits, ignoring spaces.
func parseHex(s string) ([]byte, error) {
	digits := strings.Join(strings.Fields(s), "")
	b, err := hex.DecodeString(digits)
	if err != nil {
		return nil, errors.New("want pairs of hex digits, e.g. 00 0f ff")
	}
	return b, nil
}

// parseStruct reads Kind(args...) after the name.
func (p *valueParser) parseStruct(name token, kind *structKind) (pattern, error) {
	if _, err := p.expect("("); err != nil {
		return nil, err
	}
	sp := &structPat{kind: kind}
	var args []pattern
	err := p.parseItems(")", func() error {
		a, err := p.parseValue()
		args = append(args, a)
		return err
	}, &sp.rest)
	if err != nil {
		return nil, err
	}
	if kind == kindRaw {
		if len(args) == 0 {
			return nil, syntaxErrorf(name.line, name.col, "Struct needs its tag first: Struct(0x4E, ...)")
		}
		v, _ := args[0].value()
		tag, ok := v.(int64)
		if !ok || tag < 0 || tag > 255 {
			return nil, syntaxErrorf(name.line, name.col, "the tag of a Struct must be a number from 0 to 255")
		}
		sp.tag = byte(tag)
		sp.args = args[1:]
		return sp, nil
	}
	if !sp.rest && len(args) < kind.minArgs || len(args) > len(kind.params) {
		return nil, syntaxErrorf(name.line, name.col, "%v", kind.arityError(len(args)))
	}
	args, err = canonicalPatterns(kind, args)
	if err != nil {
		return nil, syntaxErrorf(name.line, name.col, "%v", err)
	}
	sp.args = args
	return sp, nil
}

// canonicalPatterns replaces the concrete arguments of a constructor by
// their canonical form (so "12:00" matches a received "12:00:00"),
// leaving wildcards and variables as they are.
func canonicalPatterns(kind *structKind, args []pattern) ([]pattern, error) {
	values := make([]any, len(args))
	all := true
	for i, a := range args {
		v, ok := a.value()
		if !ok {
			all = false
			continue
		}
		values[i] = v
	}
	if all && len(args) >= kind.minArgs {
		canon, err := kind.canonicalArgs(values)
		if err != nil {
			return nil, err
		}
		out := make([]pattern, len(canon))
		for i, c := range canon {
			if len(canon) == len(args) && equalValues(c, values[i]) {
				out[i] = args[i] // keep the pattern: differences name the element
			} else {
				out[i] = &constPat{c}
			}
		}
		return out, nil
	}
	for i, a := range args {
		v, ok := a.value()
		if !ok || i >= len(kind.params) || kind.params[i].conv == nil {
			continue
		}
		c, err := kind.params[i].conv(v)
		if err != nil {
			return nil, fmt.Errorf("%s argument %d (%s): %w", kind.name, i+1, kind.params[i].name, err)
		}
		if !equalValues(c, v) {
			args[i] = &constPat{c}
		}
	}
	return args, nil
}
