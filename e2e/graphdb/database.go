package graphdb

import (
	"slices"
	"sync"
	"time"
)

// LogEntry is one committed write transaction of a database's commit log.
// The changes themselves live in the shared versioned graph, stamped with
// TxID; a replica "applies" an entry by moving its visibility horizon past
// TxID.
type LogEntry struct {
	TxID       int64
	CommitTime time.Time
	Stats      Counters
}

// Database is one named graph with its commit log and one Replica per
// cluster member.
type Database struct {
	store *Store
	name  string
	uuid  string
	g     *graph

	writeSem chan struct{} // held by the write transaction that has written

	mu        sync.Mutex // guards the fields below; taken after g.mu when both are needed
	log       []LogEntry
	replicas  map[string]*Replica
	leader    *Replica
	snapshots map[int64]int // open read transactions per snapshot
	changed   chan struct{} // closed and replaced on every change WaitFor cares about
	writer    *Tx
	dropped   bool
}

func newDatabase(s *Store, name string) *Database {
	return &Database{
		store:     s,
		name:      name,
		uuid:      databaseUUID(name),
		g:         newGraph(databaseUUID(name)),
		writeSem:  make(chan struct{}, 1),
		replicas:  make(map[string]*Replica),
		snapshots: make(map[int64]int),
		changed:   make(chan struct{}),
	}
}

// Name returns the database name.
func (db *Database) Name() string { return db.name }

// UUID returns the identifier used in element ids ("4:<uuid>:<id>").
func (db *Database) UUID() string { return db.uuid }

// Replica returns the replica of this database on a cluster member,
// creating it (caught up with the log) on first use. The first replica
// created becomes the leader until SetLeader names another.
func (db *Database) Replica(member string) *Replica {
	db.mu.Lock()
	defer db.mu.Unlock()
	if r, ok := db.replicas[member]; ok {
		return r
	}
	r := &Replica{db: db, member: member, applied: db.lastLocked()}
	db.replicas[member] = r
	if db.leader == nil {
		db.leader = r
	}
	return r
}

// Members returns the members that have a replica, sorted.
func (db *Database) Members() []string {
	db.mu.Lock()
	defer db.mu.Unlock()
	out := make([]string, 0, len(db.replicas))
	for m := range db.replicas {
		out = append(out, m)
	}
	slices.Sort(out)
	return out
}

// SetLeader makes member's replica the leader. Like a Raft leader it has
// every committed entry, so it catches up at once. A write transaction
// open on the previous leader is rolled back; its next call fails with
// Neo.ClientError.Cluster.NotALeader.
func (db *Database) SetLeader(member string) *Replica {
	r := db.Replica(member)
	db.g.mu.Lock()
	defer db.g.mu.Unlock()
	db.mu.Lock()
	db.leader = r
	r.applied = db.lastLocked()
	w := db.writer
	db.mu.Unlock()
	if w != nil && w.replica != r {
		w.abortLocked(notALeader(db.name))
	}
	db.notify()
	return r
}

// Leader returns the member whose replica leads, or "" before any replica
// exists.
func (db *Database) Leader() string {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.leader == nil {
		return ""
	}
	return db.leader.member
}

// LastTxID returns the id of the last committed transaction (0 when none).
func (db *Database) LastTxID() int64 {
	db.mu.Lock()
	defer db.mu.Unlock()
	return db.lastLocked()
}

// Bookmark returns the bookmark of the last committed transaction.
func (db *Database) Bookmark() string { return FormatBookmark(db.name, db.LastTxID()) }

// Log returns a copy of the commit log.
func (db *Database) Log() []LogEntry {
	db.mu.Lock()
	defer db.mu.Unlock()
	return slices.Clone(db.log)
}

func (db *Database) lastLocked() int64 { return int64(len(db.log)) }

// notify wakes the WaitFor calls of this database.
func (db *Database) notify() {
	db.mu.Lock()
	close(db.changed)
	db.changed = make(chan struct{})
	db.mu.Unlock()
}

// drop marks the database dropped and rolls back its write transaction.
func (db *Database) drop() {
	db.g.mu.Lock()
	defer db.g.mu.Unlock()
	db.mu.Lock()
	db.dropped = true
	w := db.writer
	db.mu.Unlock()
	if w != nil {
		w.abortLocked(databaseNotFound(db.name))
	}
	db.notify()
}

// lowWaterLocked returns the oldest snapshot anyone may still read: every
// replica's applied position and every open read transaction's snapshot.
func (db *Database) lowWaterLocked(now time.Time) int64 {
	low := db.lastLocked()
	for _, r := range db.replicas {
		r.catchUpLocked(now)
		low = min(low, r.applied)
	}
	for snap := range db.snapshots {
		low = min(low, snap)
	}
	return low
}

// retainSnapshot registers an open read transaction reading snapshot.
func (db *Database) retainSnapshotLocked(snap int64) { db.snapshots[snap]++ }

// releaseSnapshot unregisters an open read transaction.
func (db *Database) releaseSnapshot(snap int64) {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.snapshots[snap]--; db.snapshots[snap] <= 0 {
		delete(db.snapshots, snap)
	}
}

func notALeader(db string) *Error {
	return newError(CodeNotALeader, "No write operations are allowed on this database. This is a read only Neo4j instance (database %s).", db)
}
