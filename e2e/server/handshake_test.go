package server

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/boltrx/boltrx/bolt"
	"github.com/boltrx/boltrx/e2e/server/rawclient"
)

// A server pinned to one version is reached by the default offer, which
// picks that version (through the manifest from 5.7 on).
func TestPinnedServerNegotiatesItsVersion(t *testing.T) {
	for _, v := range []bolt.Version{bolt.V3_0, bolt.V4_2, bolt.V4_4, bolt.V5_0, bolt.V5_8, bolt.V6_1} {
		t.Run(v.String(), func(t *testing.T) {
			srv, _ := startServer(t, Config{Versions: VersionRange(v, v)})
			c := dial(t, srv.Addr(), nil)
			if c.Version != v {
				t.Fatalf("negotiated %v, want %v", c.Version, v)
			}
			if _, err := c.Login(rawclient.BasicAuth("neo4j", "x"), nil); err != nil {
				t.Fatal(err)
			}
			_, pull, err := c.Query(qCount, params(2), bolt.TxConfig{})
			if err != nil {
				t.Fatal(err)
			}
			if got := ints(t, pull.Records); len(got) != 2 {
				t.Fatalf("got %v", got)
			}
		})
	}
}

// A server of every version serves a client pinned to any one of them.
func TestServerSpeaksEveryVersion(t *testing.T) {
	srv, _ := startServer(t, Config{})
	for _, v := range bolt.SupportedVersions {
		c := dial(t, srv.Addr(), rawclient.Offer(v))
		if c.Version != v {
			t.Fatalf("negotiated %v, want %v", c.Version, v)
		}
		if _, err := c.Login(nil, nil); err != nil {
			t.Fatalf("%v: %v", v, err)
		}
	}
}

func TestManifestAnsweredFrom57(t *testing.T) {
	srv, _ := startServer(t, Config{Versions: VersionRange(bolt.V5_0, bolt.V5_8)})
	c := dial(t, srv.Addr(), []bolt.VersionRange{bolt.ManifestV1})
	if c.Version != bolt.V5_8 {
		t.Fatalf("negotiated %v through the manifest, want 5.8", c.Version)
	}

	old, _ := startServer(t, Config{Versions: VersionRange(bolt.V5_0, bolt.V5_6)})
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	_, err := rawclient.Dial(ctx, old.Addr(), []bolt.VersionRange{bolt.ManifestV1})
	var nc *bolt.NoCommonVersionError
	if !errors.As(err, &nc) {
		t.Fatalf("a 5.6 server answered a manifest request: %v", err)
	}
}

func TestNoCommonVersion(t *testing.T) {
	srv, _ := startServer(t, Config{Versions: VersionRange(bolt.V5_0, bolt.V5_0)})
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	_, err := rawclient.Dial(ctx, srv.Addr(), rawclient.Offer(bolt.V4_4))
	var nc *bolt.NoCommonVersionError
	if !errors.As(err, &nc) {
		t.Fatalf("got %v, want a NoCommonVersionError", err)
	}
	// The server goes on serving.
	if c := dial(t, srv.Addr(), nil); c.Version != bolt.V5_0 {
		t.Fatalf("negotiated %v", c.Version)
	}
}

