package cluster

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/boltrx/boltrx/e2e/graphdb"
	"github.com/boltrx/boltrx/e2e/server"
)

// Roles of a member for one database.
const (
	RoleLeader   = "leader"
	RoleFollower = "follower"
)

// MemberInfo describes a member.
type MemberInfo struct {
	Index   int
	Address string
	// Alive is false after Kill, until Restart.
	Alive bool
	// Partitioned is true between Partition and Heal.
	Partitioned bool
	// Refusing is true between RefuseConnections and AcceptConnections.
	Refusing bool
	// Roles maps every database to RoleLeader or RoleFollower.
	Roles map[string]string
}

// Members describes every member, in member order.
func (c *Cluster) Members() []MemberInfo {
	dbs := c.store.Databases()
	leaders := make(map[string]string, len(dbs))
	for _, name := range dbs {
		if db, err := c.store.Database(name); err == nil {
			leaders[name] = db.Leader()
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]MemberInfo, len(c.members))
	for i, m := range c.members {
		info := MemberInfo{Index: i, Address: m.addr, Alive: m.srv != nil, Partitioned: m.partitioned,
			Refusing: m.refusing,
			Roles:    make(map[string]string, len(dbs))}
		for _, name := range dbs {
			info.Roles[name] = RoleFollower
			if leaders[name] == m.name {
				info.Roles[name] = RoleLeader
			}
		}
		out[i] = info
	}
	return out
}

// Leader returns the index of the member leading db, or -1 when db does
// not exist.
func (c *Cluster) Leader(db string) int {
	d, err := c.store.Database(db)
	if err != nil {
		return -1
	}
	name := d.Leader()
	c.mu.Lock()
	defer c.mu.Unlock()
	if m := c.memberByName(name); m != nil {
		return m.index
	}
	return -1
}

// CreateDatabase creates a database with a replica on every member; the
// first reachable member leads it.
func (c *Cluster) CreateDatabase(name string) (*graphdb.Database, error) {
	db, err := c.store.CreateDatabase(name)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	leader := c.members[0]
	if i := slices.IndexFunc(c.members, (*member).reachable); i >= 0 {
		leader = c.members[i]
	}
	names := make([]string, len(c.members))
	for i, m := range c.members {
		names[i] = m.name
	}
	c.mu.Unlock()
	for _, n := range names {
		db.Replica(n)
	}
	db.SetLeader(leader.name)
	return db, nil
}

// MoveLeader makes member i the leader of db. A write transaction open on
// the previous leader fails with NotALeader.
func (c *Cluster) MoveLeader(db string, i int) error {
	d, err := c.store.Database(db)
	if err != nil {
		return err
	}
	c.mu.Lock()
	m, err := c.memberOf(i)
	c.mu.Unlock()
	if err != nil {
		return err
	}
	d.SetLeader(m.name)
	return nil
}

// SetLag sets the followers' replication lag.
func (c *Cluster) SetLag(d time.Duration) { c.store.SetLag(d) }

// Kill stops member i: its listener closes and its connections drop.
// Unless Config.ManualFailover is set, the databases it led get a new
// leader. Killing a killed member does nothing.
func (c *Cluster) Kill(i int) error {
	c.mu.Lock()
	m, err := c.memberOf(i)
	if err != nil {
		c.mu.Unlock()
		return err
	}
	srv := m.srv
	m.srv = nil
	c.mu.Unlock()
	if srv == nil {
		return nil
	}
	err = srv.Close()
	c.failover(m)
	return err
}

// Restart starts a killed member again on the same port, as a follower.
// Restarting a live member does nothing.
func (c *Cluster) Restart(i int) error {
	c.mu.Lock()
	m, err := c.memberOf(i)
	if err != nil || m.srv != nil || c.closed {
		c.mu.Unlock()
		if c.closed {
			return errors.New("cluster: closed")
		}
		return err
	}
	c.mu.Unlock()
	srv, err := c.startMember(m)
	if err != nil {
		return fmt.Errorf("cluster: restarting member %d on %s: %w", i, m.addr, err)
	}
	c.mu.Lock()
	if m.srv != nil || c.closed { // a concurrent Restart or Close won
		c.mu.Unlock()
		return srv.Close()
	}
	m.srv = srv
	if m.partitioned {
		srv.Partition()
	}
	if m.refusing {
		srv.RefuseConnections()
	}
	c.mu.Unlock()
	return nil
}

// Partition cuts member i off: it accepts connections but answers nothing
// (neither new handshakes nor requests on open connections) until Heal.
// Unless Config.ManualFailover is set, the databases it led get a new
// leader.
func (c *Cluster) Partition(i int) error {
	c.mu.Lock()
	m, err := c.memberOf(i)
	if err != nil {
		c.mu.Unlock()
		return err
	}
	m.partitioned = true
	if m.srv != nil {
		m.srv.Partition()
	}
	c.mu.Unlock()
	c.failover(m)
	return nil
}

// Heal ends the partition of member i.
func (c *Cluster) Heal(i int) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	m, err := c.memberOf(i)
	if err != nil {
		return err
	}
	m.partitioned = false
	if m.srv != nil {
		m.srv.Heal()
	}
	return nil
}

// RefuseConnections makes member i reset every new connection, as an
// overloaded server does, until AcceptConnections; its open connections
// carry on and it keeps its roles (the other members do not notice, so
// routing tables still list it).
func (c *Cluster) RefuseConnections(i int) error {
	return c.setRefusing(i, true)
}

// AcceptConnections ends RefuseConnections on member i.
func (c *Cluster) AcceptConnections(i int) error {
	return c.setRefusing(i, false)
}

func (c *Cluster) setRefusing(i int, on bool) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	m, err := c.memberOf(i)
	if err != nil {
		return err
	}
	m.refusing = on
	if m.srv != nil {
		if on {
			m.srv.RefuseConnections()
		} else {
			m.srv.AcceptConnections()
		}
	}
	return nil
}

// DropConnections closes every open connection of member i at once,
// whatever it is doing (streaming a result, in a transaction); the
// member keeps listening and keeps its roles. A write transaction open on
// a dropped connection is rolled back. It returns how many connections
// it closed.
func (c *Cluster) DropConnections(i int) (int, error) {
	c.mu.Lock()
	m, err := c.memberOf(i)
	srv := (*server.Server)(nil)
	if err == nil {
		srv = m.srv
	}
	c.mu.Unlock()
	if err != nil || srv == nil {
		return 0, err
	}
	n := srv.Connections()
	srv.DropConnections()
	return n, nil
}

// failover moves the leadership of the databases lost member led to the
// first reachable member.
func (c *Cluster) failover(lost *member) {
	if c.cfg.ManualFailover {
		return
	}
	c.mu.Lock()
	var next *member
	for _, m := range c.members {
		if m != lost && m.reachable() {
			next = m
			break
		}
	}
	c.mu.Unlock()
	if next == nil {
		return
	}
	for _, name := range c.store.Databases() {
		if db, err := c.store.Database(name); err == nil && db.Leader() == lost.name {
			db.SetLeader(next.name)
		}
	}
}
