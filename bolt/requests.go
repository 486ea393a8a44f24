package bolt

// The requests without fields. Each is a structure of its tag and nothing
// else; the embedded fieldless encodes and decodes them.
type (
	// Logoff logs the current user off (5.1+): LOGOFF.
	Logoff struct{ fieldless }
	// Goodbye announces that the client closes the connection (3.0+):
	// GOODBYE. The server answers nothing.
	Goodbye struct{ fieldless }
	// Reset interrupts any work and returns the connection to READY: RESET.
	Reset struct{ fieldless }
	// Commit commits the explicit transaction (3.0+): COMMIT.
	Commit struct{ fieldless }
	// Rollback rolls the explicit transaction back (3.0+): ROLLBACK.
	Rollback struct{ fieldless }
	// AckFailure acknowledges a FAILURE on Bolt 1 and 2: ACK_FAILURE. RESET
	// replaces it from 3.0 on.
	AckFailure struct{ fieldless }
)

// The tags and names of the requests.

// Tag returns TagHello.
func (*Hello) Tag() byte { return TagHello }

// Tag returns TagHello, the tag INIT shares with HELLO.
func (*Init) Tag() byte { return TagHello }

// Tag returns TagLogon.
func (*Logon) Tag() byte { return TagLogon }

// Tag returns TagLogoff.
func (*Logoff) Tag() byte { return TagLogoff }

// Tag returns TagTelemetry.
func (*Telemetry) Tag() byte { return TagTelemetry }

// Tag returns TagGoodbye.
func (*Goodbye) Tag() byte { return TagGoodbye }

// Tag returns TagReset.
func (*Reset) Tag() byte { return TagReset }

// Tag returns TagAckFailure.
func (*AckFailure) Tag() byte { return TagAckFailure }

// Tag returns TagRun.
func (*Run) Tag() byte { return TagRun }

// Tag returns TagPull.
func (*Pull) Tag() byte { return TagPull }

// Tag returns TagDiscard.
func (*Discard) Tag() byte { return TagDiscard }

// Tag returns TagBegin.
func (*Begin) Tag() byte { return TagBegin }

// Tag returns TagCommit.
func (*Commit) Tag() byte { return TagCommit }

// Tag returns TagRollback.
func (*Rollback) Tag() byte { return TagRollback }

// Tag returns TagRoute.
func (*Route) Tag() byte { return TagRoute }

// Name returns "HELLO".
func (*Hello) Name() string { return "HELLO" }

// Name returns "INIT".
func (*Init) Name() string { return "INIT" }

// Name returns "LOGON".
func (*Logon) Name() string { return "LOGON" }

// Name returns "LOGOFF".
func (*Logoff) Name() string { return "LOGOFF" }

// Name returns "TELEMETRY".
func (*Telemetry) Name() string { return "TELEMETRY" }

// Name returns "GOODBYE".
func (*Goodbye) Name() string { return "GOODBYE" }

// Name returns "RESET".
func (*Reset) Name() string { return "RESET" }

// Name returns "ACK_FAILURE".
func (*AckFailure) Name() string { return "ACK_FAILURE" }

// Name returns "RUN".
func (*Run) Name() string { return "RUN" }

// Name returns "PULL".
func (*Pull) Name() string { return "PULL" }

// Name returns "DISCARD".
func (*Discard) Name() string { return "DISCARD" }

// Name returns "BEGIN".
func (*Begin) Name() string { return "BEGIN" }

// Name returns "COMMIT".
func (*Commit) Name() string { return "COMMIT" }

// Name returns "ROLLBACK".
func (*Rollback) Name() string { return "ROLLBACK" }

// Name returns "ROUTE".
func (*Route) Name() string { return "ROUTE" }
