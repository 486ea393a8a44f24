package main

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/boltrx/boltrx"
	"github.com/boltrx/boltrx/auth"
)

// idFields names a manager or provider to close.
type idFields struct {
	ID string `json:"id"`
}

func newAuthTokenManager(b *backend, _ request) (string, any, error) {
	id := b.ids.next()
	b.tokenManagers[id] = &testkitTokenManager{id: id, calls: b.calls}
	return "AuthTokenManager", map[string]any{"id": id}, nil
}

func newBasicAuthTokenManager(b *backend, _ request) (string, any, error) {
	id := b.ids.next()
	b.tokenManagers[id] = auth.BasicTokenManager(basicTokenProvider(id, b.calls))
	return "BasicAuthTokenManager", map[string]any{"id": id}, nil
}

func newBearerAuthTokenManager(b *backend, _ request) (string, any, error) {
	id := b.ids.next()
	b.tokenManagers[id] = auth.BearerTokenManager(bearerTokenProvider(id, b.calls))
	return "BearerAuthTokenManager", map[string]any{"id": id}, nil
}

// authTokenManagerClose forgets any of the three kinds of token managers
// (they share the id space).
func authTokenManagerClose(b *backend, req request) (string, any, error) {
	var f idFields
	if err := decode(req, &f); err != nil {
		return "", nil, err
	}
	delete(b.tokenManagers, f.ID)
	return "AuthTokenManager", map[string]any{"id": f.ID}, nil
}

func newClientCertificateProvider(b *backend, _ request) (string, any, error) {
	id := b.ids.next()
	b.certProviders[id] = &certProvider{id: id, calls: b.calls, ctx: b.ctx, log: b.log}
	return "ClientCertificateProvider", map[string]any{"id": id}, nil
}

func clientCertificateProviderClose(b *backend, req request) (string, any, error) {
	var f idFields
	if err := decode(req, &f); err != nil {
		return "", nil, err
	}
	delete(b.certProviders, f.ID)
	return "ClientCertificateProvider", map[string]any{"id": f.ID}, nil
}

// newBookmarkManagerFields are the fields of NewBookmarkManager.
type newBookmarkManagerFields struct {
	InitialBookmarks            []string `json:"initialBookmarks"`
	BookmarksSupplierRegistered bool     `json:"bookmarksSupplierRegistered"`
	BookmarksConsumerRegistered bool     `json:"bookmarksConsumerRegistered"`
}

func newBookmarkManager(b *backend, req request) (string, any, error) {
	var f newBookmarkManagerFields
	if err := decode(req, &f); err != nil {
		return "", nil, err
	}
	id := b.ids.next()
	cfg := boltrx.BookmarkManagerConfig{InitialBookmarks: f.InitialBookmarks}
	if f.BookmarksSupplierRegistered {
		cfg.BookmarkSupplier = func(ctx context.Context) (boltrx.Bookmarks, error) {
			raw, err := b.calls.ask(ctx, "BookmarksSupplierRequest", func(rid string) any {
				return map[string]any{"id": rid, "bookmarkManagerId": id}
			})
			if err != nil {
				return nil, err
			}
			var d struct {
				Bookmarks []string `json:"bookmarks"`
			}
			if err := json.Unmarshal(raw, &d); err != nil {
				return nil, fmt.Errorf("BookmarksSupplierCompleted: %w", err)
			}
			return d.Bookmarks, nil
		}
	}
	if f.BookmarksConsumerRegistered {
		cfg.BookmarkConsumer = func(ctx context.Context, bookmarks boltrx.Bookmarks) error {
			if bookmarks == nil {
				bookmarks = boltrx.Bookmarks{}
			}
			_, err := b.calls.ask(ctx, "BookmarksConsumerRequest", func(rid string) any {
				return map[string]any{"id": rid, "bookmarkManagerId": id, "bookmarks": bookmarks}
			})
			return err
		}
	}
	b.bookmarkManagers[id] = boltrx.NewBookmarkManager(cfg)
	return "BookmarkManager", map[string]any{"id": id}, nil
}

func bookmarkManagerClose(b *backend, req request) (string, any, error) {
	var f idFields
	if err := decode(req, &f); err != nil {
		return "", nil, err
	}
	delete(b.bookmarkManagers, f.ID)
	return "BookmarkManager", map[string]any{"id": f.ID}, nil
}

