package telemetry

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"
)

// ConnAttrs says where a connection goes; zero fields are left out.
type ConnAttrs struct {
	ServerAddress string // server.address: the host the driver was told, e.g. "db.example.com"
	ServerPort    int    // server.port
	PeerAddress   string // network.peer.address: the IP the socket is connected to
	Protocol      string // bolt.protocol.version, e.g. "5.8"
}

// Message is the span of one Bolt request. It is used by one goroutine at
// a time (the connection's reader once the request is written); all its
// methods do nothing on a nil *Message.
type Message struct {
	span    trace.Span
	name    string
	records int64
}

// MessageEnd is how a request ended: its summary, or the error that left
// it without one.
type MessageEnd struct {
	// HasMore is has_more of the SUCCESS of a PULL or DISCARD.
	HasMore bool
	// Qid is the query id of the SUCCESS of a RUN (or the qid of a PULL or
	// DISCARD), recorded when QidKnown.
	Qid      int64
	QidKnown bool
	// BookmarkCount is how many bookmarks the SUCCESS carried (0 or 1).
	BookmarkCount int
	// FailureCode and GQLStatus are the codes of a FAILURE.
	FailureCode string
	GQLStatus   string
	// Ignored says the server answered IGNORED.
	Ignored bool
	// Err is why no summary arrived (the connection broke, or the request
	// was refused before it was written).
	Err error
}

// failed reports whether e ends a request unsuccessfully.
func (e *MessageEnd) failed() bool {
	return e.Err != nil || e.FailureCode != "" || e.GQLStatus != "" || e.Ignored
}

// StartMessage starts the span of one Bolt request named name ("RUN",
// "PULL", ...) as a child of the span in ctx. It returns nil, without
// allocating, when t is nil or disabled or the span in ctx is not
// recording (no operation traced, an unsampled one, or a no-op provider).
func (t *Instruments) StartMessage(ctx context.Context, name string, c ConnAttrs) *Message {
	if t == nil || t.tracer == nil {
		return nil
	}
	if !trace.SpanFromContext(ctx).IsRecording() {
		return nil
	}
	kvs := make([]attribute.KeyValue, 0, 7)
	kvs = append(kvs, systemName, keyOperationName.String(name))
	if op := OperationFrom(ctx); op != nil {
		if db := op.database(); db != "" {
			kvs = append(kvs, keyNamespace.String(db))
		}
	}
	if c.ServerAddress != "" {
		kvs = append(kvs, keyServerAddress.String(c.ServerAddress))
	}
	if c.ServerPort > 0 {
		kvs = append(kvs, keyServerPort.Int(c.ServerPort))
	}
	if c.PeerAddress != "" {
		kvs = append(kvs, keyPeerAddress.String(c.PeerAddress))
	}
	if c.Protocol != "" {
		kvs = append(kvs, AttrProtocolVersion.String(c.Protocol))
	}
	_, span := t.tracer.Start(ctx, name, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(kvs...))
	if !span.IsRecording() {
		span.End()
		return nil
	}
	return &Message{span: span, name: name}
}

// AddRecords counts n more RECORDs answering the request (a PULL's batch).
func (m *Message) AddRecords(n int) {
	if m != nil {
		m.records += int64(n)
	}
}

// End ends the span with the request's outcome: the summary's details as
// attributes, and for a FAILURE, IGNORED or error the span status Error.
func (m *Message) End(e MessageEnd) {
	if m == nil {
		return
	}
	kvs := make([]attribute.KeyValue, 0, 4)
	switch m.name {
	case "PULL":
		kvs = append(kvs, AttrPullRecords.Int64(m.records))
		if !e.failed() {
			kvs = append(kvs, AttrHasMore.Bool(e.HasMore))
		}
	case "DISCARD":
		if !e.failed() {
			kvs = append(kvs, AttrHasMore.Bool(e.HasMore))
		}
	}
	if e.QidKnown {
		kvs = append(kvs, AttrQid.Int64(e.Qid))
	}
	if e.BookmarkCount > 0 {
		kvs = append(kvs, AttrBookmarksCount.Int(e.BookmarkCount))
	}
	if len(kvs) > 0 {
		m.span.SetAttributes(kvs...)
	}
	switch {
	case e.FailureCode != "" || e.GQLStatus != "":
		markFailed(m.span, serverFailure(e.FailureCode, e.GQLStatus))
	case e.Ignored:
		m.span.SetAttributes(AttrIgnored.Bool(true))
		markFailed(m.span, failureInfo{errorType: "IGNORED", message: "ignored after an earlier failure on the connection"})
	case e.Err != nil:
		markFailed(m.span, classify(e.Err))
	}
	m.span.End()
}

// RecordsStreamed counts n records received on a connection to c
// (neo4j.client.records). The connection calls it once per batch.
func (t *Instruments) RecordsStreamed(n int64, c ConnAttrs) {
	if t == nil || t.meters == nil || n <= 0 {
		return
	}
	ctx := context.Background()
	if !t.meters.records.Enabled(ctx) {
		return
	}
	kvs := make([]attribute.KeyValue, 0, 3)
	kvs = append(kvs, systemName)
	if c.ServerAddress != "" {
		kvs = append(kvs, keyServerAddress.String(c.ServerAddress))
	}
	if c.ServerPort > 0 {
		kvs = append(kvs, keyServerPort.Int(c.ServerPort))
	}
	t.meters.records.Add(ctx, n, metric.WithAttributes(kvs...))
}
