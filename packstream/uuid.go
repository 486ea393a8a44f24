package packstream

import (
	"encoding/hex"
	"fmt"
)

// UUID is the native UUID value of Bolt 6.1: 16 bytes in network order.
//
// Wire form: the marker byte 0xE0 followed by the 16 bytes, no size and no
// structure. This is not in the Bolt documentation snapshot this package
// was written from; it is what the Neo4j drivers implementing Bolt 6.1
// send (Python driver's PackStream v2 packer, .NET driver PR #928, Ruby
// driver PR #443). PackStream v1 reserves 0xE0, so the marker is only
// accepted and written when Dialect.UUIDs is set.
type UUID [16]byte

// String returns the canonical form, e.g. 123e4567-e89b-12d3-a456-426614174000.
func (u UUID) String() string {
	var b [36]byte
	u.appendTo(b[:0])
	return string(b[:])
}

func (u UUID) appendTo(b []byte) []byte {
	const digits = "0123456789abcdef"
	for i, c := range u {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			b = append(b, '-')
		}
		b = append(b, digits[c>>4], digits[c&0x0F])
	}
	return b
}

// MarshalText returns the canonical form.
func (u UUID) MarshalText() ([]byte, error) {
	return u.appendTo(make([]byte, 0, 36)), nil
}

// UnmarshalText parses what ParseUUID accepts.
func (u *UUID) UnmarshalText(text []byte) error {
	v, err := ParseUUID(string(text))
	if err != nil {
		return err
	}
	*u = v
	return nil
}

// ParseUUID parses the canonical hyphenated form (8-4-4-4-12 hex digits,
// either case) or the same 32 hex digits without hyphens. The error wraps
// ErrInvalidValue.
func ParseUUID(s string) (UUID, error) {
	var u UUID
	var digits [32]byte
	switch len(s) {
	case 36:
		if s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
			return u, parseUUIDError(s)
		}
		copy(digits[0:8], s[0:8])
		copy(digits[8:12], s[9:13])
		copy(digits[12:16], s[14:18])
		copy(digits[16:20], s[19:23])
		copy(digits[20:32], s[24:36])
	case 32:
		copy(digits[:], s)
	default:
		return u, parseUUIDError(s)
	}
	if _, err := hex.Decode(u[:], digits[:]); err != nil {
		return UUID{}, parseUUIDError(s)
	}
	return u, nil
}

func parseUUIDError(s string) error {
	if len(s) > 40 {
		s = s[:40] + "..."
	}
	return fmt.Errorf("%w: UUID %q: want 32 hex digits, optionally hyphenated 8-4-4-4-12", ErrInvalidValue, s)
}
