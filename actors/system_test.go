package actors

import (
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

func TestSystemRegistryIsSmallAndKeepsProtoactorsProcesses(t *testing.T) {
	sys := NewSystem(nil)
	defer sys.Shutdown()
	if n := len(sys.ProcessRegistry.LocalPIDs.LocalPIDs); n != registryBuckets {
		t.Fatalf("registry buckets = %d, want %d", n, registryBuckets)
	}
	// The dead-letter process protoactor registered at start is still
	// found through the new registry.
	if _, ok := sys.ProcessRegistry.GetLocal("deadletter"); !ok {
		t.Fatal("the dead-letter process is gone from the registry")
	}
	// Actors spawn, answer and stop through it.
	props := actor.PropsFromFunc(func(c actor.Context) {
		if s, ok := c.Message().(string); ok {
			c.Respond(s + "!")
		}
	})
	pids := make([]*actor.PID, 50)
	for i := range pids {
		pids[i] = sys.Root.Spawn(props)
	}
	for _, pid := range pids {
		got, err := sys.Root.RequestFuture(pid, "hi", time.Second).Result()
		if err != nil || got != "hi!" {
			t.Fatalf("answer = %v, %v", got, err)
		}
		if _, ok := sys.ProcessRegistry.GetLocal(pid.Id); !ok {
			t.Fatalf("%s is not registered", pid.Id)
		}
	}
	for _, pid := range pids {
		if err := sys.Root.StopFuture(pid).Wait(); err != nil {
			t.Fatal(err)
		}
		if _, ok := sys.ProcessRegistry.GetLocal(pid.Id); ok {
			t.Fatalf("%s is still registered after stopping", pid.Id)
		}
	}
}
