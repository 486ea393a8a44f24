package bolt

import (
	"errors"
	"reflect"
	"testing"
)

func TestRoutingTableAddresses(t *testing.T) {
	rt := &RoutingTable{Servers: []RoutingServers{
		{Addresses: []string{"r1"}, Role: RoleRoute},
		{Addresses: []string{"a", "b"}, Role: RoleRead},
		{Addresses: []string{"c"}, Role: RoleRead},
	}}
	if got := rt.Addresses(RoleRead); !reflect.DeepEqual(got, []string{"a", "b", "c"}) {
		t.Errorf("readers %v", got)
	}
	if got := rt.Addresses(RoleWrite); got != nil {
		t.Errorf("writers %v, want none", got)
	}
}

// The record of dbms.routing.getRoutingTable (Bolt 3 to 4.2).
func TestRoutingTableFromRecord(t *testing.T) {
	servers := []any{
		map[string]any{"addresses": []any{"localhost:9001"}, "role": "ROUTE"},
		map[string]any{"addresses": []any{"localhost:9010", "localhost:9012"}, "role": "READ"},
		map[string]any{"addresses": []any{}, "role": "WRITE"},
	}
	got, err := RoutingTableFromRecord([]string{"ttl", "servers"}, []any{int64(300), servers})
	if err != nil {
		t.Fatal(err)
	}
	want := &RoutingTable{TTL: 300, Servers: []RoutingServers{
		{Addresses: []string{"localhost:9001"}, Role: RoleRoute},
		{Addresses: []string{"localhost:9010", "localhost:9012"}, Role: RoleRead},
		{Addresses: []string{}, Role: RoleWrite},
	}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	got, err = RoutingTableFromRecord([]string{"servers", "ttl", "db"}, []any{servers[:1], int64(5), "adb"})
	if err != nil || got.Database != "adb" || got.TTL != 5 {
		t.Errorf("with db: %+v %v", got, err)
	}

	bad := []struct {
		keys   []string
		values []any
	}{
		{[]string{"ttl"}, []any{int64(1), "extra"}},
		{[]string{"ttl", "servers"}, []any{"300", servers}},
		{[]string{"ttl", "servers"}, []any{int64(300), "servers"}},
		{[]string{"ttl", "servers"}, []any{int64(300), []any{"not a map"}}},
		{[]string{"ttl", "servers"}, []any{int64(300), []any{map[string]any{"addresses": []any{}}}}},
		{[]string{"ttl", "servers"}, []any{int64(300), []any{map[string]any{"role": "READ"}}}},
		{[]string{"ttl", "servers"}, []any{int64(300), []any{map[string]any{"role": "READ", "addresses": []any{1}}}}},
		{[]string{"ttl", "servers", "db"}, []any{int64(300), servers, 7}},
		{[]string{"servers"}, []any{servers}},
	}
	for i, tc := range bad {
		if _, err := RoutingTableFromRecord(tc.keys, tc.values); !errors.Is(err, ErrProtocol) {
			t.Errorf("#%d: err = %v, want ErrProtocol", i, err)
		}
	}
}

// Bolt 3 notifications as a single dictionary decode as a list of one.
func TestDecodeNotificationsAsDictionary(t *testing.T) {
	caps := capsOf(t, V3_0)
	msg := cat("B1 70 A1", ps("notifications"), "A1", ps("code"), ps("N"))
	var resp Response
	if err := DecodeResponse(msg, caps, caps.Dialect(false), &resp); err != nil {
		t.Fatal(err)
	}
	if want := []map[string]any{{"code": "N"}}; !reflect.DeepEqual(resp.Success.Notifications, want) {
		t.Errorf("notifications %v, want %v", resp.Success.Notifications, want)
	}
}
