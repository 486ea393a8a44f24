package bolt

import (
	"errors"
	"testing"
)

// Every request's Tag and Name agree with the tag table.
func TestRequestTagsAndNames(t *testing.T) {
	for _, v := range KnownVersions() {
		caps := capsOf(t, v)
		for _, req := range sampleRequests(caps) {
			tag, ok := TagByName(req.Name())
			if !ok || tag != req.Tag() {
				t.Errorf("%s: %s has tag %#x, the table says %#x (%v)", v, req.Name(), req.Tag(), tag, ok)
			}
			if caps.PullN || (req.Tag() != TagPull && req.Tag() != TagDiscard) {
				if got := MessageName(req.Tag(), v); got != req.Name() {
					t.Errorf("%s: MessageName(%#x) = %q, want %q", v, req.Tag(), got, req.Name())
				}
			}
		}
	}
}

func TestFailureAsError(t *testing.T) {
	f := &Failure{Code: "Neo.ClientError.Statement.SyntaxError", Message: "Invalid input",
		DiagnosticRecord: map[string]any{"_classification": "CLIENT_ERROR"}}
	var err error = f
	if err.Error() != "Neo.ClientError.Statement.SyntaxError: Invalid input" {
		t.Errorf("Error() = %q", err.Error())
	}
	var back *Failure
	if !errors.As(err, &back) || back.Classification() != "CLIENT_ERROR" {
		t.Errorf("classification %q", back.Classification())
	}
	if got := (&Failure{GQLStatus: "50N42", Message: "m"}).Error(); got != "50N42: m" {
		t.Errorf("without code: %q", got)
	}
	if got := (&Failure{Message: "m"}).Error(); got != "m" {
		t.Errorf("message only: %q", got)
	}
	if got := (&Failure{}).Classification(); got != "" {
		t.Errorf("no diagnostic record: %q", got)
	}
}

func TestErrorMessages(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{&VersionError{Message: "RUN", Field: "db", Version: V3_0, Detail: "databases need 4.0"},
			`bolt: RUN field "db" is not supported by protocol version 3.0 (databases need 4.0)`},
		{&VersionError{Message: "TELEMETRY", Version: V5_3},
			"bolt: message TELEMETRY is not supported by protocol version 5.3"},
		{&InvalidRequestError{Message: "BEGIN", Field: "mode", Detail: `"x" is neither "r" nor "w"`},
			`bolt: invalid BEGIN field "mode": "x" is neither "r" nor "w"`},
		{&StateError{State: StateFailed, Message: "RUN", Detail: "the server ignores it until RESET"},
			"bolt: RUN is not allowed in server state FAILED (the server ignores it until RESET)"},
		{&ProtocolError{Message: "SUCCESS", Offset: 12, Detail: "has_more: want boolean, got string"},
			"bolt: protocol violation in SUCCESS: has_more: want boolean, got string (at offset 12)"},
		{&ProtocolError{Offset: -1, Detail: "response without a pending request"},
			"bolt: protocol violation: response without a pending request"},
	}
	for _, tc := range tests {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("got  %s\nwant %s", got, tc.want)
		}
	}
	for _, err := range []error{&VersionError{}, &InvalidRequestError{}, &StateError{}} {
		if !errors.Is(err, ErrUsage) || errors.Is(err, ErrProtocol) {
			t.Errorf("%T does not match ErrUsage only", err)
		}
	}
	if err := (&ProtocolError{}); !errors.Is(err, ErrProtocol) || errors.Is(err, ErrUsage) {
		t.Errorf("ProtocolError does not match ErrProtocol only")
	}
}

func TestResponseKindNames(t *testing.T) {
	for k, want := range map[ResponseKind]string{ResponseNone: "NONE", ResponseSuccess: "SUCCESS",
		ResponseRecord: "RECORD", ResponseIgnored: "IGNORED", ResponseFailure: "FAILURE"} {
		if k.String() != want {
			t.Errorf("%d: %q, want %q", k, k.String(), want)
		}
	}
}
