package auth

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func secretToken() Token {
	return Token{Tokens: map[string]any{
		KeyScheme:      "basic",
		KeyPrincipal:   "alice",
		KeyCredentials: "hunter2-secret",
		KeyRealm:       "corp",
		KeyParameters:  map[string]any{"otp": "999111-secret"},
	}}
}

func TestTokenPrintingRedactsSecrets(t *testing.T) {
	tok := secretToken()
	outputs := map[string]string{
		"String": tok.String(),
		"%v":     fmt.Sprintf("%v", tok),
		"%+v":    fmt.Sprintf("%+v", tok),
		"%#v":    fmt.Sprintf("%#v", tok),
		"%s":     fmt.Sprintf("[%s]", tok),
		"ptr %v": fmt.Sprintf("%v", &tok),
	}
	for name, out := range outputs {
		if strings.Contains(out, "secret") {
			t.Errorf("%s leaks a secret: %s", name, out)
		}
		for _, want := range []string{"basic", "alice", "corp", "otp", redacted} {
			if !strings.Contains(out, want) {
				t.Errorf("%s = %q, want it to mention %q", name, out, want)
			}
		}
	}
}

func TestTokenLogValueRedactsSecrets(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, nil))
	logger.Info("connecting", "auth", secretToken())
	out := buf.String()
	if strings.Contains(out, "secret") {
		t.Fatalf("slog output leaks a secret: %s", out)
	}
	if !strings.Contains(out, "auth.principal=alice") || !strings.Contains(out, "auth.scheme=basic") {
		t.Fatalf("slog output lacks the identifying entries: %s", out)
	}
}

func TestTokenRedactsNonStringIdentifiers(t *testing.T) {
	tok := Token{Tokens: map[string]any{KeyScheme: "custom", KeyPrincipal: []byte("secret-bytes"), "extra": "secret-x"}}
	if out := tok.String(); strings.Contains(out, "secret") {
		t.Fatalf("String leaks: %s", out)
	}
}

func TestTokenSchemeAndEqual(t *testing.T) {
	a := secretToken()
	b := secretToken()
	if a.Scheme() != "basic" {
		t.Fatalf("Scheme() = %q", a.Scheme())
	}
	if !a.Equal(b) {
		t.Fatal("equal tokens compare unequal")
	}
	b.Tokens[KeyCredentials] = "other"
	if a.Equal(b) {
		t.Fatal("different credentials compare equal")
	}
	if (Token{}).Scheme() != "" {
		t.Fatal("empty token has a scheme")
	}
}

func TestTokenIsItsOwnManager(t *testing.T) {
	var m TokenManager = StaticTokenManager(secretToken())
	got, err := m.GetAuthToken(context.Background())
	if err != nil || !got.Equal(secretToken()) {
		t.Fatalf("GetAuthToken = %v, %v", got, err)
	}
	handled, err := m.HandleSecurityException(context.Background(), got, fakeFailure(CodeUnauthorized))
	if handled || err != nil {
		t.Fatalf("static manager handled a failure: %v, %v", handled, err)
	}
}
