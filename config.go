package boltrx

import (
	"context"
	"crypto/tls"
	"log/slog"
	"math"
	"time"

	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/boltrx/boltrx/auth"
)

// DefaultUserAgent is the user agent the driver sends unless
// Config.UserAgent says otherwise.
const DefaultUserAgent = "boltrx/0.1"

// Fetch sizes with a special meaning (Config.FetchSize, SessionConfig.FetchSize).
const (
	// FetchDefault takes the driver's fetch size (in SessionConfig) or
	// 1000 records per batch (in Config).
	FetchDefault = 0
	// FetchAll pulls the whole result in one batch.
	FetchAll = -1
)

// defaultFetchSize is the batch size of FetchDefault.
const defaultFetchSize = 1000

// LivenessCheckDisabled is the ConnectionLivenessCheckTimeout that never
// tests idle connections (the default).
const LivenessCheckDisabled time.Duration = math.MaxInt64

// noLimit stands for "unlimited" in the normalized configuration.
const noLimit time.Duration = math.MaxInt64

// ServerAddressResolver maps the address of the URI ("host:port") to the
// addresses of the servers to try as initial routers, also "host:port".
type ServerAddressResolver func(address string) []string

// Config configures a driver. NewDriver starts from the defaults below and
// applies the caller's configuration functions to them.
type Config struct {
	// FetchSize is how many records each PULL asks for: FetchDefault
	// (0) means 1000, FetchAll (or any negative value) fetches
	// everything at once. Sessions may override it.
	FetchSize int
	// MaxFetchSize lets the batches of a result grow while its consumer
	// takes records faster than the network brings them: once records
	// arrived twice in a row to a consumer that had waited for them with
	// nothing left to do (for an RxResult: its Observable's channel
	// empty; the wait for the first batch, the query's own latency, does
	// not count), the next PULL asks for twice as many records, up to
	// MaxFetchSize; after a batch during which it did not starve, half as
	// many, down to FetchSize. A consumer slower than the
	// server thus keeps pulling FetchSize records (and memory stays about
	// two batches of FetchSize), while a fast one pays one network round
	// trip per MaxFetchSize records. The first PULL always asks for
	// FetchSize. 0 (the default) keeps a Result's PULLs at FetchSize, as
	// other Neo4j drivers do (testkit checks their sequence), and lets an
	// RxResult's grow up to DefaultRxMaxFetchSizeFactor (16) times
	// FetchSize. A negative value, or any value not above FetchSize,
	// keeps every PULL at FetchSize for both. Sessions may override it.
	MaxFetchSize int
	// PreRangeHandshake offers Bolt 4.1 in the handshake instead of the
	// manifest proposal (bolt.PreRangeOffer): for deployments with Neo4j
	// 4.1 or 4.2 servers, which read no version ranges and otherwise speak
	// Bolt 3.0 with boltrx (a single database). Servers then get at most
	// Bolt 5.8, never 6.x. Default false (bolt.DefaultOffer).
	PreRangeHandshake bool
	// MaxConnectionPoolSize is the most connections kept per server.
	// Negative means unlimited; 0 is invalid. Default 100.
	MaxConnectionPoolSize int
	// ConnectionAcquisitionTimeout bounds the wait for a pooled
	// connection, dialling and handshake included. 0 fails at once when
	// no connection is free; negative waits without limit. A context
	// deadline that comes earlier wins. Default 60 s.
	ConnectionAcquisitionTimeout time.Duration
	// MaxConnectionLifetime closes pooled connections older than this.
	// 0 or negative: no limit. Default 1 h.
	MaxConnectionLifetime time.Duration
	// ConnectionLivenessCheckTimeout tests a pooled connection (with a
	// RESET round trip) before reuse if it sat idle longer than this.
	// 0 tests every time; LivenessCheckDisabled (the default) never
	// tests; negative is invalid.
	ConnectionLivenessCheckTimeout time.Duration
	// MaxTransactionRetryTime is how long managed transactions
	// (ExecuteRead, ExecuteWrite, ExecuteQuery) keep retrying retryable
	// failures. 0 disables retries; negative is invalid. Default 30 s.
	MaxTransactionRetryTime time.Duration
	// SocketConnectTimeout bounds the TCP connect. 0 or negative: no
	// limit besides the context's. Default 5 s.
	SocketConnectTimeout time.Duration
	// SocketKeepalive enables TCP keep-alive. Default true.
	SocketKeepalive bool
	// UserAgent is sent to the server in HELLO. Default DefaultUserAgent.
	UserAgent string

	// Logger receives the driver's log records; nil logs nothing.
	Logger *slog.Logger
	// DisableAutoCommitRetries turns off the one retry of an auto-commit
	// query (Session.Run, Session.RunRx) whose RUN the server failed with
	// an error it marks idempotent: guaranteed to have changed nothing
	// ("_idempotent": true in the GQL diagnostic record, Bolt 5.7+; today
	// admission-control refusals). Sessions may override it. Default
	// false: such a query is retried once, at once, on a fresh connection.
	DisableAutoCommitRetries bool
	// LogBoltMessages also logs every Bolt message sent and received at
	// debug level, with credentials redacted. Needs a Logger.
	LogBoltMessages bool

	// TLSConfig encrypts connections of a bolt:// or neo4j:// URI with
	// this configuration (custom root CAs, client certificates, ...).
	// With a +s or +ssc scheme, which choose the TLS settings
	// themselves, setting it is an error. ServerName defaults to the host
	// being dialled.
	TLSConfig *tls.Config
	// ClientCertificateProvider supplies the client certificate for
	// mutual TLS on every new connection. It needs an encrypted
	// connection (a +s or +ssc scheme, or TLSConfig).
	ClientCertificateProvider auth.ClientCertificateProvider
	// AddressResolver, if set, replaces the URI's address by the
	// addresses it returns when the driver looks for an initial router
	// (neo4j://), or when it connects to the server (bolt://).
	AddressResolver ServerAddressResolver
	// LookupHost, if set, resolves host names to IP addresses instead of
	// the system's resolver (net.DefaultResolver.LookupHost, which has
	// the same signature): for every connection the driver opens to an
	// address whose host is a name (after AddressResolver), trying the
	// addresses in the order given, and for the initial router of a
	// neo4j:// URI, which is looked up again each time the driver falls
	// back to it, so a router whose IP address changed is found. It gets
	// the host without the port; IP addresses need no lookup.
	LookupHost func(ctx context.Context, host string) ([]string, error)

	// NotificationsMinSeverity is the lowest severity of notifications
	// the server should send; DefaultLevel keeps the server's setting.
	// Needs Bolt 5.2+.
	NotificationsMinSeverity NotificationMinimumSeverityLevel
	// NotificationsDisabledClassifications lists notification
	// classifications the server should not send. Needs Bolt 5.2+.
	NotificationsDisabledClassifications NotificationDisabledClassifications

	// TelemetryDisabled stops the driver from sending the anonymous API
	// usage statistics the server asks for (Bolt TELEMETRY, 5.4+). It
	// has nothing to do with OpenTelemetry.
	TelemetryDisabled bool

	// TracerProvider makes the OpenTelemetry spans; nil uses the global
	// provider (otel.GetTracerProvider).
	TracerProvider trace.TracerProvider
	// MeterProvider makes the OpenTelemetry metrics; nil uses the global
	// provider (otel.GetMeterProvider).
	MeterProvider metric.MeterProvider
	// OpenTelemetryDisabled turns the OpenTelemetry instrumentation off
	// entirely: no spans, no metrics, whatever the providers.
	OpenTelemetryDisabled bool
	// QueryTextInSpans records the query text as db.query.text on spans.
	// Off by default, since query text may contain sensitive literals.
	// Parameters are never recorded.
	QueryTextInSpans bool
	// PropagateTraceContext sends the W3C traceparent of the caller's
	// span to the server in the transaction metadata, so server logs can
	// be joined with traces.
	PropagateTraceContext bool
}

