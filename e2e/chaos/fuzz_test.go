package chaos

import (
	"context"
	"math"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
	"unsafe"

	"github.com/reactivex/rxgo/v2"

	"github.com/boltrx/boltrx"
	"github.com/boltrx/boltrx/e2e/cluster"
)

// fuzzTarget is the server and the shared driver of FuzzPublicAPI, one
// per process, closed by TestMain.
var fuzzTarget struct {
	once sync.Once
	c    *cluster.Cluster
	drv  *boltrx.Driver
	err  error
}

func fuzzSetup(t *testing.T) (*cluster.Cluster, *boltrx.Driver) {
	fuzzTarget.once.Do(func() {
		fuzzTarget.c, fuzzTarget.err = cluster.Start(context.Background(), cluster.Config{Members: 1})
		if fuzzTarget.err != nil {
			return
		}
		fuzzTarget.drv, fuzzTarget.err = boltrx.NewDriver("neo4j://"+fuzzTarget.c.Addr(0), boltrx.BasicAuth("neo4j", "pass", ""),
			func(c *boltrx.Config) { c.MaxTransactionRetryTime = 100 * time.Millisecond })
	})
	if fuzzTarget.err != nil {
		t.Fatal(fuzzTarget.err)
	}
	return fuzzTarget.c, fuzzTarget.drv
}

// closeFuzzTarget ends what fuzzSetup started.
func closeFuzzTarget() {
	if fuzzTarget.drv != nil {
		_ = fuzzTarget.drv.Close(context.Background())
	}
	if fuzzTarget.c != nil {
		_ = fuzzTarget.c.Close()
	}
}

// FuzzPublicAPI feeds the public API what careless callers pass: random
// query strings, parameters of every Go kind (cycles and deep nesting
// included), random driver and session configurations and URIs. Every
// call must return (an error is fine) within its context: no panic, no
// hang.
func FuzzPublicAPI(f *testing.F) {
	f.Add("RETURN $p AS p", []byte{0, 19, 2, 16, 3, 'a', 'b', 'c'})
	f.Add("UNWIND range(1, 5000) AS x RETURN x", []byte{2, 0})
	f.Add("CREATE (n:F {v: $p})", []byte{1, 26})
	f.Add("RETURN $p", []byte{0, 28, 255, 0})
	f.Add("MATCH (n) RETURN n", []byte{3, 27, 4, 11})
	f.Add("neo4j://user:pw@[::1", []byte{8, 0, 0})
	f.Add("RETURN 1", []byte{4, 24, 25, 15, 0, 0, 0, 1})
	f.Fuzz(func(t *testing.T, query string, shape []byte) {
		c, shared := fuzzSetup(t)
		done := make(chan struct{})
		go func() {
			defer close(done)
			callAPI(t, c, shared, query, &shapeReader{b: shape})
		}()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			buf := make([]byte, 1<<20)
			t.Fatalf("the call did not return within 20 s (its context ended after 2 s):\n%s", buf[:runtime.Stack(buf, true)])
		}
	})
}

// callAPI makes one call of the public API drawn from g.
func callAPI(t *testing.T, c *cluster.Cluster, shared *boltrx.Driver, query string, g *shapeReader) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	drv := shared
	if g.next()%4 == 0 {
		uri := []string{"bolt://", "neo4j://"}[g.next()%2] + c.Addr(0)
		if g.next()%4 == 0 {
			uri = query // a random URI
		}
		d, err := boltrx.NewDriver(uri, boltrx.BasicAuth(query, query, ""), randomConfig(g, query))
		if err != nil {
			return
		}
		defer func() {
			cctx, ccancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer ccancel()
			if err := d.Close(cctx); err != nil {
				t.Errorf("Driver.Close: %v", err)
			}
		}()
		drv = d
	}
	params := map[string]any{}
	for range 1 + int(g.next()%3) {
		params[[]string{"p", "q", "", "p p", query}[g.next()%5]] = g.value(0)
	}
	if g.next()%8 == 0 {
		params = nil
	}
	scfg := boltrx.SessionConfig{FetchSize: int(int8(g.next()))}
	if g.next()%4 == 0 {
		scfg.DatabaseName = query
		scfg.ImpersonatedUser = query
		scfg.Bookmarks = boltrx.Bookmarks{query, ""}
	}
	if g.next()%2 == 0 {
		scfg.AccessMode = boltrx.AccessModeRead
	}
	sess, err := drv.NewSession(ctx, scfg)
	if err != nil {
		return
	}
	defer sess.Close(context.Background())
	switch g.next() % 5 {
	case 0:
		if res, err := sess.Run(ctx, query, params); err == nil {
			_, _ = res.Collect(ctx)
			_, _ = res.Consume(ctx)
		}
	case 1:
		_, _ = sess.ExecuteWrite(ctx, func(tx boltrx.ManagedTransaction) (any, error) {
			res, err := tx.Run(ctx, query, params)
			if err != nil {
				return nil, err
			}
			return res.Consume(ctx)
		})
	case 2:
		rctx, rcancel := context.WithCancel(ctx)
		n, stopAt := 0, int(g.next())
		for item := range sess.RunRx(rctx, query, params).Records(rxgo.WithContext(rctx)).Observe() {
			if n++; n == stopAt {
				rcancel()
			}
			_ = item
		}
		rcancel()
	case 3:
		if tx, err := sess.BeginTransaction(ctx, boltrx.WithTxMetadata(params)); err == nil {
			if res, err := tx.Run(ctx, query, params); err == nil {
				_, _ = res.Single(ctx)
			}
			_ = tx.Commit(ctx)
			_ = tx.Close(ctx)
		}
	default:
		_, _ = drv.ExecuteQuery(ctx, query, params, boltrx.ExecuteQueryWithDatabase(scfg.DatabaseName))
	}
}

