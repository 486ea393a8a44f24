package boltrx

import (
	"errors"
	"maps"
	"strings"
	"testing"
)

func TestParseURIAcceptsEveryScheme(t *testing.T) {
	cases := []struct {
		uri     string
		scheme  string
		routing bool
		tls     tlsMode
	}{
		{"bolt://localhost", "bolt", false, tlsOff},
		{"bolt+s://localhost", "bolt+s", false, tlsVerified},
		{"bolt+ssc://localhost", "bolt+ssc", false, tlsSelfSignedAccepted},
		{"neo4j://localhost", "neo4j", true, tlsOff},
		{"neo4j+s://localhost", "neo4j+s", true, tlsVerified},
		{"neo4j+ssc://localhost", "neo4j+ssc", true, tlsSelfSignedAccepted},
		{"NEO4J+S://localhost", "neo4j+s", true, tlsVerified},
		{"Bolt+SSC://localhost", "bolt+ssc", false, tlsSelfSignedAccepted},
	}
	for _, c := range cases {
		t.Run(c.uri, func(t *testing.T) {
			p, err := parseURI(c.uri)
			if err != nil {
				t.Fatal(err)
			}
			if p.Scheme != c.scheme || p.Routing != c.routing || p.TLS != c.tls {
				t.Fatalf("got scheme=%q routing=%v tls=%v", p.Scheme, p.Routing, p.TLS)
			}
			if p.Routing != (p.RoutingContext != nil) {
				t.Fatalf("RoutingContext %v with routing=%v", p.RoutingContext, p.Routing)
			}
		})
	}
}

func TestParseURIHostsAndPorts(t *testing.T) {
	cases := []struct {
		uri     string
		host    string
		port    int
		address string
	}{
		{"bolt://db.example.com", "db.example.com", 7687, "db.example.com:7687"},
		{"bolt://db.example.com:7688", "db.example.com", 7688, "db.example.com:7688"},
		{"bolt://127.0.0.1:1", "127.0.0.1", 1, "127.0.0.1:1"},
		{"neo4j://[::1]", "::1", 7687, "[::1]:7687"},
		{"neo4j://[2001:db8::7]:65535", "2001:db8::7", 65535, "[2001:db8::7]:65535"},
		{"bolt://localhost:7687/", "localhost", 7687, "localhost:7687"},
		{"  bolt://localhost  ", "localhost", 7687, "localhost:7687"},
	}
	for _, c := range cases {
		t.Run(c.uri, func(t *testing.T) {
			p, err := parseURI(c.uri)
			if err != nil {
				t.Fatal(err)
			}
			if p.Host != c.host || p.Port != c.port || p.Address != c.address {
				t.Fatalf("got host=%q port=%d address=%q", p.Host, p.Port, p.Address)
			}
		})
	}
}

func TestParseURIRoutingContext(t *testing.T) {
	cases := []struct {
		uri  string
		want map[string]string
	}{
		{"neo4j://localhost", map[string]string{}},
		{"neo4j://localhost?", map[string]string{}},
		{"neo4j://localhost:9000?region=eu&policy=fast", map[string]string{"region": "eu", "policy": "fast"}},
		{"neo4j+s://localhost/?region=eu%20west", map[string]string{"region": "eu west"}},
		{"neo4j://localhost?key=%20padded%20", map[string]string{"key": "padded"}},
	}
	for _, c := range cases {
		t.Run(c.uri, func(t *testing.T) {
			p, err := parseURI(c.uri)
			if err != nil {
				t.Fatal(err)
			}
			if !maps.Equal(p.RoutingContext, c.want) {
				t.Fatalf("routing context %v, want %v", p.RoutingContext, c.want)
			}
		})
	}
}

