package cluster

import (
	"strings"

	"github.com/boltrx/boltrx/bolt"
	"github.com/boltrx/boltrx/e2e/server"
)

// Match selects the request an injected fault hits.
type Match struct {
	// Message is the request's name, e.g. "RUN", "BEGIN", "PULL",
	// "COMMIT", "ROUTE", "HELLO" (case-insensitive; the version's own
	// names such as "PULL_ALL" work too); "" matches any request.
	Message string
	// Query, when set, matches a RUN whose query contains it.
	Query string
}

// Action is the fault.
type Action struct {
	// Failure answers the request with this FAILURE instead of carrying
	// it out.
	Failure *server.Error
	// Disconnect closes the connection without answering.
	Disconnect bool
}

// Fail returns an Action that answers with a FAILURE of the given code,
// e.g. "Neo.TransientError.General.DatabaseUnavailable".
func Fail(code, message string) Action {
	return Action{Failure: &server.Error{Code: code, Message: message}}
}

// Disconnect is the Action that drops the connection.
var Disconnect = Action{Disconnect: true}

// injection is a pending fault.
type injection struct {
	member int
	match  Match
	action Action
}

// Inject arranges for the next request that m matches on member i (any
// connection) to get action instead of being carried out. Each Inject
// fires once; several pending ones fire in the order given.
func (c *Cluster) Inject(i int, m Match, action Action) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, err := c.memberOf(i); err != nil {
		return err
	}
	c.injections = append(c.injections, injection{member: i, match: m, action: action})
	return nil
}

// PendingInjections returns how many injected faults have not fired yet.
func (c *Cluster) PendingInjections() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.injections)
}

// ClearInjections drops the injected faults that have not fired yet and
// returns how many there were.
func (c *Cluster) ClearInjections() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := len(c.injections)
	c.injections = nil
	return n
}

// interceptor is the server.Interceptor of member i.
func (c *Cluster) interceptor(i int) server.Interceptor {
	return func(s *server.Session, req bolt.Request) *server.Intercept {
		c.mu.Lock()
		defer c.mu.Unlock()
		for k, inj := range c.injections {
			if inj.member != i || !inj.match.matches(s, req) {
				continue
			}
			c.injections = append(c.injections[:k], c.injections[k+1:]...)
			return &server.Intercept{Failure: inj.action.Failure, Disconnect: inj.action.Disconnect}
		}
		return nil
	}
}

func (m Match) matches(s *server.Session, req bolt.Request) bool {
	if m.Message != "" && !strings.EqualFold(m.Message, req.Name()) &&
		!strings.EqualFold(m.Message, bolt.MessageName(req.Tag(), s.Version)) {
		return false
	}
	if m.Query != "" {
		run, ok := req.(*bolt.Run)
		return ok && strings.Contains(run.Query, m.Query)
	}
	return true
}
