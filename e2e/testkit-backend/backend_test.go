package main

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/boltrx/boltrx/e2e/boltstub"
	"github.com/boltrx/boltrx/internal/clock"
)

func TestFeaturesStartTestAndUnknownRequests(t *testing.T) {
	saved := skips
	skips = []skip{{pattern: "stub.skipped.*", reason: "a reason"}}
	t.Cleanup(func() { skips = saved })
	f := startBackend(t)
	var list []string
	f.expect("FeatureList", "GetFeatures", nil).field(t, "features", &list)
	if !slices.Contains(list, "Feature:API:Driver.ExecuteQuery") || !slices.Contains(list, "Backend:MockTime") {
		t.Errorf("features = %v", list)
	}

	f.expect("RunTest", "StartTest", map[string]any{"testName": "stub.session_run.test_session_run.TestSessionRun.test_x"})
	var reason string
	f.expect("SkipTest", "StartTest", map[string]any{"testName": "stub.skipped.TestX.test_x"}).field(t, "reason", &reason)
	if reason != "a reason" {
		t.Errorf("skip reason %q", reason)
	}
	f.expect("RunTest", "StartSubTest", map[string]any{"testName": "x", "subtestArguments": map[string]any{}})

	var msg string
	f.expect("BackendError", "NoSuchRequest", nil).field(t, "msg", &msg)
	if !strings.Contains(msg, "NoSuchRequest") {
		t.Errorf("msg %q", msg)
	}
	f.expect("BackendError", "SessionRun", map[string]any{"sessionId": "404", "cypher": "RETURN 1"})
	f.expect("BackendError", "GetConnectionPoolMetrics", map[string]any{"driverId": "1", "address": "x:1"})
	f.expect("BackendError", "FakeTimeTick", map[string]any{"incrementMs": 1})
	// The connection still serves requests after those errors.
	f.expect("FeatureList", "GetFeatures", nil)
}

func TestFakeTimeMovesTheDriversClock(t *testing.T) {
	f := startBackend(t)
	f.expect("FakeTimeAck", "FakeTimeInstall", nil)
	start := clock.Now()
	f.expect("FakeTimeAck", "FakeTimeTick", map[string]any{"incrementMs": 60000})
	if got := clock.Since(start); got != time.Minute {
		t.Errorf("the clock moved %v, want 1m", got)
	}
	f.expect("FakeTimeAck", "FakeTimeUninstall", nil)
	if d := time.Since(clock.Now()); d < 0 || d > time.Minute {
		t.Errorf("after FakeTimeUninstall the clock is %v off", d)
	}
}

func TestNewDriverReportsUsageErrors(t *testing.T) {
	f := startBackend(t)
	r := f.expect("DriverError", "NewDriver", map[string]any{"uri": "ftp://localhost", "authorizationToken": basicAuth("u", "p")})
	var errorType, id string
	r.field(t, "errorType", &errorType)
	r.field(t, "id", &id)
	if errorType != "UsageError" || id == "" {
		t.Errorf("errorType %q id %q", errorType, id)
	}
	var retryable bool
	r.field(t, "retryable", &retryable)
	if retryable {
		t.Error("a usage error is retryable")
	}
}

func TestDriverLifecycleWithoutServer(t *testing.T) {
	f := startBackend(t)
	driver := f.id(f.expect("Driver", "NewDriver", map[string]any{
		"uri": "bolt+ssc://localhost:1", "authorizationToken": basicAuth("u", "p"), "userAgent": "test/1", "fetchSize": 10,
	}))
	var encrypted bool
	f.expect("DriverIsEncrypted", "CheckDriverIsEncrypted", map[string]any{"driverId": driver}).field(t, "encrypted", &encrypted)
	if !encrypted {
		t.Error("a bolt+ssc driver is not encrypted")
	}
	// A direct driver has no routing table to show or refresh.
	var routers []string
	f.expect("RoutingTable", "GetRoutingTable", map[string]any{"driverId": driver, "database": nil}).field(t, "routers", &routers)
	if routers == nil || len(routers) != 0 {
		t.Errorf("a direct driver's routers: %v, want []", routers)
	}
	var errorType string
	f.expect("DriverError", "ForcedRoutingTableUpdate", map[string]any{"driverId": driver, "database": "adb"}).field(t, "errorType", &errorType)
	if errorType != "UsageError" {
		t.Errorf("ForcedRoutingTableUpdate on a direct driver: %s", errorType)
	}
	var idle int
	f.expect("ConnectionPoolMetrics", "GetConnectionPoolMetrics", map[string]any{"driverId": driver, "address": "localhost:1"}).field(t, "idle", &idle)
	if idle != 0 {
		t.Errorf("idle connections to an address never dialled: %d", idle)
	}
	f.expect("Driver", "DriverClose", map[string]any{"driverId": driver})
	// Detail:ClosedDriverIsEncrypted
	f.expect("DriverIsEncrypted", "CheckDriverIsEncrypted", map[string]any{"driverId": driver})
}

