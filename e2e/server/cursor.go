package server

import (
	"strings"

	"github.com/boltrx/boltrx/bolt"
	"github.com/boltrx/boltrx/packstream"
)

// RowsCursor is a Cursor over rows already in memory, for handlers whose
// engine produces whole results.
type RowsCursor struct {
	fields  []string
	rows    [][]any
	summary Summary
	next    int // index of the row Next moves to
}

// NewRowsCursor returns a cursor over rows, each a list of values in the
// order of fields.
func NewRowsCursor(fields []string, rows [][]any, summary Summary) *RowsCursor {
	if fields == nil {
		fields = []string{}
	}
	return &RowsCursor{fields: fields, rows: rows, summary: summary}
}

// Fields returns the column names.
func (c *RowsCursor) Fields() []string { return c.fields }

// Next moves to the next row.
func (c *RowsCursor) Next() (bool, error) {
	if c.next >= len(c.rows) {
		return false, nil
	}
	c.next++
	return true, nil
}

// EncodeRecord writes the current row.
func (c *RowsCursor) EncodeRecord(enc *packstream.Encoder) error {
	row := c.rows[c.next-1]
	enc.WriteListHeader(len(row))
	for _, v := range row {
		if err := enc.WriteValue(v); err != nil {
			return err
		}
	}
	return enc.Err()
}

// Summary returns the summary given to NewRowsCursor.
func (c *RowsCursor) Summary() Summary { return c.summary }

// Close drops the rows.
func (c *RowsCursor) Close() { c.rows = nil }

// RoutingProcedure tells which routing procedure a query calls, for
// servers that answer the routing procedures of Bolt 3.0 to 4.2.
type RoutingProcedure int

// The routing procedures.
const (
	// NoRoutingProcedure: the query calls none.
	NoRoutingProcedure RoutingProcedure = iota
	// ClusterRoutingProcedure is dbms.cluster.routing.getRoutingTable
	// (Neo4j 3.5, Bolt 3): the default database's table.
	ClusterRoutingProcedure
	// DatabaseRoutingProcedure is dbms.routing.getRoutingTable (Neo4j
	// 4.0-4.2, run in the system database): its $database parameter names
	// the database, absent or null for the default one.
	DatabaseRoutingProcedure
)

// ParseRoutingProcedure reports which routing procedure query calls.
func ParseRoutingProcedure(query string) RoutingProcedure {
	q := strings.ToLower(strings.TrimSpace(query))
	rest, ok := strings.CutPrefix(q, "call ")
	if !ok {
		return NoRoutingProcedure
	}
	rest = strings.TrimSpace(rest)
	switch {
	case strings.HasPrefix(rest, "dbms.cluster.routing.getroutingtable"):
		return ClusterRoutingProcedure
	case strings.HasPrefix(rest, "dbms.routing.getroutingtable"):
		return DatabaseRoutingProcedure
	}
	return NoRoutingProcedure
}

// RoutingProcedureDatabase returns the database a routing procedure call
// asks for: its $database parameter, or "" for the default one.
func RoutingProcedureDatabase(params map[string]any) string {
	db, _ := params["database"].(string)
	return db
}

// RoutingTableCursor returns the one-record result of a routing procedure:
// the columns ttl and servers, as Neo4j 3.5 to 4.2 answer them.
func RoutingTableCursor(t *bolt.RoutingTable) *RowsCursor {
	servers := make([]any, 0, len(t.Servers))
	for _, s := range t.Servers {
		addresses := make([]any, len(s.Addresses))
		for i, a := range s.Addresses {
			addresses[i] = a
		}
		servers = append(servers, map[string]any{"addresses": addresses, "role": s.Role})
	}
	return NewRowsCursor([]string{"ttl", "servers"}, [][]any{{t.TTL, servers}}, Summary{QueryType: "r"})
}
