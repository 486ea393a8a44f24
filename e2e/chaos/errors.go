package chaos

import (
	"context"
	"errors"
	"maps"
	"sync"

	"github.com/boltrx/boltrx"
)

// errorKind names the kind of an error that reached a caller, and says
// whether it is one the driver documents for the situation: a
// TransactionExecutionLimit (retries exhausted), a ConnectivityError
// (ServiceUnavailable / SessionExpired), a server failure (Neo4jError,
// TokenExpiredError), or the context's error when the caller cancelled.
// Anything else (a UsageError, an error of no driver type) is not
// documented for a healthy caller, and counts against the run.
func errorKind(err error, cancelled bool) (kind string, documented bool) {
	var limit *boltrx.TransactionExecutionLimit
	var conn *boltrx.ConnectivityError
	var token *boltrx.TokenExpiredError
	var server *boltrx.Neo4jError
	var usage *boltrx.UsageError
	switch {
	case errors.As(err, &limit):
		return "TransactionExecutionLimit", true
	case errors.As(err, &conn):
		return "ConnectivityError", true
	case errors.As(err, &token):
		return "TokenExpiredError", true
	case errors.As(err, &server):
		return "Neo4jError:" + server.Code, true
	case errors.As(err, &usage):
		return "UsageError", false
	case cancelled && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)):
		return "Cancelled", true
	}
	return "Undocumented", false
}

// errorCounts counts errors by kind and logs the first of each kind per
// worker kind.
type errorCounts struct {
	mu           sync.Mutex
	byKind       map[string]int64
	undocumented int64
	examples     map[string]string
	logf         func(string, ...any)
}

func newErrorCounts(logf func(string, ...any)) *errorCounts {
	return &errorCounts{byKind: map[string]int64{}, examples: map[string]string{}, logf: logf}
}

// add counts err, seen by worker (e.g. "writer"); cancelled says the
// worker's own context was cancelled on purpose.
func (c *errorCounts) add(worker string, err error, cancelled bool) {
	kind, documented := errorKind(err, cancelled)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.byKind[kind]++
	if !documented {
		c.undocumented++
	}
	key := worker + "/" + kind
	if _, seen := c.examples[key]; !seen {
		c.examples[key] = err.Error()
		what := "first"
		if !documented {
			what = "undocumented"
		}
		c.logf("%s error of kind %s in a %s: %T: %v", what, kind, worker, err, err)
	}
}

// snapshot returns the counts by kind and the undocumented count.
func (c *errorCounts) snapshot() (map[string]int64, int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.byKind), c.undocumented
}
