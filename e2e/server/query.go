package server

import (
	"context"
	"slices"
	"time"

	"github.com/boltrx/boltrx/bolt"
)

// interruptCheckEvery is how many records a PULL streams between two
// looks for a queued RESET.
const interruptCheckEvery = 1024

// txState is the open transaction of a connection: an explicit one
// (BEGIN) or the auto-commit one of a RUN.
type txState struct {
	tx       Transaction
	explicit bool
	results  []*result // the open results, oldest first
	nextQid  int64
	lastQid  int64 // qid of the most recent RUN, -1 before the first
}

// result is an open result.
type result struct {
	qid int64
	cur Cursor
	// positioned: Next already moved to a record that is not sent yet
	// (the look-ahead that decides has_more).
	positioned bool
}

// abortTx closes the open results and rolls the transaction back.
func (c *conn) abortTx() {
	t := c.tx
	if t == nil {
		return
	}
	c.tx = nil
	for _, r := range t.results {
		r.cur.Close()
	}
	if err := t.tx.Rollback(context.WithoutCancel(c.ctx)); err != nil {
		c.srv.logf("server: %s: rollback: %v", c.sess.ID, err)
	}
}

// txRequest turns the extra dictionary of BEGIN or RUN into a TxRequest.
func txRequest(cfg *bolt.TxConfig, explicit bool) TxRequest {
	mode := cfg.Mode
	if mode == "" {
		mode = bolt.ModeWrite
	}
	return TxRequest{
		Explicit:         explicit,
		Mode:             mode,
		Database:         cfg.Database,
		ImpersonatedUser: cfg.ImpersonatedUser,
		Bookmarks:        cfg.Bookmarks,
		Timeout:          cfg.TxTimeout,
		Metadata:         cfg.TxMetadata,
	}
}

// begin asks the Handler for a transaction.
func (c *conn) begin(req TxRequest) (Transaction, error) {
	var tx Transaction
	var err error
	c.call(func(ctx context.Context) { tx, err = c.cfg.Handler.Begin(ctx, &c.sess, req) })
	if err == nil && tx == nil {
		err = Errorf(CodeUnknownError, "the handler opened no transaction")
	}
	return tx, err
}

// onBegin opens an explicit transaction.
func (c *conn) onBegin(b *bolt.Begin) bool {
	if c.state != bolt.StateReady {
		return c.invalid(b)
	}
	tx, err := c.begin(txRequest(&b.TxConfig, true))
	if err != nil {
		return c.fail(err)
	}
	c.tx = &txState{tx: tx, explicit: true, lastQid: -1}
	c.state = bolt.StateTxReady
	s := &bolt.Success{}
	if c.caps.HomeDatabaseHint {
		s.Database = tx.Database()
	}
	return c.send(s)
}

// onRun runs a query: in an auto-commit transaction from READY, in the
// explicit transaction otherwise.
func (c *conn) onRun(r *bolt.Run) bool {
	start := time.Now()
	switch {
	case c.state == bolt.StateReady:
		req := txRequest(&r.TxConfig, false)
		req.Query, req.Params = r.Query, r.Params
		tx, err := c.begin(req)
		if err != nil {
			return c.fail(err)
		}
		c.tx = &txState{tx: tx, lastQid: -1}
	case c.state == bolt.StateTxReady, c.state == bolt.StateTxStreaming && c.caps.PullN:
	default:
		return c.invalid(r)
	}
	t := c.tx
	var cur Cursor
	var err error
	c.call(func(ctx context.Context) { cur, err = t.tx.Run(ctx, r.Query, r.Params) })
	if err == nil && cur == nil {
		err = Errorf(CodeUnknownError, "the handler returned no result")
	}
	if err != nil {
		return c.fail(err)
	}
	res := &result{qid: t.nextQid, cur: cur}
	t.nextQid++
	t.lastQid = res.qid
	t.results = append(t.results, res)

	s := &bolt.Success{Fields: cur.Fields(), TFirst: time.Since(start).Milliseconds(), Present: bolt.KeyTFirst}
	if t.explicit {
		c.state = bolt.StateTxStreaming
		if c.caps.PullN {
			s.Qid, s.Present = res.qid, s.Present|bolt.KeyQid
		}
	} else {
		c.state = bolt.StateStreaming
		if c.caps.HomeDatabaseHint {
			s.Database = t.tx.Database()
		}
	}
	return c.send(s)
}

