// Package generator is the benchmark server of boltrx: a Bolt server that
// answers any query with synthetic records of a chosen shape, produced
// lazily and encoded straight into the connection's write buffer, so that
// it is never the bottleneck of a driver benchmark.
//
// The shape (ints, rows, nodes, paths) and the number of records come from
// the Config and may be overridden per query with the parameters $shape
// and $rows; $rows = 1 gives the single-row answers of latency
// benchmarks. The session itself (handshake, authentication, PULL n and
// DISCARD, transactions, RESET) is package server's, so the generator
// behaves like Neo4j on the wire. It also answers ROUTE and the routing
// procedures with itself in every role, so neo4j:// URIs work against it.
package generator