// defaultConfig returns the configuration before the caller's changes.
func defaultConfig() *Config {
	return &Config{
		FetchSize:                      defaultFetchSize,
		MaxConnectionPoolSize:          100,
		ConnectionAcquisitionTimeout:   time.Minute,
		MaxConnectionLifetime:          time.Hour,
		ConnectionLivenessCheckTimeout: LivenessCheckDisabled,
		MaxTransactionRetryTime:        30 * time.Second,
		SocketConnectTimeout:           5 * time.Second,
		SocketKeepalive:                true,
		UserAgent:                      DefaultUserAgent,
	}
}

// newConfig builds the driver's configuration for a target: defaults, the
// caller's changes, validation against the target, normalization.
func newConfig(target parsedURI, configurers ...func(*Config)) (*Config, error) {
	c := defaultConfig()
	for _, configure := range configurers {
		if configure != nil {
			configure(c)
		}
	}
	if err := c.validate(); err != nil {
		return nil, err
	}
	if err := c.validateFor(target); err != nil {
		return nil, err
	}
	c.normalize()
	return c, nil
}

// validate rejects values that have no meaning. Values with a documented
// special meaning (negative pool size, ...) are accepted; normalize turns
// them into plain numbers.
func (c *Config) validate() error {
	switch {
	case c.MaxConnectionPoolSize == 0:
		return usageErrorf("Config.MaxConnectionPoolSize is 0: use a positive size, or a negative one for no limit")
	case c.MaxTransactionRetryTime < 0:
		return usageErrorf("Config.MaxTransactionRetryTime is negative (%v): use 0 to disable retries or a positive duration", c.MaxTransactionRetryTime)
	case c.ConnectionLivenessCheckTimeout < 0:
		return usageErrorf("Config.ConnectionLivenessCheckTimeout is negative (%v): use 0 to test every idle connection, a positive duration, or LivenessCheckDisabled", c.ConnectionLivenessCheckTimeout)
	case !c.NotificationsMinSeverity.valid():
		return usageErrorf("Config.NotificationsMinSeverity %q is unknown: use DefaultLevel, DisabledLevel, WarningLevel or InformationLevel", string(c.NotificationsMinSeverity))
	}
	return nil
}

