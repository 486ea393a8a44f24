package bolt

import (
	"errors"
	"strings"
	"testing"
)

func successResp(s Success) *Response { return &Response{Kind: ResponseSuccess, Success: s} }
func recordResp(values ...any) *Response {
	return &Response{Kind: ResponseRecord, Record: Record{Values: values}}
}

var (
	ignoredResp = &Response{Kind: ResponseIgnored}
	failureResp = &Response{Kind: ResponseFailure, Failure: Failure{Code: "Neo.ClientError.Statement.SyntaxError", Message: "bad"}}
	hasMoreResp = successResp(Success{Present: KeyHasMore, HasMore: true})
	doneResp    = successResp(Success{Bookmark: "bm"})
)

func qidResp(n int64) *Response {
	return successResp(Success{Present: KeyQid, Qid: n, Fields: []string{"x"}})
}

// exchange is one request and the responses to it.
type exchange struct {
	req   Request
	resps []*Response
}

// drive sends every request (Allow), then applies every response in order.
func drive(t *testing.T, m *StateMachine, steps ...exchange) {
	t.Helper()
	for _, s := range steps {
		if err := m.Allow(s.req); err != nil {
			t.Fatalf("Allow(%s) in %s: %v", s.req.Name(), m.Predicted(), err)
		}
	}
	for _, s := range steps {
		for _, r := range s.resps {
			if err := m.OnResponse(s.req, r); err != nil {
				t.Fatalf("OnResponse(%s, %s): %v", s.req.Name(), r.Kind, err)
			}
		}
	}
}

func ex(req Request, resps ...*Response) exchange { return exchange{req, resps} }

// machineIn returns a 5.8 (or 4.4 when auth is in HELLO) state machine in
// the given state.
func machineIn(t *testing.T, v Version, s ServerState) *StateMachine {
	t.Helper()
	caps := capsOf(t, v)
	m := NewStateMachine(caps)
	if s == StateConnected {
		return m
	}
	drive(t, m, ex(&Hello{UserAgent: "t", BoltAgent: BoltAgent{Product: "p"}}, successResp(Success{})))
	if caps.Logon {
		if s == StateAuthentication {
			return m
		}
		drive(t, m, ex(&Logon{}, successResp(Success{})))
	}
	switch s {
	case StateReady:
	case StateStreaming:
		drive(t, m, ex(&Run{Query: "RETURN 1"}, successResp(Success{Fields: []string{"1"}})))
	case StateTxReady:
		drive(t, m, ex(&Begin{}, successResp(Success{})))
	case StateTxStreaming:
		drive(t, m, ex(&Begin{}, successResp(Success{})), ex(&Run{Query: "RETURN 1"}, qidResp(0)))
	case StateFailed:
		drive(t, m, ex(&Run{Query: "RETURN 1"}, failureResp))
	case StateDefunct:
		if err := m.Allow(&Goodbye{}); err != nil {
			t.Fatal(err)
		}
	default:
		t.Fatalf("machineIn: %s", s)
	}
	if m.State() != s || m.Predicted() != s {
		t.Fatalf("machine in %s (predicted %s), want %s", m.State(), m.Predicted(), s)
	}
	return m
}

// The allowed/forbidden table per state, Bolt 5.8.
func TestStateMachineAllowTable(t *testing.T) {
	requests := []Request{
		&Hello{UserAgent: "t", BoltAgent: BoltAgent{Product: "p"}}, &Logon{}, &Logoff{}, &Telemetry{}, &Route{},
		&Run{Query: "RETURN 1"}, &Pull{N: All, Qid: LastQuery}, &Discard{N: All, Qid: LastQuery},
		&Begin{}, &Commit{}, &Rollback{}, &Reset{}, &Goodbye{},
	}
	allowed := map[ServerState]string{
		StateConnected:      "HELLO GOODBYE",
		StateAuthentication: "LOGON GOODBYE",
		StateReady:          "LOGOFF TELEMETRY ROUTE RUN BEGIN RESET GOODBYE",
		StateStreaming:      "PULL DISCARD RESET GOODBYE",
		StateTxReady:        "RUN COMMIT ROLLBACK RESET GOODBYE",
		StateTxStreaming:    "RUN PULL DISCARD RESET GOODBYE",
		StateFailed:         "RESET GOODBYE",
		StateDefunct:        "",
	}
	for state, names := range allowed {
		want := map[string]bool{}
		for _, n := range strings.Fields(names) {
			want[n] = true
		}
		for _, req := range requests {
			m := machineIn(t, V5_8, state)
			err := m.Allow(req)
			if got := err == nil; got != want[req.Name()] {
				t.Errorf("%s in %s: allowed=%v (%v), want %v", req.Name(), state, got, err, want[req.Name()])
			}
			if err != nil {
				var se *StateError
				if !errors.As(err, &se) || !errors.Is(err, ErrUsage) || se.State != state || se.Message != req.Name() {
					t.Errorf("%s in %s: error %#v", req.Name(), state, err)
				}
				if m.Pending() != 0 && state != StateDefunct {
					t.Errorf("%s in %s: a denied request is pending", req.Name(), state)
				}
			}
		}
	}
}

