package server

import (
	"context"
	"slices"

	"github.com/boltrx/boltrx/bolt"
)

// handle carries out one request and reports whether the connection
// stays open.
func (c *conn) handle(req bolt.Request) bool {
	switch req.(type) {
	case *bolt.Goodbye:
		return false
	case *bolt.Reset:
		c.resetPending.Add(-1)
		return c.onReset()
	}
	if c.state >= bolt.StateReady {
		if c.interrupted() {
			// A RESET is on its way: everything before it is ignored.
			c.abortTx()
			c.state = bolt.StateInterrupted
			return c.ignore()
		}
		if c.state == bolt.StateFailed || c.state == bolt.StateInterrupted {
			return c.ignore()
		}
	}
	if ic := c.cfg.Interceptor; ic != nil {
		if act := ic(&c.sess, req); act != nil {
			if act.Disconnect {
				return false
			}
			if act.Failure != nil {
				if _, ok := req.(*bolt.Hello); ok {
					c.openHelloGate()
				}
				return c.fail(act.Failure)
			}
		}
	}
	switch r := req.(type) {
	case *bolt.Hello:
		return c.onHello(r)
	case *bolt.Logon:
		return c.onLogon(r)
	case *bolt.Logoff:
		return c.onLogoff(r)
	case *bolt.Telemetry:
		return c.onTelemetry(r)
	case *bolt.Route:
		return c.onRoute(r)
	case *bolt.Begin:
		return c.onBegin(r)
	case *bolt.Run:
		return c.onRun(r)
	case *bolt.Pull:
		return c.onStream(r, r.N, r.Qid, false)
	case *bolt.Discard:
		return c.onStream(r, r.N, r.Qid, true)
	case *bolt.Commit:
		return c.onCommit(r)
	case *bolt.Rollback:
		return c.onRollback(r)
	}
	return c.invalid(req)
}

// onHello opens the session: authentication (before 5.1), the server
// agent, the connection id and the hints.
func (c *conn) onHello(h *bolt.Hello) bool {
	defer c.openHelloGate()
	if c.state != bolt.StateConnected {
		return c.invalid(h)
	}
	c.sess.UserAgent = h.UserAgent
	c.sess.Routing = h.Routing
	if !c.caps.Logon {
		user, err := c.authenticate(h.Auth)
		if err != nil {
			return c.fail(err)
		}
		c.sess.User = user
	}
	s := &bolt.Success{Server: c.cfg.Agent, ConnectionID: c.sess.ID}
	if c.caps.ConnectionHints {
		s.Hints.RecvTimeoutSeconds = c.cfg.recvTimeoutSeconds()
		s.Hints.TelemetryEnabled = c.caps.Telemetry && c.cfg.TelemetryEnabled
		s.Hints.SSREnabled = c.caps.HomeDatabaseHint && c.cfg.SSREnabled
	}
	utc := c.caps.UTCPatch && slices.Contains(h.PatchBolt, "utc")
	if utc {
		s.PatchBolt = []string{"utc"}
	}
	if !c.send(s) {
		return false
	}
	// With utc, Send switched the Backend to the patched dialect, for the
	// reader too: it waits for the gate, so there is no race.
	if c.caps.Logon {
		c.state = bolt.StateAuthentication
	} else {
		c.state = bolt.StateReady
	}
	return true
}

// onLogon authenticates the session (5.1+).
func (c *conn) onLogon(l *bolt.Logon) bool {
	if c.state != bolt.StateAuthentication {
		return c.invalid(l)
	}
	user, err := c.authenticate(l.Auth)
	if err != nil {
		return c.fail(err)
	}
	c.sess.User = user
	c.state = bolt.StateReady
	return c.send(&bolt.Success{})
}

// onLogoff ends the authentication (5.1+); LOGON must follow.
func (c *conn) onLogoff(l *bolt.Logoff) bool {
	if c.state != bolt.StateReady {
		return c.invalid(l)
	}
	c.sess.User = ""
	c.state = bolt.StateAuthentication
	return c.send(&bolt.Success{})
}

// onTelemetry accepts the driver's report (5.4+); it changes nothing.
func (c *conn) onTelemetry(t *bolt.Telemetry) bool {
	if c.state != bolt.StateReady {
		return c.invalid(t)
	}
	return c.send(&bolt.Success{})
}

// onReset abandons everything and returns to READY.
func (c *conn) onReset() bool {
	if c.state < bolt.StateReady {
		return c.fail(errRequestInvalid("RESET", c.state))
	}
	c.abortTx()
	c.state = bolt.StateReady
	return c.send(&bolt.Success{})
}

// onRoute answers ROUTE with the Handler's routing table (4.3+).
func (c *conn) onRoute(r *bolt.Route) bool {
	if c.state != bolt.StateReady {
		return c.invalid(r)
	}
	var table *bolt.RoutingTable
	var err error
	c.call(func(ctx context.Context) {
		table, err = c.cfg.Handler.Route(ctx, &c.sess, RouteRequest{
			Routing:          r.Routing,
			Bookmarks:        r.Bookmarks,
			Database:         r.Database,
			ImpersonatedUser: r.ImpersonatedUser,
		})
	})
	if err != nil {
		return c.fail(err)
	}
	if table == nil {
		return c.fail(Errorf(CodeUnknownError, "no routing table"))
	}
	return c.send(&bolt.Success{RoutingTable: table})
}
