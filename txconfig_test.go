package boltrx

import (
	"errors"
	"maps"
	"testing"
	"time"
)

func TestTransactionConfig(t *testing.T) {
	meta := map[string]any{"app": "billing"}
	c, err := newTransactionConfig(WithTxTimeout(5*time.Second), WithTxMetadata(meta), nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Timeout != 5*time.Second || !maps.Equal(c.Metadata, meta) {
		t.Fatalf("config %+v", c)
	}
	if d, send := c.wireTimeout(); !send || d != 5*time.Second {
		t.Fatalf("wireTimeout = %v, %v", d, send)
	}
}

func TestTransactionTimeoutSemantics(t *testing.T) {
	cases := []struct {
		name     string
		configs  []func(*TransactionConfig)
		wantSend bool
		want     time.Duration
	}{
		{"no timeout given: server default", nil, false, 0},
		{"explicit server default", []func(*TransactionConfig){WithTxTimeout(ServerDefaultTimeout)}, false, 0},
		{"zero: no timeout at all", []func(*TransactionConfig){WithTxTimeout(0)}, true, 0},
		{"sub-millisecond rounds up", []func(*TransactionConfig){WithTxTimeout(time.Microsecond)}, true, time.Millisecond},
		{"last one wins", []func(*TransactionConfig){WithTxTimeout(time.Second), WithTxTimeout(2 * time.Second)}, true, 2 * time.Second},
	}
	for _, c := range cases {
		cfg, err := newTransactionConfig(c.configs...)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		d, send := cfg.wireTimeout()
		if send != c.wantSend || d != c.want {
			t.Errorf("%s: wireTimeout = %v, %v; want %v, %v", c.name, d, send, c.want, c.wantSend)
		}
	}
	if _, err := newTransactionConfig(WithTxTimeout(-time.Second)); !errors.Is(err, ErrUsage) {
		t.Fatalf("negative timeout: %v", err)
	}
}
