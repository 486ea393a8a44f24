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
	return eachEntry(r, "metadata", func(key []byte) (err error) {
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
			present, err = r.optInt("t_first", &s.TFirst)
		case "t_last":
			bit = KeyTLast
			present, err = r.optInt("t_last", &s.TLast)
		case "result_available_after": // t_first before 3.0
			bit = KeyTFirst
			present, err = r.optInt("result_available_after", &s.TFirst)
		case "result_consumed_after": // t_last before 3.0
			bit = KeyTLast
			present, err = r.optInt("result_consumed_after", &s.TLast)
		case "qid":
			bit = KeyQid
			present, err = r.optInt("qid", &s.Qid)
		case "has_more":
			bit = KeyHasMore
			present, err = r.optBool("has_more", &s.HasMore)
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
			present, err = r.optMap("stats", &s.Stats)
		case "plan":
			bit = KeyPlan
			present, err = r.optMap("plan", &s.Plan)
		case "profile":
			bit = KeyProfile
			present, err = r.optMap("profile", &s.Profile)
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
			present, err = r.optBool("credentials_expired", &s.CredentialsExpired)
		case "patch_bolt":
			bit = KeyPatchBolt
			s.PatchBolt, err = r.strings("patch_bolt", true)
			present = s.PatchBolt != nil
		default:
			return readExtra(r, &s.Extra, string(key), string(key))
		}
		if err == nil && present {
			s.Present |= bit
		}
		return err
	})
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

// readExtra reads the value of an unknown key name (field in errors) into
// *extra, which it makes on first use.
func readExtra(r *fieldReader, extra *map[string]any, name, field string) error {
	v, err := r.value(field)
	if err != nil {
		return err
	}
	if *extra == nil {
		*extra = make(map[string]any)
	}
	(*extra)[name] = v
	return nil
}

// optField reads a nullable field of kind want with read into *dst and
// reports whether it was not null.
func optField[T any](r *fieldReader, field string, want packstream.Kind, dst *T, read func(*packstream.Decoder) (T, error)) (present bool, err error) {
	*dst, present, err = readField(r, field, want, true, read)
	return present, err
}

// optStr reads a nullable string into dst and reports whether it was not
// null; optInt, optBool and optMap likewise.
func (r *fieldReader) optStr(field string, dst *string) (bool, error) {
	return optField(r, field, packstream.KindString, dst, (*packstream.Decoder).ReadString)
}

func (r *fieldReader) optInt(field string, dst *int64) (bool, error) {
	return optField(r, field, packstream.KindInt, dst, (*packstream.Decoder).ReadInt)
}

func (r *fieldReader) optBool(field string, dst *bool) (bool, error) {
	return optField(r, field, packstream.KindBool, dst, (*packstream.Decoder).ReadBool)
}

func (r *fieldReader) optMap(field string, dst *map[string]any) (bool, error) {
	return optField(r, field, packstream.KindMap, dst, (*packstream.Decoder).ReadMap)
}

// decode reads the hints dictionary; present is false for null.
func (h *Hints) decode(r *fieldReader) (present bool, err error) {
	if null, err := r.expect("hints", packstream.KindMap, true); err != nil || null {
		return false, err
	}
	return true, eachEntry(r, "hints", func(key []byte) (err error) {
		switch string(key) {
		case HintRecvTimeoutSeconds:
			h.RecvTimeoutSeconds, _, err = r.integer("hints."+HintRecvTimeoutSeconds, true)
		case HintTelemetryEnabled:
			h.TelemetryEnabled, _, err = r.boolean("hints."+HintTelemetryEnabled, true)
		case HintSSREnabled:
			h.SSREnabled, _, err = r.boolean("hints."+HintSSREnabled, true)
		default:
			err = readExtra(r, &h.Extra, string(key), "hints."+string(key))
		}
		return err
	})
}

// encode writes the message (server side).
func (s *Success) encode(enc *packstream.Encoder, caps *Capabilities) error {
	legacy := !caps.Hello
	enc.WriteStructHeader(TagSuccess, 1)
	return writeDict(enc, func(d *dictWriter) {
		w := metadataWriter{d: d, present: s.Present}
		w.strings(KeyFields, "fields", s.Fields)
		w.integer(KeyTFirst, pick(legacy, "result_available_after", "t_first"), s.TFirst)
		w.integer(KeyTLast, pick(legacy, "result_consumed_after", "t_last"), s.TLast)
		w.integer(KeyQid, "qid", s.Qid)
		w.boolean(KeyHasMore, "has_more", s.HasMore)
		w.str(KeyBookmark, "bookmark", s.Bookmark)
		w.str(KeyDatabase, "db", s.Database)
		w.str(KeyQueryType, "type", s.QueryType)
		w.anyMap(KeyStats, "stats", s.Stats)
		w.anyMap(KeyPlan, "plan", s.Plan)
		w.anyMap(KeyProfile, "profile", s.Profile)
		w.mapList(KeyNotifications, "notifications", s.Notifications)
		w.mapList(KeyStatuses, "statuses", s.Statuses)
		w.routingTable(KeyRoutingTable, "rt", s.RoutingTable)
		w.hints(KeyHints, "hints", s.Hints)
		w.str(KeyServer, "server", s.Server)
		w.str(KeyConnectionID, "connection_id", s.ConnectionID)
		w.str(KeyProtocolVersion, "protocol_version", s.ProtocolVersion)
		w.strings(KeyPatchBolt, "patch_bolt", s.PatchBolt)
		w.str(KeyAdvertisedAddress, "advertised_address", s.AdvertisedAddress)
		w.boolean(KeyCredentialsExpired, "credentials_expired", s.CredentialsExpired)
		for _, k := range sortedKeys(s.Extra) {
			d.value(k, s.Extra[k])
		}
	})
}

// metadataWriter writes the known keys of a SUCCESS: a key when its value
// is not zero or its bit is in present.
type metadataWriter struct {
	d       *dictWriter
	present MetadataKey
}

// wants reports whether the key with bit is written.
func (w metadataWriter) wants(bit MetadataKey, set bool) bool { return set || w.present&bit != 0 }

func (w metadataWriter) str(bit MetadataKey, k, v string) {
	if w.wants(bit, v != "") {
		w.d.str(k, v)
	}
}

func (w metadataWriter) integer(bit MetadataKey, k string, v int64) {
	if w.wants(bit, v != 0) {
		w.d.integer(k, v)
	}
}

func (w metadataWriter) boolean(bit MetadataKey, k string, v bool) {
	if w.wants(bit, v) {
		w.d.boolean(k, v)
	}
}

func (w metadataWriter) strings(bit MetadataKey, k string, v []string) {
	if w.wants(bit, v != nil) {
		w.d.strings(k, v)
	}
}

func (w metadataWriter) anyMap(bit MetadataKey, k string, v map[string]any) {
	if w.wants(bit, v != nil) {
		w.d.anyMap(k, v)
	}
}

func (w metadataWriter) mapList(bit MetadataKey, k string, v []map[string]any) {
	if w.wants(bit, v != nil) {
		w.d.mapList(k, v)
	}
}

// routingTable writes a present but nil table as null.
func (w metadataWriter) routingTable(bit MetadataKey, k string, v *RoutingTable) {
	switch {
	case v != nil:
		w.d.dict(k, v.entries)
	case w.wants(bit, false):
		w.d.null(k)
	}
}

func (w metadataWriter) hints(bit MetadataKey, k string, v Hints) {
	if w.wants(bit, !v.IsZero()) {
		w.d.dict(k, v.entries)
	}
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
