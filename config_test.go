package boltrx

import (
	"crypto/tls"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/boltrx/boltrx/bookmarks"
)

func mustParse(t *testing.T, uri string) parsedURI {
	t.Helper()
	p, err := parseURI(uri)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDefaultConfig(t *testing.T) {
	c, err := newConfig(mustParse(t, "neo4j://localhost"))
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"FetchSize", c.FetchSize, 1000},
		{"MaxConnectionPoolSize", c.MaxConnectionPoolSize, 100},
		{"ConnectionAcquisitionTimeout", c.ConnectionAcquisitionTimeout, time.Minute},
		{"MaxConnectionLifetime", c.MaxConnectionLifetime, time.Hour},
		{"ConnectionLivenessCheckTimeout", c.ConnectionLivenessCheckTimeout, LivenessCheckDisabled},
		{"MaxTransactionRetryTime", c.MaxTransactionRetryTime, 30 * time.Second},
		{"SocketConnectTimeout", c.SocketConnectTimeout, 5 * time.Second},
		{"SocketKeepalive", c.SocketKeepalive, true},
		{"UserAgent", c.UserAgent, DefaultUserAgent},
		{"Logger", c.Logger == nil, true},
		{"TLSConfig", c.TLSConfig == nil, true},
		{"TelemetryDisabled", c.TelemetryDisabled, false},
		{"OpenTelemetryDisabled", c.OpenTelemetryDisabled, false},
		{"QueryTextInSpans", c.QueryTextInSpans, false},
		{"NotificationsMinSeverity", c.NotificationsMinSeverity, DefaultLevel},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s = %v, want %v", ch.name, ch.got, ch.want)
		}
	}
}

func TestConfigNormalization(t *testing.T) {
	cases := []struct {
		name  string
		apply func(*Config)
		check func(*Config) bool
	}{
		{"fetch default", func(c *Config) { c.FetchSize = FetchDefault }, func(c *Config) bool { return c.FetchSize == 1000 }},
		{"fetch all", func(c *Config) { c.FetchSize = FetchAll }, func(c *Config) bool { return c.FetchSize == FetchAll }},
		{"fetch negative", func(c *Config) { c.FetchSize = -50 }, func(c *Config) bool { return c.FetchSize == FetchAll }},
		{"fetch 7", func(c *Config) { c.FetchSize = 7 }, func(c *Config) bool { return c.FetchSize == 7 }},
		{"pool unlimited", func(c *Config) { c.MaxConnectionPoolSize = -1 }, func(c *Config) bool { return c.MaxConnectionPoolSize == math.MaxInt32 }},
		{"acquisition forever", func(c *Config) { c.ConnectionAcquisitionTimeout = -time.Second }, func(c *Config) bool { return c.ConnectionAcquisitionTimeout == noLimit }},
		{"acquisition immediate", func(c *Config) { c.ConnectionAcquisitionTimeout = 0 }, func(c *Config) bool { return c.ConnectionAcquisitionTimeout == 0 }},
		{"lifetime unlimited", func(c *Config) { c.MaxConnectionLifetime = 0 }, func(c *Config) bool { return c.MaxConnectionLifetime == noLimit }},
		{"connect timeout off", func(c *Config) { c.SocketConnectTimeout = -1 }, func(c *Config) bool { return c.SocketConnectTimeout == 0 }},
		{"liveness always", func(c *Config) { c.ConnectionLivenessCheckTimeout = 0 }, func(c *Config) bool { return c.ConnectionLivenessCheckTimeout == 0 }},
		{"user agent empty", func(c *Config) { c.UserAgent = "" }, func(c *Config) bool { return c.UserAgent == DefaultUserAgent }},
		{"retries off", func(c *Config) { c.MaxTransactionRetryTime = 0 }, func(c *Config) bool { return c.MaxTransactionRetryTime == 0 }},
		{"nil configurer", nil, func(c *Config) bool { return c.FetchSize == 1000 }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := newConfig(mustParse(t, "bolt://localhost"), tc.apply)
			if err != nil {
				t.Fatal(err)
			}
			if !tc.check(c) {
				t.Fatalf("unexpected config %+v", c)
			}
		})
	}
}

