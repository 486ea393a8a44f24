package router

import (
	"sync/atomic"

	"github.com/asynkron/protoactor-go/actor"
)

// entryKey names what an actor holds: a database's table, or a home
// database lookup in flight for one (user, impersonated user).
type entryKey struct {
	database     string
	home         bool
	user         string
	impersonated string
}

// entry is the router's handle on one database actor. The actor is the
// only writer of snap; selections read it without locks.
type entry struct {
	key      entryKey
	pid      *actor.PID
	snap     atomic.Pointer[snapshot]
	lastUsed atomic.Int64 // Config.Now in Unix nanoseconds
	waiting  atomic.Int32 // callers waiting for the refresh under way
	done     chan struct{}
}

// homeKey keys the home database cache.
type homeKey struct {
	user         string
	impersonated string
}

// homeName is a cached home database name.
type homeName struct {
	database string
	lastUsed atomic.Int64
}
