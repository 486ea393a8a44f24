package bolt

import (
	"strconv"

	"github.com/boltrx/boltrx/packstream"
)

// MetadataKey is a bit set of the SUCCESS metadata keys this package knows.
type MetadataKey uint32

// The SUCCESS metadata keys.
const (
	KeyFields             MetadataKey = 1 << iota // "fields"
	KeyTFirst                                     // "t_first" ("result_available_after" before 3.0)
	KeyTLast                                      // "t_last" ("result_consumed_after" before 3.0)
	KeyQid                                        // "qid"
	KeyHasMore                                    // "has_more"
	KeyBookmark                                   // "bookmark"
	KeyDatabase                                   // "db"
	KeyQueryType                                  // "type"
	KeyStats                                      // "stats"
	KeyPlan                                       // "plan"
	KeyProfile                                    // "profile"
	KeyNotifications                              // "notifications"
	KeyStatuses                                   // "statuses"
	KeyRoutingTable                               // "rt"
	KeyHints                                      // "hints"
	KeyServer                                     // "server"
	KeyConnectionID                               // "connection_id"
	KeyProtocolVersion                            // "protocol_version"
	KeyAdvertisedAddress                          // "advertised_address"
	KeyCredentialsExpired                         // "credentials_expired"
	KeyPatchBolt                                  // "patch_bolt"
)

// Success says the request succeeded: SUCCESS {metadata}. The metadata is
// decoded into typed fields; which keys the server sent is in Present.
//
// Decoding treats a null value as an absent key and fails with a
// *ProtocolError on a known key whose value has the wrong type.
//
// Encoding (server side) writes a key when its bit is in Present or its
// field is not the zero value, in a fixed order, then the Extra entries
// in sorted order.
type Success struct {
	// Present has a bit for every known key the message carried (decode),
	// or that must be written even when its field is zero (encode).
	Present MetadataKey

	Fields    []string       // RUN: the result's keys
	TFirst    int64          // RUN: ms until the first record was available
	TLast     int64          // PULL/DISCARD: ms until the last record was consumed
	Qid       int64          // RUN in an explicit transaction (4.0+): the query id
	HasMore   bool           // PULL/DISCARD (4.0+): more records remain
	Bookmark  string         // end of an auto-commit result, COMMIT
	Database  string         // the database the query ran in; 5.8+ also on BEGIN/RUN: the resolved home database
	QueryType string         // "r", "w", "rw" or "s" (anything else fails decoding)
	Stats     map[string]any // update counters
	Plan      map[string]any // EXPLAIN plan
	Profile   map[string]any // PROFILE result

	// Notifications (before 5.5) and Statuses (GQL status objects, 5.5+)
	// describe the completed query.
	Notifications []map[string]any
	Statuses      []map[string]any

	RoutingTable *RoutingTable // ROUTE (4.3+)

	Hints              Hints    // HELLO (4.3+): connection hints
	Server             string   // HELLO: server agent, e.g. "Neo4j/5.26.0"
	ConnectionID       string   // HELLO: e.g. "bolt-61"
	ProtocolVersion    string   // HELLO (5.7+, manifest handshake): e.g. "5.7"
	PatchBolt          []string // HELLO (4.3-4.4): the patches the server applies
	AdvertisedAddress  string   // LOGON (5.8+)
	CredentialsExpired bool     // HELLO/LOGON: the password must be changed

	// Extra holds the metadata keys this package does not know, decoded
	// as PackStream values; nil when there are none.
	Extra map[string]any
}

// Has reports whether the message carried all of the keys in k.
func (s *Success) Has(k MetadataKey) bool { return s.Present&k == k }

// Tag returns TagSuccess.
func (*Success) Tag() byte { return TagSuccess }

// Hints are the connection hints in the SUCCESS of HELLO (4.3+). Absent
// hints are zero, which is also their meaning when absent.
type Hints struct {
	// RecvTimeoutSeconds is "connection.recv_timeout_seconds": the server
	// sends a chunk at least this often, so a connection silent for
	// longer is stale. 0 = no hint.
	RecvTimeoutSeconds int64
	// TelemetryEnabled is "telemetry.enabled" (5.4+): TELEMETRY is wanted.
	TelemetryEnabled bool
	// SSREnabled is "ssr.enabled" (5.8+): the cluster routes server-side.
	SSREnabled bool
	// Extra holds the hints this package does not know.
	Extra map[string]any
}

// IsZero reports whether no hint is set.
func (h *Hints) IsZero() bool {
	return h.RecvTimeoutSeconds == 0 && !h.TelemetryEnabled && !h.SSREnabled && len(h.Extra) == 0
}

