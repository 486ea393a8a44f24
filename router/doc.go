// Package router is the client-side routing of neo4j:// URIs: one routing
// table per database, each held by its own actor.
//
// A Router answers one question, Select: which server should run work of
// an access mode (Read or Write) against a database? It answers from the
// database's table when that table is fresh for the mode (not expired, has
// routers and has servers of the mode), picking the least-connected server
// and rotating among equally loaded ones. Otherwise the database's actor
// refreshes the table: it asks the known routers in order, then the
// initial router of the URI, re-resolved each time through the user's
// resolver and DNS. However many goroutines ask at once, one refresh runs;
// it runs off the actor's mailbox and every waiter gets its answer when it
// lands.
//
// The tables react to what the driver learns: Forget drops a server that
// could not be reached from every table, ForgetWriter drops a member that
// is no longer a writer of one database, ForgetDatabase drops a table.
//
// A session without a database works against the user's home database.
// Its name comes from the table a router sends for the database "" and is
// cached per (user, impersonated user); SetHomeDatabase lets the driver
// record a name a server told it otherwise.
//
// Memory stays bounded: a failed refresh leaves no table behind, and a
// table nobody selected from for Config.PurgeAfter is dropped.
//
// The actor tree is parent → router actor → one actor per database (and a
// short-lived one per home-database lookup in flight). Close stops them
// all and waits for every refresh goroutine.
package router
