package graphdb

import (
	"math"
	"strconv"
)

// arithmetic evaluates +, -, *, /, % and ^ on non-null operands.
func arithmetic(op string, a, b any) (any, error) {
	if op == "+" {
		if v, ok, err := concat(a, b); ok || err != nil {
			return v, err
		}
	}
	ai, aInt := a.(int64)
	bi, bInt := b.(int64)
	if aInt && bInt && op != "^" {
		return intArithmetic(op, ai, bi)
	}
	af, ok1 := toFloat64(a)
	bf, ok2 := toFloat64(b)
	if !ok1 || !ok2 {
		return nil, typeError("Cannot apply '%s' to %s and %s", op, describe(a), describe(b))
	}
	switch op {
	case "+":
		return af + bf, nil
	case "-":
		return af - bf, nil
	case "*":
		return af * bf, nil
	case "/":
		return af / bf, nil
	case "%":
		return math.Mod(af, bf), nil
	default:
		return math.Pow(af, bf), nil
	}
}

// concat handles the non-numeric forms of '+': strings and lists.
func concat(a, b any) (any, bool, error) {
	switch x := a.(type) {
	case string:
		if s, ok := stringOperand(b); ok {
			return x + s, true, nil
		}
	case []any:
		out := make([]any, 0, len(x)+1)
		out = append(out, x...)
		if y, ok := b.([]any); ok {
			return append(out, y...), true, nil
		}
		return append(out, b), true, nil
	}
	if y, ok := b.([]any); ok {
		return append([]any{a}, y...), true, nil
	}
	if s, ok := b.(string); ok {
		if as, ok := stringOperand(a); ok {
			return as + s, true, nil
		}
	}
	return nil, false, nil
}

// stringOperand renders the operand of a string '+' (strings, numbers and
// booleans, as Cypher allows).
func stringOperand(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case int64:
		return strconv.FormatInt(x, 10), true
	case float64:
		return formatFloat(x), true
	case bool:
		return strconv.FormatBool(x), true
	}
	return "", false
}

// intArithmetic evaluates integer +, -, *, / and % with overflow checks.
func intArithmetic(op string, a, b int64) (any, error) {
	switch op {
	case "+":
		s := a + b
		if (s > a) != (b > 0) {
			return nil, overflow()
		}
		return s, nil
	case "-":
		d := a - b
		if (d < a) != (b > 0) {
			return nil, overflow()
		}
		return d, nil
	case "*":
		p := a * b
		if a != 0 && (p/a != b || a == -1 && b == math.MinInt64 || b == -1 && a == math.MinInt64) {
			return nil, overflow()
		}
		return p, nil
	case "/", "%":
		if b == 0 {
			return nil, newError(CodeArithmeticError, "/ by zero")
		}
		if a == math.MinInt64 && b == -1 {
			if op == "%" {
				return int64(0), nil
			}
			return nil, overflow()
		}
		if op == "/" {
			return a / b, nil
		}
		return a % b, nil
	}
	return nil, typeError("unknown operator %s", op)
}

func overflow() *Error { return newError(CodeArithmeticError, "long overflow") }

// toFloat64 converts a number to float64.
func toFloat64(v any) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

// formatFloat renders a float the way Neo4j (Java) does: "1.0", "0.5",
// "1.0E20", "NaN", "Infinity".
func formatFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	abs := math.Abs(f)
	if f == 0 || abs >= 1e-3 && abs < 1e7 {
		s := strconv.FormatFloat(f, 'f', -1, 64)
		for i := 0; i < len(s); i++ {
			if s[i] == '.' {
				return s
			}
		}
		return s + ".0"
	}
	s := strconv.FormatFloat(f, 'e', -1, 64) // e.g. 1e+20, 1.5e-05
	mant, exp := s, ""
	for i := 0; i < len(s); i++ {
		if s[i] == 'e' {
			mant, exp = s[:i], s[i+1:]
			break
		}
	}
	hasDot := false
	for i := 0; i < len(mant); i++ {
		if mant[i] == '.' {
			hasDot = true
		}
	}
	if !hasDot {
		mant += ".0"
	}
	if exp[0] == '+' {
		exp = exp[1:]
	}
	neg := exp[0] == '-'
	if neg {
		exp = exp[1:]
	}
	for len(exp) > 1 && exp[0] == '0' {
		exp = exp[1:]
	}
	if neg {
		exp = "-" + exp
	}
	return mant + "E" + exp
}
