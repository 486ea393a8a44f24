package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/boltrx/boltrx"
	"github.com/boltrx/boltrx/auth"
	"github.com/boltrx/boltrx/internal/clock"
)

// handler serves one kind of request. It returns the response's name and
// data, or an error that becomes a DriverError, FrontendError or
// BackendError; an empty name means the request has no response
// (RetryablePositive, ...).
type handler func(b *backend, req request) (string, any, error)

// handlers maps each request name of testkit's nutkit/protocol/requests.py
// to its handler. The answers to callbacks (...Completed) never get here:
// the connection's reader hands them to the waiting callback.
var handlers map[string]handler

func init() {
	handlers = map[string]handler{
		"StartTest":    startTest,
		"StartSubTest": startSubTest,
		"GetFeatures":  getFeatures,

		"NewDriver":               newDriver,
		"DriverClose":             driverClose,
		"VerifyConnectivity":      verifyConnectivity,
		"GetServerInfo":           getServerInfo,
		"CheckMultiDBSupport":     checkMultiDBSupport,
		"CheckSessionAuthSupport": checkSessionAuthSupport,
		"VerifyAuthentication":    verifyAuthentication,
		"CheckDriverIsEncrypted":  checkDriverIsEncrypted,
		"ExecuteQuery":            executeQuery,

		"NewAuthTokenManager":            newAuthTokenManager,
		"NewBasicAuthTokenManager":       newBasicAuthTokenManager,
		"NewBearerAuthTokenManager":      newBearerAuthTokenManager,
		"AuthTokenManagerClose":          authTokenManagerClose,
		"NewClientCertificateProvider":   newClientCertificateProvider,
		"ClientCertificateProviderClose": clientCertificateProviderClose,
		"NewBookmarkManager":             newBookmarkManager,
		"BookmarkManagerClose":           bookmarkManagerClose,

		"NewSession":              newSession,
		"SessionClose":            sessionClose,
		"SessionRun":              sessionRun,
		"SessionBeginTransaction": sessionBeginTransaction,
		"SessionReadTransaction":  sessionReadTransaction,
		"SessionWriteTransaction": sessionWriteTransaction,
		"SessionLastBookmarks":    sessionLastBookmarks,
		"RetryablePositive":       retryablePositive,
		"RetryableNegative":       retryableNegative,

		"TransactionRun":      transactionRun,
		"TransactionCommit":   transactionCommit,
		"TransactionRollback": transactionRollback,
		"TransactionClose":    transactionClose,

		"ResultNext":           resultNext,
		"ResultPeek":           resultPeek,
		"ResultSingle":         resultSingle,
		"ResultSingleOptional": resultSingleOptional,
		"ResultList":           resultList,
		"ResultConsume":        resultConsume,
		"CypherTypeField":      cypherTypeField,

		"GetRoutingTable":          getRoutingTable,
		"ForcedRoutingTableUpdate": forcedRoutingTableUpdate,
		"GetConnectionPoolMetrics": getConnectionPoolMetrics,
		"FakeTimeInstall":          fakeTimeInstall,
		"FakeTimeTick":             fakeTimeTick,
		"FakeTimeUninstall":        fakeTimeUninstall,
	}
}

// decode unmarshals a request's fields, keeping integers exact.
func decode(req request, v any) error {
	if err := decodeJSON(req.Data, v); err != nil {
		return backendErrorf("%s: bad fields: %v", req.Name, err)
	}
	return nil
}

// lookup finds a backend object by id.
func lookup[T any](m map[string]T, kind, id string) (T, error) {
	v, ok := m[id]
	if !ok {
		var zero T
		return zero, backendErrorf("no %s with id %q", kind, id)
	}
	return v, nil
}

// millis converts a millisecond count from testkit.
func millis(ms int64) time.Duration { return time.Duration(ms) * time.Millisecond }

