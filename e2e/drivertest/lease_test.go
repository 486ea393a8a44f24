package drivertest_test

import (
	"testing"

	"github.com/boltrx/boltrx/e2e/boltstub"
	"github.com/boltrx/boltrx/internal/clock"
)

// With a frozen clock (testkit's fake time), a connection opened for
// GetServerInfo was stamped earlier than the wall clock: it must still
// count as new and be described without a RESET; a pooled one gets it.
func TestGetServerInfoTellsANewConnectionUnderAFrozenClock(t *testing.T) {
	clock.Install()
	defer clock.Uninstall()
	srv := boltstub.Start(t, head5+`
agent "Neo4j/5.20.0"
`+hello5+`
C: RESET
S: SUCCESS {}
`)
	drv := newDriver(t, srv.Addr())
	ctx := ctxT(t)
	for i := range 2 { // opened (no RESET), then pooled (the script's RESET)
		info, err := drv.GetServerInfo(ctx)
		if err != nil {
			t.Fatalf("call %d: %v", i+1, err)
		}
		if info.Address() != srv.Addr() {
			t.Fatalf("call %d described %s", i+1, info.Address())
		}
	}
}
