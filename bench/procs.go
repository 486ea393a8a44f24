package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// findRepo returns the root of the boltrx repository: the nearest folder
// upwards from dir that holds e2e/cmd/generator.
func findRepo(dir string) (string, error) {
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "e2e", "cmd", "generator")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no e2e/cmd/generator above %s: run from the boltrx repository or pass -generator", dir)
		}
	}
}

// buildGenerator builds the generator command into dir and returns the
// binary's path. It builds from the e2e folder, so that it works whether
// e2e is a folder of the root module or a module of its own.
func buildGenerator(ctx context.Context, repo, dir string) (string, error) {
	out := filepath.Join(dir, "generator")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, "./cmd/generator")
	cmd.Dir = filepath.Join(repo, "e2e")
	if msg, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./e2e/cmd/generator: %v\n%s", err, msg)
	}
	return out, nil
}

// generatorProc is a generator command running in its own process.
type generatorProc struct {
	cmd  *exec.Cmd
	addr string
	done chan error
}

// startGenerator starts the generator binary (inside ns when ns is not
// nil) on a free loopback port with flushDelay per response batch, and
// waits until it listens.
func startGenerator(ctx context.Context, bin string, ns *netns, flushDelay time.Duration) (*generatorProc, error) {
	args := ns.wrap([]string{bin, "-listen", "127.0.0.1:0", "-shape", shapeRows, "-rows", "1",
		"-flush-delay", flushDelay.String()})
	cmd := exec.Command(args[0], args[1:]...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	g := &generatorProc{cmd: cmd, done: make(chan error, 1)}
	first := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		if sc.Scan() {
			first <- sc.Text()
		}
		close(first)
		_, _ = io.Copy(io.Discard, stdout)
		g.done <- cmd.Wait()
	}()
	timeout := time.NewTimer(30 * time.Second)
	defer timeout.Stop()
	select {
	case line, ok := <-first:
		const prefix = "generator listening on "
		rest, found := strings.CutPrefix(line, prefix)
		addr, _, colon := strings.Cut(rest, ": ")
		if ok && found && colon {
			g.addr = addr
			return g, nil
		}
		g.stop()
		return nil, fmt.Errorf("generator did not start: %q %s", line, stderr.String())
	case <-timeout.C:
		g.stop()
		return nil, fmt.Errorf("generator did not listen within 30 s: %s", stderr.String())
	case <-ctx.Done():
		g.stop()
		return nil, ctx.Err()
	}
}

// uri is the bolt:// URI of the generator.
func (g *generatorProc) uri() string { return "bolt://" + g.addr }

// stop interrupts the generator's process group and waits for it, killing
// it if it does not end within 5 s.
func (g *generatorProc) stop() {
	pgid := g.cmd.Process.Pid
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-g.done:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		<-g.done
	}
}

// runWorker runs `self worker ...` for spec (inside ns when not nil) and
// returns what it printed. args is the command line, for -v.
func runWorker(ctx context.Context, self string, ns *netns, spec workSpec, cpuprofile string) (workResult, []string, error) {
	args := []string{self, "worker", "-driver", spec.Driver, "-work", spec.Work, "-uri", spec.URI,
		"-rows", fmt.Sprint(spec.Rows), "-samples", fmt.Sprint(spec.Samples), "-duration", spec.Duration.String()}
	if spec.Otel != "" {
		args = append(args, "-otel", spec.Otel)
	}
	if cpuprofile != "" {
		args = append(args, "-cpuprofile", cpuprofile)
	}
	args = ns.wrap(args)
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return workResult{}, args, fmt.Errorf("%s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	var res workResult
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
		return res, args, fmt.Errorf("%s printed %q: %v", strings.Join(args, " "), stdout.String(), err)
	}
	return res, args, nil
}

// netns is a network namespace of this run whose loopback interface
// delays every packet with tc netem: the generator and the workers run in
// it, so each round trip between them crosses the delay twice. A nil
// *netns runs commands as they are.
type netns struct{ name string }

// errNoNetem reports that the machine cannot give the netem scenario its
// network namespace; the scenario is then skipped with the reason.
var errNoNetem = errors.New("no network namespace with netem")

// setupNetem creates the namespace and puts rtt/2 of netem delay on its
// loopback interface. On any failure it removes what it created and
// returns an error wrapping errNoNetem that says why.
func setupNetem(ctx context.Context, rtt time.Duration) (*netns, error) {
	for _, tool := range []string{"ip", "tc"} {
		if _, err := exec.LookPath(tool); err != nil {
			return nil, fmt.Errorf("%w: %s not found (apt-get install iproute2)", errNoNetem, tool)
		}
	}
	ns := &netns{name: fmt.Sprintf("boltrx-bench-%d", os.Getpid())}
	if err := command(ctx, "ip", "netns", "add", ns.name); err != nil {
		return nil, fmt.Errorf("%w: %v", errNoNetem, err)
	}
	delay := fmt.Sprintf("%dus", (rtt / 2).Microseconds())
	for _, args := range [][]string{
		{"ip", "-n", ns.name, "link", "set", "lo", "up"},
		{"tc", "-n", ns.name, "qdisc", "add", "dev", "lo", "root", "netem", "delay", delay},
	} {
		if err := command(ctx, args[0], args[1:]...); err != nil {
			_ = ns.teardown()
			return nil, fmt.Errorf("%w: %v", errNoNetem, err)
		}
	}
	return ns, nil
}

// wrap prefixes args with `ip netns exec` of the namespace.
func (ns *netns) wrap(args []string) []string {
	if ns == nil {
		return args
	}
	return append([]string{"ip", "netns", "exec", ns.name}, args...)
}

// teardown deletes the namespace.
func (ns *netns) teardown() error {
	if ns == nil {
		return nil
	}
	return command(context.Background(), "ip", "netns", "del", ns.name)
}

// command runs a command and returns its output in the error.
func command(ctx context.Context, name string, args ...string) error {
	out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %v: %s", name, strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}
