package boltstub

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/boltrx/boltrx/packstream"
)

// structKind describes one kind of Bolt structure as scripts write it:
// a constructor name and canonical arguments. The canonical arguments are
// what matching compares and what reports show; package packstream does
// the wire encoding of the Go values built from them.
type structKind struct {
	name    string
	params  []param // the arguments in order; nil for the raw Struct
	minArgs int     // trailing arguments after minArgs may be left out
	// canon, if set, canonicalises a complete list of concrete arguments
	// (after each param's conv), e.g. Duration's two spellings.
	canon func(args []any) ([]any, error)
	// goValue builds the packstream Go value from canonical arguments.
	goValue func(args []any) (any, error)
	// fromGo gives the canonical arguments of a value decoded by
	// packstream, or false when the value does not fit this kind.
	fromGo func(v any) ([]any, bool)
	// shown is how many arguments a report shows (trailing defaults dropped).
	shown func(args []any) int
	// encode, if set, writes the structure itself instead of goValue +
	// WriteValue (the DateTime kinds, raw structures).
	encode func(e *packstream.Encoder, args []any) error
}

// param is one constructor argument: its name (for errors) and the
// conversion of a concrete script value into canonical form.
type param struct {
	name string
	conv func(v any) (any, error)
}

// The structure kinds, filled in by init.
var (
	kindNode, kindRelationship, kindPath                 *structKind
	kindDate, kindTime, kindLocalTime, kindLocalDateTime *structKind
	kindDateTime, kindDateTimeZoneID, kindDuration       *structKind
	kindPoint2D, kindPoint3D, kindVector, kindUUID       *structKind
	kindUnsupportedType, kindRaw                         *structKind

	// structKinds finds a kind by its constructor name.
	structKinds map[string]*structKind
	// kindByTag finds the kind of a decoded structure by its tag.
	kindByTag map[byte]*structKind
)

var errWrongType = errors.New("wrong type")

const durationForms = `Duration("P1M2DT3.5S") or Duration(months, days, seconds, nanoseconds)`

var vectorTypes = []string{"int8", "int16", "int32", "int64", "float32", "float64"}

