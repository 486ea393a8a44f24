package boltrx

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"runtime"
	"sync"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/boltrx/boltrx/actors"
	"github.com/boltrx/boltrx/auth"
	"github.com/boltrx/boltrx/bolt"
	"github.com/boltrx/boltrx/router"
	"github.com/boltrx/boltrx/telemetry"
)

// Version is boltrx's version, sent in the bolt_agent of HELLO.
const Version = "0.1.0"

// Driver is the entry point: it owns the connection pools (one actor per
// server address, under the driver's supervisor actor) and hands out
// sessions. A Driver is safe for concurrent use; create one per
// application and Close it on shutdown.
type Driver struct {
	target parsedURI
	cfg    *Config
	auth   auth.TokenManager
	tls    *tls.Config
	sys    *actors.System
	sup    *actor.PID
	tel    *telemetry.Instruments
	router *router.Router // neo4j:// only

	defaultBookmarks BookmarkManager // ExecuteQuery's default

	mu     sync.Mutex
	pools  map[string]*actors.Pool
	closed bool
}

// NewDriver returns a driver for the server or cluster at target, a URI
// such as "neo4j://localhost" or "bolt+s://db.example.com:7687". token is
// an AuthToken (BasicAuth, BearerAuth, ...) or an auth.TokenManager for
// rotating credentials. Nothing connects yet: call VerifyConnectivity to
// check the server is reachable.
func NewDriver(target string, token auth.TokenManager, configurers ...func(*Config)) (*Driver, error) {
	uri, err := parseURI(target)
	if err != nil {
		return nil, err
	}
	if token == nil {
		return nil, usageErrorf("boltrx.NewDriver: the auth token is nil: pass boltrx.NoAuth() for a server without authentication, or boltrx.BasicAuth(user, password, \"\")")
	}
	if t, ok := token.(auth.Token); ok && t.Tokens == nil {
		return nil, usageErrorf("boltrx.NewDriver: the auth token is empty: build it with boltrx.BasicAuth, BearerAuth, KerberosAuth, CustomAuth or NoAuth")
	}
	cfg, err := newConfig(uri, configurers...)
	if err != nil {
		return nil, err
	}
	d := &Driver{
		target: uri,
		cfg:    cfg,
		auth:   token,
		tls:    tlsConfigFor(uri, cfg),
		pools:  map[string]*actors.Pool{},
	}
	d.defaultBookmarks = NewBookmarkManager(BookmarkManagerConfig{})
	d.tel = telemetry.New(telemetry.Config{
		TracerProvider: cfg.TracerProvider,
		MeterProvider:  cfg.MeterProvider,
		Disabled:       cfg.OpenTelemetryDisabled,
		QueryText:      cfg.QueryTextInSpans,
		Propagate:      cfg.PropagateTraceContext,
	})
	d.sys = actors.NewSystem(cfg.Logger)
	d.sup = d.sys.Root.Spawn(actor.PropsFromProducer(func() actor.Actor { return &actors.Supervisor{System: d.sys} }))
	d.startRouter()
	return d, nil
}

// tlsConfigFor returns the TLS settings the URI and config ask for, nil
// for a plain connection.
func tlsConfigFor(uri parsedURI, cfg *Config) *tls.Config {
	switch {
	case cfg.TLSConfig != nil:
		c := cfg.TLSConfig.Clone()
		if c.ServerName == "" {
			c.ServerName = uri.Host
		}
		return c
	case uri.TLS == tlsVerified:
		return &tls.Config{ServerName: uri.Host, MinVersion: tls.VersionTLS12}
	case uri.TLS == tlsSelfSignedAccepted:
		return &tls.Config{ServerName: uri.Host, InsecureSkipVerify: true, MinVersion: tls.VersionTLS12} //nolint:gosec // +ssc asks for it
	}
	return nil
}

// Target returns the URI the driver was created with (without user info).
func (d *Driver) Target() string {
	return d.target.Scheme + "://" + d.target.Address
}

// IsEncrypted reports whether connections use TLS.
func (d *Driver) IsEncrypted() bool { return d.tls != nil }

