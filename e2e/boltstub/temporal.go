package boltstub

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Temporal values appear in scripts as ISO-8601 text inside a constructor,
// e.g. DateTime("2024-01-02T03:04:05.5+01:00"). This file parses that text
// and formats decoded values back into it, in one canonical spelling so
// that equal values render equally.

// temporal is the parsed text of a temporal literal. Which parts are set
// depends on the form (a Date has no clock, a LocalTime no date, ...).
type temporal struct {
	year              int64
	month, day        int
	hour, min, sec    int
	nano              int
	offset            int // seconds east of UTC
	hasOffset         bool
	zone              string // IANA zone id of a DateTimeZoneId
	hasDate, hasClock bool
}

// temporalForm says which parts a temporal literal must have.
type temporalForm int

const (
	formDate temporalForm = iota
	formTime
	formLocalTime
	formLocalDateTime
	formDateTime
	formZonedDateTime
)

func (f temporalForm) example() string {
	switch f {
	case formDate:
		return `"2024-01-02"`
	case formTime:
		return `"12:34:56.789+01:00"`
	case formLocalTime:
		return `"12:34:56.789"`
	case formLocalDateTime:
		return `"2024-01-02T12:34:56.789"`
	case formDateTime:
		return `"2024-01-02T12:34:56.789+01:00"`
	default:
		return `"2024-01-02T12:34:56.789+01:00[Europe/Paris]"`
	}
}

// parseTemporal parses s in the given form.
func parseTemporal(s string, form temporalForm) (temporal, error) {
	p := temporalParser{s: s}
	t, err := p.parse(form)
	if err != nil {
		return temporal{}, fmt.Errorf("invalid %s %q: %v (write it like %s)", formName(form), s, err, form.example())
	}
	return t, nil
}

func formName(f temporalForm) string {
	switch f {
	case formDate:
		return "Date"
	case formTime:
		return "Time"
	case formLocalTime:
		return "LocalTime"
	case formLocalDateTime:
		return "LocalDateTime"
	case formDateTime:
		return "DateTime"
	default:
		return "DateTimeZoneId"
	}
}

type temporalParser struct {
	s   string
	pos int
}

var errTemporalSyntax = errors.New("unexpected text")

func (p *temporalParser) parse(form temporalForm) (temporal, error) {
	var t temporal
	var err error
	if form != formTime && form != formLocalTime {
		if err = p.date(&t); err != nil {
			return t, err
		}
		if form == formDate {
			return t, p.end()
		}
		if !p.accept('T') {
			return t, errors.New("want 'T' between date and time")
		}
	}
	if err = p.clock(&t); err != nil {
		return t, err
	}
	switch form {
	case formTime, formDateTime:
		if err = p.offset(&t); err != nil {
			return t, err
		}
	case formZonedDateTime:
		if p.pos < len(p.s) && p.s[p.pos] != '[' {
			if err = p.offset(&t); err != nil {
				return t, err
			}
		}
		if err = p.zoneID(&t); err != nil {
			return t, err
		}
	}
	return t, p.end()
}

func (p *temporalParser) end() error {
	if p.pos != len(p.s) {
		return fmt.Errorf("%w %q", errTemporalSyntax, p.s[p.pos:])
	}
	return nil
}

func (p *temporalParser) accept(c byte) bool {
	if p.pos < len(p.s) && p.s[p.pos] == c {
		p.pos++
		return true
	}
	return false
}

// digits reads between min and max decimal digits.
func (p *temporalParser) digits(min, max int, what string) (int64, int, error) {
	start := p.pos
	for p.pos < len(p.s) && p.pos-start < max && p.s[p.pos] >= '0' && p.s[p.pos] <= '9' {
		p.pos++
	}
	n := p.pos - start
	if n < min {
		return 0, 0, fmt.Errorf("want %d digits of %s", min, what)
	}
	v, err := strconv.ParseInt(p.s[start:p.pos], 10, 64)
	if err != nil {
		return 0, 0, fmt.Errorf("%s out of range", what)
	}
	return v, n, nil
}