func init() {
	kindNode = &structKind{
		name: "Node",
		params: []param{
			{"id", convInt}, {"labels", convStringList}, {"properties", convMap}, {"element_id", convString},
		},
		minArgs: 3,
		goValue: nodeGoValue,
		fromGo: func(v any) ([]any, bool) {
			n, ok := v.(packstream.Node)
			if !ok {
				return nil, false
			}
			props, ok := mapFromGo(n.Props)
			return []any{n.Id, stringsToList(n.Labels), props, n.ElementId}, ok
		},
		shown: func(args []any) int {
			if args[3] == decimalID(args[0]) {
				return 3
			}
			return 4
		},
	}
	kindRelationship = &structKind{
		name: "Relationship",
		params: []param{
			{"id", convInt}, {"start_node_id", convInt}, {"end_node_id", convInt}, {"type", convString},
			{"properties", convMap}, {"element_id", convString}, {"start_node_element_id", convString},
			{"end_node_element_id", convString},
		},
		minArgs: 5,
		goValue: relationshipGoValue,
		fromGo: func(v any) ([]any, bool) {
			r, ok := v.(packstream.Relationship)
			if !ok {
				return nil, false
			}
			return relationshipArgs(r)
		},
		shown: func(args []any) int {
			if args[5] == decimalID(args[0]) && args[6] == decimalID(args[1]) && args[7] == decimalID(args[2]) {
				return 5
			}
			return 8
		},
	}
	kindPath = &structKind{
		name:    "Path",
		params:  []param{{"nodes", convList}, {"relationships", convList}},
		minArgs: 2,
		goValue: pathGoValue,
		fromGo: func(v any) ([]any, bool) {
			p, ok := v.(packstream.Path)
			if !ok {
				return nil, false
			}
			nodes := make(listValue, len(p.Nodes))
			for i, n := range p.Nodes {
				args, ok := kindNode.fromGo(n)
				if !ok {
					return nil, false
				}
				nodes[i] = &structValue{Kind: kindNode, Args: args}
			}
			rels := make(listValue, len(p.Relationships))
			for i, r := range p.Relationships {
				args, ok := relationshipArgs(r)
				if !ok {
					return nil, false
				}
				rels[i] = &structValue{Kind: kindRelationship, Args: args}
			}
			return []any{nodes, rels}, true
		},
	}
	kindDate = temporalKind("Date", formDate, func(t time.Time) any { return packstream.Date(t) },
		func(v any) (time.Time, bool) { d, ok := v.(packstream.Date); return time.Time(d), ok })
	kindTime = temporalKind("Time", formTime, func(t time.Time) any { return packstream.Time(t) },
		func(v any) (time.Time, bool) { d, ok := v.(packstream.Time); return time.Time(d), ok })
	kindLocalTime = temporalKind("LocalTime", formLocalTime, func(t time.Time) any { return packstream.LocalTime(t) },
		func(v any) (time.Time, bool) { d, ok := v.(packstream.LocalTime); return time.Time(d), ok })
	kindLocalDateTime = temporalKind("LocalDateTime", formLocalDateTime,
		func(t time.Time) any { return packstream.LocalDateTime(t) },
		func(v any) (time.Time, bool) { d, ok := v.(packstream.LocalDateTime); return time.Time(d), ok })
	kindDateTime = temporalKind("DateTime", formDateTime, func(t time.Time) any { return t },
		func(v any) (time.Time, bool) { t, ok := v.(time.Time); return t, ok })
	kindDateTime.encode = dateTimeEncoder(formDateTime)
	kindDateTimeZoneID = temporalKind("DateTimeZoneId", formZonedDateTime, func(t time.Time) any { return t },
		func(v any) (time.Time, bool) { t, ok := v.(time.Time); return t, ok })
	kindDateTimeZoneID.encode = dateTimeEncoder(formZonedDateTime)
	kindDuration = &structKind{
		name:    "Duration",
		params:  []param{{"months", nil}, {"days", nil}, {"seconds", nil}, {"nanoseconds", nil}},
		minArgs: 1,
		canon:   canonDuration,
		goValue: func(args []any) (any, error) {
			d, err := durationOf(args)
			return packstream.Duration{Months: d.months, Days: d.days, Seconds: d.seconds, Nanos: int(d.nanos)}, err
		},
		fromGo: func(v any) ([]any, bool) {
			d, ok := v.(packstream.Duration)
			if !ok {
				return nil, false
			}
			return durationArgs(duration{d.Months, d.Days, d.Seconds, int64(d.Nanos)}), true
		},
	}
	kindPoint2D = &structKind{
		name:    "Point2D",
		params:  []param{{"srid", convSRID}, {"x", convFloat}, {"y", convFloat}},
		minArgs: 3,
		goValue: func(args []any) (any, error) {
			return packstream.Point2D{SpatialRefId: uint32(args[0].(int64)), X: args[1].(float64), Y: args[2].(float64)}, nil
		},
		fromGo: func(v any) ([]any, bool) {
			p, ok := v.(packstream.Point2D)
			return []any{int64(p.SpatialRefId), p.X, p.Y}, ok
		},
	}
	kindPoint3D = &structKind{
		name:    "Point3D",
		params:  []param{{"srid", convSRID}, {"x", convFloat}, {"y", convFloat}, {"z", convFloat}},
		minArgs: 4,
		goValue: func(args []any) (any, error) {
			return packstream.Point3D{SpatialRefId: uint32(args[0].(int64)), X: args[1].(float64),
				Y: args[2].(float64), Z: args[3].(float64)}, nil
		},
		fromGo: func(v any) ([]any, bool) {
			p, ok := v.(packstream.Point3D)
			return []any{int64(p.SpatialRefId), p.X, p.Y, p.Z}, ok
		},
	}
	kindVector = &structKind{
		name:    "Vector",
		params:  []param{{"element type", convVectorType}, {"elements", convList}},
		minArgs: 2,
		canon:   canonVector,
		goValue: vectorGoValue,
		fromGo:  vectorArgs,
	}
	kindUUID = &structKind{
		name:    "UUID",
		params:  []param{{"uuid", convUUID}},
		minArgs: 1,
		goValue: func(args []any) (any, error) { return packstream.ParseUUID(args[0].(string)) },
		fromGo: func(v any) ([]any, bool) {
			u, ok := v.(packstream.UUID)
			return []any{u.String()}, ok
		},
	}
	kindUnsupportedType = &structKind{
		name: "UnsupportedType",
		params: []param{{"name", convString}, {"minimum_protocol_major", convInt},
			{"minimum_protocol_minor", convInt}, {"message", convString}},
		minArgs: 3,
		goValue: func(args []any) (any, error) {
			u := packstream.UnsupportedType{Name: args[0].(string),
				MinimumProtocolMajor: int(args[1].(int64)), MinimumProtocolMinor: int(args[2].(int64))}
			if len(args) > 3 {
				u.Message = args[3].(string)
			}
			return u, nil
		},
		fromGo: func(v any) ([]any, bool) {
			u, ok := v.(packstream.UnsupportedType)
			return []any{u.Name, int64(u.MinimumProtocolMajor), int64(u.MinimumProtocolMinor), u.Message}, ok
		},
		shown: func(args []any) int {
			if args[3] == "" {
				return 3
			}
			return 4
		},
	}
	kindRaw = &structKind{name: "Struct"} // encoded field by field, see wire.go

	structKinds = map[string]*structKind{}
	for _, k := range []*structKind{kindNode, kindRelationship, kindPath, kindDate, kindTime, kindLocalTime,
		kindLocalDateTime, kindDateTime, kindDateTimeZoneID, kindDuration, kindPoint2D, kindPoint3D,
		kindVector, kindUUID, kindUnsupportedType, kindRaw} {
		structKinds[k.name] = k
	}
	// The tags a decoded structure may carry; DateTime and DateTimeZoneId
	// have a UTC and a legacy tag each, the dialect decides which is valid.
	kindByTag = map[byte]*structKind{
		'N': kindNode, 'R': kindRelationship, 'P': kindPath, 'D': kindDate, 'T': kindTime,
		't': kindLocalTime, 'd': kindLocalDateTime, 'I': kindDateTime, 'F': kindDateTime,
		'i': kindDateTimeZoneID, 'f': kindDateTimeZoneID, 'E': kindDuration, 'X': kindPoint2D,
		'Y': kindPoint3D, 'V': kindVector, '?': kindUnsupportedType,
	}
	addKindWildcards()
}

