package bolt

import (
	"reflect"
	"testing"
	"time"
)

// Golden bytes of request messages, written by hand from the examples of
// bolt/message.adoc. Dictionaries the encoder builds have a fixed key order
// (the order of the specification's field lists; authentication tokens and
// routing contexts sorted by key), which the bytes below follow.
func TestRequestGoldenBytes(t *testing.T) {
	basicAuth := map[string]any{"scheme": "basic", "principal": "neo4j", "credentials": "password"}
	routingCtx := map[string]string{
		"address": "x.example.com:9001",
		"policy":  "example_policy_routing_context",
		"region":  "example_region_routing_context",
	}
	routingCtxBytes := cat("A3", ps("address"), ps("x.example.com:9001"),
		ps("policy"), ps("example_policy_routing_context"),
		ps("region"), ps("example_region_routing_context"))

	tests := []struct {
		name string
		v    Version
		req  Request
		want []byte
	}{
		{"HELLO 3.0 with basic auth", V3_0,
			&Hello{UserAgent: "Example/3.0.0", Auth: basicAuth},
			cat("B1 01 A4", ps("user_agent"), ps("Example/3.0.0"),
				ps("credentials"), ps("password"), ps("principal"), ps("neo4j"), ps("scheme"), ps("basic"))},
		{"HELLO 4.1 with routing", V4_1,
			&Hello{UserAgent: "Example/4.1.0", Auth: map[string]any{"scheme": "none"},
				Routing: map[string]string{"address": "x.example.com:9001"}},
			cat("B1 01 A3", ps("user_agent"), ps("Example/4.1.0"),
				ps("routing"), "A1", ps("address"), ps("x.example.com:9001"),
				ps("scheme"), ps("none"))},
		{"HELLO 4.4 asking for the utc patch", V4_4,
			&Hello{UserAgent: "Example/4.2.0", Routing: routingCtx, PatchBolt: []string{"utc"}},
			cat("B1 01 A3", ps("user_agent"), ps("Example/4.2.0"),
				ps("routing"), routingCtxBytes,
				ps("patch_bolt"), "91", ps("utc"))},
		{"HELLO 5.1 without auth", V5_1,
			&Hello{UserAgent: "Example/5.1.0"},
			cat("B1 01 A1", ps("user_agent"), ps("Example/5.1.0"))},
		{"HELLO 5.3 with bolt_agent (spec example 1)", V5_3,
			&Hello{UserAgent: "Example/4.1.0", Routing: map[string]string{"address": "x.example.com:9001"},
				BoltAgent: BoltAgent{Product: "neo4j-fortran-alice-doe/42.69.0", Platform: "Linux 5.15.0-58-generic; x86_64",
					Language: "Fortran/77", LanguageDetails: "gfortran 9.3.0"}},
			cat("B1 01 A3", ps("user_agent"), ps("Example/4.1.0"),
				ps("routing"), "A1", ps("address"), ps("x.example.com:9001"),
				ps("bolt_agent"), "A4",
				ps("product"), ps("neo4j-fortran-alice-doe/42.69.0"),
				ps("platform"), ps("Linux 5.15.0-58-generic; x86_64"),
				ps("language"), ps("Fortran/77"),
				ps("language_details"), ps("gfortran 9.3.0"))},
		{"HELLO 5.6 with notification filters", V5_6,
			&Hello{UserAgent: "Example/5.6.0", NotificationsMinSeverity: "WARNING",
				NotificationsDisabled: []string{"HINT", "GENERIC"}, BoltAgent: BoltAgent{Product: "boltrx/0.1"}},
			cat("B1 01 A4", ps("user_agent"), ps("Example/5.6.0"),
				ps("notifications_minimum_severity"), ps("WARNING"),
				ps("notifications_disabled_classifications"), "92", ps("HINT"), ps("GENERIC"),
				ps("bolt_agent"), "A1", ps("product"), ps("boltrx/0.1"))},
		{"INIT 1.0", v1_0,
			&Init{UserAgent: "Example/1.0.0", Auth: basicAuth},
			cat("B2 01", ps("Example/1.0.0"), "A3",
				ps("credentials"), ps("password"), ps("principal"), ps("neo4j"), ps("scheme"), ps("basic"))},
		{"ACK_FAILURE 2.0", v2_0, &AckFailure{}, hx("B0 0E")},
		{"LOGON 5.1", V5_1,
			&Logon{Auth: map[string]any{"scheme": "basic", "principal": "user", "credentials": "password"}},
			cat("B1 6A A3", ps("credentials"), ps("password"), ps("principal"), ps("user"), ps("scheme"), ps("basic"))},
		{"LOGOFF 5.1", V5_1, &Logoff{}, hx("B0 6B")},
		{"TELEMETRY 0", V5_4, &Telemetry{API: TelemetryManagedTx}, hx("B1 54 00")},
		{"TELEMETRY 3", V5_8, &Telemetry{API: TelemetryExecuteQuery}, hx("B1 54 03")},
		{"GOODBYE", V3_0, &Goodbye{}, hx("B0 02")},
		{"RESET", V4_4, &Reset{}, hx("B0 0F")},
		{"COMMIT", V5_0, &Commit{}, hx("B0 12")},
		{"ROLLBACK", V5_0, &Rollback{}, hx("B0 13")},

		{"RUN 1.0 without extra", v1_0,
			&Run{Query: "RETURN 1", Params: map[string]any{}},
			cat("B2 10", ps("RETURN 1"), "A0")},
		{"RUN 3.0 (spec example 1)", V3_0,
			&Run{Query: "RETURN $x AS x", Params: map[string]any{"x": int64(1)}, TxConfig: TxConfig{
				Bookmarks: []string{"bm:1"}, TxTimeout: 123 * time.Millisecond,
				TxMetadata: map[string]any{"log": "example_message"}, Mode: ModeRead}},
			cat("B3 10", ps("RETURN $x AS x"), "A1", ps("x"), "01", "A4",
				ps("bookmarks"), "91", ps("bm:1"),
				ps("tx_timeout"), "7B",
				ps("tx_metadata"), "A1", ps("log"), ps("example_message"),
				ps("mode"), ps("r"))},
		{"RUN 4.0 with db", V4_0,
			&Run{Query: "RETURN 1", Params: map[string]any{}, TxConfig: TxConfig{Database: "neo4j"}},
			cat("B3 10", ps("RETURN 1"), "A0", "A1", ps("db"), ps("neo4j"))},
		{"RUN 4.4 with imp_user", V4_4,
			&Run{Query: "RETURN 1", Params: map[string]any{}, TxConfig: TxConfig{Mode: ModeRead, Database: "adb", ImpersonatedUser: "bob"}},
			cat("B3 10", ps("RETURN 1"), "A0", "A3", ps("mode"), ps("r"), ps("db"), ps("adb"), ps("imp_user"), ps("bob"))},
		{"RUN 5.2 with notification categories", V5_2,
			&Run{Query: "RETURN 42", Params: map[string]any{}, TxConfig: TxConfig{NotificationsMinSeverity: "WARNING", NotificationsDisabled: []string{"HINT", "GENERIC"}}},
			cat("B3 10", ps("RETURN 42"), "A0", "A2",
				ps("notifications_minimum_severity"), ps("WARNING"),
				ps("notifications_disabled_categories"), "92", ps("HINT"), ps("GENERIC"))},
		{"RUN 5.6 with notification classifications (spec example 3)", V5_6,
			&Run{Query: "RETURN 42", Params: map[string]any{}, TxConfig: TxConfig{NotificationsMinSeverity: "WARNING", NotificationsDisabled: []string{"HINT", "GENERIC"}}},
			cat("B3 10", ps("RETURN 42"), "A0", "A2",
				ps("notifications_minimum_severity"), ps("WARNING"),
				ps("notifications_disabled_classifications"), "92", ps("HINT"), ps("GENERIC"))},
		{"RUN 5.6 disabling no category", V5_6,
			&Run{Query: "RETURN 42", Params: map[string]any{}, TxConfig: TxConfig{NotificationsDisabled: []string{}}},
			cat("B3 10", ps("RETURN 42"), "A0", "A1", ps("notifications_disabled_classifications"), "90")},

		{"PULL_ALL 3.0", V3_0, &Pull{N: All, Qid: LastQuery}, hx("B0 3F")},
		{"DISCARD_ALL 3.0", V3_0, &Discard{N: All, Qid: LastQuery}, hx("B0 2F")},
		{"PULL 4.0 n=1000 (spec example 2)", V4_0, &Pull{N: 1000, Qid: LastQuery}, hx("B1 3F A1 81 6E C9 03 E8")},
		{"PULL 4.0 all of qid 7", V4_0, &Pull{N: All, Qid: 7}, hx("B1 3F A2 81 6E FF 83 71 69 64 07")},
		{"DISCARD 4.4 all", V4_4, &Discard{N: All, Qid: LastQuery}, hx("B1 2F A1 81 6E FF")},
		{"DISCARD 5.0 n=1000 of qid 0", V5_0, &Discard{N: 1000, Qid: 0}, hx("B1 2F A2 81 6E C9 03 E8 83 71 69 64 00")},

		{"BEGIN 3.0 empty", V3_0, &Begin{}, hx("B1 11 A0")},
		{"BEGIN 4.4 with every transaction field", V4_4,
			&Begin{TxConfig: TxConfig{Bookmarks: []string{"example-bookmark:1", "example-bookmark2"},
				TxTimeout: 123 * time.Millisecond, TxMetadata: map[string]any{"log": "example_log_data"},
				Mode: ModeRead, Database: "example_database", ImpersonatedUser: "bob"}},
			cat("B1 11 A6",
				ps("bookmarks"), "92", ps("example-bookmark:1"), ps("example-bookmark2"),
				ps("tx_timeout"), "7B",
				ps("tx_metadata"), "A1", ps("log"), ps("example_log_data"),
				ps("mode"), ps("r"),
				ps("db"), ps("example_database"),
				ps("imp_user"), ps("bob"))},
		{"BEGIN 5.6 notifications (spec example 3)", V5_6,
			&Begin{TxConfig: TxConfig{NotificationsMinSeverity: "WARNING", NotificationsDisabled: []string{"HINT", "GENERIC"}}},
			cat("B1 11 A2",
				ps("notifications_minimum_severity"), ps("WARNING"),
				ps("notifications_disabled_classifications"), "92", ps("HINT"), ps("GENERIC"))},

		{"ROUTE 4.3 (spec example)", V4_3,
			&Route{Routing: map[string]string{"address": "x.example.com:7687"}, Bookmarks: []string{}},
			cat("B3 66 A1", ps("address"), ps("x.example.com:7687"), "90 C0")},
		{"ROUTE 4.3 with db", V4_3,
			&Route{Routing: map[string]string{}, Bookmarks: []string{"bm"}, Database: "adb"},
			cat("B3 66 A0 91", ps("bm"), ps("adb"))},
		{"ROUTE 4.4 (spec example)", V4_4,
			&Route{Routing: routingCtx,
				Bookmarks: []string{"neo4j-bookmark-transaction:1", "neo4j-bookmark-transaction:2"},
				Database:  "example_database", ImpersonatedUser: "bob"},
			cat("B3 66", routingCtxBytes,
				"92", ps("neo4j-bookmark-transaction:1"), ps("neo4j-bookmark-transaction:2"),
				"A2", ps("db"), ps("example_database"), ps("imp_user"), ps("bob"))},
		{"ROUTE 5.0 default database", V5_0,
			&Route{Routing: map[string]string{}, Bookmarks: []string{}},
			hx("B3 66 A0 90 A0")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			caps := capsOf(t, tc.v)
			got, err := encodeRequest(t, caps, tc.req)
			if err != nil {
				t.Fatalf("encode: %v", err)
			}
			diffBytes(t, got, tc.want)

			back, err := DecodeRequest(tc.want, caps, caps.Dialect(false))
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if !reflect.DeepEqual(back, tc.req) {
				t.Errorf("decoded %#v\nwant %#v", back, tc.req)
			}
		})
	}
}

