package packstream

import "testing"

func benchmarkDecodeList(b *testing.B, dialect Dialect, v []any) {
	e := Encoder{Dialect: dialect}
	if err := e.WriteValue(v); err != nil {
		b.Fatal(err)
	}
	data := e.Buffer()
	d := Decoder{Dialect: dialect}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		d.Reset(data)
		if _, err := d.ReadList(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeRecordRow decodes the fields of a RECORD with an integer,
// a string, a float and a boolean.
func BenchmarkDecodeRecordRow(b *testing.B) {
	benchmarkDecodeList(b, LatestDialect, []any{int64(123456), "a string value", 3.14, true})
}

// BenchmarkDecodeRecordNode decodes the fields of a RECORD holding one
// Node with a label and two properties.
func BenchmarkDecodeRecordNode(b *testing.B) {
	benchmarkDecodeList(b, LatestDialect, []any{Node{
		Id: 1234, ElementId: "4:0b0a7e9c-5d2f-4b3e-9a1e-3c2b1a0f9e8d:1234",
		Labels: []string{"Person"},
		Props:  map[string]any{"name": "Alice", "age": int64(33)},
	}})
}

// BenchmarkSkipRecordNode skips the same record without decoding it.
func BenchmarkSkipRecordNode(b *testing.B) {
	e := Encoder{Dialect: LatestDialect}
	_ = e.WriteValue([]any{Node{Id: 1234, ElementId: "4:x:1234", Labels: []string{"Person"},
		Props: map[string]any{"name": "Alice", "age": int64(33)}}})
	data := e.Buffer()
	var d Decoder
	d.Dialect = LatestDialect
	b.ReportAllocs()
	for b.Loop() {
		d.Reset(data)
		if err := d.Skip(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncodeParams encodes a typical parameter map into a reused
// buffer.
func BenchmarkEncodeParams(b *testing.B) {
	params := map[string]any{
		"name":  "Alice",
		"age":   33,
		"score": 1.5,
		"tags":  []string{"a", "b", "c"},
		"props": map[string]any{"active": true, "since": int64(2019)},
	}
	e := Encoder{Dialect: LatestDialect}
	b.ReportAllocs()
	for b.Loop() {
		e.Reset(e.Buffer())
		if err := e.WriteParams(params); err != nil {
			b.Fatal(err)
		}
	}
}

func benchmarkDecodeListSlabs(b *testing.B, v []any) {
	e := Encoder{Dialect: LatestDialect}
	if err := e.WriteValue(v); err != nil {
		b.Fatal(err)
	}
	data := e.Buffer()
	d := Decoder{Dialect: LatestDialect, Slabs: true}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		d.Reset(data)
		if _, err := d.ReadList(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeRecordRowSlabs is BenchmarkDecodeRecordRow with
// Decoder.Slabs, as a connection decodes records.
func BenchmarkDecodeRecordRowSlabs(b *testing.B) {
	benchmarkDecodeListSlabs(b, []any{int64(123456), "a string value", 3.14, true})
}

// BenchmarkDecodeRecordNodeSlabs is BenchmarkDecodeRecordNode with
// Decoder.Slabs.
func BenchmarkDecodeRecordNodeSlabs(b *testing.B) {
	benchmarkDecodeListSlabs(b, []any{Node{
		Id: 1234, ElementId: "4:0b0a7e9c-5d2f-4b3e-9a1e-3c2b1a0f9e8d:1234",
		Labels: []string{"Person"},
		Props:  map[string]any{"name": "Alice", "age": int64(33)},
	}})
}
