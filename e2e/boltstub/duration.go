package boltstub

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// duration is a Bolt Duration.
type duration struct {
	months, days, seconds, nanos int64
}

// canonicalDuration formats d as ISO-8601 text when its nanoseconds are
// normalised (0..999,999,999), and reports false otherwise.
func (d duration) canonical() (string, bool) {
	if d.nanos < 0 || d.nanos >= 1_000_000_000 {
		return "", false
	}
	b := []byte{'P'}
	if d.months != 0 {
		b = strconv.AppendInt(b, d.months, 10)
		b = append(b, 'M')
	}
	if d.days != 0 {
		b = strconv.AppendInt(b, d.days, 10)
		b = append(b, 'D')
	}
	if d.seconds != 0 || d.nanos != 0 || len(b) == 1 {
		b = append(b, 'T')
		secs, nanos := d.seconds, d.nanos
		if secs < 0 && nanos > 0 {
			// -1 s + 0.25 s reads as -0.75 s.
			secs = -(secs + 1)
			nanos = 1_000_000_000 - nanos
			b = append(b, '-')
		}
		b = strconv.AppendInt(b, secs, 10)
		b = appendFraction(b, nanos)
		b = append(b, 'S')
	}
	return string(b), true
}

// parseDuration reads ISO-8601 durations: P[nY][nM][nW][nD][T[nH][nM][n[.f]S]],
// each number optionally signed, the whole optionally preceded by '-'.
func parseDuration(s string) (duration, error) {
	var d duration
	bad := func(why string) (duration, error) {
		return duration{}, fmt.Errorf("invalid Duration %q: %s (write it like \"P1Y2M3DT4H5M6.5S\")", s, why)
	}
	rest := s
	negAll := false
	if strings.HasPrefix(rest, "-") {
		negAll = true
		rest = rest[1:]
	}
	if !strings.HasPrefix(rest, "P") || len(rest) == 1 {
		return bad("want 'P' and at least one part")
	}
	rest = rest[1:]
	inTime := false
	var secs, nanos int64
	var lastUnit byte
	for rest != "" {
		if rest[0] == 'T' {
			if inTime {
				return bad("'T' twice")
			}
			inTime = true
			rest = rest[1:]
			if rest == "" {
				return bad("'T' without a time part")
			}
			continue
		}
		i := 0
		if i < len(rest) && (rest[i] == '-' || rest[i] == '+') {
			i++
		}
		for i < len(rest) && (rest[i] >= '0' && rest[i] <= '9' || rest[i] == '.') {
			i++
		}
		if i == len(rest) {
			return bad("a number without a unit")
		}
		num, unit := rest[:i], rest[i]
		rest = rest[i+1:]
		if unit == lastUnit {
			return bad("unit " + string(unit) + " twice")
		}
		lastUnit = unit
		if unit == 'S' && inTime {
			whole, frac, err := splitDecimal(num)
			if err != nil {
				return bad(err.Error())
			}
			secs, nanos = addChecked(secs, whole), frac
			continue
		}
		n, err := strconv.ParseInt(num, 10, 64)
		if err != nil {
			return bad("bad number " + strconv.Quote(num))
		}
		var ok bool
		switch {
		case !inTime && unit == 'Y':
			d.months, ok = mulAdd(d.months, n, 12)
		case !inTime && unit == 'M':
			d.months, ok = mulAdd(d.months, n, 1)
		case !inTime && unit == 'W':
			d.days, ok = mulAdd(d.days, n, 7)
		case !inTime && unit == 'D':
			d.days, ok = mulAdd(d.days, n, 1)
		case inTime && unit == 'H':
			secs, ok = mulAdd(secs, n, 3600)
		case inTime && unit == 'M':
			secs, ok = mulAdd(secs, n, 60)
		default:
			return bad("unknown unit " + string(unit))
		}
		if !ok {
			return bad("out of range")
		}
	}
	if secs == math.MaxInt64 || secs == math.MinInt64 {
		return bad("out of range")
	}
	if negAll {
		d.months, d.days, secs, nanos = -d.months, -d.days, -secs, -nanos
	}
	if nanos < 0 {
		nanos += 1_000_000_000
		secs--
	}
	d.seconds, d.nanos = secs, nanos
	return d, nil
}

// splitDecimal splits a signed decimal like "-1.25" into whole seconds
// and nanoseconds carrying the same sign (-1, -250000000).
func splitDecimal(num string) (int64, int64, error) {
	neg := strings.HasPrefix(num, "-")
	num = strings.TrimLeft(num, "+-")
	whole, frac, _ := strings.Cut(num, ".")
	if whole == "" || len(frac) > 9 || strings.ContainsAny(frac, ".+-") {
		return 0, 0, errors.New("bad seconds " + strconv.Quote(num))
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return 0, 0, errors.New("bad seconds " + strconv.Quote(num))
	}
	var f int64
	if frac != "" {
		f, err = strconv.ParseInt((frac + "000000000")[:9], 10, 64)
		if err != nil {
			return 0, 0, errors.New("bad seconds " + strconv.Quote(num))
		}
	}
	if neg {
		return -w, -f, nil
	}
	return w, f, nil
}

// mulAdd returns acc + n*factor and false on overflow.
func mulAdd(acc, n, factor int64) (int64, bool) {
	if n != 0 && (n > math.MaxInt64/factor || n < math.MinInt64/factor) {
		return 0, false
	}
	p := n * factor
	s := acc + p
	if (p > 0 && s < acc) || (p < 0 && s > acc) {
		return 0, false
	}
	return s, true
}

// addChecked adds, saturating at the int64 limits (which parseDuration then rejects).
func addChecked(a, b int64) int64 {
	s := a + b
	switch {
	case b > 0 && s < a:
		return math.MaxInt64
	case b < 0 && s > a:
		return math.MinInt64
	}
	return s
}
