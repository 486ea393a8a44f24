package bolt

import (
	"math"
	"strconv"
	"time"

	"github.com/boltrx/boltrx/packstream"
)

// TxConfig is what BEGIN and an auto-commit RUN say about their
// transaction, in their extra dictionary. Every zero field is left out of
// the message, so the server applies its default. A RUN inside an explicit
// transaction leaves all of them zero.
type TxConfig struct {
	// Bookmarks the transaction must observe (3.0+).
	Bookmarks []string
	// TxTimeout bounds the transaction (3.0+); sent in milliseconds,
	// rounded up. Zero or less sends nothing (the server's timeout),
	// unless NoTxTimeout is set.
	TxTimeout time.Duration
	// NoTxTimeout sends tx_timeout 0 when TxTimeout is not positive: the
	// transaction has no timeout, whatever the server's default (3.0+).
	NoTxTimeout bool
	// TxMetadata is attached to the transaction, e.g. for query logs
	// (3.0+).
	TxMetadata map[string]any
	// Mode is "r" for read access, "" or "w" for write access (3.0+). Only
	// "r" is sent; write is the default.
	Mode string
	// Database names the database; "" = the home/default database (4.0+).
	Database string
	// ImpersonatedUser runs the transaction as that user (4.4+).
	ImpersonatedUser string
	// NotificationsMinSeverity overrides HELLO's setting for this
	// transaction (5.2+); "" sends nothing.
	NotificationsMinSeverity string
	// NotificationsDisabled overrides HELLO's setting for this
	// transaction (5.2+); nil sends nothing, empty disables none.
	NotificationsDisabled []string
}

// Access modes.
const (
	ModeRead  = "r"
	ModeWrite = "w"
)

// IsZero reports whether no field is set (nothing to send).
func (c *TxConfig) IsZero() bool {
	return len(c.Bookmarks) == 0 && c.TxTimeout <= 0 && !c.NoTxTimeout && len(c.TxMetadata) == 0 && (c.Mode == "" || c.Mode == ModeWrite) &&
		c.Database == "" && c.ImpersonatedUser == "" && c.NotificationsMinSeverity == "" && c.NotificationsDisabled == nil
}

// check reports fields that caps' version cannot carry in msg, and values
// the protocol does not accept.
func (c *TxConfig) check(msg string, caps *Capabilities) error {
	if !caps.ExplicitTransactions && !c.IsZero() {
		return &VersionError{Message: msg, Field: "extra", Version: caps.Version, Detail: "transaction settings need 3.0"}
	}
	if c.Database != "" && !caps.Database {
		return &VersionError{Message: msg, Field: "db", Version: caps.Version, Detail: "databases need 4.0"}
	}
	if c.ImpersonatedUser != "" && !caps.ImpersonatedUser {
		return &VersionError{Message: msg, Field: "imp_user", Version: caps.Version, Detail: "impersonation needs 4.4"}
	}
	switch c.Mode {
	case "", ModeRead, ModeWrite:
	default:
		return &InvalidRequestError{Message: msg, Field: "mode", Detail: strconv.Quote(c.Mode) + " is neither \"r\" nor \"w\""}
	}
	return checkNotifications(msg, caps, c.NotificationsMinSeverity, c.NotificationsDisabled)
}

// txTimeoutMillis converts a timeout to whole milliseconds, rounding up so
// that a tiny timeout does not become 0 ("no timeout").
func txTimeoutMillis(d time.Duration) int64 {
	ms := int64(d / time.Millisecond)
	if d%time.Millisecond != 0 {
		ms++
	}
	return ms
}

// entries writes the fields that are set.
func (c *TxConfig) entries(d *dictWriter, caps *Capabilities) {
	if len(c.Bookmarks) > 0 {
		d.strings("bookmarks", c.Bookmarks)
	}
	if c.TxTimeout > 0 {
		d.integer("tx_timeout", txTimeoutMillis(c.TxTimeout))
	} else if c.NoTxTimeout {
		d.integer("tx_timeout", 0)
	}
	if len(c.TxMetadata) > 0 {
		d.anyMap("tx_metadata", c.TxMetadata)
	}
	if c.Mode == ModeRead {
		d.str("mode", ModeRead)
	}
	if c.Database != "" {
		d.str("db", c.Database)
	}
	if c.ImpersonatedUser != "" {
		d.str("imp_user", c.ImpersonatedUser)
	}
	writeNotifications(d, caps, c.NotificationsMinSeverity, c.NotificationsDisabled)
}

// decodeExtra reads an extra dictionary of BEGIN or RUN.
func (c *TxConfig) decodeExtra(r *fieldReader, caps *Capabilities) error {
	return eachExtra(r, caps, &c.NotificationsMinSeverity, &c.NotificationsDisabled, func(k string) (err error) {
		switch {
		case k == "bookmarks":
			c.Bookmarks, err = r.strings(k, true)
		case k == "tx_timeout":
			var present bool
			c.TxTimeout, present, err = readTxTimeout(r)
			c.NoTxTimeout = present && c.TxTimeout == 0
		case k == "tx_metadata":
			c.TxMetadata, err = r.anyMap(k, true)
		case k == "mode":
			c.Mode, err = r.str(k, true)
		case k == "db" && caps.Database:
			c.Database, err = r.str(k, true)
		case k == "imp_user" && caps.ImpersonatedUser:
			c.ImpersonatedUser, err = r.str(k, true)
		default:
			return r.unknownKey("extra", k, caps.Version)
		}
		return err
	})
}

// readTxTimeout reads tx_timeout; present is false for null.
func readTxTimeout(r *fieldReader) (d time.Duration, present bool, err error) {
	off := r.d.Offset()
	ms, present, err := r.integer("tx_timeout", true)
	if err != nil {
		return 0, false, err
	}
	if ms < 0 || ms > math.MaxInt64/int64(time.Millisecond) {
		return 0, false, r.fail("tx_timeout", off, strconv.FormatInt(ms, 10)+" ms is out of range", nil)
	}
	return time.Duration(ms) * time.Millisecond, present, nil
}

// Begin opens an explicit transaction (3.0+): BEGIN {extra}.
type Begin struct {
	TxConfig
}

func (m *Begin) encode(enc *packstream.Encoder, caps *Capabilities, tag byte) error {
	if err := m.check("BEGIN", caps); err != nil {
		return err
	}
	enc.WriteStructHeader(tag, 1)
	d := newDict(enc)
	for d.pass() {
		m.entries(&d, caps)
	}
	return d.err
}

func (m *Begin) decode(r *fieldReader, caps *Capabilities, fields int) error {
	if err := wantFields(r, fields, 1); err != nil {
		return err
	}
	return m.decodeExtra(r, caps)
}
