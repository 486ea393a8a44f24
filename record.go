package boltrx

import (
	"fmt"
	"time"

	"github.com/boltrx/boltrx/streams"
)

// Record is one row of a result. Values[i] is the value of column Keys[i].
// All records of a result share one Keys slice: do not modify it. Get
// returns one column's value, AsMap all of them.
type Record = streams.Record

// RecordValue lists the Go types GetRecordValue can return: the types the
// driver decodes result values into.
type RecordValue interface {
	bool | int64 | float64 | string |
		Point2D | Point3D |
		Date | LocalTime | LocalDateTime | Time | Duration | time.Time |
		[]byte | []any | map[string]any |
		Node | Relationship | Path |
		UUID |
		Vector[int8] | Vector[int16] | Vector[int32] | Vector[int64] | Vector[float32] | Vector[float64]
}

// GetRecordValue returns the value of the column key as a T. isNil is
// true when the value is null (T's zero value is returned). It fails when
// the result has no column key or the value has another type.
//
//	name, isNil, err := boltrx.GetRecordValue[string](record, "name")
func GetRecordValue[T RecordValue](record *Record, key string) (value T, isNil bool, err error) {
	raw, found := record.Get(key)
	if !found {
		return value, false, fmt.Errorf("record has no column %q (columns: %v)", key, record.Keys)
	}
	if raw == nil {
		return value, true, nil
	}
	typed, ok := raw.(T)
	if !ok {
		return value, false, fmt.Errorf("column %q has type %T, not %T", key, raw, value)
	}
	return typed, false, nil
}
