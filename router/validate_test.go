package router

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/boltrx/boltrx/bolt"
)

func TestValidateTable(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		table   *bolt.RoutingTable
		reason  string // "" = valid
		readers []string
	}{
		{"valid", rt(300, "x", list("r:7687"), list("a:7687"), list("w:7687")), "", list("a:7687")},
		{"no writers is valid", rt(300, "x", list("r:7687"), list("a:7687"), nil), "", list("a:7687")},
		{"nil table", nil, "no table in the answer", nil},
		{"no routers", rt(300, "x", nil, list("a:7687"), list("w:7687")), "no routers", nil},
		{"empty routers", rt(300, "x", list(), list("a:7687"), list("w:7687")), "no routers", nil},
		{"no readers", rt(300, "x", list("r:7687"), nil, list("w:7687")), "no readers", nil},
		{"negative ttl", rt(-1, "x", list("r:7687"), list("a:7687"), nil), "negative TTL -1", nil},
		{"bad port", rt(300, "x", list("r:7687"), list("a:99999"), nil), "READ server: address \"a:99999\" has an invalid port", nil},
		{"empty address", rt(300, "x", list(""), list("a:7687"), nil), "ROUTE server: empty address", nil},
		{"two colons", rt(300, "x", list("r:7687"), list("a:b:c"), nil), "READ server: address \"a:b:c\" is not host:port", nil},
		{"no host", rt(300, "x", list("r:7687"), list(":7687"), nil), "READ server: address \":7687\" has no host", nil},
		{"space in host", rt(300, "x", list("r:7687"), list("a b:7687"), nil), "has a character", nil},
		{"duplicates and default port", rt(300, "x", list("r:7687"), list("a", "a:7687", "[::1]", "[::1]:7687"), nil), "", list("a:7687", "[::1]:7687")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := validateTable("r0:7687", "", tc.table, now)
			if tc.reason == "" {
				if err != nil {
					t.Fatal(err)
				}
				if !equal(got.Readers, tc.readers) || got.Database != "x" {
					t.Fatalf("table %+v", got)
				}
				return
			}
			var ite *InvalidTableError
			if !errors.As(err, &ite) || !errors.Is(err, ErrInvalidTable) || ite.Router != "r0:7687" {
				t.Fatalf("err = %v, want an InvalidTableError from r0", err)
			}
			if !strings.Contains(ite.Reason, tc.reason) {
				t.Fatalf("reason %q, want %q", ite.Reason, tc.reason)
			}
		})
	}
}

func TestValidateTableTTLAndName(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	got, err := validateTable("r", "asked", rt(1<<62, "answered", list("r:1"), list("a:1"), nil), now)
	if err != nil {
		t.Fatal(err)
	}
	if got.Database != "asked" {
		t.Fatalf("database %q: a table is filed under the name asked for", got.Database)
	}
	if got.TTL != maxTTL || !got.Expires.Equal(now.Add(maxTTL)) {
		t.Fatalf("huge TTL gave %v, expires %v", got.TTL, got.Expires)
	}
	got, err = validateTable("r", "", rt(0, "h", list("r:1"), list("a:1"), nil), now)
	if err != nil || got.TTL != 0 || !got.Expires.Equal(now) || got.Database != "h" {
		t.Fatalf("zero TTL: %+v, %v", got, err)
	}
	ignored := rt(5, "", list("r:1"), list("a:1"), nil)
	ignored.Servers = append(ignored.Servers, bolt.RoutingServers{Role: "FUTURE", Addresses: list("???")})
	if _, err := validateTable("r", "", ignored, now); err != nil {
		t.Fatalf("unknown role: %v", err)
	}
}

func TestNormalizeAddress(t *testing.T) {
	good := map[string]string{
		"host:7687":       "host:7687",
		"host":            "host:7687",
		"10.0.0.1:1":      "10.0.0.1:1",
		"[::1]:9000":      "[::1]:9000",
		"[::1]":           "[::1]:7687",
		"[fe80::1%eth0]":  "[fe80::1%eth0]:7687",
		"a.b.example:443": "a.b.example:443",
	}
	for in, want := range good {
		if got, err := normalizeAddress(in); err != nil || got != want {
			t.Errorf("normalizeAddress(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range list("", ":", "host:", "host:0", "host:65536", "host:+1", "host:01", "::1", "[::1", "a/b:1", "a@b:1", "h:p", "\x00:1") {
		if got, err := normalizeAddress(bad); err == nil {
			t.Errorf("normalizeAddress(%q) = %q, want an error", bad, got)
		}
	}
}

// FuzzValidateTable feeds arbitrary answers to the validation: it must
// never panic, and a table it accepts must be usable.
func FuzzValidateTable(f *testing.F) {
	f.Add(int64(300), "db", "r:7687", "a:7687,b:7687", "w:7687")
	f.Add(int64(-5), "", "", "", "")
	f.Add(int64(1<<62), "x", "[::1]", "a", "")
	f.Add(int64(0), "y", "r:1,r:1", "host:65536", "a b")
	f.Fuzz(func(t *testing.T, ttl int64, db, routers, readers, writers string) {
		split := func(s string) []string {
			if s == "" {
				return nil
			}
			return strings.Split(s, ",")
		}
		now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
		got, err := validateTable("r", "", rt(ttl, db, split(routers), split(readers), split(writers)), now)
		if err != nil {
			if !errors.Is(err, ErrInvalidTable) {
				t.Fatalf("error %v does not wrap ErrInvalidTable", err)
			}
			return
		}
		if len(got.Routers) == 0 || len(got.Readers) == 0 || got.TTL < 0 || got.Expires.Before(now) {
			t.Fatalf("accepted an unusable table %+v", got)
		}
		for _, role := range [][]string{got.Routers, got.Readers, got.Writers} {
			for _, a := range role {
				if again, err := normalizeAddress(a); err != nil || again != a {
					t.Fatalf("accepted address %q does not normalize to itself (%q, %v)", a, again, err)
				}
			}
		}
	})
}
