package actors

import (
	"context"
	"maps"
	"reflect"

	"github.com/boltrx/boltrx/bolt"
	"github.com/boltrx/boltrx/streams"
)

// codeAuthorizationExpired is the failure that tells the driver the
// server dropped its authorization cache: every connection to that server
// must authenticate again before its next use.
const codeAuthorizationExpired = "Neo.ClientError.Security.AuthorizationExpired"

// authState is the token a connection is authenticated with, kept apart
// from the Conn's fixed fields because re-authentication replaces it.
type authState = map[string]any

// AuthMatches reports whether the connection is authenticated with token.
func (c *Conn) AuthMatches(token map[string]any) bool {
	current := c.auth.Load()
	if current == nil {
		return false
	}
	// The common case: the very map the connection was opened with.
	if reflect.ValueOf(*current).UnsafePointer() == reflect.ValueOf(token).UnsafePointer() {
		return true
	}
	return reflect.DeepEqual(*current, token)
}

// Auth returns the token the connection is authenticated with.
func (c *Conn) Auth() map[string]any {
	if current := c.auth.Load(); current != nil {
		return *current
	}
	return nil
}

// TakeFresh reports, once, that the connection was opened for the caller
// that acquired it: it is authenticated with the token that caller's
// acquisition connected with, so there is nothing to check.
func (c *Conn) TakeFresh() bool { return c.fresh.Swap(false) }

// AuthStale reports whether the connection must authenticate again
// before its next use: a connection to the same server failed with
// Neo.ClientError.Security.AuthorizationExpired since it authenticated.
func (c *Conn) AuthStale() bool {
	return c.authGen != nil && c.authAt.Load() < c.authGen.Load()
}

// authenticatedNow records that the connection (re-)authenticated.
func (c *Conn) authenticatedNow() {
	if c.authGen != nil {
		c.authAt.Store(c.authGen.Load())
	}
}

// noteFailure reacts to a FAILURE the connection received:
// AuthorizationExpired makes every connection of its pool stale.
func (c *Conn) noteFailure(f *bolt.Failure) {
	if f.Code == codeAuthorizationExpired && c.authGen != nil {
		c.authGen.Add(1)
	}
}

// Reauthenticate switches the connection to token with LOGOFF and LOGON
// (Bolt 5.1+), which go out with the caller's next request, pipelined
// before it; a lease that ends without a request sends nothing and
// leaves the connection as it was. When the server refuses the token,
// the connection breaks and the requests written after LOGON are
// answered with the LOGON's FAILURE.
func (c *Conn) Reauthenticate(token map[string]any) {
	c.setPendingLogon(maps.Clone(token), true)
}

// forgetPendingLogon drops a re-authentication that no request took out.
func (c *Conn) forgetPendingLogon() {
	if !c.logonPending.Load() {
		return
	}
	c.setPendingLogon(nil, false)
}

// setPendingLogon sets the re-authentication that the next request takes
// out, and whether there is one.
func (c *Conn) setPendingLogon(token map[string]any, pending bool) {
	c.wmu.Lock()
	c.pendingLogon = token
	c.logonPending.Store(pending)
	c.wmu.Unlock()
}

// withPendingLogonLocked puts the pending LOGOFF and LOGON, if any, in
// front of reqs; the caller holds wmu and writes the result.
func (c *Conn) withPendingLogonLocked(reqs []bolt.Request, hs []streams.Handler) ([]bolt.Request, []streams.Handler) {
	token := c.pendingLogon
	if token == nil {
		return reqs, hs
	}
	c.pendingLogon = nil
	c.logonPending.Store(false)
	c.auth.Store(&token)
	c.authenticatedNow()
	reqs = append([]bolt.Request{&bolt.Logoff{}, &bolt.Logon{Auth: token}}, reqs...)
	hs = append([]streams.Handler{logonHandler{c}, logonHandler{c}}, hs...)
	return reqs, hs
}

// ReauthenticateWait is Reauthenticate waiting for the server's verdict:
// the LOGON's *bolt.Failure when it refused the token, after which the
// connection is broken.
func (c *Conn) ReauthenticateWait(ctx context.Context, token map[string]any) error {
	cp := maps.Clone(token)
	c.auth.Store(&cp)
	c.authenticatedNow()
	_, err := c.Call(ctx, &bolt.Logoff{}, &bolt.Logon{Auth: token})
	if err != nil {
		c.fail(err)
	}
	return err
}

// logonHandler handles the answers to a pipelined LOGOFF and LOGON: a
// FAILURE breaks the connection, and the requests pipelined behind get
// that FAILURE as their answer.
type logonHandler struct{ c *Conn }

func (logonHandler) OnRecord([]any) {}

func (h logonHandler) OnSummary(resp *bolt.Response) {
	if resp.Kind != bolt.ResponseFailure {
		return
	}
	f := resp.Failure
	h.c.logonFailure.Store(&f)
	h.c.fail(&f)
}

func (logonHandler) OnConnError(error) {}

// logonFailureOf returns the FAILURE of a re-authentication that broke
// the connection, or nil.
func (c *Conn) logonFailureOf() *bolt.Failure { return c.logonFailure.Load() }
