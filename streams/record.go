package streams

// Record is one row of a result. Values[i] is the value of column Keys[i].
// All records of a result share one Keys slice: do not modify it.
type Record struct {
	Values []any
	Keys   []string
}

// Get returns the value of the column named key, and false if the result
// has no such column. It searches the keys in order, which is faster than
// a map for the few columns results usually have.
func (r Record) Get(key string) (any, bool) {
	for i, k := range r.Keys {
		if k == key {
			if i < len(r.Values) {
				return r.Values[i], true
			}
			return nil, false
		}
	}
	return nil, false
}

// AsMap returns a new map from column names to values.
func (r Record) AsMap() map[string]any {
	m := make(map[string]any, len(r.Keys))
	for i, k := range r.Keys {
		if i < len(r.Values) {
			m[k] = r.Values[i]
		}
	}
	return m
}
