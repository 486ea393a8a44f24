package main

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/boltrx/boltrx/bolt"
	"github.com/boltrx/boltrx/e2e/generator"
	"github.com/boltrx/boltrx/e2e/server/rawclient"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

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

// The command serves the configured shape and size and stops cleanly.
func TestRunServesAndStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out syncBuffer
	done := make(chan error, 1)
	ready := make(chan *generator.Server, 1)
	go func() {
		done <- run(ctx, []string{"-listen", "127.0.0.1:0", "-shape", "ints", "-rows", "7", "-flush-delay", "1ms"},
			&out, func(s *generator.Server) { ready <- s })
	}()
	var s *generator.Server
	select {
	case s = <-ready:
	case err := <-done:
		t.Fatalf("run ended: %v", err)
	}
	if !strings.Contains(out.String(), "generator listening on "+s.Addr()) {
		t.Fatalf("output: %s", out.String())
	}

	dctx, dcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer dcancel()
	c, err := rawclient.Dial(dctx, s.Addr(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Timeout = 10 * time.Second
	if _, err := c.Login(nil, nil); err != nil {
		t.Fatal(err)
	}
	_, pull, err := c.Query("RETURN 1", nil, bolt.TxConfig{})
	if err != nil || len(pull.Records) != 7 || pull.Records[6][0] != int64(7) {
		t.Fatalf("%v: %v", err, pull.Records)
	}

	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "7 records") {
		t.Fatalf("output: %s", out.String())
	}
}

func TestRunRejectsBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-shape", "cubes"},
		{"-listen", "0.0.0.0:0"},
		{"-versions", "1.0"},
		{"-rows", "-1"},
	} {
		var out syncBuffer
		if err := run(context.Background(), args, &out, nil); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
}