// onStream answers PULL (discard false) or DISCARD (discard true): n
// records (-1 = all) of the result qid (-1 = the most recent).
func (c *conn) onStream(req bolt.Request, n, qid int64, discard bool) bool {
	if c.state != bolt.StateStreaming && c.state != bolt.StateTxStreaming {
		return c.invalid(req)
	}
	if n == 0 || n < bolt.All {
		return c.fail(&Error{Code: CodeRequestInvalid, Fatal: true,
			Message: "Invalid " + c.messageName(req) + " size: n must be positive or -1 (all)"})
	}
	res := c.openResult(qid)
	if res == nil {
		return c.fail(Errorf(CodeRequestInvalid, "No open result with qid %d in this transaction", qid))
	}
	start := time.Now()
	exhausted, keep, ok := c.streamRecords(res, n, discard)
	if !keep || !ok {
		return keep
	}
	if !exhausted {
		return c.send(&bolt.Success{HasMore: true})
	}
	return c.completeResult(res, time.Since(start))
}

// openResult finds the result a PULL or DISCARD names.
func (c *conn) openResult(qid int64) *result {
	t := c.tx
	if !t.explicit { // auto-commit: the one result, whatever the qid
		return t.results[0]
	}
	if qid == bolt.LastQuery {
		qid = t.lastQid
	}
	for _, r := range t.results {
		if r.qid == qid {
			return r
		}
	}
	return nil
}

// streamRecords sends (or skips) up to n records and looks one record
// ahead to tell whether the result is exhausted. ok is false when the
// request was answered already (a failure or an interruption); keep is
// false when the connection must close.
func (c *conn) streamRecords(res *result, n int64, discard bool) (exhausted, keep, ok bool) {
	var sent int64
	defer func() { c.srv.stats.records.Add(sent) }()
	for n == bolt.All || sent < n {
		if !res.positioned {
			more, err := res.cur.Next()
			if err != nil {
				return false, c.fail(err), false
			}
			if !more {
				return true, true, true
			}
		}
		res.positioned = false
		if !discard {
			if err := c.out.record(res.cur); err != nil {
				return false, c.fail(Errorf(CodeUnknownError, "encoding a record: %v", err)), false
			}
			if c.out.full() {
				if err := c.out.flush(false); err != nil {
					return false, false, false
				}
			}
		}
		sent++
		if sent%interruptCheckEvery == 0 && c.interrupted() {
			c.abortTx()
			c.state = bolt.StateInterrupted
			return false, c.ignore(), false
		}
	}
	more, err := res.cur.Next()
	if err != nil {
		return false, c.fail(err), false
	}
	res.positioned = more
	return !more, true, true
}

// completeResult ends a consumed result: its summary, and for an
// auto-commit transaction the commit and its bookmark.
func (c *conn) completeResult(res *result, elapsed time.Duration) bool {
	t := c.tx
	summary := res.cur.Summary()
	res.cur.Close()
	t.results = slices.DeleteFunc(t.results, func(r *result) bool { return r == res })

	s := &bolt.Success{TLast: elapsed.Milliseconds(), Present: bolt.KeyTLast, QueryType: summary.QueryType}
	if len(summary.Stats) > 0 {
		s.Stats = summary.Stats
	}
	if c.caps.GQLStatuses {
		s.Statuses = summary.Statuses
	} else {
		s.Notifications = summary.Notifications
	}
	if c.caps.Database {
		s.Database = t.tx.Database()
	}
	if t.explicit {
		if len(t.results) == 0 {
			c.state = bolt.StateTxReady
		}
		return c.send(s)
	}
	bookmark, err := c.commit(t)
	if err != nil {
		return c.fail(err)
	}
	s.Bookmark = bookmark
	c.state = bolt.StateReady
	return c.send(s)
}

// commit commits t, which is then closed whatever the outcome.
func (c *conn) commit(t *txState) (string, error) {
	c.tx = nil
	var bookmark string
	var err error
	c.call(func(ctx context.Context) { bookmark, err = t.tx.Commit(ctx) })
	if err != nil {
		_ = t.tx.Rollback(context.WithoutCancel(c.ctx))
	}
	return bookmark, err
}

// onCommit commits the explicit transaction.
func (c *conn) onCommit(m *bolt.Commit) bool {
	if c.state != bolt.StateTxReady {
		return c.invalid(m)
	}
	bookmark, err := c.commit(c.tx)
	if err != nil {
		return c.fail(err)
	}
	c.state = bolt.StateReady
	return c.send(&bolt.Success{Bookmark: bookmark})
}

// onRollback rolls the explicit transaction back.
func (c *conn) onRollback(m *bolt.Rollback) bool {
	if c.state != bolt.StateTxReady {
		return c.invalid(m)
	}
	t := c.tx
	c.tx = nil
	var err error
	c.call(func(ctx context.Context) { err = t.tx.Rollback(ctx) })
	if err != nil {
		return c.fail(err)
	}
	c.state = bolt.StateReady
	return c.send(&bolt.Success{})
}
