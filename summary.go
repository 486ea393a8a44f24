package boltrx

import (
	"fmt"
	"slices"
	"time"

	"github.com/boltrx/boltrx/bolt"
)

// ResultSummary describes a completed result: the query, the server, the
// updates made, plan or profile, notifications and timings.
type ResultSummary interface {
	// Server describes the server that ran the query.
	Server() ServerInfo
	// Query returns the query text and parameters.
	Query() Query
	// StatementType says whether the query read, wrote or changed the schema.
	StatementType() StatementType
	// Counters returns the update counters.
	Counters() Counters
	// Plan returns the EXPLAIN plan, or nil.
	Plan() Plan
	// Profile returns the PROFILE result, or nil. It is the older name
	// of QueryProfile.
	Profile() ProfiledPlan
	// QueryProfile returns the PROFILE result, or nil (the name of
	// neo4j-go-driver v6.2).
	QueryProfile() ProfiledPlan
	// Notifications returns the server's notifications about the query
	// (derived from GqlStatusObjects on servers that send only those). It
	// is nil when a server before Bolt 5.6 sent no notifications entry,
	// and empty when the server sent an empty list or no notification
	// among its GQL statuses.
	Notifications() []Notification
	// GqlStatusObjects returns the GQL status objects of the query; there
	// is always at least one, for success, no data or omitted result. On
	// servers before Bolt 5.6 they are derived from the notifications and
	// ordered: no data, warnings, success, information.
	GqlStatusObjects() []GqlStatusObject
	// ResultAvailableAfter is how long the server took until the first
	// record was available; negative if the server did not say.
	ResultAvailableAfter() time.Duration
	// ResultConsumedAfter is how long the server took until the last
	// record was consumed; negative if the server did not say.
	ResultConsumedAfter() time.Duration
	// Database returns the database the query ran in, or nil for servers
	// before Neo4j 4.
	Database() DatabaseInfo
}

// StatementType classifies a query by its effect.
type StatementType int

// The statement types.
const (
	StatementTypeUnknown     StatementType = 0
	StatementTypeReadOnly    StatementType = 1 // "r"
	StatementTypeReadWrite   StatementType = 2 // "rw"
	StatementTypeWriteOnly   StatementType = 3 // "w"
	StatementTypeSchemaWrite StatementType = 4 // "s"
)

// String returns the server's short form: "r", "rw", "w", "s", or "".
func (t StatementType) String() string {
	switch t {
	case StatementTypeReadOnly:
		return "r"
	case StatementTypeReadWrite:
		return "rw"
	case StatementTypeWriteOnly:
		return "w"
	case StatementTypeSchemaWrite:
		return "s"
	}
	return ""
}

func statementTypeOf(s string) StatementType {
	switch s {
	case "r":
		return StatementTypeReadOnly
	case "rw":
		return StatementTypeReadWrite
	case "w":
		return StatementTypeWriteOnly
	case "s":
		return StatementTypeSchemaWrite
	}
	return StatementTypeUnknown
}

// Query is a query text with its parameters.
type Query interface {
	Text() string
	Parameters() map[string]any
}

// ProtocolVersion is a Bolt protocol version.
type ProtocolVersion struct {
	Major int
	Minor int
}

// ServerInfo describes a server.
type ServerInfo interface {
	// Address is the server's "host:port".
	Address() string
	// Agent is the server's agent string, e.g. "Neo4j/5.26.0".
	Agent() string
	// ProtocolVersion is the Bolt version of the connection.
	ProtocolVersion() ProtocolVersion
}

// DatabaseInfo names a database.
type DatabaseInfo interface {
	Name() string
}

// Counters counts the updates a query made.
type Counters interface {
	// ContainsUpdates reports whether the query changed the data or schema.
	ContainsUpdates() bool
	NodesCreated() int
	NodesDeleted() int
	RelationshipsCreated() int
	RelationshipsDeleted() int
	PropertiesSet() int
	LabelsAdded() int
	LabelsRemoved() int
	IndexesAdded() int
	IndexesRemoved() int
	ConstraintsAdded() int
	ConstraintsRemoved() int
	// SystemUpdates counts updates to the system database.
	SystemUpdates() int
	// ContainsSystemUpdates reports whether the system database changed.
	ContainsSystemUpdates() bool
}

