package bolt

import (
	"github.com/boltrx/boltrx/packstream"
)

// Hello opens a connection (3.0+): HELLO {extra}.
type Hello struct {
	// UserAgent identifies the application, "Name/Version".
	UserAgent string
	// Auth is the authentication token ({"scheme": ..., ...}), merged into
	// the extra dictionary. Only before 5.1; from 5.1 on it goes in LOGON
	// and must be nil here. nil sends no authentication keys.
	Auth map[string]any
	// Routing is the routing context asking for server-side routing
	// (4.1+); nil sends none (no routing), an empty map sends {}.
	Routing map[string]string
	// PatchBolt lists the protocol patches asked for, e.g. ["utc"]
	// (4.3-4.4 only).
	PatchBolt []string
	// BoltAgent identifies the driver (5.3+, where it is required).
	BoltAgent BoltAgent
	// NotificationsMinSeverity is the minimum severity of the
	// notifications the server returns, e.g. "WARNING" or "OFF" (5.2+).
	// "" sends nothing: the server's default.
	NotificationsMinSeverity string
	// NotificationsDisabled lists the notification categories
	// (classifications from 5.5) the server does not return (5.2+). nil
	// sends nothing (the server's default); an empty non-nil list disables
	// none.
	NotificationsDisabled []string
}

// BoltAgent identifies the driver in HELLO (5.3+). The zero value sends
// nothing.
type BoltAgent struct {
	Product         string // "Name/Version" of the driver, required
	Platform        string // e.g. "Linux 6.1; amd64"; "" = not sent
	Language        string // e.g. "Go/1.26"; "" = not sent
	LanguageDetails string // e.g. "gc"; "" = not sent
}

// IsZero reports whether no field is set.
func (a BoltAgent) IsZero() bool { return a == BoltAgent{} }

// helloKeys are the keys HELLO defines on some version; any other key of a
// HELLO before 5.1 belongs to the authentication token.
var helloKeys = map[string]bool{
	"user_agent": true, "routing": true, "patch_bolt": true, "bolt_agent": true,
	"notifications_minimum_severity":         true,
	"notifications_disabled_categories":      true,
	"notifications_disabled_classifications": true,
}

func (m *Hello) check(caps *Capabilities) error {
	if m.Auth != nil && caps.Logon {
		return &VersionError{Message: "HELLO", Field: "auth", Version: caps.Version, Detail: "send the authentication token with LOGON"}
	}
	if m.Routing != nil && !caps.RoutingContextInHello {
		return &VersionError{Message: "HELLO", Field: "routing", Version: caps.Version, Detail: "server-side routing needs 4.1"}
	}
	if m.PatchBolt != nil && !caps.UTCPatch {
		return &VersionError{Message: "HELLO", Field: "patch_bolt", Version: caps.Version}
	}
	if !m.BoltAgent.IsZero() && !caps.BoltAgent {
		return &VersionError{Message: "HELLO", Field: "bolt_agent", Version: caps.Version}
	}
	if caps.BoltAgent && m.BoltAgent.Product == "" {
		return &InvalidRequestError{Message: "HELLO", Field: "bolt_agent", Detail: "product is required from 5.3 on"}
	}
	if err := checkNotifications("HELLO", caps, m.NotificationsMinSeverity, m.NotificationsDisabled); err != nil {
		return err
	}
	for k := range m.Auth {
		if helloKeys[k] {
			return &InvalidRequestError{Message: "HELLO", Field: k, Detail: "the authentication token may not set a key HELLO uses"}
		}
	}
	return nil
}

func (m *Hello) encode(enc *packstream.Encoder, caps *Capabilities, tag byte) error {
	if err := m.check(caps); err != nil {
		return err
	}
	enc.WriteStructHeader(tag, 1)
	return writeDict(enc, func(d *dictWriter) {
		d.str("user_agent", m.UserAgent)
		if m.Routing != nil {
			d.stringMap("routing", m.Routing)
		}
		if m.PatchBolt != nil {
			d.strings("patch_bolt", m.PatchBolt)
		}
		writeNotifications(d, caps, m.NotificationsMinSeverity, m.NotificationsDisabled)
		if !m.BoltAgent.IsZero() {
			d.dict("bolt_agent", m.BoltAgent.entries)
		}
		for _, k := range sortedKeys(m.Auth) {
			d.value(k, m.Auth[k])
		}
	})
}

