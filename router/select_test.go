package router

import (
	"sync"
	"sync/atomic"
	"testing"
)

// withinEven checks each count is within 20% of an even share.
func withinEven(t *testing.T, counts map[string]int, servers []string, total int) {
	t.Helper()
	even := float64(total) / float64(len(servers))
	for _, s := range servers {
		if c := float64(counts[s]); c < 0.8*even || c > 1.2*even {
			t.Fatalf("%s got %v of %d selections, want %v ± 20%% (all: %v)", s, c, total, even, counts)
		}
	}
}

func TestLeastConnectedPicksLowestLoadAndRotatesTies(t *testing.T) {
	loads := map[string]int{"a:7687": 5, "b:7687": 1, "c:7687": 1, "d:7687": 2}
	f := newFixture(t, func(c *Config) { c.Load = func(a string) int { return loads[a] } })
	f.routers.serve(initial, rt(300, "", list("r:7687"), list("a:7687", "b:7687", "c:7687", "d:7687"), list("w:7687")))

	const n = 3000
	counts := map[string]int{}
	for range n {
		addr, _ := f.mustSelect(Read, Request{Database: "db"})
		counts[addr]++
	}
	if counts["a:7687"] != 0 || counts["d:7687"] != 0 {
		t.Fatalf("a busier server was picked: %v", counts)
	}
	withinEven(t, counts, list("b:7687", "c:7687"), n)
}

func TestRoundRobinWithoutLoadFromManyGoroutines(t *testing.T) {
	f := newFixture(t, nil)
	servers := list("a:7687", "b:7687", "c:7687")
	f.routers.serve(initial, rt(300, "", list("r:7687"), servers, servers))
	f.mustSelect(Read, Request{Database: "db"})

	const goroutines, each = 10, 300
	var mu sync.Mutex
	counts := map[string]int{}
	var wg sync.WaitGroup
	for range goroutines {
		wg.Go(func() {
			local := map[string]int{}
			for range each {
				addr, _ := f.mustSelect(Write, Request{Database: "db"})
				local[addr]++
			}
			mu.Lock()
			for k, v := range local {
				counts[k] += v
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	withinEven(t, counts, servers, goroutines*each)
}

func TestLeastConnectedFollowsChangingLoad(t *testing.T) {
	var loadA, loadB atomic.Int64
	load := func(addr string) int {
		if addr == "a:7687" {
			return int(loadA.Load())
		}
		return int(loadB.Load())
	}
	f := newFixture(t, func(c *Config) { c.Load = load })
	f.routers.serve(initial, rt(300, "", list("r:7687"), list("a:7687", "b:7687"), nil))
	// Each pick takes a connection and keeps it: picks alternate.
	counts := map[string]int{}
	for range 1000 {
		addr, _ := f.mustSelect(Read, Request{Database: "db"})
		counts[addr]++
		if addr == "a:7687" {
			loadA.Add(1)
		} else {
			loadB.Add(1)
		}
	}
	if counts["a:7687"] != 500 || counts["b:7687"] != 500 {
		t.Fatalf("counts %v, want 500 each", counts)
	}
}

func TestLeastConnectedEdgeCases(t *testing.T) {
	var c atomic.Uint64
	if _, ok := leastConnected(nil, &c, nil); ok {
		t.Fatal("picked from no servers")
	}
	if s, ok := leastConnected(list("x"), &c, func(string) int { return 9 }); !ok || s != "x" {
		t.Fatalf("single server: %q %v", s, ok)
	}
}
