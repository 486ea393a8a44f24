package generator

import (
	"context"
	"fmt"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/boltrx/boltrx/bolt"
	"github.com/boltrx/boltrx/e2e/server"
)

// Defaults of Config.
const (
	DefaultShape = ShapeRows
	DefaultRows  = 1000
)

// Config configures a generator server.
type Config struct {
	// Addr is the listen address, "127.0.0.1:port"; "" picks a free port.
	Addr string
	// Shape of the records (DefaultShape when ""); a query's $shape
	// parameter overrides it.
	Shape Shape
	// Rows is how many records every query returns (DefaultRows when 0;
	// set NoRows for none); a query's $rows parameter overrides it.
	Rows int64
	// NoRows makes queries return no records unless $rows says otherwise.
	NoRows bool
	// FlushDelay is waited before each write that ends a response batch,
	// standing in for a network round trip.
	FlushDelay time.Duration
	// Versions are the protocol versions offered (nil = all).
	Versions []bolt.Version
	// DisableManifest makes the server ignore manifest handshakes.
	DisableManifest bool
	// Users maps user names to passwords; nil accepts any credentials.
	Users map[string]string
	// Agent is the server agent ("" = derived from the newest version).
	Agent string
	// Logf receives connection problems.
	Logf func(format string, args ...any)
}

// Server is a running generator.
type Server struct {
	srv *server.Server
	cfg Config
}

// Start starts a generator on cfg.Addr; it runs until Close or until ctx
// ends.
func Start(ctx context.Context, cfg Config) (*Server, error) {
	if cfg.Shape == "" {
		cfg.Shape = DefaultShape
	}
	if _, err := ParseShape(string(cfg.Shape)); err != nil {
		return nil, err
	}
	switch {
	case cfg.NoRows:
		cfg.Rows = 0
	case cfg.Rows == 0:
		cfg.Rows = DefaultRows
	case cfg.Rows < 0:
		return nil, fmt.Errorf("generator: Rows = %d is negative", cfg.Rows)
	}
	h := &handler{cfg: cfg}
	srv, err := server.Start(ctx, server.Config{
		Addr:             cfg.Addr,
		Handler:          h,
		Versions:         cfg.Versions,
		DisableManifest:  cfg.DisableManifest,
		Agent:            cfg.Agent,
		Users:            cfg.Users,
		FlushDelay:       cfg.FlushDelay,
		TelemetryEnabled: false,
		Logf:             cfg.Logf,
	})
	if err != nil {
		return nil, err
	}
	h.addr = srv.Addr()
	return &Server{srv: srv, cfg: cfg}, nil
}

// StartT starts a generator for the duration of a test: a failure to
// start fails the test, and the server closes when the test ends.
func StartT(t testing.TB, cfg Config) *Server {
	t.Helper()
	s, err := Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// Addr returns the listen address, "127.0.0.1:port".
func (s *Server) Addr() string { return s.srv.Addr() }

// Stats returns the server's counters (records sent, flushes, ...).
func (s *Server) Stats() server.Stats { return s.srv.Stats() }

// Close stops the server and waits for its goroutines.
func (s *Server) Close() error { return s.srv.Close() }

// handler answers every query with synthetic records.
type handler struct {
	cfg       Config
	addr      string
	bookmarks atomic.Int64
}

func (h *handler) Begin(_ context.Context, s *server.Session, req server.TxRequest) (server.Transaction, error) {
	db := req.Database
	if db == "" {
		db = "neo4j"
	}
	return &transaction{h: h, db: db}, nil
}

// Route returns the generator itself in every role.
func (h *handler) Route(_ context.Context, s *server.Session, req server.RouteRequest) (*bolt.RoutingTable, error) {
	t := h.table()
	if s.Capabilities.RouteExtra {
		t.Database = req.Database
		if t.Database == "" {
			t.Database = "neo4j"
		}
	}
	return t, nil
}

func (h *handler) table() *bolt.RoutingTable {
	self := []string{h.addr}
	return &bolt.RoutingTable{TTL: 300, Servers: []bolt.RoutingServers{
		{Role: bolt.RoleRoute, Addresses: self},
		{Role: bolt.RoleWrite, Addresses: self},
		{Role: bolt.RoleRead, Addresses: self},
	}}
}

// transaction is a generator transaction: nothing to commit but a
// bookmark.
type transaction struct {
	h  *handler
	db string
}

func (t *transaction) Database() string { return t.db }

func (t *transaction) Run(_ context.Context, query string, params map[string]any) (server.Cursor, error) {
	if server.ParseRoutingProcedure(query) != server.NoRoutingProcedure {
		return server.RoutingTableCursor(t.h.table()), nil
	}
	shape, rows, err := t.h.resultOf(params)
	if err != nil {
		return nil, err
	}
	return &cursor{shape: shape, rows: rows}, nil
}

func (t *transaction) Commit(context.Context) (string, error) {
	return "FB:" + t.db + ":" + strconv.FormatInt(t.h.bookmarks.Add(1), 10), nil
}

func (t *transaction) Rollback(context.Context) error { return nil }

// resultOf decides a query's shape and size from its parameters and the
// configuration.
func (h *handler) resultOf(params map[string]any) (Shape, int64, error) {
	shape, rows := h.cfg.Shape, h.cfg.Rows
	if v, ok := params["shape"]; ok {
		s, _ := v.(string)
		sh, err := ParseShape(s)
		if err != nil {
			return "", 0, server.Errorf(server.CodeArgumentError, "%v", err)
		}
		shape = sh
	}
	if v, ok := params["rows"]; ok {
		n, isInt := v.(int64)
		if !isInt || n < 0 {
			return "", 0, server.Errorf(server.CodeArgumentError, "$rows must be a non-negative integer, got %v", v)
		}
		rows = n
	}
	return shape, rows, nil
}
