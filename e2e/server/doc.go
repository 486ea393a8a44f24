// Package server is the Bolt serving machinery shared by boltrx's test
// servers (the record generator and the simulated cluster): an accept loop
// on the loopback interface and, per connection, the handshake and a
// session loop that runs every request through the server-side state
// machine the way Neo4j does.
//
// The session loop owns the protocol: authentication in HELLO or LOGON,
// the states CONNECTED (NEGOTIATION), AUTHENTICATION, READY, STREAMING,
// TX_READY, TX_STREAMING, FAILED and INTERRUPTED, RESET, GOODBYE, query
// ids, PULL and DISCARD with exact counts and has_more, timings, bookmarks
// and the FAILURE Neo4j sends for a request it cannot take. A [Handler]
// supplies the data: it opens transactions, runs queries into lazy
// [Cursor] values and answers ROUTE. Records are encoded straight into the
// connection's write buffer, one flush per response, so results of any
// size stream in constant memory.
//
// Requests are read by a goroutine of their own, ahead of the one that
// answers them: a RESET that arrives behind other requests interrupts the
// work in progress and makes the server ignore everything before it, as
// Neo4j's jump-ahead interrupt does.
package server