// newDriverFields are the fields of NewDriver.
type newDriverFields struct {
	URI                             string          `json:"uri"`
	AuthorizationToken              json.RawMessage `json:"authorizationToken"`
	AuthTokenManagerID              *string         `json:"authTokenManagerId"`
	UserAgent                       *string         `json:"userAgent"`
	ResolverRegistered              bool            `json:"resolverRegistered"`
	DomainNameResolverRegistered    bool            `json:"domainNameResolverRegistered"`
	ConnectionTimeoutMs             *int64          `json:"connectionTimeoutMs"`
	FetchSize                       *int            `json:"fetchSize"`
	MaxTxRetryTimeMs                *int64          `json:"maxTxRetryTimeMs"`
	LivenessCheckTimeoutMs          *int64          `json:"livenessCheckTimeoutMs"`
	MaxConnectionPoolSize           *int            `json:"maxConnectionPoolSize"`
	ConnectionAcquisitionTimeoutMs  *int64          `json:"connectionAcquisitionTimeoutMs"`
	ClientCertificate               json.RawMessage `json:"clientCertificate"`
	ClientCertificateProviderID     *string         `json:"clientCertificateProviderId"`
	NotificationsMinSeverity        *string         `json:"notificationsMinSeverity"`
	NotificationsDisabledCategories *[]string       `json:"notificationsDisabledCategories"`
	TelemetryDisabled               *bool           `json:"telemetryDisabled"`
	Encrypted                       *bool           `json:"encrypted"`
	TrustedCertificates             json.RawMessage `json:"trustedCertificates"`
}

func newDriver(b *backend, req request) (string, any, error) {
	var f newDriverFields
	if err := decode(req, &f); err != nil {
		return "", nil, err
	}
	var tokens auth.TokenManager
	switch {
	case f.AuthTokenManagerID != nil:
		m, err := lookup(b.tokenManagers, "auth token manager", *f.AuthTokenManagerID)
		if err != nil {
			return "", nil, err
		}
		tokens = m
	case !isNull(f.AuthorizationToken):
		t, err := authTokenFromJSON(f.AuthorizationToken)
		if err != nil {
			return "", nil, err
		}
		tokens = t
	}
	tlsConfig, err := tlsConfigFor(f.Encrypted, f.TrustedCertificates, b.opts.caDir)
	if err != nil {
		return "", nil, err
	}
	var certs auth.ClientCertificateProvider
	switch {
	case f.ClientCertificateProviderID != nil:
		p, err := lookup(b.certProviders, "client certificate provider", *f.ClientCertificateProviderID)
		if err != nil {
			return "", nil, err
		}
		certs = p
	case !isNull(f.ClientCertificate):
		cc, err := clientCertificateFromJSON(f.ClientCertificate)
		if err != nil {
			return "", nil, err
		}
		p, err := auth.NewStaticClientCertificateProvider(cc)
		if err != nil {
			return "", nil, err
		}
		certs = p
	}
	minSeverity, err := minSeverityOf(f.NotificationsMinSeverity)
	if err != nil {
		return "", nil, err
	}
	d, err := boltrx.NewDriver(f.URI, tokens, func(c *boltrx.Config) {
		// testkit's stub servers predate the manifest handshake, and its
		// 4.1 and 4.2 stubs read no version ranges: they are the servers
		// PreRangeHandshake exists for (see features.go).
		c.PreRangeHandshake = true
		if f.UserAgent != nil {
			c.UserAgent = *f.UserAgent
		}
		if f.ResolverRegistered {
			c.AddressResolver = b.resolver()
		}
		if f.DomainNameResolverRegistered {
			c.LookupHost = b.domainNameResolver()
		}
		if f.ConnectionTimeoutMs != nil {
			c.SocketConnectTimeout = millis(*f.ConnectionTimeoutMs)
		}
		if f.FetchSize != nil {
			c.FetchSize = *f.FetchSize
		}
		if f.MaxTxRetryTimeMs != nil {
			c.MaxTransactionRetryTime = millis(*f.MaxTxRetryTimeMs)
		}
		if f.LivenessCheckTimeoutMs != nil {
			c.ConnectionLivenessCheckTimeout = millis(*f.LivenessCheckTimeoutMs)
		}
		if f.MaxConnectionPoolSize != nil {
			c.MaxConnectionPoolSize = *f.MaxConnectionPoolSize
		}
		if f.ConnectionAcquisitionTimeoutMs != nil {
			c.ConnectionAcquisitionTimeout = millis(*f.ConnectionAcquisitionTimeoutMs)
		}
		if certs != nil {
			c.ClientCertificateProvider = certs
		}
		c.NotificationsMinSeverity = minSeverity
		if f.NotificationsDisabledCategories != nil {
			c.NotificationsDisabledClassifications = disabledClassificationsOf(*f.NotificationsDisabledCategories)
		}
		if f.TelemetryDisabled != nil {
			c.TelemetryDisabled = *f.TelemetryDisabled
		}
		if tlsConfig != nil {
			c.TLSConfig = tlsConfig
		}
		c.Logger = b.opts.driverLog
		c.LogBoltMessages = b.opts.logBolt
		c.OpenTelemetryDisabled = true
	})
	if err != nil {
		return "", nil, err
	}
	id := b.ids.next()
	b.drivers[id] = d
	return "Driver", map[string]any{"id": id}, nil
}

