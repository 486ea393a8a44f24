package main

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/boltrx/boltrx"
	"github.com/boltrx/boltrx/auth"
	"github.com/boltrx/boltrx/internal/clock"
)

// authTokenFields are the fields of testkit's AuthorizationToken.
type authTokenFields struct {
	Scheme      string          `json:"scheme"`
	Principal   *string         `json:"principal"`
	Credentials *string         `json:"credentials"`
	Realm       *string         `json:"realm"`
	Parameters  json.RawMessage `json:"parameters"`
}

// authTokenFromJSON builds a token from testkit's AuthorizationToken
// ({"name": "AuthorizationToken", "data": {...}}) with the driver's own
// constructors.
func authTokenFromJSON(raw json.RawMessage) (boltrx.AuthToken, error) {
	var tv taggedValue
	if err := decodeJSON(raw, &tv); err != nil || tv.Name != "AuthorizationToken" {
		return boltrx.AuthToken{}, backendErrorf("expected an AuthorizationToken, got %s", raw)
	}
	var f authTokenFields
	if err := decodeJSON(tv.Data, &f); err != nil {
		return boltrx.AuthToken{}, backendErrorf("AuthorizationToken: %v", err)
	}
	str := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	switch f.Scheme {
	case "basic":
		return boltrx.BasicAuth(str(f.Principal), str(f.Credentials), str(f.Realm)), nil
	case "bearer":
		return boltrx.BearerAuth(str(f.Credentials)), nil
	case "kerberos":
		return boltrx.KerberosAuth(str(f.Credentials)), nil
	case "none":
		return boltrx.NoAuth(), nil
	}
	var params map[string]any
	if !isNull(f.Parameters) {
		var plain any
		if err := decodeJSON(f.Parameters, &plain); err != nil {
			return boltrx.AuthToken{}, backendErrorf("AuthorizationToken parameters: %v", err)
		}
		v, err := plainValue(plain, 0)
		if err != nil {
			return boltrx.AuthToken{}, backendErrorf("AuthorizationToken parameters: %v", err)
		}
		params, _ = v.(map[string]any)
	}
	return boltrx.CustomAuth(f.Scheme, str(f.Principal), str(f.Credentials), str(f.Realm), params), nil
}

// authTokenJSON encodes a token as testkit's AuthorizationToken.
func authTokenJSON(t auth.Token) tagged {
	data := make(map[string]any, len(t.Tokens))
	for k, v := range t.Tokens {
		data[k] = plainJSON(v)
	}
	return tagged{Name: "AuthorizationToken", Data: data}
}

// testkitTokenManager is the token manager of NewAuthTokenManager: both
// of its methods are answered by the test code.
type testkitTokenManager struct {
	id    string
	calls *callbackHub
}

// GetAuthToken asks the test code for the token.
func (m *testkitTokenManager) GetAuthToken(ctx context.Context) (auth.Token, error) {
	raw, err := m.calls.ask(ctx, "AuthTokenManagerGetAuthRequest", func(id string) any {
		return map[string]any{"id": id, "authTokenManagerId": m.id}
	})
	if err != nil {
		return auth.Token{}, err
	}
	var d struct {
		Auth json.RawMessage `json:"auth"`
	}
	if err := decodeJSON(raw, &d); err != nil {
		return auth.Token{}, fmt.Errorf("AuthTokenManagerGetAuthCompleted: %w", err)
	}
	return authTokenFromJSON(d.Auth)
}

// HandleSecurityException asks the test code whether it handles the
// failure.
func (m *testkitTokenManager) HandleSecurityException(ctx context.Context, token auth.Token, failure auth.ServerError) (bool, error) {
	code := ""
	if failure != nil {
		code = failure.Neo4jCode()
	}
	raw, err := m.calls.ask(ctx, "AuthTokenManagerHandleSecurityExceptionRequest", func(id string) any {
		return map[string]any{"id": id, "authTokenManagerId": m.id, "auth": authTokenJSON(token), "errorCode": code}
	})
	if err != nil {
		return false, err
	}
	var d struct {
		Handled bool `json:"handled"`
	}
	if err := decodeJSON(raw, &d); err != nil {
		return false, fmt.Errorf("AuthTokenManagerHandleSecurityExceptionCompleted: %w", err)
	}
	return d.Handled, nil
}

// basicTokenProvider is the provider function of NewBasicAuthTokenManager.
func basicTokenProvider(managerID string, calls *callbackHub) func(context.Context) (auth.Token, error) {
	return func(ctx context.Context) (auth.Token, error) {
		raw, err := calls.ask(ctx, "BasicAuthTokenProviderRequest", func(id string) any {
			return map[string]any{"id": id, "basicAuthTokenManagerId": managerID}
		})
		if err != nil {
			return auth.Token{}, err
		}
		var d struct {
			Auth json.RawMessage `json:"auth"`
		}
		if err := decodeJSON(raw, &d); err != nil {
			return auth.Token{}, fmt.Errorf("BasicAuthTokenProviderCompleted: %w", err)
		}
		return authTokenFromJSON(d.Auth)
	}
}

// bearerTokenProvider is the provider function of NewBearerAuthTokenManager.
func bearerTokenProvider(managerID string, calls *callbackHub) func(context.Context) (auth.Token, *time.Time, error) {
	return func(ctx context.Context) (auth.Token, *time.Time, error) {
		raw, err := calls.ask(ctx, "BearerAuthTokenProviderRequest", func(id string) any {
			return map[string]any{"id": id, "bearerAuthTokenManagerId": managerID}
		})
		if err != nil {
			return auth.Token{}, nil, err
		}
		var d struct {
			Auth taggedValue `json:"auth"`
		}
		if err := decodeJSON(raw, &d); err != nil || d.Auth.Name != "AuthTokenAndExpiration" {
			return auth.Token{}, nil, fmt.Errorf("BearerAuthTokenProviderCompleted: expected an AuthTokenAndExpiration in %s", raw)
		}
		var te struct {
			Auth        json.RawMessage `json:"auth"`
			ExpiresInMs *int64          `json:"expiresInMs"`
		}
		if err := decodeJSON(d.Auth.Data, &te); err != nil {
			return auth.Token{}, nil, fmt.Errorf("AuthTokenAndExpiration: %w", err)
		}
		token, err := authTokenFromJSON(te.Auth)
		if err != nil {
			return auth.Token{}, nil, err
		}
		if te.ExpiresInMs == nil {
			return token, nil, nil
		}
		expires := clock.Now().Add(time.Duration(*te.ExpiresInMs) * time.Millisecond)
		return token, &expires, nil
	}
}
