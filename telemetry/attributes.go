package telemetry

import (
	"go.opentelemetry.io/otel/attribute"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
)

// Driver specific attribute keys. The standard ones (db.system.name,
// db.namespace, db.operation.name, db.query.text, db.response.status_code,
// error.type, server.address, server.port, network.peer.address) come from
// the semantic conventions.
const (
	// AttrProtocolVersion is the negotiated Bolt version, e.g. "5.8".
	AttrProtocolVersion = attribute.Key("bolt.protocol.version")
	// AttrQid is the query id of a RUN in an explicit transaction, or the
	// qid a PULL or DISCARD names.
	AttrQid = attribute.Key("bolt.qid")
	// AttrPullRecords is how many RECORDs answered one PULL.
	AttrPullRecords = attribute.Key("bolt.pull.records")
	// AttrHasMore says whether the server has more records after a PULL
	// or DISCARD.
	AttrHasMore = attribute.Key("bolt.has_more")
	// AttrIgnored marks a request the server ignored after an earlier
	// failure on the connection.
	AttrIgnored = attribute.Key("bolt.ignored")
	// AttrAccessMode is the access mode of an operation ("READ", "WRITE").
	AttrAccessMode = attribute.Key("neo4j.access_mode")
	// AttrBookmarksCount is how many bookmarks a summary carried.
	AttrBookmarksCount = attribute.Key("neo4j.bookmarks.count")
	// AttrRetryAttempt is the attempt number (1 for the first) of a
	// managed transaction attempt.
	AttrRetryAttempt = attribute.Key("neo4j.retry.attempt")
)

// systemName is db.system.name on every span and measurement.
var systemName = semconv.DBSystemNameNeo4j

// Standard keys, named once.
const (
	keyNamespace     = semconv.DBNamespaceKey
	keyOperationName = semconv.DBOperationNameKey
	keyQueryText     = semconv.DBQueryTextKey
	keyStatusCode    = semconv.DBResponseStatusCodeKey
	keyErrorType     = semconv.ErrorTypeKey
	keyServerAddress = semconv.ServerAddressKey
	keyServerPort    = semconv.ServerPortKey
	keyPeerAddress   = semconv.NetworkPeerAddressKey
	keyPoolName      = semconv.DBClientConnectionPoolNameKey
	keyConnState     = semconv.DBClientConnectionStateKey
	keyExceptionType = semconv.ExceptionTypeKey
	keyExceptionMsg  = semconv.ExceptionMessageKey
)
