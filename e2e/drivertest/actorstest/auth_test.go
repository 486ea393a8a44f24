package actorstest_test

import (
	"context"
	"testing"

	"github.com/boltrx/boltrx/actors"
	"github.com/boltrx/boltrx/bolt"
	"github.com/boltrx/boltrx/e2e/boltstub"
)

func TestReauthenticationGoesOutWithTheNextRequestOrNotAtAll(t *testing.T) {
	// The first lease asks for a re-authentication and ends without a
	// request: nothing is sent, no RESET either. The second sends LOGOFF
	// and LOGON in front of its request.
	srv := boltstub.Start(t, setup58+`
C: LOGOFF
C: LOGON {"scheme": "basic", "principal": "bob", "credentials": "b"}
C: RESET
S: SUCCESS {}
S: SUCCESS {}
S: SUCCESS {}
`)
	sys := actors.NewSystem(nil)
	defer sys.Shutdown()
	pool := actors.NewPool(sys, nil, srv.Addr(), actors.PoolConfig{
		MaxSize: 1, AcquisitionTimeout: -1, LivenessCheckTimeout: -1,
		Connect: func(ctx context.Context) (*actors.Conn, error) {
			return actors.Connect(ctx, srv.Addr(), actors.ConnectConfig{
				UserAgent: "boltrx/test", BoltAgent: bolt.BoltAgent{Product: "boltrx/test"},
				Auth: map[string]any{"scheme": "basic", "principal": "neo4j", "credentials": password}})
		},
	})
	ctx := testContext(t)
	bob := map[string]any{"scheme": "basic", "principal": "bob", "credentials": "b"}
	c, err := pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c.Reauthenticate(bob)
	pool.Release(c)
	if c, err = pool.Acquire(ctx); err != nil {
		t.Fatal(err)
	}
	if c.AuthMatches(bob) {
		t.Fatal("a re-authentication that was never sent counts")
	}
	c.Reauthenticate(bob)
	if _, err := c.Call(ctx, &bolt.Reset{}); err != nil {
		t.Fatal(err)
	}
	if !c.AuthMatches(bob) {
		t.Fatal("the connection does not know it switched users")
	}
	pool.Release(c)
}
