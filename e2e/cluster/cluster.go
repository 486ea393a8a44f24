package cluster

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"testing"

	"github.com/boltrx/boltrx/e2e/graphdb"
	"github.com/boltrx/boltrx/e2e/server"
)

// ErrNoSuchMember reports a member index out of range.
var ErrNoSuchMember = errors.New("cluster: no such member")

// Cluster is a running simulated cluster. Its methods are safe for
// concurrent use.
type Cluster struct {
	cfg   Config
	store *graphdb.Store
	stop  func() bool // unregisters the Start context's AfterFunc

	mu         sync.Mutex
	closed     bool
	members    []*member
	injections []injection
}

// member is one cluster member.
type member struct {
	index       int
	name        string // the member's name in graphdb
	addr        string // fixed at the first start; Restart reuses it
	srv         *server.Server
	partitioned bool
	refusing    bool // new connections are reset (RefuseConnections)
}

// reachable reports whether drivers can talk to the member.
func (m *member) reachable() bool { return m.srv != nil && !m.partitioned }

// Start starts a cluster; it runs until Close or until ctx ends.
func Start(ctx context.Context, cfg Config) (*Cluster, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	c := &Cluster{cfg: cfg, store: graphdb.NewStore(graphdb.Options{Clock: cfg.Clock, Lag: cfg.Lag})}
	for i := range cfg.Members {
		port := 0
		if cfg.Ports != nil {
			port = cfg.Ports[i]
		}
		c.members = append(c.members, &member{
			index: i,
			name:  "member-" + strconv.Itoa(i),
			addr:  net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
		})
	}
	for _, name := range append([]string{SystemDatabase, DefaultDatabase}, cfg.Databases...) {
		if _, err := c.CreateDatabase(name); err != nil {
			return nil, err
		}
	}
	for _, m := range c.members {
		srv, err := c.startMember(m)
		if err != nil {
			_ = c.Close()
			return nil, fmt.Errorf("cluster: starting member %d: %w", m.index, err)
		}
		c.mu.Lock()
		m.srv, m.addr = srv, srv.Addr()
		c.mu.Unlock()
	}
	c.stop = context.AfterFunc(ctx, func() { _ = c.Close() })
	return c, nil
}

// StartT starts a cluster for the duration of a test: a failure to start
// fails the test, and the cluster closes when the test ends.
func StartT(t testing.TB, cfg Config) *Cluster {
	t.Helper()
	c, err := Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// startMember starts the Bolt server of m on its address.
func (c *Cluster) startMember(m *member) (*server.Server, error) {
	return server.Start(context.Background(), server.Config{
		Addr:               m.addr,
		Handler:            &memberHandler{c: c, m: m},
		Versions:           c.cfg.Versions,
		DisableManifest:    c.cfg.DisableManifest,
		Agent:              c.cfg.Agent,
		ConnectionIDPrefix: "bolt-" + strconv.Itoa(m.index) + "-",
		Users:              c.cfg.passwords(),
		RecvTimeout:        c.cfg.RecvTimeout,
		TelemetryEnabled:   c.cfg.TelemetryEnabled,
		SSREnabled:         !c.cfg.DisableServerSideRouting,
		Interceptor:        c.interceptor(m.index),
		Logf:               c.cfg.Logf,
	})
}

// Close stops every member and waits for their goroutines.
func (c *Cluster) Close() error {
	if c.stop != nil {
		c.stop()
	}
	c.mu.Lock()
	c.closed = true
	var servers []*server.Server
	for _, m := range c.members {
		if m.srv != nil {
			servers = append(servers, m.srv)
			m.srv = nil
		}
	}
	c.mu.Unlock()
	var errs []error
	for _, s := range servers {
		errs = append(errs, s.Close())
	}
	return errors.Join(errs...)
}

// Store returns the data of the cluster, for direct checks.
func (c *Cluster) Store() *graphdb.Store { return c.store }

// Size returns the number of members.
func (c *Cluster) Size() int { return len(c.members) }

// Addr returns member i's address, "127.0.0.1:port" (also while it is
// killed: Restart listens there again).
func (c *Cluster) Addr(i int) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if i < 0 || i >= len(c.members) {
		return ""
	}
	return c.members[i].addr
}

// Addrs returns every member's address, in member order.
func (c *Cluster) Addrs() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]string, len(c.members))
	for i, m := range c.members {
		out[i] = m.addr
	}
	return out
}

// Server returns member i's Bolt server (nil while killed), for its
// statistics.
func (c *Cluster) Server(i int) *server.Server {
	c.mu.Lock()
	defer c.mu.Unlock()
	if i < 0 || i >= len(c.members) {
		return nil
	}
	return c.members[i].srv
}

// memberOf returns member i or ErrNoSuchMember; c.mu is held.
func (c *Cluster) memberOf(i int) (*member, error) {
	if i < 0 || i >= len(c.members) {
		return nil, fmt.Errorf("%w: %d (the cluster has %d)", ErrNoSuchMember, i, len(c.members))
	}
	return c.members[i], nil
}

// memberByName finds a member by its graphdb name; nil when unknown.
func (c *Cluster) memberByName(name string) *member {
	for _, m := range c.members {
		if m.name == name {
			return m
		}
	}
	return nil
}
