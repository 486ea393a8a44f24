package bolt

import (
	"reflect"
	"testing"
	"time"

	"github.com/boltrx/boltrx/packstream"
)

// sampleRequests returns every request caps' version has, with every field
// the version can carry set.
func sampleRequests(caps *Capabilities) []Request {
	var reqs []Request
	tx := TxConfig{}
	if caps.ExplicitTransactions {
		tx = TxConfig{Bookmarks: []string{"bm:1", "bm:2"}, TxTimeout: 5 * time.Second,
			TxMetadata: map[string]any{"app": "test", "n": int64(3)}, Mode: ModeRead}
	}
	if caps.Database {
		tx.Database = "movies"
	}
	if caps.ImpersonatedUser {
		tx.ImpersonatedUser = "alice"
	}
	if caps.NotificationFilters {
		tx.NotificationsMinSeverity = "WARNING"
		tx.NotificationsDisabled = []string{"HINT"}
	}
	if caps.Hello {
		h := &Hello{UserAgent: "boltrx-test/1.0"}
		if !caps.Logon {
			h.Auth = map[string]any{"scheme": "basic", "principal": "neo4j", "credentials": "secret"}
		}
		if caps.RoutingContextInHello {
			h.Routing = map[string]string{"address": "localhost:7687", "region": "eu"}
		}
		if caps.UTCPatch {
			h.PatchBolt = []string{"utc"}
		}
		if caps.BoltAgent {
			h.BoltAgent = BoltAgent{Product: "boltrx/0.1", Platform: "linux; amd64", Language: "Go/1.26", LanguageDetails: "gc"}
		}
		if caps.NotificationFilters {
			h.NotificationsMinSeverity = "OFF"
			h.NotificationsDisabled = []string{}
		}
		reqs = append(reqs, h, &Goodbye{})
	} else {
		reqs = append(reqs, &Init{UserAgent: "boltrx-test/1.0", Auth: map[string]any{"scheme": "none"}}, &AckFailure{})
	}
	if caps.Logon {
		reqs = append(reqs, &Logon{Auth: map[string]any{"scheme": "bearer", "credentials": "token"}}, &Logoff{})
	}
	if caps.Telemetry {
		reqs = append(reqs, &Telemetry{API: TelemetryImplicitTx})
	}
	reqs = append(reqs, &Reset{},
		&Run{Query: "RETURN $x", Params: map[string]any{"x": int64(1), "s": "two", "l": []any{1.5, true, nil}}, TxConfig: tx},
		&Pull{N: All, Qid: LastQuery}, &Discard{N: All, Qid: LastQuery})
	if caps.PullN {
		reqs = append(reqs, &Pull{N: 1000, Qid: 0}, &Pull{N: 1, Qid: 12}, &Discard{N: 25, Qid: LastQuery})
	}
	if caps.ExplicitTransactions {
		reqs = append(reqs, &Begin{TxConfig: tx}, &Commit{}, &Rollback{})
	}
	if caps.RouteMessage {
		r := &Route{Routing: map[string]string{"address": "localhost:7687"}, Bookmarks: []string{"bm:1"}, Database: "movies"}
		if caps.ImpersonatedUser {
			r.ImpersonatedUser = "alice"
		}
		reqs = append(reqs, r, &Route{Routing: map[string]string{}, Bookmarks: []string{}})
	}
	return reqs
}

// Client encode, server decode, for every message on every version.
func TestRequestRoundTripEveryVersion(t *testing.T) {
	for _, v := range KnownVersions() {
		caps := capsOf(t, v)
		for _, req := range sampleRequests(caps) {
			msg, err := encodeRequest(t, caps, req)
			if err != nil {
				t.Errorf("%s %s: encode: %v", v, req.Name(), err)
				continue
			}
			back, err := DecodeRequest(msg, caps, caps.Dialect(false))
			if err != nil {
				t.Errorf("%s %s: decode: %v", v, req.Name(), err)
				continue
			}
			if !reflect.DeepEqual(back, req) {
				t.Errorf("%s %s: round trip\n got %#v\nwant %#v", v, req.Name(), back, req)
			}
		}
	}
}