// Plan is a node of the tree of operators the planner chose (EXPLAIN).
type Plan interface {
	Operator() string
	Arguments() map[string]any
	Identifiers() []string
	Children() []Plan
}

// ProfiledPlan is a node of an executed plan (PROFILE) with what it cost.
type ProfiledPlan interface {
	Operator() string
	Arguments() map[string]any
	Identifiers() []string
	// DbHits counts the operator's accesses to the storage.
	DbHits() int64
	// Records counts the rows the operator produced.
	Records() int64
	Children() []ProfiledPlan
	PageCacheMisses() int64
	PageCacheHits() int64
	PageCacheHitRatio() float64
	// Time is the operator's time in milliseconds.
	Time() int64
}

// InputPosition is a position in the query text.
type InputPosition interface {
	// Offset counts characters from 0.
	Offset() int
	// Line counts from 1.
	Line() int
	// Column counts from 1.
	Column() int
}

// Notification is something the server noticed about a query: a hint, a
// deprecation, a performance warning. It does not fail the query.
type Notification interface {
	Code() string
	Title() string
	Description() string
	// Position is where in the query the notification points, or nil.
	Position() InputPosition
	// RawSeverityLevel is the severity as the server sent it.
	RawSeverityLevel() string
	// RawCategory is the category as the server sent it.
	RawCategory() string
	// SeverityLevel is the severity, UnknownSeverity for values this
	// driver does not know.
	SeverityLevel() NotificationSeverity
	// Category is the category, UnknownCategory for values this driver
	// does not know.
	Category() NotificationCategory
}

// GqlStatusObject is a GQL status of a completed query: its outcome
// (success, no data, omitted result) or a notification.
type GqlStatusObject interface {
	// GqlStatus is the GQLSTATUS code, e.g. "00000" or "01N42".
	GqlStatus() string
	StatusDescription() string
	// Position is where in the query a notification points, or nil.
	Position() InputPosition
	Classification() NotificationClassification
	RawClassification() string
	Severity() NotificationSeverity
	RawSeverity() string
	// DiagnosticRecord holds further information; the standard entries
	// OPERATION, OPERATION_CODE and CURRENT_SCHEMA are always present.
	DiagnosticRecord() map[string]any
	// RawDiagnosticRecord formats DiagnosticRecord for people.
	RawDiagnosticRecord() string
	// IsNotification reports whether the status is a notification.
	IsNotification() bool
}

// summaryInput is what a result knows when it completes.
type summaryInput struct {
	QueryText     string
	Parameters    map[string]any
	ServerAddress string
	ServerAgent   string
	Protocol      bolt.Version
	Run           *bolt.Success // SUCCESS of RUN: fields, t_first; may be nil
	End           *bolt.Success // last SUCCESS of PULL or DISCARD; may be nil
	HadRecords    bool          // at least one RECORD arrived
}

// newResultSummary builds the summary from the SUCCESS metadata. Values of
// the wrong type (which a well-behaved server never sends) are ignored.
func newResultSummary(in summaryInput) ResultSummary {
	run, end := in.Run, in.End
	if run == nil {
		run = &bolt.Success{}
	}
	if end == nil {
		end = &bolt.Success{}
	}
	s := &resultSummary{
		query:          query{text: in.QueryText, params: in.Parameters},
		server:         serverInfo{address: in.ServerAddress, agent: in.ServerAgent, version: ProtocolVersion{Major: int(in.Protocol.Major), Minor: int(in.Protocol.Minor)}},
		statementType:  statementTypeOf(end.QueryType),
		counters:       countersFrom(end.Stats),
		database:       end.Database,
		availableAfter: durationMillis(run.TFirst, run.Has(bolt.KeyTFirst)),
		consumedAfter:  durationMillis(end.TLast, end.Has(bolt.KeyTLast)),
	}
	if s.database == "" {
		s.database = run.Database
	}
	if end.Plan != nil {
		s.plan = planFrom(end.Plan)
	}
	if end.Profile != nil {
		s.profile = profileFrom(end.Profile)
	}
	s.notifications, s.statuses = notificationsAndStatuses(end, len(run.Fields) > 0, in.HadRecords)
	return s
}