func TestTxTimeoutIsRoundedUpToMilliseconds(t *testing.T) {
	caps := capsOf(t, V5_0)
	for _, tc := range []struct {
		d    time.Duration
		want []byte
	}{
		{time.Microsecond, hx("01")},
		{time.Millisecond, hx("01")},
		{1500 * time.Microsecond, hx("02")},
		{5 * time.Second, hx("C9 13 88")},
	} {
		got, err := encodeRequest(t, caps, &Begin{TxConfig: TxConfig{TxTimeout: tc.d}})
		if err != nil {
			t.Fatal(err)
		}
		diffBytes(t, got, cat("B1 11 A1", ps("tx_timeout"), tc.want))
	}
	// Zero and negative timeouts are not sent.
	for _, d := range []time.Duration{0, -time.Second} {
		got, err := encodeRequest(t, caps, &Begin{TxConfig: TxConfig{TxTimeout: d}})
		if err != nil {
			t.Fatal(err)
		}
		diffBytes(t, got, hx("B1 11 A0"))
	}
}

func TestNoTxTimeoutSendsZero(t *testing.T) {
	caps := capsOf(t, V5_0)
	req := &Begin{TxConfig: TxConfig{NoTxTimeout: true}}
	got, err := encodeRequest(t, caps, req)
	if err != nil {
		t.Fatal(err)
	}
	want := cat("B1 11 A1", ps("tx_timeout"), "00")
	diffBytes(t, got, want)
	back, err := DecodeRequest(want, caps, caps.Dialect(false))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, req) {
		t.Errorf("decoded %#v, want %#v", back, req)
	}
	// A positive timeout wins over NoTxTimeout.
	got, err = encodeRequest(t, caps, &Begin{TxConfig: TxConfig{TxTimeout: time.Second, NoTxTimeout: true}})
	if err != nil {
		t.Fatal(err)
	}
	diffBytes(t, got, cat("B1 11 A1", ps("tx_timeout"), "C9 03 E8"))
}

