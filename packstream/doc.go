// Package packstream encodes and decodes PackStream version 1, the binary
// value format of the Bolt protocol, together with the Bolt structure types
// (graph, temporal, spatial, vector) and the Bolt 6.1 native UUID.
//
// An [Encoder] appends values to a byte slice it owns; a [Decoder] reads
// values from a byte slice without copying it. Both are plain structs whose
// zero value is ready to use and which can be reused with Reset, so a
// connection keeps one of each for its whole life.
//
// Which structure encodings are in use depends on the negotiated Bolt
// version; a [Dialect] carries that choice. Package bolt fills it in from
// its capability table.
//
// # Go values
//
// Decoding yields nil, bool, int64, float64, string, []byte, []any,
// map[string]any and the Bolt types of this package: [Node],
// [Relationship], [Path], [Date], [Time], [LocalTime], [LocalDateTime],
// time.Time (for DateTime and DateTimeZoneId), [Duration], [Point2D],
// [Point3D], [Vector], [UUID], [UnsupportedType] and [InvalidValue].
//
// Encoding accepts those and, in addition, every Go integer kind whose value
// fits an int64, float32, typed slices and maps with string keys, pointers
// (nil encodes as null), named types by their underlying kind and
// time.Duration (as a Bolt Duration). See [Encoder.WriteValue].
//
// # Untrusted input
//
// The decoder never panics and never allocates more than the remaining
// input can justify. Every failure is a *[DecodeError] carrying the offset
// and one of the sentinel errors (ErrTruncated, ErrUnknownMarker, ...), so
// callers test it with errors.Is. Nesting of lists, maps and structures is
// limited to [MaxDepth] levels.
package packstream
