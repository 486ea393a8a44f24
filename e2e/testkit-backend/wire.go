package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
)

// The testkit protocol frames every message with marker lines: the
// frontend sends "#request begin", one JSON object (possibly over several
// lines), "#request end"; the backend answers the same way with
// "#response begin" and "#response end". Lines outside a frame are free
// text (testkit prints them when debugging), so the backend may log there.
const (
	requestBegin  = "#request begin"
	requestEnd    = "#request end"
	responseBegin = "#response begin"
	responseEnd   = "#response end"
)

// maxRequestBytes bounds one request, so a frontend that never sends
// "#request end" cannot make the backend grow without limit.
const maxRequestBytes = 64 << 20

// errFraming reports a request stream that breaks the framing rules.
var errFraming = errors.New("testkit framing error")

// request is one message of the frontend: its name (the class name in
// testkit's nutkit/protocol/requests.py) and its fields, still encoded.
type request struct {
	Name string          `json:"name"`
	Data json.RawMessage `json:"data"`
}

// requestReader reads framed requests.
type requestReader struct {
	r *bufio.Reader
}

func newRequestReader(r io.Reader) *requestReader {
	return &requestReader{r: bufio.NewReaderSize(r, 64<<10)}
}

// next returns the next request. Lines between frames are skipped. It
// returns io.EOF when the stream ends between frames and an error
// wrapping errFraming when a frame is malformed.
func (rr *requestReader) next() (request, error) {
	var body bytes.Buffer
	inFrame := false
	for {
		line, err := rr.readLine()
		if err != nil {
			if errors.Is(err, io.EOF) && !inFrame {
				return request{}, io.EOF
			}
			if errors.Is(err, io.EOF) {
				return request{}, fmt.Errorf("%w: stream ended inside a request", errFraming)
			}
			return request{}, err
		}
		switch string(bytes.TrimSpace(line)) {
		case requestBegin:
			if inFrame {
				return request{}, fmt.Errorf("%w: %q inside a request", errFraming, requestBegin)
			}
			inFrame = true
			continue
		case requestEnd:
			if !inFrame {
				return request{}, fmt.Errorf("%w: %q outside a request", errFraming, requestEnd)
			}
			return decodeRequest(body.Bytes())
		}
		if !inFrame {
			continue
		}
		if body.Len()+len(line) > maxRequestBytes {
			return request{}, fmt.Errorf("%w: request longer than %d bytes", errFraming, maxRequestBytes)
		}
		body.Write(line)
	}
}

// readLine returns one line without its end, however long it is (up to
// maxRequestBytes).
func (rr *requestReader) readLine() ([]byte, error) {
	var line []byte
	for {
		chunk, isPrefix, err := rr.r.ReadLine()
		if err != nil {
			if len(line) > 0 && errors.Is(err, io.EOF) {
				return line, nil
			}
			return nil, err
		}
		line = append(line, chunk...)
		if len(line) > maxRequestBytes {
			return nil, fmt.Errorf("%w: line longer than %d bytes", errFraming, maxRequestBytes)
		}
		if !isPrefix {
			return line, nil
		}
	}
}

// decodeRequest parses a request's JSON body.
func decodeRequest(body []byte) (request, error) {
	var req request
	if err := json.Unmarshal(body, &req); err != nil {
		return request{}, fmt.Errorf("%w: request is not a JSON object with name and data: %w", errFraming, err)
	}
	if req.Name == "" {
		return request{}, fmt.Errorf("%w: request has no name", errFraming)
	}
	if len(req.Data) == 0 || string(req.Data) == "null" {
		req.Data = json.RawMessage("{}")
	}
	return req, nil
}

// responseWriter writes framed responses. Callbacks of the driver may
// write from other goroutines than the request handler, so writes are
// serialized.
type responseWriter struct {
	mu  sync.Mutex
	w   io.Writer
	err error // the first write error; later writes fail with it
}

func newResponseWriter(w io.Writer) *responseWriter { return &responseWriter{w: w} }

// response is the JSON shape of every answer.
type response struct {
	Name string `json:"name"`
	Data any    `json:"data"`
}

// write sends one response. data is marshalled as the response's data
// object; nil becomes {}.
func (rw *responseWriter) write(name string, data any) error {
	if data == nil {
		data = struct{}{}
	}
	body, err := json.Marshal(response{Name: name, Data: data})
	if err != nil {
		return fmt.Errorf("encoding response %s: %w", name, err)
	}
	var frame bytes.Buffer
	frame.Grow(len(body) + len(responseBegin) + len(responseEnd) + 3)
	frame.WriteString(responseBegin + "\n")
	frame.Write(body)
	frame.WriteString("\n" + responseEnd + "\n")
	rw.mu.Lock()
	defer rw.mu.Unlock()
	if rw.err != nil {
		return rw.err
	}
	if _, err := rw.w.Write(frame.Bytes()); err != nil {
		rw.err = err
		return err
	}
	return nil
}
