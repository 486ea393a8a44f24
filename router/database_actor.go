package router

import (
	"context"
	"slices"

	"github.com/asynkron/protoactor-go/actor"
)

// databaseActor holds one database's table (or, for a home key, one home
// database lookup). It never blocks: a refresh runs on its own goroutine
// and reports back with refreshDone; callers that arrive meanwhile wait
// for that same refresh.
type databaseActor struct {
	r *Router
	e *entry

	waiters []*refreshRequest
	gen     uint64             // numbers the refreshes, to ignore given-up ones
	cancel  context.CancelFunc // of the refresh under way; nil when none
	retired bool               // removed from the router: refuse new work
}

func (a *databaseActor) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *refreshRequest:
		a.onRefresh(ctx, m)
	case *abandonRequest:
		a.onAbandon(ctx, m)
	case *refreshDone:
		a.onRefreshDone(ctx, m)
	case *forgetServer:
		if s := a.e.snap.Load(); s != nil {
			a.e.snap.Store(s.withoutServer(m.address))
		}
		close(m.ack)
	case *forgetWriter:
		if s := a.e.snap.Load(); s != nil {
			a.e.snap.Store(s.withoutWriter(m.address))
		}
		close(m.ack)
	case *installTable:
		if !a.retired {
			a.e.snap.Store(m.snap)
		}
	case *dropTable:
		a.retire(ctx)
		close(m.ack)
	case *actor.Stopping:
		// Also reached when the actor failed and its supervisor stops it:
		// the entry must go, or callers would keep finding a dead actor.
		a.retired = true
		a.r.removeEntry(a.e)
		a.stopRefresh()
		rep := refreshReply{retry: true}
		if a.r.life.Err() != nil {
			rep = refreshReply{err: ErrClosed}
		}
		a.answer(rep)
	case *actor.Stopped:
		close(a.e.done)
	}
}

func (a *databaseActor) onRefresh(ctx actor.Context, m *refreshRequest) {
	if a.retired {
		m.reply <- refreshReply{retry: true}
		return
	}
	if !m.force && !a.e.key.home {
		if s := a.e.snap.Load(); s.freshFor(m.mode, a.r.cfg.Now()) {
			m.reply <- refreshReply{snap: s}
			return
		}
	}
	a.waiters = append(a.waiters, m)
	a.e.waiting.Store(int32(len(a.waiters)))
	if a.cancel == nil {
		a.startRefresh(ctx, m)
	}
}

// startRefresh runs a discovery on its own goroutine. Its context keeps
// the first caller's values (tracing) but not its cancellation: it ends
// when every caller gave up or the router closes.
func (a *databaseActor) startRefresh(ctx actor.Context, first *refreshRequest) {
	a.gen++
	gen := a.gen
	fctx, cancel := context.WithCancel(context.WithoutCancel(first.ctx))
	unlink := context.AfterFunc(a.r.life, cancel)
	a.cancel = func() {
		unlink()
		cancel()
	}
	d := &discovery{cfg: &a.r.cfg, database: a.e.key.database, req: first.req}
	if s := a.e.snap.Load(); s != nil {
		d.known = s.table.Routers
		d.initialFirst = s.fetchedEmpty
	}
	a.r.cfg.Log.Debug("refreshing routing table", "database", a.e.key.database, "home", a.e.key.home, "known_routers", d.known)
	self, root, done := ctx.Self(), a.r.sys.Root, a.cancel
	a.r.refreshes.Add(1)
	go func() {
		defer a.r.refreshes.Done()
		result := d.run(fctx)
		done()
		root.Send(self, &refreshDone{gen: gen, result: result})
	}()
}

func (a *databaseActor) stopRefresh() {
	if a.cancel != nil {
		a.cancel()
		a.cancel = nil
	}
}

// onAbandon drops a waiter that gave up. A refresh nobody waits for any
// more is cancelled (a router that hangs must not hold the database's
// single flight forever), and an actor left with nothing retires.
func (a *databaseActor) onAbandon(ctx actor.Context, m *abandonRequest) {
	i := slices.Index(a.waiters, m.request)
	if i < 0 {
		return
	}
	a.waiters = slices.Delete(a.waiters, i, i+1)
	a.e.waiting.Store(int32(len(a.waiters)))
	if len(a.waiters) > 0 || a.cancel == nil {
		return
	}
	a.stopRefresh()
	if a.e.key.home || a.e.snap.Load() == nil {
		a.retire(ctx)
	}
}

func (a *databaseActor) onRefreshDone(ctx actor.Context, m *refreshDone) {
	if m.gen != a.gen || a.cancel == nil {
		return // given up
	}
	a.cancel = nil
	res := m.result
	key := a.e.key
	if a.r.life.Err() != nil {
		res = discoveryResult{err: ErrClosed} // the refresh was cut short by Close
	}
	if res.err != nil {
		a.r.cfg.Log.Debug("routing table refresh failed", "database", key.database, "home", key.home, "error", res.err)
		if key.home || !res.keepPrevious || a.e.snap.Load() == nil {
			a.retire(ctx)
		}
		if !key.home {
			// A home database that moved or was dropped must not keep
			// failing its users' sessions: they look it up again.
			a.r.forgetHomeNames(key.database)
		}
		a.answer(refreshReply{err: res.err})
		return
	}
	snap := newSnapshot(res.table)
	a.r.cfg.Log.Debug("routing table refreshed", "database", snap.table.Database, "ttl", snap.table.TTL,
		"routers", snap.table.Routers, "readers", snap.table.Readers, "writers", snap.table.Writers)
	if key.home {
		// The router actor answers the waiters once the table is filed,
		// then stops this actor; meanwhile new callers use the cache.
		a.detach()
		if a.r.homeResolved(homeKey{user: key.user, impersonated: key.impersonated}, snap, a.waiters, ctx.Self()) {
			a.waiters = nil
			a.e.waiting.Store(0)
			return
		}
		a.answer(refreshReply{err: ErrClosed})
		ctx.Stop(ctx.Self())
		return
	}
	a.e.snap.Store(snap)
	a.answer(refreshReply{snap: snap})
}

// answer replies to every waiter.
func (a *databaseActor) answer(rep refreshReply) {
	for _, w := range a.waiters {
		w.reply <- rep
	}
	a.waiters = nil
	a.e.waiting.Store(0)
}

// retire removes the entry from the router and stops the actor; waiters
// still queued are told to retry.
func (a *databaseActor) retire(ctx actor.Context) {
	if a.retired {
		return
	}
	a.detach()
	ctx.Stop(ctx.Self())
}

// detach removes the entry from the router: callers no longer find this
// actor, and requests already queued to it are told to retry.
func (a *databaseActor) detach() {
	a.retired = true
	a.r.removeEntry(a.e)
}