// sampleResponses returns responses with every field set that the
// encoder writes on caps' version.
func sampleResponses(caps *Capabilities) []*Response {
	full := Success{
		Present: KeyFields | KeyTFirst | KeyTLast | KeyQid | KeyHasMore | KeyBookmark | KeyDatabase |
			KeyQueryType | KeyStats | KeyPlan | KeyProfile | KeyNotifications | KeyStatuses | KeyRoutingTable |
			KeyHints | KeyServer | KeyConnectionID | KeyProtocolVersion | KeyPatchBolt | KeyAdvertisedAddress |
			KeyCredentialsExpired,
		Fields:        []string{"a", "b"},
		TFirst:        3,
		TLast:         250,
		Qid:           0,
		HasMore:       false,
		Bookmark:      "FB:neo4j:12",
		Database:      "neo4j",
		QueryType:     "rw",
		Stats:         map[string]any{"nodes-created": int64(1), "contains-updates": true},
		Plan:          map[string]any{"operatorType": "ProduceResults"},
		Profile:       map[string]any{"dbHits": int64(7)},
		Notifications: []map[string]any{{"code": "Neo.ClientNotification.Statement.CartesianProduct", "severity": "WARNING"}},
		Statuses:      []map[string]any{{"gql_status": "00000"}, {"gql_status": "01N00", "diagnostic_record": map[string]any{}}},
		RoutingTable: &RoutingTable{TTL: 300, Database: "neo4j", Servers: []RoutingServers{
			{Addresses: []string{"a:7687"}, Role: RoleRoute}, {Addresses: []string{}, Role: RoleWrite}}},
		Hints:              Hints{RecvTimeoutSeconds: 60, TelemetryEnabled: true, SSREnabled: true, Extra: map[string]any{"future.hint": "x"}},
		Server:             "Neo4j/5.26.0",
		ConnectionID:       "bolt-7",
		ProtocolVersion:    caps.Version.String(),
		PatchBolt:          []string{},
		AdvertisedAddress:  "db.example.com:7687",
		CredentialsExpired: false,
		Extra:              map[string]any{"unknown": []any{int64(1), "two"}},
	}
	failure := Failure{Code: "Neo.ClientError.Statement.SyntaxError", Message: "bad"}
	if caps.GQLErrors {
		failure.GQLStatus = "42001"
		failure.Description = "error: syntax error or access rule violation - invalid syntax"
		failure.DiagnosticRecord = map[string]any{"_classification": "CLIENT_ERROR", "OPERATION": ""}
		failure.Cause = &Failure{GQLStatus: "42I06", Message: "inner", Description: "d",
			Cause: &Failure{GQLStatus: "42I07", Message: "innermost", Description: "d2"}}
	}
	return []*Response{
		{Kind: ResponseSuccess, Success: full},
		{Kind: ResponseSuccess, Success: Success{Present: KeyHasMore, HasMore: true}},
		{Kind: ResponseSuccess},
		{Kind: ResponseRecord, Record: Record{Values: []any{int64(123456), "a string value", 3.14, true, nil,
			[]any{int64(-1)}, map[string]any{"k": "v"}, []byte{1, 2}}}},
		{Kind: ResponseRecord, Record: Record{Values: []any{}}},
		{Kind: ResponseIgnored},
		{Kind: ResponseFailure, Failure: failure},
	}
}

// Server encode, client decode, for every response on every version.
func TestResponseRoundTripEveryVersion(t *testing.T) {
	for _, v := range KnownVersions() {
		caps := capsOf(t, v)
		for i, resp := range sampleResponses(caps) {
			msg, err := encodeResponse(t, caps, resp)
			if err != nil {
				t.Errorf("%s #%d %s: encode: %v", v, i, resp.Kind, err)
				continue
			}
			var back Response
			if err := DecodeResponse(msg, caps, caps.Dialect(false), &back); err != nil {
				t.Errorf("%s #%d %s: decode: %v", v, i, resp.Kind, err)
				continue
			}
			if !reflect.DeepEqual(&back, resp) {
				t.Errorf("%s #%d %s: round trip\n got %+v\nwant %+v", v, i, resp.Kind, back, *resp)
			}
		}
	}
}

// The individual response types encode like the Response holding them.
func TestResponseTypesEncodeLikeResponse(t *testing.T) {
	caps := capsOf(t, V5_8)
	pairs := []struct {
		msg  ResponseMessage
		resp *Response
	}{
		{&Success{Bookmark: "b"}, &Response{Kind: ResponseSuccess, Success: Success{Bookmark: "b"}}},
		{&Record{Values: []any{int64(1)}}, &Response{Kind: ResponseRecord, Record: Record{Values: []any{int64(1)}}}},
		{&Ignored{}, &Response{Kind: ResponseIgnored}},
		{&Failure{Code: "C", Message: "m"}, &Response{Kind: ResponseFailure, Failure: Failure{Code: "C", Message: "m"}}},
	}
	for _, p := range pairs {
		a, err := encodeResponse(t, caps, p.msg)
		if err != nil {
			t.Fatal(err)
		}
		b, err := encodeResponse(t, caps, p.resp)
		if err != nil {
			t.Fatal(err)
		}
		diffBytes(t, a, b)
		if p.msg.Tag() != p.resp.Tag() {
			t.Errorf("tag %#x vs %#x", p.msg.Tag(), p.resp.Tag())
		}
	}
	if _, err := encodeResponse(t, caps, &Response{}); err == nil {
		t.Error("a Response without Kind encoded")
	}
}

// A Response reused for the next message keeps no stale data of the kind it
// now holds.
func TestDecodeResponseResetsTheDecodedPart(t *testing.T) {
	caps := capsOf(t, V5_8)
	var resp Response
	first := cat("B1 70 A2", ps("bookmark"), ps("b1"), ps("has_more"), "C3")
	second := cat("B1 70 A1", ps("db"), ps("neo4j"))
	for _, msg := range [][]byte{first, second} {
		if err := DecodeResponse(msg, caps, caps.Dialect(false), &resp); err != nil {
			t.Fatal(err)
		}
	}
	want := Success{Present: KeyDatabase, Database: "neo4j"}
	if !reflect.DeepEqual(resp.Success, want) {
		t.Errorf("got %+v, want %+v", resp.Success, want)
	}
}

// The dialect passed to the decoders is used for values.
func TestDecodeUsesTheDialect(t *testing.T) {
	caps := capsOf(t, V5_8)
	uuidRecord := cat("B1 71 91 E0", "00112233445566778899AABBCCDDEEFF")
	var resp Response
	if err := DecodeResponse(uuidRecord, caps, caps.Dialect(false), &resp); err == nil {
		t.Error("a UUID decoded on 5.8")
	}
	caps61 := capsOf(t, V6_1)
	if err := DecodeResponse(uuidRecord, caps61, caps61.Dialect(false), &resp); err != nil {
		t.Fatalf("6.1: %v", err)
	}
	if _, ok := resp.Record.Values[0].(packstream.UUID); !ok {
		t.Errorf("6.1: decoded %T", resp.Record.Values[0])
	}
}