// durationMillis turns a millisecond count into a duration, or -1 ms when
// the server did not send it.
func durationMillis(ms int64, present bool) time.Duration {
	if !present {
		return -time.Millisecond
	}
	return time.Duration(ms) * time.Millisecond
}

type resultSummary struct {
	query          query
	server         serverInfo
	statementType  StatementType
	counters       counters
	plan           *plan
	profile        *profiledPlan
	notifications  []Notification
	statuses       []GqlStatusObject
	availableAfter time.Duration
	consumedAfter  time.Duration
	database       string
}

func (s *resultSummary) Server() ServerInfo                  { return s.server }
func (s *resultSummary) Query() Query                        { return s.query }
func (s *resultSummary) StatementType() StatementType        { return s.statementType }
func (s *resultSummary) Counters() Counters                  { return s.counters }
func (s *resultSummary) Notifications() []Notification       { return slices.Clone(s.notifications) }
func (s *resultSummary) GqlStatusObjects() []GqlStatusObject { return slices.Clone(s.statuses) }
func (s *resultSummary) ResultAvailableAfter() time.Duration { return s.availableAfter }
func (s *resultSummary) ResultConsumedAfter() time.Duration  { return s.consumedAfter }

func (s *resultSummary) Plan() Plan {
	if s.plan == nil {
		return nil
	}
	return s.plan
}

func (s *resultSummary) QueryProfile() ProfiledPlan { return s.Profile() }

func (s *resultSummary) Profile() ProfiledPlan {
	if s.profile == nil {
		return nil
	}
	return s.profile
}

func (s *resultSummary) Database() DatabaseInfo {
	if s.database == "" {
		return nil
	}
	return databaseInfo(s.database)
}

type query struct {
	text   string
	params map[string]any
}

func (q query) Text() string               { return q.text }
func (q query) Parameters() map[string]any { return q.params }

type serverInfo struct {
	address string
	agent   string
	version ProtocolVersion
}

func (s serverInfo) Address() string                  { return s.address }
func (s serverInfo) Agent() string                    { return s.agent }
func (s serverInfo) ProtocolVersion() ProtocolVersion { return s.version }

type databaseInfo string

func (d databaseInfo) Name() string { return string(d) }

// counters holds the "stats" of a SUCCESS.
type counters struct {
	nodesCreated, nodesDeleted                 int
	relationshipsCreated, relationshipsDeleted int
	propertiesSet                              int
	labelsAdded, labelsRemoved                 int
	indexesAdded, indexesRemoved               int
	constraintsAdded, constraintsRemoved       int
	systemUpdates                              int
	containsUpdates, containsSystemUpdates     *bool // as the server said, if it did
}

func countersFrom(stats map[string]any) counters {
	var c counters
	for key, value := range stats {
		switch v := value.(type) {
		case int64:
			if dst := c.field(key); dst != nil {
				*dst = int(v)
			}
		case bool:
			switch key {
			case "contains-updates":
				c.containsUpdates = &v
			case "contains-system-updates":
				c.containsSystemUpdates = &v
			}
		}
	}
	return c
}

// field returns the counter a stats key names, or nil.
func (c *counters) field(key string) *int {
	switch key {
	case "nodes-created":
		return &c.nodesCreated
	case "nodes-deleted":
		return &c.nodesDeleted
	case "relationships-created":
		return &c.relationshipsCreated
	case "relationships-deleted":
		return &c.relationshipsDeleted
	case "properties-set":
		return &c.propertiesSet
	case "labels-added":
		return &c.labelsAdded
	case "labels-removed":
		return &c.labelsRemoved
	case "indexes-added":
		return &c.indexesAdded
	case "indexes-removed":
		return &c.indexesRemoved
	case "constraints-added":
		return &c.constraintsAdded
	case "constraints-removed":
		return &c.constraintsRemoved
	case "system-updates":
		return &c.systemUpdates
	}
	return nil
}

