package auth

import (
	"context"
	"errors"
	"time"
)

// Neo4j status codes the managers of this package react to.
const (
	CodeUnauthorized = "Neo.ClientError.Security.Unauthorized"
	CodeTokenExpired = "Neo.ClientError.Security.TokenExpired"
)

// ServerError is the view of a server failure that a TokenManager gets.
// The driver passes its *boltrx.Neo4jError, which implements it; a custom
// manager can recover the full error with errors.As.
type ServerError interface {
	error
	// Neo4jCode returns the Neo4j status code, for example
	// "Neo.ClientError.Security.Unauthorized".
	Neo4jCode() string
}

// TokenManager supplies the authentication token for new connections and
// for connections whose token changed, and decides what happens when the
// server rejects a token.
//
// Implementations must be safe for concurrent use and must not call back
// into the driver (that can deadlock). Every token a manager returns must
// identify the same user; switching identities through a manager is
// undefined behaviour.
type TokenManager interface {
	// GetAuthToken returns the token to authenticate with. The driver calls
	// it whenever it authenticates a connection, so it should be cheap when
	// the current token is still good.
	GetAuthToken(ctx context.Context) (Token, error)
	// HandleSecurityException is called when the server answers a request
	// made with token by a Neo.ClientError.Security.* failure. Returning
	// true tells the driver the failure was handled (typically by
	// forgetting the token so the next GetAuthToken fetches a new one):
	// the driver then treats the failure as retryable.
	HandleSecurityException(ctx context.Context, token Token, failure ServerError) (bool, error)
}

// ErrNilProvider is returned by the managers of this package when they were
// created with a nil provider function.
var ErrNilProvider = errors.New("auth: token manager has no provider function")

// StaticTokenManager returns a manager that always supplies token and never
// handles a security failure. It behaves like passing the token itself.
func StaticTokenManager(token Token) TokenManager { return token }

// BasicTokenManager returns a manager for rotating passwords (basic or
// other non-expiring tokens). The provider is called for the first token
// and again only after the server rejected the current token with
// Neo.ClientError.Security.Unauthorized.
//
// The provider must not call back into the driver, must be safe to call
// from any goroutine and must always return tokens of the same user.
func BasicTokenManager(provider func(ctx context.Context) (Token, error)) TokenManager {
	m := newCachingManager(CodeUnauthorized)
	if provider != nil {
		m.provider = func(ctx context.Context) (Token, *time.Time, error) {
			token, err := provider(ctx)
			return token, nil, err
		}
	}
	return m
}

// BearerTokenManager returns a manager for tokens that expire, such as SSO
// bearer tokens. The provider returns a token and the time it stops being
// valid (nil: no known expiry). The provider is called for the first
// token, once the current token has expired, and after the server
// rejected the current token with Neo.ClientError.Security.TokenExpired or
// Neo.ClientError.Security.Unauthorized.
//
// Concurrent callers that find the token expired wait for a single call of
// the provider and share its result.
//
// The provider must not call back into the driver, must be safe to call
// from any goroutine and must always return tokens of the same user.
func BearerTokenManager(provider func(ctx context.Context) (Token, *time.Time, error)) TokenManager {
	m := newCachingManager(CodeTokenExpired, CodeUnauthorized)
	m.provider = provider
	return m
}
