// Package graphdb is the small in-memory graph database behind boltrx's
// simulated Neo4j cluster. The Bolt servers of the cluster delegate every
// query to it; it knows nothing about Bolt.
//
// # Model
//
// A Store holds named databases (created and dropped by the cluster or by
// tests). Each Database has one commit log and one Replica per cluster
// member. The data lives once, in a multi-version graph shared by all
// replicas: every committed transaction stamps its new node and
// relationship versions with its transaction id (1, 2, 3, ...), and a
// replica that "has applied the log up to id N" simply reads the versions
// stamped N or lower. The leader's replica applies an entry when it
// commits; a follower applies it once commitTime + lag has passed on the
// store's clock (Options.Clock, injectable so tests need no sleeps). The
// lag is per store (Options.Lag, Store.SetLag) or per replica
// (Replica.SetLag). Catching up happens lazily whenever a replica is used;
// there are no background goroutines.
//
// # Bookmarks
//
// A bookmark has the form "FB:<database>:<txid>" (FormatBookmark,
// ParseBookmark); drivers treat it as opaque. Replica.WaitFor returns once
// the replica has applied every bookmark of its database, fails with
// Neo.TransientError.Transaction.BookmarkTimeout when its context ends
// first, and with Neo.ClientError.Transaction.InvalidBookmark for a
// malformed bookmark or one naming a transaction that was never committed.
//
// # Transactions
//
// Replica.Begin starts a transaction. A read transaction reads the
// replica's applied state as of Begin (a stable snapshot). A write
// transaction is only allowed on the leader (else
// Neo.ClientError.Cluster.NotALeader); at its first Run it takes the
// database's write lock, waiting for the current writer until the Run's
// context ends (then Neo.TransientError.Transaction.LockAcquisitionTimeout).
// It writes pending versions straight into the shared graph, visible only
// to itself, and keeps an undo list: commit stamps exactly what it wrote
// and rollback removes exactly that, so both cost in proportion to the
// transaction, not to the store. Readers are never blocked by an open write
// transaction and never see its writes (they wait only while a Run or
// Commit of the writer is changing data). Any failing Run rolls the whole
// transaction back and closes it, as Neo4j does. Old versions are dropped
// once no replica and no open read transaction can see them.
//
// # Cypher subset
//
// Parse tokenizes and parses a query (results are cached by query text);
// Statement.IsWrite and Statement.QueryType ("r", "w", "rw", "s") let the
// server reject writes on followers or in read transactions before running
// anything. Supported:
//
//   - Clauses: MATCH, OPTIONAL MATCH, WHERE, UNWIND, CREATE, MERGE (with ON
//     CREATE SET / ON MATCH SET), SET (n.p = e, n = map, n += map), REMOVE
//     n.p, DELETE, DETACH DELETE, WITH (with DISTINCT, ORDER BY, SKIP, LIMIT,
//     WHERE), RETURN (with DISTINCT, *, AS, ORDER BY ... ASC|DESC, SKIP,
//     LIMIT).
//   - Patterns: (n:Label:Other {k: e} or $map), -[r:T1|T2 {k: e}]->, <-[]-,
//     -[]-, chains of any length, path variables p = (...).
//   - Expressions: literals (integers incl. hex, floats, strings, true,
//     false, null, lists, maps), $params, variables, n.p, list[i], list[a..b],
//     map['k'], + - * / % ^, = <> != < <= > >=, AND OR XOR NOT, IS [NOT] NULL,
//     IN, STARTS WITH, ENDS WITH, CONTAINS, CASE.
//   - Functions: toString, toInteger, toFloat, toBoolean, size, length,
//     range, id, elementId, labels, type, keys, properties, nodes,
//     relationships, startNode, endNode, coalesce, head, last, tail, reverse,
//     abs, sqrt, floor, ceil, round, toUpper, toLower, trim, split,
//     substring; aggregates count (incl. count(*)), collect, sum, avg, min,
//     max, each with DISTINCT.
//   - Schema: CREATE [RANGE] INDEX [name] [IF NOT EXISTS] FOR (n:L) ON (n.p),
//     CREATE INDEX ON :L(p), CREATE CONSTRAINT [name] [IF NOT EXISTS] FOR
//     (n:L) REQUIRE n.p IS UNIQUE, DROP INDEX|CONSTRAINT name [IF EXISTS].
//
// Anything else is a Neo.ClientError.Statement.SyntaxError whose message
// ends with "(line L, column C)". A missing parameter is
// Neo.ClientError.Statement.ParameterMissing, a value of the wrong type
// Neo.ClientError.Statement.TypeError. Labels are fixed when a node is
// created (SET n:L and REMOVE n:L are not supported).
//
// # Indexes
//
// Property indexes (label, property) are created on demand the first time a
// query could use one (an equality, IN or range predicate, inline pattern
// properties, or ORDER BY on a single-node MATCH), and explicitly by CREATE
// INDEX. A MATCH directly followed by RETURN/WITH ... ORDER BY n.p [SKIP]
// [LIMIT] reads the index in order and stops after SKIP+LIMIT rows.
//
// # Values
//
// Parameters and results use the PackStream Go values: nil, bool, int64,
// float64, string, []byte, []any, map[string]any, packstream.Node,
// packstream.Relationship and packstream.Path (Go int kinds in parameters
// are accepted too). Node element ids are "4:<database uuid>:<id>",
// relationship element ids "5:<database uuid>:<id>"; ids count from 0 per
// database. Results are materialized when Run returns.
package graphdb
