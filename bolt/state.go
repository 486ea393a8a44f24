package bolt

import (
	"slices"
	"strconv"
)

// ServerState is the state of the server side of a connection, as the
// client tracks it (bolt/server-state.adoc).
type ServerState uint8

// The server states.
const (
	// StateConnected: the handshake is done, HELLO (INIT before 3.0) is
	// expected. Called NEGOTIATION from 5.1 on.
	StateConnected ServerState = iota
	// StateAuthentication: HELLO or LOGOFF succeeded, LOGON is expected
	// (5.1+).
	StateAuthentication
	// StateReady: ready for RUN, BEGIN, ROUTE, TELEMETRY, LOGOFF.
	StateReady
	// StateStreaming: an auto-commit result is open.
	StateStreaming
	// StateTxReady: an explicit transaction is open, no result is (3.0+).
	StateTxReady
	// StateTxStreaming: an explicit transaction has open results (3.0+).
	StateTxStreaming
	// StateFailed: a request failed; the server ignores everything until
	// RESET (ACK_FAILURE before 3.0).
	StateFailed
	// StateInterrupted: a RESET is on its way; the server ignores
	// everything before it.
	StateInterrupted
	// StateDefunct: the connection is closed or unusable.
	StateDefunct
)

var stateNames = [...]string{
	StateConnected:      "CONNECTED",
	StateAuthentication: "AUTHENTICATION",
	StateReady:          "READY",
	StateStreaming:      "STREAMING",
	StateTxReady:        "TX_READY",
	StateTxStreaming:    "TX_STREAMING",
	StateFailed:         "FAILED",
	StateInterrupted:    "INTERRUPTED",
	StateDefunct:        "DEFUNCT",
}

// String returns the specification's name of the state, e.g. "TX_READY".
func (s ServerState) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return "ServerState(" + strconv.Itoa(int(s)) + ")"
}

// StateMachine tracks the server state of one connection from the client
// side. Allow checks a request before it is sent, against the state the
// server will be in once every request sent before it has succeeded, so
// requests can be pipelined; OnResponse applies each response as it
// arrives. A response the state does not allow is a protocol violation.
//
// Inside an explicit transaction it counts the open results and remembers
// their query ids (4.0+), so COMMIT waits until every result is consumed
// and PULL/DISCARD name a result that is open.
//
// A StateMachine is not safe for concurrent use.
type StateMachine struct {
	caps *Capabilities

	// The state as of the responses received so far.
	state ServerState
	open  int     // open results: 1 while STREAMING, len(qids) in a transaction
	qids  []int64 // query ids of the open results of the transaction; -1 = unknown (3.0)

	// Requests sent whose summary has not arrived, oldest first.
	pending      []Request
	resetPending int // RESETs among pending

	// The state once every pending request has succeeded.
	predicted     ServerState
	predictedOpen int
}

// NewStateMachine returns the state machine of a connection that has just
// completed the handshake for caps' version (state CONNECTED).
func NewStateMachine(caps *Capabilities) *StateMachine {
	return &StateMachine{caps: caps}
}

// State returns the server state as of the responses received so far.
func (m *StateMachine) State() ServerState { return m.state }

// Predicted returns the state the server will be in once every pending
// request has succeeded; Allow checks against it.
func (m *StateMachine) Predicted() ServerState { return m.predicted }

// Pending returns how many requests await their summary.
func (m *StateMachine) Pending() int { return len(m.pending) }

// OpenResults returns how many results are open as of the responses
// received so far.
func (m *StateMachine) OpenResults() int { return m.open }

// MarkDefunct records that the connection is unusable, e.g. after a
// network error.
func (m *StateMachine) MarkDefunct() {
	m.state, m.predicted = StateDefunct, StateDefunct
	m.open, m.predictedOpen = 0, 0
	m.qids = m.qids[:0]
	m.pending = nil
	m.resetPending = 0
}

