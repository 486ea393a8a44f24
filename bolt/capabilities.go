package bolt

import "github.com/boltrx/boltrx/packstream"

// Capabilities describes what one protocol version can do. Every decision
// that depends on the negotiated version (the shape of a message, a field a
// message may carry, a state the server may enter) asks this table instead
// of comparing version numbers.
//
// The entries are shared: treat a *Capabilities as read-only.
type Capabilities struct {
	// Version is the protocol version this entry describes.
	Version Version
	// Offered reports whether boltrx proposes this version in the
	// handshake. Bolt 1 and 2 are described (their INIT, ACK_FAILURE and
	// PULL_ALL shapes) but never offered.
	Offered bool

	// Hello: the connection starts with HELLO and ends with GOODBYE, and a
	// failure is acknowledged with RESET (3.0+). Before, it starts with
	// INIT and a failure is acknowledged with ACK_FAILURE.
	Hello bool
	// ExplicitTransactions: BEGIN, COMMIT and ROLLBACK exist, RUN carries
	// an extra dictionary (bookmarks, tx_timeout, tx_metadata, mode) and
	// the server has the TX_READY and TX_STREAMING states (3.0+).
	ExplicitTransactions bool
	// PullN: PULL and DISCARD carry {n, qid}, their SUCCESS may say
	// has_more, a RUN inside a transaction answers with a qid and several
	// results may be open in one transaction (4.0+). Before, the messages
	// are PULL_ALL and DISCARD_ALL without fields.
	PullN bool
	// Database: RUN and BEGIN may name a database with "db" (4.0+).
	Database bool
	// NoopChunks: either side may send empty chunks as keep-alives
	// (4.1+).
	NoopChunks bool
	// RoutingContextInHello: HELLO carries "routing", the routing context,
	// asking for server-side routing (4.1+).
	RoutingContextInHello bool
	// ConnectionHints: the SUCCESS of HELLO may carry "hints" (4.3+).
	ConnectionHints bool
	// RouteMessage: the ROUTE message fetches the routing table (4.3+).
	// Before, a routing procedure is called with RUN (RoutingProcedure).
	RouteMessage bool
	// RouteExtra: ROUTE carries its database and impersonated user in an
	// extra dictionary (4.4+); in 4.3 the database is a plain string field.
	RouteExtra bool
	// ImpersonatedUser: RUN, BEGIN and ROUTE may carry "imp_user" (4.4+).
	ImpersonatedUser bool
	// UTCPatch: HELLO may ask for the "utc" patch with "patch_bolt", which,
	// once the server acknowledges it, switches DateTime values to the
	// UTC-based structures of 5.0 (4.3 and 4.4 only).
	UTCPatch bool
	// UTCDateTime: DateTime and DateTimeZoneId use the UTC-based
	// structures (5.0+).
	UTCDateTime bool
	// ElementIDs: nodes and relationships carry element ids (5.0+).
	ElementIDs bool
	// Logon: authentication moved from HELLO to LOGON, LOGOFF exists and
	// the server has the AUTHENTICATION state (5.1+).
	Logon bool
	// NotificationFilters: HELLO, BEGIN and RUN may carry
	// "notifications_minimum_severity" and the disabled-categories list
	// named by NotificationsDisabledField (5.2+).
	NotificationFilters bool
	// NotificationsDisabledField is the key of the list of disabled
	// notification categories/classifications: "" before 5.2,
	// "notifications_disabled_categories" in 5.2-5.4 and
	// "notifications_disabled_classifications" from 5.5 on.
	NotificationsDisabledField string
	// BoltAgent: HELLO must carry "bolt_agent" (5.3+).
	BoltAgent bool
	// Telemetry: the TELEMETRY message exists (5.4+).
	Telemetry bool
	// GQLStatuses: a completed result reports "statuses" (GQL status
	// objects) instead of "notifications" (5.5+).
	GQLStatuses bool
	// GQLErrors: FAILURE carries neo4j_code, gql_status, description,
	// diagnostic_record and a cause chain instead of code (5.7+).
	GQLErrors bool
	// HomeDatabaseHint: the SUCCESS of BEGIN or of an auto-commit RUN
	// names the resolved home database in "db", HELLO hints may say
	// "ssr.enabled" and the SUCCESS of LOGON may carry
	// "advertised_address" (5.8+).
	HomeDatabaseHint bool
	// Vectors: the Vector and UnsupportedType structures exist (6.0+).
	Vectors bool
	// UUIDs: the native UUID value exists (6.1+).
	UUIDs bool

	// RoutingProcedure is the Cypher that fetches the routing table on
	// versions without ROUTE: "" when RouteMessage is set.
	RoutingProcedure string
	// RoutingProcedureDatabase is the database RoutingProcedure must run
	// in ("" = the default database).
	RoutingProcedureDatabase string
}

