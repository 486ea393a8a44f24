package bolt

import (
	"errors"

	"github.com/boltrx/boltrx/packstream"
)

// Route asks for the routing table (4.3+): ROUTE {routing} [bookmarks] db
// in 4.3, ROUTE {routing} [bookmarks] {extra} from 4.4 on. Older versions
// call Capabilities.RoutingProcedure instead.
type Route struct {
	// Routing is the routing context, including "address", the address
	// the client first dialled; nil sends {}.
	Routing map[string]string
	// Bookmarks the routing table must reflect; nil sends [].
	Bookmarks []string
	// Database names the database; "" = the home/default database.
	Database string
	// ImpersonatedUser resolves the home database of that user (4.4+).
	ImpersonatedUser string
}

func (m *Route) encode(enc *packstream.Encoder, caps *Capabilities, tag byte) error {
	if m.ImpersonatedUser != "" && !caps.ImpersonatedUser {
		return &VersionError{Message: "ROUTE", Field: "imp_user", Version: caps.Version, Detail: "impersonation needs 4.4"}
	}
	enc.WriteStructHeader(tag, 3)
	writeStringMap(enc, m.Routing)
	writeStrings(enc, m.Bookmarks)
	if !caps.RouteExtra {
		if m.Database == "" {
			enc.WriteNull()
		} else {
			enc.WriteString(m.Database)
		}
		return nil
	}
	return writeDict(enc, func(d *dictWriter) {
		if m.Database != "" {
			d.str("db", m.Database)
		}
		if m.ImpersonatedUser != "" {
			d.str("imp_user", m.ImpersonatedUser)
		}
	})
}

func (m *Route) decode(r *fieldReader, caps *Capabilities, fields int) error {
	err := wantFields(r, fields, 3)
	err = then(err, &m.Routing, r.stringMap, "routing", false)
	err = then(err, &m.Bookmarks, r.strings, "bookmarks", true)
	if !caps.RouteExtra || err != nil {
		return then(err, &m.Database, r.str, "db", true)
	}
	known := map[string]*string{"db": &m.Database, "imp_user": &m.ImpersonatedUser}
	return stringEntries(r, "extra", "", known, func(key []byte) error {
		return r.unknownKey("extra", string(key), caps.Version)
	})
}

// Server roles in a routing table.
const (
	RoleRoute = "ROUTE"
	RoleRead  = "READ"
	RoleWrite = "WRITE"
)

// RoutingTable is the "rt" entry of the SUCCESS of ROUTE.
type RoutingTable struct {
	// TTL is how many seconds the table stays valid.
	TTL int64
	// Database is the database the table is for (4.4+; "" before).
	Database string
	// Servers lists the servers by role, as sent.
	Servers []RoutingServers
}

// RoutingServers is one entry of a routing table's servers: the addresses
// that have one role.
type RoutingServers struct {
	Addresses []string
	Role      string // RoleRoute, RoleRead or RoleWrite
}

// Addresses returns the addresses of every entry with the given role.
func (t *RoutingTable) Addresses(role string) []string {
	var out []string
	for _, s := range t.Servers {
		if s.Role == role {
			out = append(out, s.Addresses...)
		}
	}
	return out
}

func (t *RoutingTable) entries(d *dictWriter) {
	d.integer("ttl", t.TTL)
	if t.Database != "" {
		d.str("db", t.Database)
	}
	if d.key("servers") {
		d.enc.WriteListHeader(len(t.Servers))
		for i := range t.Servers {
			s := &t.Servers[i]
			d.enc.WriteMapHeader(2)
			d.enc.WriteString("addresses")
			writeStrings(d.enc, s.Addresses)
			d.enc.WriteString("role")
			d.enc.WriteString(s.Role)
		}
	}
}

// decodeRoutingTable reads the "rt" dictionary; null gives nil. ttl and
// servers are required; unknown keys are skipped.
func decodeRoutingTable(r *fieldReader) (*RoutingTable, error) {
	if null, err := r.expect("rt", packstream.KindMap, true); err != nil || null {
		return nil, err
	}
	t := &RoutingTable{}
	var haveTTL, haveServers bool
	err := eachEntry(r, "rt", func(key []byte) (err error) {
		switch string(key) {
		case "ttl":
			t.TTL, haveTTL, err = r.integer("rt.ttl", false)
		case "db":
			_, err = r.optStr("rt.db", &t.Database)
		case "servers":
			haveServers = true
			t.Servers, err = listField(r, "rt.servers", false, r.routingServers)
		default:
			err = r.skip("rt." + string(key))
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if !haveTTL || !haveServers {
		return nil, r.fail("rt", r.d.Offset(), "routing table without ttl or servers", nil)
	}
	return t, nil
}

// routingServers reads one entry of a routing table's servers.
func (r *fieldReader) routingServers(field string, _ bool) (s RoutingServers, err error) {
	err = eachEntry(r, field, func(key []byte) (err error) {
		switch string(key) {
		case "addresses":
			s.Addresses, err = r.strings("rt.servers.addresses", false)
		case "role":
			s.Role, err = r.str("rt.servers.role", false)
		default:
			err = r.skip("rt.servers." + string(key))
		}
		return err
	})
	return s, err
}

// RoutingTableFromRecord reads the routing table from the record the
// routing procedure returns on versions without ROUTE
// (Capabilities.RoutingProcedure): keys are the result's fields (from the
// SUCCESS of RUN), values the record's. It needs "ttl" and "servers"
// and takes "db" when present. A malformed table is a *ProtocolError.
func RoutingTableFromRecord(keys []string, values []any) (*RoutingTable, error) {
	bad := func(detail string) error {
		return &ProtocolError{Message: "RECORD", Offset: -1, Detail: "routing table: " + detail}
	}
	if len(keys) != len(values) {
		return nil, bad("the record does not match the result's fields")
	}
	t := &RoutingTable{}
	var haveTTL, haveServers bool
	for i, k := range keys {
		switch k {
		case "ttl":
			ttl, ok := values[i].(int64)
			if !ok {
				return nil, bad("ttl is not an integer")
			}
			t.TTL, haveTTL = ttl, true
		case "db":
			if values[i] != nil {
				db, ok := values[i].(string)
				if !ok {
					return nil, bad("db is not a string")
				}
				t.Database = db
			}
		case "servers":
			list, ok := values[i].([]any)
			if !ok {
				return nil, bad("servers is not a list")
			}
			haveServers = true
			for _, entry := range list {
				s, err := routingServersFromValue(entry)
				if err != nil {
					return nil, bad(err.Error())
				}
				t.Servers = append(t.Servers, s)
			}
		}
	}
	if !haveTTL || !haveServers {
		return nil, bad("ttl or servers missing")
	}
	return t, nil
}

func routingServersFromValue(v any) (RoutingServers, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return RoutingServers{}, errors.New("a servers entry is not a map")
	}
	var s RoutingServers
	if s.Role, ok = m["role"].(string); !ok {
		return RoutingServers{}, errors.New("a servers entry has no role")
	}
	addresses, ok := m["addresses"].([]any)
	if !ok {
		return RoutingServers{}, errors.New("a servers entry has no addresses")
	}
	s.Addresses = make([]string, 0, len(addresses))
	for _, a := range addresses {
		str, ok := a.(string)
		if !ok {
			return RoutingServers{}, errors.New("an address is not a string")
		}
		s.Addresses = append(s.Addresses, str)
	}
	return s, nil
}
