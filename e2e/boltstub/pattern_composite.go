package boltstub

import (
	"strconv"
)

// --- lists ----------------------------------------------------------------------

// listPat is [a, b, ...]; rest allows more elements, unordered matches the
// elements in any order.
type listPat struct {
	elems     []pattern
	rest      bool
	unordered bool
}

func (p *listPat) match(m *matcher, v any) bool {
	l, ok := v.(listValue)
	if !ok {
		return m.mismatch(p, v)
	}
	if len(l) < len(p.elems) || !p.rest && len(l) > len(p.elems) {
		m.failf("expected %d elements%s, received %d: %s", len(p.elems), map[bool]string{true: " or more"}[p.rest],
			len(l), renderShort(l))
		return false
	}
	if p.unordered {
		return p.matchUnordered(m, l)
	}
	good := true
	for i, e := range p.elems {
		m.push("[" + strconv.Itoa(i) + "]")
		good = e.match(m, l[i]) && good
		m.pop()
	}
	return good
}

// matchUnordered finds a pairing of pattern elements with distinct
// received elements (bipartite matching by augmenting paths).
func (p *listPat) matchUnordered(m *matcher, l listValue) bool {
	owner := make([]int, len(l)) // received element -> pattern element, -1 if free
	for i := range owner {
		owner[i] = -1
	}
	fits := make([][]bool, len(p.elems))
	for i, e := range p.elems {
		fits[i] = make([]bool, len(l))
		for j, v := range l {
			fits[i][j] = m.try(e, v)
		}
	}
	var assign func(i int, seen []bool) bool
	assign = func(i int, seen []bool) bool {
		for j := range l {
			if fits[i][j] && !seen[j] {
				seen[j] = true
				if owner[j] < 0 || assign(owner[j], seen) {
					owner[j] = i
					return true
				}
			}
		}
		return false
	}
	good := true
	for i, e := range p.elems {
		if !assign(i, make([]bool, len(l))) {
			m.failf("no element (in any order) matches %s: %s", patternText(e), renderShort(l))
			good = false
		}
	}
	return good
}

func (p *listPat) value() (any, bool) {
	if p.rest || p.unordered {
		return nil, false
	}
	out := make(listValue, len(p.elems))
	for i, e := range p.elems {
		v, ok := e.value()
		if !ok {
			return nil, false
		}
		out[i] = v
	}
	return out, true
}

