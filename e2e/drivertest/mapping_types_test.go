package drivertest_test

import "time"

// The structs the typed-result tests map records into and send as
// parameters; the root package's mapping tests use the same shapes.

type Pet struct {
	Name string `neo4j:"name"`
	Legs int8   `neo4j:"legs,omitempty"`
}

type Address struct {
	City string `neo4j:"city"`
}

type Audit struct {
	CreatedBy string `neo4j:"createdBy,omitempty"`
}

type Person struct {
	Name   string        `neo4j:"name"`
	Age    int           `neo4j:"age"`
	Nick   *string       `neo4j:"nick"`
	Born   time.Time     `neo4j:"born,omitempty"`
	Tags   []string      `neo4j:"tags,omitempty"`
	Pets   []Pet         `neo4j:"pets,omitempty"`
	Home   *Address      `neo4j:"home"`
	Secret string        `neo4j:"-"`
	Since  time.Duration `neo4j:"since,omitempty"`
	Score  float64       `neo4j:"score,omitempty"`
	Audit
}