func TestWriteModeIsNotSent(t *testing.T) {
	caps := capsOf(t, V4_4)
	got, err := encodeRequest(t, caps, &Begin{TxConfig: TxConfig{Mode: ModeWrite}})
	if err != nil {
		t.Fatal(err)
	}
	diffBytes(t, got, hx("B1 11 A0"))
}

// Golden bytes of response messages (server side encoding; the client side
// decodes them back).
func TestResponseGoldenBytes(t *testing.T) {
	routeTable := &RoutingTable{TTL: 1000, Database: "foo", Servers: []RoutingServers{
		{Addresses: []string{"localhost:9001"}, Role: RoleRoute},
		{Addresses: []string{"localhost:9010", "localhost:9012"}, Role: RoleRead},
		{Addresses: []string{"localhost:9020", "localhost:9022"}, Role: RoleWrite},
	}}
	routeTableBytes := cat("A3", ps("ttl"), "C9 03 E8", ps("db"), ps("foo"), ps("servers"), "93",
		"A2", ps("addresses"), "91", ps("localhost:9001"), ps("role"), ps("ROUTE"),
		"A2", ps("addresses"), "92", ps("localhost:9010"), ps("localhost:9012"), ps("role"), ps("READ"),
		"A2", ps("addresses"), "92", ps("localhost:9020"), ps("localhost:9022"), ps("role"), ps("WRITE"))

	gqlFailure := &Failure{
		Code:        "Neo.ClientError.Request.Invalid",
		Message:     "Unexpected type: Expected INT but got STRING",
		GQLStatus:   "22G03",
		Description: "error: data exception - invalid value type",
		Cause: &Failure{
			Message:          "22N01: Expected the value 128 to be of type INT, but was of type STRING.",
			GQLStatus:        "22N01",
			Description:      "error: data exception - invalid type. Expected the value 128 to be of type INT, but was of type STRING.",
			DiagnosticRecord: map[string]any{"_classification": "CLIENT_ERROR"},
		},
	}

	tests := []struct {
		name string
		v    Version
		resp *Response
		want []byte
	}{
		{"SUCCESS of ROUTE 4.4 (spec example)", V4_4,
			&Response{Kind: ResponseSuccess, Success: Success{Present: KeyRoutingTable, RoutingTable: routeTable}},
			cat("B1 70 A1", ps("rt"), routeTableBytes)},
		{"SUCCESS of RUN 4.0 (spec example)", V4_0,
			&Response{Kind: ResponseSuccess, Success: Success{Present: KeyFields | KeyTFirst | KeyQid,
				Fields: []string{"x"}, TFirst: 123, Qid: 7000}},
			cat("B1 70 A3", ps("fields"), "91", ps("x"), ps("t_first"), "7B", ps("qid"), "C9 1B 58")},
		{"SUCCESS of RUN 1.0 uses result_available_after", v1_0,
			&Response{Kind: ResponseSuccess, Success: Success{Present: KeyFields | KeyTFirst,
				Fields: []string{"x"}, TFirst: 123}},
			cat("B1 70 A2", ps("fields"), "91", ps("x"), ps("result_available_after"), "7B")},
		{"SUCCESS of PULL with has_more", V4_4,
			&Response{Kind: ResponseSuccess, Success: Success{Present: KeyHasMore, HasMore: true}},
			cat("B1 70 A1", ps("has_more"), "C3")},
		{"SUCCESS of PULL with bookmark and db (spec example 2)", V4_4,
			&Response{Kind: ResponseSuccess, Success: Success{Present: KeyBookmark | KeyDatabase,
				Bookmark: "example-bookmark:1", Database: "example_database"}},
			cat("B1 70 A2", ps("bookmark"), ps("example-bookmark:1"), ps("db"), ps("example_database"))},
		{"SUCCESS of HELLO with hints", V4_4,
			&Response{Kind: ResponseSuccess, Success: Success{Present: KeyHints | KeyServer | KeyPatchBolt,
				Hints: Hints{RecvTimeoutSeconds: 120}, Server: "Neo4j/4.4.0", PatchBolt: []string{"utc"}}},
			cat("B1 70 A3", ps("hints"), "A1", ps("connection.recv_timeout_seconds"), "78",
				ps("server"), ps("Neo4j/4.4.0"), ps("patch_bolt"), "91", ps("utc"))},
		{"empty SUCCESS", V3_0, &Response{Kind: ResponseSuccess}, hx("B1 70 A0")},
		{"RECORD (spec example 1)", V5_0,
			&Response{Kind: ResponseRecord, Record: Record{Values: []any{"1", "2", "3"}}},
			cat("B1 71 93", ps("1"), ps("2"), ps("3"))},
		{"IGNORED", V5_0, &Response{Kind: ResponseIgnored}, hx("B0 7E")},
		{"FAILURE 5.6 (code)", V5_6,
			&Response{Kind: ResponseFailure, Failure: Failure{Code: "Example.Failure.Code", Message: "example failure"}},
			cat("B1 7F A2", ps("code"), ps("Example.Failure.Code"), ps("message"), ps("example failure"))},
		{"FAILURE 5.7 with a cause (spec TELEMETRY example 2)", V5_7,
			&Response{Kind: ResponseFailure, Failure: *gqlFailure},
			cat("B1 7F A5",
				ps("neo4j_code"), ps("Neo.ClientError.Request.Invalid"),
				ps("message"), ps("Unexpected type: Expected INT but got STRING"),
				ps("gql_status"), ps("22G03"),
				ps("description"), ps("error: data exception - invalid value type"),
				ps("cause"), "A4",
				ps("message"), ps("22N01: Expected the value 128 to be of type INT, but was of type STRING."),
				ps("gql_status"), ps("22N01"),
				ps("description"), ps("error: data exception - invalid type. Expected the value 128 to be of type INT, but was of type STRING."),
				ps("diagnostic_record"), "A1", ps("_classification"), ps("CLIENT_ERROR"))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			caps := capsOf(t, tc.v)
			got, err := encodeResponse(t, caps, tc.resp)
			if err != nil {
				t.Fatalf("encode: %v", err)
			}
			diffBytes(t, got, tc.want)

			var back Response
			if err := DecodeResponse(tc.want, caps, caps.Dialect(false), &back); err != nil {
				t.Fatalf("decode: %v", err)
			}
			if !reflect.DeepEqual(&back, tc.resp) {
				t.Errorf("decoded %+v\nwant %+v", back, *tc.resp)
			}
		})
	}
}