// validateFor rejects settings that contradict the target URI.
func (c *Config) validateFor(target parsedURI) error {
	if c.TLSConfig != nil && target.TLS != tlsOff {
		return usageErrorf("Config.TLSConfig is set but the URI scheme %q already chooses the TLS settings: use %s with TLSConfig, or drop TLSConfig",
			target.Scheme, plainScheme(target))
	}
	if c.ClientCertificateProvider != nil && c.TLSConfig == nil && target.TLS == tlsOff {
		return usageErrorf("Config.ClientCertificateProvider needs an encrypted connection but the URI scheme %q is unencrypted: use %s+s, or set Config.TLSConfig",
			target.Scheme, plainScheme(target))
	}
	return nil
}

// plainScheme returns the unencrypted scheme of the target's kind.
func plainScheme(target parsedURI) string {
	if target.Routing {
		return "neo4j"
	}
	return "bolt"
}

// normalize replaces the special values by the numbers the driver uses.
func (c *Config) normalize() {
	switch {
	case c.FetchSize == FetchDefault:
		c.FetchSize = defaultFetchSize
	case c.FetchSize < 0:
		c.FetchSize = FetchAll
	}
	if c.MaxConnectionPoolSize < 0 {
		c.MaxConnectionPoolSize = math.MaxInt32
	}
	if c.ConnectionAcquisitionTimeout < 0 {
		c.ConnectionAcquisitionTimeout = noLimit
	}
	if c.MaxConnectionLifetime <= 0 {
		c.MaxConnectionLifetime = noLimit
	}
	if c.SocketConnectTimeout < 0 {
		c.SocketConnectTimeout = 0
	}
	if c.UserAgent == "" {
		c.UserAgent = DefaultUserAgent
	}
}

