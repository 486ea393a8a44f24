// Package cluster is boltrx's simulated Neo4j cluster: K members, each a
// Bolt server on its own loopback port, serving the databases of one
// shared graphdb.Store, in which every member has its own replica of every
// database.
//
// It behaves like a Neo4j causal cluster where drivers can see it: routing
// tables through ROUTE (4.3+) and through the routing procedures of Bolt
// 3.0 to 4.2, one leader per database (writes on a follower fail with
// Neo.ClientError.Cluster.NotALeader unless server-side routing applies),
// read transactions that refuse writes, bookmarks that make a member wait
// until its replica has caught up (or fail with BookmarkTimeout), home
// databases per user, and replication lag.
//
// Tests drive faults through the Go API: Kill and Restart a member,
// Partition and Heal it, MoveLeader, SetLag, Inject a failure or a
// disconnect on the next matching request, CreateDatabase; Store gives
// direct access to the data for checks.
package cluster
