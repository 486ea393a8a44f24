package actors

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/boltrx/boltrx/bolt"
	"github.com/boltrx/boltrx/telemetry"
)

// ConnectConfig says how to open one connection.
type ConnectConfig struct {
	// TLS, when set, wraps the socket before the Bolt handshake. Its
	// ServerName should be the host the user named.
	TLS *tls.Config
	// DialTimeout bounds the TCP connect (0 = no bound beyond ctx).
	DialTimeout time.Duration
	// KeepAlive enables TCP keep-alive probes.
	KeepAlive bool
	// Offer lists the handshake proposals (nil = bolt.DefaultOffer()).
	Offer []bolt.VersionRange
	// UserAgent and BoltAgent identify the application and the driver.
	UserAgent string
	BoltAgent bolt.BoltAgent
	// Routing is the routing context sent in HELLO (4.1+); nil for
	// bolt:// (no routing).
	Routing map[string]string
	// Auth is the token's map (scheme, principal, credentials, ...).
	Auth map[string]any
	// Notification filters sent in HELLO (5.2+); empty = server default.
	NotificationsMinSeverity string
	NotificationsDisabled    []string
	// Log receives debug lines; LogMessages adds one per Bolt message.
	Log         *slog.Logger
	LogMessages bool
	// Dial replaces the TCP dialer (tests, custom resolvers).
	Dial func(ctx context.Context, address string) (net.Conn, error)
	// Telemetry receives the connection's message spans (HELLO and LOGON
	// as children of the span in Connect's ctx) and record counts; nil
	// records nothing.
	Telemetry *telemetry.Instruments
}

// Connect dials address, negotiates a Bolt version and authenticates:
// HELLO (and LOGON on 5.1+) pipelined in one write. The returned
// connection is READY with its reader goroutine running.
func Connect(ctx context.Context, address string, cfg ConnectConfig) (*Conn, error) {
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	netConn, err := dial(ctx, address, cfg)
	if err != nil {
		return nil, &IOError{Address: address, Op: "dial", Err: err}
	}
	if cfg.TLS != nil {
		tlsConn := tls.Client(netConn, cfg.TLS)
		if err := tlsConn.HandshakeContext(ctx); err != nil {
			_ = netConn.Close()
			return nil, &IOError{Address: address, Op: "TLS handshake", Err: err}
		}
		netConn = tlsConn
	}
	result, err := bolt.ClientHandshake(ctx, netConn, cfg.Offer)
	if err != nil {
		_ = netConn.Close()
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return nil, err
		}
		return nil, &IOError{Address: address, Op: "handshake", Err: err}
	}
	caps, ok := bolt.CapabilitiesFor(result.Version)
	if !ok {
		_ = netConn.Close()
		return nil, &IOError{Address: address, Op: "handshake", Err: fmt.Errorf("server chose unsupported version %v", result.Version)}
	}
	c := newConn(address, netConn, caps, log, cfg.LogMessages, cfg.Telemetry)
	if p, ok := cfg.Auth["principal"].(string); ok {
		c.AuthUser = p
	}
	c.auth.Store(&cfg.Auth)
	if err := c.hello(ctx, cfg); err != nil {
		_ = netConn.Close()
		return nil, err
	}
	c.recvTimeout = time.Duration(c.Hints.RecvTimeoutSeconds) * time.Second
	c.fresh.Store(true)
	c.start()
	return c, nil
}

func dial(ctx context.Context, address string, cfg ConnectConfig) (net.Conn, error) {
	if cfg.Dial != nil {
		return cfg.Dial(ctx, address)
	}
	d := net.Dialer{Timeout: cfg.DialTimeout}
	if !cfg.KeepAlive {
		d.KeepAlive = -1
	}
	return d.DialContext(ctx, "tcp", address)
}

// hello runs HELLO (+ LOGON) synchronously, before the reader goroutine
// starts: the SUCCESS of HELLO may switch the PackStream dialect.
func (c *Conn) hello(ctx context.Context, cfg ConnectConfig) (err error) {
	if deadline, ok := ctx.Deadline(); ok {
		_ = c.netConn.SetDeadline(deadline)
		defer c.netConn.SetDeadline(time.Time{})
	}
	stop := context.AfterFunc(ctx, func() { _ = c.netConn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	hello := &bolt.Hello{
		UserAgent:                cfg.UserAgent,
		Routing:                  cfg.Routing,
		NotificationsMinSeverity: cfg.NotificationsMinSeverity,
		NotificationsDisabled:    cfg.NotificationsDisabled,
	}
	if c.Caps.BoltAgent {
		hello.BoltAgent = cfg.BoltAgent
	}
	if !c.Caps.RoutingContextInHello {
		hello.Routing = nil
	}
	if c.Caps.UTCPatch {
		hello.PatchBolt = []string{"utc"}
	}
	reqs := []bolt.Request{hello}
	if c.Caps.Logon {
		reqs = append(reqs, &bolt.Logon{Auth: cfg.Auth})
	} else {
		hello.Auth = cfg.Auth
	}
	var spanBuf [2]*telemetry.Message
	spans := c.startSpans(ctx, reqs, spanBuf[:0])
	answered := 0 // spans[:answered] have ended
	defer func() { endSpans(spans[min(answered, len(spans)):], unansweredCause(err)) }()
	for _, req := range reqs {
		if err := c.sm.Allow(req); err != nil {
			return err
		}
		if err := c.fe.Send(req); err != nil {
			return err
		}
	}
	if err := c.fe.Flush(); err != nil {
		return c.setupIOError(ctx, "write", err)
	}
	var resp bolt.Response
	for i := range reqs {
		if err := c.fe.Receive(&resp); err != nil {
			return c.setupIOError(ctx, "read", err)
		}
		if err := c.sm.OnResponse(nil, &resp); err != nil {
			return err
		}
		if i < len(spans) && resp.IsSummary() {
			spans[i].End(messageEnd(&resp))
			answered = i + 1
		}
		switch resp.Kind {
		case bolt.ResponseFailure:
			f := resp.Failure
			return &f
		case bolt.ResponseSuccess:
		default:
			return &bolt.ProtocolError{Message: resp.Kind.String(), Offset: -1, Detail: "unexpected answer to " + reqs[i].Name()}
		}
		if i == 0 {
			c.Server = resp.Success.Server
			c.ConnID = resp.Success.ConnectionID
			c.Hints = resp.Success.Hints
		}
	}
	return nil
}

// errEarlierFailure ends the span of a setup request left unanswered
// because the one before it failed.
var errEarlierFailure = errors.New("boltrx: not answered: an earlier request failed")

// unansweredCause is what the span of an unanswered setup request says:
// a FAILURE of an earlier request is on that request's span (by its codes;
// its message, which the server wrote, is not repeated here).
func unansweredCause(err error) error {
	if _, ok := errors.AsType[*bolt.Failure](err); ok {
		return errEarlierFailure
	}
	return err
}

func (c *Conn) setupIOError(ctx context.Context, op string, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return &IOError{Address: c.Address, Op: op, Err: err}
}