// AccessMode tells a routing driver whether a session's work writes (it
// goes to the leader) or only reads (it may go to any reader).
type AccessMode int

// The access modes.
const (
	AccessModeWrite AccessMode = 0
	AccessModeRead  AccessMode = 1
)

// String returns "WRITE" or "READ".
func (m AccessMode) String() string {
	if m == AccessModeRead {
		return "READ"
	}
	return "WRITE"
}

// SessionConfig configures a session.
type SessionConfig struct {
	// AccessMode routes the session's auto-commit queries and explicit
	// transactions; managed transactions choose by their own kind.
	AccessMode AccessMode
	// Bookmarks are bookmarks the session's first transaction waits for,
	// in addition to those of the BookmarkManager.
	Bookmarks Bookmarks
	// DatabaseName selects the database; "" uses the user's home database.
	DatabaseName string
	// FetchSize overrides Config.FetchSize; FetchDefault keeps it.
	FetchSize int
	// MaxFetchSize overrides Config.MaxFetchSize when it is not 0
	// (negative: fixed batches).
	MaxFetchSize int
	// ImpersonatedUser runs the session's work as another user (Bolt 4.4+).
	ImpersonatedUser string
	// BookmarkManager chains this session causally with others.
	BookmarkManager BookmarkManager
	// Auth authenticates this session as another user than the driver's
	// (Bolt 5.1+: the connection switches users with LOGOFF and LOGON;
	// an older server gives a *FeatureNotSupportedError); nil uses the
	// driver's token manager.
	Auth *AuthToken
	// NotificationsMinSeverity overrides the driver's setting unless it
	// is DefaultLevel.
	NotificationsMinSeverity NotificationMinimumSeverityLevel
	// NotificationsDisabledClassifications overrides the driver's setting
	// unless it is the zero value.
	NotificationsDisabledClassifications NotificationDisabledClassifications
	// DisableAutoCommitRetries overrides Config.DisableAutoCommitRetries
	// for this session when not nil.
	DisableAutoCommitRetries *bool
	// Logger receives the log records about this session's work (an
	// auto-commit retry, a failed result discarded at Close), with the
	// session's attributes (database, access mode, impersonated user)
	// added: give it the attributes of the request the session serves, e.g.
	// logger.With("request_id", id), to find one request's database work.
	// nil uses Config.Logger.
	Logger *slog.Logger
}

// validate rejects session settings that have no meaning.
func (c *SessionConfig) validate() error {
	if c.AccessMode != AccessModeWrite && c.AccessMode != AccessModeRead {
		return usageErrorf("SessionConfig.AccessMode %d is unknown: use AccessModeRead or AccessModeWrite", int(c.AccessMode))
	}
	if !c.NotificationsMinSeverity.valid() {
		return usageErrorf("SessionConfig.NotificationsMinSeverity %q is unknown: use DefaultLevel, DisabledLevel, WarningLevel or InformationLevel", string(c.NotificationsMinSeverity))
	}
	return nil
}

// effectiveFetchSize returns the session's fetch size given the driver's
// (normalized) one.
func (c *SessionConfig) effectiveFetchSize(driverFetchSize int) int {
	switch {
	case c.FetchSize == FetchDefault:
		return driverFetchSize
	case c.FetchSize < 0:
		return FetchAll
	}
	return c.FetchSize
}

// RoutingControl says whether ExecuteQuery's query goes to a writer or a
// reader of the cluster.
type RoutingControl int

// The routing controls.
const (
	Write RoutingControl = iota // to the leader (the default)
	Read                        // to any reader
)

// ExecuteQueryConfiguration collects the options of ExecuteQuery. The
// zero value writes to the home database with the driver's bookmark
// manager for ExecuteQuery.
type ExecuteQueryConfiguration struct {
	Routing                RoutingControl
	ImpersonatedUser       string
	Database               string
	BookmarkManager        BookmarkManager
	TransactionConfigurers []func(*TransactionConfig)
	Auth                   *AuthToken
}