// resolver is the AddressResolver of a driver whose test registered a
// resolver function: the test code resolves each address.
func (b *backend) resolver() boltrx.ServerAddressResolver {
	return func(address string) []string {
		raw, err := b.calls.ask(b.ctx, "ResolverResolutionRequired", func(id string) any {
			return map[string]any{"id": id, "address": address}
		})
		if err != nil {
			b.log.Warn("resolver callback failed", "err", err)
			return nil
		}
		var d struct {
			Addresses []string `json:"addresses"`
		}
		if err := decodeJSON(raw, &d); err != nil {
			b.log.Warn("ResolverResolutionCompleted", "err", err)
			return nil
		}
		return d.Addresses
	}
}

// domainNameResolver is the LookupHost of a driver whose test registered
// a domain name resolver function: the test code resolves each host name.
func (b *backend) domainNameResolver() func(ctx context.Context, host string) ([]string, error) {
	return func(ctx context.Context, host string) ([]string, error) {
		raw, err := b.calls.ask(ctx, "DomainNameResolutionRequired", func(id string) any {
			return map[string]any{"id": id, "name": host}
		})
		if err != nil {
			return nil, err
		}
		var d struct {
			Addresses []string `json:"addresses"`
		}
		if err := decodeJSON(raw, &d); err != nil {
			return nil, fmt.Errorf("DomainNameResolutionCompleted: %w", err)
		}
		return d.Addresses, nil
	}
}

// minSeverityOf maps testkit's notificationsMinSeverity.
func minSeverityOf(s *string) (boltrx.NotificationMinimumSeverityLevel, error) {
	if s == nil {
		return boltrx.DefaultLevel, nil
	}
	switch *s {
	case "OFF":
		return boltrx.DisabledLevel, nil
	case "WARNING":
		return boltrx.WarningLevel, nil
	case "INFORMATION":
		return boltrx.InformationLevel, nil
	}
	return "", backendErrorf("unknown notificationsMinSeverity %q", *s)
}

// disabledClassificationsOf maps testkit's notificationsDisabledCategories:
// an empty list disables none (overriding the server's setting).
func disabledClassificationsOf(categories []string) boltrx.NotificationDisabledClassifications {
	if len(categories) == 0 {
		return boltrx.DisableNoClassifications()
	}
	cs := make([]boltrx.NotificationClassification, len(categories))
	for i, c := range categories {
		cs[i] = boltrx.NotificationClassification(c)
	}
	return boltrx.DisableClassifications(cs...)
}

// driverFields names a driver.
type driverFields struct {
	DriverID string `json:"driverId"`
}

// driverOf decodes a request naming a driver and finds the driver.
func driverOf(b *backend, req request, f any) (*boltrx.Driver, string, error) {
	var ids driverFields
	if err := decode(req, &ids); err != nil {
		return nil, "", err
	}
	if f != nil {
		if err := decode(req, f); err != nil {
			return nil, "", err
		}
	}
	d, err := lookup(b.drivers, "driver", ids.DriverID)
	return d, ids.DriverID, err
}

