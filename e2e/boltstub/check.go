package boltstub

import (
	"fmt"

	"github.com/boltrx/boltrx/bolt"
	"github.com/boltrx/boltrx/packstream"
)

// concreteMessage rejects wildcards in a server line.
func concreteMessage(m *messagePattern) error {
	if m.anyTag || m.rest {
		return fmt.Errorf("a server message cannot use any or ...: the server must know what to send")
	}
	for _, f := range m.fields {
		if err := concretePattern(f); err != nil {
			return err
		}
	}
	return nil
}

// concretePattern rejects wildcards in a value of a server line.
func concretePattern(p pattern) error {
	switch p := p.(type) {
	case *anyPat:
		return fmt.Errorf("a server message cannot contain the wildcard %s", patternText(p))
	case *listPat:
		if p.rest || p.unordered {
			return fmt.Errorf("a server message cannot contain %s", patternText(p))
		}
		for _, e := range p.elems {
			if err := concretePattern(e); err != nil {
				return err
			}
		}
	case *mapPat:
		if p.rest || p.ordered {
			return fmt.Errorf("a server message cannot contain %s", patternText(p))
		}
		for _, e := range p.entries {
			if e.optional {
				return fmt.Errorf("a server message cannot contain the optional key %q", e.key)
			}
			if err := concretePattern(e.val); err != nil {
				return err
			}
		}
	case *structPat:
		if p.rest {
			return fmt.Errorf("a server message cannot contain %s", patternText(p))
		}
		for _, a := range p.args {
			if err := concretePattern(a); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkConcrete builds every server message of a conversation once (with
// placeholder variables) and encodes it with the dialect of each version
// the connection may speak, so that a message the server could not send
// fails at parse time with its line rather than during a test.
func checkConcrete(stmts []stmt, s settings) error {
	for _, st := range stmts {
		switch st := st.(type) {
		case *serverLine:
			for _, v := range s.versions {
				e := &env{agent: s.agent, conn: 1, version: v}
				if _, err := buildMessage(st.msg, e, dialectOf(v, s.utcPatch)); err != nil {
					return syntaxErrorf(st.line, 0, "cannot send this on Bolt %s: %v", v, err)
				}
			}
		case *optionalBlock:
			if err := checkConcrete(st.body, s); err != nil {
				return err
			}
		case *repeatBlock:
			if err := checkConcrete(st.body, s); err != nil {
				return err
			}
		case *eitherBlock:
			for _, b := range st.branches {
				if err := checkConcrete(b, s); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// dialectOf is the PackStream dialect of a version, as the capability
// table of package bolt defines it.
func dialectOf(v bolt.Version, utcPatch bool) packstream.Dialect {
	caps, ok := bolt.CapabilitiesFor(v)
	if !ok {
		return packstream.Dialect{}
	}
	return caps.Dialect(utcPatch)
}

// buildMessage resolves and encodes a server message.
func buildMessage(m *messagePattern, e *env, d packstream.Dialect) ([]byte, error) {
	fields := make([]any, len(m.fields))
	for i, f := range m.fields {
		v, err := f.build(e)
		if err != nil {
			return nil, fmt.Errorf("field %d: %w", i+1, err)
		}
		fields[i] = v
	}
	enc := packstream.Encoder{Dialect: d}
	if err := encodeMessage(&enc, m.tag, fields); err != nil {
		return nil, err
	}
	return enc.Buffer(), nil
}