// ExecuteQueryConfigurationOption changes an ExecuteQueryConfiguration.
type ExecuteQueryConfigurationOption func(*ExecuteQueryConfiguration)

// ExecuteQueryWithReadersRouting sends the query to a reader.
func ExecuteQueryWithReadersRouting() ExecuteQueryConfigurationOption {
	return func(c *ExecuteQueryConfiguration) { c.Routing = Read }
}

// ExecuteQueryWithWritersRouting sends the query to the leader (the default).
func ExecuteQueryWithWritersRouting() ExecuteQueryConfigurationOption {
	return func(c *ExecuteQueryConfiguration) { c.Routing = Write }
}

// ExecuteQueryWithImpersonatedUser runs the query as another user.
func ExecuteQueryWithImpersonatedUser(user string) ExecuteQueryConfigurationOption {
	return func(c *ExecuteQueryConfiguration) { c.ImpersonatedUser = user }
}

// ExecuteQueryWithDatabase runs the query in the named database.
func ExecuteQueryWithDatabase(database string) ExecuteQueryConfigurationOption {
	return func(c *ExecuteQueryConfiguration) { c.Database = database }
}

// ExecuteQueryWithBookmarkManager chains the query causally through the
// given bookmark manager instead of the driver's.
func ExecuteQueryWithBookmarkManager(manager BookmarkManager) ExecuteQueryConfigurationOption {
	return func(c *ExecuteQueryConfiguration) { c.BookmarkManager = manager }
}

// ExecuteQueryWithoutBookmarkManager runs the query without causal
// chaining.
func ExecuteQueryWithoutBookmarkManager() ExecuteQueryConfigurationOption {
	return func(c *ExecuteQueryConfiguration) { c.BookmarkManager = nil }
}

// ExecuteQueryWithAuthToken runs the query as the user of the token.
func ExecuteQueryWithAuthToken(token AuthToken) ExecuteQueryConfigurationOption {
	return func(c *ExecuteQueryConfiguration) { c.Auth = &token }
}

// ExecuteQueryWithTransactionConfig applies transaction options (timeout,
// metadata) to the query's transaction.
func ExecuteQueryWithTransactionConfig(configurers ...func(*TransactionConfig)) ExecuteQueryConfigurationOption {
	return func(c *ExecuteQueryConfiguration) { c.TransactionConfigurers = configurers }
}

// newExecuteQueryConfiguration applies options to the defaults;
// defaultManager is the driver's bookmark manager for ExecuteQuery.
func newExecuteQueryConfiguration(defaultManager BookmarkManager, options ...ExecuteQueryConfigurationOption) (*ExecuteQueryConfiguration, error) {
	c := &ExecuteQueryConfiguration{BookmarkManager: defaultManager}
	for _, option := range options {
		if option != nil {
			option(c)
		}
	}
	if c.Routing != Write && c.Routing != Read {
		return nil, usageErrorf("ExecuteQuery routing control %d is unknown: use ExecuteQueryWithReadersRouting or ExecuteQueryWithWritersRouting", int(c.Routing))
	}
	return c, nil
}

// sessionConfig returns the configuration of the session ExecuteQuery
// opens.
func (c *ExecuteQueryConfiguration) sessionConfig() SessionConfig {
	mode := AccessModeWrite
	if c.Routing == Read {
		mode = AccessModeRead
	}
	return SessionConfig{
		AccessMode:       mode,
		DatabaseName:     c.Database,
		ImpersonatedUser: c.ImpersonatedUser,
		BookmarkManager:  c.BookmarkManager,
		Auth:             c.Auth,
	}
}

// EagerResult is a whole result held in memory, as ExecuteQuery returns it.
type EagerResult struct {
	Keys    []string
	Records []*Record
	Summary ResultSummary
}
