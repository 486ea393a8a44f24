package router

import "github.com/asynkron/protoactor-go/actor"

// homeResolved records what a home database lookup found: the name goes
// into the cache, and the router actor files the table under the database
// (creating its entry when missing) before it answers the lookup's
// waiters, so that their next Select finds both. False: the router is
// closed, nothing was done.
func (r *Router) homeResolved(k homeKey, snap *snapshot, waiters []*refreshRequest, lookup *actor.PID) bool {
	now := r.cfg.Now()
	r.mu.Lock()
	closed := r.closed
	if !closed {
		r.setHomeLocked(k, snap.table.Database)
	}
	r.mu.Unlock()
	if closed {
		return false
	}
	r.sys.Root.Send(r.pid, &installFor{database: snap.table.Database, snap: snap, usedAt: now, waiters: waiters, lookup: lookup})
	return true
}