// Allow checks req against the predicted state. When the request may be
// sent, it records it as pending and returns nil. Otherwise it returns a
// *VersionError (the version has no such message) or a *StateError (the
// state does not permit it), both matching ErrUsage, and changes nothing.
// GOODBYE, which has no answer, moves the connection to DEFUNCT at once.
func (m *StateMachine) Allow(req Request) error {
	if err := checkAvailable(req, m.caps); err != nil {
		return err
	}
	next, open, err := m.step(m.predicted, m.predictedOpen, req, expectsMore(req))
	if err != nil {
		return err
	}
	if qid, ok := streamQid(req); ok && qid != LastQuery && m.predicted == StateTxStreaming && !slices.Contains(m.qids, qid) {
		return &StateError{State: m.predicted, Message: req.Name(), Detail: "no open result has qid " + strconv.FormatInt(qid, 10)}
	}
	if _, ok := req.(*Goodbye); ok {
		m.MarkDefunct()
		return nil
	}
	m.pending = append(m.pending, req)
	if _, ok := req.(*Reset); ok {
		m.resetPending++
	}
	m.predicted, m.predictedOpen = next, open
	return nil
}

// OnResponse applies a response to the oldest pending request, req (nil
// means "the oldest pending request"). A RECORD keeps the request pending;
// a summary completes it. A response the protocol does not allow here
// returns a *ProtocolError and makes the connection DEFUNCT; a req that is
// not the oldest pending request returns a *StateError (ErrUsage).
func (m *StateMachine) OnResponse(req Request, resp *Response) error {
	if m.state == StateDefunct {
		return &ProtocolError{Message: resp.Kind.String(), Offset: -1, Detail: "response on a defunct connection"}
	}
	if len(m.pending) == 0 {
		return m.violation(resp, "response without a pending request")
	}
	if req == nil {
		req = m.pending[0]
	} else if req != m.pending[0] {
		return &StateError{State: m.state, Message: req.Name(),
			Detail: "not the oldest request awaiting a response, which is " + m.pending[0].Name()}
	}
	_, isReset := req.(*Reset)
	switch resp.Kind {
	case ResponseRecord:
		if _, ok := req.(*Pull); !ok || (m.state != StateStreaming && m.state != StateTxStreaming) {
			return m.violation(resp, "RECORD in answer to "+req.Name()+" in state "+m.state.String())
		}
		return nil
	case ResponseIgnored:
		if isReset || (m.state != StateFailed && m.state != StateInterrupted && m.resetPending == 0) {
			return m.violation(resp, "IGNORED in answer to "+req.Name()+" in state "+m.state.String())
		}
		if m.resetPending > 0 {
			m.state = StateInterrupted
		}
	case ResponseFailure:
		switch req.(type) {
		case *Hello, *Init, *Logon, *Logoff, *Reset:
			m.MarkDefunct()
			return nil
		}
		m.state, m.open = StateFailed, 0
		m.qids = m.qids[:0]
	case ResponseSuccess:
		if err := m.onSuccess(req, &resp.Success); err != nil {
			return m.violation(resp, err.Error())
		}
	default:
		return m.violation(resp, "response of unknown kind")
	}
	if isReset {
		m.resetPending--
	}
	m.pending[0] = nil
	m.pending = m.pending[1:]
	m.replay()
	return nil
}

// onSuccess applies a SUCCESS for req to the state.
func (m *StateMachine) onSuccess(req Request, s *Success) error {
	next, open, err := m.step(m.state, m.open, req, s.HasMore)
	if err != nil {
		return err
	}
	switch r := req.(type) {
	case *Run:
		if next == StateTxStreaming {
			qid := LastQuery
			if s.Has(KeyQid) {
				qid = s.Qid
			}
			m.qids = append(m.qids, qid)
		}
	case *Pull:
		m.closeResult(next, r.Qid, s.HasMore)
	case *Discard:
		m.closeResult(next, r.Qid, s.HasMore)
	}
	if next != StateTxStreaming {
		m.qids = m.qids[:0]
	}
	m.state, m.open = next, open
	return nil
}

// closeResult forgets the result a PULL or DISCARD finished.
func (m *StateMachine) closeResult(next ServerState, qid int64, hasMore bool) {
	if hasMore || next != StateTxStreaming || len(m.qids) == 0 {
		return
	}
	i := len(m.qids) - 1 // LastQuery: the most recent RUN
	if qid != LastQuery {
		i = slices.Index(m.qids, qid)
	}
	if i >= 0 {
		m.qids = slices.Delete(m.qids, i, i+1)
	}
}