// Close closes every connection and stops every actor and goroutine of
// the driver. Using the driver afterwards is a UsageError.
func (d *Driver) Close(ctx context.Context) error {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return nil
	}
	d.closed = true
	d.mu.Unlock()
	done := make(chan struct{})
	go func() {
		defer close(done)
		if d.router != nil {
			d.router.Close()
		}
		_ = d.sys.Root.StopFuture(d.sup).Wait()
		d.sys.Shutdown()
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (d *Driver) checkOpen() error {
	if d == nil {
		return usageErrorOf(ErrDriverClosed, "boltrx: the driver is nil: create one with boltrx.NewDriver")
	}
	return errIfClosed(&d.mu, &d.closed, ErrDriverClosed, "boltrx: the driver is closed: create a new one with boltrx.NewDriver")
}

// pool returns the pool of a server address, starting its actor under
// the driver's supervisor the first time.
func (d *Driver) pool(address string) (*actors.Pool, error) {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return nil, usageErrorOf(ErrDriverClosed, "boltrx: the driver is closed: create a new one with boltrx.NewDriver")
	}
	if p, ok := d.pools[address]; ok {
		d.mu.Unlock()
		return p, nil
	}
	reply := make(chan *actors.Pool, 1)
	cfg := actors.PoolConfig{
		MaxSize:              d.cfg.MaxConnectionPoolSize,
		AcquisitionTimeout:   d.cfg.ConnectionAcquisitionTimeout,
		MaxLifetime:          d.cfg.MaxConnectionLifetime,
		LivenessCheckTimeout: d.cfg.ConnectionLivenessCheckTimeout,
		Telemetry:            d.tel,
		Connect:              func(ctx context.Context) (*actors.Conn, error) { return d.connect(ctx, address) },
	}
	if cfg.AcquisitionTimeout == noLimit {
		cfg.AcquisitionTimeout = -1
	}
	if cfg.LivenessCheckTimeout == LivenessCheckDisabled {
		cfg.LivenessCheckTimeout = -1
	}
	d.sys.Root.Send(d.sup, &actors.StartPool{Address: address, Config: cfg, Reply: reply})
	p := <-reply
	d.pools[address] = p
	d.mu.Unlock()
	return p, nil
}

// ConnectionPoolMetrics is a snapshot of the driver's connection pool
// for one server.
type ConnectionPoolMetrics struct {
	// Address is the server's "host:port".
	Address string
	// InUse counts the connections leased to sessions and transactions,
	// Idle those waiting in the pool, Opening those being dialled.
	InUse, Idle, Opening int
	// Waiting counts the callers waiting for a connection.
	Waiting int
	// Created and Closed count the connections opened and closed since
	// the pool started.
	Created, Closed int64
}

// ConnectionPoolMetrics returns a snapshot of the pool of connections to
// address ("host:port", as the URI or a routing table names it), and
// false when the driver has no pool for it (it never connected there, or
// the driver is closed).
func (d *Driver) ConnectionPoolMetrics(address string) (ConnectionPoolMetrics, bool) {
	if d == nil {
		return ConnectionPoolMetrics{}, false
	}
	d.mu.Lock()
	p := d.pools[address]
	closed := d.closed
	d.mu.Unlock()
	if p == nil || closed {
		return ConnectionPoolMetrics{}, false
	}
	m := p.Metrics()
	return ConnectionPoolMetrics{Address: m.Address, InUse: m.InUse, Idle: m.Idle, Opening: m.Opening,
		Waiting: m.Waiting, Created: m.Created, Closed: m.Closed}, true
}

// connect opens one connection to address for a pool, authenticated
// with the acquisition's own token (see withConnectToken), else with the
// driver's token manager.
func (d *Driver) connect(ctx context.Context, address string) (*actors.Conn, error) {
	return d.connectWith(ctx, address, d.connectTokens(ctx))
}

// connectWith opens one connection to address, authenticated with the
// token tokens supplies.
func (d *Driver) connectWith(ctx context.Context, address string, tokens auth.TokenManager) (*actors.Conn, error) {
	token, err := tokens.GetAuthToken(ctx)
	if err != nil {
		return nil, tokenManagerError(err)
	}
	var routing map[string]string
	if d.target.Routing {
		routing = make(map[string]string, len(d.target.RoutingContext)+1)
		for k, v := range d.target.RoutingContext {
			routing[k] = v
		}
		routing[routingContextAddressKey] = d.target.Address
	}
	var tlsCfg *tls.Config
	if d.tls != nil {
		tlsCfg = d.tls.Clone()
		if d.cfg.ClientCertificateProvider != nil {
			if cert := d.cfg.ClientCertificateProvider.GetCertificate(); cert != nil {
				tlsCfg.Certificates = []tls.Certificate{*cert}
			}
		}
	}
	c, err := actors.Connect(ctx, address, actors.ConnectConfig{
		TLS:                      tlsCfg,
		DialTimeout:              d.cfg.SocketConnectTimeout,
		KeepAlive:                d.cfg.SocketKeepalive,
		UserAgent:                d.cfg.UserAgent,
		BoltAgent:                boltAgent,
		Routing:                  routing,
		Auth:                     token.Tokens,
		NotificationsMinSeverity: string(d.cfg.NotificationsMinSeverity),
		NotificationsDisabled:    disabledClassifications(d.cfg.NotificationsDisabledClassifications),
		Log:                      d.sys.Log,
		LogMessages:              d.cfg.LogBoltMessages,
		Dial:                     d.dialer(),
		Telemetry:                d.tel,
		Offer:                    d.offer(),
	})
	if err != nil {
		var f *bolt.Failure
		if errors.As(err, &f) {
			nerr := newNeo4jError(f)
			if isSecurityError(nerr) {
				_, _ = tokens.HandleSecurityException(ctx, token, nerr)
			}
			return nil, publicServerError(nerr)
		}
		return nil, connectivityError(err)
	}
	return c, nil
}

