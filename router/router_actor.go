package router

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// routerActor is the parent of the database actors: it creates them (so
// they are its children whatever goroutine asks), drops unused ones, and
// its stop stops them all.
type routerActor struct {
	r *Router
}

// routerActorProps stops, rather than restarts, a database actor that
// fails: its waiters then look the database up again and get a new one.
func routerActorProps(r *Router) *actor.Props {
	stopFailed := actor.NewOneForOneStrategy(0, 0, func(any) actor.Directive { return actor.StopDirective })
	return actor.PropsFromProducer(func() actor.Actor { return &routerActor{r: r} }, actor.WithSupervisor(stopFailed))
}

func (a *routerActor) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *spawnEntry:
		e, _ := a.entryFor(ctx, m.key, nil, a.r.cfg.Now())
		m.reply <- e
	case *installFor:
		a.install(ctx, m)
	case *purgeUnused:
		a.purge(ctx, m)
		close(m.done)
	case *actor.Stopped:
		close(a.r.actorDone)
	}
}

// entryFor returns key's entry, spawning its actor (with snap as its
// first table, last used at usedAt) when missing; nil once the router is
// closed.
func (a *routerActor) entryFor(ctx actor.Context, key entryKey, snap *snapshot, usedAt time.Time) (e *entry, created bool) {
	r := a.r
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil, false
	}
	if e := r.entries[key]; e != nil {
		return e, false
	}
	e = &entry{key: key, done: make(chan struct{})}
	e.lastUsed.Store(usedAt.UnixNano())
	if snap != nil {
		e.snap.Store(snap)
	}
	e.pid = ctx.Spawn(actor.PropsFromProducer(func() actor.Actor { return &databaseActor{r: r, e: e} }))
	r.entries[key] = e
	return e, true
}

// install files a home database lookup's table, answers its waiters and
// stops the lookup's actor.
// An existing entry gets the table through its actor (which owns it); the
// waiters' next messages to that actor queue behind it.
func (a *routerActor) install(ctx actor.Context, m *installFor) {
	rep := refreshReply{snap: m.snap}
	e, created := a.entryFor(ctx, entryKey{database: m.database}, m.snap, m.usedAt)
	switch {
	case e == nil:
		rep = refreshReply{err: ErrClosed}
	case !created:
		touch(&e.lastUsed, m.usedAt)
		ctx.Send(e.pid, &installTable{snap: m.snap})
	}
	for _, w := range m.waiters {
		w.reply <- rep
	}
	// Stopped only now: a waiter seeing the lookup's actor gone finds
	// its answer already there.
	ctx.Stop(m.lookup)
}

// purge stops the database actors and forgets the home database names
// not used since the cutoff. Home database lookups in flight end on their
// own and are kept.
func (a *routerActor) purge(ctx actor.Context, m *purgeUnused) {
	r := a.r
	cutoff := m.cutoff.UnixNano()
	r.mu.Lock()
	defer r.mu.Unlock()
	for k, e := range r.entries {
		if !k.home && e.lastUsed.Load() < cutoff {
			delete(r.entries, k)
			ctx.Stop(e.pid)
		}
	}
	for k, h := range r.home {
		if h.lastUsed.Load() < cutoff {
			delete(r.home, k)
		}
	}
}
