package main

import (
	"github.com/boltrx/boltrx"
)

// routingTableData is the data of a RoutingTable response.
type routingTableData struct {
	Database *string  `json:"database"`
	TTL      int64    `json:"ttl"` // seconds, as the server sent it
	Routers  []string `json:"routers"`
	Readers  []string `json:"readers"`
	Writers  []string `json:"writers"`
}

// getRoutingTable answers with the routing table the driver holds for a
// database (Driver.RoutingTable); a null database is the home database. A
// driver holding no table for the database (none fetched yet, or the last
// refresh failed and dropped it) knows no member: the answer is an empty
// table.
func getRoutingTable(b *backend, req request) (string, any, error) {
	var f struct {
		Database *string `json:"database"`
	}
	d, _, err := driverOf(b, req, &f)
	if err != nil {
		return "", nil, err
	}
	database := ""
	if f.Database != nil {
		database = *f.Database
	}
	t, ok := d.RoutingTable(database)
	if !ok {
		t = boltrx.RoutingTable{Database: database}
	}
	return "RoutingTable", routingTableOf(t), nil
}

func routingTableOf(t boltrx.RoutingTable) routingTableData {
	nonNil := func(s []string) []string {
		if s == nil {
			return []string{}
		}
		return s
	}
	return routingTableData{
		Database: nonEmpty(t.Database),
		TTL:      int64(t.TTL.Seconds()),
		Routers:  nonNil(t.Routers),
		Readers:  nonNil(t.Readers),
		Writers:  nonNil(t.Writers),
	}
}

// forcedRoutingTableUpdate refreshes a database's routing table now
// (Driver.UpdateRoutingTable).
func forcedRoutingTableUpdate(b *backend, req request) (string, any, error) {
	var f struct {
		Database  *string  `json:"database"`
		Bookmarks []string `json:"bookmarks"`
	}
	d, id, err := driverOf(b, req, &f)
	if err != nil {
		return "", nil, err
	}
	database := ""
	if f.Database != nil {
		database = *f.Database
	}
	if err := d.UpdateRoutingTable(b.ctx, database, f.Bookmarks); err != nil {
		return "", nil, err
	}
	return "Driver", map[string]any{"id": id}, nil
}

// getConnectionPoolMetrics reports the driver's pool for an address; a
// driver without a pool there has no connections to it.
func getConnectionPoolMetrics(b *backend, req request) (string, any, error) {
	var f struct {
		Address string `json:"address"`
	}
	d, _, err := driverOf(b, req, &f)
	if err != nil {
		return "", nil, err
	}
	m, _ := d.ConnectionPoolMetrics(f.Address)
	return "ConnectionPoolMetrics", map[string]any{"inUse": m.InUse, "idle": m.Idle}, nil
}