func driverClose(b *backend, req request) (string, any, error) {
	d, id, err := driverOf(b, req, nil)
	if err != nil {
		return "", nil, err
	}
	if err := d.Close(b.ctx); err != nil {
		return "", nil, err
	}
	return "Driver", map[string]any{"id": id}, nil
}

func verifyConnectivity(b *backend, req request) (string, any, error) {
	d, id, err := driverOf(b, req, nil)
	if err != nil {
		return "", nil, err
	}
	if err := d.VerifyConnectivity(b.ctx); err != nil {
		return "", nil, err
	}
	return "Driver", map[string]any{"id": id}, nil
}

func getServerInfo(b *backend, req request) (string, any, error) {
	d, _, err := driverOf(b, req, nil)
	if err != nil {
		return "", nil, err
	}
	info, err := d.GetServerInfo(b.ctx)
	if err != nil {
		return "", nil, err
	}
	return "ServerInfo", serverInfoOf(info), nil
}

// checkMultiDBSupport answers from the protocol version of a connection
// (Bolt 4.0+ has databases): boltrx has no method of its own for it.
func checkMultiDBSupport(b *backend, req request) (string, any, error) {
	d, _, err := driverOf(b, req, nil)
	if err != nil {
		return "", nil, err
	}
	info, err := d.GetServerInfo(b.ctx)
	if err != nil {
		return "", nil, err
	}
	v := info.ProtocolVersion()
	return "MultiDBSupport", map[string]any{"id": b.ids.next(), "available": v.Major >= 4}, nil
}

func checkSessionAuthSupport(b *backend, req request) (string, any, error) {
	d, _, err := driverOf(b, req, nil)
	if err != nil {
		return "", nil, err
	}
	ok, err := d.SupportsSessionAuth(b.ctx)
	if err != nil {
		return "", nil, err
	}
	return "SessionAuthSupport", map[string]any{"id": b.ids.next(), "available": ok}, nil
}

func verifyAuthentication(b *backend, req request) (string, any, error) {
	var f struct {
		AuthorizationToken json.RawMessage `json:"authorizationToken"`
	}
	d, id, err := driverOf(b, req, &f)
	if err != nil {
		return "", nil, err
	}
	var token *boltrx.AuthToken
	if !isNull(f.AuthorizationToken) {
		t, err := authTokenFromJSON(f.AuthorizationToken)
		if err != nil {
			return "", nil, err
		}
		token = &t
	}
	err = d.VerifyAuthentication(b.ctx, token)
	var invalid *boltrx.InvalidAuthenticationError
	switch {
	case err == nil:
		return "DriverIsAuthenticated", map[string]any{"id": id, "authenticated": true}, nil
	case errors.As(err, &invalid):
		return "DriverIsAuthenticated", map[string]any{"id": id, "authenticated": false}, nil
	}
	return "", nil, err
}

func checkDriverIsEncrypted(b *backend, req request) (string, any, error) {
	d, _, err := driverOf(b, req, nil)
	if err != nil {
		return "", nil, err
	}
	return "DriverIsEncrypted", map[string]any{"encrypted": d.IsEncrypted()}, nil
}

// fakeTimeInstall stops the driver's clock (package internal/clock, the
// driver's test hook for the time of day) until FakeTimeTick moves it.
// The clock is the process's: testkit runs one test at a time.
func fakeTimeInstall(b *backend, _ request) (string, any, error) {
	b.fakeTime = clock.Install()
	return "FakeTimeAck", nil, nil
}

func fakeTimeTick(b *backend, req request) (string, any, error) {
	var f struct {
		IncrementMs int64 `json:"incrementMs"`
	}
	if err := decode(req, &f); err != nil {
		return "", nil, err
	}
	if b.fakeTime == nil {
		return "", nil, backendErrorf("FakeTimeTick without FakeTimeInstall")
	}
	b.fakeTime.Advance(millis(f.IncrementMs))
	return "FakeTimeAck", nil, nil
}

func fakeTimeUninstall(b *backend, _ request) (string, any, error) {
	clock.Uninstall()
	b.fakeTime = nil
	return "FakeTimeAck", nil, nil
}
