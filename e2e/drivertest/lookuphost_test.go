package drivertest_test

import (
	"context"
	"net"
	"slices"
	"sync"
	"testing"

	"github.com/boltrx/boltrx"
)

// Config.LookupHost resolves every host name the driver dials: the URI's
// router and the members a routing table names. The routing context of
// every ROUTE names the URI's address, whichever router is asked.
func TestLookupHostAndRoutingContextAddress(t *testing.T) {
	addr := startSelfRoutingStub(t, `
bolt 5.4
anytime
  C: GOODBYE
  close
end
anytime
  C: RESET
  S: SUCCESS {}
end

connection 1
  C: HELLO {"routing": {"address": "router.example:$PORT"}, ...}
  S: SUCCESS {"server": "Neo4j/5.20.0", "connection_id": $connection_id}
  C: LOGON ...
  S: SUCCESS {}
  C: ROUTE {"address": "router.example:$PORT"} [] {"db": "movies"}
  S: SUCCESS {"rt": {"ttl": 0, "db": "movies", "servers": [{"addresses": ["other.example:$PORT"], "role": "ROUTE"}, {"addresses": ["db.example:$PORT"], "role": "READ"}, {"addresses": ["db.example:$PORT"], "role": "WRITE"}]}}

connection 2
  C: HELLO {"routing": {"address": "router.example:$PORT"}, ...}
  S: SUCCESS {"server": "Neo4j/5.20.0", "connection_id": $connection_id}
  C: LOGON ...
  S: SUCCESS {}
  C: RUN "RETURN 1" {} {"db": "movies", "mode": "r"}
  C: PULL {"n": 1000}
  S: SUCCESS {"fields": ["1"]}
  S: RECORD [1]
  S: SUCCESS {"type": "r"}

connection 3
  C: HELLO {"routing": {"address": "router.example:$PORT"}, ...}
  S: SUCCESS {"server": "Neo4j/5.20.0", "connection_id": $connection_id}
  C: LOGON ...
  S: SUCCESS {}
  C: ROUTE {"address": "router.example:$PORT"} [] {"db": "movies"}
  S: SUCCESS {"rt": {"ttl": 1000, "db": "movies", "servers": [{"addresses": ["other.example:$PORT"], "role": "ROUTE"}, {"addresses": ["db.example:$PORT"], "role": "READ"}, {"addresses": ["db.example:$PORT"], "role": "WRITE"}]}}
`)
	_, port, _ := net.SplitHostPort(addr)
	var mu sync.Mutex
	var looked []string
	drv, err := boltrx.NewDriver("neo4j://router.example:"+port, boltrx.BasicAuth("neo4j", "secret", ""), func(c *boltrx.Config) {
		c.LookupHost = func(_ context.Context, host string) ([]string, error) {
			mu.Lock()
			defer mu.Unlock()
			looked = append(looked, host)
			return []string{"127.0.0.1"}, nil
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	defer drv.Close(context.Background())
	ctx := ctxT(t)
	cfg := boltrx.SessionConfig{DatabaseName: "movies", AccessMode: boltrx.AccessModeRead}
	runOne(ctx, t, drv, cfg, "RETURN 1")
	// The table expired at once: the next session asks the router it names.
	if err := drv.UpdateRoutingTable(ctx, "movies", nil); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, host := range []string{"router.example", "db.example", "other.example"} {
		if !slices.Contains(looked, host) {
			t.Errorf("LookupHost was asked for %v, not for %s", looked, host)
		}
	}
}
