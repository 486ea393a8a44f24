package bookmarks

import (
	"context"
	"sync"
)

// Manager keeps the bookmarks of many sessions so that each new
// transaction can start from all of them. The driver calls GetBookmarks
// before a transaction starts and UpdateBookmarks after it ends.
// Implementations must be safe for concurrent use.
type Manager interface {
	// GetBookmarks returns the bookmarks a new transaction should start
	// from. The order of the result carries no meaning.
	GetBookmarks(ctx context.Context) (Bookmarks, error)
	// UpdateBookmarks records that a transaction which started from
	// previous ended with the bookmarks current: the previous ones are no
	// longer needed, since current supersedes them.
	UpdateBookmarks(ctx context.Context, previous, current Bookmarks) error
}

// Config configures the manager NewManager returns.
type Config struct {
	// InitialBookmarks are the bookmarks the manager starts with.
	InitialBookmarks Bookmarks
	// BookmarkSupplier, if set, is called by every GetBookmarks and its
	// bookmarks are added to the result (but not stored). Use it to bring
	// in bookmarks from outside the process. An error fails GetBookmarks.
	BookmarkSupplier func(ctx context.Context) (Bookmarks, error)
	// BookmarkConsumer, if set, is called after every update that changed
	// the stored bookmarks, with the complete new set, e.g. to persist
	// it. Calls never overlap, and a set older than one already delivered
	// is not delivered. An error is returned from UpdateBookmarks; the
	// update itself stays in effect. The consumer must not call
	// UpdateBookmarks on the same manager.
	BookmarkConsumer func(ctx context.Context, bookmarks Bookmarks) error
}

// NewManager returns the standard Manager: it stores a minimal set of
// bookmarks, replacing the bookmarks a transaction started from with the
// ones it ended with.
func NewManager(config Config) Manager {
	m := &manager{
		bookmarks: make(map[string]struct{}, len(config.InitialBookmarks)),
		supplier:  config.BookmarkSupplier,
		consumer:  config.BookmarkConsumer,
	}
	for _, b := range config.InitialBookmarks {
		if b != "" {
			m.bookmarks[b] = struct{}{}
		}
	}
	return m
}

type manager struct {
	supplier func(context.Context) (Bookmarks, error)
	consumer func(context.Context, Bookmarks) error

	mu        sync.RWMutex
	bookmarks map[string]struct{}
	version   uint64 // counts updates; guarded by mu

	notifyMu  sync.Mutex // serializes consumer calls
	delivered uint64     // version of the last set given to the consumer; guarded by notifyMu
}

// GetBookmarks returns the stored bookmarks plus the supplier's.
func (m *manager) GetBookmarks(ctx context.Context) (Bookmarks, error) {
	var supplied Bookmarks
	if m.supplier != nil {
		var err error
		if supplied, err = m.supplier(ctx); err != nil {
			return nil, err
		}
	}
	m.mu.RLock()
	stored := m.snapshotLocked()
	m.mu.RUnlock()
	if len(supplied) == 0 {
		return stored, nil
	}
	return Combine(stored, supplied), nil
}

// UpdateBookmarks removes previous and adds current. Without current
// bookmarks (a transaction that produced none, e.g. a read on an old
// server) nothing changes and the consumer is not called.
func (m *manager) UpdateBookmarks(ctx context.Context, previous, current Bookmarks) error {
	if len(current) == 0 {
		return nil
	}
	m.mu.Lock()
	for _, b := range previous {
		delete(m.bookmarks, b)
	}
	for _, b := range current {
		if b != "" {
			m.bookmarks[b] = struct{}{}
		}
	}
	m.version++
	version := m.version
	var snapshot Bookmarks
	if m.consumer != nil {
		snapshot = m.snapshotLocked()
	}
	m.mu.Unlock()

	if m.consumer == nil {
		return nil
	}
	m.notifyMu.Lock()
	defer m.notifyMu.Unlock()
	if version < m.delivered {
		return nil // a newer set already went out
	}
	m.delivered = version
	return m.consumer(ctx, snapshot)
}

// snapshotLocked copies the stored bookmarks; m.mu must be held.
func (m *manager) snapshotLocked() Bookmarks {
	if len(m.bookmarks) == 0 {
		return nil
	}
	out := make(Bookmarks, 0, len(m.bookmarks))
	for b := range m.bookmarks {
		out = append(out, b)
	}
	return out
}
