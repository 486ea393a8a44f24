package main

import (
	"fmt"

	"github.com/boltrx/boltrx"
)

// summaryData is the data of a Summary response (and of the summary in an
// EagerResult); see testkit's nutkit/protocol/responses.py Summary.
type summaryData struct {
	ServerInfo           serverInfoData    `json:"serverInfo"`
	Counters             countersData      `json:"counters"`
	Query                queryData         `json:"query"`
	Database             *string           `json:"database"`
	Notifications        []notificationOut `json:"notifications"`
	GqlStatusObjects     []gqlStatusOut    `json:"gqlStatusObjects"`
	Plan                 map[string]any    `json:"plan"`
	Profile              map[string]any    `json:"profile"`
	QueryType            *string           `json:"queryType"`
	ResultAvailableAfter *int64            `json:"resultAvailableAfter"`
	ResultConsumedAfter  *int64            `json:"resultConsumedAfter"`
}

// serverInfoData is a ServerInfo response and the serverInfo of a summary.
type serverInfoData struct {
	Address         string `json:"address"`
	Agent           string `json:"agent"`
	ProtocolVersion string `json:"protocolVersion"`
}

func serverInfoOf(s boltrx.ServerInfo) serverInfoData {
	if s == nil {
		return serverInfoData{}
	}
	v := s.ProtocolVersion()
	return serverInfoData{Address: s.Address(), Agent: s.Agent(), ProtocolVersion: fmt.Sprintf("%d.%d", v.Major, v.Minor)}
}

type countersData struct {
	ConstraintsAdded      int  `json:"constraintsAdded"`
	ConstraintsRemoved    int  `json:"constraintsRemoved"`
	ContainsSystemUpdates bool `json:"containsSystemUpdates"`
	ContainsUpdates       bool `json:"containsUpdates"`
	IndexesAdded          int  `json:"indexesAdded"`
	IndexesRemoved        int  `json:"indexesRemoved"`
	LabelsAdded           int  `json:"labelsAdded"`
	LabelsRemoved         int  `json:"labelsRemoved"`
	NodesCreated          int  `json:"nodesCreated"`
	NodesDeleted          int  `json:"nodesDeleted"`
	PropertiesSet         int  `json:"propertiesSet"`
	RelationshipsCreated  int  `json:"relationshipsCreated"`
	RelationshipsDeleted  int  `json:"relationshipsDeleted"`
	SystemUpdates         int  `json:"systemUpdates"`
}

type queryData struct {
	Text       string            `json:"text"`
	Parameters map[string]tagged `json:"parameters"`
}

type positionOut struct {
	Offset int `json:"offset"`
	Line   int `json:"line"`
	Column int `json:"column"`
}

func positionOf(p boltrx.InputPosition) *positionOut {
	if p == nil {
		return nil
	}
	return &positionOut{Offset: p.Offset(), Line: p.Line(), Column: p.Column()}
}

type notificationOut struct {
	Code             string       `json:"code"`
	Title            string       `json:"title"`
	Description      string       `json:"description"`
	Position         *positionOut `json:"position,omitempty"`
	Severity         string       `json:"severity"`
	RawSeverityLevel string       `json:"rawSeverityLevel"`
	SeverityLevel    string       `json:"severityLevel"`
	RawCategory      string       `json:"rawCategory"`
	Category         string       `json:"category"`
}

type gqlStatusOut struct {
	GqlStatus         string            `json:"gqlStatus"`
	StatusDescription string            `json:"statusDescription"`
	Position          *positionOut      `json:"position"`
	Classification    string            `json:"classification"`
	RawClassification *string           `json:"rawClassification"`
	Severity          string            `json:"severity"`
	RawSeverity       *string           `json:"rawSeverity"`
	DiagnosticRecord  map[string]tagged `json:"diagnosticRecord"`
	IsNotification    bool              `json:"isNotification"`
}

