package bolt

import (
	"testing"

	"github.com/boltrx/boltrx/packstream"
)

// Every "added in" of the specification, checked on every known version.
func TestCapabilitiesAddedIn(t *testing.T) {
	features := []struct {
		name  string
		since Version
		get   func(*Capabilities) bool
	}{
		{"Hello", V3_0, func(c *Capabilities) bool { return c.Hello }},
		{"ExplicitTransactions", V3_0, func(c *Capabilities) bool { return c.ExplicitTransactions }},
		{"PullN", V4_0, func(c *Capabilities) bool { return c.PullN }},
		{"Database", V4_0, func(c *Capabilities) bool { return c.Database }},
		{"NoopChunks", V4_1, func(c *Capabilities) bool { return c.NoopChunks }},
		{"RoutingContextInHello", V4_1, func(c *Capabilities) bool { return c.RoutingContextInHello }},
		{"ConnectionHints", V4_3, func(c *Capabilities) bool { return c.ConnectionHints }},
		{"RouteMessage", V4_3, func(c *Capabilities) bool { return c.RouteMessage }},
		{"RouteExtra", V4_4, func(c *Capabilities) bool { return c.RouteExtra }},
		{"ImpersonatedUser", V4_4, func(c *Capabilities) bool { return c.ImpersonatedUser }},
		{"UTCDateTime", V5_0, func(c *Capabilities) bool { return c.UTCDateTime }},
		{"ElementIDs", V5_0, func(c *Capabilities) bool { return c.ElementIDs }},
		{"Logon", V5_1, func(c *Capabilities) bool { return c.Logon }},
		{"NotificationFilters", V5_2, func(c *Capabilities) bool { return c.NotificationFilters }},
		{"BoltAgent", V5_3, func(c *Capabilities) bool { return c.BoltAgent }},
		{"Telemetry", V5_4, func(c *Capabilities) bool { return c.Telemetry }},
		{"GQLStatuses", V5_5, func(c *Capabilities) bool { return c.GQLStatuses }},
		{"GQLErrors", V5_7, func(c *Capabilities) bool { return c.GQLErrors }},
		{"HomeDatabaseHint", V5_8, func(c *Capabilities) bool { return c.HomeDatabaseHint }},
		{"Vectors", V6_0, func(c *Capabilities) bool { return c.Vectors }},
		{"UUIDs", V6_1, func(c *Capabilities) bool { return c.UUIDs }},
	}
	for _, v := range KnownVersions() {
		c := capsOf(t, v)
		if c.Version != v {
			t.Errorf("entry for %s says version %s", v, c.Version)
		}
		for _, f := range features {
			if got, want := f.get(c), v.AtLeast(f.since); got != want {
				t.Errorf("%s: %s = %v, want %v (added in %s)", v, f.name, got, want, f.since)
			}
		}
		if got, want := c.UTCPatch, v == V4_3 || v == V4_4; got != want {
			t.Errorf("%s: UTCPatch = %v, want %v", v, got, want)
		}
	}
}

func TestCapabilitiesFieldsThatChangeValue(t *testing.T) {
	tests := []struct {
		v             Version
		disabledField string
		procedure     string
		procedureDB   string
	}{
		{v1_0, "", "", ""},
		{V3_0, "", "CALL dbms.cluster.routing.getRoutingTable($context)", ""},
		{V4_0, "", "CALL dbms.routing.getRoutingTable($context, $database)", "system"},
		{V4_2, "", "CALL dbms.routing.getRoutingTable($context, $database)", "system"},
		{V4_3, "", "", ""},
		{V5_1, "", "", ""},
		{V5_2, "notifications_disabled_categories", "", ""},
		{V5_4, "notifications_disabled_categories", "", ""},
		{V5_5, "notifications_disabled_classifications", "", ""},
		{V5_6, "notifications_disabled_classifications", "", ""},
		{V6_1, "notifications_disabled_classifications", "", ""},
	}
	for _, tc := range tests {
		c := capsOf(t, tc.v)
		if c.NotificationsDisabledField != tc.disabledField {
			t.Errorf("%s: NotificationsDisabledField = %q, want %q", tc.v, c.NotificationsDisabledField, tc.disabledField)
		}
		if c.RoutingProcedure != tc.procedure || c.RoutingProcedureDatabase != tc.procedureDB {
			t.Errorf("%s: routing procedure %q on %q, want %q on %q", tc.v,
				c.RoutingProcedure, c.RoutingProcedureDatabase, tc.procedure, tc.procedureDB)
		}
	}
}

func TestCapabilitiesCoverSupportedVersions(t *testing.T) {
	for _, v := range SupportedVersions {
		c, ok := CapabilitiesFor(v)
		if !ok || !c.Offered {
			t.Errorf("%s: supported but not offered (found %v)", v, ok)
		}
	}
	for _, v := range []Version{v1_0, v2_0} {
		c, ok := CapabilitiesFor(v)
		if !ok {
			t.Fatalf("%s: legacy version missing", v)
		}
		if c.Offered || c.Hello || c.ExplicitTransactions {
			t.Errorf("%s: legacy entry is %+v", v, c)
		}
	}
	for _, v := range []Version{{}, {4, 5}, {5, 9}, {7, 0}} {
		if _, ok := CapabilitiesFor(v); ok {
			t.Errorf("%s: unknown version has capabilities", v)
		}
	}
	if got := len(KnownVersions()); got != len(SupportedVersions)+2 {
		t.Errorf("KnownVersions has %d entries, want %d", got, len(SupportedVersions)+2)
	}
}

func TestCapabilitiesDialect(t *testing.T) {
	tests := []struct {
		v       Version
		patched bool
		want    packstream.Dialect
	}{
		{V4_2, true, packstream.Dialect{}}, // no patch before 4.3
		{V4_3, false, packstream.Dialect{}},
		{V4_4, true, packstream.Dialect{UTCDateTime: true}},
		{V5_0, false, packstream.Dialect{UTCDateTime: true, ElementIDs: true}},
		{V5_8, true, packstream.Dialect{UTCDateTime: true, ElementIDs: true}},
		{V6_0, false, packstream.Dialect{UTCDateTime: true, ElementIDs: true, Vectors: true}},
		{V6_1, false, packstream.LatestDialect},
	}
	for _, tc := range tests {
		if got := capsOf(t, tc.v).Dialect(tc.patched); got != tc.want {
			t.Errorf("%s patched=%v: %+v, want %+v", tc.v, tc.patched, got, tc.want)
		}
	}
}
