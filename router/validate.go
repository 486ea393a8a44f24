package router

import (
	"fmt"
	"slices"
	"time"

	"github.com/boltrx/boltrx/bolt"
)

// maxTTL bounds a table's lifetime so that expiry arithmetic cannot
// overflow (servers may send Long.MAX_VALUE).
const maxTTL = 100 * 365 * 24 * time.Hour

// validateTable turns a router's answer into a table, or says why the
// driver must not use it. Tables without writers are valid; tables without
// routers or readers are not (the driver rules: a table without routers
// cannot be refreshed, one without readers is a cluster not ready yet).
// database is the name to file the table under; "" takes the answer's.
// Addresses are normalized and de-duplicated per role; unknown roles are
// ignored.
func validateTable(router, database string, rt *bolt.RoutingTable, now time.Time) (Table, error) {
	invalid := func(format string, args ...any) (Table, error) {
		return Table{}, &InvalidTableError{Router: router, Reason: fmt.Sprintf(format, args...)}
	}
	if rt == nil {
		return invalid("no table in the answer")
	}
	if rt.TTL < 0 {
		return invalid("negative TTL %d", rt.TTL)
	}
	t := Table{Database: database}
	if database == "" {
		t.Database = rt.Database
	}
	for _, s := range rt.Servers {
		var dst *[]string
		switch s.Role {
		case bolt.RoleRoute:
			dst = &t.Routers
		case bolt.RoleRead:
			dst = &t.Readers
		case bolt.RoleWrite:
			dst = &t.Writers
		default:
			continue
		}
		for _, a := range s.Addresses {
			norm, err := normalizeAddress(a)
			if err != nil {
				return invalid("%s server: %v", s.Role, err)
			}
			if !slices.Contains(*dst, norm) {
				*dst = append(*dst, norm)
			}
		}
	}
	if len(t.Routers) == 0 {
		return invalid("no routers")
	}
	if len(t.Readers) == 0 {
		return invalid("no readers")
	}
	t.TTL = maxTTL
	if rt.TTL < int64(maxTTL/time.Second) {
		t.TTL = time.Duration(rt.TTL) * time.Second
	}
	t.Expires = now.Add(t.TTL)
	return t, nil
}
