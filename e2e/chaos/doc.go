// Package chaos runs boltrx under load while a cluster fails, and checks
// what it must survive: every acknowledged write present exactly once, no
// read that misses a write it was causally chained after, only documented
// errors reaching the caller, and no goroutine or memory left behind.
//
// Run drives, for Config.Duration:
//
//   - writers, each in a managed write transaction (ExecuteWrite), MERGEing
//     records on keys the writer makes up (so a retried commit cannot
//     duplicate) and noting each acknowledged key;
//   - readers, each read in a new session chained to the writers by one
//     BookmarkManager, checking it sees the last acknowledged key of every
//     writer as of the moment the read began;
//   - reactive consumers streaming large results with RunRx, some to the
//     end, some cancelling midway, some slow, checking each record arrives
//     in order;
//   - a WriteBatchesRx loader feeding Config.LoadItems items, resuming
//     after its last acknowledged batch when a batch fails;
//   - against the simulated cluster (package cluster), a fault loop drawn
//     from Config.Seed: kill a member and restart it, move the leader,
//     partition a member for a few seconds, add follower lag, drop
//     connections in the middle of results, refuse connections for a
//     moment, answer with a transient failure; at most one member is down
//     at a time.
//
// Against a real cluster (Config.URI) there is no fault loop: the faults
// come from whoever operates the cluster.
//
// Report.Line is one line of key=value pairs; Report.Failed says whether
// any invariant broke.
package chaos