// autoCommitScript serves one auto-commit query on Bolt 5.4.
const autoCommitScript = `
bolt 5.4
anytime
  C: GOODBYE
  close
end
anytime
  C: RESET
  S: SUCCESS {}
end
C: HELLO {"user_agent": "test/1", ...}
S: SUCCESS {"server": "Neo4j/5.20.0", "connection_id": "bolt-1"}
C: LOGON {"scheme": "basic", "principal": "neo4j", "credentials": "pass"}
S: SUCCESS {}
C: RUN "RETURN $x AS x, n" {"x": 1} {"bookmarks": ["bm0"], ...}
C: PULL {"n": any int}
S: SUCCESS {"fields": ["x", "n"]}
S: RECORD [1, Node(7, ["L"], {"p": 1.5}, "e7")]
S: SUCCESS {"bookmark": "bm1", "type": "r", "db": "neo4j"}
`

func TestSessionRunAgainstAStubServer(t *testing.T) {
	srv := boltstub.Start(t, autoCommitScript)
	f := startBackend(t)
	driver := f.id(f.expect("Driver", "NewDriver", map[string]any{
		"uri": "bolt://" + srv.Addr(), "authorizationToken": basicAuth("neo4j", "pass"), "userAgent": "test/1",
	}))
	session := f.id(f.expect("Session", "NewSession", map[string]any{"driverId": driver, "accessMode": "r", "bookmarks": []string{"bm0"}}))
	res := f.expect("Result", "SessionRun", map[string]any{
		"sessionId": session, "cypher": "RETURN $x AS x, n", "params": map[string]any{"x": cypherInt(1)},
	})
	var keys []string
	res.field(t, "keys", &keys)
	if !reflect.DeepEqual(keys, []string{"x", "n"}) {
		t.Errorf("keys %v", keys)
	}
	result := f.id(res)

	var record struct {
		Values []json.RawMessage `json:"values"`
	}
	rec := f.expect("Record", "ResultNext", map[string]any{"resultId": result})
	if err := json.Unmarshal(rec.Data, &record); err != nil || len(record.Values) != 2 {
		t.Fatalf("record %s: %v", rec.Data, err)
	}
	if got := string(record.Values[0]); got != `{"name":"CypherInt","data":{"value":1}}` {
		t.Errorf("x = %s", got)
	}
	if got := string(record.Values[1]); !strings.Contains(got, `"name":"Node"`) || !strings.Contains(got, `"e7"`) {
		t.Errorf("n = %s", got)
	}
	f.expect("NullRecord", "ResultNext", map[string]any{"resultId": result})

	summary := f.expect("Summary", "ResultConsume", map[string]any{"resultId": result})
	var database, queryType string
	summary.field(t, "database", &database)
	summary.field(t, "queryType", &queryType)
	if database != "neo4j" || queryType != "r" {
		t.Errorf("summary %s", summary.Data)
	}
	var bookmarks []string
	f.expect("Bookmarks", "SessionLastBookmarks", map[string]any{"sessionId": session}).field(t, "bookmarks", &bookmarks)
	if !reflect.DeepEqual(bookmarks, []string{"bm1"}) {
		t.Errorf("bookmarks %v", bookmarks)
	}
	f.expect("Session", "SessionClose", map[string]any{"sessionId": session})
	f.expect("Driver", "DriverClose", map[string]any{"driverId": driver})
}

