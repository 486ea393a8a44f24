// Package boltrx is a Go driver for Neo4j and other servers that speak the
// Bolt protocol (versions 3.0 to 6.1), for single servers (bolt://) and
// clusters (neo4j://, with client-side routing).
//
// Its API follows neo4j-go-driver (v5/v6) closely, so porting code is
// mostly a matter of renaming the package: a Driver made by NewDriver from
// a URI and an AuthToken, Sessions with SessionConfig, managed
// transactions that retry on transient failures (ExecuteRead,
// ExecuteWrite, ExecuteQuery), explicit transactions, Records, a
// ResultSummary, Neo4jError and the other error types, bookmark managers
// for causal consistency, auth token managers and the graph, temporal and
// spatial value types.
//
// # Two ways to read results
//
// The blocking API returns results you iterate with Next and Record, the
// way neo4j-go-driver does; every call takes a context.Context that
// bounds it.
//
// The reactive API returns results as rxgo Observables. Nothing is sent
// until the Observable is observed; records arrive in batches whose size
// follows the consumer's demand (Bolt PULL {n}), so a slow consumer slows
// the server instead of filling memory, and unsubscribing discards the
// rest of the result on the server.
//
// # Structs in and out
//
// Go structs are query parameters (a map of their fields, named by the
// `neo4j:"name,omitempty"` tag), and RecordAs, CollectAs, SingleAs,
// EagerAs and RecordsAs map records back into them by the same rules, so
// a struct written with SET n = $param reads back unchanged. RecordsAs
// gives an Observable whose items are the structs themselves.
//
// Both APIs run on the same actors (protoactor-go): one per driver, per
// connection pool, per connection and per session. They coordinate; the
// records themselves travel in batches, never one message at a time.
//
// # Where to look
//
//   - Configuration: Config, SessionConfig, TransactionConfig
//     (WithTxTimeout, WithTxMetadata) and the ExecuteQueryWith... options.
//   - Errors: Neo4jError, ConnectivityError, UsageError (with ErrUsage and
//     the closed-object sentinels), TransactionExecutionLimit, IsRetryable.
//   - Authentication: BasicAuth and friends; package auth for token
//     managers and client certificates.
//   - Causal consistency: package bookmarks, NewBookmarkManager.
//   - Telemetry: Config.TracerProvider and Config.MeterProvider
//     (OpenTelemetry).
//
// The README of the repository describes the design and has runnable
// examples.
package boltrx
