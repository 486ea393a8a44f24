package graphdb

import (
	"strconv"
	"strings"
)

// bookmarkPrefix starts every bookmark this engine issues.
const bookmarkPrefix = "FB:"

// Bookmark names a committed transaction of a database. Its string form,
// "FB:<database>:<txid>" (for example "FB:neo4j:42"), is what the servers
// hand to drivers, which treat it as opaque.
type Bookmark struct {
	Database string
	TxID     int64
}

// String returns the bookmark in its wire form.
func (b Bookmark) String() string { return FormatBookmark(b.Database, b.TxID) }

// FormatBookmark returns the bookmark of transaction txID of database db.
func FormatBookmark(db string, txID int64) string {
	return bookmarkPrefix + db + ":" + strconv.FormatInt(txID, 10)
}

// ParseBookmark parses the form FormatBookmark produces. Anything else is
// an *Error with code Neo.ClientError.Transaction.InvalidBookmark.
func ParseBookmark(s string) (Bookmark, error) {
	rest, ok := strings.CutPrefix(s, bookmarkPrefix)
	if !ok {
		return Bookmark{}, invalidBookmark(s, "it does not start with "+bookmarkPrefix)
	}
	i := strings.LastIndexByte(rest, ':')
	if i <= 0 {
		return Bookmark{}, invalidBookmark(s, "it names no database")
	}
	digits := rest[i+1:]
	if digits == "" || strings.TrimLeft(digits, "0123456789") != "" {
		return Bookmark{}, invalidBookmark(s, "its transaction id is not a non-negative integer")
	}
	id, err := strconv.ParseInt(digits, 10, 64)
	if err != nil {
		return Bookmark{}, invalidBookmark(s, "its transaction id is out of range")
	}
	return Bookmark{Database: rest[:i], TxID: id}, nil
}

func invalidBookmark(s, why string) *Error {
	return newError(CodeInvalidBookmark, "Supplied bookmark [%s] does not conform to pattern FB:<database>:<txid>: %s", s, why)
}
