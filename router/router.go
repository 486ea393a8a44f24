package router

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// Router holds the routing tables of one driver, one actor per database.
// Its methods are safe for concurrent use.
type Router struct {
	cfg       Config
	sys       *actor.ActorSystem
	pid       *actor.PID    // the router actor, parent of the database actors
	actorDone chan struct{} // closed when the router actor stopped

	life      context.Context // cancelled by Close: ends every refresh
	stopLife  context.CancelFunc
	refreshes sync.WaitGroup // refresh goroutines
	closeOnce sync.Once

	mu      sync.RWMutex
	entries map[entryKey]*entry
	home    map[homeKey]*homeName
	closed  bool

	lastPurge atomic.Int64 // Config.Now of the last purge, Unix nanoseconds
}

// New starts a Router: its actor is spawned under parent (nil: the
// system's root). When parent is an actor's context, call New from that
// actor's Receive. Call Close before shutting the actor system down.
func New(sys *actor.ActorSystem, parent actor.SpawnerContext, cfg Config) *Router {
	r := &Router{
		cfg:       cfg.withDefaults(),
		sys:       sys,
		actorDone: make(chan struct{}),
		entries:   make(map[entryKey]*entry),
		home:      make(map[homeKey]*homeName),
	}
	r.life, r.stopLife = context.WithCancel(context.Background())
	r.lastPurge.Store(r.cfg.Now().UnixNano())
	if parent == nil {
		parent = sys.Root
	}
	r.pid = parent.Spawn(routerActorProps(r))
	return r
}

// Select returns a server for mode in the table of req.Database, and the
// database it chose for: req.Database, or the home database's name when
// req.Database is "" (cached per user and impersonated user). A table
// that is expired, has no routers or has no server for mode is refreshed
// first; concurrent callers share one refresh. Errors: *UnavailableError
// (no router answered), the Fetcher's error for fatal ones (wrapped in a
// *FetchError), *NoServersError (a fresh table still lacks a server for
// mode), ErrClosed, or ctx's error.
func (r *Router) Select(ctx context.Context, mode AccessMode, req Request) (address string, database string, err error) {
	snap, err := r.tableFor(ctx, mode, req, false)
	if err != nil {
		return "", "", err
	}
	database = snap.table.Database
	address, ok := snap.pick(mode, r.cfg.Load)
	if !ok {
		return "", database, &NoServersError{Database: database, Mode: mode}
	}
	return address, database, nil
}

// Refresh fetches req.Database's table now, even when it is fresh (a
// refresh already under way is joined). For req.Database "" it refreshes
// the cached home database's table, or looks the home database up.
func (r *Router) Refresh(ctx context.Context, req Request) error {
	_, err := r.tableFor(ctx, Read, req, true)
	return err
}

// Readers fetches req.Database's table now, like Refresh, and returns
// its readers (in the table's order) and the database it is for. A table
// without readers is a *NoServersError.
func (r *Router) Readers(ctx context.Context, req Request) (readers []string, database string, err error) {
	snap, err := r.tableFor(ctx, Read, req, true)
	if err != nil {
		return nil, "", err
	}
	database = snap.table.Database
	if len(snap.table.Readers) == 0 {
		return nil, database, &NoServersError{Database: database, Mode: Read}
	}
	return slices.Clone(snap.table.Readers), database, nil
}

// tableFor returns a table fresh for mode (or just fetched, when force).
func (r *Router) tableFor(ctx context.Context, mode AccessMode, req Request, force bool) (*snapshot, error) {
	now := r.cfg.Now()
	r.purgeIfDue(now)
	for {
		if err := ctx.Err(); err != nil {
			return nil, context.Cause(ctx)
		}
		key := r.keyFor(req, now)
		e, err := r.entryFor(ctx, key)
		if err != nil {
			return nil, err
		}
		touch(&e.lastUsed, now)
		if !force && !key.home {
			if s := e.snap.Load(); s.freshFor(mode, now) {
				return s, nil
			}
		}
		rep, err := r.ask(ctx, e, &refreshRequest{ctx: ctx, mode: mode, req: req, force: force})
		switch {
		case err != nil:
			return nil, err
		case rep.retry:
			continue
		case rep.err != nil:
			return nil, rep.err
		}
		return rep.snap, nil
	}
}

