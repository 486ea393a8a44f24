package server

import (
	"errors"
	"fmt"
	"net"
	"slices"
	"time"

	"github.com/boltrx/boltrx/bolt"
)

// Defaults of Config.
const (
	// DefaultFlushThreshold is the buffered size at which a long response
	// is written out before it is complete.
	DefaultFlushThreshold = 64 << 10
	// DefaultHandshakeTimeout bounds the handshake of a new connection.
	DefaultHandshakeTimeout = 30 * time.Second
	// DefaultConnectionIDPrefix starts every connection id.
	DefaultConnectionIDPrefix = "bolt-"
)

// ErrNotLoopback reports a listen address that is not on 127.0.0.1: the
// test servers never listen anywhere else.
var ErrNotLoopback = errors.New("server: the test servers listen on 127.0.0.1 only")

// Config configures a Server.
type Config struct {
	// Addr is the listen address, "127.0.0.1:port"; "" or a port of 0
	// picks a free port. Any host other than 127.0.0.1 is refused.
	Addr string
	// Handler supplies transactions, results and routing tables.
	// Required.
	Handler Handler

	// Versions are the protocol versions the server speaks, newest first;
	// nil means bolt.SupportedVersions. VersionRange builds a range.
	Versions []bolt.Version
	// DisableManifest makes the server ignore manifest requests, like a
	// server older than 5.7. Without it the server answers them when it
	// speaks 5.7 or newer.
	DisableManifest bool
	// Agent is the server agent of HELLO's SUCCESS; "" derives one from
	// the newest version (e.g. "Neo4j/5.26.0").
	Agent string
	// ConnectionIDPrefix starts the connection ids ("bolt-" by default).
	ConnectionIDPrefix string

	// Users maps user names to passwords for the "basic" scheme. nil
	// accepts any authentication token.
	Users map[string]string

	// RecvTimeout, when set, is sent as the connection hint
	// connection.recv_timeout_seconds (rounded up to whole seconds) on
	// 4.3+, and the server sends NOOP chunks at least every RecvTimeout/2
	// while it works on a request.
	RecvTimeout time.Duration
	// TelemetryEnabled sends the hint telemetry.enabled (5.4+).
	TelemetryEnabled bool
	// SSREnabled sends the hint ssr.enabled (5.8+).
	SSREnabled bool

	// FlushDelay is waited before the write that ends each response
	// batch, standing in for a network round trip.
	FlushDelay time.Duration
	// FlushThreshold writes a long response out once this many bytes are
	// buffered (DefaultFlushThreshold when 0).
	FlushThreshold int
	// MaxMessageSize bounds an incoming message (bolt's default when 0).
	MaxMessageSize int
	// HandshakeTimeout bounds the handshake (DefaultHandshakeTimeout when
	// 0).
	HandshakeTimeout time.Duration

	// Interceptor, when set, sees every request before it is carried out.
	Interceptor Interceptor
	// Logf, when set, receives a line per connection problem.
	Logf func(format string, args ...any)
}

// VersionRange returns the versions of bolt.SupportedVersions from lo to
// hi inclusive, newest first; VersionRange(v, v) pins one version.
func VersionRange(lo, hi bolt.Version) []bolt.Version {
	var out []bolt.Version
	for _, v := range bolt.SupportedVersions {
		if v.AtLeast(lo) && !hi.Less(v) {
			out = append(out, v)
		}
	}
	return out
}

// withDefaults checks cfg and fills in its defaults.
func (cfg Config) withDefaults() (Config, error) {
	if cfg.Handler == nil {
		return cfg, errors.New("server: Config.Handler is required")
	}
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	host, _, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return cfg, fmt.Errorf("server: listen address %q: %w", cfg.Addr, err)
	}
	if host != "127.0.0.1" {
		return cfg, fmt.Errorf("%w (got %q)", ErrNotLoopback, cfg.Addr)
	}
	if cfg.Versions == nil {
		cfg.Versions = bolt.SupportedVersions
	}
	if len(cfg.Versions) == 0 {
		return cfg, errors.New("server: no protocol version configured")
	}
	for _, v := range cfg.Versions {
		if !bolt.IsSupported(v) {
			return cfg, fmt.Errorf("server: protocol version %v is not supported", v)
		}
	}
	cfg.Versions = slices.Clone(cfg.Versions)
	slices.SortFunc(cfg.Versions, func(a, b bolt.Version) int {
		switch {
		case a == b:
			return 0
		case b.Less(a):
			return -1
		}
		return 1
	})
	if cfg.Agent == "" {
		cfg.Agent = DefaultAgent(cfg.Versions[0])
	}
	if cfg.ConnectionIDPrefix == "" {
		cfg.ConnectionIDPrefix = DefaultConnectionIDPrefix
	}
	if cfg.FlushThreshold <= 0 {
		cfg.FlushThreshold = DefaultFlushThreshold
	}
	if cfg.HandshakeTimeout <= 0 {
		cfg.HandshakeTimeout = DefaultHandshakeTimeout
	}
	return cfg, nil
}

// manifest reports whether the server answers manifest requests: Neo4j
// does from 5.7 (Neo4j 5.26) on.
func (cfg *Config) manifest() bool {
	return !cfg.DisableManifest && cfg.Versions[0].AtLeast(bolt.V5_7)
}

// DefaultAgent returns the server agent of a Neo4j release whose newest
// protocol version is v, e.g. "Neo4j/5.26.0" for 5.x.
func DefaultAgent(v bolt.Version) string {
	switch {
	case v.Less(bolt.V4_0):
		return "Neo4j/3.5.35"
	case v.Less(bolt.V5_0):
		return "Neo4j/4.4.40"
	case v.Less(bolt.V6_0):
		return "Neo4j/5.26.0"
	}
	return "Neo4j/2025.10.1"
}

// recvTimeoutSeconds is the hint value: RecvTimeout rounded up.
func (cfg *Config) recvTimeoutSeconds() int64 {
	if cfg.RecvTimeout <= 0 {
		return 0
	}
	return int64((cfg.RecvTimeout + time.Second - 1) / time.Second)
}
