package boltrx_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/boltrx/boltrx"
	"github.com/boltrx/boltrx/auth"
	"github.com/boltrx/boltrx/e2e/boltstub"
)

func TestSessionAuthSwitchesUserWithLogoffLogon(t *testing.T) {
	srv := boltstub.Start(t, head5+hello5+`
C: RUN "RETURN 0" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["0"]}
S: SUCCESS {}
C: LOGOFF
C: LOGON {"scheme": "basic", "principal": "bob", "credentials": "bobs"}
S: SUCCESS {}
S: SUCCESS {}
C: RUN "RETURN 1" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["1"]}
S: SUCCESS {}
C: RUN "RETURN 2" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["2"]}
S: SUCCESS {}
`)
	drv := newDriver(t, srv.Addr())
	ctx := ctxT(t)
	// The pooled connection is the driver user's; bob's session switches it.
	first, _ := drv.NewSession(ctx, boltrx.SessionConfig{})
	res, err := first.Run(ctx, "RETURN 0", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := res.Consume(ctx); err != nil {
		t.Fatal(err)
	}
	first.Close(ctx)
	bob := boltrx.BasicAuth("bob", "bobs", "")
	sess, _ := drv.NewSession(ctx, boltrx.SessionConfig{Auth: &bob})
	res, err = sess.Run(ctx, "RETURN 1", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := res.Consume(ctx); err != nil {
		t.Fatal(err)
	}
	// The connection stays authenticated as bob: no second LOGON.
	res, err = sess.Run(ctx, "RETURN 2", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := res.Consume(ctx); err != nil {
		t.Fatal(err)
	}
	sess.Close(ctx)
}

func TestNewConnectionForSessionAuthLogsOnWithItsToken(t *testing.T) {
	srv := boltstub.Start(t, head5+`
C: HELLO {"user_agent": "boltrx/test", ...}
S: SUCCESS {"server": "Neo4j/5.20.0", "connection_id": "bolt-1"}
C: LOGON {"scheme": "basic", "principal": "bob", "credentials": "bobs"}
S: SUCCESS {}
C: RUN "RETURN 1" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["1"]}
S: SUCCESS {}
C: LOGOFF
C: LOGON {"scheme": "basic", "principal": "neo4j", "credentials": "secret"}
S: SUCCESS {}
S: SUCCESS {}
C: RUN "RETURN 2" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["2"]}
S: SUCCESS {}
`)
	drv := newDriver(t, srv.Addr())
	ctx := ctxT(t)
	bob := boltrx.BasicAuth("bob", "bobs", "")
	for i, auth := range []*boltrx.AuthToken{&bob, nil} {
		sess, _ := drv.NewSession(ctx, boltrx.SessionConfig{Auth: auth})
		res, err := sess.Run(ctx, fmt.Sprintf("RETURN %d", i+1), nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := res.Consume(ctx); err != nil {
			t.Fatal(err)
		}
		sess.Close(ctx)
	}
}

func TestSessionAuthBeforeBolt51UsesADedicatedConnection(t *testing.T) {
	srv := boltstub.Start(t, `
bolt 4.4
anytime
  C: GOODBYE
  close
end
connection 1
C: HELLO {"user_agent": "boltrx/test", "scheme": "basic", "principal": "neo4j", "credentials": "secret", ...}
S: SUCCESS {"server": "Neo4j/4.4.0", "connection_id": "bolt-1"}

connection 2
C: HELLO {"user_agent": "boltrx/test", "scheme": "basic", "principal": "bob", "credentials": "bobs", ...}
S: SUCCESS {"server": "Neo4j/4.4.0", "connection_id": "bolt-2"}
C: RUN "RETURN 1" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["1"]}
S: SUCCESS {}
expect close
`)
	drv := newDriver(t, srv.Addr())
	ctx := ctxT(t)
	bob := boltrx.BasicAuth("bob", "bobs", "")
	sess, _ := drv.NewSession(ctx, boltrx.SessionConfig{Auth: &bob})
	res, err := sess.Run(ctx, "RETURN 1", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := res.Consume(ctx); err != nil {
		t.Fatal(err)
	}
	sess.Close(ctx)
}

func TestExpiredBearerTokenIsRefreshedAndTheWorkRetried(t *testing.T) {
	srv := boltstub.Start(t, head5+`
anytime
  C: RESET
  S: SUCCESS {}
end
C: HELLO {"user_agent": "boltrx/test", ...}
S: SUCCESS {"server": "Neo4j/5.20.0", "connection_id": "bolt-1"}
C: LOGON {"scheme": "bearer", "credentials": "token-1"}
S: SUCCESS {}
C: BEGIN {}
C: RUN "RETURN 1" {} {}
C: PULL {"n": 1000}
S: SUCCESS {}
S: FAILURE {"code": "Neo.ClientError.Security.TokenExpired", "message": "token expired"}
S: IGNORED
C: LOGOFF
C: LOGON {"scheme": "bearer", "credentials": "token-2"}
S: SUCCESS {}
S: SUCCESS {}
C: BEGIN {}
C: RUN "RETURN 1" {} {}
C: PULL {"n": 1000}
S: SUCCESS {}
S: SUCCESS {"fields": ["1"]}
S: RECORD [1]
S: SUCCESS {}
C: COMMIT
S: SUCCESS {"bookmark": "bm"}
`)
	var fetched atomic.Int32
	manager := auth.BearerTokenManager(func(context.Context) (auth.Token, *time.Time, error) {
		n := fetched.Add(1)
		return boltrx.BearerAuth("token-" + string(rune('0'+n))), nil, nil
	})
	drv, err := boltrx.NewDriver("bolt://"+srv.Addr(), manager, func(c *boltrx.Config) { c.UserAgent = "boltrx/test" })
	if err != nil {
		t.Fatal(err)
	}
	defer drv.Close(context.Background())
	ctx := ctxT(t)
	res, err := drv.ExecuteQuery(ctx, "RETURN 1", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Records) != 1 || fetched.Load() != 2 {
		t.Fatalf("records %d, tokens fetched %d", len(res.Records), fetched.Load())
	}
}
