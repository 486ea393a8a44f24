package boltstub

import (
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// tokenKind classifies the tokens of a script.
type tokenKind int

const (
	tokEOF     tokenKind = iota
	tokNewline           // end of a statement (newlines inside brackets are spaces)
	tokIdent             // HELLO, any, Node, optional, ...
	tokInt               // 12, -3, 0x7F
	tokFloat             // 1.5, -2e3
	tokString            // "text" (value holds the unescaped text)
	tokVar               // $agent (value holds the name)
	tokPunct             // [ ] { } ( ) , : ? ... -
)

// token is one lexical unit with its position (1-based line and column).
type token struct {
	kind tokenKind
	text string // the source text; for strings and variables the decoded value
	line int
	col  int
	pos  int // byte offset of the token in the script
}

func (t token) is(kind tokenKind, text string) bool { return t.kind == kind && t.text == text }

func (t token) describe() string {
	switch t.kind {
	case tokEOF:
		return "the end of the script"
	case tokNewline:
		return "the end of the line"
	case tokString:
		return "string " + strconv.Quote(t.text)
	case tokVar:
		return "$" + t.text
	}
	return strconv.Quote(t.text)
}

// lexer splits a script into tokens on demand. Inside brackets a newline
// is a space, so a long map may continue on the next lines.
type lexer struct {
	src    string
	pos    int
	line   int
	col    int
	depth  int   // open brackets
	opened []int // line of each open bracket, for "unclosed" errors
	peeked *token
}

func newLexer(src string) *lexer {
	return &lexer{src: src, line: 1, col: 1}
}

func (l *lexer) errorf(line, col int, format string, args ...any) *SyntaxError {
	return syntaxErrorf(line, col, format, args...)
}

// peek returns the next token without consuming it.
func (l *lexer) peek() (token, error) {
	if l.peeked != nil {
		return *l.peeked, nil
	}
	t, err := l.scan()
	if err != nil {
		return t, err
	}
	l.peeked = &t
	return t, nil
}

// next consumes and returns the next token.
func (l *lexer) next() (token, error) {
	if l.peeked != nil {
		t := *l.peeked
		l.peeked = nil
		return t, nil
	}
	return l.scan()
}

// advance moves n bytes on, counting lines and columns.
func (l *lexer) advance(n int) {
	for i := 0; i < n; i++ {
		if l.src[l.pos] == '\n' {
			l.line++
			l.col = 1
		} else if l.src[l.pos]&0xC0 != 0x80 {
			l.col++
		}
		l.pos++
	}
}

// skipSpace skips blanks and comments, and newlines when inside brackets.
func (l *lexer) skipSpace() {
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		switch {
		case c == ' ' || c == '\t' || c == '\r':
			l.advance(1)
		case c == '#':
			for l.pos < len(l.src) && l.src[l.pos] != '\n' {
				l.advance(1)
			}
		case c == '\n' && l.depth > 0:
			l.advance(1)
		default:
			return
		}
	}
}

// restOfLine returns the raw text up to the end of the line (without a
// comment, trimmed) and the column it starts at; used for statements whose
// arguments are not values (hex bytes, durations, version lists).
func (l *lexer) restOfLine() (string, int) {
	if t := l.peeked; t != nil {
		// Give the peeked token back: the rest of the line starts there.
		l.peeked = nil
		l.pos, l.line, l.col = t.pos, t.line, t.col
		if t.kind == tokPunct && strings.Contains("([{", t.text) && l.depth > 0 {
			l.depth--
			l.opened = l.opened[:len(l.opened)-1]
		}
	}
	for l.pos < len(l.src) && (l.src[l.pos] == ' ' || l.src[l.pos] == '\t') {
		l.advance(1)
	}
	col := l.col
	start := l.pos
	for l.pos < len(l.src) && l.src[l.pos] != '\n' && l.src[l.pos] != '#' {
		l.advance(1)
	}
	text := strings.TrimSpace(l.src[start:l.pos])
	for l.pos < len(l.src) && l.src[l.pos] != '\n' {
		l.advance(1)
	}
	return text, col
}

func isIdentStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// scan reads the next token.
func (l *lexer) scan() (token, error) {
	l.skipSpace()
	line, col, pos := l.line, l.col, l.pos
	tok := func(kind tokenKind, text string) token {
		return token{kind: kind, text: text, line: line, col: col, pos: pos}
	}
	if l.pos >= len(l.src) {
		if l.depth > 0 {
			return tok(tokEOF, ""), l.errorf(l.opened[len(l.opened)-1], 0,
				"bracket opened here is never closed")
		}
		return tok(tokEOF, ""), nil
	}
	c := l.src[l.pos]
	switch {
	case c == '\n':
		l.advance(1)
		return tok(tokNewline, "\n"), nil
	case c == '"':
		s, err := l.scanString()
		return tok(tokString, s), err
	case c == '$':
		l.advance(1)
		start := l.pos
		for l.pos < len(l.src) && (isIdentStart(l.src[l.pos]) || isDigit(l.src[l.pos])) {
			l.advance(1)
		}
		if start == l.pos {
			return tok(tokVar, ""), l.errorf(line, col, "want a variable name after '$'")
		}
		return tok(tokVar, l.src[start:l.pos]), nil
	case isIdentStart(c):
		start := l.pos
		for l.pos < len(l.src) && (isIdentStart(l.src[l.pos]) || isDigit(l.src[l.pos])) {
			l.advance(1)
		}
		return tok(tokIdent, l.src[start:l.pos]), nil
	case isDigit(c) || (c == '-' || c == '+') && l.pos+1 < len(l.src) && isDigit(l.src[l.pos+1]):
		t, err := l.scanNumber(line, col)
		t.pos = pos
		return t, err
	case strings.HasPrefix(l.src[l.pos:], "..."):
		l.advance(3)
		return tok(tokPunct, "..."), nil
	case strings.IndexByte("([{", c) >= 0:
		l.depth++
		l.opened = append(l.opened, line)
	case strings.IndexByte(")]}", c) >= 0:
		if l.depth > 0 {
			l.depth--
			l.opened = l.opened[:len(l.opened)-1]
		}
	case strings.IndexByte(",:?-+", c) >= 0:
	default:
		r, _ := utf8.DecodeRuneInString(l.src[l.pos:])
		return tok(tokPunct, string(r)), l.errorf(line, col, "unexpected character %q", r)
	}
	l.advance(1)
	return tok(tokPunct, string(c)), nil
}

