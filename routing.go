package boltrx

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/boltrx/boltrx/bolt"
	"github.com/boltrx/boltrx/internal/clock"
	"github.com/boltrx/boltrx/router"
	"github.com/boltrx/boltrx/streams"
	"github.com/boltrx/boltrx/telemetry"
)

// startRouter starts the routing actors of a neo4j:// driver.
func (d *Driver) startRouter() {
	if !d.target.Routing {
		return
	}
	var resolve func(string) []string
	if d.cfg.AddressResolver != nil {
		resolve = d.cfg.AddressResolver
	}
	d.router = router.New(d.sys.ActorSystem, nil, router.Config{
		InitialRouter: d.target.Address,
		Resolve:       resolve,
		LookupHost:    d.cfg.LookupHost,
		Fetch:         d.fetchRoutingTable,
		IsFatal:       isFatalRoutingError,
		Load:          d.inUse,
		Now:           clock.Now,
		Log:           d.sys.Log,
	})
}

// inUse returns the connections in use to address, for least-connected
// selection; an address without a pool has none.
func (d *Driver) inUse(address string) int {
	d.mu.Lock()
	p := d.pools[address]
	d.mu.Unlock()
	if p == nil {
		return 0
	}
	return p.Metrics().InUse
}

// isFatalRoutingError reports the errors that end a routing-table refresh
// at once: trying other routers cannot help.
func isFatalRoutingError(err error) bool {
	var ne *Neo4jError
	if !errors.As(err, &ne) {
		var fe *FeatureNotSupportedError
		return errors.Is(err, ErrUsage) || errors.As(err, &fe)
	}
	switch ne.Code {
	case "Neo.ClientError.Database.DatabaseNotFound",
		"Neo.ClientError.Transaction.InvalidBookmark",
		"Neo.ClientError.Transaction.InvalidBookmarkMixture",
		"Neo.ClientError.Statement.TypeError",
		"Neo.ClientError.Statement.ArgumentError",
		"Neo.ClientError.Request.Invalid":
		return true
	}
	return strings.HasPrefix(ne.Code, "Neo.ClientError.Security.") && ne.Code != "Neo.ClientError.Security.AuthorizationExpired"
}

// fetchRoutingTable asks the router at address for req.Database's table:
// ROUTE on 4.3+, the routing procedures before.
func (d *Driver) fetchRoutingTable(ctx context.Context, address string, req router.Request) (*bolt.RoutingTable, error) {
	// The router's fetch context keeps the values of the caller whose
	// lookup started the refresh: the route span is a child of its span.
	ctx, op := d.tel.StartOperation(ctx, telemetry.KindRoute, telemetry.OperationAttrs{Database: req.Database})
	table, err := d.fetchRoutingTableFrom(ctx, address, req)
	endOperation(op, err)
	return table, err
}

func (d *Driver) fetchRoutingTableFrom(ctx context.Context, address string, req router.Request) (*bolt.RoutingTable, error) {
	if req.BookmarksFor != nil {
		bms, err := req.BookmarksFor(ctx)
		if err != nil {
			return nil, err
		}
		req.Bookmarks, req.BookmarksFor = bms, nil
	}
	own, _ := req.Auth.(*AuthToken)
	p, conn, err := d.lease(ctx, address, leaseOptions{auth: own, authenticate: true})
	if err != nil {
		return nil, err
	}
	defer p.Release(conn)
	setOperationServer(telemetry.OperationFrom(ctx), conn)
	routing := d.routingContext()
	caps := conn.Caps
	switch {
	case caps.RouteMessage:
		out, err := conn.Call(ctx, &bolt.Route{Routing: routing, Bookmarks: req.Bookmarks, Database: req.Database, ImpersonatedUser: req.ImpersonatedUser})
		if err != nil {
			return nil, routeError(err)
		}
		if out[0].RoutingTable == nil {
			return nil, fmt.Errorf("the ROUTE answer of %s has no routing table", address)
		}
		return out[0].RoutingTable, nil
	case caps.RoutingProcedure != "":
		if req.ImpersonatedUser != "" {
			return nil, usageErrorf("boltrx: impersonation needs Bolt 4.4 or newer; the server speaks %v", conn.Version)
		}
		params := map[string]any{"context": routingAny(routing)}
		// The procedure reads: a cluster member may serve it as a
		// follower.
		run := &bolt.Run{Query: caps.RoutingProcedure, Params: params, TxConfig: bolt.TxConfig{Mode: bolt.ModeRead}}
		if caps.Database {
			// Bolt 3 has one database: bookmarks mean nothing to its
			// routing procedure.
			run.Bookmarks = req.Bookmarks
			run.Database = caps.RoutingProcedureDatabase
			if req.Database != "" {
				params["database"] = req.Database
			} else {
				params["database"] = nil
			}
		}
		runMeta, records, _, err := conn.CallCollect(ctx, run, &bolt.Pull{N: bolt.All, Qid: bolt.LastQuery})
		if err != nil {
			return nil, routeError(err)
		}
		if len(records) != 1 {
			return nil, fmt.Errorf("the routing procedure of %s returned %d records, want 1", address, len(records))
		}
		return bolt.RoutingTableFromRecord(runMeta.Fields, records[0])
	}
	return nil, fmt.Errorf("the server at %s speaks Bolt %v, which has no way to ask for a routing table", address, conn.Version)
}

