// Command testkit-backend lets testkit, the Neo4j drivers' conformance
// suite (github.com/neo4j-drivers/testkit), run its tests against boltrx.
//
// testkit connects to the backend, sends JSON requests framed by
// "#request begin" / "#request end" lines (NewDriver, SessionRun,
// ResultNext, ...) and expects one framed response each. The backend
// carries every request out with boltrx's public API and describes the
// outcome: records and summaries as testkit's Cypher values, failures as
// DriverError with the error's type, code and GQL fields.
//
//	testkit-backend -addr 127.0.0.1:9876
//
// then, in a testkit checkout:
//
//	TEST_DRIVER_NAME=go TEST_BACKEND_HOST=127.0.0.1 TEST_STUB_HOST=127.0.0.1 \
//	    python3 -m unittest -v tests.stub.session_run.test_session_run
//
// `make testkit TESTKIT_DIR=...` does both. features.go lists what the
// backend declares and skips.go the tests it skips, with reasons.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"sync"
	"syscall"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "testkit-backend:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("testkit-backend", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:9876", "address to listen on for testkit")
	caDir := fs.String("ca-dir", ".", "directory of the CA files NewDriver's trustedCertificates names")
	verbose := fs.Bool("v", false, "log every request and response")
	driverLogs := fs.Bool("driver-log", false, "log the drivers' own records")
	boltLogs := fs.Bool("bolt-log", false, "log every Bolt message the drivers send and receive (implies -driver-log)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	opts := options{caDir: *caDir, logBolt: *boltLogs}
	if *driverLogs || *boltLogs {
		opts.driverLog = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug})).With("from", "driver")
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	log.Info("listening for testkit", "addr", ln.Addr().String())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return serve(ctx, ln, log, opts)
}

// serve accepts testkit connections until ctx ends, serving each on its
// own goroutine, and waits for them to finish.
func serve(ctx context.Context, ln net.Listener, log *slog.Logger, opts options) error {
	go func() {
		<-ctx.Done()
		_ = ln.Close()
	}()
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		conn, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return nil
			}
			return err
		}
		log.Debug("testkit connected", "remote", conn.RemoteAddr().String())
		wg.Add(1)
		go func() {
			defer wg.Done()
			serveConn(ctx, conn, log, opts)
			log.Debug("testkit disconnected", "remote", conn.RemoteAddr().String())
		}()
	}
}
