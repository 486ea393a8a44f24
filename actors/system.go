package actors

import (
	"log/slog"
	"time"

	"github.com/asynkron/protoactor-go/actor"
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
	return &System{ActorSystem: sys, Log: log}
}

// Shutdown stops the actor system; call it after every actor stopped.
func (s *System) Shutdown() { s.ActorSystem.Shutdown() }
