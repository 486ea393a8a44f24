package packstream

import "strconv"

// tagUnsupportedType is the structure tag of UnsupportedType ('?' 0x3F,
// Bolt 6.0+).
const tagUnsupportedType = '?'

// UnsupportedType stands for a value the server could not send in the
// negotiated protocol version (structure '?' 0x3F, Bolt 6.0+). Its fields
// are for people and logs; code should not rely on them.
type UnsupportedType struct {
	Name                 string // the type's name, e.g. "QuantumFloat"
	MinimumProtocolMajor int    // the first protocol version able to carry it: major
	MinimumProtocolMinor int    // ... and minor
	Message              string // optional explanation from the server, "" if none
}

// String formats the value as UnsupportedType<name>.
func (u UnsupportedType) String() string {
	return "UnsupportedType<" + u.Name + "> (needs Bolt " +
		strconv.Itoa(u.MinimumProtocolMajor) + "." + strconv.Itoa(u.MinimumProtocolMinor) + ")"
}

// InvalidValue stands in a decoded record for a value the decoder could
// read but not represent, e.g. a DateTimeZoneId whose zone id is unknown
// to this machine's time zone database. The rest of the record stays
// usable. InvalidValue cannot be encoded.
type InvalidValue struct {
	Message string // what was wrong, for people
	Err     error  // the cause, e.g. the error of time.LoadLocation
}

// String returns the message.
func (v InvalidValue) String() string { return "invalid value: " + v.Message }
