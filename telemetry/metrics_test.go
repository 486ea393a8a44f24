package telemetry_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/boltrx/boltrx/telemetry"
	"github.com/boltrx/boltrx/telemetry/telemetrytest"
)

// metricNamed returns the metric called name, checking its unit.
func metricNamed(t *testing.T, all map[string]metricdata.Metrics, name, unit string) metricdata.Metrics {
	t.Helper()
	m, ok := all[name]
	if !ok {
		t.Fatalf("no metric %s", name)
	}
	if m.Unit != unit {
		t.Errorf("%s: unit %q, want %q", name, m.Unit, unit)
	}
	return m
}

// sumAt returns the value of a sum's data point whose attributes are
// exactly want.
func sumAt(t *testing.T, m metricdata.Metrics, want ...attribute.KeyValue) int64 {
	t.Helper()
	set := attribute.NewSet(want...)
	var sum metricdata.Sum[int64]
	switch d := m.Data.(type) {
	case metricdata.Sum[int64]:
		sum = d
	default:
		t.Fatalf("%s: data %T, want an int64 sum", m.Name, m.Data)
	}
	for _, dp := range sum.DataPoints {
		if dp.Attributes.Equals(&set) {
			return dp.Value
		}
	}
	t.Fatalf("%s: no data point with attributes %v", m.Name, set.ToSlice())
	return 0
}

// histogramAt returns the data point of a histogram whose attributes are
// exactly want.
func histogramAt(t *testing.T, m metricdata.Metrics, want ...attribute.KeyValue) metricdata.HistogramDataPoint[float64] {
	t.Helper()
	set := attribute.NewSet(want...)
	h, ok := m.Data.(metricdata.Histogram[float64])
	if !ok {
		t.Fatalf("%s: data %T, want a float64 histogram", m.Name, m.Data)
	}
	for _, dp := range h.DataPoints {
		if dp.Attributes.Equals(&set) {
			return dp
		}
	}
	var got [][]attribute.KeyValue
	for _, dp := range h.DataPoints {
		got = append(got, dp.Attributes.ToSlice())
	}
	t.Fatalf("%s: no data point with attributes %v; have %v", m.Name, set.ToSlice(), got)
	return metricdata.HistogramDataPoint[float64]{}
}

func TestOperationDurationMetric(t *testing.T) {
	h := telemetrytest.New(t, telemetry.Config{})
	ins := h.Instruments
	_, ok := ins.StartOperation(context.Background(), telemetry.KindQuery, telemetry.OperationAttrs{Database: "neo4j"})
	ok.SetServer("db.example.com", 7687, "5.8")
	ok.End()
	_, bad := ins.StartOperation(context.Background(), telemetry.KindQuery, telemetry.OperationAttrs{Database: "neo4j"})
	bad.RecordError(&codedError{code: "Neo.ClientError.Statement.SyntaxError", gql: "42001", msg: "x"})
	bad.End()
	_, acquire := ins.StartOperation(context.Background(), telemetry.KindAcquire, telemetry.OperationAttrs{})
	acquire.End()

	m := metricNamed(t, h.Collect(t), telemetry.MetricOperationDuration, "s")
	dp := histogramAt(t, m,
		attribute.String("db.system.name", "neo4j"),
		attribute.String("db.operation.name", "query"),
		attribute.String("db.namespace", "neo4j"),
		attribute.String("server.address", "db.example.com"),
		attribute.Int("server.port", 7687))
	if dp.Count != 1 {
		t.Errorf("successful queries: count %d, want 1", dp.Count)
	}
	dp = histogramAt(t, m,
		attribute.String("db.system.name", "neo4j"),
		attribute.String("db.operation.name", "query"),
		attribute.String("db.namespace", "neo4j"),
		attribute.String("error.type", "Neo.ClientError.Statement.SyntaxError"),
		attribute.String("db.response.status_code", "42001"))
	if dp.Count != 1 {
		t.Errorf("failed queries: count %d, want 1", dp.Count)
	}
	if n := len(m.Data.(metricdata.Histogram[float64]).DataPoints); n != 2 {
		t.Errorf("%d data points, want 2 (an acquisition is not an operation)", n)
	}
}

func TestRetriesAndRoutingRefreshes(t *testing.T) {
	h := telemetrytest.New(t, telemetry.Config{})
	ins := h.Instruments
	for attempt := 1; attempt <= 3; attempt++ {
		_, a := ins.StartOperation(context.Background(), telemetry.KindAttempt, telemetry.OperationAttrs{Database: "neo4j", Attempt: attempt})
		a.End()
	}
	_, r := ins.StartOperation(context.Background(), telemetry.KindRoute, telemetry.OperationAttrs{Database: "neo4j"})
	r.End()
	_, r = ins.StartOperation(context.Background(), telemetry.KindRoute, telemetry.OperationAttrs{Database: "neo4j"})
	r.SetServer("core-1", 7687, "5.8")
	r.RecordError(context.DeadlineExceeded)
	r.End()

	all := h.Collect(t)
	base := []attribute.KeyValue{attribute.String("db.system.name", "neo4j"), attribute.String("db.namespace", "neo4j")}
	retries := metricNamed(t, all, telemetry.MetricRetries, "{retry}")
	if got := sumAt(t, retries, append(base, attribute.String("db.operation.name", "attempt"))...); got != 2 {
		t.Errorf("retries = %d, want 2 (attempts 2 and 3)", got)
	}
	refreshes := metricNamed(t, all, telemetry.MetricRoutingRefreshes, "{refresh}")
	route := append(base, attribute.String("db.operation.name", "route"))
	if got := sumAt(t, refreshes, route...); got != 1 {
		t.Errorf("successful refreshes = %d, want 1", got)
	}
	if got := sumAt(t, refreshes, append(route, attribute.String("error.type", "timeout"))...); got != 1 {
		t.Errorf("failed refreshes = %d, want 1", got)
	}
}

