package boltstub

import (
	"encoding/hex"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Rendering writes values of the stub's model in script syntax, so that
// what a report shows can be pasted into a script as it is.

// appendValue renders v.
func appendValue(b []byte, v any) []byte {
	switch v := v.(type) {
	case nil:
		return append(b, "null"...)
	case bool:
		return strconv.AppendBool(b, v)
	case int64:
		return strconv.AppendInt(b, v, 10)
	case float64:
		return appendFloat(b, v, 64)
	case string:
		return appendString(b, v)
	case []byte:
		return append(b, `Bytes("`+hex.EncodeToString(v)+`")`...)
	case listValue:
		b = append(b, '[')
		for i, e := range v {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = appendValue(b, e)
		}
		return append(b, ']')
	case *mapValue:
		b = append(b, '{')
		for i, k := range v.Keys {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = appendString(b, k)
			b = append(b, ": "...)
			b = appendValue(b, v.Values[i])
		}
		return append(b, '}')
	case *structValue:
		return appendStruct(b, v)
	}
	// Not a value of the model: a bug elsewhere, shown rather than hidden.
	return append(b, "<?>"...)
}

// appendStruct renders Kind(args...), leaving out default arguments.
func appendStruct(b []byte, s *structValue) []byte {
	b = append(b, s.Kind.name...)
	b = append(b, '(')
	args := s.Args
	if s.Kind == kindRaw {
		b = appendTag(b, s.Tag)
		if len(args) > 0 {
			b = append(b, ", "...)
		}
	} else if s.Kind.shown != nil {
		args = args[:s.Kind.shown(args)]
	}
	for i, a := range args {
		if i > 0 {
			b = append(b, ", "...)
		}
		if s.Kind == kindVector && i == 1 && args[0] == "float32" {
			b = appendFloat32List(b, a)
			continue
		}
		b = appendValue(b, a)
	}
	return append(b, ')')
}

// appendFloat32List renders the elements of a float32 Vector with the
// shortest text that reads back as the same float32.
func appendFloat32List(b []byte, v any) []byte {
	l, _ := v.(listValue)
	b = append(b, '[')
	for i, e := range l {
		if i > 0 {
			b = append(b, ", "...)
		}
		f, _ := e.(float64)
		b = appendFloat(b, f, 32)
	}
	return append(b, ']')
}

// appendTag writes a tag as 0xHH.
func appendTag(b []byte, tag byte) []byte {
	const digits = "0123456789ABCDEF"
	return append(b, '0', 'x', digits[tag>>4], digits[tag&0x0F])
}

// appendFloat renders a float so that it reads back as a float: 1.0 not 1.
func appendFloat(b []byte, f float64, bits int) []byte {
	switch {
	case math.IsNaN(f):
		return append(b, "NaN"...)
	case math.IsInf(f, 1):
		return append(b, "Inf"...)
	case math.IsInf(f, -1):
		return append(b, "-Inf"...)
	}
	start := len(b)
	b = strconv.AppendFloat(b, f, 'g', -1, bits)
	if !strings.ContainsAny(string(b[start:]), ".e") {
		b = append(b, ".0"...)
	}
	return b
}

// appendString renders a string in double quotes with JSON escapes for
// quotes, backslashes and control characters.
func appendString(b []byte, s string) []byte {
	const digits = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\r':
			b = append(b, '\\', 'r')
		case c == '\t':
			b = append(b, '\\', 't')
		case c < 0x20 || c == 0x7F:
			b = append(b, '\\', 'u', '0', '0', digits[c>>4], digits[c&0x0F])
		case c < utf8.RuneSelf:
			b = append(b, c)
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				// Not UTF-8 (cannot come from the decoder): keep it visible.
				b = append(b, `\ufffd`...)
			} else {
				b = append(b, s[i:i+size]...)
			}
			i += size
			continue
		}
		i++
	}
	return append(b, '"')
}

// maxRendered bounds the text of one value in a report.
const maxRendered = 4096

// renderShort renders v for a report, cut off after maxRendered bytes.
func renderShort(v any) string {
	return cutOff(string(appendValue(nil, v)))
}

// cutOff shortens s to maxRendered bytes for a report.
func cutOff(s string) string {
	if len(s) <= maxRendered {
		return s
	}
	cut := maxRendered
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "... (" + strconv.Itoa(len(s)-cut) + " more bytes)"
}
