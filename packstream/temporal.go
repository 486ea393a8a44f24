package packstream

import (
	"strconv"
	"time"
)

// Structure tags of the temporal types.
const (
	tagDate                 = 'D' // 0x44
	tagTime                 = 'T' // 0x54
	tagLocalTime            = 't' // 0x74
	tagLocalDateTime        = 'd' // 0x64
	tagDateTime             = 'I' // 0x49, Bolt 5.0+ (and 4.x "utc")
	tagDateTimeZoneID       = 'i' // 0x69, Bolt 5.0+ (and 4.x "utc")
	tagLegacyDateTime       = 'F' // 0x46, before Bolt 5.0
	tagLegacyDateTimeZoneID = 'f' // 0x66, before Bolt 5.0
	tagDuration             = 'E' // 0x45
)

// Date is a calendar date without time zone (structure 'D' 0x44). Only the
// year, month and day of the underlying time.Time are used when encoding;
// decoded dates are midnight UTC.
type Date time.Time

// Time returns the date as a time.Time.
func (d Date) Time() time.Time { return time.Time(d) }

// String formats the date as 2006-01-02.
func (d Date) String() string { return time.Time(d).Format("2006-01-02") }

// Time is a time of day with a UTC offset (structure 'T' 0x54). Only the
// clock and the zone offset of the underlying time.Time are used when
// encoding; decoded values fall on 1970-01-01 in a fixed zone.
type Time time.Time

// Time returns the value as a time.Time.
func (t Time) Time() time.Time { return time.Time(t) }

// String formats the time as 15:04:05.999999999Z07:00.
func (t Time) String() string { return time.Time(t).Format("15:04:05.999999999Z07:00") }

// LocalTime is a time of day without time zone (structure 't' 0x74). Only
// the clock of the underlying time.Time is used when encoding; decoded
// values fall on 1970-01-01 UTC.
type LocalTime time.Time

// Time returns the value as a time.Time.
func (t LocalTime) Time() time.Time { return time.Time(t) }

// String formats the time as 15:04:05.999999999.
func (t LocalTime) String() string { return time.Time(t).Format("15:04:05.999999999") }

// LocalDateTime is a date and time without time zone (structure 'd'
// 0x64). Only the calendar date and clock of the underlying time.Time are
// used when encoding; decoded values are in UTC.
type LocalDateTime time.Time

// Time returns the value as a time.Time.
func (t LocalDateTime) Time() time.Time { return time.Time(t) }

// String formats the value as 2006-01-02T15:04:05.999999999.
func (t LocalDateTime) String() string {
	return time.Time(t).Format("2006-01-02T15:04:05.999999999")
}

// Duration is a temporal amount in months, days, seconds and nanoseconds
// (structure 'E' 0x45); the parts are kept apart because a month or a day
// has no fixed length. A time.Duration given to the encoder becomes a
// Duration of seconds and nanoseconds (Nanos in 0..999999999, Seconds
// rounded toward minus infinity).
type Duration struct {
	Months  int64
	Days    int64
	Seconds int64
	Nanos   int
}

// String formats the duration in ISO-8601 form, e.g. P14M3DT7.000000001S.
func (d Duration) String() string {
	b := make([]byte, 0, 48)
	b = append(b, 'P')
	b = strconv.AppendInt(b, d.Months, 10)
	b = append(b, 'M')
	b = strconv.AppendInt(b, d.Days, 10)
	b = append(b, 'D', 'T')
	secs, nanos := d.Seconds, int64(d.Nanos)
	// Present seconds and nanoseconds as one signed decimal number.
	if secs < 0 && nanos > 0 {
		secs++
		nanos = 1_000_000_000 - nanos
		if secs == 0 {
			b = append(b, '-')
		}
	} else if secs > 0 && nanos < 0 {
		secs--
		nanos = 1_000_000_000 + nanos
	} else if nanos < 0 {
		nanos = -nanos
		if secs == 0 {
			b = append(b, '-')
		}
	}
	b = strconv.AppendInt(b, secs, 10)
	if nanos != 0 {
		frac := strconv.AppendInt(make([]byte, 0, 10), nanos, 10)
		b = append(b, '.')
		for i := len(frac); i < 9; i++ {
			b = append(b, '0')
		}
		b = append(b, frac...)
	}
	b = append(b, 'S')
	return string(b)
}

// durationFromGo converts a time.Duration to seconds and non-negative
// nanoseconds.
func durationFromGo(d time.Duration) Duration {
	secs := int64(d / time.Second)
	nanos := int64(d % time.Second)
	if nanos < 0 {
		secs--
		nanos += int64(time.Second)
	}
	return Duration{Seconds: secs, Nanos: int(nanos)}
}