// keyFor returns the entry a request works with: its database, the
// cached home database, or a home database lookup.
func (r *Router) keyFor(req Request, now time.Time) entryKey {
	if req.Database != "" {
		return entryKey{database: req.Database}
	}
	hk := homeKey{user: req.User, impersonated: req.ImpersonatedUser}
	if !req.RefreshHome {
		r.mu.RLock()
		h := r.home[hk]
		r.mu.RUnlock()
		if h != nil {
			touch(&h.lastUsed, now)
			return entryKey{database: h.database}
		}
	}
	return entryKey{home: true, user: hk.user, impersonated: hk.impersonated}
}

// entryFor returns key's entry, asking the router actor to create it
// when missing.
func (r *Router) entryFor(ctx context.Context, key entryKey) (*entry, error) {
	r.mu.RLock()
	e, closed := r.entries[key], r.closed
	r.mu.RUnlock()
	if closed {
		return nil, ErrClosed
	}
	if e != nil {
		return e, nil
	}
	reply := make(chan *entry, 1)
	r.sys.Root.Send(r.pid, &spawnEntry{key: key, reply: reply})
	select {
	case e := <-reply:
		if e == nil {
			return nil, ErrClosed
		}
		return e, nil
	case <-r.actorDone:
		return nil, ErrClosed
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	}
}

// ask sends a refresh request to a database actor and waits for the
// answer; a caller that gives up tells the actor.
func (r *Router) ask(ctx context.Context, e *entry, m *refreshRequest) (refreshReply, error) {
	m.reply = make(chan refreshReply, 1)
	r.sys.Root.Send(e.pid, m)
	select {
	case rep := <-m.reply:
		return rep, nil
	case <-e.done:
		select {
		case rep := <-m.reply:
			return rep, nil
		default:
		}
		if r.isClosed() {
			return refreshReply{}, ErrClosed
		}
		return refreshReply{retry: true}, nil
	case <-ctx.Done():
		r.sys.Root.Send(e.pid, &abandonRequest{request: m})
		return refreshReply{}, context.Cause(ctx)
	}
}

// Forget removes address from every role of every table: a connection to
// it failed. Selections after Forget returns do not pick it.
func (r *Router) Forget(address string) {
	r.tell(r.tableEntries(), func(ack chan struct{}) any { return &forgetServer{address: address, ack: ack} })
}

// ForgetWriter removes address from the writers of database's table: the
// member said it is no leader (NotALeader, ForbiddenOnReadOnlyDatabase).
func (r *Router) ForgetWriter(database, address string) {
	r.tell(r.tableEntry(database), func(ack chan struct{}) any { return &forgetWriter{address: address, ack: ack} })
}

// ForgetDatabase drops database's table (DatabaseNotFound and the like),
// and every cached home database name naming it.
func (r *Router) ForgetDatabase(database string) {
	r.forgetHomeNames(database)
	r.tell(r.tableEntry(database), func(ack chan struct{}) any { return &dropTable{ack: ack} })
}

// forgetHomeNames removes the cached home database names naming
// database: the next session of those users looks its home up again.
func (r *Router) forgetHomeNames(database string) {
	r.mu.Lock()
	for k, h := range r.home {
		if h.database == database {
			delete(r.home, k)
		}
	}
	r.mu.Unlock()
}

// tell sends a message to each entry's actor and waits until each has
// handled it or stopped.
func (r *Router) tell(entries []*entry, message func(ack chan struct{}) any) {
	acks := make([]chan struct{}, len(entries))
	for i, e := range entries {
		acks[i] = make(chan struct{})
		r.sys.Root.Send(e.pid, message(acks[i]))
	}
	for i, e := range entries {
		select {
		case <-acks[i]:
		case <-e.done:
		}
	}
}