// managedTxScript serves two attempts of a managed transaction: the
// first is rolled back, the second commits.
const managedTxScript = `
bolt 5.4
anytime
  C: GOODBYE
  close
end
anytime
  C: RESET
  S: SUCCESS {}
end
C: HELLO {"user_agent": any string, ...}
S: SUCCESS {"server": "Neo4j/5.20.0", "connection_id": "bolt-1"}
C: LOGON {"scheme": "basic", "principal": "neo4j", "credentials": "pass"}
S: SUCCESS {}
C: BEGIN {...}
S: SUCCESS {}
C: RUN "RETURN 1 AS n" {} {}
C: PULL {"n": any int}
S: SUCCESS {"fields": ["n"]}
S: RECORD [1]
S: SUCCESS {"type": "r"}
optional
  C: ROLLBACK
  S: SUCCESS {}
end
C: BEGIN {...}
S: SUCCESS {}
C: RUN "RETURN 1 AS n" {} {}
C: PULL {"n": any int}
S: SUCCESS {"fields": ["n"]}
S: RECORD [1]
S: SUCCESS {"type": "r"}
C: COMMIT
S: SUCCESS {"bookmark": "bm2"}
`

func TestManagedTransactionDrivenByTheFrontend(t *testing.T) {
	srv := boltstub.Start(t, managedTxScript)
	f := startBackend(t)
	driver := f.id(f.expect("Driver", "NewDriver", map[string]any{"uri": "bolt://" + srv.Addr(), "authorizationToken": basicAuth("neo4j", "pass")}))
	session := f.id(f.expect("Session", "NewSession", map[string]any{"driverId": driver, "accessMode": "w"}))

	f.send("SessionWriteTransaction", map[string]any{"sessionId": session})
	// The first attempt: the test code's function fails on its own.
	tx := f.receive()
	if tx.Name != "RetryableTry" {
		t.Fatalf("got %s %s, want RetryableTry", tx.Name, tx.Data)
	}
	result := f.id(f.expect("Result", "TransactionRun", map[string]any{"txId": f.id(tx), "cypher": "RETURN 1 AS n"}))
	f.expect("Record", "ResultNext", map[string]any{"resultId": result})
	f.send("RetryableNegative", map[string]any{"sessionId": session, "errorId": ""})
	if r := f.receive(); r.Name != "FrontendError" {
		t.Fatalf("after RetryableNegative: %s %s, want FrontendError", r.Name, r.Data)
	}

	// The second run commits.
	f.send("SessionWriteTransaction", map[string]any{"sessionId": session})
	tx = f.receive()
	if tx.Name != "RetryableTry" {
		t.Fatalf("got %s %s, want RetryableTry", tx.Name, tx.Data)
	}
	result = f.id(f.expect("Result", "TransactionRun", map[string]any{"txId": f.id(tx), "cypher": "RETURN 1 AS n"}))
	f.expect("Record", "ResultNext", map[string]any{"resultId": result})
	f.send("RetryablePositive", map[string]any{"sessionId": session})
	if r := f.receive(); r.Name != "RetryableDone" {
		t.Fatalf("after RetryablePositive: %s %s, want RetryableDone", r.Name, r.Data)
	}
	var bookmarks []string
	f.expect("Bookmarks", "SessionLastBookmarks", map[string]any{"sessionId": session}).field(t, "bookmarks", &bookmarks)
	if !reflect.DeepEqual(bookmarks, []string{"bm2"}) {
		t.Errorf("bookmarks %v", bookmarks)
	}
	f.expect("Driver", "DriverClose", map[string]any{"driverId": driver})
}

// bookmarkScript serves one auto-commit query that must carry the
// supplier's bookmark.
const bookmarkScript = `
bolt 5.4
anytime
  C: GOODBYE
  close
end
anytime
  C: RESET
  S: SUCCESS {}
end
C: HELLO {"user_agent": any string, ...}
S: SUCCESS {"server": "Neo4j/5.20.0", "connection_id": "bolt-1"}
C: LOGON {...}
S: SUCCESS {}
C: RUN "RETURN 1 AS n" {} {"bookmarks": ["supplied"], ...}
C: PULL {"n": any int}
S: SUCCESS {"fields": ["n"]}
S: RECORD [1]
S: SUCCESS {"bookmark": "bm3", "type": "r"}
`

