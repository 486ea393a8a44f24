package actors

import "github.com/asynkron/protoactor-go/actor"

// Supervisor is the driver's top actor: the pools are its children, so
// stopping it stops every pool and, under them, every connection.
// (Sessions have no actor: their state sits in the Session under a
// mutex, so that no query costs a mailbox round trip.)
type Supervisor struct {
	// System is the actor system the pools run in.
	System *System
}

// StartPool asks the Supervisor to start the pool of Address as its
// child; Reply receives it.
type StartPool struct {
	Address string
	Config  PoolConfig
	Reply   chan *Pool
}

// Receive handles the Supervisor's messages.
func (s *Supervisor) Receive(ctx actor.Context) {
	if m, ok := ctx.Message().(*StartPool); ok {
		m.Reply <- NewPool(s.System, ctx, m.Address, m.Config)
	}
}
