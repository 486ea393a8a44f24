package bolt

import "github.com/boltrx/boltrx/packstream"

// Init opens a connection on Bolt 1 and 2: INIT user_agent auth_token.
// HELLO replaces it from 3.0 on.
type Init struct {
	UserAgent string         // "Name/Version" of the application
	Auth      map[string]any // the authentication token; nil sends {}
}

func (m *Init) encode(enc *packstream.Encoder, _ *Capabilities, tag byte) error {
	enc.WriteStructHeader(tag, 2)
	enc.WriteString(m.UserAgent)
	return writeAnyMap(enc, m.Auth)
}

func (m *Init) decode(r *fieldReader, _ *Capabilities, fields int) error {
	err := wantFields(r, fields, 2)
	err = then(err, &m.UserAgent, r.str, "user_agent", false)
	return then(err, &m.Auth, r.anyMap, "auth_token", false)
}