func (p *listPat) build(e *env) (any, error) {
	out := make(listValue, len(p.elems))
	for i, el := range p.elems {
		v, err := el.build(e)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

func (p *listPat) appendText(b []byte) []byte {
	if p.unordered {
		b = append(b, "unordered "...)
	}
	b = append(b, '[')
	for i, e := range p.elems {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = e.appendText(b)
	}
	if p.rest {
		if len(p.elems) > 0 {
			b = append(b, ", "...)
		}
		b = append(b, "..."...)
	}
	return append(b, ']')
}

// --- maps ------------------------------------------------------------------------

// mapPat is {"k": v, "opt"?: w, ...}; keys match in any order unless
// ordered is set.
type mapPat struct {
	entries []mapEntry
	rest    bool
	ordered bool
}

type mapEntry struct {
	key      string
	val      pattern
	optional bool
}

func (p *mapPat) match(m *matcher, v any) bool {
	mv, ok := v.(*mapValue)
	if !ok {
		return m.mismatch(p, v)
	}
	good := true
	for _, e := range p.entries {
		got, found := mv.Get(e.key)
		if !found {
			if !e.optional {
				m.failf("missing key %s (expected %s)", strconv.Quote(e.key), patternText(e.val))
				good = false
			}
			continue
		}
		m.push("[" + strconv.Quote(e.key) + "]")
		good = e.val.match(m, got) && good
		m.pop()
	}
	if !p.rest {
		for i, k := range mv.Keys {
			if p.entry(k) == nil {
				m.failf("unexpected key %s: %s", strconv.Quote(k), renderShort(mv.Values[i]))
				good = false
			}
		}
	}
	if p.ordered && good {
		last := -1
		for _, k := range mv.Keys {
			for i, e := range p.entries {
				if e.key == k {
					if i < last {
						m.failf("keys out of order: expected %s, received %s", patternText(p), renderShort(mv))
						return false
					}
					last = i
				}
			}
		}
	}
	return good
}

func (p *mapPat) entry(key string) *mapEntry {
	for i := range p.entries {
		if p.entries[i].key == key {
			return &p.entries[i]
		}
	}
	return nil
}

func (p *mapPat) value() (any, bool) {
	if p.rest || p.ordered {
		return nil, false
	}
	out := &mapValue{}
	for _, e := range p.entries {
		v, ok := e.val.value()
		if !ok || e.optional {
			return nil, false
		}
		out.Keys = append(out.Keys, e.key)
		out.Values = append(out.Values, v)
	}
	return out, true
}

func (p *mapPat) build(env *env) (any, error) {
	out := &mapValue{}
	for _, e := range p.entries {
		v, err := e.val.build(env)
		if err != nil {
			return nil, err
		}
		out.Keys = append(out.Keys, e.key)
		out.Values = append(out.Values, v)
	}
	return out, nil
}

func (p *mapPat) appendText(b []byte) []byte {
	if p.ordered {
		b = append(b, "ordered "...)
	}
	b = append(b, '{')
	for i, e := range p.entries {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = appendString(b, e.key)
		if e.optional {
			b = append(b, '?')
		}
		b = append(b, ": "...)
		b = e.val.appendText(b)
	}
	if p.rest {
		if len(p.entries) > 0 {
			b = append(b, ", "...)
		}
		b = append(b, "..."...)
	}
	return append(b, '}')
}

// --- structures ---------------------------------------------------------------

// structPat is Kind(args...) or the raw Struct(tag, fields...). Arguments
// left out at the end (element ids, ...) are not checked; rest ("...")
// leaves further arguments unchecked too.
type structPat struct {
	kind *structKind
	tag  byte // raw structures only
	args []pattern
	rest bool
}

func (p *structPat) match(m *matcher, v any) bool {
	s, ok := v.(*structValue)
	if !ok || s.Kind != p.kind || p.kind == kindRaw && s.Tag != p.tag {
		return m.mismatch(p, v)
	}
	if len(s.Args) < len(p.args) || p.kind == kindRaw && !p.rest && len(s.Args) != len(p.args) {
		return m.mismatch(p, v)
	}
	if p.kind == kindDuration && len(p.args) != len(s.Args) {
		return m.mismatch(p, v) // the two spellings of a Duration
	}
	good := true
	for i, a := range p.args {
		m.push(p.kind.argName(i, len(p.args)))
		good = a.match(m, s.Args[i]) && good
		m.pop()
	}
	return good
}

// argName names argument i of n in a difference, e.g. "Node.labels".
func (k *structKind) argName(i, n int) string {
	switch {
	case len(k.params) > 0 && n == 1 && k.minArgs == 1:
		return k.name // the only argument: Date("..."), Duration("...")
	case k == kindRaw || i >= len(k.params):
		return k.name + ".field" + strconv.Itoa(i+1)
	}
	return k.name + "." + k.params[i].name
}

func (p *structPat) value() (any, bool) {
	if p.rest {
		return nil, false
	}
	args := make([]any, len(p.args))
	for i, a := range p.args {
		v, ok := a.value()
		if !ok {
			return nil, false
		}
		args[i] = v
	}
	return &structValue{Kind: p.kind, Tag: p.tag, Args: p.kind.complete(args)}, true
}

func (p *structPat) build(e *env) (any, error) {
	args := make([]any, len(p.args))
	for i, a := range p.args {
		v, err := a.build(e)
		if err != nil {
			return nil, err
		}
		args[i] = v
	}
	args, err := p.kind.canonicalArgs(args)
	if err != nil {
		return nil, err
	}
	return &structValue{Kind: p.kind, Tag: p.tag, Args: p.kind.complete(args)}, nil
}

func (p *structPat) appendText(b []byte) []byte {
	b = append(b, p.kind.name+"("...)
	if p.kind == kindRaw {
		b = appendTag(b, p.tag)
	}
	for i, a := range p.args {
		if i > 0 || p.kind == kindRaw {
			b = append(b, ", "...)
		}
		b = a.appendText(b)
	}
	if p.rest {
		b = append(b, ", ..."...)
	}
	return append(b, ')')
}

// --- messages -------------------------------------------------------------------

// messagePattern is the message of a client or server line: a name (or
// tag), and the fields.
type messagePattern struct {
	name   string // as written: "RUN", "0x55" or "any"
	tag    byte
	anyTag bool
	fields []pattern
	rest   bool
}

// matchMessage matches a received message; the differences go to m.
func (p *messagePattern) matchMessage(m *matcher, msg *message) bool {
	if !p.anyTag && msg.tag != p.tag {
		m.failf("expected message %s, received %s", p.name, msg.name(m.env.version))
		return false
	}
	if len(msg.fields) < len(p.fields) || !p.rest && len(msg.fields) > len(p.fields) {
		m.failf("expected %d fields%s, received %d", len(p.fields), map[bool]string{true: " or more"}[p.rest],
			len(msg.fields))
		return false
	}
	good := true
	for i, f := range p.fields {
		m.push("field " + strconv.Itoa(i+1))
		good = f.match(m, msg.fields[i]) && good
		m.pop()
	}
	return good
}

func (p *messagePattern) appendText(b []byte) []byte {
	b = append(b, p.name...)
	for _, f := range p.fields {
		b = append(b, ' ')
		b = f.appendText(b)
	}
	if p.rest {
		b = append(b, " ..."...)
	}
	return b
}
