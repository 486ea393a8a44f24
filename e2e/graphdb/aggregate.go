package graphdb

import "math"

// aggregator accumulates one aggregate over the rows of a group.
type aggregator interface {
	add(v any) error
	result() any
}

// newAggregator returns the accumulator for spec.
func newAggregator(spec *aggSpec) aggregator {
	var a aggregator
	switch spec.name {
	case "count":
		a = &countAgg{star: spec.star}
	case "collect":
		a = &collectAgg{list: []any{}}
	case "sum":
		a = &sumAgg{}
	case "avg":
		a = &avgAgg{}
	case "min":
		a = &extremeAgg{sign: -1}
	default:
		a = &extremeAgg{sign: 1}
	}
	if spec.distinct {
		a = &distinctAgg{inner: a, seen: make(map[string]bool)}
	}
	return a
}

type countAgg struct {
	star bool
	n    int64
}

func (a *countAgg) add(v any) error {
	if a.star || v != nil {
		a.n++
	}
	return nil
}
func (a *countAgg) result() any { return a.n }

type collectAgg struct{ list []any }

func (a *collectAgg) add(v any) error {
	if v != nil {
		a.list = append(a.list, v)
	}
	return nil
}
func (a *collectAgg) result() any { return a.list }

// sumAgg sums integers exactly until a float appears.
type sumAgg struct {
	i       int64
	f       float64
	isFloat bool
}

func (a *sumAgg) add(v any) error {
	switch x := v.(type) {
	case nil:
		return nil
	case int64:
		if a.isFloat {
			a.f += float64(x)
			return nil
		}
		s, err := intArithmetic("+", a.i, x)
		if err != nil {
			return err
		}
		a.i = s.(int64)
	case float64:
		if !a.isFloat {
			a.isFloat, a.f = true, float64(a.i)
		}
		a.f += x
	default:
		return typeError("sum() can only handle numerical values, got %s", typeName(v))
	}
	return nil
}

func (a *sumAgg) result() any {
	if a.isFloat {
		return a.f
	}
	return a.i
}

type avgAgg struct {
	sum float64
	n   int64
}

func (a *avgAgg) add(v any) error {
	if v == nil {
		return nil
	}
	f, ok := toFloat64(v)
	if !ok {
		return typeError("avg() can only handle numerical values, got %s", typeName(v))
	}
	a.sum += f
	a.n++
	return nil
}

func (a *avgAgg) result() any {
	if a.n == 0 {
		return nil
	}
	if math.IsInf(a.sum, 0) {
		return a.sum
	}
	return a.sum / float64(a.n)
}

// extremeAgg is min (sign -1) or max (sign 1) by orderability.
type extremeAgg struct {
	sign int
	best any
}

func (a *extremeAgg) add(v any) error {
	if v == nil {
		return nil
	}
	if a.best == nil || orderCompare(v, a.best)*a.sign > 0 {
		a.best = v
	}
	return nil
}
func (a *extremeAgg) result() any { return a.best }

// distinctAgg feeds each distinct value to inner once.
type distinctAgg struct {
	inner aggregator
	seen  map[string]bool
	buf   []byte
}

func (a *distinctAgg) add(v any) error {
	if v == nil {
		return nil
	}
	a.buf = appendValueKey(a.buf[:0], v)
	if a.seen[string(a.buf)] {
		return nil
	}
	a.seen[string(a.buf)] = true
	return a.inner.add(v)
}
func (a *distinctAgg) result() any { return a.inner.result() }
