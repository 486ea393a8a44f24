package server

import (
	"context"
	"time"

	"github.com/boltrx/boltrx/bolt"
	"github.com/boltrx/boltrx/packstream"
)

// Handler supplies the data of a server: it opens transactions and answers
// ROUTE. The session loop calls it from the connection's goroutine, one
// call at a time per connection; calls for different connections run
// concurrently. ctx ends when the connection closes or a RESET interrupts
// the request.
//
// Errors are reported to the client in a FAILURE; return an *Error to
// choose the status code.
type Handler interface {
	// Begin opens a transaction: an explicit one for BEGIN
	// (req.Explicit), or the auto-commit transaction around one RUN
	// outside a transaction (req.Query and req.Params are then set, and
	// the session loop commits it when the result is consumed).
	Begin(ctx context.Context, s *Session, req TxRequest) (Transaction, error)
	// Route answers ROUTE (Bolt 4.3+) with the routing table of a
	// database.
	Route(ctx context.Context, s *Session, req RouteRequest) (*bolt.RoutingTable, error)
}

// Transaction is a transaction opened by a Handler.
type Transaction interface {
	// Database returns the database the transaction runs in (the
	// resolved home database when the client named none). It is reported
	// in the SUCCESS of BEGIN and RUN on Bolt 5.8+ and at the end of
	// every result on 4.0+.
	Database() string
	// Run executes a query and returns its records as a lazy cursor.
	Run(ctx context.Context, query string, params map[string]any) (Cursor, error)
	// Commit commits the transaction and returns its bookmark.
	Commit(ctx context.Context) (bookmark string, err error)
	// Rollback abandons the transaction. The session loop calls it on
	// ROLLBACK, RESET, a failure and when the connection closes; it must
	// tolerate a transaction that already ended.
	Rollback(ctx context.Context) error
}

// Cursor is the result of one query, produced lazily: the session loop
// pulls records from it as the client asks for them, and encodes each one
// straight into the connection's write buffer.
type Cursor interface {
	// Fields returns the names of the result's columns.
	Fields() []string
	// Next moves to the next record and reports whether there is one. An
	// error ends the result with a FAILURE.
	Next() (bool, error)
	// EncodeRecord writes the current record's values as one PackStream
	// list (header and values). It is called at most once per record, and
	// not at all for records the client discards.
	EncodeRecord(enc *packstream.Encoder) error
	// Summary returns the result's metadata; called once Next returned
	// false or the client discarded the rest.
	Summary() Summary
	// Close releases the cursor. It is called exactly once, whether or not
	// the result was consumed.
	Close()
}

// Summary is the metadata a result ends with.
type Summary struct {
	// QueryType is "r", "w", "rw" or "s".
	QueryType string
	// Stats are the update counters under their Neo4j names; nil or empty
	// sends none.
	Stats map[string]any
	// Notifications (before Bolt 5.5) or Statuses (5.5+): the version
	// decides which of them is sent.
	Notifications []map[string]any
	Statuses      []map[string]any
}

// TxRequest describes the transaction BEGIN or an auto-commit RUN asks
// for.
type TxRequest struct {
	// Explicit is true for BEGIN, false for the auto-commit transaction of
	// a RUN.
	Explicit bool
	// Query and Params are the RUN of an auto-commit transaction.
	Query  string
	Params map[string]any
	// Mode is bolt.ModeRead ("r") or bolt.ModeWrite ("w", the default).
	Mode string
	// Database is the database the client named; "" means the user's
	// home database.
	Database string
	// ImpersonatedUser runs the transaction as that user (4.4+).
	ImpersonatedUser string
	// Bookmarks the transaction must observe.
	Bookmarks []string
	// Timeout bounds the transaction; 0 means the server's default.
	Timeout time.Duration
	// Metadata is the client's tx_metadata.
	Metadata map[string]any
}

// RouteRequest is a ROUTE request.
type RouteRequest struct {
	// Routing is the routing context, e.g. {"address": "host:7687"}.
	Routing map[string]string
	// Bookmarks the routing table must reflect.
	Bookmarks []string
	// Database names the database; "" means the user's home database.
	Database string
	// ImpersonatedUser resolves the home database of that user (4.4+).
	ImpersonatedUser string
}

// Session describes one client connection to a Handler. Its fields are
// set by the session loop; treat them as read-only.
type Session struct {
	// ID is the connection id sent in the SUCCESS of HELLO, e.g.
	// "bolt-12".
	ID string
	// Version is the negotiated protocol version and Capabilities its
	// entry of the capability table.
	Version      bolt.Version
	Capabilities *bolt.Capabilities
	// UserAgent is HELLO's user_agent.
	UserAgent string
	// User is the authenticated user ("" before authentication or when
	// the server accepts everyone and the token named nobody).
	User string
	// Routing is HELLO's routing context (4.1+): non-nil when the client
	// routes itself (neo4j:// URIs), nil for direct connections.
	Routing map[string]string
	// RemoteAddr is the client's address.
	RemoteAddr string
}

// Intercept is what an Interceptor decides about one request.
type Intercept struct {
	// Failure answers the request with this FAILURE instead of carrying
	// it out (the connection goes to FAILED, or closes when Fatal is set
	// or the request was HELLO or LOGON).
	Failure *Error
	// Disconnect closes the connection without answering.
	Disconnect bool
}

// Interceptor looks at every request the session loop is about to carry
// out (not those it ignores) and may replace it by a failure or a
// disconnect: tests use it to inject faults. nil lets the request through.
type Interceptor func(s *Session, req bolt.Request) *Intercept
