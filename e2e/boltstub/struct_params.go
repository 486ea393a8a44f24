package boltstub

import (
	"fmt"
	"math"

	"github.com/boltrx/boltrx/packstream"
)

// Conversions of constructor arguments into canonical form.

// convInt accepts integers.
func convInt(v any) (any, error) {
	if _, ok := v.(int64); ok {
		return v, nil
	}
	return nil, fmt.Errorf("%w: want an integer", errWrongType)
}

// convSRID accepts spatial reference ids (32-bit unsigned).
func convSRID(v any) (any, error) {
	n, ok := v.(int64)
	if !ok || n < 0 || n > math.MaxUint32 {
		return nil, fmt.Errorf("%w: want an integer from 0 to 4294967295", errWrongType)
	}
	return n, nil
}

// convFloat accepts numbers; integers become floats (Point2D(7203, 1, 2)).
func convFloat(v any) (any, error) {
	switch v := v.(type) {
	case float64:
		return v, nil
	case int64:
		return float64(v), nil
	}
	return nil, fmt.Errorf("%w: want a number", errWrongType)
}

// convString accepts strings.
func convString(v any) (any, error) {
	if _, ok := v.(string); ok {
		return v, nil
	}
	return nil, fmt.Errorf("%w: want a string", errWrongType)
}

// convMap accepts maps.
func convMap(v any) (any, error) {
	if _, ok := v.(*mapValue); ok {
		return v, nil
	}
	return nil, fmt.Errorf("%w: want a map", errWrongType)
}

// convList accepts lists.
func convList(v any) (any, error) {
	if _, ok := v.(listValue); ok {
		return v, nil
	}
	return nil, fmt.Errorf("%w: want a list", errWrongType)
}

// convStringList accepts lists of strings (Node labels).
func convStringList(v any) (any, error) {
	l, ok := v.(listValue)
	if ok {
		for _, e := range l {
			if _, ok = e.(string); !ok {
				break
			}
		}
	}
	if !ok {
		return nil, fmt.Errorf("%w: want a list of strings", errWrongType)
	}
	return v, nil
}

// convTemporal accepts temporal text of the given form, made canonical.
func convTemporal(form temporalForm) func(v any) (any, error) {
	return func(v any) (any, error) {
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("%w: want a string like %s", errWrongType, form.example())
		}
		return canonicalTemporal(s, form)
	}
}

// convUUID accepts UUID text in either case, with or without hyphens.
func convUUID(v any) (any, error) {
	s, ok := v.(string)
	if !ok {
		return nil, fmt.Errorf("%w: want a string like \"123e4567-e89b-12d3-a456-426614174000\"", errWrongType)
	}
	u, err := packstream.ParseUUID(s)
	if err != nil {
		return nil, err
	}
	return u.String(), nil
}

// convVectorType accepts the element type names of Vector.
func convVectorType(v any) (any, error) {
	s, _ := v.(string)
	for _, t := range vectorTypes {
		if s == t {
			return s, nil
		}
	}
	return nil, fmt.Errorf("%w: want one of \"int8\", \"int16\", \"int32\", \"int64\", \"float32\", \"float64\"", errWrongType)
}
