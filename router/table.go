package router

import (
	"slices"
	"sync/atomic"
	"time"
)

// Table is a copy of one database's routing table, for inspection.
type Table struct {
	// Database is the database the table is for ("" when the server did
	// not name the home database, before Bolt 4.4).
	Database string
	Routers  []string
	Readers  []string
	Writers  []string
	// TTL is how long the server said the table stays valid; Expires is
	// when it stops being valid.
	TTL     time.Duration
	Expires time.Time
}

// snapshot is the published, immutable state of a table. Selections read
// it without locks; edits (Forget, ForgetWriter) publish a new snapshot
// sharing the rotation cursors, so rotation continues where it was.
type snapshot struct {
	table        Table
	readCursor   *atomic.Uint64
	writeCursor  *atomic.Uint64
	fetchedEmpty bool // the router sent no writers
}

func newSnapshot(t Table) *snapshot {
	return &snapshot{
		table:        t,
		readCursor:   new(atomic.Uint64),
		writeCursor:  new(atomic.Uint64),
		fetchedEmpty: len(t.Writers) == 0,
	}
}

// servers returns the servers of a mode.
func (s *snapshot) servers(mode AccessMode) []string {
	if mode == Write {
		return s.table.Writers
	}
	return s.table.Readers
}

// freshFor reports whether the table can serve mode at now: not expired,
// with at least one router and one server of the mode.
func (s *snapshot) freshFor(mode AccessMode, now time.Time) bool {
	return s != nil && now.Before(s.table.Expires) && len(s.table.Routers) > 0 && len(s.servers(mode)) > 0
}

// pick selects a server of the mode; ok is false when there is none.
func (s *snapshot) pick(mode AccessMode, load func(string) int) (string, bool) {
	cursor := s.readCursor
	if mode == Write {
		cursor = s.writeCursor
	}
	return leastConnected(s.servers(mode), cursor, load)
}

// withoutServer returns a copy without address in any role, or s itself
// when address is not in the table.
func (s *snapshot) withoutServer(address string) *snapshot {
	t := s.table
	if !slices.Contains(t.Routers, address) && !slices.Contains(t.Readers, address) && !slices.Contains(t.Writers, address) {
		return s
	}
	t.Routers = without(t.Routers, address)
	t.Readers = without(t.Readers, address)
	t.Writers = without(t.Writers, address)
	return s.edited(t)
}

// withoutWriter returns a copy without address among the writers, or s
// itself when it is no writer.
func (s *snapshot) withoutWriter(address string) *snapshot {
	if !slices.Contains(s.table.Writers, address) {
		return s
	}
	t := s.table
	t.Writers = without(t.Writers, address)
	return s.edited(t)
}

func (s *snapshot) edited(t Table) *snapshot {
	return &snapshot{table: t, readCursor: s.readCursor, writeCursor: s.writeCursor, fetchedEmpty: s.fetchedEmpty}
}

// copyTable returns a Table whose slices the caller may keep.
func (s *snapshot) copyTable() Table {
	t := s.table
	t.Routers = slices.Clone(t.Routers)
	t.Readers = slices.Clone(t.Readers)
	t.Writers = slices.Clone(t.Writers)
	return t
}

// without returns a new slice without address (never edits list: other
// snapshots share it).
func without(list []string, address string) []string {
	out := make([]string, 0, len(list))
	for _, a := range list {
		if a != address {
			out = append(out, a)
		}
	}
	return out
}
