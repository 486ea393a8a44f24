package boltstub

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/boltrx/boltrx/bolt"
)

// Parse reads a script (the format is described in README.md). A problem
// is reported as a *SyntaxError with its line number.
func Parse(script string) (*Script, error) {
	p := &parser{valueParser: valueParser{lx: newLexer(script)}}
	if err := p.parse(); err != nil {
		return nil, err
	}
	return p.script, nil
}

// ParseFile reads and parses the script in the named file.
func ParseFile(path string) (*Script, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	s, err := Parse(string(b))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

type parser struct {
	valueParser
	script   *Script
	head     settings
	headLine map[string]int // line of each head setting, for errors
	anytime  []*anytimeBlock
	current  *section // the section being read, nil in the head
	implicit bool     // current is the implicit section of a script without "connection"
}

func (p *parser) parse() error {
	p.script = &Script{}
	p.headLine = map[string]int{}
	for {
		t, err := p.next()
		if err != nil {
			return err
		}
		switch {
		case t.kind == tokEOF:
			return p.finish()
		case t.kind == tokNewline:
			continue
		case t.kind != tokIdent:
			return syntaxErrorf(t.line, t.col, "want a statement, found %s", t.describe())
		}
		if err := p.topLevel(t); err != nil {
			return err
		}
	}
}

// topLevel handles one line outside blocks.
func (p *parser) topLevel(t token) error {
	switch t.text {
	case "bolt", "manifest", "capabilities", "agent", "patch", "handshake":
		target := &p.head
		if p.current != nil {
			if len(p.current.body) > 0 {
				return syntaxErrorf(t.line, t.col, "settings must come before the conversation of a connection")
			}
			target = &p.current.settings
		}
		return p.setting(t, target)
	case "concurrent":
		if p.current != nil {
			return syntaxErrorf(t.line, t.col, "concurrent is a setting of the whole script: write it before the first connection")
		}
		p.script.concurrent = true
		return p.endOfLine()
	case "anytime":
		a, err := p.anytimeBlock(t)
		if err != nil {
			return err
		}
		if p.current != nil && !p.implicit {
			p.current.anytime = append(p.current.anytime, a)
		} else {
			p.anytime = append(p.anytime, a)
		}
		return nil
	case "connection", "connections":
		return p.sectionHeader(t)
	}
	st, err := p.statement(t)
	if err != nil {
		return err
	}
	if p.current == nil {
		p.current = &section{line: t.line, first: 1, last: 1, settings: p.head}
		p.implicit = true
		p.script.sections = append(p.script.sections, p.current)
	}
	p.current.body = append(p.current.body, st)
	return nil
}

// endOfLine consumes the end of a statement.
func (p *parser) endOfLine() error {
	t, err := p.next()
	if err != nil {
		return err
	}
	if t.kind != tokNewline && t.kind != tokEOF {
		return syntaxErrorf(t.line, t.col, "unexpected %s at the end of the statement", t.describe())
	}
	return nil
}

// setting reads one handshake/connection setting into s.
func (p *parser) setting(t token, s *settings) error {
	if p.current == nil {
		p.headLine[t.text] = t.line
	}
	switch t.text {
	case "manifest":
		s.manifest = true
		return p.endOfLine()
	case "agent":
		v, err := p.next()
		if err != nil {
			return err
		}
		if v.kind != tokString {
			return syntaxErrorf(v.line, v.col, `write the agent as a string: agent "Neo4j/5.26.0"`)
		}
		s.agent = v.text
		return p.endOfLine()
	}
	text, col := p.lx.restOfLine()
	bad := func(format string, args ...any) error {
		return syntaxErrorf(t.line, col, format, args...)
	}
	switch t.text {
	case "bolt":
		versions, err := parseVersions(text)
		if err != nil {
			return bad("%v", err)
		}
		s.versions = versions
	case "capabilities":
		n, err := strconv.ParseUint(text, 0, 64)
		if err != nil {
			return bad("want a number, e.g. capabilities 0x01")
		}
		s.capabilities = n
	case "patch":
		if text != "utc" {
			return bad(`the only patch is "utc": patch utc`)
		}
		s.utcPatch = true
	case "handshake":
		word, rest, _ := strings.Cut(text, " ")
		rest = strings.TrimSpace(rest)
		switch {
		case word == "reject" && rest == "":
			s.handshake = handshakeReject
		case word == "http" && rest == "":
			s.handshake = handshakeHTTP
		case word == "raw":
			b, err := parseHex(rest)
			if err != nil || len(b) == 0 {
				return bad("handshake raw wants the bytes to answer in hex, e.g. handshake raw 00 00 04 04")
			}
			s.handshake, s.handshakeBytes = handshakeRaw, b
		case word == "delay":
			d, err := time.ParseDuration(rest)
			if err != nil || d < 0 {
				return bad("handshake delay wants a duration, e.g. handshake delay 500ms")
			}
			s.handshakeDelay = d
		default:
			return bad("want handshake reject, handshake http, handshake raw <hex bytes> or handshake delay <duration>")
		}
	}
	return nil
}

// parseVersions reads "5.4", "5.4 4.4", "5.0..5.4" or a mix, separated by
// spaces or commas.
func parseVersions(text string) ([]bolt.Version, error) {
	fields := strings.FieldsFunc(text, func(r rune) bool { return r == ' ' || r == ',' || r == '\t' })
	if len(fields) == 0 {
		return nil, fmt.Errorf("want the Bolt versions the server speaks, e.g. bolt 5.4 or bolt 5.0..5.8")
	}
	var out []bolt.Version
	for _, f := range fields {
		lo, hi, isRange := strings.Cut(f, "..")
		from, err := parseVersion(lo)
		if err != nil {
			return nil, err
		}
		to := from
		if isRange {
			if to, err = parseVersion(hi); err != nil {
				return nil, err
			}
			if to.Major != from.Major || to.Minor < from.Minor {
				return nil, fmt.Errorf("version range %s must go up within one major version", f)
			}
		}
		for m := int(to.Minor); m >= int(from.Minor); m-- {
			v := bolt.Version{Major: from.Major, Minor: uint8(m)}
			if _, ok := bolt.CapabilitiesFor(v); !ok {
				return nil, fmt.Errorf("unknown Bolt version %s", v)
			}
			out = append(out, v)
		}
	}
	return out, nil
}

func parseVersion(s string) (bolt.Version, error) {
	maj, minor, ok := strings.Cut(s, ".")
	a, err1 := strconv.ParseUint(maj, 10, 8)
	b, err2 := strconv.ParseUint(minor, 10, 8)
	if !ok || err1 != nil || err2 != nil {
		return bolt.Version{}, fmt.Errorf("want a version like 5.4, found %q", s)
	}
	return bolt.Version{Major: uint8(a), Minor: uint8(b)}, nil
}

// sectionHeader reads "connection N", "connections A..B" or "connections A+".
func (p *parser) sectionHeader(t token) error {
	if p.implicit {
		return syntaxErrorf(t.line, t.col,
			"statements before the first connection section (line %d): put them in a connection section", p.current.line)
	}
	text, col := p.lx.restOfLine()
	bad := syntaxErrorf(t.line, col, "want connection N, connections A..B or connections A+ (every connection from A on)")
	s := &section{line: t.line, settings: p.head}
	var err error
	switch {
	case strings.HasSuffix(text, "+"):
		s.first, err = strconv.Atoi(strings.TrimSuffix(text, "+"))
		s.last = -1
	case strings.Contains(text, ".."):
		a, b, _ := strings.Cut(text, "..")
		s.first, err = strconv.Atoi(strings.TrimSpace(a))
		if err == nil {
			s.last, err = strconv.Atoi(strings.TrimSpace(b))
		}
	default:
		s.first, err = strconv.Atoi(text)
		s.last = s.first
	}
	if err != nil || s.first < 1 || s.last >= 0 && s.last < s.first {
		return bad
	}
	next := 1
	if n := len(p.script.sections); n > 0 {
		prev := p.script.sections[n-1]
		if prev.last < 0 {
			return syntaxErrorf(t.line, 0, "no connection can follow connections %d+ (line %d)", prev.first, prev.line)
		}
		next = prev.last + 1
	}
	if s.first != next {
		return syntaxErrorf(t.line, col, "connections are numbered in order: this section must start at connection %d", next)
	}
	p.current = s
	p.script.sections = append(p.script.sections, s)
	return nil
}

// finish checks the script as a whole.
func (p *parser) finish() error {
	if len(p.script.sections) == 0 && (p.head.handshake == handshakeReject || p.head.handshake == handshakeHTTP) {
		// The failing handshake is the whole conversation.
		p.script.sections = append(p.script.sections, &section{line: 1, first: 1, last: 1, settings: p.head})
	}
	if len(p.script.sections) == 0 {
		return syntaxErrorf(1, 0, "the script has no conversation (no C: or S: lines and no connection section)")
	}
	for _, s := range p.script.sections {
		s.anytime = append(s.anytime, p.anytime...)
		if len(s.settings.versions) == 0 && s.settings.handshake != handshakeReject && s.settings.handshake != handshakeHTTP {
			return syntaxErrorf(s.line, 0, "no Bolt version: write e.g. bolt 5.4 at the top of the script")
		}
		if s.settings.handshake == handshakeReject || s.settings.handshake == handshakeHTTP {
			if len(s.body) > 0 {
				return syntaxErrorf(s.body[0].stmtLine(), 0, "a connection whose handshake fails has no conversation")
			}
			continue
		}
		s.nullable = len(s.body) > 0 && endable(s.body)
		if err := checkConcrete(s.body, s.settings); err != nil {
			return err
		}
		for _, a := range s.anytime {
			if err := checkConcrete(a.body, s.settings); err != nil {
				return err
			}
		}
	}
	return nil
}
