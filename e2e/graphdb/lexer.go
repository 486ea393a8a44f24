package graphdb

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// tokenKind classifies a token of a Cypher query.
type tokenKind int

const (
	tokEOF    tokenKind = iota
	tokIdent            // a name or a keyword; keywords are matched case-insensitively
	tokInt              // an integer literal (value in token.num)
	tokFloat            // a float literal (value in token.flt)
	tokString           // a string literal (decoded text in token.text)
	tokParam            // $name (name in token.text)
	tokPunct            // an operator or punctuation (text in token.text)
)

// token is one lexical unit with its byte offsets in the query.
type token struct {
	kind   tokenKind
	text   string
	num    int64
	flt    float64
	pos    int
	end    int
	quoted bool // an identifier written in backticks (never a keyword)
	big    bool // an integer literal above MaxInt64 (only valid after unary minus)
}

// syntaxErrorAt builds a SyntaxError whose message ends with the position
// "(line L, column C)" of byte offset pos in query (both 1-based).
func syntaxErrorAt(query string, pos int, format string, args ...any) *Error {
	if pos > len(query) {
		pos = len(query)
	}
	line, col := 1, 1
	for _, r := range query[:pos] {
		if r == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return newError(CodeSyntaxError, "%s (line %d, column %d)", fmt.Sprintf(format, args...), line, col)
}

// punctuation lists the multi-character operators, longest first.
var punctuation = []string{"<>", "!=", "<=", ">=", "+=", "=~", ".."}

// tokenize splits query into tokens, ending with a tokEOF token.
func tokenize(query string) ([]token, *Error) {
	var toks []token
	i := 0
	for {
		i = skipSpaceAndComments(query, i)
		if i < 0 {
			return nil, syntaxErrorAt(query, len(query), "Failed to parse comment: missing '*/'")
		}
		if i >= len(query) {
			toks = append(toks, token{kind: tokEOF, pos: len(query), end: len(query)})
			return toks, nil
		}
		tok, err := nextToken(query, i)
		if err != nil {
			return nil, err
		}
		toks = append(toks, tok)
		i = tok.end
	}
}

// skipSpaceAndComments returns the offset of the next token, or -1 for an
// unterminated block comment.
func skipSpaceAndComments(q string, i int) int {
	for i < len(q) {
		r, size := utf8.DecodeRuneInString(q[i:])
		switch {
		case unicode.IsSpace(r):
			i += size
		case strings.HasPrefix(q[i:], "//"):
			nl := strings.IndexByte(q[i:], '\n')
			if nl < 0 {
				return len(q)
			}
			i += nl + 1
		case strings.HasPrefix(q[i:], "/*"):
			end := strings.Index(q[i+2:], "*/")
			if end < 0 {
				return -1
			}
			i += 2 + end + 2
		default:
			return i
		}
	}
	return i
}

func isIdentStart(r rune) bool { return r == '_' || unicode.IsLetter(r) }
func isIdentPart(r rune) bool  { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }

// nextToken reads the token starting at offset i.
func nextToken(q string, i int) (token, *Error) {
	r, size := utf8.DecodeRuneInString(q[i:])
	switch {
	case r == utf8.RuneError && size <= 1:
		return token{}, syntaxErrorAt(q, i, "Invalid input: the query is not valid UTF-8")
	case isIdentStart(r):
		j := i + size
		for j < len(q) {
			r2, s2 := utf8.DecodeRuneInString(q[j:])
			if !isIdentPart(r2) {
				break
			}
			j += s2
		}
		return token{kind: tokIdent, text: q[i:j], pos: i, end: j}, nil
	case r == '`':
		name, end, err := readBackticked(q, i)
		if err != nil {
			return token{}, err
		}
		return token{kind: tokIdent, text: name, pos: i, end: end, quoted: true}, nil
	case r >= '0' && r <= '9', r == '.' && i+1 < len(q) && q[i+1] >= '0' && q[i+1] <= '9':
		return readNumber(q, i)
	case r == '\'' || r == '"':
		return readString(q, i)
	case r == '$':
		return readParam(q, i)
	}
	for _, p := range punctuation {
		if strings.HasPrefix(q[i:], p) {
			return token{kind: tokPunct, text: p, pos: i, end: i + len(p)}, nil
		}
	}
	if strings.ContainsRune("()[]{},.:;|+-*/%^=<>", r) {
		return token{kind: tokPunct, text: string(r), pos: i, end: i + size}, nil
	}
	return token{}, syntaxErrorAt(q, i, "Invalid input '%c'", r)
}

// readBackticked reads `name` (a doubled backtick stands for one).
func readBackticked(q string, i int) (string, int, *Error) {
	var sb strings.Builder
	j := i + 1
	for j < len(q) {
		if q[j] == '`' {
			if j+1 < len(q) && q[j+1] == '`' {
				sb.WriteByte('`')
				j += 2
				continue
			}
			return sb.String(), j + 1, nil
		}
		sb.WriteByte(q[j])
		j++
	}
	return "", 0, syntaxErrorAt(q, i, "Failed to parse quoted name: missing '`'")
}

// readParam reads $name, $`name` or $0.
func readParam(q string, i int) (token, *Error) {
	j := i + 1
	if j < len(q) && q[j] == '`' {
		name, end, err := readBackticked(q, j)
		if err != nil {
			return token{}, err
		}
		return token{kind: tokParam, text: name, pos: i, end: end}, nil
	}
	for j < len(q) {
		r, s := utf8.DecodeRuneInString(q[j:])
		if !isIdentPart(r) {
			break
		}
		j += s
	}
	if j == i+1 {
		return token{}, syntaxErrorAt(q, i, "Invalid input '$': expected a parameter name")
	}
	return token{kind: tokParam, text: q[i+1 : j], pos: i, end: j}, nil
}

// readNumber reads an integer (decimal, 0x hex, 0o octal) or a float.
func readNumber(q string, i int) (token, *Error) {
	j := i
	if strings.HasPrefix(q[i:], "0x") || strings.HasPrefix(q[i:], "0o") {
		base := 16
		if q[i+1] == 'o' {
			base = 8
		}
		j = i + 2
		for j < len(q) && isIdentPart(rune(q[j])) {
			j++
		}
		u, err := strconv.ParseUint(q[i+2:j], base, 64)
		if err != nil || u > math.MaxInt64 {
			return token{}, syntaxErrorAt(q, i, "Invalid input '%s': not a valid integer", q[i:j])
		}
		return token{kind: tokInt, num: int64(u), text: q[i:j], pos: i, end: j}, nil
	}
	isFloat := false
	for j < len(q) && q[j] >= '0' && q[j] <= '9' {
		j++
	}
	if j+1 < len(q) && q[j] == '.' && q[j+1] >= '0' && q[j+1] <= '9' {
		isFloat = true
		j++
		for j < len(q) && q[j] >= '0' && q[j] <= '9' {
			j++
		}
	}
	if j < len(q) && (q[j] == 'e' || q[j] == 'E') {
		k := j + 1
		if k < len(q) && (q[k] == '+' || q[k] == '-') {
			k++
		}
		if k < len(q) && q[k] >= '0' && q[k] <= '9' {
			isFloat = true
			j = k
			for j < len(q) && q[j] >= '0' && q[j] <= '9' {
				j++
			}
		}
	}
	if j < len(q) && isIdentStart(rune(q[j])) {
		return token{}, syntaxErrorAt(q, i, "Invalid input '%s': not a valid number", q[i:j+1])
	}
	text := q[i:j]
	if isFloat {
		f, err := strconv.ParseFloat(text, 64)
		if err != nil {
			return token{}, syntaxErrorAt(q, i, "Invalid input '%s': floating point number is too large", text)
		}
		return token{kind: tokFloat, flt: f, text: text, pos: i, end: j}, nil
	}
	u, err := strconv.ParseUint(text, 10, 64)
	if err != nil || u > math.MaxInt64+1 {
		return token{}, syntaxErrorAt(q, i, "Invalid input '%s': integer is too large", text)
	}
	return token{kind: tokInt, num: int64(u), big: u == math.MaxInt64+1, text: text, pos: i, end: j}, nil
}

// readString reads a quoted string literal with Cypher escapes.
func readString(q string, i int) (token, *Error) {
	quote := q[i]
	var sb strings.Builder
	j := i + 1
	for j < len(q) {
		c := q[j]
		switch {
		case c == quote:
			return token{kind: tokString, text: sb.String(), pos: i, end: j + 1}, nil
		case c == '\\':
			if j+1 >= len(q) {
				return token{}, syntaxErrorAt(q, j, "Invalid input: unterminated escape sequence")
			}
			n, err := readEscape(q, j, &sb)
			if err != nil {
				return token{}, err
			}
			j = n
		default:
			sb.WriteByte(c)
			j++
		}
	}
	return token{}, syntaxErrorAt(q, i, "Failed to parse string literal: missing %c", quote)
}

// readEscape decodes the escape sequence at q[j] ('\\') into sb and returns
// the offset after it.
func readEscape(q string, j int, sb *strings.Builder) (int, *Error) {
	switch e := q[j+1]; e {
	case '\\', '\'', '"':
		sb.WriteByte(e)
	case 'b':
		sb.WriteByte('\b')
	case 'f':
		sb.WriteByte('\f')
	case 'n':
		sb.WriteByte('\n')
	case 'r':
		sb.WriteByte('\r')
	case 't':
		sb.WriteByte('\t')
	case 'u', 'U':
		width := 4
		if e == 'U' {
			width = 8
		}
		if j+2+width > len(q) {
			return 0, syntaxErrorAt(q, j, "Invalid input: incomplete unicode escape")
		}
		code, err := strconv.ParseUint(q[j+2:j+2+width], 16, 32)
		if err != nil || !utf8.ValidRune(rune(code)) {
			return 0, syntaxErrorAt(q, j, "Invalid input '%s': invalid unicode escape", q[j:j+2+width])
		}
		sb.WriteRune(rune(code))
		return j + 2 + width, nil
	default:
		return 0, syntaxErrorAt(q, j, "Invalid input '\\%c': unknown escape sequence", e)
	}
	return j + 2, nil
}