func TestConfigValidation(t *testing.T) {
	cases := []struct {
		name    string
		uri     string
		apply   func(*Config)
		mention string
	}{
		{"pool zero", "bolt://h", func(c *Config) { c.MaxConnectionPoolSize = 0 }, "MaxConnectionPoolSize"},
		{"retry negative", "bolt://h", func(c *Config) { c.MaxTransactionRetryTime = -1 }, "MaxTransactionRetryTime"},
		{"liveness negative", "bolt://h", func(c *Config) { c.ConnectionLivenessCheckTimeout = -time.Second }, "ConnectionLivenessCheckTimeout"},
		{"bad severity", "bolt://h", func(c *Config) { c.NotificationsMinSeverity = "LOUD" }, `"LOUD"`},
		{"TLS config with +s", "bolt+s://h", func(c *Config) { c.TLSConfig = &tls.Config{} }, `use bolt with TLSConfig`},
		{"TLS config with +ssc", "neo4j+ssc://h", func(c *Config) { c.TLSConfig = &tls.Config{} }, `use neo4j with TLSConfig`},
		{"client cert without TLS", "neo4j://h", func(c *Config) { c.ClientCertificateProvider = staticCert{} }, "neo4j+s"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := newConfig(mustParse(t, tc.uri), tc.apply)
			if !errors.Is(err, ErrUsage) {
				t.Fatalf("err = %v, want a usage error", err)
			}
			if !strings.Contains(err.Error(), tc.mention) {
				t.Fatalf("message %q does not mention %q", err.Error(), tc.mention)
			}
		})
	}
}

func TestConfigTLSCombinationsThatWork(t *testing.T) {
	cases := []struct {
		uri   string
		apply func(*Config)
	}{
		{"bolt://h", func(c *Config) { c.TLSConfig = &tls.Config{} }},
		{"neo4j://h", func(c *Config) { c.TLSConfig = &tls.Config{}; c.ClientCertificateProvider = staticCert{} }},
		{"neo4j+s://h", func(c *Config) { c.ClientCertificateProvider = staticCert{} }},
		{"bolt+ssc://h", func(c *Config) { c.ClientCertificateProvider = staticCert{} }},
	}
	for _, tc := range cases {
		if _, err := newConfig(mustParse(t, tc.uri), tc.apply); err != nil {
			t.Errorf("%s: %v", tc.uri, err)
		}
	}
}

type staticCert struct{}

func (staticCert) GetCertificate() *tls.Certificate { return nil }

func TestSessionConfig(t *testing.T) {
	if err := (&SessionConfig{}).validate(); err != nil {
		t.Fatalf("zero session config: %v", err)
	}
	if err := (&SessionConfig{AccessMode: 5}).validate(); !errors.Is(err, ErrUsage) {
		t.Fatalf("bad access mode: %v", err)
	}
	if err := (&SessionConfig{NotificationsMinSeverity: "x"}).validate(); !errors.Is(err, ErrUsage) {
		t.Fatalf("bad severity: %v", err)
	}
	for _, c := range []struct{ session, driver, want int }{
		{FetchDefault, 1000, 1000}, {FetchDefault, FetchAll, FetchAll}, {10, 1000, 10}, {-3, 1000, FetchAll},
	} {
		s := SessionConfig{FetchSize: c.session}
		if got := s.effectiveFetchSize(c.driver); got != c.want {
			t.Errorf("effectiveFetchSize(session %d, driver %d) = %d, want %d", c.session, c.driver, got, c.want)
		}
	}
	if AccessModeRead.String() != "READ" || AccessModeWrite.String() != "WRITE" {
		t.Fatal("AccessMode.String")
	}
}

func TestExecuteQueryOptions(t *testing.T) {
	driverManager := NewBookmarkManager(BookmarkManagerConfig{})
	own := bookmarks.NewManager(bookmarks.Config{})
	token := BasicAuth("u", "p", "")

	c, err := newExecuteQueryConfiguration(driverManager)
	if err != nil || c.Routing != Write || c.BookmarkManager != driverManager {
		t.Fatalf("defaults: %+v, %v", c, err)
	}
	c, err = newExecuteQueryConfiguration(driverManager,
		ExecuteQueryWithReadersRouting(),
		ExecuteQueryWithDatabase("movies"),
		ExecuteQueryWithImpersonatedUser("bob"),
		ExecuteQueryWithBookmarkManager(own),
		ExecuteQueryWithAuthToken(token),
		ExecuteQueryWithTransactionConfig(WithTxTimeout(time.Second)),
		nil,
	)
	if err != nil {
		t.Fatal(err)
	}
	s := c.sessionConfig()
	if s.AccessMode != AccessModeRead || s.DatabaseName != "movies" || s.ImpersonatedUser != "bob" ||
		s.BookmarkManager != own || s.Auth == nil || !s.Auth.Equal(token) {
		t.Fatalf("session config %+v", s)
	}
	if len(c.TransactionConfigurers) != 1 {
		t.Fatal("transaction configurers lost")
	}
	c, _ = newExecuteQueryConfiguration(driverManager, ExecuteQueryWithoutBookmarkManager(), ExecuteQueryWithWritersRouting())
	if c.BookmarkManager != nil || c.sessionConfig().AccessMode != AccessModeWrite {
		t.Fatalf("without manager / writers: %+v", c)
	}
	if _, err := newExecuteQueryConfiguration(driverManager, func(c *ExecuteQueryConfiguration) { c.Routing = 9 }); !errors.Is(err, ErrUsage) {
		t.Fatalf("bad routing: %v", err)
	}
}
