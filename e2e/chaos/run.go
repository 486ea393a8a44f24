package chaos

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/goleak"

	"github.com/boltrx/boltrx"
	"github.com/boltrx/boltrx/e2e/cluster"
)

// runner holds the state of one run.
type runner struct {
	cfg   Config
	run   string // tags every record of this run
	drv   *boltrx.Driver
	bm    boltrx.BookmarkManager
	sim   *cluster.Cluster // nil against a real cluster
	stop  chan struct{}    // closed when the load ends
	errs  *errorCounts
	wlast []atomic.Int64 // per writer: how many of its keys (0, 1, ...) are acknowledged

	loaded                                          atomic.Int64 // the loader's acknowledged items (0, 1, ...)
	reads, staleReads                               atomic.Int64
	streams, completed, cancelled, records, corrupt atomic.Int64

	faultsMu sync.Mutex
	faults   map[string]int64

	lost, duplicated, phantom int64 // set by verify
}

// Run runs the load and the faults for cfg.Duration, checks the data and
// the resources, and reports. It returns an error only when the run
// could not take place (the cluster did not start, the setup failed);
// broken invariants are in the Report (see Report.Failed).
func Run(ctx context.Context, cfg Config) (*Report, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	rep := &Report{Seed: cfg.Seed, Duration: cfg.Duration, Mode: "sim", LoadItems: int64(max(cfg.LoadItems, 0))}
	switch {
	case cfg.URI != "":
		rep.Mode = "uri"
	case cfg.NoFaults:
		rep.Mode = "sim-nofaults"
	}

	rep.GoroutinesBefore, rep.HeapBefore = settle()
	baseline := goleak.IgnoreCurrent()
	peak := startSampler()

	r := &runner{
		cfg:    cfg,
		run:    fmt.Sprintf("chaos%d-%x", cfg.Seed, time.Now().UnixNano()),
		stop:   make(chan struct{}),
		errs:   newErrorCounts(cfg.Logf),
		wlast:  make([]atomic.Int64, cfg.Writers),
		faults: map[string]int64{},
	}
	err = r.execute(ctx)
	rep.GoroutinesPeak, rep.HeapPeak = peak()
	if err != nil {
		return nil, err
	}
	r.fill(rep)
	r = nil

	if err := goleak.Find(baseline); err != nil {
		cfg.Logf("goroutines left behind: %v", err)
		rep.LeakedGoroutines = max(1, runtime.NumGoroutine()-rep.GoroutinesBefore)
	}
	rep.GoroutinesAfter, rep.HeapAfter = settle()
	rep.HeapBack = rep.HeapAfter <= rep.HeapBefore+HeapSlack
	return rep, nil
}

// settle collects garbage and returns the goroutines and the heap in use.
func settle() (int, uint64) {
	var ms runtime.MemStats
	for range 2 {
		runtime.GC()
	}
	runtime.ReadMemStats(&ms)
	return runtime.NumGoroutine(), ms.HeapAlloc
}

// startSampler watches the goroutines and the heap until the returned
// function is called; that function returns their peaks.
func startSampler() func() (int, uint64) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	var gmax int
	var hmax uint64
	sample := func() {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		gmax = max(gmax, runtime.NumGoroutine())
		hmax = max(hmax, ms.HeapAlloc)
	}
	wg.Go(func() {
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for {
			sample()
			select {
			case <-t.C:
			case <-done:
				return
			}
		}
	})
	return func() (int, uint64) {
		close(done)
		wg.Wait()
		return gmax, hmax
	}
}