// The hint keys.
const (
	HintRecvTimeoutSeconds = "connection.recv_timeout_seconds"
	HintTelemetryEnabled   = "telemetry.enabled"
	HintSSREnabled         = "ssr.enabled"
)

// decode reads the metadata dictionary.
func (s *Success) decode(r *fieldReader) error {
	n, err := r.mapHeader("metadata")
	if err != nil {
		return err
	}
	for i := 0; i < n; i++ {
		key, err := r.key("metadata")
		if err != nil {
			return err
		}
		var bit MetadataKey
		present := true
		// switch on string(key) compiles to comparisons without allocating.
		switch string(key) {
		case "fields":
			bit = KeyFields
			s.Fields, err = r.strings("fields", true)
			present = s.Fields != nil
		case "t_first":
			bit = KeyTFirst
			s.TFirst, present, err = r.integer("t_first", true)
		case "result_available_after": // before 3.0
			bit = KeyTFirst
			s.TFirst, present, err = r.integer("result_available_after", true)
		case "t_last":
			bit = KeyTLast
			s.TLast, present, err = r.integer("t_last", true)
		case "result_consumed_after": // before 3.0
			bit = KeyTLast
			s.TLast, present, err = r.integer("result_consumed_after", true)
		case "qid":
			bit = KeyQid
			s.Qid, present, err = r.integer("qid", true)
		case "has_more":
			bit = KeyHasMore
			s.HasMore, present, err = r.boolean("has_more", true)
		case "bookmark":
			bit = KeyBookmark
			present, err = r.optStr("bookmark", &s.Bookmark)
		case "db":
			bit = KeyDatabase
			present, err = r.optStr("db", &s.Database)
		case "type":
			bit = KeyQueryType
			off := r.d.Offset()
			if present, err = r.optStr("type", &s.QueryType); err == nil && present && !validQueryType(s.QueryType) {
				err = r.fail("type", off, strconv.Quote(s.QueryType)+` is not a query type ("r", "w", "rw" or "s")`, nil)
			}
		case "stats":
			bit = KeyStats
			s.Stats, err = r.anyMap("stats", true)
			present = s.Stats != nil
		case "plan":
			bit = KeyPlan
			s.Plan, err = r.anyMap("plan", true)
			present = s.Plan != nil
		case "profile":
			bit = KeyProfile
			s.Profile, err = r.anyMap("profile", true)
			present = s.Profile != nil
		case "notifications":
			bit = KeyNotifications
			s.Notifications, err = r.mapList("notifications")
			present = s.Notifications != nil
		case "statuses":
			bit = KeyStatuses
			s.Statuses, err = r.mapList("statuses")
			present = s.Statuses != nil
		case "rt":
			bit = KeyRoutingTable
			s.RoutingTable, err = decodeRoutingTable(r)
			present = s.RoutingTable != nil
		case "hints":
			bit = KeyHints
			present, err = s.Hints.decode(r)
		case "server":
			bit = KeyServer
			present, err = r.optStr("server", &s.Server)
		case "connection_id":
			bit = KeyConnectionID
			present, err = r.optStr("connection_id", &s.ConnectionID)
		case "protocol_version":
			bit = KeyProtocolVersion
			present, err = r.optStr("protocol_version", &s.ProtocolVersion)
		case "advertised_address":
			bit = KeyAdvertisedAddress
			present, err = r.optStr("advertised_address", &s.AdvertisedAddress)
		case "credentials_expired":
			bit = KeyCredentialsExpired
			s.CredentialsExpired, present, err = r.boolean("credentials_expired", true)
		case "patch_bolt":
			bit = KeyPatchBolt
			s.PatchBolt, err = r.strings("patch_bolt", true)
			present = s.PatchBolt != nil
		default:
			name := string(key)
			var v any
			if v, err = r.value(name); err == nil {
				if s.Extra == nil {
					s.Extra = make(map[string]any)
				}
				s.Extra[name] = v
			}
		}
		if err != nil {
			return err
		}
		if present {
			s.Present |= bit
		}
	}
	return nil
}

// validQueryType reports whether t is one of the query types a server
// may send.
func validQueryType(t string) bool {
	switch t {
	case "r", "w", "rw", "s":
		return true
	}
	return false
}

// optStr reads a nullable string into dst and reports whether it was not
// null.
func (r *fieldReader) optStr(field string, dst *string) (bool, error) {
	null, err := r.expect(field, packstream.KindString, true)
	if err != nil || null {
		return false, err
	}
	*dst, err = r.str(field, false)
	return err == nil, err
}

