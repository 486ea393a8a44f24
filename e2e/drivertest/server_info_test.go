package drivertest_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/boltrx/boltrx"
	"github.com/boltrx/boltrx/e2e/boltstub"
)

func TestGetServerInfoChecksAPooledConnectionWithReset(t *testing.T) {
	srv := boltstub.Start(t, head5+`
agent "Neo4j/5.20.0"
`+hello5+`
C: RUN "RETURN 1" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["1"]}
S: SUCCESS {}
C: RESET
S: SUCCESS {}
`)
	drv := newDriver(t, srv.Addr())
	ctx := ctxT(t)
	sess, _ := drv.NewSession(ctx, boltrx.SessionConfig{})
	res, err := sess.Run(ctx, "RETURN 1", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := res.Consume(ctx); err != nil {
		t.Fatal(err)
	}
	sess.Close(ctx)
	info, err := drv.GetServerInfo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.Address() != srv.Addr() || info.ProtocolVersion() != (boltrx.ProtocolVersion{Major: 5, Minor: 4}) {
		t.Fatalf("server info: %s %v", info.Address(), info.ProtocolVersion())
	}
}

func TestGetServerInfoRoutesAnewAndSkipsUnreachableReaders(t *testing.T) {
	dead := freeAddr(t)
	routerAddr := freeAddr(t)
	reader := boltstub.Start(t, head5+`
anytime
  C: RESET
  S: SUCCESS {}
end
`+hello5)
	table := fmt.Sprintf(`{"rt": {"ttl": 300, "db": "home", "servers": [
	  {"addresses": [%q], "role": "ROUTE"},
	  {"addresses": [%q, %q], "role": "READ"},
	  {"addresses": [%q], "role": "WRITE"}]}}`, routerAddr, dead, reader.Addr(), dead)
	listenStub(t, routerAddr, head5+`
C: HELLO {"user_agent": "boltrx/test", "routing": any map, ...}
S: SUCCESS {"server": "Neo4j/5.20.0", "connection_id": "bolt-1"}
C: LOGON ...
S: SUCCESS {}
C: ROUTE any [] {}
S: SUCCESS `+table+`
C: ROUTE any [] {}
S: SUCCESS `+table+`
`)
	drv, err := boltrx.NewDriver("neo4j://"+routerAddr, boltrx.BasicAuth("neo4j", "secret", ""),
		func(c *boltrx.Config) { c.UserAgent = "boltrx/test" })
	if err != nil {
		t.Fatal(err)
	}
	defer drv.Close(context.Background())
	ctx := ctxT(t)
	// Each call fetches the table again; the first reader is down.
	for i := 0; i < 2; i++ {
		info, err := drv.GetServerInfo(ctx)
		if err != nil {
			t.Fatalf("call %d: %v", i+1, err)
		}
		if info.Address() != reader.Addr() {
			t.Fatalf("call %d described %s, want the reachable reader %s", i+1, info.Address(), reader.Addr())
		}
	}
}
