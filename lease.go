package boltrx

import (
	"context"

	"github.com/boltrx/boltrx/actors"
	"github.com/boltrx/boltrx/bolt"
)

// leaseOptions say how Driver.lease makes a connection ready.
type leaseOptions struct {
	// database is the database the work runs in, for the router's
	// feedback when the member cannot be reached.
	database string
	// feedback reports an acquisition failure to the router
	// (routedError): the member may be forgotten.
	feedback bool
	// auth is the token the work runs with (a session's or the one
	// being verified); nil: the driver's token manager.
	auth *AuthToken
	// authenticate makes sure the connection is authenticated with auth
	// (ensureAuth); without it the caller deals with authentication.
	authenticate bool
	// reject refuses a connection before it is authenticated: lease
	// releases it and returns errGuessUnconfirmed.
	reject func(*actors.Conn) bool
	// resetPooled checks a connection that was not opened for this lease
	// with a RESET; one that fails it is closed and another acquired.
	resetPooled bool
}

// lease is the one way a connection is acquired and made ready: from the
// pool of address, within its acquisition timeout (opening a connection
// authenticates it with o.auth or the token manager's token); then,
// as o says, checked with a RESET when pooled, and authenticated again
// (re-authentication, or another connection when the server cannot
// re-authenticate). Release the connection to the pool returned.
func (d *Driver) lease(ctx context.Context, address string, o leaseOptions) (*actors.Pool, *actors.Conn, error) {
	p, err := d.pool(address)
	if err != nil {
		return nil, nil, err
	}
	actx := withConnectToken(ctx, o.auth)
	for {
		c, err := p.Acquire(actx)
		if err != nil {
			err = acquireErr(err)
			if o.feedback {
				d.routedError(address, o.database, err)
			}
			return nil, nil, err
		}
		if o.reject != nil && o.reject(c) {
			p.Release(c)
			return nil, nil, errGuessUnconfirmed
		}
		// Whether the connection was opened for this lease: its creation
		// time cannot tell, as the clock may be a test's frozen one.
		if o.resetPooled && !c.TakeFresh() {
			if _, err := c.Call(ctx, &bolt.Reset{}); err != nil {
				c.Interrupt(err)
				p.Release(c)
				if ctx.Err() != nil {
					return nil, nil, connectivityError(err)
				}
				continue // the pool drops the dead connection
			}
		}
		if !o.authenticate {
			return p, c, nil
		}
		c, retry, err := d.ensureAuth(ctx, p, c, o.auth)
		if retry {
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		return p, c, nil
	}
}
