// Package auth holds what boltrx needs to authenticate: the [Token] sent in
// HELLO or LOGON, the [TokenManager] interface with managers that refresh
// tokens (rotating passwords, expiring bearer tokens), and client
// certificate providers for mutual TLS.
//
// Tokens are usually built with the constructors of the root package
// (boltrx.BasicAuth, boltrx.BearerAuth, ...), whose AuthToken is this
// package's Token.
package auth

import (
	"context"
	"log/slog"
	"maps"
	"reflect"
	"slices"
	"strings"
)

// Keys of the authentication map that the Bolt protocol defines.
const (
	KeyScheme      = "scheme"      // "none", "basic", "bearer", "kerberos" or a custom scheme
	KeyPrincipal   = "principal"   // the user name, or "" for schemes without one
	KeyCredentials = "credentials" // the password, ticket or bearer token: a secret
	KeyRealm       = "realm"       // optional realm of the principal
	KeyParameters  = "parameters"  // optional map of scheme-specific parameters
)

// redacted replaces secrets in everything Token prints.
const redacted = "<redacted>"

// Token is an authentication token: the map the driver sends as the auth
// part of HELLO (Bolt 3.0 to 5.0) or as LOGON (5.1+). Tokens holds exactly
// the entries the server gets.
//
// Printing a Token with fmt (%v, %+v, %#v, %s) or logging it with log/slog
// shows the scheme, the principal and the realm, never the credentials or
// parameter values. Printing Tokens itself bypasses that protection.
//
// A Token is also a [TokenManager] that always returns itself and never
// handles a security failure, so a fixed token can be passed wherever a
// manager is expected.
type Token struct {
	Tokens map[string]any
}

// Scheme returns the token's scheme entry, or "" when it has none.
func (t Token) Scheme() string {
	s, _ := t.Tokens[KeyScheme].(string)
	return s
}

// Equal reports whether two tokens hold the same entries, compared deeply.
func (t Token) Equal(other Token) bool {
	return reflect.DeepEqual(t.Tokens, other.Tokens)
}

// String describes the token without its secrets, e.g.
// `auth.Token{scheme: basic, principal: neo4j, credentials: <redacted>}`.
func (t Token) String() string {
	var b strings.Builder
	b.WriteString("auth.Token{")
	for i, key := range sortedKeys(t.Tokens) {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(key)
		b.WriteString(": ")
		b.WriteString(describeEntry(key, t.Tokens[key]))
	}
	b.WriteString("}")
	return b.String()
}

// GoString is used by %#v; it redacts like String.
func (t Token) GoString() string { return t.String() }

// LogValue makes log/slog log the token as a group of its entries with the
// secrets redacted.
func (t Token) LogValue() slog.Value {
	keys := sortedKeys(t.Tokens)
	attrs := make([]slog.Attr, 0, len(keys))
	for _, key := range keys {
		attrs = append(attrs, slog.String(key, describeEntry(key, t.Tokens[key])))
	}
	return slog.GroupValue(attrs...)
}

// GetAuthToken returns the token itself; it makes Token a TokenManager.
func (t Token) GetAuthToken(context.Context) (Token, error) { return t, nil }

// HandleSecurityException reports that a fixed token cannot react to a
// security failure.
func (t Token) HandleSecurityException(context.Context, Token, ServerError) (bool, error) {
	return false, nil
}

// describeEntry formats one entry of the token map for people: the
// identifying entries verbatim, everything else redacted. Parameter maps
// show their keys only, since scheme parameters may carry secrets too.
func describeEntry(key string, value any) string {
	switch key {
	case KeyScheme, KeyPrincipal, KeyRealm:
		if s, ok := value.(string); ok {
			return s
		}
		return redacted
	case KeyParameters:
		if m, ok := value.(map[string]any); ok {
			var b strings.Builder
			b.WriteString("{")
			for i, k := range sortedKeys(m) {
				if i > 0 {
					b.WriteString(", ")
				}
				b.WriteString(k)
				b.WriteString(": ")
				b.WriteString(redacted)
			}
			b.WriteString("}")
			return b.String()
		}
		return redacted
	default:
		return redacted
	}
}

func sortedKeys(m map[string]any) []string {
	return slices.Sorted(maps.Keys(m))
}
