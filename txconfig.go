package boltrx

import (
	"math"
	"time"
)

// TransactionConfig holds the settings of one transaction, explicit or
// auto-commit. Change them with WithTxTimeout and WithTxMetadata (or your
// own functions of the same kind).
type TransactionConfig struct {
	// Timeout makes the server terminate the transaction after this long.
	// 0 means no timeout; ServerDefaultTimeout, which a transaction gets
	// when no WithTxTimeout is given, uses the server's
	// db.transaction.timeout. Other negative values are invalid.
	Timeout time.Duration
	// Metadata is attached to the transaction; it shows in the server's
	// query log and in SHOW TRANSACTIONS.
	Metadata map[string]any
}

// ServerDefaultTimeout is the Timeout that leaves the transaction timeout
// to the server's configuration.
const ServerDefaultTimeout time.Duration = math.MinInt64

// WithTxTimeout sets the transaction timeout: the server terminates a
// transaction still running after it. 0 means no timeout at all;
// ServerDefaultTimeout uses the server's setting. Servers round timeouts
// to milliseconds.
//
//	session.ExecuteWrite(ctx, work, boltrx.WithTxTimeout(5*time.Second))
func WithTxTimeout(timeout time.Duration) func(*TransactionConfig) {
	return func(c *TransactionConfig) { c.Timeout = timeout }
}

// WithTxMetadata attaches metadata to the transaction.
//
//	session.ExecuteRead(ctx, work, boltrx.WithTxMetadata(map[string]any{"app": "billing"}))
func WithTxMetadata(metadata map[string]any) func(*TransactionConfig) {
	return func(c *TransactionConfig) { c.Metadata = metadata }
}

// newTransactionConfig applies configurers to a configuration whose
// timeout is ServerDefaultTimeout and validates the result.
func newTransactionConfig(configurers ...func(*TransactionConfig)) (TransactionConfig, error) {
	c := TransactionConfig{Timeout: ServerDefaultTimeout}
	for _, configure := range configurers {
		if configure != nil {
			configure(&c)
		}
	}
	if c.Timeout < 0 && c.Timeout != ServerDefaultTimeout {
		return TransactionConfig{}, usageErrorf("transaction timeout %v is negative: use 0 for no timeout, a positive duration, or ServerDefaultTimeout", c.Timeout)
	}
	return c, nil
}

// wireTimeout returns the tx_timeout to send and whether to send one. A
// positive timeout below one millisecond is rounded up to 1 ms, since
// sending 0 would mean "no timeout".
func (c TransactionConfig) wireTimeout() (time.Duration, bool) {
	switch {
	case c.Timeout == ServerDefaultTimeout:
		return 0, false
	case c.Timeout > 0 && c.Timeout < time.Millisecond:
		return time.Millisecond, true
	}
	return c.Timeout, true
}