// Decoding metadata in the order the specification's examples use (not the
// encoder's order).
func TestDecodeSuccessInSpecOrder(t *testing.T) {
	caps := capsOf(t, V4_4)
	msg := cat("B1 70 A3", ps("server"), ps("Neo4j/4.4.0"), ps("patch_bolt"), "91", ps("utc"),
		ps("hints"), "A1", ps("connection.recv_timeout_seconds"), "78")
	var resp Response
	if err := DecodeResponse(msg, caps, caps.Dialect(false), &resp); err != nil {
		t.Fatal(err)
	}
	want := Success{Present: KeyServer | KeyPatchBolt | KeyHints, Server: "Neo4j/4.4.0",
		PatchBolt: []string{"utc"}, Hints: Hints{RecvTimeoutSeconds: 120}}
	if resp.Kind != ResponseSuccess || !reflect.DeepEqual(resp.Success, want) {
		t.Errorf("got %v %+v, want %+v", resp.Kind, resp.Success, want)
	}
}

// The spec's LOGOFF example labelled 5.1+ carries the 5.7 keys with a
// cause; the spec's FAILURE examples show "code" on 5.7 too. Both key sets
// decode on any version.
func TestDecodeFailureAcceptsBothCodeKeys(t *testing.T) {
	for _, v := range []Version{V4_4, V5_7} {
		caps := capsOf(t, v)
		for _, key := range []string{"code", "neo4j_code"} {
			msg := cat("B1 7F A3", ps(key), ps("Neo.ClientError.Request.Invalid"), ps("message"), ps("m"),
				ps("cause"), "A2", ps("gql_status"), ps("08N10"), ps("cause"), "A1", ps("message"), ps("inner"))
			var resp Response
			if err := DecodeResponse(msg, caps, caps.Dialect(false), &resp); err != nil {
				t.Fatalf("%s %s: %v", v, key, err)
			}
			f := resp.Failure
			if f.Code != "Neo.ClientError.Request.Invalid" || f.Message != "m" || f.Cause == nil ||
				f.Cause.GQLStatus != "08N10" || f.Cause.Cause == nil || f.Cause.Cause.Message != "inner" {
				t.Errorf("%s %s: decoded %+v", v, key, f)
			}
		}
	}
}

// Before 5.7 the GQL fields of a Failure are left out: the server sends
// code and message only.
func TestEncodeFailureBefore57DropsGQLFields(t *testing.T) {
	caps := capsOf(t, V5_6)
	got, err := encodeResponse(t, caps, &Failure{Code: "C", Message: "m", GQLStatus: "50N00",
		Description: "d", Cause: &Failure{Message: "inner"}})
	if err != nil {
		t.Fatal(err)
	}
	diffBytes(t, got, cat("B1 7F A2", ps("code"), ps("C"), ps("message"), ps("m")))
}
