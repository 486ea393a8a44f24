package main

import (
	"context"
	"encoding/json"

	"github.com/boltrx/boltrx"
)

// sessionEntry is a session and, while a managed transaction's work
// function waits for the test code, the outcome testkit decided for the
// attempt.
type sessionEntry struct {
	session *boltrx.Session
	outcome *retryOutcome
}

// retryOutcome is what RetryablePositive or RetryableNegative said about
// an attempt of a managed transaction.
type retryOutcome struct {
	commit  bool
	errorID string // RetryableNegative: the DriverError to fail with; "" for the test code's own failure
}

// newSessionFields are the fields of NewSession.
type newSessionFields struct {
	AccessMode                      string          `json:"accessMode"`
	Bookmarks                       *[]string       `json:"bookmarks"`
	Database                        *string         `json:"database"`
	FetchSize                       *int            `json:"fetchSize"`
	ImpersonatedUser                *string         `json:"impersonatedUser"`
	BookmarkManagerID               *string         `json:"bookmarkManagerId"`
	AuthorizationToken              json.RawMessage `json:"authorizationToken"`
	NotificationsMinSeverity        *string         `json:"notificationsMinSeverity"`
	NotificationsDisabledCategories *[]string       `json:"notificationsDisabledCategories"`
}

func newSession(b *backend, req request) (string, any, error) {
	var f newSessionFields
	d, _, err := driverOf(b, req, &f)
	if err != nil {
		return "", nil, err
	}
	var cfg boltrx.SessionConfig
	switch f.AccessMode {
	case "r":
		cfg.AccessMode = boltrx.AccessModeRead
	case "w", "":
		cfg.AccessMode = boltrx.AccessModeWrite
	default:
		return "", nil, backendErrorf("NewSession: unknown access mode %q", f.AccessMode)
	}
	if f.Bookmarks != nil {
		cfg.Bookmarks = *f.Bookmarks
	}
	if f.Database != nil {
		cfg.DatabaseName = *f.Database
	}
	if f.FetchSize != nil {
		cfg.FetchSize = *f.FetchSize
	}
	if f.ImpersonatedUser != nil {
		cfg.ImpersonatedUser = *f.ImpersonatedUser
	}
	if f.BookmarkManagerID != nil {
		m, err := lookup(b.bookmarkManagers, "bookmark manager", *f.BookmarkManagerID)
		if err != nil {
			return "", nil, err
		}
		cfg.BookmarkManager = m
	}
	if !isNull(f.AuthorizationToken) {
		t, err := authTokenFromJSON(f.AuthorizationToken)
		if err != nil {
			return "", nil, err
		}
		cfg.Auth = &t
	}
	if cfg.NotificationsMinSeverity, err = minSeverityOf(f.NotificationsMinSeverity); err != nil {
		return "", nil, err
	}
	if f.NotificationsDisabledCategories != nil {
		cfg.NotificationsDisabledClassifications = disabledClassificationsOf(*f.NotificationsDisabledCategories)
	}
	s, err := d.NewSession(b.ctx, cfg)
	if err != nil {
		return "", nil, err
	}
	id := b.ids.next()
	b.sessions[id] = &sessionEntry{session: s}
	return "Session", map[string]any{"id": id}, nil
}

// sessionFields names a session.
type sessionFields struct {
	SessionID string `json:"sessionId"`
}

// sessionOf decodes a request naming a session and finds the session.
func sessionOf(b *backend, req request, f any) (*sessionEntry, string, error) {
	var ids sessionFields
	if err := decode(req, &ids); err != nil {
		return nil, "", err
	}
	if f != nil {
		if err := decode(req, f); err != nil {
			return nil, "", err
		}
	}
	s, err := lookup(b.sessions, "session", ids.SessionID)
	return s, ids.SessionID, err
}

func sessionClose(b *backend, req request) (string, any, error) {
	s, id, err := sessionOf(b, req, nil)
	if err != nil {
		return "", nil, err
	}
	if err := s.session.Close(b.ctx); err != nil {
		return "", nil, err
	}
	return "Session", map[string]any{"id": id}, nil
}

// txRequestFields are the transaction settings of SessionRun,
// SessionBeginTransaction and the managed transactions.
type txRequestFields struct {
	TxMeta  json.RawMessage `json:"txMeta"`
	Timeout json.RawMessage `json:"timeout"`
}

func sessionRun(b *backend, req request) (string, any, error) {
	var f struct {
		Cypher string          `json:"cypher"`
		Params json.RawMessage `json:"params"`
		txRequestFields
	}
	s, _, err := sessionOf(b, req, &f)
	if err != nil {
		return "", nil, err
	}
	params, err := paramsFromJSON(f.Params)
	if err != nil {
		return "", nil, backendErrorf("SessionRun: %v", err)
	}
	txConfig, err := txConfigurers(f.TxMeta, f.Timeout)
	if err != nil {
		return "", nil, err
	}
	r, err := s.session.Run(b.ctx, f.Cypher, params, txConfig...)
	if err != nil {
		return "", nil, err
	}
	return b.newResult(r)
}

