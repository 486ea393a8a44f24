package graphdb

import "slices"

// indexEntry is one (property value, entity id) pair of a property index.
type indexEntry struct {
	val any
	id  int64
}

// compareEntries orders index entries by value (Cypher orderability, null
// last), then by exact type and representation, then by id, so that two
// entries are equal only when their values are strictly equal.
func compareEntries(a, b indexEntry) int {
	if c := orderCompare(a.val, b.val); c != 0 {
		return c
	}
	if !strictEqual(a.val, b.val) {
		if c := slices.Compare(appendStrictKey(nil, a.val), appendStrictKey(nil, b.val)); c != 0 {
			return c
		}
	}
	switch {
	case a.id < b.id:
		return -1
	case a.id > b.id:
		return 1
	}
	return 0
}

// maxChunk is the largest chunk of a sortedSet; inserting into a chunk
// moves at most this many entries.
const maxChunk = 512

// sortedSet is an ordered set of index entries kept as a list of sorted
// chunks: O(log n) search, O(maxChunk + n/maxChunk) insert and remove, and
// ordered iteration in both directions.
type sortedSet struct {
	chunks [][]indexEntry
	size   int
}

// cursor is a position in a sortedSet; valid while the set is not modified.
type cursor struct {
	set   *sortedSet
	chunk int
	pos   int
}

// chunkFor returns the first chunk whose last entry is not before e
// (according to before), or the last chunk.
func (s *sortedSet) chunkFor(before func(indexEntry) bool) int {
	i, _ := slices.BinarySearchFunc(s.chunks, true, func(c []indexEntry, _ bool) int {
		if before(c[len(c)-1]) {
			return -1
		}
		return 1
	})
	return min(i, len(s.chunks)-1)
}

// locate finds e: its chunk, position and whether it is present.
func (s *sortedSet) locate(e indexEntry) (int, int, bool) {
	ci := s.chunkFor(func(x indexEntry) bool { return compareEntries(x, e) < 0 })
	pos, found := slices.BinarySearchFunc(s.chunks[ci], e, compareEntries)
	return ci, pos, found
}

// insert adds e and reports whether it was absent.
func (s *sortedSet) insert(e indexEntry) bool {
	if len(s.chunks) == 0 {
		s.chunks = append(s.chunks, []indexEntry{e})
		s.size++
		return true
	}
	ci, pos, found := s.locate(e)
	if found {
		return false
	}
	c := slices.Insert(s.chunks[ci], pos, e)
	if len(c) > maxChunk {
		half := len(c) / 2
		right := slices.Clone(c[half:])
		left := slices.Clip(c[:half])
		s.chunks[ci] = left
		s.chunks = slices.Insert(s.chunks, ci+1, right)
	} else {
		s.chunks[ci] = c
	}
	s.size++
	return true
}

// remove deletes e and reports whether it was present.
func (s *sortedSet) remove(e indexEntry) bool {
	if len(s.chunks) == 0 {
		return false
	}
	ci, pos, found := s.locate(e)
	if !found {
		return false
	}
	c := slices.Delete(s.chunks[ci], pos, pos+1)
	if len(c) == 0 {
		s.chunks = slices.Delete(s.chunks, ci, ci+1)
	} else {
		s.chunks[ci] = c
	}
	s.size--
	return true
}

// seek returns a cursor at the first entry for which before is false
// (before must be true for a prefix of the set and false after it).
func (s *sortedSet) seek(before func(indexEntry) bool) cursor {
	if len(s.chunks) == 0 {
		return cursor{set: s}
	}
	ci := s.chunkFor(before)
	c := s.chunks[ci]
	pos, _ := slices.BinarySearchFunc(c, true, func(x indexEntry, _ bool) int {
		if before(x) {
			return -1
		}
		return 1
	})
	cur := cursor{set: s, chunk: ci, pos: pos}
	if pos == len(c) {
		cur.chunk, cur.pos = ci+1, 0
	}
	return cur
}

// first returns a cursor at the smallest entry.
func (s *sortedSet) first() cursor { return cursor{set: s} }

// last returns a cursor at the largest entry.
func (s *sortedSet) last() cursor {
	if len(s.chunks) == 0 {
		return cursor{set: s}
	}
	ci := len(s.chunks) - 1
	return cursor{set: s, chunk: ci, pos: len(s.chunks[ci]) - 1}
}

// valid reports whether the cursor points at an entry.
func (c *cursor) valid() bool {
	return c.chunk >= 0 && c.chunk < len(c.set.chunks) && c.pos >= 0 && c.pos < len(c.set.chunks[c.chunk])
}

// entry returns the entry under a valid cursor.
func (c *cursor) entry() indexEntry { return c.set.chunks[c.chunk][c.pos] }

// next moves to the following entry.
func (c *cursor) next() {
	c.pos++
	if c.pos >= len(c.set.chunks[c.chunk]) {
		c.chunk++
		c.pos = 0
	}
}

// prev moves to the preceding entry.
func (c *cursor) prev() {
	c.pos--
	if c.pos < 0 {
		c.chunk--
		if c.chunk >= 0 {
			c.pos = len(c.set.chunks[c.chunk]) - 1
		}
	}
}
