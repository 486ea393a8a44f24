package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for the hub's writers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestCallbackHubHoldsCallbacksUntilTestkitListens(t *testing.T) {
	out := &syncBuffer{}
	hub := newCallbackHub(newResponseWriter(out), &idGen{})
	got := make(chan json.RawMessage, 1)
	errs := make(chan error, 1)
	go func() {
		r, err := hub.ask(context.Background(), "BookmarksConsumerRequest", func(id string) any {
			return map[string]any{"id": id}
		})
		got <- r
		errs <- err
	}()
	// Nothing is written while no request is being handled ...
	waitFor(t, func() bool {
		hub.mu.Lock()
		defer hub.mu.Unlock()
		return len(hub.held) == 1
	})
	if out.String() != "" {
		t.Fatalf("a callback was written while testkit does not listen: %q", out.String())
	}
	// ... and it goes out when one is.
	hub.setOpen(true)
	if !strings.Contains(out.String(), `{"name":"BookmarksConsumerRequest","data":{"id":"1"}}`) {
		t.Fatalf("wrote %q", out.String())
	}
	if hub.complete("2", json.RawMessage(`{}`)) {
		t.Error("an answer to an unknown callback was accepted")
	}
	if !hub.complete("1", json.RawMessage(`{"requestId": "1"}`)) {
		t.Fatal("the answer was not taken")
	}
	if r, err := <-got, <-errs; err != nil || string(r) != `{"requestId": "1"}` {
		t.Fatalf("ask = %s, %v", r, err)
	}
}

func TestCallbackHubFailsCallbacksWhenTheConnectionCloses(t *testing.T) {
	hub := newCallbackHub(newResponseWriter(&syncBuffer{}), &idGen{})
	hub.setOpen(true)
	errs := make(chan error, 1)
	go func() {
		_, err := hub.ask(context.Background(), "ResolverResolutionRequired", func(id string) any { return nil })
		errs <- err
	}()
	waitFor(t, func() bool {
		hub.mu.Lock()
		defer hub.mu.Unlock()
		return len(hub.pending) == 1
	})
	hub.close()
	if err := <-errs; !errors.Is(err, errConnectionClosed) {
		t.Fatalf("err = %v", err)
	}
	if _, err := hub.ask(context.Background(), "X", func(string) any { return nil }); !errors.Is(err, errConnectionClosed) {
		t.Fatalf("ask after close: %v", err)
	}
}

func TestCompletionID(t *testing.T) {
	cases := map[string]string{
		`{"requestId": "12"}`: "12",
		`{"requestId": 12}`:   "12",
	}
	for in, want := range cases {
		if id, ok := completionID(json.RawMessage(in)); !ok || id != want {
			t.Errorf("completionID(%s) = %q, %v", in, id, ok)
		}
	}
	for _, in := range []string{`{}`, `{"requestId": null}`, `{"requestId": true}`, `nope`} {
		if _, ok := completionID(json.RawMessage(in)); ok {
			t.Errorf("completionID(%s) found an id", in)
		}
	}
}

// waitFor polls cond until it holds (the tests' timeout ends a hang).
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for !cond() {
		select {
		case <-t.Context().Done():
			t.Fatal("condition never held")
		default:
		}
		time.Sleep(time.Millisecond)
	}
}
