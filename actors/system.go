package actors

import (
	"log/slog"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	cmap "github.com/orcaman/concurrent-map"
)

// System is the protoactor actor system of one driver.
type System struct {
	*actor.ActorSystem
	Log *slog.Logger
}

// NewSystem starts an actor system whose own logs go to log (silent when
// nil): protoactor logs to the console by default, a library must not.
func NewSystem(log *slog.Logger) *System {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	actorLog := log.With("component", "protoactor")
	sys := actor.NewActorSystem(
		actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger { return actorLog }),
		// Dead letters (a message to a stopped actor) are normal during
		// shutdown; the throttle's timer goroutine must not outlive Close.
		actor.WithDeadLetterThrottleInterval(time.Millisecond),
		actor.WithDeadLetterRequestLogging(false),
	)
	shrinkRegistry(sys)
	return &System{ActorSystem: sys, Log: log}
}

// registryBuckets is how many buckets the process registry of a driver's
// actor system has. protoactor sizes the registry for millions of actors:
// 1,024 buckets of 32 locked maps each, about 2.5 MB that stay live for
// the system's lifetime and, through the GC's pacing, let as much garbage
// pile up again before each collection. A driver runs tens of actors, and
// a message to an actor does not look the registry up (its PID caches the
// process), so a few buckets are plenty.
//
// Measured (2026-12-04, 2 shared CPUs; `cd bench && go run . -scenario
// heap,latency -rounds 5 -driver boltrx`, three runs each, alternating with
// the patch skipped): the slow consumer's peak heap is 3.3, 3.3, 3.2 MiB
// with this registry against 4.6, 4.4, 4.4 MiB with protoactor's (about
// 1.2 MiB, a quarter, less); latency p50 shows no difference beyond the
// noise (84, 87 µs against 85, 88, 81 µs, one outlier run of 141 µs).
// The heap is why the patch, and orcaman/concurrent-map with it, stays.
const registryBuckets = 8

// shrinkRegistry replaces the new system's process registry by a small
// one holding the same processes (those protoactor registered at start).
// It must run before anything else uses the system.
func shrinkRegistry(sys *actor.ActorSystem) {
	old := sys.ProcessRegistry.LocalPIDs
	small := &actor.SliceMap{LocalPIDs: make([]cmap.ConcurrentMap, registryBuckets)}
	for i := range small.LocalPIDs {
		small.LocalPIDs[i] = cmap.New()
	}
	for _, bucket := range old.LocalPIDs {
		for id, process := range bucket.Items() {
			small.GetBucket(id).Set(id, process)
		}
	}
	sys.ProcessRegistry.LocalPIDs = small
}

// Shutdown stops the actor system; call it after every actor stopped.
func (s *System) Shutdown() { s.ActorSystem.Shutdown() }
