package boltrx

import (
	"maps"
	"reflect"
	"testing"
	"time"

	"github.com/boltrx/boltrx/bolt"
	"github.com/boltrx/boltrx/packstream"
)

func TestSummaryBasics(t *testing.T) {
	params := map[string]any{"name": "Alice"}
	s := newResultSummary(summaryInput{
		QueryText:     "CREATE (n:Person {name: $name}) RETURN n",
		Parameters:    params,
		ServerAddress: "db:7687",
		ServerAgent:   "Neo4j/5.26.0",
		Protocol:      bolt.Version{Major: 5, Minor: 8},
		Run:           &bolt.Success{Present: bolt.KeyFields | bolt.KeyTFirst, Fields: []string{"n"}, TFirst: 12},
		End: &bolt.Success{
			Present:   bolt.KeyTLast | bolt.KeyQueryType | bolt.KeyDatabase | bolt.KeyStats,
			TLast:     34,
			QueryType: "rw",
			Database:  "movies",
			Stats:     map[string]any{"nodes-created": int64(1), "properties-set": int64(1), "labels-added": int64(1)},
		},
		HadRecords: true,
	})
	if s.Query().Text() != "CREATE (n:Person {name: $name}) RETURN n" || !maps.Equal(s.Query().Parameters(), params) {
		t.Errorf("query %q %v", s.Query().Text(), s.Query().Parameters())
	}
	if s.Server().Address() != "db:7687" || s.Server().Agent() != "Neo4j/5.26.0" || s.Server().ProtocolVersion() != (ProtocolVersion{5, 8}) {
		t.Errorf("server %v %v %v", s.Server().Address(), s.Server().Agent(), s.Server().ProtocolVersion())
	}
	if s.StatementType() != StatementTypeReadWrite || s.StatementType().String() != "rw" {
		t.Errorf("statement type %v", s.StatementType())
	}
	if s.ResultAvailableAfter() != 12*time.Millisecond || s.ResultConsumedAfter() != 34*time.Millisecond {
		t.Errorf("timings %v %v", s.ResultAvailableAfter(), s.ResultConsumedAfter())
	}
	if s.Database() == nil || s.Database().Name() != "movies" {
		t.Errorf("database %v", s.Database())
	}
	c := s.Counters()
	if c.NodesCreated() != 1 || c.PropertiesSet() != 1 || c.LabelsAdded() != 1 || c.NodesDeleted() != 0 || !c.ContainsUpdates() || c.ContainsSystemUpdates() {
		t.Errorf("counters %+v", c)
	}
	if s.Plan() != nil || s.Profile() != nil || len(s.Notifications()) != 0 {
		t.Error("plan, profile or notifications without the metadata")
	}
	statuses := s.GqlStatusObjects()
	if len(statuses) != 1 || statuses[0].GqlStatus() != "00000" || statuses[0].IsNotification() {
		t.Fatalf("statuses %v", statuses)
	}
	if !maps.Equal(statuses[0].DiagnosticRecord(), defaultRecord) {
		t.Errorf("status record %v", statuses[0].DiagnosticRecord())
	}
}

func TestSummaryCounters(t *testing.T) {
	all := map[string]any{
		"nodes-created": int64(1), "nodes-deleted": int64(2), "relationships-created": int64(3),
		"relationships-deleted": int64(4), "properties-set": int64(5), "labels-added": int64(6),
		"labels-removed": int64(7), "indexes-added": int64(8), "indexes-removed": int64(9),
		"constraints-added": int64(10), "constraints-removed": int64(11), "system-updates": int64(12),
		"unknown-counter": int64(99), "nodes-created-typo": "x",
	}
	c := newResultSummary(summaryInput{End: &bolt.Success{Stats: all}}).Counters()
	got := []int{c.NodesCreated(), c.NodesDeleted(), c.RelationshipsCreated(), c.RelationshipsDeleted(), c.PropertiesSet(),
		c.LabelsAdded(), c.LabelsRemoved(), c.IndexesAdded(), c.IndexesRemoved(), c.ConstraintsAdded(), c.ConstraintsRemoved(), c.SystemUpdates()}
	if !reflect.DeepEqual(got, []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}) {
		t.Fatalf("counters %v", got)
	}
	if !c.ContainsUpdates() || !c.ContainsSystemUpdates() {
		t.Fatal("derived contains flags")
	}
	said := newResultSummary(summaryInput{End: &bolt.Success{Stats: map[string]any{
		"nodes-created": int64(1), "contains-updates": false, "contains-system-updates": true,
	}}}).Counters()
	if said.ContainsUpdates() || !said.ContainsSystemUpdates() {
		t.Fatal("the server's contains flags must win")
	}
	wrong := newResultSummary(summaryInput{End: &bolt.Success{Stats: map[string]any{"nodes-created": "many", "contains-updates": int64(1)}}}).Counters()
	if wrong.NodesCreated() != 0 || wrong.ContainsUpdates() {
		t.Fatal("values of the wrong type were used")
	}
}

