package boltstub

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/boltrx/boltrx/packstream"
)

// The temporal structures and Duration.

// temporalKind is the kind of a temporal structure whose only argument is
// ISO-8601 text of the given form; wrap and unwrap convert to and from the
// Go type package packstream uses.
func temporalKind(name string, form temporalForm, wrap func(time.Time) any,
	unwrap func(any) (time.Time, bool)) *structKind {
	return &structKind{
		name:    name,
		params:  []param{{"value", convTemporal(form)}},
		minArgs: 1,
		goValue: func(args []any) (any, error) {
			t, err := parseTemporal(args[0].(string), form)
			if err != nil {
				return nil, err
			}
			switch form {
			case formTime, formDateTime:
				return wrap(t.civil(t.fixedZone())), nil
			case formZonedDateTime:
				zt, err := t.zonedTime()
				return wrap(zt), err
			}
			return wrap(t.civil(time.UTC)), nil
		},
		fromGo: func(v any) ([]any, bool) {
			t, ok := unwrap(v)
			if !ok {
				return nil, false
			}
			return []any{formatTime(t, form)}, true
		},
	}
}

// zonedFromArgs resolves the text of a DateTimeZoneId.
func zonedFromArgs(args []any) (time.Time, error) {
	t, err := parseTemporal(args[0].(string), formZonedDateTime)
	if err != nil {
		return time.Time{}, err
	}
	return t.zonedTime()
}

// dateTimeEncoder writes DateTime and DateTimeZoneId itself rather than
// through packstream, so that a script can send zone ids this machine's
// time zone database does not know (and "UTC" as a zone id): the offset in
// the literal fixes the instant.
func dateTimeEncoder(form temporalForm) func(e *packstream.Encoder, args []any) error {
	return func(e *packstream.Encoder, args []any) error {
		t, err := parseTemporal(args[0].(string), form)
		if err != nil {
			return err
		}
		at := t.civil(t.fixedZone())
		if form == formZonedDateTime {
			if at, err = t.zonedTime(); err != nil {
				return err
			}
		}
		_, offset := at.Zone()
		secs := at.Unix()
		tag := byte('I')
		if !e.Dialect.UTCDateTime {
			secs += int64(offset) // the legacy forms count wall-clock seconds
			tag = 'F'
		}
		if form == formZonedDateTime {
			tag += 'i' - 'I'
		}
		e.WriteStructHeader(tag, 3)
		e.WriteInt(secs)
		e.WriteInt(int64(at.Nanosecond()))
		if form == formZonedDateTime {
			e.WriteString(t.zone)
		} else {
			e.WriteInt(int64(offset))
		}
		return e.Err()
	}
}

// --- duration ----------------------------------------------------------------

// canonDuration canonicalises either spelling of a Duration.
func canonDuration(args []any) ([]any, error) {
	d, err := durationOf(args)
	if err != nil {
		return nil, err
	}
	return durationArgs(d), nil
}

// durationOf reads Duration("ISO text") or Duration(months, days, seconds, nanos).
func durationOf(args []any) (duration, error) {
	switch len(args) {
	case 1:
		s, ok := args[0].(string)
		if !ok {
			return duration{}, fmt.Errorf("%w: write %s", errWrongType, durationForms)
		}
		return parseDuration(s)
	case 4:
		var n [4]int64
		for i, a := range args {
			v, ok := a.(int64)
			if !ok {
				return duration{}, fmt.Errorf("%w: write %s", errWrongType, durationForms)
			}
			n[i] = v
		}
		if n[3] < math.MinInt32 || n[3] > math.MaxInt32 {
			return duration{}, errors.New("the nanoseconds of a Duration must fit 32 bits")
		}
		return duration{n[0], n[1], n[2], n[3]}, nil
	}
	return duration{}, fmt.Errorf("write %s", durationForms)
}

// durationArgs is the canonical form: ISO text, or the four numbers when
// the nanoseconds are outside 0..999,999,999 (text would change them).
func durationArgs(d duration) []any {
	if s, ok := d.canonical(); ok {
		return []any{s}
	}
	return []any{d.months, d.days, d.seconds, d.nanos}
}
