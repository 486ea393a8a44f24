package router

import (
	"context"
	"fmt"
	"net"

	"github.com/boltrx/boltrx/bolt"
)

// discovery is one refresh of one table: it asks routers one after the
// other until one sends a valid table. It runs on its own goroutine, never
// on an actor's.
type discovery struct {
	cfg *Config
	// database is the table's key; "" asks for the home database.
	database string
	req      Request
	// known are the routers of the current table, tried first unless
	// initialFirst (the last table had no writers: it may have come from
	// a minority partition, so the initial router goes first).
	known        []string
	initialFirst bool

	tried      map[string]bool
	causes     []error
	sawInvalid bool
}

// discoveryResult is what a discovery hands back to its actor.
type discoveryResult struct {
	table Table
	err   error
	// keepPrevious: every router failed, but some did answer, with an
	// invalid table. The answer is rejected and the current table stays:
	// its routers are alive. Otherwise a failed refresh drops the table.
	keepPrevious bool
}

// run asks the routers in order and returns the first valid table.
func (d *discovery) run(ctx context.Context) discoveryResult {
	d.tried = make(map[string]bool)
	d.req.Database = d.database
	steps := []func(context.Context) (Table, bool, error){d.askKnown, d.askInitial}
	if d.initialFirst {
		steps[0], steps[1] = steps[1], steps[0]
	}
	for _, step := range steps {
		t, ok, err := step(ctx)
		if err != nil {
			return discoveryResult{err: err}
		}
		if ok {
			return discoveryResult{table: t}
		}
	}
	return discoveryResult{
		err:          &UnavailableError{Database: d.database, Causes: d.causes},
		keepPrevious: d.sawInvalid,
	}
}

func (d *discovery) askKnown(ctx context.Context) (Table, bool, error) {
	return d.askEach(ctx, d.known)
}

// askInitial resolves the initial router through the user's resolver,
// then each address it gives through DNS, and asks every address found
// that was not asked already, resolving the next address only when the
// previous ones failed.
func (d *discovery) askInitial(ctx context.Context) (Table, bool, error) {
	initial := d.cfg.InitialRouter
	resolved := []string{initial}
	if d.cfg.Resolve != nil {
		resolved = d.cfg.Resolve(initial)
	}
	if len(resolved) == 0 {
		d.causes = append(d.causes, &ResolveError{Address: initial, Err: ErrNoRouters})
		return Table{}, false, nil
	}
	for _, address := range resolved {
		addrs, err := d.lookup(ctx, address)
		if err != nil {
			return Table{}, false, err
		}
		if t, ok, err := d.askEach(ctx, addrs); ok || err != nil {
			return t, ok, err
		}
	}
	return Table{}, false, nil
}

// askEach asks each router not asked yet; a fatal error or cancellation
// ends the refresh.
func (d *discovery) askEach(ctx context.Context, routers []string) (Table, bool, error) {
	for _, router := range routers {
		if d.tried[router] {
			continue
		}
		if err := ctx.Err(); err != nil {
			return Table{}, false, context.Cause(ctx)
		}
		d.tried[router] = true
		rt, err := d.fetch(ctx, router)
		if err != nil {
			if ctx.Err() != nil {
				return Table{}, false, context.Cause(ctx)
			}
			fe := &FetchError{Router: router, Err: err}
			if d.cfg.IsFatal != nil && d.cfg.IsFatal(err) {
				return Table{}, false, fe
			}
			d.causes = append(d.causes, fe)
			d.cfg.Log.Debug("routing table fetch failed", "router", router, "database", d.database, "error", err)
			continue
		}
		t, err := validateTable(router, d.database, rt, d.cfg.Now())
		if err != nil {
			d.sawInvalid = true
			d.causes = append(d.causes, err)
			d.cfg.Log.Debug("routing table rejected", "router", router, "database", d.database, "error", err)
			continue
		}
		return t, true, nil
	}
	return Table{}, false, nil
}

// fetch calls the Fetcher; a panic in it fails this router only, rather
// than the driver's process.
func (d *discovery) fetch(ctx context.Context, router string) (rt *bolt.RoutingTable, err error) {
	defer func() {
		if p := recover(); p != nil {
			rt, err = nil, fmt.Errorf("router: Fetch panicked: %v", p)
		}
	}()
	return d.cfg.Fetch(ctx, router, d.req)
}

// lookup resolves one address through DNS; a failure becomes a cause and
// no address. An error is returned only when ctx ends.
func (d *discovery) lookup(ctx context.Context, address string) ([]string, error) {
	norm, err := normalizeAddress(address)
	if err != nil {
		d.causes = append(d.causes, &ResolveError{Address: address, Err: err})
		return nil, nil
	}
	host, port := splitHostPort(norm)
	if net.ParseIP(host) != nil {
		return []string{norm}, nil
	}
	ips, err := d.cfg.LookupHost(ctx, host)
	if ctx.Err() != nil {
		return nil, context.Cause(ctx)
	}
	if err == nil && len(ips) == 0 {
		err = ErrNoRouters
	}
	if err != nil {
		d.causes = append(d.causes, &ResolveError{Address: norm, Err: err})
		return nil, nil
	}
	out := make([]string, len(ips))
	for i, ip := range ips {
		out[i] = net.JoinHostPort(ip, port)
	}
	return out, nil
}