// date reads [±]YYYY-MM-DD.
func (p *temporalParser) date(t *temporal) error {
	neg := p.accept('-')
	if !neg {
		p.accept('+')
	}
	y, _, err := p.digits(4, 10, "year")
	if err != nil {
		return err
	}
	if neg {
		y = -y
	}
	if !p.accept('-') {
		return errors.New("want '-' after the year")
	}
	m, _, err := p.digits(2, 2, "month")
	if err != nil {
		return err
	}
	if !p.accept('-') {
		return errors.New("want '-' after the month")
	}
	d, _, err := p.digits(2, 2, "day")
	if err != nil {
		return err
	}
	if m < 1 || m > 12 {
		return fmt.Errorf("month %d out of range", m)
	}
	if d < 1 || d > int64(daysIn(y, int(m))) {
		return fmt.Errorf("day %d out of range", d)
	}
	t.year, t.month, t.day, t.hasDate = y, int(m), int(d), true
	return nil
}

// daysIn is the number of days of a month (proleptic Gregorian calendar).
func daysIn(year int64, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// clock reads HH:MM[:SS[.fraction]].
func (p *temporalParser) clock(t *temporal) error {
	h, _, err := p.digits(2, 2, "hour")
	if err != nil {
		return err
	}
	if !p.accept(':') {
		return errors.New("want ':' after the hour")
	}
	m, _, err := p.digits(2, 2, "minute")
	if err != nil {
		return err
	}
	var s, nano int64
	if p.accept(':') {
		if s, _, err = p.digits(2, 2, "second"); err != nil {
			return err
		}
		if p.accept('.') {
			var n int
			if nano, n, err = p.digits(1, 9, "fraction"); err != nil {
				return err
			}
			for ; n < 9; n++ {
				nano *= 10
			}
		}
	}
	if h > 23 || m > 59 || s > 59 {
		return errors.New("clock out of range")
	}
	t.hour, t.min, t.sec, t.nano, t.hasClock = int(h), int(m), int(s), int(nano), true
	return nil
}

// offset reads Z or ±HH:MM[:SS].
func (p *temporalParser) offset(t *temporal) error {
	if p.accept('Z') {
		t.hasOffset = true
		return nil
	}
	sign := 1
	switch {
	case p.accept('+'):
	case p.accept('-'):
		sign = -1
	default:
		return errors.New("want a UTC offset like +01:00 or Z")
	}
	h, _, err := p.digits(2, 2, "offset hours")
	if err != nil {
		return err
	}
	if !p.accept(':') {
		return errors.New("want ':' in the offset")
	}
	m, _, err := p.digits(2, 2, "offset minutes")
	if err != nil {
		return err
	}
	var s int64
	if p.accept(':') {
		if s, _, err = p.digits(2, 2, "offset seconds"); err != nil {
			return err
		}
	}
	if h > 18 || m > 59 || s > 59 {
		return errors.New("offset out of range")
	}
	t.offset = sign * int(h*3600+m*60+s)
	t.hasOffset = true
	return nil
}

// zoneID reads [Zone/Id].
func (p *temporalParser) zoneID(t *temporal) error {
	if !p.accept('[') {
		return errors.New("want the zone id in brackets, e.g. [Europe/Paris]")
	}
	end := strings.IndexByte(p.s[p.pos:], ']')
	if end <= 0 {
		return errors.New("want a zone id and ']'")
	}
	t.zone = p.s[p.pos : p.pos+end]
	p.pos += end + 1
	return nil
}

// appendYear writes a year with at least four digits, signed when it is
// negative or has more than four digits (ISO-8601 expanded years).
func appendYear(b []byte, y int64) []byte {
	switch {
	case y < 0:
		b = append(b, '-')
		y = -y
	case y > 9999:
		b = append(b, '+')
	}
	s := strconv.FormatInt(y, 10)
	for i := len(s); i < 4; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}

func append2(b []byte, v int) []byte {
	return append(b, byte('0'+v/10), byte('0'+v%10))
}

func appendDate(b []byte, y int64, m, d int) []byte {
	b = appendYear(b, y)
	b = append(b, '-')
	b = append2(b, m)
	b = append(b, '-')
	return append2(b, d)
}

// appendClock writes HH:MM:SS and a fraction without trailing zeros.
func appendClock(b []byte, h, m, s, nano int) []byte {
	b = append2(b, h)
	b = append(b, ':')
	b = append2(b, m)
	b = append(b, ':')
	b = append2(b, s)
	return appendFraction(b, int64(nano))
}

// appendFraction writes .fraction without trailing zeros (nothing for 0).
func appendFraction(b []byte, nano int64) []byte {
	if nano == 0 {
		return b
	}
	frac := strconv.FormatInt(nano+1_000_000_000, 10)[1:] // nine digits
	return append(b, "."+strings.TrimRight(frac, "0")...)
}

// appendOffset writes Z or ±HH:MM[:SS].
func appendOffset(b []byte, offset int) []byte {
	if offset == 0 {
		return append(b, 'Z')
	}
	if offset < 0 {
		b = append(b, '-')
		offset = -offset
	} else {
		b = append(b, '+')
	}
	b = append2(b, offset/3600)
	b = append(b, ':')
	b = append2(b, offset/60%60)
	if offset%60 != 0 {
		b = append(b, ':')
		b = append2(b, offset%60)
	}
	return b
}

// formatTime writes the parts of t that form uses, canonically.
func formatTime(t time.Time, form temporalForm) string {
	b := make([]byte, 0, 48)
	if form != formTime && form != formLocalTime {
		b = appendDate(b, int64(t.Year()), int(t.Month()), t.Day())
		if form == formDate {
			return string(b)
		}
		b = append(b, 'T')
	}
	b = appendClock(b, t.Hour(), t.Minute(), t.Second(), t.Nanosecond())
	_, offset := t.Zone()
	switch form {
	case formTime, formDateTime:
		b = appendOffset(b, offset)
	case formZonedDateTime:
		b = appendOffset(b, offset)
		b = append(b, '[')
		b = append(b, t.Location().String()...)
		b = append(b, ']')
	}
	return string(b)
}

// canonicalTemporal parses s and formats it again, so that two spellings
// of one value ("12:00" and "12:00:00.000") compare equal.
func canonicalTemporal(s string, form temporalForm) (string, error) {
	t, err := parseTemporal(s, form)
	if err != nil {
		return "", err
	}
	if form == formZonedDateTime {
		if _, err := t.zonedTime(); err != nil {
			return "", err
		}
	}
	b := make([]byte, 0, 48)
	if t.hasDate {
		b = appendDate(b, t.year, t.month, t.day)
		if !t.hasClock {
			return string(b), nil
		}
		b = append(b, 'T')
	}
	b = appendClock(b, t.hour, t.min, t.sec, t.nano)
	if t.hasOffset || form == formZonedDateTime {
		off := t.offset
		if !t.hasOffset {
			zt, _ := t.zonedTime()
			_, off = zt.Zone()
		}
		b = appendOffset(b, off)
	}
	if form == formZonedDateTime {
		b = append(b, "["+t.zone+"]"...)
	}
	return string(b), nil
}

// civil returns the wall-clock parts as a time.Time in loc.
func (t temporal) civil(loc *time.Location) time.Time {
	return time.Date(int(t.year), time.Month(t.month), t.day, t.hour, t.min, t.sec, t.nano, loc)
}

// fixedZone returns the fixed zone of the literal's offset; UTC for zero,
// the way package packstream decodes it.
func (t temporal) fixedZone() *time.Location {
	if t.offset == 0 {
		return time.UTC
	}
	return time.FixedZone("", t.offset)
}

// zonedTime resolves a DateTimeZoneId literal. With an offset in the text
// the instant is fixed by it (so zones this machine does not know can still
// be sent); without one the zone must be known.
func (t temporal) zonedTime() (zoned time.Time, err error) {
	loc, lerr := time.LoadLocation(t.zone)
	if t.zone == "" || t.zone == "Local" {
		lerr = errors.New("not an IANA zone id")
	}
	switch {
	case lerr == nil && t.hasOffset:
		zoned = t.civil(time.FixedZone("", t.offset)).In(loc)
		if _, off := zoned.Zone(); off != t.offset || zoned.Hour() != t.hour || zoned.Minute() != t.min {
			return zoned, fmt.Errorf("offset %s is not in effect in %s at that time", appendOffset(nil, t.offset), t.zone)
		}
		return zoned, nil
	case lerr == nil:
		return t.civil(loc), nil
	case t.hasOffset:
		return t.civil(time.FixedZone(t.zone, t.offset)), nil
	default:
		return zoned, fmt.Errorf("unknown zone id %q (%v); give the offset too, e.g. +01:00[%s]", t.zone, lerr, t.zone)
	}
}
