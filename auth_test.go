package boltrx

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/boltrx/boltrx/auth"
)

func TestAuthTokenMaps(t *testing.T) {
	params := map[string]any{"otp": "123"}
	cases := []struct {
		name  string
		token AuthToken
		want  map[string]any
	}{
		{"none", NoAuth(), map[string]any{"scheme": "none"}},
		{"basic", BasicAuth("neo4j", "pw", ""), map[string]any{"scheme": "basic", "principal": "neo4j", "credentials": "pw"}},
		{"basic with realm", BasicAuth("neo4j", "pw", "native"), map[string]any{"scheme": "basic", "principal": "neo4j", "credentials": "pw", "realm": "native"}},
		{"basic empty password", BasicAuth("neo4j", "", ""), map[string]any{"scheme": "basic", "principal": "neo4j", "credentials": ""}},
		{"bearer", BearerAuth("tok"), map[string]any{"scheme": "bearer", "credentials": "tok"}},
		{"kerberos", KerberosAuth("ticket"), map[string]any{"scheme": "kerberos", "principal": "", "credentials": "ticket"}},
		{"custom minimal", CustomAuth("plugin", "who", "", "", nil), map[string]any{"scheme": "plugin", "principal": "who"}},
		{"custom empty params", CustomAuth("plugin", "who", "", "", map[string]any{}), map[string]any{"scheme": "plugin", "principal": "who"}},
		{"custom full", CustomAuth("plugin", "who", "secret", "realm", params), map[string]any{
			"scheme": "plugin", "principal": "who", "credentials": "secret", "realm": "realm", "parameters": params,
		}},
	}
	for _, c := range cases {
		if !reflect.DeepEqual(c.token.Tokens, c.want) {
			t.Errorf("%s: %v, want %v", c.name, c.token.Tokens, c.want)
		}
	}
}

func TestAuthTokenPrintingHidesCredentials(t *testing.T) {
	for _, tok := range []AuthToken{
		BasicAuth("neo4j", "pa55word-secret", ""),
		BearerAuth("eyJ-secret"),
		KerberosAuth("krb-secret"),
		CustomAuth("x", "u", "c-secret", "", map[string]any{"k": "p-secret"}),
	} {
		for _, out := range []string{fmt.Sprint(tok), fmt.Sprintf("%+v", tok), fmt.Sprintf("%#v", tok), fmt.Sprintf("%v", &tok)} {
			if strings.Contains(out, "secret") {
				t.Errorf("printed token leaks credentials: %s", out)
			}
		}
	}
}

func TestAuthTokenIsATokenManager(t *testing.T) {
	var m auth.TokenManager = BasicAuth("u", "p", "")
	got, err := m.GetAuthToken(context.Background())
	if err != nil || !got.Equal(BasicAuth("u", "p", "")) {
		t.Fatalf("GetAuthToken = %v, %v", got, err)
	}
}
