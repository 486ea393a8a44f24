package chaos

import (
	"errors"
	"time"
)

// Config configures a chaos run. The zero value of a field means its
// default.
type Config struct {
	// Seed draws the fault schedule, the members they hit and the
	// workers' choices; the same seed gives the same schedule (the
	// interleaving of goroutines still varies from run to run).
	Seed uint64
	// Duration of the load (DefaultDuration when 0); checking comes after.
	Duration time.Duration

	// URI of a real cluster, e.g. "neo4j://db.example.com"; "" starts the
	// simulated 3-member cluster in the process and runs the fault loop.
	URI      string
	User     string
	Password string
	// Database to write in ("" = the home database).
	Database string

	// Writers, Readers, Consumers: how many of each (32, 16, 4 when 0;
	// negative: none).
	Writers   int
	Readers   int
	Consumers int
	// LoadItems is how many items the WriteBatchesRx loader writes
	// (100,000 when 0; negative: no loader), LoadBatch per transaction
	// (1,000 when 0).
	LoadItems int
	LoadBatch int
	// StreamRows is the size of the consumers' results (100,000 when 0).
	StreamRows int
	// WriterPause is the longest pause of a writer between two writes
	// (20 ms when 0; the pause is drawn between 0 and it), which bounds
	// the data a long run piles up.
	WriterPause time.Duration
	// NoFaults turns the fault loop off against the simulated cluster.
	NoFaults bool
	// MaxTransactionRetryTime of the driver (30 s when 0).
	MaxTransactionRetryTime time.Duration

	// Logf, when set, receives progress and the details of every broken
	// invariant.
	Logf func(format string, args ...any)
}

// DefaultDuration is the length of a run when Config.Duration is 0.
const DefaultDuration = 30 * time.Second

func (c Config) withDefaults() (Config, error) {
	if c.Duration == 0 {
		c.Duration = DefaultDuration
	}
	if c.Duration < 0 {
		return c, errors.New("chaos: negative duration")
	}
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&c.Writers, 32)
	def(&c.Readers, 16)
	def(&c.Consumers, 4)
	def(&c.LoadItems, 100_000)
	def(&c.LoadBatch, 1_000)
	def(&c.StreamRows, 100_000)
	c.Writers, c.Readers, c.Consumers = max(c.Writers, 0), max(c.Readers, 0), max(c.Consumers, 0)
	if c.LoadBatch < 0 || c.StreamRows < 0 {
		return c, errors.New("chaos: negative batch or stream size")
	}
	if c.WriterPause == 0 {
		c.WriterPause = 20 * time.Millisecond
	}
	if c.MaxTransactionRetryTime == 0 {
		c.MaxTransactionRetryTime = 30 * time.Second
	}
	if c.Logf == nil {
		c.Logf = func(string, ...any) {}
	}
	return c, nil
}
