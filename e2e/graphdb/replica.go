package graphdb

import (
	"context"
	"time"
)

// AccessMode says whether a transaction may write.
type AccessMode int

const (
	// ReadAccess transactions read the replica's applied state.
	ReadAccess AccessMode = iota
	// WriteAccess transactions run on the leader and may write.
	WriteAccess
)

// Replica is one cluster member's copy of a database: it has applied the
// commit log up to some transaction id. The leader's replica applies an
// entry when it commits; a follower applies it once commitTime+lag has
// passed on the store clock (checked lazily, whenever the replica is used).
type Replica struct {
	db     *Database
	member string

	// guarded by db.mu
	applied int64
	lag     time.Duration
	ownLag  bool
}

// Member returns the cluster member the replica belongs to.
func (r *Replica) Member() string { return r.member }

// Database returns the replicated database.
func (r *Replica) Database() *Database { return r.db }

// IsLeader reports whether this replica is the database's leader.
func (r *Replica) IsLeader() bool {
	r.db.mu.Lock()
	defer r.db.mu.Unlock()
	return r.db.leader == r
}

// SetLag gives this replica its own replication lag (instead of the
// store's default).
func (r *Replica) SetLag(d time.Duration) {
	r.db.mu.Lock()
	r.lag, r.ownLag = d, true
	r.db.mu.Unlock()
	r.db.notify()
}

// UseStoreLag makes the replica follow the store's default lag again.
func (r *Replica) UseStoreLag() {
	r.db.mu.Lock()
	r.ownLag = false
	r.db.mu.Unlock()
	r.db.notify()
}

// AppliedTxID returns the last transaction id the replica has applied.
func (r *Replica) AppliedTxID() int64 {
	r.db.mu.Lock()
	defer r.db.mu.Unlock()
	r.catchUpLocked(r.db.store.Now())
	return r.applied
}

// Bookmark returns the bookmark of the replica's applied state.
func (r *Replica) Bookmark() string { return FormatBookmark(r.db.name, r.AppliedTxID()) }

// catchUpLocked applies the log entries that are due at now.
func (r *Replica) catchUpLocked(now time.Time) {
	db := r.db
	if db.leader == r {
		r.applied = db.lastLocked()
		return
	}
	lag := r.lag
	if !r.ownLag {
		lag = db.store.Lag()
	}
	for r.applied < db.lastLocked() {
		if db.log[r.applied].CommitTime.Add(lag).After(now) {
			return
		}
		r.applied++
	}
}

// nextDueLocked returns when the first unapplied entry becomes due.
func (r *Replica) nextDueLocked() time.Time {
	lag := r.lag
	if !r.ownLag {
		lag = r.db.store.Lag()
	}
	return r.db.log[r.applied].CommitTime.Add(lag)
}

// waitPoll bounds one wait of WaitFor, so that a fake clock moved without
// Store.ClockAdvanced is still noticed.
const waitPoll = 20 * time.Millisecond

// WaitFor returns once the replica has applied the transaction of every
// bookmark naming this database (bookmarks of other databases are
// ignored). A malformed bookmark, or one naming a transaction the database
// never committed, fails with Neo.ClientError.Transaction.InvalidBookmark;
// when ctx ends first, it fails with
// Neo.TransientError.Transaction.BookmarkTimeout (wrapping ctx.Err()).
func (r *Replica) WaitFor(ctx context.Context, bookmarks []string) error {
	if ctx == nil {
		ctx = context.Background()
	}
	db := r.db
	var need int64
	for _, s := range bookmarks {
		bm, err := ParseBookmark(s)
		if err != nil {
			return err
		}
		if normalizeName(bm.Database) == db.name {
			need = max(need, bm.TxID)
		}
	}
	for {
		db.mu.Lock()
		if db.dropped {
			db.mu.Unlock()
			return databaseNotFound(db.name)
		}
		if need > db.lastLocked() {
			last := db.lastLocked()
			db.mu.Unlock()
			return newError(CodeInvalidBookmark, "Supplied bookmark names transaction %d of database '%s', which has only committed up to %d", need, db.name, last)
		}
		now := db.store.Now()
		r.catchUpLocked(now)
		if r.applied >= need {
			db.mu.Unlock()
			return nil
		}
		wait := r.nextDueLocked().Sub(now)
		changed := db.changed
		db.mu.Unlock()
		if err := ctx.Err(); err != nil {
			return bookmarkTimeout(db.name, need, err)
		}
		wait = min(max(wait, time.Millisecond), waitPoll)
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return bookmarkTimeout(db.name, need, ctx.Err())
		case <-changed:
		case <-timer.C:
		}
		timer.Stop()
	}
}

func bookmarkTimeout(db string, need int64, cause error) *Error {
	return &Error{
		Code:    CodeBookmarkTimeout,
		Message: "Database '" + db + "' not up to the requested version: " + FormatBookmark(db, need),
		cause:   cause,
	}
}

// Begin starts a transaction. A read transaction reads the replica's
// applied state as of now (call WaitFor first for causal consistency). A
// write transaction needs the leader's replica (else
// Neo.ClientError.Cluster.NotALeader); it takes the database's write lock
// at its first Run.
func (r *Replica) Begin(mode AccessMode) (*Tx, error) {
	db := r.db
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.dropped {
		return nil, databaseNotFound(db.name)
	}
	tx := &Tx{replica: r, db: db, mode: mode}
	if mode == WriteAccess {
		if db.leader != r {
			return nil, notALeader(db.name)
		}
		return tx, nil
	}
	r.catchUpLocked(db.store.Now())
	tx.snapshot = r.applied
	db.retainSnapshotLocked(tx.snapshot)
	return tx, nil
}
