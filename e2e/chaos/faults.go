package chaos

import (
	"time"

	"github.com/boltrx/boltrx/e2e/cluster"
)

// The kinds of faults, as counted in the report ("restart" counts the
// restarts that end each kill).
var faultKinds = []string{"kill", "move_leader", "partition", "lag", "drop_stream", "refuse", "transient"}

// transientCodes are the failures the "transient" fault answers with.
var transientCodes = []string{
	"Neo.TransientError.General.DatabaseUnavailable",
	"Neo.TransientError.Transaction.DeadlockDetected",
	"Neo.TransientError.General.OutOfMemoryError",
}

// faultLoop injects one fault at a time, drawn from the seed, until the
// load ends. A fault that takes a member down (kill, partition, refuse)
// brings it back before the next one starts, so at most one member is
// down at a time.
func (r *runner) faultLoop() {
	rng := r.rng(0xfa017)
	c := r.sim
	db := r.cfg.Database
	if db == "" {
		db = cluster.DefaultDatabase
	}
	between := func() time.Duration { return time.Duration(200+rng.IntN(1300)) * time.Millisecond }
	held := func(lo, hi int) time.Duration { return time.Duration(lo+rng.IntN(hi-lo)) * time.Millisecond }
	for {
		r.pause(between())
		if r.stopped() {
			return
		}
		kind := faultKinds[rng.IntN(len(faultKinds))]
		i := rng.IntN(c.Size())
		r.countFault(kind)
		switch kind {
		case "kill":
			if err := c.Kill(i); err != nil {
				r.cfg.Logf("kill %d: %v", i, err)
			}
			r.pause(held(500, 4000))
			r.restart(i)
		case "move_leader":
			if i == c.Leader(db) {
				i = (i + 1) % c.Size()
			}
			if err := c.MoveLeader(db, i); err != nil {
				r.cfg.Logf("move leader to %d: %v", i, err)
			}
		case "partition":
			_ = c.Partition(i)
			r.pause(held(1000, 4000))
			_ = c.Heal(i)
		case "lag":
			c.SetLag(held(50, 500))
			r.pause(held(1000, 5000))
			c.SetLag(0)
		case "drop_stream":
			if rng.IntN(2) == 0 {
				// The next PULL on the member: a result in the middle
				// of its records, or a transaction's query.
				_ = c.Inject(i, cluster.Match{Message: "PULL"}, cluster.Disconnect)
				r.pause(held(500, 2000))
				c.ClearInjections()
			} else {
				_, _ = c.DropConnections(i)
			}
		case "refuse":
			_ = c.RefuseConnections(i)
			r.pause(held(200, 2000))
			_ = c.AcceptConnections(i)
		case "transient":
			msg := []string{"BEGIN", "RUN", "PULL", "COMMIT"}[rng.IntN(4)]
			code := transientCodes[rng.IntN(len(transientCodes))]
			_ = c.Inject(i, cluster.Match{Message: msg}, cluster.Fail(code, "injected by the chaos run"))
			r.pause(held(500, 2000))
			c.ClearInjections()
		}
	}
}

// restart brings member i back, retrying while its port is still held.
func (r *runner) restart(i int) {
	var err error
	for attempt := 0; attempt < 50; attempt++ {
		if err = r.sim.Restart(i); err == nil {
			r.countFault("restart")
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	r.cfg.Logf("restart %d: %v", i, err)
}

// healAll undoes every fault, so that verification sees the whole
// cluster.
func (r *runner) healAll() {
	c := r.sim
	c.ClearInjections()
	c.SetLag(0)
	for i, m := range c.Members() {
		if !m.Alive {
			r.restart(i)
		}
		_ = c.Heal(i)
		_ = c.AcceptConnections(i)
	}
}

func (r *runner) countFault(kind string) {
	r.faultsMu.Lock()
	r.faults[kind]++
	r.faultsMu.Unlock()
}
