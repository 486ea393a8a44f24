package router

import (
	"context"
	"testing"

	"github.com/boltrx/boltrx/bolt"
)

func benchRouter(b *testing.B, load func(string) int) *Router {
	f := newFakeRouters()
	servers := list("a:7687", "b:7687", "c:7687", "d:7687", "e:7687")
	f.serve("10.9.9.9:7687", &bolt.RoutingTable{TTL: 1 << 40, Servers: []bolt.RoutingServers{
		{Role: bolt.RoleRoute, Addresses: servers},
		{Role: bolt.RoleRead, Addresses: servers},
		{Role: bolt.RoleWrite, Addresses: servers[:1]},
	}})
	r := New(newSystem(b), nil, Config{InitialRouter: "10.9.9.9:7687", Fetch: f.Fetch, Load: load})
	b.Cleanup(r.Close)
	if _, _, err := r.Select(context.Background(), Read, Request{Database: "db"}); err != nil {
		b.Fatal(err)
	}
	return r
}

// BenchmarkSelectFresh is the hot path: a fresh table, no mailbox hop.
func BenchmarkSelectFresh(b *testing.B) {
	r := benchRouter(b, nil)
	ctx := context.Background()
	req := Request{Database: "db"}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, _, err := r.Select(ctx, Read, req); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkSelectLeastConnected adds the load look-ups of five readers.
func BenchmarkSelectLeastConnected(b *testing.B) {
	loads := map[string]int{"a:7687": 3, "b:7687": 1, "c:7687": 1, "d:7687": 2, "e:7687": 1}
	r := benchRouter(b, func(a string) int { return loads[a] })
	ctx := context.Background()
	req := Request{Database: "db"}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, _, err := r.Select(ctx, Read, req); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkRefresh is a forced refresh: two mailbox round trips, a
// goroutine and a fetch from the fake router.
func BenchmarkRefresh(b *testing.B) {
	r := benchRouter(b, nil)
	ctx := context.Background()
	req := Request{Database: "db"}
	b.ReportAllocs()
	for b.Loop() {
		if err := r.Refresh(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}
