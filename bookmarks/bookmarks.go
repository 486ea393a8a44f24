// Package bookmarks holds Bolt bookmarks and the bookmark manager that
// chains transactions causally across sessions.
//
// A bookmark is an opaque string the server returns when a transaction
// commits. A transaction that starts with a set of bookmarks sees the
// effects of every transaction those bookmarks came from. A [Manager]
// collects the bookmarks of many sessions so that each transaction sees
// the ones before it.
package bookmarks

// Bookmarks is a set of bookmarks, held as a slice. Order carries no
// meaning. It is an alias so that plain []string values, functions and
// method signatures using []string are interchangeable with it.
type Bookmarks = []string

// Combine merges bookmark sets into one, dropping duplicates and empty
// strings. The result keeps the order in which bookmarks first appear and
// never shares memory with the arguments.
func Combine(sets ...Bookmarks) Bookmarks {
	total := 0
	for _, s := range sets {
		total += len(s)
	}
	if total == 0 {
		return nil
	}
	out := make(Bookmarks, 0, total)
	seen := make(map[string]struct{}, total)
	for _, s := range sets {
		for _, b := range s {
			if b == "" {
				continue
			}
			if _, dup := seen[b]; dup {
				continue
			}
			seen[b] = struct{}{}
			out = append(out, b)
		}
	}
	return out
}

// Dedupe returns the distinct non-empty bookmarks of b in first-seen
// order, in a new slice.
func Dedupe(b Bookmarks) Bookmarks { return Combine(b) }
