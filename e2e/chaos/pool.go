package chaos

import (
	"context"
	"errors"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/goleak"

	"github.com/boltrx/boltrx"
	"github.com/boltrx/boltrx/actors"
	"github.com/boltrx/boltrx/e2e/cluster"
)

// PoolConfig configures a pool-pressure run: many goroutines share a
// small pool, each transaction with a random context deadline or
// cancellation, against one simulated member (bolt://).
type PoolConfig struct {
	Seed     uint64
	Duration time.Duration // 1 minute when 0
	// Goroutines share a pool of PoolSize connections (1,000 and 50
	// when 0), with the acquisition timeout AcquisitionTimeout (250 ms
	// when 0). Each transaction's context gets no deadline, a deadline or
	// a cancellation drawn between 1 ms and twice the acquisition
	// timeout.
	Goroutines         int
	PoolSize           int
	AcquisitionTimeout time.Duration
	Logf               func(format string, args ...any)
}

// PoolReport is the outcome of a pool-pressure run.
type PoolReport struct {
	Config PoolConfig
	// Ops counts the transactions attempted, OK those committed or
	// rolled back as planned.
	Ops, OK int64
	// AcquireTimeouts counts the acquisition-timeout errors;
	// EarlyTimeouts those that came before the timeout had passed.
	AcquireTimeouts, EarlyTimeouts int64
	// CtxErrors counts the context errors of cancelled or expired
	// contexts; SpuriousCtxErrors context errors whose context had not
	// ended.
	CtxErrors, SpuriousCtxErrors int64
	// Errors counts the other errors by kind; UndocumentedErrors those
	// of no documented kind.
	Errors             map[string]int64
	UndocumentedErrors int64
	// OverMax counts the samples of the pool's metrics with more
	// connections than PoolSize.
	OverMax int64
	// Created and Closed count the connections the pool opened and
	// closed (a transaction cut short by its context closes its
	// connection).
	Created, Closed int64
	// LeakedLeases is the pool's in-use count once every goroutine
	// ended; LeakedGoroutines the goroutines left after Driver.Close.
	LeakedLeases, LeakedGoroutines int
	// Waits of the successful acquisitions: the time BeginTransaction
	// took (the pool's acquisition and the BEGIN round trip).
	WaitP50, WaitP99, WaitMax time.Duration
}

// Failed reports a broken invariant.
func (r *PoolReport) Failed() bool {
	return r.EarlyTimeouts != 0 || r.SpuriousCtxErrors != 0 || r.UndocumentedErrors != 0 ||
		r.OverMax != 0 || r.LeakedLeases != 0 || r.LeakedGoroutines != 0 || r.OK == 0
}

// Line returns the report as one line of key=value pairs.
func (r *PoolReport) Line() string {
	ms := func(d time.Duration) string { return strconv.FormatFloat(float64(d)/1e6, 'f', 2, 64) }
	p := []string{
		"pool seed=" + strconv.FormatUint(r.Config.Seed, 10),
		"duration=" + r.Config.Duration.String(),
		"goroutines=" + strconv.Itoa(r.Config.Goroutines),
		"pool_size=" + strconv.Itoa(r.Config.PoolSize),
		"acquisition_timeout=" + r.Config.AcquisitionTimeout.String(),
		"ops=" + itoa(r.Ops), "ok=" + itoa(r.OK),
		"acquire_timeouts=" + itoa(r.AcquireTimeouts), "early_timeouts=" + itoa(r.EarlyTimeouts),
		"ctx_errors=" + itoa(r.CtxErrors), "spurious_ctx_errors=" + itoa(r.SpuriousCtxErrors),
		"undocumented_errors=" + itoa(r.UndocumentedErrors),
		"over_max=" + itoa(r.OverMax),
		"conns_created=" + itoa(r.Created), "conns_closed=" + itoa(r.Closed),
		"leaked_leases=" + strconv.Itoa(r.LeakedLeases),
		"leaked_goroutines=" + strconv.Itoa(r.LeakedGoroutines),
		"wait_p50_ms=" + ms(r.WaitP50), "wait_p99_ms=" + ms(r.WaitP99), "wait_max_ms=" + ms(r.WaitMax),
	}
	for _, k := range slices.Sorted(mapsKeys(r.Errors)) {
		p = append(p, "err_"+k+"="+itoa(r.Errors[k]))
	}
	if r.Failed() {
		p = append(p, "result=FAIL")
	} else {
		p = append(p, "result=ok")
	}
	return strings.Join(p, " ")
}

