package bolt

import (
	"errors"
	"strings"
	"testing"
)

// A message or field the version cannot carry is a usage error naming the
// message, the field and the version; nothing is silently dropped.
func TestRequestFieldsTheVersionCannotCarry(t *testing.T) {
	tests := []struct {
		name      string
		v         Version
		req       Request
		field     string // "" = the whole message
		wantInMsg string
	}{
		{"database on 3.0", V3_0, &Run{Query: "RETURN 1", TxConfig: TxConfig{Database: "movies"}}, "db", `RUN field "db" is not supported by protocol version 3.0`},
		{"database in BEGIN on 3.0", V3_0, &Begin{TxConfig: TxConfig{Database: "movies"}}, "db", "3.0"},
		{"imp_user on 4.3", V4_3, &Run{Query: "RETURN 1", TxConfig: TxConfig{ImpersonatedUser: "bob"}}, "imp_user", `"imp_user"`},
		{"imp_user in BEGIN on 4.3", V4_3, &Begin{TxConfig: TxConfig{ImpersonatedUser: "bob"}}, "imp_user", "4.3"},
		{"imp_user in ROUTE on 4.3", V4_3, &Route{ImpersonatedUser: "bob"}, "imp_user", "ROUTE"},
		{"notification severity on 5.1", V5_1, &Run{Query: "RETURN 1", TxConfig: TxConfig{NotificationsMinSeverity: "WARNING"}}, "notifications_minimum_severity", "5.1"},
		{"disabled categories on 5.1", V5_1, &Begin{TxConfig: TxConfig{NotificationsDisabled: []string{}}}, "notifications_disabled_categories", "5.1"},
		{"notification filters in HELLO on 5.1", V5_1, &Hello{NotificationsMinSeverity: "OFF"}, "notifications_minimum_severity", "HELLO"},
		{"transaction settings on 2.0", v2_0, &Run{Query: "RETURN 1", TxConfig: TxConfig{Bookmarks: []string{"b"}}}, "extra", "2.0"},
		{"auth in HELLO on 5.1", V5_1, &Hello{Auth: map[string]any{"scheme": "none"}}, "auth", "LOGON"},
		{"routing in HELLO on 4.0", V4_0, &Hello{Routing: map[string]string{}}, "routing", "4.0"},
		{"patch_bolt on 5.0", V5_0, &Hello{PatchBolt: []string{"utc"}}, "patch_bolt", "5.0"},
		{"patch_bolt on 4.2", V4_2, &Hello{PatchBolt: []string{"utc"}}, "patch_bolt", "4.2"},
		{"bolt_agent on 5.2", V5_2, &Hello{BoltAgent: BoltAgent{Product: "p"}}, "bolt_agent", "5.2"},
		{"PULL n on 3.0", V3_0, &Pull{N: 100, Qid: LastQuery}, "n", "PULL"},
		{"PULL qid on 3.0", V3_0, &Pull{N: All, Qid: 3}, "qid", "3.0"},
		{"DISCARD n on 3.0", V3_0, &Discard{N: 5, Qid: LastQuery}, "n", "DISCARD"},
		{"TELEMETRY on 5.3", V5_3, &Telemetry{API: 0}, "", "message TELEMETRY is not supported by protocol version 5.3"},
		{"LOGON on 5.0", V5_0, &Logon{}, "", "LOGON"},
		{"LOGOFF on 4.4", V4_4, &Logoff{}, "", "LOGOFF"},
		{"ROUTE on 4.2", V4_2, &Route{}, "", "dbms.routing.getRoutingTable"},
		{"BEGIN on 2.0", v2_0, &Begin{}, "", "BEGIN"},
		{"COMMIT on 1.0", v1_0, &Commit{}, "", "COMMIT"},
		{"GOODBYE on 2.0", v2_0, &Goodbye{}, "", "GOODBYE"},
		{"HELLO on 2.0", v2_0, &Hello{}, "", "INIT"},
		{"INIT on 3.0", V3_0, &Init{}, "", "INIT"},
		{"ACK_FAILURE on 3.0", V3_0, &AckFailure{}, "", "ACK_FAILURE"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			caps := capsOf(t, tc.v)
			_, err := encodeRequest(t, caps, tc.req)
			if !errors.Is(err, ErrUsage) {
				t.Fatalf("err = %v, want ErrUsage", err)
			}
			var ve *VersionError
			if !errors.As(err, &ve) {
				t.Fatalf("err = %T %v, want *VersionError", err, err)
			}
			if ve.Field != tc.field || ve.Version != tc.v {
				t.Errorf("field %q version %s, want %q %s", ve.Field, ve.Version, tc.field, tc.v)
			}
			if !strings.Contains(err.Error(), tc.wantInMsg) {
				t.Errorf("message %q does not mention %q", err, tc.wantInMsg)
			}
		})
	}
}

