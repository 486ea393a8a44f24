package packstream

// Dialect selects the encodings that depend on the negotiated Bolt protocol
// version. Package bolt fills it in from its capability table; the zero
// value is the dialect of Bolt 4.x without the "utc" patch.
type Dialect struct {
	// UTCDateTime selects the DateTime and DateTimeZoneId structures that
	// count seconds in UTC (tags 'I' 0x49 and 'i' 0x69): Bolt 5.0+, or
	// Bolt 4.3/4.4 when the "utc" patch was negotiated. Without it the
	// legacy forms ('F' 0x46 and 'f' 0x66), whose seconds count local
	// wall-clock time, are used.
	UTCDateTime bool
	// ElementIDs makes Node, Relationship and UnboundRelationship carry
	// their element_id fields (Bolt 5.0+).
	ElementIDs bool
	// Vectors allows the structures introduced by Bolt 6.0: Vector ('V'
	// 0x56) and UnsupportedType ('?' 0x3F).
	Vectors bool
	// UUIDs allows the native UUID value (Bolt 6.1+): marker 0xE0
	// followed by the 16 bytes of the UUID.
	UUIDs bool
}

// LatestDialect is the dialect of the newest protocol version this package
// knows (every feature enabled).
var LatestDialect = Dialect{UTCDateTime: true, ElementIDs: true, Vectors: true, UUIDs: true}