func (c counters) NodesCreated() int         { return c.nodesCreated }
func (c counters) NodesDeleted() int         { return c.nodesDeleted }
func (c counters) RelationshipsCreated() int { return c.relationshipsCreated }
func (c counters) RelationshipsDeleted() int { return c.relationshipsDeleted }
func (c counters) PropertiesSet() int        { return c.propertiesSet }
func (c counters) LabelsAdded() int          { return c.labelsAdded }
func (c counters) LabelsRemoved() int        { return c.labelsRemoved }
func (c counters) IndexesAdded() int         { return c.indexesAdded }
func (c counters) IndexesRemoved() int       { return c.indexesRemoved }
func (c counters) ConstraintsAdded() int     { return c.constraintsAdded }
func (c counters) ConstraintsRemoved() int   { return c.constraintsRemoved }
func (c counters) SystemUpdates() int        { return c.systemUpdates }

func (c counters) ContainsUpdates() bool {
	if c.containsUpdates != nil {
		return *c.containsUpdates
	}
	return c.nodesCreated > 0 || c.nodesDeleted > 0 ||
		c.relationshipsCreated > 0 || c.relationshipsDeleted > 0 ||
		c.propertiesSet > 0 || c.labelsAdded > 0 || c.labelsRemoved > 0 ||
		c.indexesAdded > 0 || c.indexesRemoved > 0 ||
		c.constraintsAdded > 0 || c.constraintsRemoved > 0
}

func (c counters) ContainsSystemUpdates() bool {
	if c.containsSystemUpdates != nil {
		return *c.containsSystemUpdates
	}
	return c.systemUpdates > 0
}

// planNode holds what the nodes of plans and profiles share.
type planNode struct {
	operator    string
	arguments   map[string]any
	identifiers []string
}

// planNodeFrom reads the entries plans and profiles share.
func planNodeFrom(m map[string]any) planNode {
	p := planNode{}
	p.operator, _ = m["operatorType"].(string)
	p.arguments, _ = m["args"].(map[string]any)
	list, _ := m["identifiers"].([]any)
	for _, x := range list {
		if id, ok := x.(string); ok {
			p.identifiers = append(p.identifiers, id)
		}
	}
	return p
}

func (p *planNode) Operator() string          { return p.operator }
func (p *planNode) Arguments() map[string]any { return p.arguments }
func (p *planNode) Identifiers() []string     { return p.identifiers }

// childrenOf converts with from the plan's "children" that are maps.
func childrenOf[T any](m map[string]any, from func(map[string]any) T) []T {
	list, _ := m["children"].([]any)
	var out []T
	for _, x := range list {
		if child, ok := x.(map[string]any); ok {
			out = append(out, from(child))
		}
	}
	return out
}

// plan is one node of an EXPLAIN plan.
type plan struct {
	planNode
	children []Plan
}

func planFrom(m map[string]any) *plan {
	return &plan{
		planNode: planNodeFrom(m),
		children: childrenOf(m, func(child map[string]any) Plan { return planFrom(child) }),
	}
}

func (p *plan) Children() []Plan { return slices.Clone(p.children) }

// profiledPlan is one node of a PROFILE result.
type profiledPlan struct {
	planNode
	dbHits, records   int64
	pageCacheMisses   int64
	pageCacheHits     int64
	pageCacheHitRatio float64
	time              int64
	children          []ProfiledPlan
}

func profileFrom(m map[string]any) *profiledPlan {
	p := &profiledPlan{planNode: planNodeFrom(m)}
	p.dbHits, _ = m["dbHits"].(int64)
	p.records, _ = m["rows"].(int64)
	p.pageCacheMisses, _ = m["pageCacheMisses"].(int64)
	p.pageCacheHits, _ = m["pageCacheHits"].(int64)
	p.pageCacheHitRatio, _ = m["pageCacheHitRatio"].(float64)
	p.time, _ = m["time"].(int64)
	p.children = childrenOf(m, func(child map[string]any) ProfiledPlan { return profileFrom(child) })
	return p
}