// newResult registers a result and answers with its id and keys. Like
// neo4j-go-driver's backend it waits for the keys (the answer to RUN), so
// a failing RUN fails the request that ran the query.
func (b *backend) newResult(r *boltrx.Result) (string, any, error) {
	keys, err := r.Keys(b.ctx)
	if err != nil {
		return "", nil, err
	}
	if keys == nil {
		keys = []string{}
	}
	id := b.ids.next()
	b.results[id] = r
	return "Result", map[string]any{"id": id, "keys": keys}, nil
}

func sessionBeginTransaction(b *backend, req request) (string, any, error) {
	var f txRequestFields
	s, _, err := sessionOf(b, req, &f)
	if err != nil {
		return "", nil, err
	}
	txConfig, err := txConfigurers(f.TxMeta, f.Timeout)
	if err != nil {
		return "", nil, err
	}
	tx, err := s.session.BeginTransaction(b.ctx, txConfig...)
	if err != nil {
		return "", nil, err
	}
	id := b.ids.next()
	b.txs[id] = &txEntry{explicit: tx}
	return "Transaction", map[string]any{"id": id}, nil
}

func sessionLastBookmarks(b *backend, req request) (string, any, error) {
	s, _, err := sessionOf(b, req, nil)
	if err != nil {
		return "", nil, err
	}
	bookmarks := s.session.LastBookmarks()
	if bookmarks == nil {
		bookmarks = boltrx.Bookmarks{}
	}
	return "Bookmarks", map[string]any{"bookmarks": bookmarks}, nil
}

func sessionReadTransaction(b *backend, req request) (string, any, error) {
	return b.managedTransaction(req, boltrx.AccessModeRead)
}

func sessionWriteTransaction(b *backend, req request) (string, any, error) {
	return b.managedTransaction(req, boltrx.AccessModeWrite)
}

// managedTransaction runs ExecuteRead or ExecuteWrite. Each attempt tells
// testkit RetryableTry with the transaction's id; the test code then runs
// its transaction function through requests this work function handles,
// until RetryablePositive (commit) or RetryableNegative (fail the attempt,
// with a DriverError the test code got or with a failure of its own).
func (b *backend) managedTransaction(req request, mode boltrx.AccessMode) (string, any, error) {
	var f txRequestFields
	s, _, err := sessionOf(b, req, &f)
	if err != nil {
		return "", nil, err
	}
	txConfig, err := txConfigurers(f.TxMeta, f.Timeout)
	if err != nil {
		return "", nil, err
	}
	work := func(tx boltrx.ManagedTransaction) (any, error) {
		return nil, b.attempt(s, tx)
	}
	execute := s.session.ExecuteWrite
	if mode == boltrx.AccessModeRead {
		execute = s.session.ExecuteRead
	}
	if _, err := execute(b.ctx, work, txConfig...); err != nil {
		return "", nil, err
	}
	return "RetryableDone", map[string]any{}, nil
}

// attempt is one run of a managed transaction's work function.
func (b *backend) attempt(s *sessionEntry, tx boltrx.ManagedTransaction) error {
	id := b.ids.next()
	b.txs[id] = &txEntry{managed: tx}
	defer delete(b.txs, id)
	s.outcome = nil
	b.reply("RetryableTry", map[string]any{"id": id})
	for s.outcome == nil {
		open := b.calls.setOpen(false) // the test code runs its function
		req, ok := b.next()
		b.calls.setOpen(open)
		if !ok {
			return context.Canceled
		}
		b.dispatch(req)
	}
	outcome := *s.outcome
	s.outcome = nil
	switch {
	case outcome.commit:
		return nil
	case outcome.errorID != "":
		if err, ok := b.errors.errs[outcome.errorID]; ok {
			return err
		}
		return backendErrorf("RetryableNegative: no error with id %q", outcome.errorID)
	}
	return &frontendError{msg: "the test code's transaction function failed"}
}

func retryablePositive(b *backend, req request) (string, any, error) {
	s, _, err := sessionOf(b, req, nil)
	if err != nil {
		return "", nil, err
	}
	s.outcome = &retryOutcome{commit: true}
	return "", nil, nil
}

func retryableNegative(b *backend, req request) (string, any, error) {
	var f struct {
		ErrorID json.RawMessage `json:"errorId"`
	}
	s, _, err := sessionOf(b, req, &f)
	if err != nil {
		return "", nil, err
	}
	var errorID string
	if !isNull(f.ErrorID) {
		var id any
		if err := decodeJSON(f.ErrorID, &id); err == nil {
			switch v := id.(type) {
			case string:
				errorID = v
			case json.Number:
				errorID = v.String()
			}
		}
	}
	s.outcome = &retryOutcome{errorID: errorID}
	return "", nil, nil
}
