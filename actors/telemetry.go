package actors

import (
	"context"
	"net"
	"strconv"

	"github.com/boltrx/boltrx/bolt"
	"github.com/boltrx/boltrx/streams"
	"github.com/boltrx/boltrx/telemetry"
)

// SpanContexter is implemented by a streams.Handler that knows the context
// its request belongs to. Conn.Request, which has no context parameter
// (streams.Conn), starts the request's span as a child of the span in
// SpanContext(); for other handlers it uses the ctx of the connection's
// latest Pipeline, which is right whenever one operation at a time uses the
// connection.
type SpanContexter interface {
	SpanContext() context.Context
}

// splitAddress splits "host:port" for server.address and server.port; an
// address without a port is all host.
func splitAddress(address string) (string, int) {
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return address, 0
	}
	n, _ := strconv.Atoi(port)
	return host, n
}

// connAttrs describes a connection for its spans and metrics.
func connAttrs(address string, netConn net.Conn, v bolt.Version) telemetry.ConnAttrs {
	a := telemetry.ConnAttrs{Protocol: v.String()}
	a.ServerAddress, a.ServerPort = splitAddress(address)
	switch peer := netConn.RemoteAddr().(type) {
	case nil:
	case *net.TCPAddr:
		a.PeerAddress = peer.IP.String()
	default:
		if host, _, err := net.SplitHostPort(peer.String()); err == nil {
			a.PeerAddress = host
		}
	}
	return a
}

// setSpanParent remembers ctx as the parent of later Requests' spans.
func (c *Conn) setSpanParent(ctx context.Context) {
	if !c.tel.Tracing() {
		return
	}
	c.parentMu.Lock()
	c.parent = ctx
	c.parentMu.Unlock()
}

// forgetSpanParent drops the remembered parent when the connection goes
// back to its pool: what happens to it there (the RESET before reuse)
// belongs to no operation.
func (c *Conn) forgetSpanParent() {
	if !c.tel.Tracing() {
		return
	}
	c.parentMu.Lock()
	c.parent = nil
	c.parentMu.Unlock()
}

// requestContext is the parent context of a Request's span.
func (c *Conn) requestContext(h streams.Handler) context.Context {
	if !c.tel.Tracing() {
		return context.Background()
	}
	if sc, ok := h.(SpanContexter); ok {
		if ctx := sc.SpanContext(); ctx != nil {
			return ctx
		}
	}
	c.parentMu.Lock()
	defer c.parentMu.Unlock()
	if c.parent == nil {
		return context.Background()
	}
	return c.parent
}

// startSpans starts one message span per request into buf; it returns buf
// empty when the connection is not traced.
func (c *Conn) startSpans(ctx context.Context, reqs []bolt.Request, buf []*telemetry.Message) []*telemetry.Message {
	if !c.tel.Tracing() {
		return buf
	}
	for _, req := range reqs {
		buf = append(buf, c.tel.StartMessage(ctx, req.Name(), c.telAttrs))
	}
	return buf
}

// endSpans ends the spans of requests that were never written.
func endSpans(spans []*telemetry.Message, err error) {
	for _, m := range spans {
		m.End(telemetry.MessageEnd{Err: err})
	}
}

// requestQid is the qid a PULL or DISCARD names, or -1.
func requestQid(req bolt.Request) int64 {
	switch r := req.(type) {
	case *bolt.Pull:
		return r.Qid
	case *bolt.Discard:
		return r.Qid
	}
	return bolt.LastQuery
}

// endRequest counts the records a request received and ends its span with
// its summary resp, or with err when the connection broke first.
func (c *Conn) endRequest(pr pendingRequest, resp *bolt.Response, err error) {
	if pr.records > 0 {
		c.tel.RecordsStreamed(int64(pr.records), c.telAttrs)
	}
	if pr.span == nil {
		return
	}
	pr.span.AddRecords(pr.records)
	end := telemetry.MessageEnd{Err: err}
	if resp != nil {
		end = messageEnd(resp)
	}
	if !end.QidKnown && pr.qid >= 0 {
		end.Qid, end.QidKnown = pr.qid, true
	}
	pr.span.End(end)
}

// messageEnd describes a summary for a message span.
func messageEnd(resp *bolt.Response) telemetry.MessageEnd {
	switch resp.Kind {
	case bolt.ResponseSuccess:
		s := &resp.Success
		e := telemetry.MessageEnd{HasMore: s.HasMore && s.Has(bolt.KeyHasMore)}
		if s.Has(bolt.KeyQid) {
			e.Qid, e.QidKnown = s.Qid, true
		}
		if s.Bookmark != "" {
			e.BookmarkCount = 1
		}
		return e
	case bolt.ResponseFailure:
		return telemetry.MessageEnd{FailureCode: resp.Failure.Code, GQLStatus: resp.Failure.GQLStatus}
	default:
		return telemetry.MessageEnd{Ignored: true}
	}
}