// executeQueryConfig is the config of ExecuteQuery. bookmarkManagerId is
// absent for the driver's default manager, -1 for none, or an id.
type executeQueryConfig struct {
	Routing            *string         `json:"routing"`
	Database           *string         `json:"database"`
	ImpersonatedUser   *string         `json:"impersonatedUser"`
	BookmarkManagerID  json.RawMessage `json:"bookmarkManagerId"`
	TxMeta             json.RawMessage `json:"txMeta"`
	Timeout            json.RawMessage `json:"timeout"`
	AuthorizationToken json.RawMessage `json:"authorizationToken"`
}

func executeQuery(b *backend, req request) (string, any, error) {
	var f struct {
		Cypher string             `json:"cypher"`
		Params json.RawMessage    `json:"params"`
		Config executeQueryConfig `json:"config"`
	}
	d, _, err := driverOf(b, req, &f)
	if err != nil {
		return "", nil, err
	}
	params, err := paramsFromJSON(f.Params)
	if err != nil {
		return "", nil, backendErrorf("ExecuteQuery: %v", err)
	}
	opts, err := b.executeQueryOptions(f.Config)
	if err != nil {
		return "", nil, err
	}
	res, err := d.ExecuteQuery(b.ctx, f.Cypher, params, opts...)
	if err != nil {
		return "", nil, err
	}
	records, err := recordsOf(res.Records)
	if err != nil {
		return "", nil, err
	}
	keys := res.Keys
	if keys == nil {
		keys = []string{}
	}
	return "EagerResult", map[string]any{"keys": keys, "records": records, "summary": summaryOf(res.Summary)}, nil
}

// executeQueryOptions maps ExecuteQuery's config to the driver's options.
func (b *backend) executeQueryOptions(c executeQueryConfig) ([]boltrx.ExecuteQueryConfigurationOption, error) {
	var opts []boltrx.ExecuteQueryConfigurationOption
	if c.Routing != nil {
		switch *c.Routing {
		case "r":
			opts = append(opts, boltrx.ExecuteQueryWithReadersRouting())
		case "w":
			opts = append(opts, boltrx.ExecuteQueryWithWritersRouting())
		default:
			return nil, backendErrorf("ExecuteQuery: unknown routing %q", *c.Routing)
		}
	}
	if c.Database != nil {
		opts = append(opts, boltrx.ExecuteQueryWithDatabase(*c.Database))
	}
	if c.ImpersonatedUser != nil {
		opts = append(opts, boltrx.ExecuteQueryWithImpersonatedUser(*c.ImpersonatedUser))
	}
	if !isNull(c.BookmarkManagerID) {
		var id any
		if err := decodeJSON(c.BookmarkManagerID, &id); err != nil {
			return nil, backendErrorf("ExecuteQuery: bookmarkManagerId: %v", err)
		}
		switch v := id.(type) {
		case json.Number:
			if v.String() != "-1" {
				return nil, backendErrorf("ExecuteQuery: bookmarkManagerId %s", v)
			}
			opts = append(opts, boltrx.ExecuteQueryWithoutBookmarkManager())
		case string:
			m, err := lookup(b.bookmarkManagers, "bookmark manager", v)
			if err != nil {
				return nil, err
			}
			opts = append(opts, boltrx.ExecuteQueryWithBookmarkManager(m))
		default:
			return nil, backendErrorf("ExecuteQuery: bookmarkManagerId %v", id)
		}
	}
	txConfig, err := txConfigurers(c.TxMeta, c.Timeout)
	if err != nil {
		return nil, err
	}
	if len(txConfig) > 0 {
		opts = append(opts, boltrx.ExecuteQueryWithTransactionConfig(txConfig...))
	}
	if !isNull(c.AuthorizationToken) {
		t, err := authTokenFromJSON(c.AuthorizationToken)
		if err != nil {
			return nil, err
		}
		opts = append(opts, boltrx.ExecuteQueryWithAuthToken(t))
	}
	return opts, nil
}

// txConfigurers maps the txMeta and timeout fields of a request. A null
// or absent timeout leaves the server's default.
func txConfigurers(txMeta, timeout json.RawMessage) ([]func(*boltrx.TransactionConfig), error) {
	var out []func(*boltrx.TransactionConfig)
	if !isNull(txMeta) {
		meta, err := paramsFromJSON(txMeta)
		if err != nil {
			return nil, backendErrorf("txMeta: %v", err)
		}
		out = append(out, boltrx.WithTxMetadata(meta))
	}
	if !isNull(timeout) {
		var ms int64
		if err := decodeJSON(timeout, &ms); err != nil {
			return nil, backendErrorf("timeout: %v", err)
		}
		out = append(out, boltrx.WithTxTimeout(millis(ms)))
	}
	return out, nil
}
