package graphdb

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// fakeClock is a manually advanced clock for lag tests.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// newTestDB returns a store with one database "neo4j" and its leader
// replica on member "core1".
func newTestDB(t testing.TB) (*Store, *Database, *Replica) {
	t.Helper()
	s := NewStore(Options{})
	db, err := s.CreateDatabase("neo4j")
	if err != nil {
		t.Fatal(err)
	}
	return s, db, db.Replica("core1")
}

// run executes one query in its own transaction and commits it.
func run(t testing.TB, r *Replica, mode AccessMode, query string, params map[string]any) *Result {
	t.Helper()
	res, _, err := tryRun(r, mode, query, params)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return res
}

// write runs a query in a write transaction and commits it.
func write(t testing.TB, r *Replica, query string, params map[string]any) *Result {
	t.Helper()
	return run(t, r, WriteAccess, query, params)
}

// read runs a query in a read transaction.
func read(t testing.TB, r *Replica, query string, params map[string]any) *Result {
	t.Helper()
	return run(t, r, ReadAccess, query, params)
}

// tryRun runs a query in its own transaction; it returns the bookmark.
func tryRun(r *Replica, mode AccessMode, query string, params map[string]any) (*Result, string, error) {
	tx, err := r.Begin(mode)
	if err != nil {
		return nil, "", err
	}
	res, err := tx.Run(context.Background(), query, params)
	if err != nil {
		return nil, "", err
	}
	bm, err := tx.Commit()
	return res, bm, err
}

// errCode returns the code of an *Error, or "" for nil / other errors.
func errCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}