// Dialect returns the PackStream dialect of this version. utcPatched says
// whether the server acknowledged the "utc" patch in its answer to HELLO; it
// only matters on versions with UTCPatch.
func (c *Capabilities) Dialect(utcPatched bool) packstream.Dialect {
	return packstream.Dialect{
		UTCDateTime: c.UTCDateTime || (c.UTCPatch && utcPatched),
		ElementIDs:  c.ElementIDs,
		Vectors:     c.Vectors,
		UUIDs:       c.UUIDs,
	}
}

// Legacy versions, described for their message shapes but never offered.
var (
	v1_0 = Version{1, 0}
	v2_0 = Version{2, 0}
)

// knownVersions lists the versions the capability table describes, oldest
// first.
var knownVersions = []Version{v1_0, v2_0, V3_0, V4_0, V4_1, V4_2, V4_3, V4_4,
	V5_0, V5_1, V5_2, V5_3, V5_4, V5_5, V5_6, V5_7, V5_8, V6_0, V6_1}

// capabilityTable holds one entry per known version, oldest first.
var capabilityTable = buildCapabilityTable()

func buildCapabilityTable() []*Capabilities {
	table := make([]*Capabilities, len(knownVersions))
	for i, v := range knownVersions {
		table[i] = capabilitiesOf(v)
	}
	return table
}

// Routing procedures of the versions without ROUTE.
const (
	// routingProcedure3 is the routing procedure of Bolt 3 (Neo4j 3.5).
	routingProcedure3 = "CALL dbms.cluster.routing.getRoutingTable($context)"
	// routingProcedure4 is the routing procedure of Bolt 4.0-4.2, run in
	// the system database; $database may be null for the default one.
	routingProcedure4 = "CALL dbms.routing.getRoutingTable($context, $database)"
)

// capabilitiesOf describes version v. Every capability names the version
// that brought it, so "added in" is stated exactly once.
func capabilitiesOf(v Version) *Capabilities {
	c := &Capabilities{
		Version:               v,
		Offered:               IsSupported(v),
		Hello:                 v.AtLeast(V3_0),
		ExplicitTransactions:  v.AtLeast(V3_0),
		PullN:                 v.AtLeast(V4_0),
		Database:              v.AtLeast(V4_0),
		NoopChunks:            v.AtLeast(V4_1),
		RoutingContextInHello: v.AtLeast(V4_1),
		ConnectionHints:       v.AtLeast(V4_3),
		RouteMessage:          v.AtLeast(V4_3),
		RouteExtra:            v.AtLeast(V4_4),
		ImpersonatedUser:      v.AtLeast(V4_4),
		UTCPatch:              v.AtLeast(V4_3) && v.Less(V5_0), // 5.0 made it the rule
		UTCDateTime:           v.AtLeast(V5_0),
		ElementIDs:            v.AtLeast(V5_0),
		Logon:                 v.AtLeast(V5_1),
		NotificationFilters:   v.AtLeast(V5_2),
		BoltAgent:             v.AtLeast(V5_3),
		Telemetry:             v.AtLeast(V5_4),
		// 5.5 is not documented and no server negotiates it; the official
		// drivers that speak it use the 5.6 shapes, and so does boltrx.
		GQLStatuses:      v.AtLeast(V5_5),
		GQLErrors:        v.AtLeast(V5_7),
		HomeDatabaseHint: v.AtLeast(V5_8),
		Vectors:          v.AtLeast(V6_0),
		UUIDs:            v.AtLeast(V6_1),
	}
	switch {
	case v.AtLeast(V4_3): // ROUTE replaces the routing procedures
	case v.AtLeast(V4_0):
		c.RoutingProcedure, c.RoutingProcedureDatabase = routingProcedure4, "system"
	case v.AtLeast(V3_0):
		c.RoutingProcedure = routingProcedure3
	}
	switch {
	case v.AtLeast(V5_5):
		c.NotificationsDisabledField = "notifications_disabled_classifications"
	case v.AtLeast(V5_2):
		c.NotificationsDisabledField = "notifications_disabled_categories"
	}
	return c
}

// CapabilitiesFor returns the capabilities of protocol version v, and false
// for a version boltrx does not know.
func CapabilitiesFor(v Version) (*Capabilities, bool) {
	for _, c := range capabilityTable {
		if c.Version == v {
			return c, true
		}
	}
	return nil, false
}

// KnownVersions lists every version the capability table describes, oldest
// first, including the legacy versions that are never offered.
func KnownVersions() []Version {
	out := make([]Version, len(capabilityTable))
	for i, c := range capabilityTable {
		out[i] = c.Version
	}
	return out
}
