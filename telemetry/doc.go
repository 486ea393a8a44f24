// Package telemetry is where boltrx meets OpenTelemetry: the spans of the
// driver's operations and of every Bolt request message, and the metrics of
// its connection pools.
//
// # Spans
//
// Operation spans cover what a user asked for: an auto-commit query, an
// explicit transaction, a managed transaction with one child span per
// attempt, ExecuteQuery, a routing-table refresh and a connection
// acquisition that had to wait. Each is a child of the span in the
// caller's context (StartOperation).
//
// Message spans cover one Bolt request each (HELLO, LOGON, RUN, every PULL
// batch, DISCARD, BEGIN, COMMIT, ROLLBACK, ROUTE, RESET, TELEMETRY, ...),
// from the moment it is written until its summary arrives
// (StartMessage, Message.End). A message span is only made as the child of
// a recording span: a message sent outside any traced operation (a RESET
// before a pooled connection is reused, say) makes no trace of its own, and
// the children of an unsampled operation cost nothing.
//
// Every span is of kind Client and follows the OpenTelemetry database
// semantic conventions: db.system.name is "neo4j", db.operation.name is the
// operation kind or the Bolt message name, db.namespace the database, and
// server.address, server.port and network.peer.address say where the
// request went. Driver specific attributes are listed with the Attr
// constants.
//
// # What is never recorded
//
// Query parameters and credentials never appear in any attribute or event.
// The query text is recorded only when Config.QueryText is set. A server
// failure is recorded by its status codes (Neo4j code, GQLSTATUS), not by
// its message: a server's message may quote the values of a failed
// statement, such as the property value that broke a constraint.
//
// # Metrics
//
// db.client.operation.duration, db.client.connection.count (idle and used
// per pool), db.client.connection.wait_time, db.client.connection.create_time,
// db.client.connection.pending_requests and db.client.connection.timeouts
// follow the semantic conventions; neo4j.client.records,
// neo4j.client.retries and neo4j.client.routing.refreshes are the driver's
// own.
//
// # Cost
//
// A nil or disabled *Instruments, a no-op TracerProvider or an unsampled
// parent make StartMessage return nil without allocating; every method of
// a nil *Operation or *Message does nothing.
package telemetry
