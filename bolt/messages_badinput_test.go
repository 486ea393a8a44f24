package bolt

import (
	"errors"
	"strings"
	"testing"

	"github.com/boltrx/boltrx/packstream"
)

// Malformed responses are protocol errors that say what was wrong, wrap
// the PackStream cause where there is one, and never panic.
func TestDecodeResponseBadInput(t *testing.T) {
	tests := []struct {
		name   string
		msg    []byte
		cause  error  // a PackStream sentinel the error must match, or nil
		detail string // text the error must contain
	}{
		{"empty message", nil, packstream.ErrTruncated, "message header"},
		{"not a structure", hx("A0"), packstream.ErrUnexpectedKind, "must be a structure"},
		{"truncated header", hx("B1"), packstream.ErrTruncated, ""},
		{"unknown tag", hx("B1 55 A0"), nil, "unknown response tag 0x55"},
		{"a request tag", hx("B0 0F"), nil, "RESET"},
		{"SUCCESS without fields", hx("B0 70"), packstream.ErrFieldCount, "SUCCESS: 0 fields, want 1"},
		{"SUCCESS with two fields", hx("B2 70 A0 A0"), packstream.ErrFieldCount, "2 fields"},
		{"SUCCESS metadata not a map", hx("B1 70 90"), packstream.ErrUnexpectedKind, "metadata: want map, got list"},
		{"SUCCESS truncated in a key", cat("B1 70 A1 85 61 62"), packstream.ErrTruncated, "metadata key"},
		{"SUCCESS truncated after a key", cat("B1 70 A1", ps("has_more")), packstream.ErrTruncated, "has_more"},
		{"has_more not a bool", cat("B1 70 A1", ps("has_more"), ps("true")), packstream.ErrUnexpectedKind, "has_more: want boolean, got string"},
		{"qid not an int", cat("B1 70 A1", ps("qid"), "C1 00 00 00 00 00 00 00 00"), packstream.ErrUnexpectedKind, "qid: want integer, got float"},
		{"fields not strings", cat("B1 70 A1", ps("fields"), "91 01"), packstream.ErrUnexpectedKind, "fields[0]"},
		{"bookmark a list", cat("B1 70 A1", ps("bookmark"), "90"), packstream.ErrUnexpectedKind, "bookmark"},
		{"stats a list", cat("B1 70 A1", ps("stats"), "90"), packstream.ErrUnexpectedKind, "stats"},
		{"notification not a map", cat("B1 70 A1", ps("notifications"), "91 01"), packstream.ErrUnexpectedKind, "notifications[0]"},
		{"rt without servers", cat("B1 70 A1", ps("rt"), "A1", ps("ttl"), "01"), nil, "without ttl or servers"},
		{"rt ttl a string", cat("B1 70 A1", ps("rt"), "A1", ps("ttl"), ps("1")), packstream.ErrUnexpectedKind, "rt.ttl"},
		{"rt role not a string", cat("B1 70 A1", ps("rt"), "A2", ps("ttl"), "01", ps("servers"), "91 A1", ps("role"), "01"), packstream.ErrUnexpectedKind, "rt.servers.role"},
		{"hint of the wrong type", cat("B1 70 A1", ps("hints"), "A1", ps("telemetry.enabled"), "01"), packstream.ErrUnexpectedKind, "telemetry.enabled"},
		{"unknown key with a bad value", cat("B1 70 A1", ps("x"), "C7"), packstream.ErrUnknownMarker, "x"},
		{"trailing bytes", cat("B1 70 A0 00"), nil, "1 trailing bytes"},
		{"RECORD without a list", hx("B1 71 A0"), packstream.ErrUnexpectedKind, "data: want list"},
		{"RECORD with two fields", hx("B2 71 90 90"), packstream.ErrFieldCount, "RECORD"},
		{"RECORD truncated", hx("B1 71 92 01"), packstream.ErrTruncated, "RECORD"},
		{"RECORD with a bad structure", hx("B1 71 91 B1 00 01"), packstream.ErrUnknownStructure, "RECORD"},
		{"IGNORED with a field", hx("B1 7E A0"), packstream.ErrFieldCount, "IGNORED"},
		{"FAILURE without fields", hx("B0 7F"), packstream.ErrFieldCount, "FAILURE"},
		{"FAILURE code not a string", cat("B1 7F A1", ps("code"), "01"), packstream.ErrUnexpectedKind, "code"},
		{"FAILURE cause not a map", cat("B1 7F A1", ps("cause"), "90"), packstream.ErrUnexpectedKind, "cause"},
		{"FAILURE cause chain too deep", deepCause(40), packstream.ErrTooDeep, "cause chain"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, v := range []Version{V3_0, V4_4, V5_8, V6_1} {
				caps := capsOf(t, v)
				resp := Response{Kind: ResponseSuccess}
				err := DecodeResponse(tc.msg, caps, caps.Dialect(false), &resp)
				if !errors.Is(err, ErrProtocol) {
					t.Fatalf("%s: err = %v, want ErrProtocol", v, err)
				}
				if tc.cause != nil && !errors.Is(err, tc.cause) {
					t.Errorf("%s: err = %v, want it to match %v", v, err, tc.cause)
				}
				if !strings.Contains(err.Error(), tc.detail) {
					t.Errorf("%s: error %q does not mention %q", v, err, tc.detail)
				}
				if resp.Kind != ResponseNone {
					t.Errorf("%s: Kind = %v after an error, want NONE", v, resp.Kind)
				}
			}
		})
	}
}

