package cluster

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/boltrx/boltrx/bolt"
	"github.com/boltrx/boltrx/e2e/server"
)

// Defaults of Config.
const (
	DefaultMembers         = 3
	DefaultTTL             = 300 * time.Second
	DefaultBookmarkTimeout = 5 * time.Second
	DefaultDatabase        = "neo4j"
	SystemDatabase         = "system"
)

// User is a user of the cluster.
type User struct {
	// Password for the "basic" authentication scheme.
	Password string
	// HomeDatabase is used when a session names no database; "" means
	// DefaultDatabase.
	HomeDatabase string
}

// Config configures a cluster.
type Config struct {
	// Members is the number of members (DefaultMembers when 0).
	Members int
	// Ports fixes the members' ports (127.0.0.1 only); nil or a 0 entry
	// picks a free port. When set, it has one entry per member.
	Ports []int
	// Versions are the protocol versions the members speak, newest first
	// (nil = every version boltrx knows, 3.0 to 6.1); a test pins one with
	// server.VersionRange(v, v).
	Versions []bolt.Version
	// DisableManifest makes the members ignore manifest handshakes.
	DisableManifest bool
	// Agent is the server agent ("" = server.DefaultAgent of the newest
	// version).
	Agent string

	// TTL of the routing tables (DefaultTTL when 0). It is sent in whole
	// seconds, rounded down; use a negative TTL to send 0 (tables expire
	// at once).
	TTL time.Duration
	// Lag is the replication lag of the followers.
	Lag time.Duration
	// BookmarkTimeout bounds the wait for a member to catch up with the
	// bookmarks a transaction brings (DefaultBookmarkTimeout when 0).
	BookmarkTimeout time.Duration
	// Clock drives replication (nil = time.Now); tests may use a fake one
	// and call Store().ClockAdvanced() after moving it.
	Clock func() time.Time

	// Users of the cluster; nil accepts any credentials, and everyone's
	// home database is DefaultDatabase.
	Users map[string]User
	// Databases are created at start, besides "neo4j" and "system".
	Databases []string

	// DisableServerSideRouting turns server-side routing off. With it on
	// (the default, as in Neo4j 5) a write transaction on a follower of a
	// client that does not route itself (no routing context in HELLO) is
	// carried out on the leader, and 5.8+ clients get the hint
	// ssr.enabled; clients that route themselves always get NotALeader.
	DisableServerSideRouting bool
	// ManualFailover keeps the leadership where it is when its member is
	// killed or partitioned; by default it moves to the first reachable
	// member, as an election would.
	ManualFailover bool

	// RecvTimeout, TelemetryEnabled: see server.Config.
	RecvTimeout      time.Duration
	TelemetryEnabled bool
	// Logf receives connection problems.
	Logf func(format string, args ...any)
}

// withDefaults checks cfg and fills in its defaults.
func (cfg Config) withDefaults() (Config, error) {
	if cfg.Members == 0 {
		cfg.Members = DefaultMembers
	}
	if cfg.Members < 0 {
		return cfg, fmt.Errorf("cluster: %d members", cfg.Members)
	}
	if cfg.Ports != nil && len(cfg.Ports) != cfg.Members {
		return cfg, fmt.Errorf("cluster: %d ports for %d members", len(cfg.Ports), cfg.Members)
	}
	for _, p := range cfg.Ports {
		if p < 0 || p > 65535 {
			return cfg, fmt.Errorf("cluster: invalid port %d", p)
		}
	}
	if cfg.Agent == "" {
		newest := bolt.SupportedVersions[0]
		if len(cfg.Versions) > 0 {
			newest = slices.MaxFunc(cfg.Versions, func(a, b bolt.Version) int {
				if a == b {
					return 0
				}
				if a.Less(b) {
					return -1
				}
				return 1
			})
		}
		cfg.Agent = server.DefaultAgent(newest)
	}
	if cfg.TTL == 0 {
		cfg.TTL = DefaultTTL
	}
	if cfg.BookmarkTimeout <= 0 {
		cfg.BookmarkTimeout = DefaultBookmarkTimeout
	}
	if cfg.Users != nil {
		users := make(map[string]User, len(cfg.Users))
		for name, u := range cfg.Users {
			if name == "" {
				return cfg, errors.New("cluster: a user without a name")
			}
			if u.HomeDatabase == "" {
				u.HomeDatabase = DefaultDatabase
			}
			users[name] = u
		}
		cfg.Users = users
	}
	return cfg, nil
}

// ttlSeconds is the TTL as sent.
func (cfg *Config) ttlSeconds() int64 {
	if cfg.TTL < 0 {
		return 0
	}
	return int64(cfg.TTL / time.Second)
}

// passwords is the user table of the servers.
func (cfg *Config) passwords() map[string]string {
	if cfg.Users == nil {
		return nil
	}
	out := make(map[string]string, len(cfg.Users))
	for name, u := range cfg.Users {
		out[name] = u.Password
	}
	return out
}