func TestParseURIErrors(t *testing.T) {
	cases := []struct {
		uri      string
		mentions []string // every message must contain these
	}{
		{"", []string{"empty URI"}},
		{"localhost:7687", []string{"no scheme", "bolt, bolt+s, bolt+ssc, neo4j, neo4j+s, neo4j+ssc"}},
		{"http://localhost", []string{`unsupported scheme "http"`, "bolt, bolt+s, bolt+ssc, neo4j, neo4j+s, neo4j+ssc"}},
		{"neo4j+xyz://localhost", []string{`unsupported scheme "neo4j+xyz"`, "neo4j+ssc"}},
		{"bolt+routing://localhost", []string{"unsupported scheme"}},
		{"bolt://", []string{"no host"}},
		{"bolt://:7687", []string{"no host"}},
		{"bolt://localhost:0", []string{`port "0"`, "1 to 65535"}},
		{"bolt://localhost:65536", []string{`port "65536"`}},
		{"bolt://localhost:99999999999999999999", []string{"1 to 65535"}},
		{"bolt://localhost:http", []string{"invalid URI", "port"}},
		{"bolt://localhost:-1", []string{"invalid URI"}},
		{"neo4j://[::1", []string{"invalid URI"}},
		{"bolt://localhost?region=eu", []string{"query", "routing context", "neo4j"}},
		{"bolt+s://localhost?", []string{"query"}},
		{"neo4j://localhost?address=other:7687", []string{`"address" is reserved`}},
		{"neo4j://localhost?region=eu&region=us", []string{`"region" appears more than once`}},
		{"neo4j://localhost?region=", []string{`"region" has no value`}},
		{"neo4j://localhost?region", []string{`"region" has no value`}},
		{"neo4j://localhost?=eu", []string{"without a key"}},
		{"neo4j://localhost?region=%zz", []string{"routing context"}},
		{"neo4j://localhost/neo4j", []string{`path "/neo4j"`, "SessionConfig.DatabaseName"}},
		{"neo4j://localhost#frag", []string{"fragment"}},
		{"neo4j://alice@localhost", []string{"user info", "auth token"}},
	}
	for _, c := range cases {
		t.Run(c.uri, func(t *testing.T) {
			_, err := parseURI(c.uri)
			var usage *UsageError
			if !errors.As(err, &usage) {
				t.Fatalf("err = %v (%T), want *UsageError", err, err)
			}
			if !errors.Is(err, ErrUsage) {
				t.Fatal("error does not match ErrUsage")
			}
			for _, m := range c.mentions {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("message %q does not mention %q", err.Error(), m)
				}
			}
		})
	}
}

func TestParseURINeverRepeatsPasswords(t *testing.T) {
	for _, uri := range []string{
		"neo4j://alice:s3cr3t-pw@localhost",
		"neo4j://alice:s3cr3t-pw@localhost:bad",
		"http://alice:s3cr3t-pw@localhost",
		"bolt://alice:s3cr3t-pw@[::1",
		"bolt://al@ice:s3cr3t-pw@localhost/path?x=1",
	} {
		_, err := parseURI(uri)
		if err == nil {
			t.Fatalf("%s: accepted", uri)
		}
		if strings.Contains(err.Error(), "s3cr3t") {
			t.Errorf("message repeats the password: %v", err)
		}
	}
}

func TestRedactUserInfo(t *testing.T) {
	cases := map[string]string{
		"neo4j://u:p@host:1/x?y#z": "neo4j://REDACTED@host:1/x?y#z",
		"neo4j://host/a@b":         "neo4j://host/a@b",
		"neo4j://host":             "neo4j://host",
		"no scheme@host":           "no scheme@host",
	}
	for in, want := range cases {
		if got := redactUserInfo(in); got != want {
			t.Errorf("redactUserInfo(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTLSModeString(t *testing.T) {
	for mode, want := range map[tlsMode]string{
		tlsOff: "off", tlsVerified: "verified", tlsSelfSignedAccepted: "self-signed accepted", tlsMode(9): "tlsMode(9)",
	} {
		if got := mode.String(); got != want {
			t.Errorf("%d: %q, want %q", int(mode), got, want)
		}
	}
}

func FuzzParseURI(f *testing.F) {
	for _, seed := range []string{
		"neo4j://localhost:7687?region=eu", "bolt+s://[::1]:1", "bolt://u:p@h", "neo4j://h?address=x", "x",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, uri string) {
		p, err := parseURI(uri)
		if err != nil {
			if !errors.Is(err, ErrUsage) {
				t.Fatalf("error %v is not a usage error", err)
			}
			return
		}
		if p.Port < 1 || p.Port > 65535 || p.Host == "" || p.Address == "" {
			t.Fatalf("accepted an invalid target: %+v", p)
		}
		if _, ok := p.RoutingContext[routingContextAddressKey]; ok {
			t.Fatal("routing context contains address")
		}
	})
}
