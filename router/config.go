package router

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"time"

	"github.com/boltrx/boltrx/bolt"
)

// AccessMode says what a unit of work will do: read or write.
type AccessMode int

// The access modes.
const (
	Read AccessMode = iota
	Write
)

// String returns "READ" or "WRITE".
func (m AccessMode) String() string {
	switch m {
	case Read:
		return "READ"
	case Write:
		return "WRITE"
	}
	return "AccessMode(?)"
}

// Request says whose work a routing question is for.
type Request struct {
	// Database names the database; "" is the user's home database.
	Database string
	// ImpersonatedUser is the user the work runs as, "" for the
	// authenticated user.
	ImpersonatedUser string
	// Bookmarks are passed to the router so that its answer is at least
	// as recent as them (a database created in a bookmarked transaction
	// is known). When several callers wait for one refresh, the first
	// caller's bookmarks are sent.
	Bookmarks []string
	// BookmarksFor, when not nil, gives the bookmarks to send at the
	// moment a router is asked, in place of Bookmarks: a bookmark manager
	// is consulted only when a table is really fetched.
	BookmarksFor func(ctx context.Context) ([]string, error)
	// User is the authenticated principal; with ImpersonatedUser it keys
	// the home-database cache.
	User string
	// Auth is the caller's own credentials (a session's), which the
	// router passes to Fetch untouched; nil: the driver's.
	Auth any
	// RefreshHome, for Database "", ignores the cached home database and
	// asks a router again (the answer replaces the cached name). A driver
	// that resolves the home database per session, as servers without
	// server-side routing require, sets it on a session's first request.
	RefreshHome bool
}

// Fetcher asks one router (an address "host:port") for the routing table
// of req.Database; "" asks for the user's home database and the answer's
// Database field names it. The driver implements it with ROUTE (4.3+) or
// the routing procedures (older servers) over a connection of its pool.
// It must return once ctx is cancelled: Close waits for it.
type Fetcher func(ctx context.Context, router string, req Request) (*bolt.RoutingTable, error)

// DefaultPurgeAfter is the Config.PurgeAfter used when it is zero.
const DefaultPurgeAfter = time.Hour

// Config configures a Router.
type Config struct {
	// InitialRouter is the "host:port" of the neo4j:// URI.
	InitialRouter string
	// Resolve maps the initial router to the addresses to try, as the
	// user's address resolver does; nil tries the address itself. It is
	// called on every fallback to the initial router.
	Resolve func(address string) []string
	// LookupHost resolves a host name to IP addresses; nil uses
	// net.DefaultResolver.LookupHost. Every address Resolve gives whose
	// host is a name is looked up again on every fallback, so a router
	// whose IP address changed is found.
	LookupHost func(ctx context.Context, host string) ([]string, error)
	// Fetch asks one router for a table. Required.
	Fetch Fetcher
	// IsFatal reports the fetch errors that end a refresh at once instead
	// of trying the next router, as the driver rules require for
	// DatabaseNotFound, invalid bookmarks, invalid requests and security
	// errors (except AuthorizationExpired). nil: none; a cancelled
	// refresh ends at once either way.
	IsFatal func(error) bool
	// Load returns the connections in use to an address, for the
	// least-connected selection; nil counts every server as idle (pure
	// round robin).
	Load func(address string) int
	// Now is the clock; nil uses time.Now.
	Now func() time.Time
	// PurgeAfter is how long a database's table may go unselected before
	// it is dropped (checked at most every PurgeAfter/2, on a Select or
	// Purge). 0 means DefaultPurgeAfter (one hour); < 0 never purges. The
	// same bound applies to the home-database cache.
	PurgeAfter time.Duration
	// Log receives debug lines about refreshes; nil is silent.
	Log *slog.Logger
}

// withDefaults fills the optional fields.
func (c Config) withDefaults() Config {
	if c.LookupHost == nil {
		c.LookupHost = net.DefaultResolver.LookupHost
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.PurgeAfter == 0 {
		c.PurgeAfter = DefaultPurgeAfter
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	if c.Fetch == nil {
		c.Fetch = func(context.Context, string, Request) (*bolt.RoutingTable, error) {
			return nil, errNoFetcher
		}
	}
	return c
}

var errNoFetcher = errors.New("router: Config.Fetch is nil")