func TestHelloMetadataPerVersion(t *testing.T) {
	srv, _ := startServer(t, Config{
		Agent: "Neo4j/5.26.0", TelemetryEnabled: true, SSREnabled: true,
		RecvTimeout: 1500 * time.Millisecond, // the hint rounds up to 2 s
	})
	tests := []struct {
		v                   bolt.Version
		recv                int64
		telemetry, ssr, any bool
	}{
		{bolt.V4_2, 0, false, false, false},
		{bolt.V4_4, 2, false, false, true},
		{bolt.V5_4, 2, true, false, true},
		{bolt.V5_8, 2, true, true, true},
	}
	for _, tc := range tests {
		c := dial(t, srv.Addr(), rawclient.Offer(tc.v))
		hello, err := c.Login(nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if hello.Server != "Neo4j/5.26.0" || !strings.HasPrefix(hello.ConnectionID, "bolt-") {
			t.Errorf("%v: server %q connection_id %q", tc.v, hello.Server, hello.ConnectionID)
		}
		h := hello.Hints
		if hello.Has(bolt.KeyHints) != tc.any || h.RecvTimeoutSeconds != tc.recv ||
			h.TelemetryEnabled != tc.telemetry || h.SSREnabled != tc.ssr {
			t.Errorf("%v: hints %+v (present %v)", tc.v, h, hello.Has(bolt.KeyHints))
		}
	}
}

func TestConnectionIDsAreUnique(t *testing.T) {
	srv, _ := startServer(t, Config{})
	seen := map[string]bool{}
	for range 3 {
		hello, err := dial(t, srv.Addr(), nil).Login(nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if seen[hello.ConnectionID] {
			t.Fatalf("connection id %q given twice", hello.ConnectionID)
		}
		seen[hello.ConnectionID] = true
	}
}

// The "utc" patch of 4.3/4.4 is acknowledged.
func TestUTCPatchAcknowledged(t *testing.T) {
	srv, _ := startServer(t, Config{})
	c := dial(t, srv.Addr(), rawclient.Offer(bolt.V4_4))
	hello := c.Hello(nil, nil)
	hello.PatchBolt = []string{"utc"}
	r, err := c.Success(hello)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Success.PatchBolt) != 1 || r.Success.PatchBolt[0] != "utc" {
		t.Fatalf("patch_bolt %v", r.Success.PatchBolt)
	}
	// Both directions use the patched (UTC) DateTime structures now: a
	// DateTime parameter comes back as it went.
	at := time.Date(2024, 3, 31, 1, 30, 0, 0, time.FixedZone("", 2*3600))
	_, pull, err := c.Query(qEcho, map[string]any{"v": at}, bolt.TxConfig{})
	if err != nil || pull.Kind != bolt.ResponseSuccess {
		t.Fatalf("%v %v", err, pull.Kind)
	}
	got, ok := pull.Records[0][0].(time.Time)
	if !ok || !got.Equal(at) {
		t.Fatalf("echoed %v, want %v", pull.Records[0][0], at)
	}
}

func TestAuthentication(t *testing.T) {
	users := map[string]string{"alice": "secret"}
	for _, v := range []bolt.Version{bolt.V3_0, bolt.V4_4, bolt.V5_1, bolt.V6_1} {
		t.Run(v.String(), func(t *testing.T) {
			srv, h := startServer(t, Config{Users: users})

			good := dial(t, srv.Addr(), rawclient.Offer(v))
			if _, err := good.Login(rawclient.BasicAuth("alice", "secret"), nil); err != nil {
				t.Fatal(err)
			}
			if _, _, err := good.Query(qCount, params(1), bolt.TxConfig{}); err != nil {
				t.Fatal(err)
			}
			h.mu.Lock()
			user := h.sessions[len(h.sessions)-1].User
			h.mu.Unlock()
			if user != "alice" {
				t.Fatalf("session user %q", user)
			}

			for _, token := range []map[string]any{
				rawclient.BasicAuth("alice", "wrong"),
				rawclient.BasicAuth("bob", "secret"),
				{"scheme": "none"},
			} {
				bad := dial(t, srv.Addr(), rawclient.Offer(v))
				mustSend(t, bad, bad.Hello(token, nil))
				if bad.Caps.Logon {
					expectKind(t, mustReply(t, bad), bolt.ResponseSuccess)
					mustSend(t, bad, &bolt.Logon{Auth: token})
				}
				expectFailure(t, mustReply(t, bad), CodeUnauthorized)
				expectClosed(t, bad)
			}
		})
	}
}

// LOGOFF returns to AUTHENTICATION; a second LOGON may name another user.
func TestLogoffLogon(t *testing.T) {
	srv, _ := startServer(t, Config{Users: map[string]string{"a": "1", "b": "2"}})
	c := dial(t, srv.Addr(), rawclient.Offer(bolt.V5_4))
	if _, err := c.Login(rawclient.BasicAuth("a", "1"), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Success(&bolt.Logoff{}); err != nil {
		t.Fatal(err)
	}
	// RUN is not allowed before LOGON.
	mustSend(t, c, &bolt.Run{Query: qCount})
	expectFailure(t, mustReply(t, c), CodeRequestInvalid)
	expectClosed(t, c)

	c = dial(t, srv.Addr(), rawclient.Offer(bolt.V5_4))
	if _, err := c.Login(rawclient.BasicAuth("a", "1"), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Success(&bolt.Logoff{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Success(&bolt.Logon{Auth: rawclient.BasicAuth("b", "2")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Success(&bolt.Telemetry{API: bolt.TelemetryImplicitTx}); err != nil {
		t.Fatal(err)
	}
}

func TestListenOnlyOnLoopback(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", "localhost:0", ":0", "[::1]:0"} {
		_, err := Start(context.Background(), Config{Addr: addr, Handler: &testHandler{}})
		if !errors.Is(err, ErrNotLoopback) {
			t.Errorf("%q: got %v, want ErrNotLoopback", addr, err)
		}
	}
}

func TestVersionRange(t *testing.T) {
	got := VersionRange(bolt.V4_3, bolt.V5_1)
	want := []bolt.Version{bolt.V5_1, bolt.V5_0, bolt.V4_4, bolt.V4_3}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
}

func TestParseVersions(t *testing.T) {
	tests := []struct {
		in   string
		want []bolt.Version
	}{
		{"4.4", []bolt.Version{bolt.V4_4}},
		{"5.7-6.1", []bolt.Version{bolt.V6_1, bolt.V6_0, bolt.V5_8, bolt.V5_7}},
		{"4.4-4.2", []bolt.Version{bolt.V4_4, bolt.V4_3, bolt.V4_2}},
		{"all", bolt.SupportedVersions},
		{"", bolt.SupportedVersions},
	}
	for _, tc := range tests {
		got, err := ParseVersions(tc.in)
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("%q: %v %v, want %v", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"4", "2.0", "x.y", "4.5", "5.9-6.9"} {
		if _, err := ParseVersions(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