// scanNumber reads an integer (decimal or 0x hex) or a float.
func (l *lexer) scanNumber(line, col int) (token, error) {
	start := l.pos
	if l.src[l.pos] == '-' || l.src[l.pos] == '+' {
		l.advance(1)
	}
	digitsStart := l.pos
	if strings.HasPrefix(l.src[l.pos:], "0x") || strings.HasPrefix(l.src[l.pos:], "0X") {
		l.advance(2)
		for l.pos < len(l.src) && strings.IndexByte("0123456789abcdefABCDEF", l.src[l.pos]) >= 0 {
			l.advance(1)
		}
		text := l.src[start:l.pos]
		if l.pos == digitsStart+2 {
			return token{kind: tokInt, text: text, line: line, col: col}, l.errorf(line, col, "want hex digits after 0x")
		}
		return token{kind: tokInt, text: text, line: line, col: col}, nil
	}
	kind := tokInt
	for l.pos < len(l.src) && isDigit(l.src[l.pos]) {
		l.advance(1)
	}
	if l.pos+1 < len(l.src) && l.src[l.pos] == '.' && isDigit(l.src[l.pos+1]) {
		kind = tokFloat
		l.advance(1)
		for l.pos < len(l.src) && isDigit(l.src[l.pos]) {
			l.advance(1)
		}
	}
	if l.pos < len(l.src) && (l.src[l.pos] == 'e' || l.src[l.pos] == 'E') {
		p := l.pos + 1
		if p < len(l.src) && (l.src[p] == '+' || l.src[p] == '-') {
			p++
		}
		if p < len(l.src) && isDigit(l.src[p]) {
			kind = tokFloat
			l.advance(p - l.pos)
			for l.pos < len(l.src) && isDigit(l.src[l.pos]) {
				l.advance(1)
			}
		}
	}
	text := l.src[start:l.pos]
	if l.pos < len(l.src) && (isIdentStart(l.src[l.pos])) {
		return token{kind: kind, text: text, line: line, col: col}, l.errorf(line, col, "malformed number %q", text+string(l.src[l.pos]))
	}
	return token{kind: kind, text: text, line: line, col: col}, nil
}

// scanString reads a double-quoted string with JSON escapes.
func (l *lexer) scanString() (string, error) {
	line, col := l.line, l.col
	l.advance(1)
	var b strings.Builder
	for {
		if l.pos >= len(l.src) || l.src[l.pos] == '\n' {
			return "", l.errorf(line, col, "string is not closed on its line")
		}
		c := l.src[l.pos]
		switch c {
		case '"':
			l.advance(1)
			return b.String(), nil
		case '\\':
			if l.pos+1 >= len(l.src) {
				return "", l.errorf(line, col, "string is not closed on its line")
			}
			escLine, escCol := l.line, l.col
			e := l.src[l.pos+1]
			l.advance(2)
			switch e {
			case '"', '\\', '/':
				b.WriteByte(e)
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'u':
				r, ok := l.scanHex4()
				if !ok {
					return "", l.errorf(escLine, escCol, `want four hex digits after \u`)
				}
				if utf16.IsSurrogate(r) {
					r2 := utf8.RuneError
					if strings.HasPrefix(l.src[l.pos:], `\u`) {
						l.advance(2)
						if lo, ok := l.scanHex4(); ok {
							r2 = utf16.DecodeRune(r, lo)
						}
					}
					if r2 == utf8.RuneError {
						return "", l.errorf(escLine, escCol, `unpaired surrogate in \u escape`)
					}
					r = r2
				}
				b.WriteRune(r)
			default:
				return "", l.errorf(escLine, escCol, "unknown escape \\%c", e)
			}
		default:
			r, size := utf8.DecodeRuneInString(l.src[l.pos:])
			if r == utf8.RuneError && size == 1 {
				return "", l.errorf(l.line, l.col, "invalid UTF-8 in string")
			}
			b.WriteString(l.src[l.pos : l.pos+size])
			l.advance(size)
		}
	}
}

// scanHex4 reads the four hex digits of a \u escape.
func (l *lexer) scanHex4() (rune, bool) {
	if l.pos+4 > len(l.src) {
		return 0, false
	}
	v, err := strconv.ParseUint(l.src[l.pos:l.pos+4], 16, 32)
	if err != nil {
		return 0, false
	}
	l.advance(4)
	return rune(v), true
}
