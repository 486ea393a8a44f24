package drivertest_test

import (
	"errors"
	"testing"

	"github.com/boltrx/boltrx"
	"github.com/boltrx/boltrx/e2e/boltstub"
)

func TestVerifyAuthenticationLogsOnAgainOnAPooledConnection(t *testing.T) {
	srv := boltstub.Start(t, head5+hello5+`
C: RUN "RETURN 1" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["1"]}
S: SUCCESS {}
C: LOGOFF
C: LOGON {"scheme": "basic", "principal": "bob", "credentials": "bobs"}
S: SUCCESS {}
S: SUCCESS {}
C: LOGOFF
C: LOGON {"scheme": "basic", "principal": "bob", "credentials": "wrong"}
S: SUCCESS {}
S: FAILURE {"code": "Neo.ClientError.Security.Unauthorized", "message": "no"}
close
`)
	drv := newDriver(t, srv.Addr())
	ctx := ctxT(t)
	if err := runQueryIn(t, drv, boltrx.SessionConfig{}, "RETURN 1"); err != nil {
		t.Fatal(err)
	}
	bob := boltrx.BasicAuth("bob", "bobs", "")
	if err := drv.VerifyAuthentication(ctx, &bob); err != nil {
		t.Fatalf("valid credentials: %v", err)
	}
	wrong := boltrx.BasicAuth("bob", "wrong", "")
	err := drv.VerifyAuthentication(ctx, &wrong)
	var invalid *boltrx.InvalidAuthenticationError
	if !errors.As(err, &invalid) {
		t.Fatalf("wrong credentials: %v, want an InvalidAuthenticationError", err)
	}
}

func TestVerifyAuthenticationOnANewConnectionAndBeforeBolt51(t *testing.T) {
	srv := boltstub.Start(t, head5+`
C: HELLO {"user_agent": "boltrx/test", ...}
S: SUCCESS {"server": "Neo4j/5.20.0", "connection_id": "bolt-1"}
C: LOGON {"scheme": "basic", "principal": "bob", "credentials": "bobs"}
S: SUCCESS {}
`)
	drv := newDriver(t, srv.Addr())
	bob := boltrx.BasicAuth("bob", "bobs", "")
	if err := drv.VerifyAuthentication(ctxT(t), &bob); err != nil {
		t.Fatal(err)
	}

	old := boltstub.Start(t, `
bolt 4.4
anytime
  C: GOODBYE
  close
end
C: HELLO {"user_agent": "boltrx/test", "scheme": "basic", "principal": "bob", "credentials": "bobs", ...}
S: SUCCESS {"server": "Neo4j/4.4.0", "connection_id": "bolt-1"}
`)
	err := newDriver(t, old.Addr()).VerifyAuthentication(ctxT(t), &bob)
	var fe *boltrx.FeatureNotSupportedError
	if !errors.As(err, &fe) {
		t.Fatalf("Bolt 4.4: %v, want a FeatureNotSupportedError", err)
	}
}

func TestSupportsSessionAuthFromBolt51(t *testing.T) {
	srv := boltstub.Start(t, head5+hello5)
	if ok, err := newDriver(t, srv.Addr()).SupportsSessionAuth(ctxT(t)); !ok || err != nil {
		t.Fatalf("Bolt 5.4: %v, %v", ok, err)
	}
	old := boltstub.Start(t, `
bolt 4.4
anytime
  C: GOODBYE
  close
end
C: HELLO {"user_agent": "boltrx/test", ...}
S: SUCCESS {"server": "Neo4j/4.4.0", "connection_id": "bolt-1"}
`)
	if ok, err := newDriver(t, old.Addr()).SupportsSessionAuth(ctxT(t)); ok || err != nil {
		t.Fatalf("Bolt 4.4: %v, %v", ok, err)
	}
}