// routingContext is the URI's routing context with the URI's address,
// whichever router is asked: the Bolt specification's "address the client
// initially tries to connect with", as in HELLO.
func (d *Driver) routingContext() map[string]string {
	routing := make(map[string]string, len(d.target.RoutingContext)+1)
	for k, v := range d.target.RoutingContext {
		routing[k] = v
	}
	routing[routingContextAddressKey] = d.target.Address
	return routing
}

func routingAny(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// routeError maps the answer of a routing request to the public kind.
func routeError(err error) error {
	var f *bolt.Failure
	if errors.As(err, &f) {
		return mapFailure(f)
	}
	if errors.Is(err, streams.ErrIgnored) {
		return err
	}
	return mapRequestError(err)
}

// routedError tells the router what a failure on a routed connection
// means: a member that cannot be reached, or whose database is
// unavailable (DatabaseUnavailable: a store copy, say), leaves the
// tables; one that is no longer the leader leaves the writers; a
// database that does not exist leaves the map.
func (d *Driver) routedError(address, database string, err error) {
	if d.router == nil || err == nil {
		return
	}
	var ne *Neo4jError
	switch {
	case errors.As(err, &ne):
		switch ne.Code {
		case "Neo.ClientError.Cluster.NotALeader", "Neo.ClientError.General.ForbiddenOnReadOnlyDatabase":
			d.router.ForgetWriter(database, address)
		case "Neo.ClientError.Database.DatabaseNotFound":
			d.router.ForgetDatabase(database)
		case "Neo.TransientError.General.DatabaseUnavailable":
			d.router.Forget(address)
		}
	case IsConnectivityError(err):
		var ce *ConnectivityError
		if errors.As(err, &ce) && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
			d.router.Forget(address)
		}
	}
}

// securityFeedback gives a security failure of work on conn to the token
// manager; a failure it handled (a rotated token) becomes retryable.
func (d *Driver) securityFeedback(ctx context.Context, token map[string]any, err error) {
	var ne *Neo4jError
	if err == nil || !errors.As(err, &ne) || !isSecurityError(ne) || !atomic.CompareAndSwapInt32(&ne.fedBack, 0, 1) {
		return
	}
	if handled, _ := d.auth.HandleSecurityException(ctx, AuthToken{Tokens: token}, ne); handled {
		ne.markRetryable()
	}
}

// routingError maps a router failure to the public kind: no router could
// answer is a ConnectivityError (ServiceUnavailable).
func routingError(err error) error {
	var ue *router.UnavailableError
	var ne *Neo4jError
	var fe *FeatureNotSupportedError
	switch {
	case errors.As(err, &ne), errors.Is(err, ErrUsage), errors.As(err, &fe):
		return err
	case errors.As(err, &ue), errors.Is(err, router.ErrNoServers), errors.Is(err, router.ErrNoRouters):
		return &ConnectivityError{Inner: fmt.Errorf("no server is available: %w", err)}
	}
	return connectivityError(err)
}

// RoutingTable is a snapshot of one database's routing table (neo4j://):
// the router's own copy type, so the driver does not restate its fields.
type RoutingTable = router.Table

// RoutingTable returns the routing table the driver holds for database,
// and false when it holds none (or the driver does not route).
func (d *Driver) RoutingTable(database string) (RoutingTable, bool) {
	if d.router == nil {
		return RoutingTable{}, false
	}
	t, ok := d.router.Table(database)
	if !ok {
		return RoutingTable{}, false
	}
	return t, true
}

// UpdateRoutingTable fetches database's routing table now, starting from
// bookmarks; "" looks the home database up again and fetches its table.
// It is a usage error on a driver that does not route.
func (d *Driver) UpdateRoutingTable(ctx context.Context, database string, bookmarks Bookmarks) error {
	if err := d.checkOpen(); err != nil {
		return err
	}
	if d.router == nil {
		return usageErrorf("boltrx: UpdateRoutingTable needs a neo4j:// URI; this driver talks to %s directly", d.Target())
	}
	if err := d.router.Refresh(ctx, router.Request{Database: database, Bookmarks: bookmarks, RefreshHome: database == ""}); err != nil {
		return routingError(err)
	}
	return nil
}
