package server

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/boltrx/boltrx/bolt"
)

// ParseVersions reads a version choice for command-line flags: "" or
// "all" (every supported version), "4.4" (one version) or "4.0-5.8" (a
// range, either order). The result is newest first.
func ParseVersions(s string) ([]bolt.Version, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "all" {
		return VersionRange(bolt.V3_0, bolt.SupportedVersions[0]), nil
	}
	lo, hi, isRange := strings.Cut(s, "-")
	if !isRange {
		hi = lo
	}
	a, err := parseVersion(lo)
	if err != nil {
		return nil, err
	}
	b, err := parseVersion(hi)
	if err != nil {
		return nil, err
	}
	if b.Less(a) {
		a, b = b, a
	}
	out := VersionRange(a, b)
	if len(out) == 0 {
		return nil, fmt.Errorf("server: no supported protocol version in %q", s)
	}
	return out, nil
}

func parseVersion(s string) (bolt.Version, error) {
	major, minor, ok := strings.Cut(strings.TrimSpace(s), ".")
	if !ok {
		return bolt.Version{}, fmt.Errorf("server: version %q is not major.minor", s)
	}
	ma, err1 := strconv.ParseUint(major, 10, 8)
	mi, err2 := strconv.ParseUint(minor, 10, 8)
	if err1 != nil || err2 != nil {
		return bolt.Version{}, fmt.Errorf("server: version %q is not major.minor", s)
	}
	v := bolt.Version{Major: uint8(ma), Minor: uint8(mi)}
	if !bolt.IsSupported(v) {
		return bolt.Version{}, fmt.Errorf("server: protocol version %v is not supported", v)
	}
	return v, nil
}