func TestSummaryWithoutMetadata(t *testing.T) {
	s := newResultSummary(summaryInput{})
	if s.ResultAvailableAfter() >= 0 || s.ResultConsumedAfter() >= 0 {
		t.Errorf("timings without metadata must be negative: %v %v", s.ResultAvailableAfter(), s.ResultConsumedAfter())
	}
	if s.Database() != nil || s.Plan() != nil || s.Profile() != nil || s.StatementType() != StatementTypeUnknown {
		t.Error("values without metadata")
	}
	statuses := s.GqlStatusObjects()
	if len(statuses) != 1 || statuses[0].GqlStatus() != "00001" {
		t.Fatalf("statuses %v", statuses)
	}
	withDB := newResultSummary(summaryInput{Run: &bolt.Success{Database: "home"}})
	if withDB.Database() == nil || withDB.Database().Name() != "home" {
		t.Fatal("database from RUN (5.8+) ignored")
	}
}

// Notifications tells "none sent" (nil) from "an empty list" apart; GQL
// statuses (5.6+) always give a list.
func TestSummaryNotificationsNilOrEmpty(t *testing.T) {
	cases := []struct {
		name    string
		end     *bolt.Success
		wantNil bool
	}{
		{"no notifications entry", &bolt.Success{}, true},
		{"an empty list", &bolt.Success{Notifications: []map[string]any{}}, false},
		{"statuses without notifications", &bolt.Success{Statuses: []map[string]any{
			{"gql_status": "00000", "status_description": "note: successful completion"}}}, false},
	}
	for _, c := range cases {
		s := newResultSummary(summaryInput{End: c.end})
		notes := s.Notifications()
		if (notes == nil) != c.wantNil || len(notes) != 0 {
			t.Errorf("%s: Notifications() = %#v, want nil %v", c.name, notes, c.wantNil)
		}
	}
}

func TestSummaryOutcomeStatus(t *testing.T) {
	cases := []struct {
		fields     []string
		hadRecords bool
		want       string
	}{
		{[]string{"x"}, true, "00000"},
		{[]string{"x"}, false, "02000"},
		{nil, false, "00001"},
	}
	for _, c := range cases {
		s := newResultSummary(summaryInput{Run: &bolt.Success{Fields: c.fields}, End: &bolt.Success{}, HadRecords: c.hadRecords})
		if got := s.GqlStatusObjects()[0].GqlStatus(); got != c.want {
			t.Errorf("fields %v records %v: %q, want %q", c.fields, c.hadRecords, got, c.want)
		}
	}
}

func TestSummaryPlanAndProfile(t *testing.T) {
	planMap := map[string]any{
		"operatorType": "ProduceResults",
		"args":         map[string]any{"planner": "COST"},
		"identifiers":  []any{"n", int64(7)},
		"children": []any{
			map[string]any{"operatorType": "AllNodesScan", "identifiers": []any{"n"}},
			"not a plan",
		},
	}
	p := newResultSummary(summaryInput{End: &bolt.Success{Plan: planMap}}).Plan()
	if p == nil || p.Operator() != "ProduceResults" || p.Arguments()["planner"] != "COST" || !reflect.DeepEqual(p.Identifiers(), []string{"n"}) {
		t.Fatalf("plan %+v", p)
	}
	if len(p.Children()) != 1 || p.Children()[0].Operator() != "AllNodesScan" || len(p.Children()[0].Children()) != 0 {
		t.Fatalf("children %+v", p.Children())
	}

	profileMap := map[string]any{
		"operatorType": "ProduceResults", "dbHits": int64(0), "rows": int64(3),
		"pageCacheHits": int64(5), "pageCacheMisses": int64(1), "pageCacheHitRatio": 0.8, "time": int64(99),
		"children": []any{map[string]any{"operatorType": "AllNodesScan", "dbHits": int64(4), "rows": int64(3), "pageCacheHits": int64(2)}},
	}
	pr := newResultSummary(summaryInput{End: &bolt.Success{Profile: profileMap}}).Profile()
	if pr == nil || pr.Records() != 3 || pr.PageCacheHits() != 5 || pr.PageCacheMisses() != 1 || pr.PageCacheHitRatio() != 0.8 || pr.Time() != 99 {
		t.Fatalf("profile root %+v", pr)
	}
	child := pr.Children()[0]
	if child.Operator() != "AllNodesScan" || child.DbHits() != 4 || child.PageCacheHits() != 2 || child.Arguments() != nil {
		t.Fatalf("profile child %+v", child)
	}
}

