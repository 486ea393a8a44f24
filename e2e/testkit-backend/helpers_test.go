package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// testTimeout only keeps a broken test from hanging; no test asserts on
// time.
const testTimeout = 20 * time.Second

// frontend plays testkit's part on one backend connection.
type frontend struct {
	t    *testing.T
	conn net.Conn
	r    *bufio.Reader
}

// startBackend serves one connection on an in-memory pipe and returns
// the frontend's end. The backend has finished when the test ends.
func startBackend(t *testing.T) *frontend {
	t.Helper()
	client, server := net.Pipe()
	done := make(chan struct{})
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	go func() {
		defer close(done)
		serveConn(context.Background(), server, log, options{caDir: "."})
	}()
	t.Cleanup(func() {
		_ = client.Close()
		select {
		case <-done:
		case <-time.After(testTimeout):
			t.Error("the backend did not finish after its connection closed")
		}
	})
	return &frontend{t: t, conn: client, r: bufio.NewReader(client)}
}

// send writes one request.
func (f *frontend) send(name string, data any) {
	f.t.Helper()
	body, err := json.Marshal(map[string]any{"name": name, "data": data})
	if err != nil {
		f.t.Fatal(err)
	}
	_ = f.conn.SetWriteDeadline(time.Now().Add(testTimeout))
	if _, err := f.conn.Write([]byte("#request begin\n" + string(body) + "\n#request end\n")); err != nil {
		f.t.Fatalf("sending %s: %v", name, err)
	}
}

// reply is a response as the frontend sees it.
type reply struct {
	Name string          `json:"name"`
	Data json.RawMessage `json:"data"`
}

// field decodes one field of the response's data.
func (r reply) field(t *testing.T, key string, v any) {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(r.Data, &m); err != nil {
		t.Fatalf("%s data: %v", r.Name, err)
	}
	if err := json.Unmarshal(m[key], v); err != nil {
		t.Fatalf("%s.%s = %s: %v", r.Name, key, m[key], err)
	}
}

// receive reads one response.
func (f *frontend) receive() reply {
	f.t.Helper()
	_ = f.conn.SetReadDeadline(time.Now().Add(testTimeout))
	var body strings.Builder
	in := false
	for {
		line, err := f.r.ReadString('\n')
		if err != nil {
			f.t.Fatalf("reading a response: %v", err)
		}
		switch strings.TrimSpace(line) {
		case "#response begin":
			in = true
			continue
		case "#response end":
			var r reply
			if err := json.Unmarshal([]byte(body.String()), &r); err != nil {
				f.t.Fatalf("response %q: %v", body.String(), err)
			}
			return r
		}
		if in {
			body.WriteString(line)
		}
	}
}

// call sends a request and returns the response, answering callbacks
// with answer on the way (as nutkit's Driver.receive does). A nil answer
// fails on any callback.
func (f *frontend) call(name string, data any, answer func(reply) (string, any)) reply {
	f.t.Helper()
	f.send(name, data)
	for {
		r := f.receive()
		if !strings.HasSuffix(r.Name, "Request") && r.Name != "ResolverResolutionRequired" {
			return r
		}
		if answer == nil {
			f.t.Fatalf("unexpected callback %s %s", r.Name, r.Data)
		}
		f.send(answer(r))
	}
}

// expect calls and checks the response's name.
func (f *frontend) expect(want, name string, data any) reply {
	f.t.Helper()
	r := f.call(name, data, nil)
	if r.Name != want {
		f.t.Fatalf("%s answered %s %s, want %s", name, r.Name, r.Data, want)
	}
	return r
}

// id returns the "id" of a response.
func (f *frontend) id(r reply) string {
	f.t.Helper()
	var id string
	r.field(f.t, "id", &id)
	return id
}

// cypherInt is testkit's CypherInt.
func cypherInt(v int64) map[string]any {
	return map[string]any{"name": "CypherInt", "data": map[string]any{"value": v}}
}

// basicAuth is testkit's AuthorizationToken for user name and password.
func basicAuth(user, password string) map[string]any {
	return map[string]any{"name": "AuthorizationToken", "data": map[string]any{"scheme": "basic", "principal": user, "credentials": password}}
}