// offer returns the handshake proposals the configuration asks for (nil:
// the default).
func (d *Driver) offer() []bolt.VersionRange {
	if d.cfg.PreRangeHandshake {
		return bolt.PreRangeOffer()
	}
	return nil
}

// dialer resolves addresses through the user's resolvers, if any, and
// dials the results in order: AddressResolver for a bolt:// driver (a
// neo4j:// driver's router applies it to the initial router only, and
// dials what it gives), then LookupHost.
func (d *Driver) dialer() func(ctx context.Context, address string) (net.Conn, error) {
	resolve := d.cfg.AddressResolver
	if d.target.Routing {
		resolve = nil
	}
	if resolve == nil && d.cfg.LookupHost == nil {
		return nil
	}
	return func(ctx context.Context, address string) (net.Conn, error) {
		dialer := net.Dialer{Timeout: d.cfg.SocketConnectTimeout}
		if !d.cfg.SocketKeepalive {
			dialer.KeepAlive = -1
		}
		targets := []string{address}
		if resolve != nil {
			targets = resolve(address)
			if len(targets) == 0 {
				return nil, fmt.Errorf("the address resolver returned no address for %s", address)
			}
		}
		var errs []error
		for _, target := range targets {
			ips, err := d.lookupHost(ctx, target)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			for _, ip := range ips {
				c, err := dialer.DialContext(ctx, "tcp", ip)
				if err == nil {
					return c, nil
				}
				errs = append(errs, err)
			}
		}
		return nil, errors.Join(errs...)
	}
}

// lookupHost resolves the host of address with Config.LookupHost; an
// address without it, or whose host is an IP address, stays as it is.
func (d *Driver) lookupHost(ctx context.Context, address string) ([]string, error) {
	if d.cfg.LookupHost == nil {
		return []string{address}, nil
	}
	host, port, err := net.SplitHostPort(address)
	if err != nil || net.ParseIP(host) != nil {
		return []string{address}, nil
	}
	ips, err := d.cfg.LookupHost(ctx, host)
	if err != nil {
		return nil, fmt.Errorf("looking up %s: %w", host, err)
	}
	if len(ips) == 0 {
		return nil, fmt.Errorf("looking up %s: Config.LookupHost returned no address", host)
	}
	out := make([]string, len(ips))
	for i, ip := range ips {
		out[i] = net.JoinHostPort(ip, port)
	}
	return out, nil
}

