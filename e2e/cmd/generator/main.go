// Command generator runs boltrx's benchmark server on the loopback
// interface until interrupted (SIGINT or SIGTERM): every query is answered
// with synthetic records.
//
//	go run ./cmd/generator -listen 127.0.0.1:7687 -shape rows -rows 1000000 -flush-delay 2ms
//
// A query's $rows and $shape parameters override -rows and -shape.
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

	"github.com/boltrx/boltrx/e2e/generator"
	"github.com/boltrx/boltrx/e2e/server"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, nil); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "generator:", err)
		}
		stop()
		os.Exit(2)
	}
}

// run parses args, starts the generator and serves until ctx ends.
// started, when set, receives the server once it runs.
func run(ctx context.Context, args []string, out io.Writer, started func(*generator.Server)) error {
	fs := flag.NewFlagSet("generator", flag.ContinueOnError)
	fs.SetOutput(out)
	listen := fs.String("listen", "127.0.0.1:7687", "listen address (127.0.0.1 only; port 0 = a free port)")
	shape := fs.String("shape", string(generator.DefaultShape), "record shape: ints, rows, nodes or paths")
	rows := fs.Int64("rows", generator.DefaultRows, "records per query")
	flushDelay := fs.Duration("flush-delay", 0, "delay before each write that ends a response batch")
	versions := fs.String("versions", "all", `protocol versions: "all", "5.8" or a range "4.4-5.8"`)
	user := fs.String("user", "", "require this user (with -password); empty accepts any credentials")
	password := fs.String("password", "", "password of -user")
	verbose := fs.Bool("v", false, "log connection problems")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %v", fs.Args())
	}
	sh, err := generator.ParseShape(*shape)
	if err != nil {
		return err
	}
	cfg := generator.Config{Addr: *listen, Shape: sh, Rows: *rows, NoRows: *rows == 0, FlushDelay: *flushDelay}
	if cfg.Versions, err = server.ParseVersions(*versions); err != nil {
		return err
	}
	if *user != "" {
		cfg.Users = map[string]string{*user: *password}
	}
	if *verbose {
		cfg.Logf = func(format string, args ...any) { fmt.Fprintf(out, format+"\n", args...) }
	}
	s, err := generator.Start(ctx, cfg)
	if err != nil {
		return err
	}
	defer s.Close()
	fmt.Fprintf(out, "generator listening on %s: %d records of shape %s per query, flush delay %v; interrupt to stop\n",
		s.Addr(), cfg.Rows, sh, cfg.FlushDelay)
	if started != nil {
		started(s)
	}
	<-ctx.Done()
	st := s.Stats()
	fmt.Fprintf(out, "served %d connections, %d requests, %d records\n", st.Accepted, st.Requests, st.Records)
	return s.Close()
}