// deepCause builds a FAILURE whose cause chain is n levels deep.
func deepCause(n int) []byte {
	msg := hx("B1 7F")
	for i := 0; i < n; i++ {
		msg = append(msg, cat("A1", ps("cause"))...)
	}
	return append(msg, 0xA0)
}

// Null values in metadata mean "absent".
func TestDecodeSuccessNullIsAbsent(t *testing.T) {
	caps := capsOf(t, V5_8)
	msg := cat("B1 70 A5", ps("db"), "C0", ps("has_more"), "C0", ps("rt"), "C0", ps("fields"), "C0", ps("advertised_address"), "C0")
	var resp Response
	if err := DecodeResponse(msg, caps, caps.Dialect(false), &resp); err != nil {
		t.Fatal(err)
	}
	if resp.Success.Present != 0 || resp.Success.RoutingTable != nil || resp.Success.Fields != nil {
		t.Errorf("nulls decoded as %+v", resp.Success)
	}
}

// Malformed requests are protocol errors on the server side too.
func TestDecodeRequestBadInput(t *testing.T) {
	tests := []struct {
		name   string
		msg    []byte
		cause  error
		detail string
	}{
		{"empty message", nil, packstream.ErrTruncated, ""},
		{"not a structure", hx("90"), packstream.ErrUnexpectedKind, "structure"},
		{"RUN without fields", hx("B0 10"), packstream.ErrFieldCount, "RUN"},
		{"RUN query not a string", hx("B3 10 01 A0 A0"), packstream.ErrUnexpectedKind, "query"},
		{"RUN params not a map", cat("B3 10", ps("q"), "90 A0"), packstream.ErrUnexpectedKind, "parameters"},
		{"RUN truncated params", cat("B3 10", ps("q"), "A1", ps("x")), packstream.ErrTruncated, "parameters"},
		{"bookmarks not strings", cat("B1 11 A1", ps("bookmarks"), "91 01"), packstream.ErrUnexpectedKind, "bookmarks[0]"},
		{"negative tx_timeout", cat("B1 11 A1", ps("tx_timeout"), "FF"), nil, "tx_timeout: -1 ms is out of range"},
		{"huge tx_timeout", cat("B1 11 A1", ps("tx_timeout"), "CB 7F FF FF FF FF FF FF FF"), nil, "out of range"},
		{"HELLO routing values not strings", cat("B1 01 A1", ps("routing"), "A1", ps("address"), "01"), packstream.ErrUnexpectedKind, "routing"},
		{"TELEMETRY api a string", cat("B1 54", ps("oh no!")), packstream.ErrUnexpectedKind, "api"},
		{"PULL n a string", cat("B1 3F A1", ps("n"), ps("1")), packstream.ErrUnexpectedKind, "n: want integer"},
		{"COMMIT with a field", hx("B1 12 A0"), packstream.ErrFieldCount, "COMMIT"},
		{"trailing bytes", hx("B0 0F 00"), nil, "trailing"},
		{"map key not a string", hx("B1 11 A1 01 01"), packstream.ErrUnexpectedKind, "extra key"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			caps := capsOf(t, V5_8)
			_, err := DecodeRequest(tc.msg, caps, caps.Dialect(false))
			if !errors.Is(err, ErrProtocol) {
				t.Fatalf("err = %v, want ErrProtocol", err)
			}
			if tc.cause != nil && !errors.Is(err, tc.cause) {
				t.Errorf("err = %v, want it to match %v", err, tc.cause)
			}
			if !strings.Contains(err.Error(), tc.detail) {
				t.Errorf("error %q does not mention %q", err, tc.detail)
			}
		})
	}
}

