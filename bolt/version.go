package bolt

import "fmt"

// Version is a Bolt protocol version as negotiated in the handshake.
type Version struct {
	Major uint8
	Minor uint8
}

// String returns the version as "major.minor", for example "5.8".
func (v Version) String() string { return fmt.Sprintf("%d.%d", v.Major, v.Minor) }

// Less reports whether v is an older protocol version than o.
func (v Version) Less(o Version) bool {
	if v.Major != o.Major {
		return v.Major < o.Major
	}
	return v.Minor < o.Minor
}

// AtLeast reports whether v is o or newer.
func (v Version) AtLeast(o Version) bool { return !v.Less(o) }

// IsZero reports whether v is the zero Version (no version negotiated).
func (v Version) IsZero() bool { return v == Version{} }

// Well-known versions, for readability where code names one.
var (
	V3_0 = Version{3, 0}
	V4_0 = Version{4, 0}
	V4_1 = Version{4, 1}
	V4_2 = Version{4, 2}
	V4_3 = Version{4, 3}
	V4_4 = Version{4, 4}
	V5_0 = Version{5, 0}
	V5_1 = Version{5, 1}
	V5_2 = Version{5, 2}
	V5_3 = Version{5, 3}
	V5_4 = Version{5, 4}
	V5_5 = Version{5, 5}
	V5_6 = Version{5, 6}
	V5_7 = Version{5, 7}
	V5_8 = Version{5, 8}
	V6_0 = Version{6, 0}
	V6_1 = Version{6, 1}
)

// SupportedVersions lists every protocol version boltrx speaks, newest first.
var SupportedVersions = []Version{
	V6_1, V6_0,
	V5_8, V5_7, V5_6, V5_5, V5_4, V5_3, V5_2, V5_1, V5_0,
	V4_4, V4_3, V4_2, V4_1, V4_0,
	V3_0,
}

// IsSupported reports whether v is one of SupportedVersions.
func IsSupported(v Version) bool {
	for _, s := range SupportedVersions {
		if s == v {
			return true
		}
	}
	return false
}