// summaryOf describes a result summary the way testkit expects it.
func summaryOf(s boltrx.ResultSummary) summaryData {
	d := summaryData{ServerInfo: serverInfoOf(s.Server())}
	if c := s.Counters(); c != nil {
		d.Counters = countersData{
			ConstraintsAdded: c.ConstraintsAdded(), ConstraintsRemoved: c.ConstraintsRemoved(),
			ContainsSystemUpdates: c.ContainsSystemUpdates(), ContainsUpdates: c.ContainsUpdates(),
			IndexesAdded: c.IndexesAdded(), IndexesRemoved: c.IndexesRemoved(),
			LabelsAdded: c.LabelsAdded(), LabelsRemoved: c.LabelsRemoved(),
			NodesCreated: c.NodesCreated(), NodesDeleted: c.NodesDeleted(),
			PropertiesSet:        c.PropertiesSet(),
			RelationshipsCreated: c.RelationshipsCreated(), RelationshipsDeleted: c.RelationshipsDeleted(),
			SystemUpdates: c.SystemUpdates(),
		}
	}
	if q := s.Query(); q != nil {
		d.Query = queryData{Text: q.Text(), Parameters: diagnosticRecord(q.Parameters())}
	}
	if db := s.Database(); db != nil {
		name := db.Name()
		d.Database = &name
	}
	if t := s.StatementType(); t != boltrx.StatementTypeUnknown {
		qt := t.String()
		d.QueryType = &qt
	}
	if after := s.ResultAvailableAfter(); after >= 0 {
		ms := after.Milliseconds()
		d.ResultAvailableAfter = &ms
	}
	if after := s.ResultConsumedAfter(); after >= 0 {
		ms := after.Milliseconds()
		d.ResultConsumedAfter = &ms
	}
	if ns := s.Notifications(); ns != nil {
		d.Notifications = make([]notificationOut, len(ns))
		for i, n := range ns {
			d.Notifications[i] = notificationOut{
				Code: n.Code(), Title: n.Title(), Description: n.Description(),
				Position:         positionOf(n.Position()),
				Severity:         n.RawSeverityLevel(),
				RawSeverityLevel: n.RawSeverityLevel(), SeverityLevel: string(n.SeverityLevel()),
				RawCategory: n.RawCategory(), Category: string(n.Category()),
			}
		}
	}
	statuses := s.GqlStatusObjects()
	d.GqlStatusObjects = make([]gqlStatusOut, len(statuses))
	for i, g := range statuses {
		d.GqlStatusObjects[i] = gqlStatusOut{
			GqlStatus: g.GqlStatus(), StatusDescription: g.StatusDescription(),
			Position:       positionOf(g.Position()),
			Classification: string(g.Classification()), RawClassification: nonEmpty(g.RawClassification()),
			Severity: string(g.Severity()), RawSeverity: nonEmpty(g.RawSeverity()),
			DiagnosticRecord: diagnosticRecord(g.DiagnosticRecord()),
			IsNotification:   g.IsNotification(),
		}
	}
	if p := s.Plan(); p != nil {
		d.Plan = planOf(p)
	}
	if p := s.Profile(); p != nil {
		d.Profile = profileOf(p, true)
	}
	return d
}

// nonEmpty returns nil for "" and &s otherwise.
func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func planOf(p boltrx.Plan) map[string]any {
	children := make([]map[string]any, 0, len(p.Children()))
	for _, c := range p.Children() {
		children = append(children, planOf(c))
	}
	return map[string]any{
		"args":         plainJSON(p.Arguments()),
		"operatorType": p.Operator(),
		"children":     children,
		"identifiers":  p.Identifiers(),
	}
}

// profileOf describes a profiled plan; the page cache figures and the
// time are only described for children (testkit's expectation for the
// root omits them).
func profileOf(p boltrx.ProfiledPlan, root bool) map[string]any {
	children := make([]map[string]any, 0, len(p.Children()))
	for _, c := range p.Children() {
		children = append(children, profileOf(c, false))
	}
	out := map[string]any{
		"args":         plainJSON(p.Arguments()),
		"operatorType": p.Operator(),
		"children":     children,
		"identifiers":  p.Identifiers(),
		"dbHits":       p.DbHits(),
		"rows":         p.Records(),
	}
	if !root {
		out["pageCacheMisses"] = p.PageCacheMisses()
		out["pageCacheHits"] = p.PageCacheHits()
		out["pageCacheHitRatio"] = jsonFloat(p.PageCacheHitRatio())
		out["time"] = p.Time()
	}
	return out
}
