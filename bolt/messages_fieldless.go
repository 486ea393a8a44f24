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

// Tag returns TagLogoff.
func (*Logoff) Tag() byte { return TagLogoff }

// Tag returns TagGoodbye.
func (*Goodbye) Tag() byte { return TagGoodbye }

// Tag returns TagReset.
func (*Reset) Tag() byte { return TagReset }

// Tag returns TagCommit.
func (*Commit) Tag() byte { return TagCommit }

// Tag returns TagRollback.
func (*Rollback) Tag() byte { return TagRollback }

// Tag returns TagAckFailure.
func (*AckFailure) Tag() byte { return TagAckFailure }

// Name returns "LOGOFF".
func (*Logoff) Name() string { return "LOGOFF" }

// Name returns "GOODBYE".
func (*Goodbye) Name() string { return "GOODBYE" }

// Name returns "RESET".
func (*Reset) Name() string { return "RESET" }

// Name returns "COMMIT".
func (*Commit) Name() string { return "COMMIT" }

// Name returns "ROLLBACK".
func (*Rollback) Name() string { return "ROLLBACK" }

// Name returns "ACK_FAILURE".
func (*AckFailure) Name() string { return "ACK_FAILURE" }
