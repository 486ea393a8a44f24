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
)

func TestSessionAuthOpensWithItsTokenAndSwitchesUsersWithPipelinedLogoffLogon(t *testing.T) {
	// The session's own token authenticates the new connection; the
	// switch back to the driver's token goes out with the next query,
	// without waiting for the server's answers.
	srv := boltstub.Start(t, head5+`
C: HELLO {"user_agent": "boltrx/test", ...}
S: SUCCESS {"server": "Neo4j/5.20.0", "connection_id": "bolt-1"}
C: LOGON {"scheme": "basic", "principal": "bob", "credentials": "bobs"}
S: SUCCESS {}
C: RUN "RETURN 1" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["1"]}
S: SUCCESS {}
C: RUN "RETURN 2" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["2"]}
S: SUCCESS {}
C: LOGOFF
C: LOGON {"scheme": "basic", "principal": "neo4j", "credentials": "secret"}
C: RUN "RETURN 3" {} {}
C: PULL {"n": 1000}
S: SUCCESS {}
S: SUCCESS {}
S: SUCCESS {"fields": ["3"]}
S: SUCCESS {}
`)
	drv := newDriver(t, srv.Addr())
	bob := boltrx.BasicAuth("bob", "bobs", "")
	for i, cfg := range []boltrx.SessionConfig{{Auth: &bob}, {Auth: &bob}, {}} {
		if err := runQueryIn(t, drv, cfg, "RETURN "+string(rune('1'+i))); err != nil {
			t.Fatalf("query %d: %v", i+1, err)
		}
	}
}

func TestRefusedPipelinedLogonIsTheErrorOfTheQuery(t *testing.T) {
	srv := boltstub.Start(t, head5+hello5+`
C: RUN "RETURN 1" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["1"]}
S: SUCCESS {}
C: LOGOFF
C: LOGON {"scheme": "basic", "principal": "bob", "credentials": "wrong"}
C: RUN "RETURN 2" {} {}
C: PULL {"n": 1000}
S: SUCCESS {}
S: FAILURE {"code": "Neo.ClientError.Security.Unauthorized", "message": "bad credentials"}
close
`)
	drv := newDriver(t, srv.Addr())
	if err := runQueryIn(t, drv, boltrx.SessionConfig{}, "RETURN 1"); err != nil {
		t.Fatal(err)
	}
	bob := boltrx.BasicAuth("bob", "wrong", "")
	err := runQueryIn(t, drv, boltrx.SessionConfig{Auth: &bob}, "RETURN 2")
	var ne *boltrx.Neo4jError
	if !errors.As(err, &ne) || ne.Code != "Neo.ClientError.Security.Unauthorized" {
		t.Fatalf("got %v, want the LOGON's Unauthorized failure", err)
	}
}

func TestSessionAuthBeforeBolt51IsNotSupported(t *testing.T) {
	srv := boltstub.Start(t, `
bolt 4.4
anytime
  C: GOODBYE
  close
end
C: HELLO {"user_agent": "boltrx/test", "scheme": "basic", "principal": "bob", "credentials": "bobs", ...}
S: SUCCESS {"server": "Neo4j/4.4.0", "connection_id": "bolt-1"}
`)
	drv := newDriver(t, srv.Addr())
	bob := boltrx.BasicAuth("bob", "bobs", "")
	err := runQueryIn(t, drv, boltrx.SessionConfig{Auth: &bob}, "RETURN 1")
	var fe *boltrx.FeatureNotSupportedError
	if !errors.As(err, &fe) || fe.Feature != "session auth" {
		t.Fatalf("got %v, want a FeatureNotSupportedError for session auth", err)
	}
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
