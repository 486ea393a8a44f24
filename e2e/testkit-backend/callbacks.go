package main

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
)

// errConnectionClosed is returned to callbacks waiting for testkit when
// the frontend's connection ended.
var errConnectionClosed = errors.New("testkit connection closed")

// idGen hands out the ids of backend objects, errors and callback
// requests. testkit treats them as opaque strings; one counter for all of
// them keeps every id unique.
type idGen struct{ n atomic.Int64 }

func (g *idGen) next() string { return strconv.FormatInt(g.n.Add(1), 10) }

// callbackHub carries the driver's calls back into the test code: the
// resolver, token managers, bookmark suppliers and consumers, client
// certificate providers. A callback writes a request-like response
// (ResolverResolutionRequired, ...) with a fresh id and waits until
// testkit answers with the matching ...Completed request, which the
// connection's reader hands over with complete.
//
// testkit answers callbacks only while it waits for the response to a
// driver request (nutkit's Driver.receive). A callback the driver makes
// in the background while no such request is being handled is held back
// and written when the next one arrives, so that testkit does not mistake
// it for the answer to an unrelated request.
type callbackHub struct {
	out *responseWriter
	ids *idGen

	mu      sync.Mutex
	pending map[string]chan json.RawMessage
	open    bool      // a request whose answer testkit reads with callbacks is being handled
	held    []heldOut // callback requests waiting for such a request
	closed  bool
	done    chan struct{} // closed with the connection
}

// heldOut is a callback request not written yet.
type heldOut struct {
	name string
	data any
}

func newCallbackHub(out *responseWriter, ids *idGen) *callbackHub {
	return &callbackHub{out: out, ids: ids, pending: map[string]chan json.RawMessage{}, done: make(chan struct{})}
}

// ask writes the callback request name with the data build returns for
// the request's id and waits for testkit's completion, whose data it
// returns.
func (h *callbackHub) ask(ctx context.Context, name string, build func(id string) any) (json.RawMessage, error) {
	id := h.ids.next()
	reply := make(chan json.RawMessage, 1)
	data := build(id)
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return nil, errConnectionClosed
	}
	h.pending[id] = reply
	writeNow := h.open
	if !writeNow {
		h.held = append(h.held, heldOut{name: name, data: data})
	}
	h.mu.Unlock()
	defer func() {
		h.mu.Lock()
		delete(h.pending, id)
		h.mu.Unlock()
	}()
	if writeNow {
		if err := h.out.write(name, data); err != nil {
			return nil, err
		}
	}
	select {
	case r := <-reply:
		return r, nil
	case <-h.done:
		return nil, errConnectionClosed
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// complete delivers testkit's answer to the callback request id. It
// reports false when no callback waits for that id.
func (h *callbackHub) complete(id string, data json.RawMessage) bool {
	h.mu.Lock()
	reply, ok := h.pending[id]
	h.mu.Unlock()
	if ok {
		reply <- data
	}
	return ok
}

// setOpen records whether testkit reads the answer to the request being
// handled with callbacks, writes the callbacks held back when it does,
// and returns the previous setting.
func (h *callbackHub) setOpen(open bool) bool {
	h.mu.Lock()
	prev := h.open
	h.open = open
	var flush []heldOut
	if open {
		flush, h.held = h.held, nil
	}
	h.mu.Unlock()
	for _, c := range flush {
		_ = h.out.write(c.name, c.data)
	}
	return prev
}

// close fails every waiting and future callback.
func (h *callbackHub) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.closed {
		h.closed = true
		close(h.done)
	}
}

// completionID reads the requestId of a ...Completed request.
func completionID(data json.RawMessage) (string, bool) {
	var d struct {
		RequestID any `json:"requestId"`
	}
	if err := json.Unmarshal(data, &d); err != nil || d.RequestID == nil {
		return "", false
	}
	switch v := d.RequestID.(type) {
	case string:
		return v, true
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), true
	}
	return "", false
}
