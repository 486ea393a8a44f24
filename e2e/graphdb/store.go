package graphdb

import (
	"crypto/sha1"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// Options configure a Store.
type Options struct {
	// Clock returns the current time; nil means time.Now. Tests inject a
	// fake clock to control replication lag without sleeping.
	Clock func() time.Time
	// Lag is how long after a commit a follower replica applies it, unless
	// the replica has a lag of its own (Replica.SetLag).
	Lag time.Duration
}

// Store holds the named databases of a simulated cluster. It is safe for
// concurrent use.
type Store struct {
	clock func() time.Time

	mu  sync.Mutex
	lag time.Duration
	dbs map[string]*Database
}

// NewStore returns an empty store (the cluster creates "neo4j" and
// "system" itself).
func NewStore(opts Options) *Store {
	clock := opts.Clock
	if clock == nil {
		clock = time.Now
	}
	return &Store{clock: clock, lag: opts.Lag, dbs: make(map[string]*Database)}
}

// Now returns the store clock's time.
func (s *Store) Now() time.Time { return s.clock() }

// normalizeName lower-cases a database name: Neo4j database names are
// case-insensitive.
func normalizeName(name string) string { return strings.ToLower(name) }

// CreateDatabase creates an empty database. The name is case-insensitive;
// an existing name fails with Neo.ClientError.Database.ExistingDatabaseFound.
func (s *Store) CreateDatabase(name string) (*Database, error) {
	name = normalizeName(name)
	if name == "" || strings.ContainsAny(name, ": \t\n") {
		return nil, newError(CodeArgumentError, "invalid database name %q", name)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.dbs[name]; ok {
		return nil, newError(CodeDatabaseExists, "Failed to create the specified database '%s': Database already exists.", name)
	}
	db := newDatabase(s, name)
	s.dbs[name] = db
	return db, nil
}

// Database returns the named database, or an error with code
// Neo.ClientError.Database.DatabaseNotFound.
func (s *Store) Database(name string) (*Database, error) {
	name = normalizeName(name)
	s.mu.Lock()
	defer s.mu.Unlock()
	db, ok := s.dbs[name]
	if !ok {
		return nil, databaseNotFound(name)
	}
	return db, nil
}

// DropDatabase removes a database. Its open write transaction is rolled
// back; every later use of it or of its replicas fails with
// Neo.ClientError.Database.DatabaseNotFound.
func (s *Store) DropDatabase(name string) error {
	name = normalizeName(name)
	s.mu.Lock()
	db, ok := s.dbs[name]
	delete(s.dbs, name)
	s.mu.Unlock()
	if !ok {
		return databaseNotFound(name)
	}
	db.drop()
	return nil
}

// Databases returns the names of the databases, sorted.
func (s *Store) Databases() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	names := make([]string, 0, len(s.dbs))
	for n := range s.dbs {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// SetLag sets the default replication lag of follower replicas.
func (s *Store) SetLag(d time.Duration) {
	s.mu.Lock()
	s.lag = d
	dbs := s.databaseList()
	s.mu.Unlock()
	for _, db := range dbs {
		db.notify()
	}
}

// Lag returns the default replication lag.
func (s *Store) Lag() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lag
}

// ClockAdvanced wakes every Replica.WaitFor so that it reads the clock
// again. Call it after moving a fake clock forward; with the real clock it
// is not needed (waiters also poll).
func (s *Store) ClockAdvanced() {
	s.mu.Lock()
	dbs := s.databaseList()
	s.mu.Unlock()
	for _, db := range dbs {
		db.notify()
	}
}

func (s *Store) databaseList() []*Database {
	out := make([]*Database, 0, len(s.dbs))
	for _, db := range s.dbs {
		out = append(out, db)
	}
	return out
}

func databaseNotFound(name string) *Error {
	return newError(CodeDatabaseNotFound, "Database does not exist. Database name: '%s'.", name)
}

// databaseUUID derives a stable, UUID-shaped identifier from a database
// name for element ids.
func databaseUUID(name string) string {
	h := sha1.Sum([]byte("boltrx-graphdb:" + name))
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}
