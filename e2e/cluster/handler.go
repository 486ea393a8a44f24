package cluster

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/boltrx/boltrx/bolt"
	"github.com/boltrx/boltrx/e2e/graphdb"
	"github.com/boltrx/boltrx/e2e/server"
)

// Status codes the cluster sends besides graphdb's.
const (
	CodeForbiddenOnReadOnly = "Neo.ClientError.General.ForbiddenOnReadOnlyDatabase"
	CodeNotALeader          = graphdb.CodeNotALeader
	CodeDatabaseNotFound    = graphdb.CodeDatabaseNotFound
	CodeBookmarkTimeout     = graphdb.CodeBookmarkTimeout
	// CodeImpersonationFailed answers an impersonation of a user the
	// cluster does not know.
	CodeImpersonationFailed = "Neo.ClientError.Security.Forbidden"
)

// memberHandler is the server.Handler of one member.
type memberHandler struct {
	c *Cluster
	m *member
}

// homeDatabase resolves the database a request means: the one it names,
// else the home database of the impersonated or authenticated user.
func (c *Cluster) homeDatabase(s *server.Session, named, impersonated string) (string, error) {
	if named != "" {
		return strings.ToLower(named), nil
	}
	user := s.User
	if impersonated != "" {
		user = impersonated
		if c.cfg.Users != nil {
			if _, ok := c.cfg.Users[user]; !ok {
				return "", server.Errorf(CodeImpersonationFailed, "Impersonation failed: user '%s' does not exist.", user)
			}
		}
	}
	if u, ok := c.cfg.Users[user]; ok {
		return u.HomeDatabase, nil
	}
	return DefaultDatabase, nil
}

// database resolves and looks up the database of a request.
func (c *Cluster) database(s *server.Session, named, impersonated string) (*graphdb.Database, error) {
	name, err := c.homeDatabase(s, named, impersonated)
	if err != nil {
		return nil, err
	}
	db, err := c.store.Database(name)
	if err != nil {
		return nil, failure(err)
	}
	return db, nil
}

// Begin opens a transaction on this member's replica: a read transaction
// for mode "r", a write transaction on the leader, or (write mode on a
// follower) a read transaction that refuses writes with NotALeader,
// unless server-side routing sends it to the leader.
func (h *memberHandler) Begin(ctx context.Context, s *server.Session, req server.TxRequest) (server.Transaction, error) {
	c := h.c
	db, err := c.database(s, req.Database, req.ImpersonatedUser)
	if err != nil {
		return nil, err
	}
	replica := db.Replica(h.m.name)
	mode := graphdb.ReadAccess
	followerWrite := false
	if req.Mode != bolt.ModeRead {
		switch {
		case replica.IsLeader():
			mode = graphdb.WriteAccess
		case !c.cfg.DisableServerSideRouting && s.Routing == nil:
			leader, err := c.reachableLeader(db)
			if err != nil {
				return nil, err
			}
			replica, mode = leader, graphdb.WriteAccess
		default:
			followerWrite = true
		}
	}
	if len(req.Bookmarks) > 0 {
		wctx, cancel := context.WithTimeout(ctx, c.cfg.BookmarkTimeout)
		err := replica.WaitFor(wctx, req.Bookmarks)
		cancel()
		if err != nil {
			return nil, failure(err)
		}
	}
	tx, err := replica.Begin(mode)
	if err != nil {
		return nil, failure(err)
	}
	return &transaction{h: h, s: s, db: db.Name(), tx: tx, readMode: req.Mode == bolt.ModeRead,
		followerWrite: followerWrite, timeout: req.Timeout}, nil
}

// reachableLeader returns the leader's replica for server-side routing.
func (c *Cluster) reachableLeader(db *graphdb.Database) (*graphdb.Replica, error) {
	name := db.Leader()
	c.mu.Lock()
	m := c.memberByName(name)
	ok := m != nil && m.reachable()
	c.mu.Unlock()
	if !ok {
		return nil, server.Errorf(CodeNotALeader, "No leader is available for database '%s'.", db.Name())
	}
	return db.Replica(name), nil
}