func mapsKeys(m map[string]int64) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// poolRun is the state of one pool-pressure run.
type poolRun struct {
	cfg     PoolConfig
	drv     *boltrx.Driver
	addr    string
	errs    *errorCounts
	stop    chan struct{}
	mu      sync.Mutex
	waits   []time.Duration
	ops, ok atomic.Int64

	acquireTimeouts, earlyTimeouts, ctxErrors, spurious, overMax atomic.Int64
}

// RunPool runs the pool pressure and reports.
func RunPool(ctx context.Context, cfg PoolConfig) (*PoolReport, error) {
	if cfg.Duration == 0 {
		cfg.Duration = time.Minute
	}
	if cfg.Goroutines == 0 {
		cfg.Goroutines = 1000
	}
	if cfg.PoolSize == 0 {
		cfg.PoolSize = 50
	}
	if cfg.AcquisitionTimeout == 0 {
		cfg.AcquisitionTimeout = 250 * time.Millisecond
	}
	if cfg.Logf == nil {
		cfg.Logf = func(string, ...any) {}
	}
	baseline := goleak.IgnoreCurrent()
	rep := &PoolReport{Config: cfg}
	if err := runPool(ctx, cfg, rep); err != nil {
		return nil, err
	}
	if err := goleak.Find(baseline); err != nil {
		cfg.Logf("goroutines left behind: %v", err)
		rep.LeakedGoroutines = max(1, runtime.NumGoroutine())
	}
	return rep, nil
}

func runPool(ctx context.Context, cfg PoolConfig, rep *PoolReport) error {
	c, err := cluster.Start(ctx, cluster.Config{Members: 1})
	if err != nil {
		return err
	}
	defer func() { _ = c.Close() }()
	drv, err := boltrx.NewDriver("bolt://"+c.Addr(0), boltrx.BasicAuth("neo4j", "pass", ""), func(dc *boltrx.Config) {
		dc.MaxConnectionPoolSize = cfg.PoolSize
		dc.ConnectionAcquisitionTimeout = cfg.AcquisitionTimeout
	})
	if err != nil {
		return err
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_ = drv.Close(cctx)
	}()
	p := &poolRun{cfg: cfg, drv: drv, addr: c.Addr(0), errs: newErrorCounts(cfg.Logf), stop: make(chan struct{})}
	if err := drv.VerifyConnectivity(ctx); err != nil {
		return err
	}

	var wg sync.WaitGroup
	for g := range cfg.Goroutines {
		wg.Go(func() { p.worker(ctx, g) })
	}
	var sampler sync.WaitGroup
	sampler.Go(p.sample)
	select {
	case <-time.After(cfg.Duration):
	case <-ctx.Done():
	}
	close(p.stop)
	wg.Wait()
	sampler.Wait()

	// Every lease must come back: give the pool a moment to take back
	// the connections of the last transactions.
	var m boltrx.ConnectionPoolMetrics
	for range 100 {
		m, _ = drv.ConnectionPoolMetrics(p.addr)
		if m.InUse == 0 && m.Waiting == 0 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	rep.LeakedLeases = m.InUse
	rep.Created, rep.Closed = m.Created, m.Closed
	if m.InUse != 0 || m.Waiting != 0 {
		cfg.Logf("pool after the run: %+v", m)
	}
	rep.Ops, rep.OK = p.ops.Load(), p.ok.Load()
	rep.AcquireTimeouts, rep.EarlyTimeouts = p.acquireTimeouts.Load(), p.earlyTimeouts.Load()
	rep.CtxErrors, rep.SpuriousCtxErrors = p.ctxErrors.Load(), p.spurious.Load()
	rep.OverMax = p.overMax.Load()
	rep.Errors, rep.UndocumentedErrors = p.errs.snapshot()
	slices.Sort(p.waits)
	if n := len(p.waits); n > 0 {
		rep.WaitP50 = p.waits[n/2]
		rep.WaitP99 = p.waits[min(n-1, n*99/100)]
		rep.WaitMax = p.waits[n-1]
	}
	return nil
}

// sample checks the pool never holds more than PoolSize connections.
func (p *poolRun) sample() {
	t := time.NewTicker(5 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-t.C:
		case <-p.stop:
			return
		}
		if m, ok := p.drv.ConnectionPoolMetrics(p.addr); ok && m.InUse+m.Idle+m.Opening > p.cfg.PoolSize {
			if p.overMax.Add(1) == 1 {
				p.cfg.Logf("pool over its size: %+v", m)
			}
		}
	}
}

