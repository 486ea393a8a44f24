package boltstub

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/boltrx/boltrx/bolt"
)

// A pattern is a value as a script writes it: a concrete value, or one with
// wildcards (any, any string, ..., optional map keys, "..." for the rest)
// and variables ($agent). Client lines match received values against
// patterns; server lines build values from them.
type pattern interface {
	// match reports whether v matches, recording why not in m.
	match(m *matcher, v any) bool
	// value returns the value when the pattern has no wildcards and no
	// variables.
	value() (any, bool)
	// build returns the value, resolving variables; it fails on wildcards
	// (the parser rejects those in server lines already).
	build(e *env) (any, error)
	// appendText renders the pattern in script syntax.
	appendText(b []byte) []byte
}

// env holds what variables resolve to on one connection.
type env struct {
	agent   string
	conn    int
	version bolt.Version
}

// variables lists the names a script may use after '$'.
var variables = map[string]string{
	"agent":         "the server agent of the agent setting",
	"conn":          "the number of the connection (1, 2, ...)",
	"connection_id": `"bolt-" and the number of the connection`,
	"version":       `the negotiated Bolt version as a string, e.g. "5.4"`,
}

func (e *env) lookup(name string) (any, error) {
	if e == nil {
		return nil, fmt.Errorf("$%s has no value outside a connection", name)
	}
	switch name {
	case "agent":
		return e.agent, nil
	case "conn":
		return int64(e.conn), nil
	case "connection_id":
		return "bolt-" + strconv.Itoa(e.conn), nil
	case "version":
		return e.version.String(), nil
	}
	return nil, fmt.Errorf("unknown variable $%s", name)
}

// matcher collects the differences found while matching one message.
type matcher struct {
	env   *env
	quiet bool     // only answer yes or no (trying alternatives)
	path  []string // where in the message the matcher is
	diffs []string
}

// maxDifferences bounds the differences one report lists.
const maxDifferences = 8

func (m *matcher) push(seg string) { m.path = append(m.path, seg) }
func (m *matcher) pop()            { m.path = m.path[:len(m.path)-1] }

func (m *matcher) failf(format string, args ...any) {
	if m.quiet || len(m.diffs) >= maxDifferences {
		return
	}
	where := ""
	for i, seg := range m.path {
		// "field 2 ["a"][0]", "field 1 Node.labels[0]"
		if i > 0 && (seg[0] != '[' || strings.HasPrefix(m.path[i-1], "field ")) {
			where += " "
		}
		where += seg
	}
	if where != "" {
		where += ": "
	}
	m.diffs = append(m.diffs, where+fmt.Sprintf(format, args...))
}

// try matches quietly (no differences recorded).
func (m *matcher) try(p pattern, v any) bool {
	q := matcher{env: m.env, quiet: true}
	return p.match(&q, v)
}

func (m *matcher) mismatch(p pattern, v any) bool {
	m.failf("expected %s, received %s", patternText(p), renderShort(v))
	return false
}

func patternText(p pattern) string { return string(p.appendText(nil)) }

// --- concrete values --------------------------------------------------------

// constPat is a concrete scalar (or a folded concrete value).
type constPat struct{ v any }

func (p *constPat) match(m *matcher, v any) bool {
	if equalValues(p.v, v) {
		return true
	}
	return m.mismatch(p, v)
}
func (p *constPat) value() (any, bool)         { return p.v, true }
func (p *constPat) build(*env) (any, error)    { return p.v, nil }
func (p *constPat) appendText(b []byte) []byte { return appendValue(b, p.v) }

// varPat is $name.
type varPat struct{ name string }

func (p *varPat) match(m *matcher, v any) bool {
	want, err := m.env.lookup(p.name)
	if err != nil {
		m.failf("%v", err)
		return false
	}
	if equalValues(want, v) {
		return true
	}
	m.failf("expected $%s = %s, received %s", p.name, renderShort(want), renderShort(v))
	return false
}
func (p *varPat) value() (any, bool)         { return nil, false }
func (p *varPat) build(e *env) (any, error)  { return e.lookup(p.name) }
func (p *varPat) appendText(b []byte) []byte { return append(b, "$"+p.name...) }

// --- wildcards ----------------------------------------------------------------

// anyPat is `any` or `any <type>`.
type anyPat struct{ typ string }

// wildcardTypes are the type names `any` accepts, with their test.
var wildcardTypes = map[string]func(v any) bool{
	"null":   func(v any) bool { return v == nil },
	"bool":   func(v any) bool { _, ok := v.(bool); return ok },
	"int":    func(v any) bool { _, ok := v.(int64); return ok },
	"float":  func(v any) bool { _, ok := v.(float64); return ok },
	"number": func(v any) bool { _, i := v.(int64); _, f := v.(float64); return i || f },
	"string": func(v any) bool { _, ok := v.(string); return ok },
	"bytes":  func(v any) bool { _, ok := v.([]byte); return ok },
	"list":   func(v any) bool { _, ok := v.(listValue); return ok },
	"map":    func(v any) bool { _, ok := v.(*mapValue); return ok },
	"struct": func(v any) bool { _, ok := v.(*structValue); return ok },
}

// addKindWildcards lets `any Node`, `any Date`, ... match structures of
// one kind (called when the kinds exist).
func addKindWildcards() {
	for name, k := range structKinds {
		if k != kindRaw {
			wildcardTypes[name] = func(v any) bool { s, ok := v.(*structValue); return ok && s.Kind == k }
		}
	}
}

func (p *anyPat) match(m *matcher, v any) bool {
	if p.typ == "" || wildcardTypes[p.typ](v) {
		return true
	}
	return m.mismatch(p, v)
}
func (p *anyPat) value() (any, bool) { return nil, false }
func (p *anyPat) build(*env) (any, error) {
	return nil, fmt.Errorf("%s is a wildcard: the server can only send concrete values", patternText(p))
}
func (p *anyPat) appendText(b []byte) []byte {
	if p.typ == "" {
		return append(b, "any"...)
	}
	return append(b, "any "+p.typ...)
}