func TestSummaryLegacyNotifications(t *testing.T) {
	end := &bolt.Success{Notifications: []map[string]any{
		{"code": "Neo.ClientNotification.Statement.CartesianProduct", "title": "cartesian", "description": "slow",
			"severity": "INFORMATION", "category": "PERFORMANCE", "position": map[string]any{"offset": int64(0), "line": int64(1), "column": int64(1)}},
		{"code": "Neo.ClientNotification.Statement.FeatureDeprecationWarning", "title": "deprecated", "description": "",
			"severity": "WARNING", "category": "DEPRECATION", "position": "nonsense"},
		{"code": "X", "severity": "LOUD", "category": "QUANTUM"},
	}}
	s := newResultSummary(summaryInput{Run: &bolt.Success{Fields: []string{"n"}}, End: end, HadRecords: false})

	notes := s.Notifications()
	if len(notes) != 3 {
		t.Fatalf("notifications %v", notes)
	}
	first := notes[0]
	if first.Code() != "Neo.ClientNotification.Statement.CartesianProduct" || first.Title() != "cartesian" || first.Description() != "slow" ||
		first.SeverityLevel() != Information || first.Category() != Performance || first.Position() == nil || first.Position().Line() != 1 {
		t.Errorf("first notification %+v", first)
	}
	if notes[1].Position() != nil {
		t.Error("a position that is not a map must give nil")
	}
	if notes[2].SeverityLevel() != UnknownSeverity || notes[2].RawSeverityLevel() != "LOUD" || notes[2].Category() != UnknownCategory || notes[2].RawCategory() != "QUANTUM" {
		t.Errorf("unknown values %+v", notes[2])
	}

	statuses := s.GqlStatusObjects()
	var order []string
	for _, g := range statuses {
		order = append(order, g.GqlStatus())
	}
	// no data, then the warning, then the information statuses in the order received
	if want := []string{"02000", "01N42", "03N42", "03N42"}; !reflect.DeepEqual(order, want) {
		t.Fatalf("status order %v, want %v", order, want)
	}
	warning := statuses[1]
	if !warning.IsNotification() || warning.StatusDescription() != "warn: unknown warning" || warning.Severity() != Warning || warning.Classification() != Deprecation {
		t.Errorf("warning status %+v", warning)
	}
	info := statuses[2]
	if info.StatusDescription() != "slow" || info.Position() == nil || info.Position().Column() != 1 {
		t.Errorf("information status %+v", info)
	}
	wantRecord := map[string]any{
		"OPERATION": "", "OPERATION_CODE": "0", "CURRENT_SCHEMA": "/",
		"_severity": "INFORMATION", "_classification": "PERFORMANCE",
		"_position": map[string]any{"offset": int64(0), "line": int64(1), "column": int64(1)},
	}
	if !reflect.DeepEqual(info.DiagnosticRecord(), wantRecord) {
		t.Errorf("record %v\nwant %v", info.DiagnosticRecord(), wantRecord)
	}
	if info.RawDiagnosticRecord() == "" {
		t.Error("RawDiagnosticRecord empty")
	}
}