func (p *profiledPlan) DbHits() int64              { return p.dbHits }
func (p *profiledPlan) Records() int64             { return p.records }
func (p *profiledPlan) Children() []ProfiledPlan   { return slices.Clone(p.children) }
func (p *profiledPlan) PageCacheMisses() int64     { return p.pageCacheMisses }
func (p *profiledPlan) PageCacheHits() int64       { return p.pageCacheHits }
func (p *profiledPlan) PageCacheHitRatio() float64 { return p.pageCacheHitRatio }
func (p *profiledPlan) Time() int64                { return p.time }

// position is an InputPosition.
type position struct{ offset, line, column int }

func (p position) Offset() int { return p.offset }
func (p position) Line() int   { return p.line }
func (p position) Column() int { return p.column }

// positionFrom reads {offset, line, column}; nil if m is not a map.
func positionFrom(x any) *position {
	m, ok := x.(map[string]any)
	if !ok {
		return nil
	}
	p := &position{}
	if v, ok := m["offset"].(int64); ok {
		p.offset = int(v)
	}
	if v, ok := m["line"].(int64); ok {
		p.line = int(v)
	}
	if v, ok := m["column"].(int64); ok {
		p.column = int(v)
	}
	return p
}

// inputPosition converts a possibly nil *position to an InputPosition
// that is a true nil interface when there is none.
func inputPosition(p *position) InputPosition {
	if p == nil {
		return nil
	}
	return *p
}

// notification is a Notification.
type notification struct {
	code, title, description string
	severity, category       string
	position                 *position
}

func notificationFrom(m map[string]any) *notification {
	n := &notification{}
	n.code, _ = m["code"].(string)
	n.title, _ = m["title"].(string)
	n.description, _ = m["description"].(string)
	n.severity, _ = m["severity"].(string)
	n.category, _ = m["category"].(string)
	n.position = positionFrom(m["position"])
	return n
}

func (n *notification) Code() string                        { return n.code }
func (n *notification) Title() string                       { return n.title }
func (n *notification) Description() string                 { return n.description }
func (n *notification) Position() InputPosition             { return inputPosition(n.position) }
func (n *notification) RawSeverityLevel() string            { return n.severity }
func (n *notification) RawCategory() string                 { return n.category }
func (n *notification) SeverityLevel() NotificationSeverity { return severityOf(n.severity) }
func (n *notification) Category() NotificationCategory      { return categoryOf(n.category) }

// gqlStatus is a GqlStatusObject.
type gqlStatus struct {
	status, description string
	position            *position
	classification      string
	severity            string
	record              map[string]any
	isNotification      bool
	// The notification fields of 5.6+ statuses, for Notifications().
	neo4jCode, title, notificationDescription string
}

func gqlStatusFrom(m map[string]any) *gqlStatus {
	g := &gqlStatus{record: defaultDiagnosticRecord()}
	g.status, _ = m["gql_status"].(string)
	g.description, _ = m["status_description"].(string)
	if code, ok := m["neo4j_code"].(string); ok {
		g.neo4jCode = code
		g.isNotification = true
	}
	g.title, _ = m["title"].(string)
	g.notificationDescription, _ = m["description"].(string)
	if record, ok := m["diagnostic_record"].(map[string]any); ok {
		for k, v := range record {
			g.record[k] = v
		}
		g.position = positionFrom(record["_position"])
		g.classification, _ = record["_classification"].(string)
		g.severity, _ = record["_severity"].(string)
	}
	return g
}

func (g *gqlStatus) GqlStatus() string                          { return g.status }
func (g *gqlStatus) StatusDescription() string                  { return g.description }
func (g *gqlStatus) Position() InputPosition                    { return inputPosition(g.position) }
func (g *gqlStatus) Classification() NotificationClassification { return categoryOf(g.classification) }
func (g *gqlStatus) RawClassification() string                  { return g.classification }
func (g *gqlStatus) Severity() NotificationSeverity             { return severityOf(g.severity) }
func (g *gqlStatus) RawSeverity() string                        { return g.severity }
func (g *gqlStatus) DiagnosticRecord() map[string]any           { return g.record }
func (g *gqlStatus) RawDiagnosticRecord() string                { return fmt.Sprintf("%v", g.record) }
func (g *gqlStatus) IsNotification() bool                       { return g.isNotification }

