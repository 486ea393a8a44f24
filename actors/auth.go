package actors

import (
	"context"
	"maps"
	"reflect"

	"github.com/boltrx/boltrx/bolt"
)

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

// Reauthenticate switches the connection to token with LOGOFF and LOGON
// (Bolt 5.1+), pipelined in one write. The connection must be idle. A
// refused token leaves the connection broken (the server closes it).
func (c *Conn) Reauthenticate(ctx context.Context, token map[string]any) error {
	if _, err := c.Call(ctx, &bolt.Logoff{}, &bolt.Logon{Auth: token}); err != nil {
		return err
	}
	cp := maps.Clone(token)
	c.auth.Store(&cp)
	return nil
}
