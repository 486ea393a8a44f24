package telemetry

import (
	"context"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// Connection states of db.client.connection.count.
const (
	StateIdle = "idle"
	StateUsed = "used"
)

// poolOptions are the measurement options of one pool, built once so that
// the pool's fast path does not build attribute sets.
type poolOptions struct {
	attrs  []attribute.KeyValue // db.client.connection.pool.name
	add    []metric.AddOption
	record []metric.RecordOption
	idle   []metric.AddOption
	used   []metric.AddOption
}

// poolOpts returns the cached options of pool.
func (t *Instruments) poolOpts(pool string) *poolOptions {
	t.poolsMu.RLock()
	p := t.pools[pool]
	t.poolsMu.RUnlock()
	if p != nil {
		return p
	}
	t.poolsMu.Lock()
	defer t.poolsMu.Unlock()
	if p = t.pools[pool]; p != nil {
		return p
	}
	name := keyPoolName.String(pool)
	base := metric.WithAttributeSet(attribute.NewSet(name))
	p = &poolOptions{
		attrs:  []attribute.KeyValue{name},
		add:    []metric.AddOption{base},
		record: []metric.RecordOption{base},
		idle:   []metric.AddOption{metric.WithAttributeSet(attribute.NewSet(name, keyConnState.String(StateIdle)))},
		used:   []metric.AddOption{metric.WithAttributeSet(attribute.NewSet(name, keyConnState.String(StateUsed)))},
	}
	if t.pools == nil {
		t.pools = make(map[string]*poolOptions)
	}
	t.pools[pool] = p
	return p
}

// ConnectionState adds delta to the connections of pool (its server
// address) in state StateIdle or StateUsed (db.client.connection.count).
// Other states are ignored.
func (t *Instruments) ConnectionState(pool string, state string, delta int64) {
	if t == nil || t.meters == nil || delta == 0 {
		return
	}
	p := t.poolOpts(pool)
	switch state {
	case StateIdle:
		t.meters.connCount.Add(context.Background(), delta, p.idle...)
	case StateUsed:
		t.meters.connCount.Add(context.Background(), delta, p.used...)
	}
}

// PendingRequests adds delta to the acquisitions of pool waiting for a
// connection (db.client.connection.pending_requests).
func (t *Instruments) PendingRequests(pool string, delta int64) {
	if t == nil || t.meters == nil || delta == 0 {
		return
	}
	t.meters.pending.Add(context.Background(), delta, t.poolOpts(pool).add...)
}

// ConnectionWait records how long an acquisition from pool took
// (db.client.connection.wait_time).
func (t *Instruments) ConnectionWait(pool string, d time.Duration) {
	if t == nil || t.meters == nil {
		return
	}
	t.meters.connWait.Record(context.Background(), d.Seconds(), t.poolOpts(pool).record...)
}

// ConnectionUse records how long a connection of pool was leased
// (db.client.connection.use_time).
func (t *Instruments) ConnectionUse(pool string, d time.Duration) {
	if t == nil || t.meters == nil {
		return
	}
	t.meters.connUse.Record(context.Background(), d.Seconds(), t.poolOpts(pool).record...)
}

// ConnectionTimeout counts an acquisition from pool that found no
// connection within the acquisition timeout (db.client.connection.timeouts).
func (t *Instruments) ConnectionTimeout(pool string) {
	if t == nil || t.meters == nil {
		return
	}
	t.meters.timeouts.Add(context.Background(), 1, t.poolOpts(pool).add...)
}

// ConnectionCreated records how long opening a connection of pool took
// (dial, handshake, HELLO, LOGON) in db.client.connection.create_time;
// a failed attempt carries error.type.
func (t *Instruments) ConnectionCreated(pool string, d time.Duration, err error) {
	if t == nil || t.meters == nil {
		return
	}
	p := t.poolOpts(pool)
	if err == nil {
		t.meters.connCreate.Record(context.Background(), d.Seconds(), p.record...)
		return
	}
	kvs := failureAttrs(append([]attribute.KeyValue(nil), p.attrs...), classify(err))
	t.meters.connCreate.Record(context.Background(), d.Seconds(), metric.WithAttributes(kvs...))
}
