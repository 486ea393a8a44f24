package generator

import (
	"github.com/boltrx/boltrx/e2e/server"
	"github.com/boltrx/boltrx/packstream"
)

// cursor produces records 1..rows of a shape on demand.
type cursor struct {
	shape Shape
	rows  int64
	i     int64 // the current record; 0 before the first
	w     recordWriter
}

func (c *cursor) Fields() []string { return c.shape.Fields() }

func (c *cursor) Next() (bool, error) {
	if c.i >= c.rows {
		return false, nil
	}
	c.i++
	return true, nil
}

func (c *cursor) EncodeRecord(enc *packstream.Encoder) error {
	c.w.encode(enc, c.shape, c.i)
	return nil
}

func (c *cursor) Summary() server.Summary { return server.Summary{QueryType: "r"} }

func (c *cursor) Close() {}
