package drivertest_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/boltrx/boltrx"
	"github.com/boltrx/boltrx/auth"
	"github.com/boltrx/boltrx/e2e/boltstub"
	"github.com/boltrx/boltrx/internal/clock"
)

// beginAndRead begins a transaction in a new session and reads query's
// result in it; the caller commits.
func beginAndRead(t *testing.T, drv *boltrx.Driver, query string) (*boltrx.Session, *boltrx.ExplicitTransaction) {
	t.Helper()
	ctx := ctxT(t)
	sess, err := drv.NewSession(ctx, boltrx.SessionConfig{})
	if err != nil {
		t.Fatal(err)
	}
	tx, err := sess.BeginTransaction(ctx)
	if err != nil {
		t.Fatal(err)
	}
	res, err := tx.Run(ctx, query, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := res.Consume(ctx); err != nil {
		t.Fatal(err)
	}
	return sess, tx
}

// authExpiredConn2 is the second connection of the AuthorizationExpired
// scripts: its query fails and the server hangs up.
const authExpiredConn2 = `
C: RUN "RETURN 2" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["2"]}
S: FAILURE {"code": "Neo.ClientError.Security.AuthorizationExpired", "message": "expired"}
close
`

// expireOtherConnection holds one connection in a transaction while a
// query on a second one fails with AuthorizationExpired, then commits and
// runs "RETURN 3" in a new session.
func expireOtherConnection(t *testing.T, drv *boltrx.Driver) {
	t.Helper()
	ctx := ctxT(t)
	sess1, tx := beginAndRead(t, drv, "RETURN 1")
	err := runQueryIn(t, drv, boltrx.SessionConfig{}, "RETURN 2")
	var ne *boltrx.Neo4jError
	if !errors.As(err, &ne) || ne.Code != "Neo.ClientError.Security.AuthorizationExpired" || !boltrx.IsRetryable(err) {
		t.Fatalf("got %v, want a retryable AuthorizationExpired", err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	sess1.Close(ctx)
	if err := runQueryIn(t, drv, boltrx.SessionConfig{}, "RETURN 3"); err != nil {
		t.Fatal(err)
	}
}

func TestAuthorizationExpiredMakesTheOtherConnectionsLogOnAgain(t *testing.T) {
	srv := boltstub.Start(t, `
bolt 5.4
concurrent
anytime
  C: GOODBYE
  close
end
connection 1
`+hello5+`
C: BEGIN {}
S: SUCCESS {}
C: RUN "RETURN 1" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["1"]}
S: SUCCESS {}
C: COMMIT
S: SUCCESS {}
C: LOGOFF
C: LOGON {"scheme": "basic", "principal": "neo4j", "credentials": "secret"}
C: RUN "RETURN 3" {} {}
C: PULL {"n": 1000}
S: SUCCESS {}
S: SUCCESS {}
S: SUCCESS {"fields": ["3"]}
S: SUCCESS {}

connection 2
`+hello5+authExpiredConn2)
	expireOtherConnection(t, newDriver(t, srv.Addr()))
}

func TestAuthorizationExpiredBeforeBolt51ClosesTheOtherConnections(t *testing.T) {
	const hello44 = `
C: HELLO {"user_agent": "boltrx/test", "scheme": "basic", "principal": "neo4j", "credentials": "secret", ...}
S: SUCCESS {"server": "Neo4j/4.4.0", "connection_id": "bolt-1"}
`
	srv := boltstub.Start(t, `
bolt 4.4
concurrent
anytime
  C: GOODBYE
  close
end
connection 1
`+hello44+`
C: BEGIN {}
S: SUCCESS {}
C: RUN "RETURN 1" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["1"]}
S: SUCCESS {}
C: COMMIT
S: SUCCESS {}
expect close

connection 2
`+hello44+authExpiredConn2+`
connection 3
`+hello44+`
C: RUN "RETURN 3" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["3"]}
S: SUCCESS {}
`)
	expireOtherConnection(t, newDriver(t, srv.Addr()))
}

func TestFailedPipelinedBeginIsTheErrorOfTheTransaction(t *testing.T) {
	// ExecuteQuery pipelines BEGIN with its RUN. The server answers BEGIN
	// with a FAILURE and hangs up before answering the RUN and PULL
	// behind it: the failure is the error.
	srv := boltstub.Start(t, head5+hello5+`
C: BEGIN {}
C: RUN "RETURN 1" {} {}
C: PULL {"n": 1000}
S: FAILURE {"code": "Neo.ClientError.Security.TokenExpired", "message": "Token expired"}
close
`)
	drv := newDriver(t, srv.Addr())
	_, err := drv.ExecuteQuery(ctxT(t), "RETURN 1", nil)
	var te *boltrx.TokenExpiredError
	if !errors.As(err, &te) {
		t.Fatalf("got %v, want the BEGIN's TokenExpiredError", err)
	}
}

// countingManager is a token manager that counts its calls and handles
// every security failure.
type countingManager struct {
	gets, handled atomic.Int32
}

func (m *countingManager) GetAuthToken(context.Context) (auth.Token, error) {
	m.gets.Add(1)
	return boltrx.BasicAuth("neo4j", "secret", ""), nil
}

func (m *countingManager) HandleSecurityException(context.Context, auth.Token, auth.ServerError) (bool, error) {
	m.handled.Add(1)
	return true, nil
}

func TestTokenManagerIsAskedOncePerAcquisitionAndHearsOfAFailureOnce(t *testing.T) {
	srv := boltstub.Start(t, head5+hello5+`
C: RUN "RETURN 1" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["1"]}
S: SUCCESS {}
C: BEGIN {}
S: SUCCESS {}
C: RUN "RETURN 2" {} {}
C: PULL {"n": 1000}
S: FAILURE {"code": "Neo.ClientError.Security.Unauthorized", "message": "no"}
S: IGNORED
close
`)
	m := &countingManager{}
	drv, err := boltrx.NewDriver("bolt://"+srv.Addr(), m, func(c *boltrx.Config) { c.UserAgent = "boltrx/test" })
	if err != nil {
		t.Fatal(err)
	}
	defer drv.Close(context.Background())
	if err := runQueryIn(t, drv, boltrx.SessionConfig{}, "RETURN 1"); err != nil {
		t.Fatal(err)
	}
	if n := m.gets.Load(); n != 1 {
		t.Fatalf("a new connection asked the manager %d times, want 1", n)
	}
	ctx := ctxT(t)
	sess, _ := drv.NewSession(ctx, boltrx.SessionConfig{})
	defer sess.Close(ctx)
	tx, err := sess.BeginTransaction(ctx)
	if err != nil {
		t.Fatal(err)
	}
	res, err := tx.Run(ctx, "RETURN 2", nil)
	if err == nil {
		_, err = res.Keys(ctx)
	}
	// The error is retryable as soon as the caller sees it: the manager
	// handled it first.
	if !boltrx.IsRetryable(err) {
		t.Fatalf("got %v, want a retryable Unauthorized", err)
	}
	_ = tx.Rollback(ctx)
	if g, h := m.gets.Load(), m.handled.Load(); g != 2 || h != 1 {
		t.Fatalf("manager asked %d times and told of %d failures, want 2 and 1", g, h)
	}
}

func TestLivenessCheckFollowsTheDriversClock(t *testing.T) {
	srv := boltstub.Start(t, head5+hello5+`
C: RUN "RETURN 1" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["1"]}
S: SUCCESS {}
C: RESET
S: SUCCESS {}
C: RUN "RETURN 2" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["2"]}
S: SUCCESS {}
`)
	drv := newDriver(t, srv.Addr(), func(c *boltrx.Config) { c.ConnectionLivenessCheckTimeout = time.Minute })
	if err := runQueryIn(t, drv, boltrx.SessionConfig{}, "RETURN 1"); err != nil {
		t.Fatal(err)
	}
	fake := clock.Install()
	defer clock.Uninstall()
	fake.Advance(2 * time.Minute)
	if err := runQueryIn(t, drv, boltrx.SessionConfig{}, "RETURN 2"); err != nil {
		t.Fatal(err)
	}
}
