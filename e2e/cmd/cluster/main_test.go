package main

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/boltrx/boltrx/e2e/cluster"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// syncBuffer is a bytes.Buffer safe for the command's goroutine and the
// test's.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// The command prints one line per member with its roles and stops
// cleanly when its context ends.
func TestRunPrintsMembersAndStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out syncBuffer
	done := make(chan error, 1)
	ready := make(chan *cluster.Cluster, 1)
	go func() {
		done <- run(ctx, []string{"-members", "2", "-databases", "shop", "-versions", "4.4-5.8"}, &out,
			func(c *cluster.Cluster) { ready <- c })
	}()
	var c *cluster.Cluster
	select {
	case c = <-ready:
	case err := <-done:
		t.Fatalf("run ended: %v", err)
	}
	text := out.String()
	for _, want := range []string{
		"member 0  " + c.Addr(0) + "  neo4j=leader shop=leader system=leader",
		"member 1  " + c.Addr(1) + "  neo4j=follower shop=follower system=follower",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestRunRejectsBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-versions", "9.9"},
		{"-ports", "70000"},
		{"-ports", "x"},
		{"extra"},
	} {
		var out syncBuffer
		if err := run(context.Background(), args, &out, nil); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
}

func TestParsePorts(t *testing.T) {
	got, err := parsePorts("7687, 7688,7689")
	if err != nil || len(got) != 3 || got[2] != 7689 {
		t.Fatalf("%v %v", got, err)
	}
}
