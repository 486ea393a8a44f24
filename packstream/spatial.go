package packstream

import "strconv"

// Structure tags of the spatial types.
const (
	tagPoint2D = 'X' // 0x58
	tagPoint3D = 'Y' // 0x59
)

// Point2D is a location in a two-dimensional coordinate reference system
// (structure 'X' 0x58), e.g. SpatialRefId 4326 (WGS-84) or 7203
// (Cartesian).
type Point2D struct {
	X            float64
	Y            float64
	SpatialRefId uint32
}

// String formats the point like Cypher does, e.g. point({srid:4326, x:1, y:2}).
func (p Point2D) String() string { return formatPoint(p.SpatialRefId, p.X, p.Y) }

// Point3D is a location in a three-dimensional coordinate reference system
// (structure 'Y' 0x59), e.g. SpatialRefId 4979 (WGS-84 3D) or 9157
// (Cartesian 3D).
type Point3D struct {
	X            float64
	Y            float64
	Z            float64
	SpatialRefId uint32
}

// String formats the point like Cypher does, e.g. point({srid:9157, x:1, y:2, z:3}).
func (p Point3D) String() string { return formatPoint(p.SpatialRefId, p.X, p.Y, p.Z) }

// formatPoint formats a point with its coordinates x, y and, if given, z.
func formatPoint(srid uint32, coords ...float64) string {
	b := []byte("point({srid:")
	b = strconv.AppendUint(b, uint64(srid), 10)
	for i, c := range coords {
		b = append(b, ", "...)
		b = append(b, "xyz"[i], ':')
		b = strconv.AppendFloat(b, c, 'g', -1, 64)
	}
	return string(append(b, "})"...))
}