// replay recomputes the predicted state from the state and the pending
// requests. A request the state does not permit leaves it unchanged: the
// server ignores it.
func (m *StateMachine) replay() {
	s, open := m.state, m.open
	for _, req := range m.pending {
		if n, o, err := m.step(s, open, req, expectsMore(req)); err == nil {
			s, open = n, o
		}
	}
	m.predicted, m.predictedOpen = s, open
}

func (m *StateMachine) violation(resp *Response, detail string) error {
	m.MarkDefunct()
	return &ProtocolError{Message: resp.Kind.String(), Offset: -1, Detail: detail}
}

// expectsMore is the optimistic guess for a pending PULL or DISCARD: a
// request for n records may leave more behind.
func expectsMore(req Request) bool {
	switch r := req.(type) {
	case *Pull:
		return r.N != All
	case *Discard:
		return r.N != All
	}
	return false
}

// streamQid returns the qid of a PULL or DISCARD.
func streamQid(req Request) (int64, bool) {
	switch r := req.(type) {
	case *Pull:
		return r.Qid, true
	case *Discard:
		return r.Qid, true
	}
	return 0, false
}

// step is the transition table: the state after req succeeds in state s
// with open results. hasMore is the has_more of a PULL or DISCARD.
func (m *StateMachine) step(s ServerState, open int, req Request, hasMore bool) (ServerState, int, error) {
	deny := func(detail string) (ServerState, int, error) {
		return s, open, &StateError{State: s, Message: req.Name(), Detail: detail}
	}
	if s == StateDefunct {
		return deny("the connection is closed")
	}
	switch req.(type) {
	case *Goodbye:
		return StateDefunct, 0, nil
	case *Hello, *Init:
		if s == StateConnected {
			if m.caps.Logon {
				return StateAuthentication, 0, nil
			}
			return StateReady, 0, nil
		}
		return deny("the connection is already initialized")
	case *Logon:
		if s == StateAuthentication {
			return StateReady, 0, nil
		}
	case *Reset:
		if s != StateConnected && s != StateAuthentication {
			return StateReady, 0, nil
		}
		return deny("the connection is not authenticated yet")
	case *AckFailure:
		if s == StateFailed || s == StateInterrupted {
			return StateReady, 0, nil
		}
		return deny("there is no failure to acknowledge")
	case *Logoff, *Telemetry, *Route, *Begin:
		if s == StateReady {
			switch req.(type) {
			case *Logoff:
				return StateAuthentication, 0, nil
			case *Begin:
				return StateTxReady, 0, nil
			}
			return StateReady, 0, nil
		}
	case *Commit, *Rollback:
		if s == StateTxReady {
			return StateReady, 0, nil
		}
		if s == StateTxStreaming {
			return deny("consume or discard the open results first")
		}
	case *Run:
		switch {
		case s == StateReady:
			return StateStreaming, 1, nil
		case s == StateTxReady:
			return StateTxStreaming, 1, nil
		case s == StateTxStreaming && m.caps.PullN:
			return StateTxStreaming, open + 1, nil
		case s == StateStreaming || s == StateTxStreaming:
			return deny("consume or discard the open result first")
		}
	case *Pull, *Discard:
		switch {
		case hasMore && (s == StateStreaming || s == StateTxStreaming):
			return s, open, nil
		case s == StateStreaming:
			return StateReady, 0, nil
		case s == StateTxStreaming && open <= 1:
			return StateTxReady, 0, nil
		case s == StateTxStreaming:
			return StateTxStreaming, open - 1, nil
		}
		if s == StateReady || s == StateTxReady {
			return deny("there is no open result")
		}
	}
	switch s {
	case StateFailed:
		if m.caps.Hello {
			return deny("the server ignores it until RESET")
		}
		return deny("the server ignores it until ACK_FAILURE")
	case StateInterrupted:
		return deny("the server ignores it until the RESET is processed")
	case StateConnected:
		return deny("the connection is not initialized yet")
	case StateAuthentication:
		return deny("the connection is not authenticated yet")
	}
	return deny("")
}