// randomConfig draws a driver configuration, sensible or not.
func randomConfig(g *shapeReader, text string) func(*boltrx.Config) {
	ms := func() time.Duration { return time.Duration(int8(g.next())) * time.Millisecond }
	fetch, maxFetch, pool := int(int8(g.next())), int(int16(g.next())<<4), int(int8(g.next()))
	acq, life, live, retry, sock := ms(), ms(), ms(), ms(), ms()
	preRange := g.next()%2 == 0
	severity := []boltrx.NotificationMinimumSeverityLevel{"", "OFF", "WARNING", "INFORMATION", boltrx.NotificationMinimumSeverityLevel(text)}[g.next()%5]
	return func(c *boltrx.Config) {
		c.FetchSize, c.MaxFetchSize, c.MaxConnectionPoolSize = fetch, maxFetch, pool
		c.ConnectionAcquisitionTimeout, c.MaxConnectionLifetime = acq, life
		c.ConnectionLivenessCheckTimeout, c.MaxTransactionRetryTime, c.SocketConnectTimeout = live, retry, sock
		c.PreRangeHandshake = preRange
		c.NotificationsMinSeverity = severity
		c.UserAgent = text
	}
}

// shapeReader draws choices from the fuzzer's bytes (0 once they run
// out).
type shapeReader struct {
	b []byte
	i int
}

func (g *shapeReader) next() byte {
	if g.i >= len(g.b) {
		return 0
	}
	g.i++
	return g.b[g.i-1]
}

type fuzzStruct struct {
	A int
	b string
	C []any
}

// value draws a parameter value of any Go kind.
func (g *shapeReader) value(depth int) any {
	k := g.next()
	if depth > 4 {
		k %= 18 // scalars only
	}
	n := int(g.next() % 8)
	switch k % 34 {
	case 0:
		return nil
	case 1:
		return g.next()%2 == 0
	case 2:
		return int(int64(g.next()) << 56)
	case 3:
		return int8(g.next())
	case 4:
		return int16(g.next()) << 8
	case 5:
		return int32(g.next()) << 24
	case 6:
		return []int64{math.MinInt64, math.MaxInt64, 0}[g.next()%3]
	case 7:
		return uint(math.MaxUint64 - uint64(g.next()))
	case 8:
		return uint8(g.next())
	case 9:
		return uint16(g.next()) << 8
	case 10:
		return uint32(g.next()) << 24
	case 11:
		return uint64(math.MaxInt64) + uint64(g.next())
	case 12:
		return uintptr(g.next())
	case 13:
		return float32(math.Inf(int(g.next()%3) - 1))
	case 14:
		return []float64{math.NaN(), math.Inf(1), math.Copysign(0, -1), math.SmallestNonzeroFloat64}[g.next()%4]
	case 15:
		return complex(float64(g.next()), 1)
	case 16:
		return string([]byte{0xff, 0xfe, g.next(), 0})
	case 17:
		return []byte{g.next(), 0, 0xff}
	case 18:
		out := make([]any, n)
		for i := range out {
			out[i] = g.value(depth + 1)
		}
		return out
	case 19:
		out := make(map[string]any, n)
		for i := range n {
			out[string(rune('a'+i))] = g.value(depth + 1)
		}
		return out
	case 20:
		return []int{1, 2, int(g.next())}
	case 21:
		return map[int]string{int(g.next()): "x"}
	case 22:
		return fuzzStruct{A: int(g.next()), b: "hidden", C: []any{g.value(depth + 1)}}
	case 23:
		if g.next()%2 == 0 {
			return (*int)(nil)
		}
		v := int(g.next())
		return &v
	case 24:
		return make(chan int)
	case 25:
		return func() {}
	case 26:
		m := map[string]any{"k": 1}
		m["self"] = m
		return m
	case 27:
		s := make([]any, 2)
		s[0], s[1] = 1, s
		return s
	case 28:
		var v any = int64(1)
		for range 1000 + int(g.next())*100 {
			if g.next()%2 == 0 {
				v = []any{v}
			} else {
				v = map[string]any{"n": v}
			}
		}
		return v
	case 29:
		return []any{time.Unix(int64(g.next())<<30, 0), time.Duration(g.next()) * time.Hour, time.Time{}}[g.next()%3]
	case 30:
		return [4]float32{1, 2, 3, float32(g.next())}
	case 31:
		return strings.Repeat("x", int(g.next())<<12)
	case 32:
		return unsafe.Pointer(nil)
	default:
		return []any{boltrx.Point2D{X: math.NaN()}, boltrx.Date{}, boltrx.Duration{Months: math.MaxInt64}, boltrx.Node{}, struct{}{}, map[string]int{"x": 1}, []string{""}, new(any)}[g.next()%8]
	}
}