// decode reads the hints dictionary; present is false for null.
func (h *Hints) decode(r *fieldReader) (present bool, err error) {
	if null, err := r.expect("hints", packstream.KindMap, true); err != nil || null {
		return false, err
	}
	n, err := r.mapHeader("hints")
	if err != nil {
		return false, err
	}
	for i := 0; i < n; i++ {
		key, err := r.key("hints")
		if err != nil {
			return false, err
		}
		switch string(key) {
		case HintRecvTimeoutSeconds:
			h.RecvTimeoutSeconds, _, err = r.integer("hints."+HintRecvTimeoutSeconds, true)
		case HintTelemetryEnabled:
			h.TelemetryEnabled, _, err = r.boolean("hints."+HintTelemetryEnabled, true)
		case HintSSREnabled:
			h.SSREnabled, _, err = r.boolean("hints."+HintSSREnabled, true)
		default:
			name := string(key)
			var v any
			if v, err = r.value("hints." + name); err == nil {
				if h.Extra == nil {
					h.Extra = make(map[string]any)
				}
				h.Extra[name] = v
			}
		}
		if err != nil {
			return false, err
		}
	}
	return true, nil
}

// encode writes the message (server side).
func (s *Success) encode(enc *packstream.Encoder, caps *Capabilities) error {
	legacy := !caps.Hello
	has := func(k MetadataKey, set bool) bool { return set || s.Present&k != 0 }
	enc.WriteStructHeader(TagSuccess, 1)
	return writeDict(enc, func(d *dictWriter) {
		if has(KeyFields, s.Fields != nil) {
			d.strings("fields", s.Fields)
		}
		if has(KeyTFirst, s.TFirst != 0) {
			d.integer(pick(legacy, "result_available_after", "t_first"), s.TFirst)
		}
		if has(KeyTLast, s.TLast != 0) {
			d.integer(pick(legacy, "result_consumed_after", "t_last"), s.TLast)
		}
		if has(KeyQid, s.Qid != 0) {
			d.integer("qid", s.Qid)
		}
		if has(KeyHasMore, s.HasMore) {
			d.boolean("has_more", s.HasMore)
		}
		if has(KeyBookmark, s.Bookmark != "") {
			d.str("bookmark", s.Bookmark)
		}
		if has(KeyDatabase, s.Database != "") {
			d.str("db", s.Database)
		}
		if has(KeyQueryType, s.QueryType != "") {
			d.str("type", s.QueryType)
		}
		if has(KeyStats, s.Stats != nil) {
			d.anyMap("stats", s.Stats)
		}
		if has(KeyPlan, s.Plan != nil) {
			d.anyMap("plan", s.Plan)
		}
		if has(KeyProfile, s.Profile != nil) {
			d.anyMap("profile", s.Profile)
		}
		if has(KeyNotifications, s.Notifications != nil) {
			d.mapList("notifications", s.Notifications)
		}
		if has(KeyStatuses, s.Statuses != nil) {
			d.mapList("statuses", s.Statuses)
		}
		if has(KeyRoutingTable, s.RoutingTable != nil) {
			if s.RoutingTable == nil {
				d.null("rt")
			} else {
				d.dict("rt", s.RoutingTable.entries)
			}
		}
		if has(KeyHints, !s.Hints.IsZero()) {
			d.dict("hints", s.Hints.entries)
		}
		if has(KeyServer, s.Server != "") {
			d.str("server", s.Server)
		}
		if has(KeyConnectionID, s.ConnectionID != "") {
			d.str("connection_id", s.ConnectionID)
		}
		if has(KeyProtocolVersion, s.ProtocolVersion != "") {
			d.str("protocol_version", s.ProtocolVersion)
		}
		if has(KeyPatchBolt, s.PatchBolt != nil) {
			d.strings("patch_bolt", s.PatchBolt)
		}
		if has(KeyAdvertisedAddress, s.AdvertisedAddress != "") {
			d.str("advertised_address", s.AdvertisedAddress)
		}
		if has(KeyCredentialsExpired, s.CredentialsExpired) {
			d.boolean("credentials_expired", s.CredentialsExpired)
		}
		for _, k := range sortedKeys(s.Extra) {
			d.value(k, s.Extra[k])
		}
	})
}

func (h *Hints) entries(d *dictWriter) {
	if h.RecvTimeoutSeconds != 0 {
		d.integer(HintRecvTimeoutSeconds, h.RecvTimeoutSeconds)
	}
	if h.TelemetryEnabled {
		d.boolean(HintTelemetryEnabled, true)
	}
	if h.SSREnabled {
		d.boolean(HintSSREnabled, true)
	}
	for _, k := range sortedKeys(h.Extra) {
		d.value(k, h.Extra[k])
	}
}

func pick(cond bool, yes, no string) string {
	if cond {
		return yes
	}
	return no
}
