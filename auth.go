package boltrx

import "github.com/boltrx/boltrx/auth"

// AuthToken holds the credentials sent to the server: the authentication
// map of HELLO or LOGON. Build one with NoAuth, BasicAuth, BearerAuth,
// KerberosAuth or CustomAuth. Printing or logging it never shows the
// credentials.
//
// An AuthToken is also an auth.TokenManager that always supplies itself,
// so NewDriver accepts either.
type AuthToken = auth.Token

// Authentication schemes.
const (
	schemeNone     = "none"
	schemeBasic    = "basic"
	schemeBearer   = "bearer"
	schemeKerberos = "kerberos"
)

// NoAuth returns the token for servers with authentication disabled:
// {"scheme": "none"}.
func NoAuth() AuthToken {
	return AuthToken{Tokens: map[string]any{auth.KeyScheme: schemeNone}}
}

// BasicAuth returns a user name and password token. The realm is sent
// only when it is not "".
func BasicAuth(username, password, realm string) AuthToken {
	tokens := map[string]any{
		auth.KeyScheme:      schemeBasic,
		auth.KeyPrincipal:   username,
		auth.KeyCredentials: password,
	}
	if realm != "" {
		tokens[auth.KeyRealm] = realm
	}
	return AuthToken{Tokens: tokens}
}

// BearerAuth returns a token for single sign-on: token is the base64
// encoded bearer token of the identity provider.
func BearerAuth(token string) AuthToken {
	return AuthToken{Tokens: map[string]any{
		auth.KeyScheme:      schemeBearer,
		auth.KeyCredentials: token,
	}}
}

// KerberosAuth returns a Kerberos token for a base64 encoded ticket. It
// carries an empty principal, which servers before Neo4j 4.4 require.
func KerberosAuth(ticket string) AuthToken {
	return AuthToken{Tokens: map[string]any{
		auth.KeyScheme:      schemeKerberos,
		auth.KeyPrincipal:   "",
		auth.KeyCredentials: ticket,
	}}
}

// CustomAuth returns a token for a custom authentication plugin. The
// principal is always sent; credentials and realm only when not "", and
// parameters only when not empty.
func CustomAuth(scheme, username, password, realm string, parameters map[string]any) AuthToken {
	tokens := map[string]any{
		auth.KeyScheme:    scheme,
		auth.KeyPrincipal: username,
	}
	if password != "" {
		tokens[auth.KeyCredentials] = password
	}
	if realm != "" {
		tokens[auth.KeyRealm] = realm
	}
	if len(parameters) > 0 {
		tokens[auth.KeyParameters] = parameters
	}
	return AuthToken{Tokens: tokens}
}
