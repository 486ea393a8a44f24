package router

import (
	"errors"
	"fmt"
	"strings"
)

// ErrClosed is returned by a Router after Close.
var ErrClosed = errors.New("router: closed")

// ErrNoRouters says there was no address to ask for a routing table: the
// address resolver, or DNS, returned nothing for the initial router. It is
// the cause inside a *ResolveError.
var ErrNoRouters = errors.New("router: no router address to ask for a routing table")

// ErrInvalidTable is wrapped by every *InvalidTableError.
var ErrInvalidTable = errors.New("router: invalid routing table")

// ErrNoServers is wrapped by every *NoServersError.
var ErrNoServers = errors.New("router: no server for the access mode")

// UnavailableError says no router gave a valid routing table for a
// database. Causes holds one error per router tried (a *FetchError or an
// *InvalidTableError) and per failed resolution (a *ResolveError), in the
// order they happened.
type UnavailableError struct {
	Database string
	Causes   []error
}

// Error describes the failure.
func (e *UnavailableError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "router: no routing table for %s", databaseLabel(e.Database))
	if len(e.Causes) == 0 {
		b.WriteString(": no router was tried")
		return b.String()
	}
	b.WriteString(": ")
	for i, c := range e.Causes {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(c.Error())
	}
	return b.String()
}

// Unwrap returns the causes, so errors.Is and errors.As see each of them.
func (e *UnavailableError) Unwrap() []error { return e.Causes }

// FetchError is one router's failure to answer.
type FetchError struct {
	Router string
	Err    error
}

// Error describes the failure.
func (e *FetchError) Error() string {
	return fmt.Sprintf("router %s: %v", e.Router, e.Err)
}

// Unwrap returns the Fetcher's error.
func (e *FetchError) Unwrap() error { return e.Err }

// InvalidTableError says a router answered with a table the driver must
// not use: no routers, no readers, an address that does not parse, a
// negative TTL. Tables without writers are valid (a cluster electing a
// leader sends them); they serve reads.
type InvalidTableError struct {
	Router string
	Reason string
}

// Error describes the failure.
func (e *InvalidTableError) Error() string {
	return fmt.Sprintf("router %s sent an invalid routing table: %s", e.Router, e.Reason)
}

// Unwrap returns ErrInvalidTable.
func (e *InvalidTableError) Unwrap() error { return ErrInvalidTable }

// ResolveError says the initial router's address could not be resolved
// to addresses to try: the address resolver returned none (Err is
// ErrNoRouters), or DNS failed.
type ResolveError struct {
	Address string
	Err     error
}

// Error describes the failure.
func (e *ResolveError) Error() string {
	return fmt.Sprintf("resolving the initial router %s: %v", e.Address, e.Err)
}

// Unwrap returns the cause.
func (e *ResolveError) Unwrap() error { return e.Err }

// NoServersError says a fresh routing table has no server for the access
// mode, typically no writer while the cluster elects a leader. The driver
// reports it as an expired session so that retries try again later.
type NoServersError struct {
	Database string
	Mode     AccessMode
}

// Error describes the failure.
func (e *NoServersError) Error() string {
	role := "reader"
	if e.Mode == Write {
		role = "writer"
	}
	return fmt.Sprintf("router: the routing table of %s has no %s", databaseLabel(e.Database), role)
}

// Unwrap returns ErrNoServers.
func (e *NoServersError) Unwrap() error { return ErrNoServers }

func databaseLabel(database string) string {
	if database == "" {
		return "the home database"
	}
	return fmt.Sprintf("database %q", database)
}