// ProtocolError reports the offset and keeps the PackStream error's.
func TestProtocolErrorOffsets(t *testing.T) {
	caps := capsOf(t, V5_8)
	var resp Response
	err := DecodeResponse(cat("B1 70 A1", ps("has_more"), "01"), caps, caps.Dialect(false), &resp)
	var pe *ProtocolError
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v", err)
	}
	if pe.Offset != 12 || pe.Message != "SUCCESS" {
		t.Errorf("offset %d message %q, want 12 SUCCESS", pe.Offset, pe.Message)
	}
	err = DecodeResponse(hx("B1 71 92 01"), caps, caps.Dialect(false), &resp)
	var de *packstream.DecodeError
	if !errors.As(err, &de) || !errors.As(err, &pe) {
		t.Fatalf("err = %v, want a ProtocolError wrapping a DecodeError", err)
	}
	if pe.Message != "RECORD" {
		t.Errorf("message %q", pe.Message)
	}
}

// Unknown keys are skipped where the message has no Extra.
func TestDecodeSkipsUnknownNestedKeys(t *testing.T) {
	caps := capsOf(t, V5_8)
	var resp Response
	failureMsg := cat("B1 7F A3", ps("neo4j_code"), ps("C"), ps("future"), "A1", ps("x"), "91 01",
		ps("cause"), "A2", ps("other"), "C3", ps("message"), ps("inner"))
	if err := DecodeResponse(failureMsg, caps, caps.Dialect(false), &resp); err != nil {
		t.Fatal(err)
	}
	if resp.Failure.Code != "C" || resp.Failure.Cause == nil || resp.Failure.Cause.Message != "inner" {
		t.Errorf("FAILURE decoded as %+v", resp.Failure)
	}
	rtMsg := cat("B1 70 A1", ps("rt"), "A3", ps("ttl"), "01", ps("future"), "90",
		ps("servers"), "91 A3", ps("x"), "01", ps("role"), ps("READ"), ps("addresses"), "90")
	if err := DecodeResponse(rtMsg, caps, caps.Dialect(false), &resp); err != nil {
		t.Fatal(err)
	}
	if rt := resp.Success.RoutingTable; rt == nil || rt.TTL != 1 || len(rt.Servers) != 1 || rt.Servers[0].Role != RoleRead {
		t.Errorf("rt decoded as %+v", rt)
	}
	helloMsg := cat("B1 01 A2", ps("user_agent"), ps("a"), ps("bolt_agent"), "A2", ps("product"), ps("p"), ps("future"), "01")
	req, err := DecodeRequest(helloMsg, caps, caps.Dialect(false))
	if err != nil {
		t.Fatal(err)
	}
	if h := req.(*Hello); h.BoltAgent.Product != "p" {
		t.Errorf("HELLO decoded as %+v", h)
	}
}