// worker runs transactions until the run ends, each under a context
// drawn from: no deadline, a deadline, a cancellation at a random
// moment.
func (p *poolRun) worker(ctx context.Context, g int) {
	rng := rand.New(rand.NewPCG(p.cfg.Seed, uint64(g)))
	for {
		select {
		case <-p.stop:
			return
		default:
		}
		p.ops.Add(1)
		opCtx, cancel := p.opContext(ctx, rng)
		p.transaction(opCtx, rng)
		cancel()
	}
}

func (p *poolRun) opContext(ctx context.Context, rng *rand.Rand) (context.Context, context.CancelFunc) {
	within := time.Millisecond + time.Duration(rng.Int64N(int64(2*p.cfg.AcquisitionTimeout)))
	switch rng.IntN(3) {
	case 0:
		return context.WithCancel(ctx)
	case 1:
		return context.WithTimeout(ctx, within)
	}
	opCtx, cancel := context.WithCancel(ctx)
	t := time.AfterFunc(within, cancel)
	return opCtx, func() { t.Stop(); cancel() }
}

// transaction begins a transaction (the acquisition), holds it a few
// milliseconds, runs a query and commits, rolls back or just closes it.
func (p *poolRun) transaction(ctx context.Context, rng *rand.Rand) {
	sess, err := p.drv.NewSession(ctx, boltrx.SessionConfig{})
	if err != nil {
		p.failed(ctx, err, 0)
		return
	}
	defer sess.Close(context.Background())
	start := time.Now()
	tx, err := sess.BeginTransaction(ctx)
	wait := time.Since(start)
	if err != nil {
		p.failed(ctx, err, wait)
		return
	}
	p.mu.Lock()
	p.waits = append(p.waits, wait)
	p.mu.Unlock()
	defer tx.Close(context.Background())
	hold := time.NewTimer(time.Duration(rng.IntN(10_000)) * time.Microsecond)
	select {
	case <-hold.C:
	case <-ctx.Done():
		hold.Stop()
	}
	res, err := tx.Run(ctx, "RETURN 1 AS x", nil)
	if err == nil {
		_, err = res.Consume(ctx)
	}
	if err == nil {
		switch rng.IntN(4) {
		case 0:
			err = tx.Rollback(ctx)
		case 1: // Close (deferred) rolls back
		default:
			err = tx.Commit(ctx)
		}
	}
	if err != nil {
		p.failed(ctx, err, -1)
		return
	}
	p.ok.Add(1)
}

// failed counts err; wait is how long the acquisition took (-1: the
// error came after it).
func (p *poolRun) failed(ctx context.Context, err error, wait time.Duration) {
	var timeout *actors.AcquisitionTimeoutError
	switch {
	case errors.As(err, &timeout):
		p.acquireTimeouts.Add(1)
		if wait >= 0 && wait < p.cfg.AcquisitionTimeout {
			if p.earlyTimeouts.Add(1) <= 5 {
				p.cfg.Logf("acquisition timeout after %v, before the timeout %v passed: %v", wait, p.cfg.AcquisitionTimeout, err)
			}
		}
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		p.ctxErrors.Add(1)
		if ctx.Err() == nil {
			if p.spurious.Add(1) <= 5 {
				p.cfg.Logf("context error although the context is live: %v", err)
			}
		}
	default:
		p.errs.add("pool", err, ctx.Err() != nil)
	}
}
