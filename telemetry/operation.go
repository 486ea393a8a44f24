package telemetry

import (
	"context"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"
)

// OperationKind names what a user-level operation is; it becomes
// db.operation.name of the operation span and of its duration.
type OperationKind string

// The operations the driver traces.
const (
	KindQuery              OperationKind = "query"               // an auto-commit query (Session.Run)
	KindTransaction        OperationKind = "transaction"         // an explicit transaction, BEGIN to COMMIT/ROLLBACK
	KindManagedTransaction OperationKind = "managed_transaction" // ExecuteRead/ExecuteWrite, over all attempts
	KindAttempt            OperationKind = "attempt"             // one attempt of a managed transaction
	KindExecuteQuery       OperationKind = "execute_query"       // Driver.ExecuteQuery
	KindRoute              OperationKind = "route"               // a routing table refresh
	KindAcquire            OperationKind = "acquire"             // a connection acquisition that had to wait or dial
)

// OperationAttrs is what is known about an operation when it starts. Zero
// fields are left out.
type OperationAttrs struct {
	Database      string // db.namespace
	AccessMode    string // neo4j.access_mode, e.g. "READ" or "WRITE"
	QueryText     string // db.query.text, recorded only with Config.QueryText
	ServerAddress string // server.address
	ServerPort    int    // server.port
	Attempt       int    // neo4j.retry.attempt, 1 for the first attempt
}

// Operation is one traced operation. Its methods may be called from any
// goroutine; all of them do nothing on a nil *Operation.
type Operation struct {
	t     *Instruments
	ctx   context.Context // carries span, for exemplars
	span  trace.Span      // nil when not recording
	kind  OperationKind
	start time.Time

	mu      sync.Mutex
	db      string
	address string
	port    int
	attempt int
	failure failureInfo
	failed  bool
	ended   bool
}

// operationKey finds the innermost Operation in a context.
type operationKey struct{}

// StartOperation starts an operation span as a child of the span in ctx
// and returns a context carrying it: pass that context on so the
// operation's message spans (and child operations) nest under it. Call
// End when the operation is over (later calls do nothing). The returned
// *Operation is nil, and all its methods no-ops, when there is nothing to
// record (disabled, or unsampled without metrics).
func (t *Instruments) StartOperation(ctx context.Context, kind OperationKind, a OperationAttrs) (context.Context, *Operation) {
	if t == nil {
		return ctx, nil
	}
	var span trace.Span
	if t.tracer != nil {
		ctx, span = t.tracer.Start(ctx, operationSpanName(kind, a.Database),
			trace.WithSpanKind(trace.SpanKindClient),
			trace.WithAttributes(t.operationAttrs(kind, a)...))
		if !span.IsRecording() {
			span = nil
		}
	}
	measured := t.meters != nil && kind != KindAcquire && t.meters.opDuration.Enabled(ctx)
	counted := t.meters != nil && (kind == KindRoute || kind == KindAttempt)
	if span == nil && !measured && !counted {
		return ctx, nil
	}
	op := &Operation{t: t, span: span, kind: kind, start: time.Now(),
		db: a.Database, address: a.ServerAddress, port: a.ServerPort, attempt: a.Attempt}
	ctx = context.WithValue(ctx, operationKey{}, op)
	op.ctx = ctx
	return ctx, op
}

// OperationFrom returns the operation whose span ctx carries (started by
// StartOperation), or nil.
func OperationFrom(ctx context.Context) *Operation {
	op, _ := ctx.Value(operationKey{}).(*Operation)
	return op
}

func operationSpanName(kind OperationKind, db string) string {
	if db == "" {
		return string(kind)
	}
	return string(kind) + " " + db
}

func (t *Instruments) operationAttrs(kind OperationKind, a OperationAttrs) []attribute.KeyValue {
	kvs := make([]attribute.KeyValue, 0, 8)
	kvs = append(kvs, systemName, keyOperationName.String(string(kind)))
	if a.Database != "" {
		kvs = append(kvs, keyNamespace.String(a.Database))
	}
	if a.AccessMode != "" {
		kvs = append(kvs, AttrAccessMode.String(a.AccessMode))
	}
	if t.queryText && a.QueryText != "" {
		kvs = append(kvs, keyQueryText.String(a.QueryText))
	}
	if a.ServerAddress != "" {
		kvs = append(kvs, keyServerAddress.String(a.ServerAddress))
	}
	if a.ServerPort > 0 {
		kvs = append(kvs, keyServerPort.Int(a.ServerPort))
	}
	if a.Attempt > 0 {
		kvs = append(kvs, AttrRetryAttempt.Int(a.Attempt))
	}
	return kvs
}

