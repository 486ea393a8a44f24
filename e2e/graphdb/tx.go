package graphdb

import (
	"context"
	"sync"
)

// Tx is a transaction on a replica. Its methods may be called from any
// goroutine but one at a time is the intended use (one Bolt connection).
// Any failing Run rolls the transaction back and closes it, as Neo4j does.
type Tx struct {
	replica *Replica
	db      *Database
	mode    AccessMode

	mu       sync.Mutex
	closed   bool
	snapshot int64 // read transactions: the applied id at Begin
	stats    Counters

	// guarded by db.g.mu (write transactions)
	w      *writeState // non-nil while the transaction holds the write lock
	killed *Error      // set when the transaction was rolled back from outside
}

// Mode returns the access mode the transaction was begun with.
func (tx *Tx) Mode() AccessMode { return tx.mode }

// Run parses and executes one query with its parameters. The result is
// complete when Run returns. A write query in a read transaction fails with
// Neo.ClientError.Statement.AccessMode. The first Run of a write
// transaction waits for the database's write lock until ctx ends (then
// Neo.TransientError.Transaction.LockAcquisitionTimeout).
func (tx *Tx) Run(ctx context.Context, query string, params map[string]any) (*Result, error) {
	tx.mu.Lock()
	defer tx.mu.Unlock()
	if tx.closed {
		return nil, txClosed()
	}
	if ctx == nil {
		ctx = context.Background()
	}
	res, err := tx.run(ctx, query, params)
	if err != nil {
		tx.rollbackLocked()
		return nil, asError(err)
	}
	tx.stats.Add(res.Stats)
	return res, nil
}

func (tx *Tx) run(ctx context.Context, query string, params map[string]any) (*Result, error) {
	stmt, err := Parse(query)
	if err != nil {
		return nil, err
	}
	if err := stmt.checkParams(params); err != nil {
		return nil, err
	}
	if tx.mode == ReadAccess {
		if stmt.IsWrite() {
			return nil, newError(CodeAccessMode, "Writing in read access mode not allowed. Attempted write to database '%s'", tx.db.name)
		}
		g := tx.db.g
		g.mu.RLock()
		defer g.mu.RUnlock()
		if err := tx.checkDatabase(); err != nil {
			return nil, err
		}
		return stmt.execute(ctx, &view{g: g, snapshot: tx.snapshot}, nil, params)
	}
	if err := tx.acquireWriteLock(ctx); err != nil {
		return nil, err
	}
	g := tx.db.g
	g.mu.Lock()
	defer g.mu.Unlock()
	if tx.killed != nil {
		return nil, tx.killed
	}
	return stmt.execute(ctx, tx.w.view(g), &writeCtx{g: g, w: tx.w}, params)
}

// checkDatabase fails when the database was dropped.
func (tx *Tx) checkDatabase() error {
	tx.db.mu.Lock()
	defer tx.db.mu.Unlock()
	if tx.db.dropped {
		return databaseNotFound(tx.db.name)
	}
	return nil
}

// acquireWriteLock makes tx the database's writer, waiting for the current
// writer to finish until ctx ends.
func (tx *Tx) acquireWriteLock(ctx context.Context) error {
	db, g := tx.db, tx.db.g
	g.mu.RLock()
	holding, killed := tx.w != nil, tx.killed
	g.mu.RUnlock()
	if killed != nil {
		return killed
	}
	if holding {
		return nil
	}
	select {
	case db.writeSem <- struct{}{}:
	case <-ctx.Done():
		return &Error{
			Code:    CodeLockTimeout,
			Message: "Unable to acquire the write lock of database '" + db.name + "': another transaction holds it",
			cause:   ctx.Err(),
		}
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	db.mu.Lock()
	var err *Error
	switch {
	case db.dropped:
		err = databaseNotFound(db.name)
	case db.leader != tx.replica:
		err = notALeader(db.name)
	}
	if err != nil {
		db.mu.Unlock()
		<-db.writeSem
		return err
	}
	snapshot := db.lastLocked()
	low := db.lowWaterLocked(db.store.Now())
	db.writer = tx
	db.mu.Unlock()
	g.collectGarbage(low)
	tx.w = newWriteState(g, snapshot)
	return nil
}

// abortLocked rolls back a write transaction from outside (leader change,
// database drop); g.mu is held for writing.
func (tx *Tx) abortLocked(reason *Error) {
	if tx.w == nil || tx.killed != nil {
		return
	}
	tx.db.g.rollback(tx.w)
	tx.killed = reason
	tx.releaseLocked()
}

// releaseLocked gives up the write lock; g.mu is held for writing.
func (tx *Tx) releaseLocked() {
	tx.w = nil
	tx.db.mu.Lock()
	if tx.db.writer == tx {
		tx.db.writer = nil
	}
	tx.db.mu.Unlock()
	<-tx.db.writeSem
}

// Commit makes the transaction's writes durable in the commit log and
// returns the bookmark of the new state (for a read transaction, or a
// write transaction that changed nothing, the bookmark of the state it
// read).
func (tx *Tx) Commit() (string, error) {
	tx.mu.Lock()
	defer tx.mu.Unlock()
	if tx.closed {
		return "", txClosed()
	}
	tx.closed = true
	db := tx.db
	if tx.mode == ReadAccess {
		db.releaseSnapshot(tx.snapshot)
		return FormatBookmark(db.name, tx.snapshot), nil
	}
	g := db.g
	g.mu.Lock()
	defer g.mu.Unlock()
	if tx.killed != nil {
		return "", tx.killed
	}
	if tx.w == nil { // never ran a query: nothing to commit
		return db.Bookmark(), nil
	}
	w := tx.w
	db.mu.Lock()
	if db.dropped || db.leader != tx.replica {
		err := notALeader(db.name)
		if db.dropped {
			err = databaseNotFound(db.name)
		}
		db.mu.Unlock()
		g.rollback(w)
		tx.releaseLocked()
		return "", err
	}
	txID := db.lastLocked()
	if len(w.touchedNodes) > 0 || len(w.touchedRels) > 0 || len(w.schemaUndo) > 0 {
		txID++
		g.commit(w, txID)
		db.log = append(db.log, LogEntry{TxID: txID, CommitTime: db.store.Now(), Stats: tx.stats})
		db.leader.applied = txID
	}
	db.mu.Unlock()
	tx.releaseLocked()
	db.notify()
	return FormatBookmark(db.name, txID), nil
}

// Rollback discards the transaction's writes. Rolling back a closed
// transaction does nothing.
func (tx *Tx) Rollback() error {
	tx.mu.Lock()
	defer tx.mu.Unlock()
	if tx.closed {
		return nil
	}
	tx.rollbackLocked()
	return nil
}

// rollbackLocked closes the transaction, undoing its writes; tx.mu is held.
func (tx *Tx) rollbackLocked() {
	tx.closed = true
	if tx.mode == ReadAccess {
		tx.db.releaseSnapshot(tx.snapshot)
		return
	}
	g := tx.db.g
	g.mu.Lock()
	defer g.mu.Unlock()
	if tx.w != nil && tx.killed == nil {
		g.rollback(tx.w)
		tx.releaseLocked()
	}
}

func txClosed() *Error {
	return newError(CodeTxNotFound, "The transaction has been closed (committed, rolled back or failed)")
}