// asNotification derives the Notification of a 5.6+ status.
func (g *gqlStatus) asNotification() *notification {
	return &notification{
		code:        g.neo4jCode,
		title:       g.title,
		description: g.notificationDescription,
		severity:    g.severity,
		category:    g.classification,
		position:    g.position,
	}
}

// GQL statuses the driver fills in for servers that send no statuses.
const (
	statusSuccess        = "00000"
	statusOmittedResult  = "00001"
	statusNoData         = "02000"
	statusUnknownWarning = "01N42"
	statusUnknownInfo    = "03N42"
)

// polyfillStatus returns a client-made status with the default record.
func polyfillStatus(status, description string) *gqlStatus {
	return &gqlStatus{status: status, description: description, record: defaultDiagnosticRecord()}
}

// outcomeStatus is the status of the result as a whole: success when
// records came, no data when the query has columns but returned no rows,
// omitted result when it has no columns.
func outcomeStatus(hadKeys, hadRecords bool) *gqlStatus {
	switch {
	case hadRecords:
		return polyfillStatus(statusSuccess, "note: successful completion")
	case hadKeys:
		return polyfillStatus(statusNoData, "note: no data")
	}
	return polyfillStatus(statusOmittedResult, "note: successful completion - omitted result")
}

// statusFromNotification derives a GQL status from an old-style notification.
func statusFromNotification(n *notification) *gqlStatus {
	g := polyfillStatus(statusUnknownInfo, "info: unknown notification")
	if n.severity == string(Warning) {
		g.status, g.description = statusUnknownWarning, "warn: unknown warning"
	}
	if n.description != "" {
		g.description = n.description
	}
	g.isNotification = true
	g.neo4jCode, g.title, g.notificationDescription = n.code, n.title, n.description
	g.position = n.position
	g.severity, g.classification = n.severity, n.category
	if n.position != nil {
		g.record["_position"] = map[string]any{
			"offset": int64(n.position.offset),
			"line":   int64(n.position.line),
			"column": int64(n.position.column),
		}
	}
	if n.severity != "" {
		g.record["_severity"] = n.severity
	}
	if n.category != "" {
		g.record["_classification"] = n.category
	}
	return g
}

// statusRank orders derived statuses: no data, warning, success,
// information, anything else.
func statusRank(status string) int {
	if len(status) < 2 {
		return 4
	}
	switch status[:2] {
	case "02":
		return 0
	case "01":
		return 1
	case "00":
		return 2
	case "03":
		return 3
	}
	return 4
}

// notificationsAndStatuses reads the notifications (before 5.6) and the
// statuses (5.6+) the server sent, deriving whichever is missing.
func notificationsAndStatuses(end *bolt.Success, hadKeys, hadRecords bool) ([]Notification, []GqlStatusObject) {
	// Notifications is nil when a server before 5.6 sent none, empty when
	// it sent an empty list; statuses (5.6+) always give a list.
	var notes []Notification
	if end.Notifications != nil || end.Statuses != nil {
		notes = make([]Notification, 0, len(end.Notifications))
	}
	var fromNotes []*gqlStatus
	for _, m := range end.Notifications {
		n := notificationFrom(m)
		notes = append(notes, n)
		fromNotes = append(fromNotes, statusFromNotification(n))
	}
	var statuses []GqlStatusObject
	if end.Statuses != nil {
		for _, m := range end.Statuses {
			g := gqlStatusFrom(m)
			statuses = append(statuses, g)
			if end.Notifications == nil && g.isNotification {
				notes = append(notes, g.asNotification())
			}
		}
		return notes, statuses
	}
	derived := append([]*gqlStatus{outcomeStatus(hadKeys, hadRecords)}, fromNotes...)
	slices.SortStableFunc(derived, func(a, b *gqlStatus) int {
		return statusRank(a.status) - statusRank(b.status)
	})
	statuses = make([]GqlStatusObject, len(derived))
	for i, g := range derived {
		statuses[i] = g
	}
	return notes, statuses
}
