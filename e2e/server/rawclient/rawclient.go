// Package rawclient is a minimal Bolt client for the tests and benchmarks
// of boltrx's test servers: a bolt.Frontend over a TCP connection and the
// steps of a conversation (send requests, read the reply to one of them),
// with no driver logic in between, so tests see exactly what the server
// answers.
package rawclient

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/boltrx/boltrx/bolt"
)

// ErrUnexpected reports an answer of a kind the caller did not expect.
var ErrUnexpected = errors.New("rawclient: unexpected answer")

// Client is one raw Bolt connection. It is not safe for concurrent use.
type Client struct {
	// Conn is the TCP connection.
	Conn net.Conn
	// Version is the negotiated version and Caps its capabilities.
	Version bolt.Version
	Caps    *bolt.Capabilities
	// Timeout, when set, bounds every Receive (a deadline, so that a
	// broken test fails instead of hanging).
	Timeout time.Duration

	fe   *bolt.Frontend
	resp bolt.Response
}

// Offer returns a handshake offer of the single version v.
func Offer(v bolt.Version) []bolt.VersionRange { return []bolt.VersionRange{{Version: v}} }

// Dial connects to addr and performs the handshake with offer (nil means
// bolt.DefaultOffer()).
func Dial(ctx context.Context, addr string, offer []bolt.VersionRange) (*Client, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	res, err := bolt.ClientHandshake(ctx, conn, offer)
	if err != nil {
		_ = conn.Close()
		return nil, err
	}
	caps, ok := bolt.CapabilitiesFor(res.Version)
	if !ok {
		_ = conn.Close()
		return nil, fmt.Errorf("rawclient: negotiated unknown version %v", res.Version)
	}
	return &Client{Conn: conn, Version: res.Version, Caps: caps, fe: bolt.NewFrontend(conn, caps, 0)}, nil
}

// Close closes the connection.
func (c *Client) Close() error { return c.Conn.Close() }

// Send encodes the requests and writes them in one write.
func (c *Client) Send(reqs ...bolt.Request) error {
	for _, r := range reqs {
		if err := c.fe.Send(r); err != nil {
			return err
		}
	}
	return c.fe.Flush()
}

// Receive reads the next response. The returned value is reused by the
// next Receive; its Record.Values may be kept.
func (c *Client) Receive() (*bolt.Response, error) {
	if c.Timeout > 0 {
		if err := c.Conn.SetReadDeadline(time.Now().Add(c.Timeout)); err != nil {
			return nil, err
		}
	}
	if err := c.fe.Receive(&c.resp); err != nil {
		return nil, err
	}
	return &c.resp, nil
}

// Reply is the complete answer to one request: the records, then the
// summary message.
type Reply struct {
	Records [][]any
	Kind    bolt.ResponseKind // ResponseSuccess, ResponseFailure or ResponseIgnored
	Success bolt.Success
	Failure bolt.Failure
}

// Reply reads the answer to one request: records up to the summary.
func (c *Client) Reply() (Reply, error) {
	var r Reply
	_, err := c.reply(func(values []any) { r.Records = append(r.Records, values) }, &r)
	return r, err
}

// CountReply reads the answer to one request without keeping the records,
// and returns how many there were.
func (c *Client) CountReply() (int, Reply, error) {
	var r Reply
	n, err := c.reply(nil, &r)
	return n, r, err
}

func (c *Client) reply(keep func([]any), r *Reply) (int, error) {
	n := 0
	for {
		resp, err := c.Receive()
		if err != nil {
			return n, err
		}
		switch resp.Kind {
		case bolt.ResponseRecord:
			n++
			if keep != nil {
				keep(resp.Record.Values)
			}
			continue
		case bolt.ResponseSuccess:
			r.Success = resp.Success
		case bolt.ResponseFailure:
			r.Failure = resp.Failure
		}
		r.Kind = resp.Kind
		return n, nil
	}
}

// Request sends one request and reads its reply.
func (c *Client) Request(req bolt.Request) (Reply, error) {
	if err := c.Send(req); err != nil {
		return Reply{}, err
	}
	return c.Reply()
}

// Success sends one request and returns the SUCCESS it gets; any other
// summary is an error wrapping ErrUnexpected (a FAILURE also wraps the
// *bolt.Failure).
func (c *Client) Success(req bolt.Request) (Reply, error) {
	r, err := c.Request(req)
	if err != nil {
		return r, err
	}
	return r, r.Err()
}

// Err returns nil for a SUCCESS and an error otherwise: a FAILURE wraps
// both ErrUnexpected and the *bolt.Failure.
func (r *Reply) Err() error {
	switch r.Kind {
	case bolt.ResponseSuccess:
		return nil
	case bolt.ResponseFailure:
		f := r.Failure
		return fmt.Errorf("%w: FAILURE %w", ErrUnexpected, &f)
	}
	return fmt.Errorf("%w: %v", ErrUnexpected, r.Kind)
}

// BasicAuth is the authentication token of the "basic" scheme.
func BasicAuth(user, password string) map[string]any {
	return map[string]any{"scheme": "basic", "principal": user, "credentials": password}
}

// Hello returns the HELLO this client would send with the given token
// and routing context: the token goes in HELLO before 5.1, bolt_agent is
// set from 5.3 on, the routing context is left out before 4.1.
func (c *Client) Hello(auth map[string]any, routing map[string]string) *bolt.Hello {
	h := &bolt.Hello{UserAgent: "rawclient/1.0"}
	if c.Caps.RoutingContextInHello {
		h.Routing = routing
	}
	if !c.Caps.Logon {
		h.Auth = auth
	}
	if c.Caps.BoltAgent {
		h.BoltAgent = bolt.BoltAgent{Product: "rawclient/1.0"}
	}
	return h
}

// Login sends HELLO (and LOGON from 5.1 on) with auth and returns the
// SUCCESS of HELLO.
func (c *Client) Login(auth map[string]any, routing map[string]string) (bolt.Success, error) {
	hello, err := c.Success(c.Hello(auth, routing))
	if err != nil {
		return bolt.Success{}, err
	}
	if c.Caps.Logon {
		if _, err := c.Success(&bolt.Logon{Auth: auth}); err != nil {
			return bolt.Success{}, err
		}
	}
	return hello.Success, nil
}

// PullAll returns the PULL that asks for every record on this version.
func PullAll() *bolt.Pull { return &bolt.Pull{N: bolt.All, Qid: bolt.LastQuery} }

// Query runs query in an auto-commit transaction (RUN and PULL all,
// pipelined) and returns the RUN's SUCCESS and the PULL's reply.
func (c *Client) Query(query string, params map[string]any, cfg bolt.TxConfig) (run, pull Reply, err error) {
	if err := c.Send(&bolt.Run{Query: query, Params: params, TxConfig: cfg}, PullAll()); err != nil {
		return run, pull, err
	}
	if run, err = c.Reply(); err != nil {
		return run, pull, err
	}
	pull, err = c.Reply()
	return run, pull, err
}