// Route answers ROUTE with the routing table of the database.
func (h *memberHandler) Route(_ context.Context, s *server.Session, req server.RouteRequest) (*bolt.RoutingTable, error) {
	db, err := h.c.database(s, req.Database, req.ImpersonatedUser)
	if err != nil {
		return nil, err
	}
	t := h.c.routingTable(db)
	if s.Capabilities.RouteExtra {
		t.Database = db.Name()
	}
	return t, nil
}

// routingTable builds the table of db: routers are the reachable members,
// the writer is the leader (when reachable), the readers are the
// reachable followers, or the leader alone when there are none.
func (c *Cluster) routingTable(db *graphdb.Database) *bolt.RoutingTable {
	leader := db.Leader()
	c.mu.Lock()
	defer c.mu.Unlock()
	routers, writers, readers := []string{}, []string{}, []string{}
	for _, m := range c.members {
		if !m.reachable() {
			continue
		}
		routers = append(routers, m.addr)
		if m.name == leader {
			writers = append(writers, m.addr)
		} else {
			readers = append(readers, m.addr)
		}
	}
	if len(readers) == 0 {
		readers = append(readers, writers...)
	}
	return &bolt.RoutingTable{TTL: c.cfg.ttlSeconds(), Servers: []bolt.RoutingServers{
		{Role: bolt.RoleRoute, Addresses: routers},
		{Role: bolt.RoleRead, Addresses: readers},
		{Role: bolt.RoleWrite, Addresses: writers},
	}}
}

// transaction adapts a graphdb transaction to server.Transaction.
type transaction struct {
	h             *memberHandler
	s             *server.Session
	db            string
	tx            *graphdb.Tx
	readMode      bool // the client asked for read access
	followerWrite bool // write access asked on a follower: writes fail with NotALeader
	timeout       time.Duration
}

func (t *transaction) Database() string { return t.db }

func (t *transaction) Run(ctx context.Context, query string, params map[string]any) (server.Cursor, error) {
	c := t.h.c
	switch server.ParseRoutingProcedure(query) {
	case server.ClusterRoutingProcedure:
		return t.routingProcedure("")
	case server.DatabaseRoutingProcedure:
		return t.routingProcedure(server.RoutingProcedureDatabase(params))
	}
	if isComponentsCall(query) {
		return componentsCursor(c.cfg.Agent), nil
	}
	stmt, err := graphdb.Parse(query)
	if err != nil {
		_ = t.tx.Rollback()
		return nil, failure(err)
	}
	if stmt.IsWrite() {
		switch {
		case t.readMode:
			_ = t.tx.Rollback()
			return nil, server.Errorf(CodeForbiddenOnReadOnly,
				"Writing in read access mode not allowed. Attempted write to %s", t.db)
		case t.followerWrite:
			_ = t.tx.Rollback()
			return nil, server.Errorf(CodeNotALeader,
				"No write operations are allowed on this database. This is a read only Neo4j instance.")
		}
	}
	if t.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, t.timeout)
		defer cancel()
	}
	res, err := t.tx.Run(ctx, query, params)
	if err != nil {
		return nil, failure(err)
	}
	summary := server.Summary{QueryType: res.QueryType}
	if res.Stats.ContainsUpdates() {
		summary.Stats = res.Stats.Map()
	}
	return server.NewRowsCursor(res.Keys, res.Rows, summary), nil
}

// routingProcedure answers the routing procedures of Bolt 3.0 to 4.2.
func (t *transaction) routingProcedure(named string) (server.Cursor, error) {
	db, err := t.h.c.database(t.s, named, "")
	if err != nil {
		return nil, err
	}
	return server.RoutingTableCursor(t.h.c.routingTable(db)), nil
}

func (t *transaction) Commit(context.Context) (string, error) {
	bookmark, err := t.tx.Commit()
	if err != nil {
		return "", failure(err)
	}
	return bookmark, nil
}

func (t *transaction) Rollback(context.Context) error { return t.tx.Rollback() }

// failure turns a graphdb error into the FAILURE a client gets.
func failure(err error) error {
	var ge *graphdb.Error
	if errors.As(err, &ge) {
		return &server.Error{Code: ge.Code, Message: ge.Message}
	}
	return err
}