func TestSummaryGqlStatuses(t *testing.T) {
	end := &bolt.Success{Statuses: []map[string]any{
		{"gql_status": "00000", "status_description": "note: successful completion"},
		{"gql_status": "01N01", "status_description": "warn: feature deprecated", "neo4j_code": "Neo.ClientNotification.Statement.FeatureDeprecationWarning",
			"title": "deprecated", "description": "old syntax",
			"diagnostic_record": map[string]any{"_severity": "WARNING", "_classification": "DEPRECATION",
				"_position": map[string]any{"offset": int64(3), "line": int64(1), "column": int64(4)}, "_extra": "kept"}},
	}}
	s := newResultSummary(summaryInput{Run: &bolt.Success{Fields: []string{"n"}}, End: end, HadRecords: true})
	statuses := s.GqlStatusObjects()
	if len(statuses) != 2 || statuses[0].GqlStatus() != "00000" || statuses[0].IsNotification() {
		t.Fatalf("statuses %v", statuses)
	}
	g := statuses[1]
	if !g.IsNotification() || g.Severity() != Warning || g.RawSeverity() != "WARNING" || g.Classification() != Deprecation ||
		g.RawClassification() != "DEPRECATION" || g.Position().Offset() != 3 || g.DiagnosticRecord()["_extra"] != "kept" ||
		g.DiagnosticRecord()["CURRENT_SCHEMA"] != "/" {
		t.Fatalf("status %+v", g)
	}
	notes := s.Notifications()
	if len(notes) != 1 {
		t.Fatalf("derived notifications %v", notes)
	}
	n := notes[0]
	if n.Code() != "Neo.ClientNotification.Statement.FeatureDeprecationWarning" || n.Title() != "deprecated" || n.Description() != "old syntax" ||
		n.SeverityLevel() != Warning || n.Category() != Deprecation || n.Position().Column() != 4 {
		t.Fatalf("derived notification %+v", n)
	}
}

func TestStatementTypes(t *testing.T) {
	for raw, want := range map[string]StatementType{"r": StatementTypeReadOnly, "rw": StatementTypeReadWrite, "w": StatementTypeWriteOnly, "s": StatementTypeSchemaWrite, "x": StatementTypeUnknown} {
		if got := statementTypeOf(raw); got != want {
			t.Errorf("statementTypeOf(%q) = %v", raw, got)
		}
		if want != StatementTypeUnknown && want.String() != raw {
			t.Errorf("%d.String() = %q", want, want.String())
		}
	}
	if StatementTypeUnknown.String() != "" || statusRank("0") != 4 || statusRank("42001") != 4 {
		t.Error("unknown values")
	}
}

// FuzzSummaryFromMetadata feeds arbitrary decoded PackStream maps to the
// summary as every kind of metadata: it must never panic.
func FuzzSummaryFromMetadata(f *testing.F) {
	var enc packstream.Encoder
	if err := enc.WriteValue(map[string]any{
		"operatorType": "X", "children": []any{map[string]any{"dbHits": int64(1)}},
		"position": map[string]any{"line": int64(1)}, "diagnostic_record": map[string]any{"_position": "x"},
		"nodes-created": int64(3), "contains-updates": true,
	}); err != nil {
		f.Fatal(err)
	}
	f.Add(enc.Buffer())
	f.Add([]byte{0xA1, 0x81, 'a', 0x01})
	f.Fuzz(func(t *testing.T, data []byte) {
		d := packstream.Decoder{Dialect: packstream.LatestDialect}
		d.Reset(data)
		m, err := d.ReadMap()
		if err != nil {
			return
		}
		list := []map[string]any{m}
		for _, v := range m {
			if inner, ok := v.(map[string]any); ok {
				list = append(list, inner)
			}
		}
		for _, statuses := range [][]map[string]any{nil, list} {
			s := newResultSummary(summaryInput{
				Run: &bolt.Success{Fields: []string{"x"}},
				End: &bolt.Success{Stats: m, Plan: m, Profile: m, Notifications: list, Statuses: statuses},
			})
			_ = s.Counters().ContainsUpdates()
			for _, n := range s.Notifications() {
				_ = n.Position()
			}
			for _, g := range s.GqlStatusObjects() {
				_ = g.RawDiagnosticRecord()
				_ = g.Position()
			}
			if p := s.Plan(); p != nil {
				_ = p.Children()
			}
			if p := s.Profile(); p != nil {
				_ = p.Children()
			}
		}
		_ = newNeo4jError(&bolt.Failure{DiagnosticRecord: m, Cause: &bolt.Failure{DiagnosticRecord: m}}).Error()
	})
}