// Values the protocol does not accept are usage errors too.
func TestRequestInvalidValues(t *testing.T) {
	tests := []struct {
		name  string
		v     Version
		req   Request
		field string
	}{
		{"mode", V4_4, &Run{TxConfig: TxConfig{Mode: "x"}}, "mode"},
		{"PULL n=0", V4_4, &Pull{N: 0, Qid: LastQuery}, "n"},
		{"PULL n=-2", V4_4, &Pull{N: -2, Qid: LastQuery}, "n"},
		{"DISCARD qid=-2", V4_4, &Discard{N: All, Qid: -2}, "qid"},
		{"bolt_agent without product on 5.3", V5_3, &Hello{}, "bolt_agent"},
		{"auth colliding with a HELLO key", V4_4, &Hello{Auth: map[string]any{"user_agent": "x"}}, "user_agent"},
	}
	for _, tc := range tests {
		_, err := encodeRequest(t, capsOf(t, tc.v), tc.req)
		var ie *InvalidRequestError
		if !errors.As(err, &ie) || !errors.Is(err, ErrUsage) || ie.Field != tc.field {
			t.Errorf("%s: err = %v, want *InvalidRequestError for %q", tc.name, err, tc.field)
		}
	}
}

// Parameter values PackStream cannot encode surface the encoder's error.
func TestRequestUnencodableParameter(t *testing.T) {
	caps := capsOf(t, V5_8)
	_, err := encodeRequest(t, caps, &Run{Query: "RETURN $x", Params: map[string]any{"x": make(chan int)}})
	if err == nil || errors.Is(err, ErrUsage) {
		t.Fatalf("err = %v, want the encoder's error", err)
	}
	if !strings.Contains(err.Error(), "$x") {
		t.Errorf("error %q does not name the parameter", err)
	}
}

// A server decoding a request rejects fields and messages the version does
// not have as protocol violations.
func TestDecodeRequestVersionMismatch(t *testing.T) {
	tests := []struct {
		name string
		v    Version
		msg  []byte
		want string
	}{
		{"imp_user in RUN on 4.3", V4_3, cat("B3 10", ps("RETURN 1"), "A0 A1", ps("imp_user"), ps("bob")), `"imp_user" is not part of protocol version 4.3`},
		{"db in BEGIN on 3.0", V3_0, cat("B1 11 A1", ps("db"), ps("x")), `"db"`},
		{"classifications on 5.4", V5_4, cat("B1 11 A1", ps("notifications_disabled_classifications"), "90"), "5.4"},
		{"categories on 5.6", V5_6, cat("B1 11 A1", ps("notifications_disabled_categories"), "90"), "5.6"},
		{"TELEMETRY on 5.3", V5_3, hx("B1 54 00"), "no such message"},
		{"ROUTE on 4.2", V4_2, cat("B3 66 A0 90 C0"), "no such message"},
		{"LOGON on 5.0", V5_0, hx("B1 6A A0"), "no such message"},
		{"auth keys in HELLO on 5.1", V5_1, cat("B1 01 A1", ps("scheme"), ps("none")), `"scheme"`},
		{"routing in HELLO on 4.0", V4_0, cat("B1 01 A1", ps("routing"), "A0"), `"routing"`},
		{"PULL with fields on 3.0", V3_0, cat("B1 3F A1", ps("n"), "FF"), "fields"},
		{"PULL_ALL on 4.0", V4_0, hx("B0 3F"), "fields"},
		{"RUN with two fields on 3.0", V3_0, cat("B2 10", ps("RETURN 1"), "A0"), "fields"},
		{"ROUTE 4.4 shape on 4.3", V4_3, cat("B3 66 A0 90 A0"), "db"},
		{"ROUTE 4.3 shape on 4.4", V4_4, cat("B3 66 A0 90 C0"), "extra"},
		{"unknown key in PULL", V4_4, cat("B1 3F A2", ps("n"), "FF", ps("x"), "01"), `"x"`},
		{"PULL without n", V4_4, cat("B1 3F A1", ps("qid"), "01"), "n: missing"},
		{"unknown tag", V5_0, hx("B0 55"), "unknown request tag 0x55"},
		{"a response sent as a request", V5_0, hx("B0 7E"), "unknown request tag 0x7E"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			caps := capsOf(t, tc.v)
			_, err := DecodeRequest(tc.msg, caps, caps.Dialect(false))
			var pe *ProtocolError
			if !errors.As(err, &pe) || !errors.Is(err, ErrProtocol) {
				t.Fatalf("err = %v, want *ProtocolError", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not mention %q", err, tc.want)
			}
		})
	}
}