func TestBookmarkManagerCallbacks(t *testing.T) {
	srv := boltstub.Start(t, bookmarkScript)
	f := startBackend(t)
	manager := f.id(f.expect("BookmarkManager", "NewBookmarkManager", map[string]any{
		"initialBookmarks": nil, "bookmarksSupplierRegistered": true, "bookmarksConsumerRegistered": true,
	}))
	driver := f.id(f.expect("Driver", "NewDriver", map[string]any{"uri": "bolt://" + srv.Addr(), "authorizationToken": basicAuth("neo4j", "pass")}))
	session := f.id(f.expect("Session", "NewSession", map[string]any{"driverId": driver, "accessMode": "r", "bookmarkManagerId": manager}))

	var supplied, consumed [][]string
	answer := func(r reply) (string, any) {
		var requestID, managerID string
		r.field(t, "id", &requestID)
		r.field(t, "bookmarkManagerId", &managerID)
		if managerID != manager {
			t.Errorf("%s for manager %q, want %q", r.Name, managerID, manager)
		}
		switch r.Name {
		case "BookmarksSupplierRequest":
			supplied = append(supplied, []string{"supplied"})
			return "BookmarksSupplierCompleted", map[string]any{"requestId": requestID, "bookmarks": []string{"supplied"}}
		case "BookmarksConsumerRequest":
			var bms []string
			r.field(t, "bookmarks", &bms)
			consumed = append(consumed, bms)
			return "BookmarksConsumerCompleted", map[string]any{"requestId": requestID}
		}
		t.Fatalf("unexpected callback %s", r.Name)
		return "", nil
	}
	res := f.call("SessionRun", map[string]any{"sessionId": session, "cypher": "RETURN 1 AS n"}, answer)
	if res.Name != "Result" {
		t.Fatalf("SessionRun answered %s %s", res.Name, res.Data)
	}
	result := f.id(res)
	for _, want := range []string{"Record", "NullRecord"} {
		if r := f.call("ResultNext", map[string]any{"resultId": result}, answer); r.Name != want {
			t.Fatalf("ResultNext answered %s %s, want %s", r.Name, r.Data, want)
		}
	}
	if r := f.call("SessionClose", map[string]any{"sessionId": session}, answer); r.Name != "Session" {
		t.Fatalf("SessionClose answered %s %s", r.Name, r.Data)
	}
	if len(supplied) != 1 {
		t.Errorf("supplier called %d times, want 1", len(supplied))
	}
	if !reflect.DeepEqual(consumed, [][]string{{"bm3"}}) {
		t.Errorf("consumer got %v, want [[bm3]]", consumed)
	}
	f.expect("BookmarkManager", "BookmarkManagerClose", map[string]any{"id": manager})
	f.expect("Driver", "DriverClose", map[string]any{"driverId": driver})
}

// routerScript serves one routing table for "adb" on Bolt 5.4.
const routerScript = `
bolt 5.4
anytime
  C: GOODBYE
  close
end
anytime
  C: RESET
  S: SUCCESS {}
end
C: HELLO {"routing": {"address": any string, ...}, ...}
S: SUCCESS {"server": "Neo4j/5.20.0", "connection_id": "bolt-1"}
C: LOGON {...}
S: SUCCESS {}
C: ROUTE any map any list {"db": "adb", ...}
S: SUCCESS {"rt": {"ttl": 1000, "db": "adb", "servers": [
  {"addresses": ["127.0.0.1:9000"], "role": "ROUTE"},
  {"addresses": ["127.0.0.1:9010", "127.0.0.1:9011"], "role": "READ"},
  {"addresses": ["127.0.0.1:9020"], "role": "WRITE"}]}}
`

func TestRoutingTableHooks(t *testing.T) {
	srv := boltstub.Start(t, routerScript)
	f := startBackend(t)
	driver := f.id(f.expect("Driver", "NewDriver", map[string]any{"uri": "neo4j://" + srv.Addr(), "authorizationToken": basicAuth("neo4j", "pass")}))
	f.expect("Driver", "ForcedRoutingTableUpdate", map[string]any{"driverId": driver, "database": "adb", "bookmarks": nil})
	rt := f.expect("RoutingTable", "GetRoutingTable", map[string]any{"driverId": driver, "database": "adb"})
	var got routingTableData
	if err := json.Unmarshal(rt.Data, &got); err != nil {
		t.Fatal(err)
	}
	want := routingTableData{TTL: 1000, Routers: []string{"127.0.0.1:9000"}, Readers: []string{"127.0.0.1:9010", "127.0.0.1:9011"}, Writers: []string{"127.0.0.1:9020"}}
	if got.Database == nil || *got.Database != "adb" {
		t.Errorf("database %v", got.Database)
	}
	got.Database = nil
	slices.Sort(got.Readers)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("routing table %+v, want %+v", got, want)
	}
	var readers []string
	f.expect("RoutingTable", "GetRoutingTable", map[string]any{"driverId": driver, "database": "other"}).field(t, "readers", &readers)
	if len(readers) != 0 {
		t.Errorf("readers of a database without table: %v", readers)
	}
	f.expect("Driver", "DriverClose", map[string]any{"driverId": driver})
}
