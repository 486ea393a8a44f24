package main

import (
	"github.com/boltrx/boltrx"
)

// recordData is the data of a Record response and an element of
// RecordList's records.
type recordData struct {
	Values []tagged `json:"values"`
}

// recordOf encodes a record's values. A value testkit cannot represent
// (one the driver could not decode, say) fails the request as a
// DriverError, as the driver would fail a user reading it.
func recordOf(r *boltrx.Record) (recordData, error) {
	values := make([]tagged, len(r.Values))
	for i, v := range r.Values {
		c, err := cypherValue(v)
		if err != nil {
			return recordData{}, &valueError{err: err}
		}
		values[i] = c
	}
	return recordData{Values: values}, nil
}

// valueError reports a record value without testkit encoding; it is sent
// as a DriverError of type ValueError.
type valueError struct{ err error }

func (e *valueError) Error() string { return "ValueError: " + e.err.Error() }
func (e *valueError) Unwrap() error { return e.err }

func recordsOf(rs []*boltrx.Record) ([]recordData, error) {
	out := make([]recordData, len(rs))
	for i, r := range rs {
		d, err := recordOf(r)
		if err != nil {
			return nil, err
		}
		out[i] = d
	}
	return out, nil
}

// resultOf decodes a request naming a result and finds it.
func resultOf(b *backend, req request, f any) (*boltrx.Result, error) {
	var ids struct {
		ResultID string `json:"resultId"`
	}
	if err := decode(req, &ids); err != nil {
		return nil, err
	}
	if f != nil {
		if err := decode(req, f); err != nil {
			return nil, err
		}
	}
	return lookup(b.results, "result", ids.ResultID)
}

// recordOrEnd answers Next and Peek: the record, the error that ended the
// result, or NullRecord at its end.
func recordOrEnd(r *boltrx.Result, rec *boltrx.Record, ok bool) (string, any, error) {
	if ok && rec != nil {
		d, err := recordOf(rec)
		if err != nil {
			return "", nil, err
		}
		return "Record", d, nil
	}
	if err := r.Err(); err != nil {
		return "", nil, resultError(err)
	}
	return "NullRecord", nil, nil
}

func resultNext(b *backend, req request) (string, any, error) {
	r, err := resultOf(b, req, nil)
	if err != nil {
		return "", nil, err
	}
	ok := r.Next(b.ctx)
	return recordOrEnd(r, r.Record(), ok)
}

func resultPeek(b *backend, req request) (string, any, error) {
	r, err := resultOf(b, req, nil)
	if err != nil {
		return "", nil, err
	}
	rec, ok := r.Peek(b.ctx)
	return recordOrEnd(r, rec, ok)
}

func resultSingle(b *backend, req request) (string, any, error) {
	r, err := resultOf(b, req, nil)
	if err != nil {
		return "", nil, err
	}
	rec, err := r.Single(b.ctx)
	if err != nil {
		return "", nil, resultError(err)
	}
	d, err := recordOf(rec)
	if err != nil {
		return "", nil, err
	}
	return "Record", d, nil
}

// resultSingleOptional answers with the only record or none; boltrx has
// no warnings: more than one record is an error, as with Single.
func resultSingleOptional(b *backend, req request) (string, any, error) {
	r, err := resultOf(b, req, nil)
	if err != nil {
		return "", nil, err
	}
	rec, err := r.SingleOptional(b.ctx)
	if err != nil {
		return "", nil, resultError(err)
	}
	out := map[string]any{"record": nil, "warnings": []string{}}
	if rec != nil {
		d, err := recordOf(rec)
		if err != nil {
			return "", nil, err
		}
		out["record"] = d
	}
	return "RecordOptional", out, nil
}

func resultList(b *backend, req request) (string, any, error) {
	r, err := resultOf(b, req, nil)
	if err != nil {
		return "", nil, err
	}
	rs, err := r.Collect(b.ctx)
	if err != nil {
		return "", nil, resultError(err)
	}
	records, err := recordsOf(rs)
	if err != nil {
		return "", nil, err
	}
	return "RecordList", map[string]any{"records": records}, nil
}

func resultConsume(b *backend, req request) (string, any, error) {
	r, err := resultOf(b, req, nil)
	if err != nil {
		return "", nil, err
	}
	s, err := r.Consume(b.ctx)
	if err != nil {
		return "", nil, resultError(err)
	}
	return "Summary", summaryOf(s), nil
}

// cypherTypeField reads the next record and answers one field of the
// value under recordKey, which must be of the named testkit type (e.g.
// the "labels" of a "Node").
func cypherTypeField(b *backend, req request) (string, any, error) {
	var f struct {
		RecordKey string `json:"recordKey"`
		Type      string `json:"type"`
		Field     string `json:"field"`
	}
	r, err := resultOf(b, req, &f)
	if err != nil {
		return "", nil, err
	}
	if !r.Next(b.ctx) {
		if err := r.Err(); err != nil {
			return "", nil, resultError(err)
		}
		return "", nil, backendErrorf("CypherTypeField: the result has no more records")
	}
	v, found := r.Record().Get(f.RecordKey)
	if !found {
		return "", nil, backendErrorf("CypherTypeField: the record has no key %q", f.RecordKey)
	}
	c, err := cypherValue(v)
	if err != nil {
		return "", nil, &valueError{err: err}
	}
	fields, ok := c.Data.(map[string]any)
	if c.Name != f.Type || !ok {
		return "", nil, backendErrorf("CypherTypeField: %q is a %s, not a %s", f.RecordKey, c.Name, f.Type)
	}
	value, ok := fields[f.Field]
	if !ok {
		return "", nil, backendErrorf("CypherTypeField: a %s has no field %q", f.Type, f.Field)
	}
	return "Field", map[string]any{"value": value}, nil
}
