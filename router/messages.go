package router

import (
	"context"
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// Messages of a database actor.

// refreshRequest asks a database actor for a table fresh for mode,
// refreshing it when it is not (always, when force).
type refreshRequest struct {
	ctx   context.Context // values only: the refresh outlives a caller that gives up
	mode  AccessMode
	req   Request
	force bool
	reply chan refreshReply // buffered: the actor never blocks on it
}

// refreshReply answers a refreshRequest: a table, an error, or retry (the
// actor was stopping: look the database up again).
type refreshReply struct {
	snap  *snapshot
	err   error
	retry bool
}

// abandonRequest says the caller of a refreshRequest stopped waiting.
type abandonRequest struct{ request *refreshRequest }

// refreshDone carries a refresh's outcome from its goroutine back to the
// actor; gen tells it from a refresh that was given up.
type refreshDone struct {
	gen    uint64
	result discoveryResult
}

// forgetServer removes an address from every role of the table.
type forgetServer struct {
	address string
	ack     chan struct{}
}

// forgetWriter removes an address from the writers of the table.
type forgetWriter struct {
	address string
	ack     chan struct{}
}

// installTable replaces the table by one fetched elsewhere (a home
// database lookup).
type installTable struct{ snap *snapshot }

// dropTable retires the table and its actor.
type dropTable struct{ ack chan struct{} }

// Messages of the router actor.

// spawnEntry asks for the entry of key, created when missing; the reply
// is nil once the router is closed.
type spawnEntry struct {
	key   entryKey
	reply chan *entry
}

// installFor files a table fetched by a home database lookup under its
// database, creating the database's entry when missing, then answers the
// lookup's waiters and stops the lookup's actor.
type installFor struct {
	database string
	snap     *snapshot
	usedAt   time.Time // the lookup's time: the table's last use
	waiters  []*refreshRequest
	lookup   *actor.PID
}

// purgeUnused drops the tables and home database names unused since
// before cutoff.
type purgeUnused struct {
	cutoff time.Time
	done   chan struct{}
}
