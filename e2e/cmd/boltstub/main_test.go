package main

import (
	"bufio"
	"context"
	"encoding/binary"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/boltrx/boltrx/bolt"
	"github.com/boltrx/boltrx/packstream"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// command runs the command in the background; its address comes from the
// first line it prints.
type command struct {
	code   chan int
	addr   string
	mu     sync.Mutex
	stdout strings.Builder
	stderr strings.Builder
}

func (c *command) output() (string, string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stdout.String(), c.stderr.String()
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func start(t *testing.T, ctx context.Context, script string, flags ...string) *command {
	t.Helper()
	path := filepath.Join(t.TempDir(), "test.script")
	if err := os.WriteFile(path, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	c := &command{code: make(chan int, 1)}
	pr, pw := io.Pipe()
	out := io.MultiWriter(pw, lockedWriter{&c.mu, &c.stdout})
	args := append(append([]string{"-listen", "127.0.0.1:0"}, flags...), path)
	go func() {
		c.code <- run(ctx, args, out, lockedWriter{&c.mu, &c.stderr})
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	go io.Copy(io.Discard, pr)
	if err != nil {
		t.Fatalf("no address printed: %v (%s)", err, line)
	}
	c.addr = strings.TrimSpace(line[strings.LastIndex(line, " on ")+4:])
	return c
}

func (c *command) wait(t *testing.T) int {
	t.Helper()
	select {
	case code := <-c.code:
		return code
	case <-time.After(10 * time.Second):
		t.Fatal("the command did not stop")
		return -1
	}
}

// talk connects with Bolt 5.4 and sends one message with the given tag.
func talk(t *testing.T, addr string, tag byte, fields ...any) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	conn.Write([]byte{0x60, 0x60, 0xB0, 0x17, 0, 0, 4, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	var answer [4]byte
	if _, err := io.ReadFull(conn, answer[:]); err != nil || binary.BigEndian.Uint32(answer[:]) != 0x0405 {
		t.Fatalf("handshake answer % x, %v", answer, err)
	}
	enc := packstream.Encoder{Dialect: packstream.Dialect{UTCDateTime: true, ElementIDs: true}}
	enc.WriteStructHeader(tag, len(fields))
	for _, f := range fields {
		enc.WriteValue(f)
	}
	cw := bolt.NewChunkWriter(conn)
	cw.WriteMessage(enc.Buffer())
	if err := cw.Flush(); err != nil {
		t.Fatal(err)
	}
	return conn
}

const script = "bolt 5.4\nC: RESET\nS: SUCCESS {}\n"

func TestCompletedScriptExitsZero(t *testing.T) {
	c := start(t, context.Background(), script, "-linger", "10s")
	conn := talk(t, c.addr, bolt.TagReset)
	if _, err := bolt.NewChunkReader(conn, 0).ReadMessage(); err != nil {
		t.Fatal(err)
	}
	conn.Close() // the command lingers until the client closes
	if code := c.wait(t); code != 0 {
		_, stderr := c.output()
		t.Fatalf("exit %d, want 0: %s", code, stderr)
	}
	if stdout, _ := c.output(); !strings.Contains(stdout, "script completed") {
		t.Errorf("stdout %q", stdout)
	}
}

func TestDeviationExitsOne(t *testing.T) {
	c := start(t, context.Background(), script)
	conn := talk(t, c.addr, bolt.TagCommit)
	defer conn.Close()
	if code := c.wait(t); code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	_, stderr := c.output()
	for _, want := range []string{"script line 2", "expected: line 2: C: RESET", "received: C: COMMIT"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr does not report %q:\n%s", want, stderr)
		}
	}
}

func TestInterruptedScriptExitsOne(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	c := start(t, ctx, script)
	cancel()
	if code := c.wait(t); code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	if _, stderr := c.output(); !strings.Contains(stderr, "never opened connection 1") {
		t.Errorf("stderr %q", stderr)
	}
}

func TestTimeout(t *testing.T) {
	c := start(t, context.Background(), script, "-timeout", "1ms")
	if code := c.wait(t); code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	if _, stderr := c.output(); !strings.Contains(stderr, "timeout") {
		t.Errorf("stderr %q", stderr)
	}
}

func TestScriptAndUsageErrors(t *testing.T) {
	var stdout, stderr strings.Builder
	if code := run(context.Background(), nil, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), "usage") {
		t.Errorf("no arguments: exit %d, %q", code, stderr.String())
	}
	stderr.Reset()
	if code := run(context.Background(), []string{"-nope", "x"}, &stdout, &stderr); code != 2 {
		t.Errorf("unknown flag: exit %d", code)
	}
	path := filepath.Join(t.TempDir(), "bad.script")
	os.WriteFile(path, []byte("bolt 5.4\n\nC: RESET {\n"), 0o644)
	stderr.Reset()
	if code := run(context.Background(), []string{path}, &stdout, &stderr); code != 1 || !strings.Contains(stderr.String(), "line 3") {
		t.Errorf("bad script: exit %d, %q", code, stderr.String())
	}
	stderr.Reset()
	if code := run(context.Background(), []string{filepath.Join(t.TempDir(), "missing.script")}, &stdout, &stderr); code != 1 {
		t.Errorf("missing file: exit %d, %q", code, stderr.String())
	}
}

func TestScriptWithoutRequiredConnectionsServesUntilStopped(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	c := start(t, ctx, "bolt 5.4\nconnections 1+\n C: RESET\n S: SUCCESS {}\n")
	for i := 0; i < 2; i++ {
		conn := talk(t, c.addr, bolt.TagReset)
		if _, err := bolt.NewChunkReader(conn, 0).ReadMessage(); err != nil {
			t.Fatalf("connection %d: %v", i+1, err)
		}
		conn.Close()
	}
	cancel()
	if code := c.wait(t); code != 0 {
		_, stderr := c.output()
		t.Fatalf("exit %d, want 0: %s", code, stderr)
	}
}