func TestStateMachineHelloWithoutLogon(t *testing.T) {
	m := machineIn(t, V4_4, StateConnected)
	drive(t, m, ex(&Hello{UserAgent: "t"}, successResp(Success{Server: "Neo4j/4.4.0"})))
	if m.State() != StateReady {
		t.Errorf("after HELLO on 4.4: %s, want READY", m.State())
	}
}

func TestStateMachineFailureIgnoredReset(t *testing.T) {
	m := machineIn(t, V5_8, StateReady)
	run, pull := &Run{Query: "RETURN 1/0"}, &Pull{N: 1000, Qid: LastQuery}
	drive(t, m, ex(run, failureResp), ex(pull, ignoredResp))
	if m.State() != StateFailed {
		t.Fatalf("after FAILURE and IGNORED: %s, want FAILED", m.State())
	}
	if err := m.Allow(&Run{}); err == nil || !strings.Contains(err.Error(), "until RESET") {
		t.Errorf("RUN in FAILED: %v", err)
	}
	drive(t, m, ex(&Reset{}, successResp(Success{})))
	if m.State() != StateReady || m.Pending() != 0 {
		t.Errorf("after RESET: %s with %d pending, want READY", m.State(), m.Pending())
	}
}

func TestStateMachinePipelinedAutoCommit(t *testing.T) {
	m := machineIn(t, V5_8, StateReady)
	run, pull := &Run{Query: "UNWIND range(1, 3) AS x RETURN x"}, &Pull{N: 2, Qid: LastQuery}
	if err := m.Allow(run); err != nil {
		t.Fatal(err)
	}
	if err := m.Allow(pull); err != nil {
		t.Fatal(err)
	}
	if m.Predicted() != StateStreaming {
		t.Fatalf("predicted %s after RUN+PULL{n}, want STREAMING", m.Predicted())
	}
	if err := m.Allow(&Run{}); err == nil {
		t.Error("a second RUN was allowed while the first result may be open")
	}
	for _, r := range []*Response{successResp(Success{Fields: []string{"x"}})} {
		if err := m.OnResponse(run, r); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range []*Response{recordResp(int64(1)), recordResp(int64(2)), hasMoreResp} {
		if err := m.OnResponse(nil, r); err != nil { // nil: the oldest pending request
			t.Fatal(err)
		}
	}
	if m.State() != StateStreaming || m.OpenResults() != 1 {
		t.Fatalf("after has_more: %s with %d open", m.State(), m.OpenResults())
	}
	drive(t, m, ex(&Pull{N: 2, Qid: LastQuery}, recordResp(int64(3)), doneResp))
	if m.State() != StateReady || m.Predicted() != StateReady || m.OpenResults() != 0 {
		t.Errorf("after the last batch: %s/%s with %d open, want READY", m.State(), m.Predicted(), m.OpenResults())
	}
}

func TestStateMachineTransactionWithSeveralResults(t *testing.T) {
	m := machineIn(t, V4_4, StateReady)
	drive(t, m, ex(&Begin{}, successResp(Success{})),
		ex(&Run{Query: "RETURN 1"}, qidResp(0)),
		ex(&Run{Query: "RETURN 2"}, qidResp(1)))
	if m.State() != StateTxStreaming || m.OpenResults() != 2 {
		t.Fatalf("%s with %d open, want TX_STREAMING with 2", m.State(), m.OpenResults())
	}
	if err := m.Allow(&Pull{N: All, Qid: 5}); err == nil || !strings.Contains(err.Error(), "qid 5") {
		t.Errorf("PULL of an unknown qid: %v", err)
	}
	if err := m.Allow(&Commit{}); err == nil || !strings.Contains(err.Error(), "consume or discard") {
		t.Errorf("COMMIT with open results: %v", err)
	}
	drive(t, m, ex(&Pull{N: All, Qid: 0}, recordResp(int64(1)), doneResp))
	if m.State() != StateTxStreaming || m.OpenResults() != 1 {
		t.Fatalf("%s with %d open, want TX_STREAMING with 1", m.State(), m.OpenResults())
	}
	if err := m.Allow(&Pull{N: All, Qid: 0}); err == nil {
		t.Error("PULL of a consumed result was allowed")
	}
	drive(t, m, ex(&Discard{N: All, Qid: LastQuery}, doneResp))
	if m.State() != StateTxReady {
		t.Fatalf("%s, want TX_READY", m.State())
	}
	drive(t, m, ex(&Commit{}, successResp(Success{Bookmark: "bm"})))
	if m.State() != StateReady {
		t.Errorf("after COMMIT: %s", m.State())
	}
}

// Bolt 3 has no qid: one result at a time inside a transaction.
func TestStateMachineBolt3Transaction(t *testing.T) {
	m := machineIn(t, V3_0, StateTxReady)
	drive(t, m, ex(&Run{Query: "RETURN 1"}, successResp(Success{Fields: []string{"1"}})))
	if err := m.Allow(&Run{}); err == nil {
		t.Error("a second RUN with an open result was allowed on 3.0")
	}
	drive(t, m, ex(&Pull{N: All, Qid: LastQuery}, recordResp(int64(1)), doneResp))
	if m.State() != StateTxReady {
		t.Fatalf("after PULL_ALL: %s", m.State())
	}
	drive(t, m, ex(&Rollback{}, successResp(Success{})))
	if m.State() != StateReady {
		t.Errorf("after ROLLBACK: %s", m.State())
	}
}

// RESET pipelined behind work: the work is IGNORED (INTERRUPTED), RESET's
// SUCCESS brings READY.
func TestStateMachineResetInterrupts(t *testing.T) {
	m := machineIn(t, V5_8, StateReady)
	run, pull, reset := &Run{Query: "CALL slow()"}, &Pull{N: 100, Qid: LastQuery}, &Reset{}
	for _, r := range []Request{run, pull, reset} {
		if err := m.Allow(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.OnResponse(run, successResp(Success{Fields: []string{}})); err != nil {
		t.Fatal(err)
	}
	if err := m.OnResponse(pull, ignoredResp); err != nil {
		t.Fatal(err)
	}
	if m.State() != StateInterrupted || m.Predicted() != StateReady {
		t.Fatalf("%s/%s, want INTERRUPTED/READY", m.State(), m.Predicted())
	}
	if err := m.OnResponse(reset, successResp(Success{})); err != nil {
		t.Fatal(err)
	}
	if m.State() != StateReady {
		t.Errorf("after RESET: %s", m.State())
	}
}

func TestStateMachineFatalFailures(t *testing.T) {
	for _, tc := range []struct {
		state ServerState
		req   Request
	}{
		{StateConnected, &Hello{UserAgent: "t", BoltAgent: BoltAgent{Product: "p"}}},
		{StateAuthentication, &Logon{}},
		{StateReady, &Logoff{}},
		{StateStreaming, &Reset{}},
	} {
		m := machineIn(t, V5_8, tc.state)
		drive(t, m, ex(tc.req, failureResp))
		if m.State() != StateDefunct {
			t.Errorf("FAILURE of %s: %s, want DEFUNCT", tc.req.Name(), m.State())
		}
	}
}

func TestStateMachineLogoffLogon(t *testing.T) {
	m := machineIn(t, V5_8, StateReady)
	drive(t, m, ex(&Logoff{}, successResp(Success{})))
	if m.State() != StateAuthentication {
		t.Fatalf("after LOGOFF: %s", m.State())
	}
	drive(t, m, ex(&Logon{Auth: map[string]any{"scheme": "none"}}, successResp(Success{})))
	if m.State() != StateReady {
		t.Errorf("after LOGON: %s", m.State())
	}
}

func TestStateMachineGoodbye(t *testing.T) {
	m := machineIn(t, V5_8, StateStreaming)
	if err := m.Allow(&Goodbye{}); err != nil {
		t.Fatal(err)
	}
	if m.State() != StateDefunct || m.Pending() != 0 {
		t.Errorf("after GOODBYE: %s with %d pending", m.State(), m.Pending())
	}
	if err := m.Allow(&Reset{}); err == nil {
		t.Error("RESET allowed after GOODBYE")
	}
}

func TestStateMachineLegacyAckFailure(t *testing.T) {
	m := NewStateMachine(capsOf(t, v1_0))
	drive(t, m, ex(&Init{UserAgent: "t"}, successResp(Success{})), ex(&Run{Query: "x"}, failureResp))
	if m.State() != StateFailed {
		t.Fatalf("%s, want FAILED", m.State())
	}
	if err := m.Allow(&Run{}); err == nil || !strings.Contains(err.Error(), "ACK_FAILURE") {
		t.Errorf("RUN in FAILED on 1.0: %v", err)
	}
	drive(t, m, ex(&AckFailure{}, successResp(Success{})))
	if m.State() != StateReady {
		t.Errorf("after ACK_FAILURE: %s", m.State())
	}
}

func TestStateMachineAllowChecksTheVersion(t *testing.T) {
	m := machineIn(t, V5_3, StateReady)
	err := m.Allow(&Telemetry{})
	var ve *VersionError
	if !errors.As(err, &ve) {
		t.Errorf("TELEMETRY on 5.3: %v", err)
	}
}

// Responses the state does not allow are protocol violations that make
// the connection DEFUNCT.
func TestStateMachineProtocolViolations(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T) (*StateMachine, Request)
		resp  *Response
		want  string
	}{
		{"RECORD in answer to RUN", func(t *testing.T) (*StateMachine, Request) {
			m := machineIn(t, V5_8, StateReady)
			r := &Run{}
			_ = m.Allow(r)
			return m, r
		}, recordResp(int64(1)), "RECORD in answer to RUN"},
		{"RECORD in answer to DISCARD", func(t *testing.T) (*StateMachine, Request) {
			m := machineIn(t, V5_8, StateStreaming)
			r := &Discard{N: All, Qid: LastQuery}
			_ = m.Allow(r)
			return m, r
		}, recordResp(int64(1)), "RECORD in answer to DISCARD"},
		{"IGNORED in READY", func(t *testing.T) (*StateMachine, Request) {
			m := machineIn(t, V5_8, StateReady)
			r := &Begin{}
			_ = m.Allow(r)
			return m, r
		}, ignoredResp, "IGNORED in answer to BEGIN in state READY"},
		{"IGNORED for RESET", func(t *testing.T) (*StateMachine, Request) {
			m := machineIn(t, V5_8, StateFailed)
			r := &Reset{}
			_ = m.Allow(r)
			return m, r
		}, ignoredResp, "IGNORED in answer to RESET"},
		{"SUCCESS where IGNORED is due", func(t *testing.T) (*StateMachine, Request) {
			m := machineIn(t, V5_8, StateReady)
			run, pull := &Run{}, &Pull{N: All, Qid: LastQuery}
			_ = m.Allow(run)
			_ = m.Allow(pull)
			_ = m.OnResponse(run, failureResp)
			return m, pull
		}, doneResp, "PULL is not allowed in server state FAILED"},
		{"response without request", func(t *testing.T) (*StateMachine, Request) {
			return machineIn(t, V5_8, StateReady), nil
		}, doneResp, "without a pending request"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, req := tc.setup(t)
			err := m.OnResponse(req, tc.resp)
			if !errors.Is(err, ErrProtocol) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want a protocol error mentioning %q", err, tc.want)
			}
			if m.State() != StateDefunct {
				t.Errorf("state %s, want DEFUNCT", m.State())
			}
			if err := m.OnResponse(nil, doneResp); !errors.Is(err, ErrProtocol) {
				t.Errorf("response on a defunct connection: %v", err)
			}
		})
	}
}

func TestStateMachineOnResponseWithTheWrongRequest(t *testing.T) {
	m := machineIn(t, V5_8, StateReady)
	run := &Run{}
	if err := m.Allow(run); err != nil {
		t.Fatal(err)
	}
	err := m.OnResponse(&Begin{}, successResp(Success{}))
	if !errors.Is(err, ErrUsage) {
		t.Fatalf("err = %v, want ErrUsage", err)
	}
	if m.State() != StateReady || m.Pending() != 1 {
		t.Errorf("a misdirected response changed the machine: %s, %d pending", m.State(), m.Pending())
	}
}

func TestServerStateNames(t *testing.T) {
	for s, want := range map[ServerState]string{
		StateConnected: "CONNECTED", StateAuthentication: "AUTHENTICATION", StateReady: "READY",
		StateStreaming: "STREAMING", StateTxReady: "TX_READY", StateTxStreaming: "TX_STREAMING",
		StateFailed: "FAILED", StateInterrupted: "INTERRUPTED", StateDefunct: "DEFUNCT", 42: "ServerState(42)",
	} {
		if s.String() != want {
			t.Errorf("%d: %q, want %q", s, s.String(), want)
		}
	}
}
