package telemetry

import (
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/metric"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
)

// Metric names. The db.client.* ones are those of the OpenTelemetry
// database semantic conventions; the neo4j.client.* ones are the driver's.
const (
	MetricOperationDuration  = "db.client.operation.duration"
	MetricConnectionCount    = "db.client.connection.count"
	MetricConnectionWait     = "db.client.connection.wait_time"
	MetricConnectionCreate   = "db.client.connection.create_time"
	MetricConnectionUse      = "db.client.connection.use_time"
	MetricPendingRequests    = "db.client.connection.pending_requests"
	MetricConnectionTimeouts = "db.client.connection.timeouts"
	MetricRecords            = "neo4j.client.records"
	MetricRetries            = "neo4j.client.retries"
	MetricRoutingRefreshes   = "neo4j.client.routing.refreshes"
)

// durationBuckets are the bucket boundaries, in seconds, the semantic
// conventions advise for the db.client duration histograms.
var durationBuckets = []float64{0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10}

// meters holds the instruments of one Instruments.
type meters struct {
	opDuration metric.Float64Histogram
	connCount  metric.Int64UpDownCounter
	connWait   metric.Float64Histogram
	connCreate metric.Float64Histogram
	connUse    metric.Float64Histogram
	pending    metric.Int64UpDownCounter
	timeouts   metric.Int64Counter
	records    metric.Int64Counter
	retries    metric.Int64Counter
	refreshes  metric.Int64Counter
}

// orNoop returns the instrument made, or noop after reporting err to
// otel's error handler.
func orNoop[T any](made T, err error, noop T) T {
	if err != nil {
		otel.Handle(err)
		return noop
	}
	return made
}

// newMeters creates the instruments on m. An instrument the SDK refuses
// is reported to otel's error handler and replaced by a no-op one.
func newMeters(m metric.Meter) *meters {
	histogram := func(name, desc string) metric.Float64Histogram {
		h, err := m.Float64Histogram(name, metric.WithUnit("s"), metric.WithDescription(desc),
			metric.WithExplicitBucketBoundaries(durationBuckets...))
		return orNoop[metric.Float64Histogram](h, err, metricnoop.Float64Histogram{})
	}
	upDown := func(name, unit, desc string) metric.Int64UpDownCounter {
		c, err := m.Int64UpDownCounter(name, metric.WithUnit(unit), metric.WithDescription(desc))
		return orNoop[metric.Int64UpDownCounter](c, err, metricnoop.Int64UpDownCounter{})
	}
	counter := func(name, unit, desc string) metric.Int64Counter {
		c, err := m.Int64Counter(name, metric.WithUnit(unit), metric.WithDescription(desc))
		return orNoop[metric.Int64Counter](c, err, metricnoop.Int64Counter{})
	}
	return &meters{
		opDuration: histogram(MetricOperationDuration, "Duration of database client operations."),
		connCount:  upDown(MetricConnectionCount, "{connection}", "The number of connections that are currently in the state described by the state attribute."),
		connWait:   histogram(MetricConnectionWait, "The time it took to obtain an open connection from the pool."),
		connCreate: histogram(MetricConnectionCreate, "The time it took to create a new connection."),
		connUse:    histogram(MetricConnectionUse, "The time between borrowing a connection and returning it to the pool."),
		pending:    upDown(MetricPendingRequests, "{request}", "The number of acquisitions waiting for a connection of the pool."),
		timeouts:   counter(MetricConnectionTimeouts, "{timeout}", "The number of acquisitions that found no connection within the acquisition timeout."),
		records:    counter(MetricRecords, "{record}", "The number of records received."),
		retries:    counter(MetricRetries, "{retry}", "The number of managed transaction attempts after the first."),
		refreshes:  counter(MetricRoutingRefreshes, "{refresh}", "The number of routing table refreshes."),
	}
}