func (r *Router) tableEntries() []*entry {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]*entry, 0, len(r.entries))
	for k, e := range r.entries {
		if !k.home {
			out = append(out, e)
		}
	}
	return out
}

func (r *Router) tableEntry(database string) []*entry {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if e := r.entries[entryKey{database: database}]; e != nil {
		return []*entry{e}
	}
	return nil
}

// Table returns a copy of database's table; false when there is none
// (never fetched, dropped, or its first refresh still under way).
func (r *Router) Table(database string) (Table, bool) {
	for _, e := range r.tableEntry(database) {
		if s := e.snap.Load(); s != nil {
			return s.copyTable(), true
		}
	}
	return Table{}, false
}

// Databases returns the databases the router holds an entry for, sorted.
func (r *Router) Databases() []string {
	r.mu.RLock()
	out := make([]string, 0, len(r.entries))
	for k := range r.entries {
		if !k.home {
			out = append(out, k.database)
		}
	}
	r.mu.RUnlock()
	slices.Sort(out)
	return out
}

// SetHomeDatabase caches database as the home database of user working
// as impersonatedUser ("" removes the entry); the driver calls it when a
// server names the home database (the "db" in a BEGIN or RUN SUCCESS).
func (r *Router) SetHomeDatabase(user, impersonatedUser, database string) {
	k := homeKey{user: user, impersonated: impersonatedUser}
	r.mu.Lock()
	defer r.mu.Unlock()
	if database == "" {
		delete(r.home, k)
		return
	}
	r.setHomeLocked(k, database)
}

func (r *Router) setHomeLocked(k homeKey, database string) {
	h := &homeName{database: database}
	h.lastUsed.Store(r.cfg.Now().UnixNano())
	r.home[k] = h
}

// HomeDatabase returns the cached home database of user working as
// impersonatedUser.
func (r *Router) HomeDatabase(user, impersonatedUser string) (string, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if h := r.home[homeKey{user: user, impersonated: impersonatedUser}]; h != nil {
		return h.database, true
	}
	return "", false
}

// Purge drops now the tables and cached home database names that were not
// used for Config.PurgeAfter (Select does so on its own every
// PurgeAfter/2).
func (r *Router) Purge() {
	if r.cfg.PurgeAfter < 0 {
		return
	}
	now := r.cfg.Now()
	r.lastPurge.Store(now.UnixNano())
	r.purge(now.Add(-r.cfg.PurgeAfter))
}

func (r *Router) purgeIfDue(now time.Time) {
	if r.cfg.PurgeAfter < 0 {
		return
	}
	last := r.lastPurge.Load()
	if now.UnixNano()-last < int64(r.cfg.PurgeAfter/2) || !r.lastPurge.CompareAndSwap(last, now.UnixNano()) {
		return
	}
	r.purge(now.Add(-r.cfg.PurgeAfter))
}

func (r *Router) purge(cutoff time.Time) {
	done := make(chan struct{})
	r.sys.Root.Send(r.pid, &purgeUnused{cutoff: cutoff, done: done})
	select {
	case <-done:
	case <-r.actorDone:
	}
}

// Close stops every actor of the router, cancels the refreshes under way
// and waits for their goroutines. Callers waiting in Select get ErrClosed.
func (r *Router) Close() {
	r.closeOnce.Do(func() {
		r.mu.Lock()
		r.closed = true
		r.mu.Unlock()
		r.stopLife()
		r.sys.Root.Stop(r.pid)
		<-r.actorDone
		r.refreshes.Wait()
	})
}

// touch records a use at now. Uses less than a second apart are not
// recorded again: purging needs no finer time, and selections on many
// cores then do not all write one cache line.
func touch(lastUsed *atomic.Int64, now time.Time) {
	n := now.UnixNano()
	if n-lastUsed.Load() >= int64(time.Second) {
		lastUsed.Store(n)
	}
}

func (r *Router) isClosed() bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.closed
}

// removeEntry forgets e if it is still key's entry.
func (r *Router) removeEntry(e *entry) {
	r.mu.Lock()
	if r.entries[e.key] == e {
		delete(r.entries, e.key)
	}
	r.mu.Unlock()
}