// canonicalArgs converts concrete constructor arguments into canonical
// form (used when a server line is built and for literals in patterns).
func (k *structKind) canonicalArgs(args []any) ([]any, error) {
	if k == kindRaw {
		return args, nil
	}
	if len(args) < k.minArgs || len(args) > len(k.params) {
		return nil, k.arityError(len(args))
	}
	out := make([]any, len(args))
	for i, a := range args {
		if conv := k.params[i].conv; conv != nil {
			v, err := conv(a)
			if err != nil {
				return nil, fmt.Errorf("%s argument %d (%s): %w", k.name, i+1, k.params[i].name, err)
			}
			a = v
		}
		out[i] = a
	}
	if k.canon != nil {
		return k.canon(out)
	}
	return out, nil
}

func (k *structKind) arityError(n int) error {
	if k.minArgs == len(k.params) {
		return fmt.Errorf("%s takes %d arguments, not %d", k.name, len(k.params), n)
	}
	return fmt.Errorf("%s takes %d to %d arguments, not %d", k.name, k.minArgs, len(k.params), n)
}

// complete fills in left-out trailing arguments with their defaults, so a
// value built from a script has all its fields.
func (k *structKind) complete(args []any) []any {
	switch k {
	case kindNode:
		if len(args) == 3 {
			return append(args[:3:3], decimalID(args[0]))
		}
	case kindRelationship:
		if len(args) == 5 {
			return append(args[:5:5], decimalID(args[0]), decimalID(args[1]), decimalID(args[2]))
		}
	case kindUnsupportedType:
		if len(args) == 3 {
			return append(args[:3:3], "")
		}
	}
	return args
}

// decimalID is the element id a value without one gets: the numeric id in
// decimal, as package packstream does before Bolt 5.0.
func decimalID(id any) string {
	if n, ok := id.(int64); ok {
		return strconv.FormatInt(n, 10)
	}
	return ""
}
