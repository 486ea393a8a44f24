// Command boltstub serves a boltstub script (see e2e/boltstub/README.md) on
// a TCP address, for trying a driver against a scripted Bolt server by hand
// or from another language's test suite.
//
//	go run ./cmd/boltstub -listen 127.0.0.1:7687 script.file
//
// It prints the failures (deviations from the script, an unfinished
// script) and exits with status 0 when the script ran to its end, 1 when
// it did not, and 2 on a usage error. It stops when the script has ended
// on every connection it needs (after giving the clients -linger to close
// their connections), on the first failure, after -timeout, or on SIGINT
// or SIGTERM. A script that needs no connection at all (only
// "connections 1+") is served until -timeout or a signal.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/boltrx/boltrx/e2e/boltstub"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is the command without the process around it: it returns the exit
// status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("boltstub", flag.ContinueOnError)
	flags.SetOutput(stderr)
	listen := flags.String("listen", "127.0.0.1:7687", "the address to listen on")
	timeout := flags.Duration("timeout", 0, "stop after this long (0: no limit)")
	linger := flags.Duration("linger", 5*time.Second,
		"after the script ended, how long to wait for the clients to close their connections")
	flags.Usage = func() {
		fmt.Fprintln(stderr, "usage: boltstub [-listen host:port] [-timeout d] [-linger d] script.file")
		flags.PrintDefaults()
	}
	if err := flags.Parse(args); err != nil {
		return 2
	}
	if flags.NArg() != 1 {
		flags.Usage()
		return 2
	}
	path := flags.Arg(0)
	script, err := boltstub.ParseFile(path)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	srv, err := boltstub.Listen(*listen, script)
	if err != nil {
		fmt.Fprintln(stderr, "boltstub:", err)
		return 1
	}
	fmt.Fprintf(stdout, "boltstub: serving %s on %s\n", path, srv.Addr())

	if *timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *timeout)
		defer cancel()
	}
	done := srv.Done()
	if script.RequiredConnections() == 0 {
		// The script is complete from the start: serve until stopped.
		fmt.Fprintln(stdout, "boltstub: the script needs no connection; serving until interrupted")
		done = nil
	}
	select {
	case <-done:
		if srv.Err() == nil {
			lingerCtx, cancel := context.WithTimeout(ctx, *linger)
			_ = srv.WaitIdle(lingerCtx) // clients that keep their connections open are closed below
			cancel()
		}
	case <-ctx.Done():
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			fmt.Fprintf(stderr, "boltstub: timeout after %v\n", *timeout)
		}
	}
	if err := srv.Close(); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	fmt.Fprintln(stdout, "boltstub: script completed")
	return 0
}