// SetServer records the server the operation ended up on (known once a
// connection was acquired) and the Bolt version spoken.
func (o *Operation) SetServer(address string, port int, protocol string) {
	if o == nil {
		return
	}
	o.locked(func() { o.address, o.port = address, port })
	if o.span == nil {
		return
	}
	kvs := make([]attribute.KeyValue, 0, 3)
	if address != "" {
		kvs = append(kvs, keyServerAddress.String(address))
	}
	if port > 0 {
		kvs = append(kvs, keyServerPort.Int(port))
	}
	if protocol != "" {
		kvs = append(kvs, AttrProtocolVersion.String(protocol))
	}
	o.span.SetAttributes(kvs...)
}

// SetDatabase records the database the operation runs in (e.g. the home
// database the server resolved); it renames the span accordingly.
func (o *Operation) SetDatabase(db string) {
	if o == nil || db == "" {
		return
	}
	o.locked(func() { o.db = db })
	if o.span != nil {
		o.span.SetAttributes(keyNamespace.String(db))
		o.span.SetName(operationSpanName(o.kind, db))
	}
}

// locked runs change with the operation's lock held.
func (o *Operation) locked(change func()) {
	o.mu.Lock()
	defer o.mu.Unlock()
	change()
}

// database returns the operation's database as known so far.
func (o *Operation) database() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.db
}

// SetAttempt records the attempt number (1 for the first).
func (o *Operation) SetAttempt(n int) {
	if o == nil {
		return
	}
	o.locked(func() { o.attempt = n })
	if o.span != nil {
		o.span.SetAttributes(AttrRetryAttempt.Int(n))
	}
}

// RecordError marks the operation failed with err (nil is ignored): span
// status Error, an exception event, error.type and, for a server failure,
// db.response.status_code. The last error recorded is the one measured.
func (o *Operation) RecordError(err error) {
	if o == nil || err == nil {
		return
	}
	f := classify(err)
	o.mu.Lock()
	o.failure, o.failed = f, true
	o.mu.Unlock()
	if o.span != nil {
		markFailed(o.span, f)
	}
}

// End ends the span and records the operation's duration (and, for a
// route operation, a routing refresh; for an attempt after the first, a
// retry). Calls after the first do nothing.
func (o *Operation) End() {
	if o == nil {
		return
	}
	o.mu.Lock()
	if o.ended {
		o.mu.Unlock()
		return
	}
	o.ended = true
	db, address, port, attempt := o.db, o.address, o.port, o.attempt
	failure, failed := o.failure, o.failed
	o.mu.Unlock()
	elapsed := time.Since(o.start)
	if o.span != nil {
		o.span.End()
	}
	m := o.t.meters
	if m == nil {
		return
	}
	kvs := make([]attribute.KeyValue, 0, 7)
	kvs = append(kvs, systemName, keyOperationName.String(string(o.kind)))
	if db != "" {
		kvs = append(kvs, keyNamespace.String(db))
	}
	base := len(kvs)
	if address != "" {
		kvs = append(kvs, keyServerAddress.String(address))
	}
	if port > 0 {
		kvs = append(kvs, keyServerPort.Int(port))
	}
	if failed {
		kvs = failureAttrs(kvs, failure)
	}
	switch o.kind {
	case KindAcquire:
		// Measured by the pool as db.client.connection.wait_time.
	default:
		m.opDuration.Record(o.ctx, elapsed.Seconds(), metric.WithAttributes(kvs...))
	}
	switch {
	case o.kind == KindRoute:
		refresh := kvs[:base:base] // appending copies: kvs stays as it is
		if failed {
			refresh = failureAttrs(refresh, failure)
		}
		m.refreshes.Add(o.ctx, 1, metric.WithAttributes(refresh...))
	case o.kind == KindAttempt && attempt > 1:
		m.retries.Add(o.ctx, 1, metric.WithAttributes(kvs[:base]...))
	}
}