// execute starts the cluster (or connects to the real one), runs the
// load and the faults, verifies the data and closes everything.
func (r *runner) execute(ctx context.Context) (err error) {
	uri := r.cfg.URI
	if uri == "" {
		r.sim, err = cluster.Start(ctx, cluster.Config{TTL: 5 * time.Second})
		if err != nil {
			return err
		}
		defer func() { _ = r.sim.Close() }()
		uri = "neo4j://" + r.sim.Addr(0)
	}
	r.drv, err = boltrx.NewDriver(uri, boltrx.BasicAuth(r.cfg.User, r.cfg.Password, ""), func(c *boltrx.Config) {
		c.MaxTransactionRetryTime = r.cfg.MaxTransactionRetryTime
		c.ConnectionAcquisitionTimeout = 30 * time.Second
	})
	if err != nil {
		return err
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if cerr := r.drv.Close(cctx); cerr != nil && err == nil {
			err = fmt.Errorf("chaos: Driver.Close: %w", cerr)
		}
	}()
	r.bm = boltrx.NewBookmarkManager(boltrx.BookmarkManagerConfig{})
	if err := r.setup(ctx); err != nil {
		return err
	}

	work, cancelWork := context.WithCancel(ctx)
	defer cancelWork()
	var workers sync.WaitGroup
	for w := range r.cfg.Writers {
		workers.Go(func() { r.writer(work, w) })
	}
	for i := range r.cfg.Readers {
		workers.Go(func() { r.reader(work, i) })
	}
	for i := range r.cfg.Consumers {
		workers.Go(func() { r.consumer(work, i) })
	}
	if r.cfg.LoadItems > 0 {
		workers.Go(func() { r.loader(work) })
	}
	var faults sync.WaitGroup
	if r.sim != nil && !r.cfg.NoFaults {
		faults.Go(r.faultLoop)
	}
	r.cfg.Logf("load running for %v (run %s)", r.cfg.Duration, r.run)
	select {
	case <-time.After(r.cfg.Duration):
	case <-ctx.Done():
	}
	close(r.stop)
	faults.Wait()
	if r.sim != nil {
		r.healAll()
	}
	// The workers finish what they are doing; a write still retrying
	// gets the driver's retry time and a margin, then it is cancelled.
	drained := make(chan struct{})
	go func() { workers.Wait(); close(drained) }()
	select {
	case <-drained:
	case <-time.After(r.cfg.MaxTransactionRetryTime + 30*time.Second):
		r.cfg.Logf("workers still busy after the retry time: cancelling them")
		cancelWork()
		<-drained
	}
	r.cfg.Logf("load stopped; verifying")
	return r.verify(ctx)
}

// setup creates the indexes the workers' lookups use.
func (r *runner) setup(ctx context.Context) error {
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		for _, q := range []string{
			"CREATE INDEX chaos_rec_key IF NOT EXISTS FOR (n:ChaosRec) ON (n.key)",
			"CREATE INDEX chaos_load_key IF NOT EXISTS FOR (n:ChaosLoad) ON (n.key)",
		} {
			if _, err = r.drv.ExecuteQuery(ctx, q, nil, boltrx.ExecuteQueryWithDatabase(r.cfg.Database),
				boltrx.ExecuteQueryWithBookmarkManager(r.bm)); err != nil {
				break
			}
		}
		if err == nil {
			return nil
		}
		time.Sleep(time.Second)
	}
	return fmt.Errorf("chaos: creating the indexes: %w", err)
}

// stopped reports whether the load has ended.
func (r *runner) stopped() bool {
	select {
	case <-r.stop:
		return true
	default:
		return false
	}
}

// pause waits d, or less when the load ends.
func (r *runner) pause(d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.stop:
	}
}

// rng returns the random source of one worker.
func (r *runner) rng(stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(r.cfg.Seed, stream))
}

func (r *runner) writerKey(w int, seq int64) string {
	return fmt.Sprintf("%s-w%d-%d", r.run, w, seq)
}

func (r *runner) loadKey(i int) string { return fmt.Sprintf("%s-l%d", r.run, i) }

// fill copies the counts into rep.
func (r *runner) fill(rep *Report) {
	for i := range r.wlast {
		rep.Writes += r.wlast[i].Load()
	}
	rep.Loaded = r.loaded.Load()
	rep.Acked = rep.Writes + rep.Loaded
	rep.Reads, rep.StaleReads = r.reads.Load(), r.staleReads.Load()
	rep.Streams, rep.StreamsCompleted, rep.StreamsCancelled = r.streams.Load(), r.completed.Load(), r.cancelled.Load()
	rep.StreamRecords, rep.StreamCorrupt = r.records.Load(), r.corrupt.Load()
	rep.Errors, rep.UndocumentedErrors = r.errs.snapshot()
	r.faultsMu.Lock()
	rep.Faults = r.faults
	r.faultsMu.Unlock()
	rep.Lost, rep.Duplicated, rep.Phantom = r.lost, r.duplicated, r.phantom
}
