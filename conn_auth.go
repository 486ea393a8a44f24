package boltrx

import (
	"context"
	"errors"
	"fmt"

	"github.com/boltrx/boltrx/actors"
	"github.com/boltrx/boltrx/auth"
)

// connectTokenKey carries, in the context of an acquisition, the token a
// connection the pool opens for it authenticates with when that is not
// the driver's token manager (a session's own credentials).
type connectTokenKey struct{}

// withConnectToken returns ctx asking new connections to authenticate
// with token; nil leaves the driver's token manager.
func withConnectToken(ctx context.Context, token *AuthToken) context.Context {
	if token == nil {
		return ctx
	}
	return context.WithValue(ctx, connectTokenKey{}, *token)
}

// connectTokens returns what a connection opened in ctx authenticates
// with: the acquisition's own token, or the driver's token manager.
func (d *Driver) connectTokens(ctx context.Context) auth.TokenManager {
	if t, ok := ctx.Value(connectTokenKey{}).(AuthToken); ok {
		return t
	}
	return d.auth
}

// errAuthChanged interrupts a pooled connection whose token is not the
// one wanted, on a server that cannot re-authenticate.
var errAuthChanged = errors.New("boltrx: the auth token changed; the server cannot re-authenticate (Bolt < 5.1)")

// ensureAuth makes sure conn, just acquired from p, is authenticated with
// own (a session's credentials) or, when own is nil, with the token
// manager's current token. The token manager is asked once per
// acquisition, and not at all for a connection that was opened for this
// acquisition (it authenticated with that token a moment ago).
//
// A connection authenticated otherwise, or that must authenticate again
// because another connection to its server failed with
// AuthorizationExpired, re-authenticates on Bolt 5.1+: LOGOFF and LOGON
// go out pipelined with the caller's first request, whose answer carries
// a refusal (a lease without a request sends nothing). Before 5.1 it is closed instead and retry is true (acquire
// another); a session's own credentials are then a
// FeatureNotSupportedError, as the server cannot switch users.
func (d *Driver) ensureAuth(ctx context.Context, p *actors.Pool, conn *actors.Conn, own *AuthToken) (c *actors.Conn, retry bool, err error) {
	fresh := conn.TakeFresh()
	var token AuthToken
	switch {
	case own != nil && !conn.Caps.Logon:
		p.Release(conn)
		return nil, false, sessionAuthUnsupported(conn)
	case own != nil:
		token = *own
	case fresh:
		return conn, false, nil
	default:
		t, err := d.auth.GetAuthToken(ctx)
		if err != nil {
			p.Release(conn)
			return nil, false, tokenManagerError(err)
		}
		token = t
	}
	if conn.AuthMatches(token.Tokens) && !conn.AuthStale() {
		return conn, false, nil
	}
	if !conn.Caps.Logon {
		conn.Interrupt(errAuthChanged)
		p.Release(conn)
		return nil, true, nil
	}
	conn.Reauthenticate(token.Tokens)
	return conn, false, nil
}

// sessionAuthUnsupported is the error of a session's own credentials on a
// server older than Bolt 5.1.
func sessionAuthUnsupported(conn *actors.Conn) error {
	return &FeatureNotSupportedError{
		Server:  conn.Address,
		Feature: "session auth",
		Reason:  "switching users on a connection needs Bolt 5.1 or newer; the server speaks " + conn.Version.String() + ": use a driver with these credentials instead",
	}
}

// tokenManagerError is the error of a token manager that could not give a
// token.
func tokenManagerError(err error) error {
	return &ConnectivityError{Inner: fmt.Errorf("the auth token manager failed: %w", err)}
}
