package boltrx

import (
	"fmt"
	"time"

	"github.com/boltrx/boltrx/bookmarks"
	"github.com/boltrx/boltrx/packstream"
)

// The value types of query parameters and results, defined in package
// packstream and named here so that most programs need only this package.
type (
	// Node is a graph node.
	Node = packstream.Node
	// Relationship is a graph relationship.
	Relationship = packstream.Relationship
	// Path is an alternating sequence of nodes and relationships.
	Path = packstream.Path
	// Date is a calendar date without time zone.
	Date = packstream.Date
	// Time is a time of day with a UTC offset.
	Time = packstream.Time
	// OffsetTime is another name for Time.
	OffsetTime = packstream.Time
	// LocalTime is a time of day without time zone.
	LocalTime = packstream.LocalTime
	// LocalDateTime is a date and time without time zone.
	LocalDateTime = packstream.LocalDateTime
	// Duration is a temporal amount of months, days, seconds and nanoseconds.
	Duration = packstream.Duration
	// Point2D is a two-dimensional spatial point.
	Point2D = packstream.Point2D
	// Point3D is a three-dimensional spatial point.
	Point3D = packstream.Point3D
	// VectorType names the element type of a Vector.
	VectorType = packstream.VectorType
	// AnyVector is implemented by every Vector[T].
	AnyVector = packstream.AnyVector
	// UUID is the native UUID of Bolt 6.1.
	UUID = packstream.UUID
	// UnsupportedType stands for a value the protocol version cannot carry.
	UnsupportedType = packstream.UnsupportedType
	// InvalidValue stands for a result value the driver could read but not
	// represent, e.g. a time zone unknown to this machine.
	InvalidValue = packstream.InvalidValue
)

// VectorElement lists the element types a Vector can hold.
type VectorElement = packstream.VectorElement

// Vector is the VECTOR value of Bolt 6.0: numbers of one element type.
type Vector[T VectorElement] = packstream.Vector[T]

// NewVector returns a vector holding a copy of elems.
func NewVector[T VectorElement](elems ...T) Vector[T] { return packstream.NewVector(elems...) }

// ParseUUID parses a UUID in canonical (8-4-4-4-12) or plain 32-digit form.
func ParseUUID(s string) (UUID, error) { return packstream.ParseUUID(s) }

// DateOf returns the calendar date of t (in t's location), at midnight UTC
// as the driver decodes dates.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date(time.Date(y, m, d, 0, 0, 0, 0, time.UTC))
}

// LocalTimeOf returns the clock time of t (in t's location), on 1970-01-01
// UTC as the driver decodes local times.
func LocalTimeOf(t time.Time) LocalTime {
	return LocalTime(time.Date(1970, 1, 1, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC))
}

// LocalDateTimeOf returns the wall-clock date and time of t (in t's
// location), in UTC as the driver decodes local date-times.
func LocalDateTimeOf(t time.Time) LocalDateTime {
	return LocalDateTime(time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC))
}

// OffsetTimeOf returns the clock time of t with t's UTC offset, on
// 1970-01-01.
func OffsetTimeOf(t time.Time) OffsetTime {
	_, offset := t.Zone()
	zone := time.FixedZone("", offset)
	return OffsetTime(time.Date(1970, 1, 1, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), zone))
}

// DurationOf returns the Duration of the given parts.
func DurationOf(months, days, seconds int64, nanos int) Duration {
	return Duration{Months: months, Days: days, Seconds: seconds, Nanos: nanos}
}

// PropertyValue lists the Go types a node or relationship property can
// have when read with GetProperty. Lists other than byte arrays are []any.
type PropertyValue interface {
	bool | int64 | float64 | string |
		Point2D | Point3D |
		Date | LocalTime | LocalDateTime | Time | Duration | time.Time |
		[]byte | []any
}

// Entity is a node or a relationship.
type Entity interface {
	Node | Relationship
}

// GetProperty returns the property key of a node or relationship as a T.
// It fails when the property is missing or has another type.
//
//	name, err := boltrx.GetProperty[string](node, "name")
func GetProperty[T PropertyValue, E Entity](entity E, key string) (T, error) {
	var props map[string]any
	switch e := any(entity).(type) {
	case Node:
		props = e.Props
	case Relationship:
		props = e.Props
	}
	raw, found := props[key]
	if !found {
		return *new(T), fmt.Errorf("property %q not found", key)
	}
	value, ok := raw.(T)
	if !ok {
		return *new(T), fmt.Errorf("property %q has type %T, not %T", key, raw, *new(T))
	}
	return value, nil
}

// Bookmarks is a set of bookmarks (see package bookmarks).
type Bookmarks = bookmarks.Bookmarks

// BookmarkManager keeps the bookmarks of many sessions so that each new
// transaction starts from all of them (see bookmarks.Manager).
type BookmarkManager = bookmarks.Manager

// BookmarkManagerConfig configures NewBookmarkManager.
type BookmarkManagerConfig = bookmarks.Config

// NewBookmarkManager returns the standard bookmark manager.
func NewBookmarkManager(config BookmarkManagerConfig) BookmarkManager {
	return bookmarks.NewManager(config)
}

// CombineBookmarks merges bookmark sets, dropping duplicates, e.g. to start
// a session after the work of several others:
//
//	boltrx.SessionConfig{Bookmarks: boltrx.CombineBookmarks(s1.LastBookmarks(), s2.LastBookmarks())}
func CombineBookmarks(sets ...Bookmarks) Bookmarks { return bookmarks.Combine(sets...) }
