package main

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestRequestReaderReadsFramedRequests(t *testing.T) {
	in := "log line outside a frame\n" +
		"#request begin\n" +
		`{"name": "GetFeatures", "data": {}}` + "\n" +
		"#request end\n" +
		"#request begin\n" +
		`{"name": "NewSession",` + "\n" + `"data": {"driverId": "1"}}` + "\n" +
		"#request end\n"
	rr := newRequestReader(strings.NewReader(in))
	first, err := rr.next()
	if err != nil || first.Name != "GetFeatures" || string(first.Data) != "{}" {
		t.Fatalf("first = %+v, %v", first, err)
	}
	second, err := rr.next()
	if err != nil || second.Name != "NewSession" || !strings.Contains(string(second.Data), `"driverId": "1"`) {
		t.Fatalf("second = %+v, %v", second, err)
	}
	if _, err := rr.next(); !errors.Is(err, io.EOF) {
		t.Fatalf("after the last request: %v, want io.EOF", err)
	}
}

func TestRequestReaderAcceptsMissingAndNullData(t *testing.T) {
	for _, body := range []string{`{"name": "FakeTimeInstall"}`, `{"name": "FakeTimeInstall", "data": null}`} {
		rr := newRequestReader(strings.NewReader("#request begin\n" + body + "\n#request end\n"))
		req, err := rr.next()
		if err != nil || string(req.Data) != "{}" {
			t.Errorf("%s: %+v, %v", body, req, err)
		}
	}
}

func TestRequestReaderRejectsBrokenFrames(t *testing.T) {
	cases := map[string]string{
		"end outside a frame":  "#request end\n",
		"nested begin":         "#request begin\n#request begin\n",
		"stream ends in frame": "#request begin\n{\"name\": \"X\"}\n",
		"not JSON":             "#request begin\nnot json\n#request end\n",
		"no name":              "#request begin\n{\"data\": {}}\n#request end\n",
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := newRequestReader(strings.NewReader(in)).next()
			if !errors.Is(err, errFraming) {
				t.Fatalf("err = %v, want errFraming", err)
			}
		})
	}
}

func TestRequestReaderHandlesLongLines(t *testing.T) {
	long := strings.Repeat("x", 200_000)
	in := "#request begin\n{\"name\": \"SessionRun\", \"data\": {\"cypher\": \"" + long + "\"}}\n#request end\n"
	req, err := newRequestReader(strings.NewReader(in)).next()
	if err != nil || !strings.Contains(string(req.Data), long) {
		t.Fatalf("long request: %v (data %d bytes)", err, len(req.Data))
	}
}

func TestResponseWriterFramesOneLineOfJSON(t *testing.T) {
	var buf bytes.Buffer
	w := newResponseWriter(&buf)
	if err := w.write("Driver", map[string]any{"id": "1"}); err != nil {
		t.Fatal(err)
	}
	if err := w.write("NullRecord", nil); err != nil {
		t.Fatal(err)
	}
	want := "#response begin\n{\"name\":\"Driver\",\"data\":{\"id\":\"1\"}}\n#response end\n" +
		"#response begin\n{\"name\":\"NullRecord\",\"data\":{}}\n#response end\n"
	if buf.String() != want {
		t.Fatalf("wrote\n%s\nwant\n%s", buf.String(), want)
	}
}

type failingWriter struct{ calls int }

func (f *failingWriter) Write([]byte) (int, error) {
	f.calls++
	return 0, errors.New("broken pipe")
}

func TestResponseWriterKeepsTheFirstError(t *testing.T) {
	fw := &failingWriter{}
	w := newResponseWriter(fw)
	if err := w.write("A", nil); err == nil {
		t.Fatal("no error from a failing writer")
	}
	if err := w.write("B", nil); err == nil || fw.calls != 1 {
		t.Fatalf("second write: %v after %d writes, want the first error without writing", err, fw.calls)
	}
}

func TestResponseWriterWritesNothingForUnencodableData(t *testing.T) {
	var buf bytes.Buffer
	w := newResponseWriter(&buf)
	if err := w.write("C", map[string]any{"f": func() {}}); err == nil || buf.Len() != 0 {
		t.Fatalf("err = %v, wrote %q", err, buf.String())
	}
}