func (a *BoltAgent) entries(d *dictWriter) {
	d.str("product", a.Product)
	if a.Platform != "" {
		d.str("platform", a.Platform)
	}
	if a.Language != "" {
		d.str("language", a.Language)
	}
	if a.LanguageDetails != "" {
		d.str("language_details", a.LanguageDetails)
	}
}

// stringEntries reads the map field whose known keys hold nullable strings,
// each into its entry of known (named prefix+key in errors); other reads
// (or refuses) any other key.
func stringEntries(r *fieldReader, field, prefix string, known map[string]*string, other func(key []byte) error) error {
	return eachEntry(r, field, func(key []byte) (err error) {
		dst, ok := known[string(key)]
		if !ok {
			return other(key)
		}
		*dst, err = r.str(prefix+string(key), true)
		return err
	})
}

// eachEntry reads the header of the map field and calls entry with each
// key in turn; entry reads (or skips) that key's value. It stops at the
// first error. The extra dictionaries of HELLO, BEGIN, RUN and ROUTE, the
// bolt_agent map and the metadata of FAILURE are read through it.
func eachEntry(r *fieldReader, field string, entry func(key []byte) error) error {
	n, err := r.mapHeader(field)
	if err != nil {
		return err
	}
	for i := 0; i < n; i++ {
		key, err := r.key(field)
		if err != nil {
			return err
		}
		if err := entry(key); err != nil {
			return err
		}
	}
	return nil
}

func (m *Hello) decode(r *fieldReader, caps *Capabilities, fields int) error {
	if err := wantFields(r, fields, 1); err != nil {
		return err
	}
	return eachExtra(r, caps, &m.NotificationsMinSeverity, &m.NotificationsDisabled, func(k string) (err error) {
		switch {
		case k == "user_agent":
			m.UserAgent, err = r.str(k, true)
		case k == "routing" && caps.RoutingContextInHello:
			m.Routing, err = r.stringMap(k, true)
		case k == "patch_bolt" && caps.UTCPatch:
			m.PatchBolt, err = r.strings(k, true)
		case k == "bolt_agent" && caps.BoltAgent:
			err = m.BoltAgent.decode(r)
		case !helloKeys[k] && !caps.Logon:
			err = readExtra(r, &m.Auth, k, k)
		default:
			return r.unknownKey("extra", k, caps.Version)
		}
		return err
	})
}

func (a *BoltAgent) decode(r *fieldReader) error {
	if null, err := r.expect("bolt_agent", packstream.KindMap, true); err != nil || null {
		return err
	}
	known := map[string]*string{"product": &a.Product, "platform": &a.Platform, "language": &a.Language, "language_details": &a.LanguageDetails}
	return stringEntries(r, "bolt_agent", "bolt_agent.", known, func(key []byte) error {
		return r.skip("bolt_agent." + string(key))
	})
}

// Logon authenticates the connection (5.1+): LOGON {auth}.
type Logon struct {
	// Auth is the authentication token, e.g. {"scheme": "basic",
	// "principal": "neo4j", "credentials": "..."}.
	Auth map[string]any
}

func (m *Logon) encode(enc *packstream.Encoder, _ *Capabilities, tag byte) error {
	enc.WriteStructHeader(tag, 1)
	return writeAnyMap(enc, m.Auth)
}

func (m *Logon) decode(r *fieldReader, _ *Capabilities, fields int) error {
	return then(wantFields(r, fields, 1), &m.Auth, r.anyMap, "auth", false)
}

// Telemetry reports which driver API ran the next work (5.4+):
// TELEMETRY api.
type Telemetry struct {
	// API is 0 managed transaction, 1 explicit transaction, 2 implicit
	// transaction, 3 driver-level execute-query.
	API int64
}

// Telemetry API values.
const (
	TelemetryManagedTx    int64 = 0
	TelemetryExplicitTx   int64 = 1
	TelemetryImplicitTx   int64 = 2
	TelemetryExecuteQuery int64 = 3
)

func (m *Telemetry) encode(enc *packstream.Encoder, _ *Capabilities, tag byte) error {
	enc.WriteStructHeader(tag, 1)
	enc.WriteInt(m.API)
	return nil
}

func (m *Telemetry) decode(r *fieldReader, _ *Capabilities, fields int) error {
	if err := wantFields(r, fields, 1); err != nil {
		return err
	}
	var err error
	m.API, _, err = r.integer("api", false)
	return err
}