// connectivityError wraps a network or handshake failure; a wrong port
// that answers HTTP gets a message that says so.
func connectivityError(err error) error {
	var ce *ConnectivityError
	if errors.As(err, &ce) {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	if errors.Is(err, bolt.ErrHTTPServer) {
		return &ConnectivityError{Inner: fmt.Errorf("%w (this is an HTTP port: point the driver at the Bolt port, 7687 by default)", err)}
	}
	return &ConnectivityError{Inner: err}
}

// boltAgent identifies the driver in HELLO (5.3+).
var boltAgent = bolt.BoltAgent{
	Product:         "boltrx/" + Version,
	Platform:        runtime.GOOS + "; " + runtime.GOARCH,
	Language:        "Go/" + runtime.Version(),
	LanguageDetails: runtime.Compiler,
}

// VerifyConnectivity opens (or reuses) a connection to the server and
// returns an error when that fails.
func (d *Driver) VerifyConnectivity(ctx context.Context) error {
	_, err := d.GetServerInfo(ctx)
	return err
}

// VerifyAuthentication checks that the server accepts token (the token
// manager's current one when nil). It uses a connection of the pool (to a
// reader of the system database for neo4j://): a new one authenticates
// with token, an idle one logs on with it again (LOGOFF and LOGON). It
// returns an *InvalidAuthenticationError wrapping the server's failure
// when the server refused the credentials (Unauthorized, TokenExpired,
// CredentialsExpired or Forbidden), a *FeatureNotSupportedError when the
// server is older than Bolt 5.1, and any other failure as it is.
func (d *Driver) VerifyAuthentication(ctx context.Context, token *AuthToken) error {
	if err := d.checkOpen(); err != nil {
		return err
	}
	if token == nil {
		t, err := d.auth.GetAuthToken(ctx)
		if err != nil {
			return tokenManagerError(err)
		}
		token = &t
	}
	err := d.verifyAuthentication(ctx, token)
	if err != nil && isAuthenticationError(err) {
		return &InvalidAuthenticationError{Inner: err}
	}
	return err
}

func (d *Driver) verifyAuthentication(ctx context.Context, token *AuthToken) error {
	address, database := d.target.Address, ""
	if d.router != nil {
		var err error
		database = "system"
		address, _, err = d.router.Select(ctx, router.Read, router.Request{Database: database, Auth: token})
		if err != nil {
			return routingError(err)
		}
	}
	p, conn, err := d.lease(ctx, address, leaseOptions{database: database, feedback: true, auth: token})
	if err != nil {
		return err
	}
	defer p.Release(conn)
	fresh := conn.TakeFresh()
	switch {
	case !conn.Caps.Logon:
		return sessionAuthUnsupported(conn)
	case fresh:
		return nil // it authenticated with token a moment ago
	}
	if err := conn.ReauthenticateWait(ctx, token.Tokens); err != nil {
		var f *bolt.Failure
		if errors.As(err, &f) {
			return publicServerError(newNeo4jError(f))
		}
		return connectivityError(err)
	}
	return nil
}

// serverInfoOf is the ServerInfo that GetServerInfo returns: what the
// handshake and HELLO of one connection told about its server. It keeps the
// negotiated bolt.Version so that SupportsSessionAuth can look up its
// capabilities.
type serverInfoOf struct {
	address  string
	agent    string
	protocol bolt.Version
}

func (s serverInfoOf) Address() string { return s.address }
func (s serverInfoOf) Agent() string   { return s.agent }
func (s serverInfoOf) ProtocolVersion() ProtocolVersion {
	return ProtocolVersion{Major: int(s.protocol.Major), Minor: int(s.protocol.Minor)}
}

// GetServerInfo connects to the server and describes it. With neo4j://
// it fetches the home database's routing table anew and describes the
// first of its readers that can be reached. A connection taken from the
// pool is checked with a RESET first.
func (d *Driver) GetServerInfo(ctx context.Context) (ServerInfo, error) {
	if err := d.checkOpen(); err != nil {
		return nil, err
	}
	if d.router == nil {
		return d.serverInfoAt(ctx, d.target.Address, "")
	}
	readers, database, err := d.router.Readers(ctx, router.Request{RefreshHome: true})
	if err != nil {
		return nil, routingError(err)
	}
	var errs []error
	for _, address := range readers {
		info, err := d.serverInfoAt(ctx, address, database)
		if err == nil {
			return info, nil
		}
		if !IsConnectivityError(err) || ctx.Err() != nil {
			return nil, err
		}
		errs = append(errs, err)
	}
	return nil, &ConnectivityError{Inner: fmt.Errorf("none of the readers of %q could be reached: %w", database, errors.Join(errs...))}
}

// serverInfoAt describes the server at address through a connection of
// its pool; an idle one must first answer a RESET.
func (d *Driver) serverInfoAt(ctx context.Context, address, database string) (ServerInfo, error) {
	p, c, err := d.lease(ctx, address, leaseOptions{database: database, feedback: true, resetPooled: true})
	if err != nil {
		return nil, err
	}
	p.Release(c)
	return serverInfoOf{address: c.Address, agent: c.Server, protocol: c.Version}, nil
}

// SupportsSessionAuth reports whether the server (a reader of the
// default database for neo4j://) lets sessions use credentials of their
// own (SessionConfig.Auth) and VerifyAuthentication check credentials:
// servers speaking Bolt 5.1 or newer. It connects when no connection is
// open.
func (d *Driver) SupportsSessionAuth(ctx context.Context) (bool, error) {
	info, err := d.GetServerInfo(ctx)
	if err != nil {
		return false, err
	}
	caps, ok := bolt.CapabilitiesFor(info.(serverInfoOf).protocol)
	return ok && caps.Logon, nil
}

// acquireErr turns a pool error into the public kind.
func acquireErr(err error) error {
	var ne *Neo4jError
	var te *TokenExpiredError
	var ie *InvalidAuthenticationError
	if errors.As(err, &ne) || errors.As(err, &te) || errors.As(err, &ie) {
		return err
	}
	if errors.Is(err, actors.ErrPoolClosed) {
		return usageErrorOf(ErrDriverClosed, "boltrx: the driver is closed: create a new one with boltrx.NewDriver")
	}
	return connectivityError(err)
}
