package drivertest_test

// The helpers the driver's end-to-end tests share: scripts' common lines,
// drivers closed with the test, stub servers on chosen addresses.

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/boltrx/boltrx"
	"github.com/boltrx/boltrx/e2e/boltstub"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// head5 is the start of every 5.x script: versions, GOODBYE/RESET at any
// time, and a HELLO + LOGON from any driver version.
const head5 = `
bolt 5.4
anytime
  C: GOODBYE
  close
end
`

const hello5 = `
C: HELLO {"user_agent": "boltrx/test", "bolt_agent": {"product": any string, ...}, ...}
S: SUCCESS {"server": "Neo4j/5.20.0", "connection_id": "bolt-1"}
C: LOGON {"scheme": "basic", "principal": "neo4j", "credentials": "secret"}
S: SUCCESS {}
`

func newDriver(t *testing.T, addr string, configure ...func(*boltrx.Config)) *boltrx.Driver {
	t.Helper()
	configure = append([]func(*boltrx.Config){func(c *boltrx.Config) { c.UserAgent = "boltrx/test" }}, configure...)
	drv, err := boltrx.NewDriver("bolt://"+addr, boltrx.BasicAuth("neo4j", "secret", ""), configure...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := drv.Close(context.Background()); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return drv
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// runQueryIn runs query in a new session with cfg and reads its result.
func runQueryIn(t *testing.T, drv *boltrx.Driver, cfg boltrx.SessionConfig, query string) error {
	t.Helper()
	ctx := ctxT(t)
	sess, err := drv.NewSession(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close(ctx)
	res, err := sess.Run(ctx, query, nil)
	if err != nil {
		return err
	}
	_, err = res.Consume(ctx)
	return err
}

// startSelfRoutingStub serves script on a port chosen beforehand, with
// $SELF in the script replaced by that "127.0.0.1:port" (quoted) and
// $PORT by the port: a server that names itself in the routing tables it
// sends.
func startSelfRoutingStub(t *testing.T, script string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	_, port, _ := net.SplitHostPort(addr)
	script = strings.ReplaceAll(script, "$SELF", `"`+addr+`"`)
	sc, err := boltstub.Parse(strings.ReplaceAll(script, "$PORT", port))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := boltstub.Listen(addr, sc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Error(err)
		}
	})
	return addr
}

func runOne(ctx context.Context, t *testing.T, drv *boltrx.Driver, cfg boltrx.SessionConfig, query string) {
	t.Helper()
	sess, err := drv.NewSession(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close(ctx)
	res, err := sess.Run(ctx, query, nil)
	if err != nil {
		t.Fatalf("Run %q: %v", query, err)
	}
	if _, err := res.Consume(ctx); err != nil {
		t.Fatalf("Consume %q: %v", query, err)
	}
}

// freeAddr returns an address nothing listens on (a port just released).
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// listenStub serves script on addr for the duration of the test.
func listenStub(t *testing.T, addr, script string) *boltstub.Server {
	t.Helper()
	s, err := boltstub.Parse(script)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := boltstub.Listen(addr, s)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Errorf("%v", err)
		}
	})
	return srv
}

// resetAnytime lets the driver RESET a connection at any point of a
// script.
const resetAnytime = `
anytime
  C: RESET
  S: SUCCESS {}
end
`