func TestPoolMetrics(t *testing.T) {
	h := telemetrytest.New(t, telemetry.Config{})
	ins := h.Instruments
	const pool = "db.example.com:7687"
	ins.ConnectionState(pool, telemetry.StateUsed, 1)
	ins.ConnectionState(pool, telemetry.StateUsed, 1)
	ins.ConnectionState(pool, telemetry.StateUsed, -1)
	ins.ConnectionState(pool, telemetry.StateIdle, 1)
	ins.ConnectionState(pool, "opening", 5) // not a state of the conventions: ignored
	ins.PendingRequests(pool, 1)
	ins.PendingRequests(pool, 1)
	ins.PendingRequests(pool, -1)
	ins.ConnectionWait(pool, 20*time.Millisecond)
	ins.ConnectionCreated(pool, 30*time.Millisecond, nil)
	ins.ConnectionCreated(pool, time.Second, context.DeadlineExceeded)
	ins.ConnectionTimeout(pool)
	ins.ConnectionUse(pool, 2*time.Second)

	all := h.Collect(t)
	name := attribute.String("db.client.connection.pool.name", pool)
	count := metricNamed(t, all, telemetry.MetricConnectionCount, "{connection}")
	if got := sumAt(t, count, name, attribute.String("db.client.connection.state", "used")); got != 1 {
		t.Errorf("used = %d, want 1", got)
	}
	if got := sumAt(t, count, name, attribute.String("db.client.connection.state", "idle")); got != 1 {
		t.Errorf("idle = %d, want 1", got)
	}
	if s := count.Data.(metricdata.Sum[int64]); s.IsMonotonic || len(s.DataPoints) != 2 {
		t.Errorf("connection count: monotonic %v, %d points; want an up-down counter with 2", s.IsMonotonic, len(s.DataPoints))
	}
	if got := sumAt(t, metricNamed(t, all, telemetry.MetricPendingRequests, "{request}"), name); got != 1 {
		t.Errorf("pending = %d, want 1", got)
	}
	if got := sumAt(t, metricNamed(t, all, telemetry.MetricConnectionTimeouts, "{timeout}"), name); got != 1 {
		t.Errorf("timeouts = %d, want 1", got)
	}
	wait := histogramAt(t, metricNamed(t, all, telemetry.MetricConnectionWait, "s"), name)
	if wait.Count != 1 || wait.Sum != 0.02 {
		t.Errorf("wait: count %d sum %v, want 1 and 0.02", wait.Count, wait.Sum)
	}
	create := metricNamed(t, all, telemetry.MetricConnectionCreate, "s")
	if dp := histogramAt(t, create, name); dp.Count != 1 || dp.Sum != 0.03 {
		t.Errorf("create ok: count %d sum %v", dp.Count, dp.Sum)
	}
	if dp := histogramAt(t, create, name, attribute.String("error.type", "timeout")); dp.Count != 1 || dp.Sum != 1 {
		t.Errorf("create failed: count %d sum %v", dp.Count, dp.Sum)
	}
	if dp := histogramAt(t, metricNamed(t, all, telemetry.MetricConnectionUse, "s"), name); dp.Count != 1 || dp.Sum != 2 {
		t.Errorf("use: count %d sum %v", dp.Count, dp.Sum)
	}
}

func TestRecordsStreamedMetric(t *testing.T) {
	h := telemetrytest.New(t, telemetry.Config{})
	h.Instruments.RecordsStreamed(1000, conn58)
	h.Instruments.RecordsStreamed(0, conn58) // nothing
	h.Instruments.RecordsStreamed(7, conn58)
	m := metricNamed(t, h.Collect(t), telemetry.MetricRecords, "{record}")
	got := sumAt(t, m,
		attribute.String("db.system.name", "neo4j"),
		attribute.String("server.address", "db.example.com"),
		attribute.Int("server.port", 7687))
	if got != 1007 {
		t.Errorf("records = %d, want 1007", got)
	}
}

func TestCreateTimeOfAFailedConnectionCarriesErrorType(t *testing.T) {
	h := telemetrytest.New(t, telemetry.Config{})
	h.Instruments.ConnectionCreated("p", time.Millisecond, errors.New("refused"))
	create := metricNamed(t, h.Collect(t), telemetry.MetricConnectionCreate, "s")
	histogramAt(t, create, attribute.String("db.client.connection.pool.name", "p"), attribute.String("error.type", "*errors.errorString"))
}
