package boltrx

import (
	"context"
	"errors"
)

// Auto-commit retries (neo4j-go-driver v6.1, the drivers' ADR 038).
//
// An auto-commit query cannot be retried in general: the driver does not
// know how far the server got (CALL { ... } IN TRANSACTIONS may have
// committed part of it). Since Neo4j 2026.x the server marks the failures
// that are guaranteed to have changed nothing, in any database, with
// "_idempotent": true in the GQL diagnostic record of the FAILURE (Bolt
// 5.7+; today these are admission-control refusals of a server that is
// too busy to take the query). Session.Run and Session.RunRx retry such a
// failure once, at once and without back-off, on a connection acquired
// afresh (the failed one is RESET before the pool lends it again), when
// the FAILURE answers the RUN itself: a failure of a pipelined TELEMETRY
// (the RUN then is IGNORED) or of a PULL (the query ran and may have
// streamed records) is not retried, so a retry never happens after a
// record could have reached the caller. Config.DisableAutoCommitRetries
// turns this off, SessionConfig.DisableAutoCommitRetries overrides it per
// session. Retryable-looking failures without the mark (a transient
// error, a leader switch) are not retried here: use ExecuteRead or
// ExecuteWrite for work that may be repeated.

// autoCommitRetries reports whether the session retries idempotent
// auto-commit failures.
func (s *Session) autoCommitRetries() bool {
	if s.cfg.DisableAutoCommitRetries != nil {
		return !*s.cfg.DisableAutoCommitRetries
	}
	return !s.driver.cfg.DisableAutoCommitRetries
}

// retryAutoCommit is Session.Run's hook: when retries are on and the
// server speaks Bolt 5.7+, it waits for the answer to r's RUN and, when the server failed the RUN with an
// idempotent error, runs the query once more with again (after the failed
// attempt gave its connection back). Otherwise it returns r, whose
// records or failure the caller reads as usual.
func (s *Session) retryAutoCommit(ctx context.Context, r *Result, again func() (*Result, error)) (*Result, error) {
	if !s.autoCommitRetries() || !r.conn.Caps.GQLErrors {
		// Servers before Bolt 5.7 send no diagnostic record, so never
		// the mark: Run need not wait for the RUN's answer.
		return r, nil
	}
	_, err := r.stream.Keys(ctx)
	if err == nil || !isIdempotentFailure(err) {
		return r, nil
	}
	// The first attempt ends (its connection back in the pool, the
	// session free for the next query) before the second starts.
	if r.stream.Wait(ctx) != nil {
		return r, nil
	}
	s.log().Info("retrying an auto-commit query the server refused without side effects", "error", err)
	return again()
}

// isIdempotentFailure reports whether err is a server failure whose
// diagnostic record says it changed nothing ("_idempotent": true).
func isIdempotentFailure(err error) bool {
	var ne *Neo4jError
	if !errors.As(err, &ne) {
		return false
	}
	idempotent, _ := ne.GqlDiagnosticRecord["_idempotent"].(bool)
	return idempotent
}
