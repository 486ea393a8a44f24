// Command chaos runs boltrx's chaos test (package chaos) and prints its
// summary, one line of key=value pairs, last:
//
//	go run ./e2e/cmd/chaos -duration 10m -seed 7
//	NEO4J_URI=neo4j://db:7687 NEO4J_USER=neo4j NEO4J_PASSWORD=secret go run ./e2e/cmd/chaos
//
//	go run ./e2e/cmd/chaos -pool -duration 1m
//
// Without NEO4J_URI (or -uri) it starts the simulated 3-member cluster in
// the process and injects faults drawn from the seed; with it, it runs
// the load against that cluster without a fault loop. The exit status is
// 1 when an invariant broke (lost, duplicated or phantom writes, stale
// reads, corrupt streams, undocumented errors, leaked goroutines, a heap
// that did not come back), 2 when the run could not take place. -pool
// runs the pool pressure instead (see chaos.RunPool): 1,000 goroutines
// sharing a pool of 50, with random deadlines and cancellations.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/boltrx/boltrx/e2e/chaos"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run parses args, runs the chaos test and returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("chaos", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg chaos.Config
	fs.DurationVar(&cfg.Duration, "duration", chaos.DefaultDuration, "how long the load runs")
	fs.Uint64Var(&cfg.Seed, "seed", 1, "seed of the fault schedule and the workers' choices")
	fs.StringVar(&cfg.URI, "uri", os.Getenv("NEO4J_URI"), "a real cluster (default $NEO4J_URI); empty runs the simulated cluster with faults")
	fs.StringVar(&cfg.User, "user", envOr("NEO4J_USER", "neo4j"), "user name (default $NEO4J_USER or neo4j)")
	fs.StringVar(&cfg.Password, "password", os.Getenv("NEO4J_PASSWORD"), "password (default $NEO4J_PASSWORD)")
	fs.StringVar(&cfg.Database, "database", "", "database (default: the home database)")
	fs.IntVar(&cfg.Writers, "writers", 32, "writers (-1: none)")
	fs.IntVar(&cfg.Readers, "readers", 16, "readers (-1: none)")
	fs.IntVar(&cfg.Consumers, "consumers", 4, "reactive consumers (-1: none)")
	fs.IntVar(&cfg.LoadItems, "load", 100_000, "items the WriteBatchesRx loader writes (negative: no loader)")
	fs.BoolVar(&cfg.NoFaults, "no-faults", false, "no fault loop against the simulated cluster")
	pool := fs.Bool("pool", false, "run the pool pressure instead: 1,000 goroutines on a pool of 50 with random deadlines and cancellations, for -duration")
	var poolCfg chaos.PoolConfig
	fs.IntVar(&poolCfg.Goroutines, "goroutines", 1000, "with -pool: goroutines sharing the pool")
	fs.IntVar(&poolCfg.PoolSize, "pool-size", 50, "with -pool: the pool's size")
	fs.DurationVar(&poolCfg.AcquisitionTimeout, "acquisition-timeout", 250*time.Millisecond, "with -pool: the acquisition timeout")
	quiet := fs.Bool("q", false, "print only the summary line")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if !*quiet {
		logger := log.New(stderr, "chaos: ", log.Ltime|log.Lmicroseconds)
		cfg.Logf = logger.Printf
	}
	if *pool {
		poolCfg.Seed, poolCfg.Duration, poolCfg.Logf = cfg.Seed, cfg.Duration, cfg.Logf
		return runPool(ctx, poolCfg, stdout, stderr)
	}
	start := time.Now()
	rep, err := chaos.Run(ctx, cfg)
	if err != nil {
		fmt.Fprintln(stderr, "chaos:", err)
		return 2
	}
	if cfg.Logf != nil {
		cfg.Logf("finished in %v", time.Since(start).Round(time.Second))
	}
	fmt.Fprintln(stdout, rep.Line())
	if rep.Failed() {
		return 1
	}
	return 0
}

// runPool runs the pool pressure and prints its summary line.
func runPool(ctx context.Context, cfg chaos.PoolConfig, stdout, stderr io.Writer) int {
	rep, err := chaos.RunPool(ctx, cfg)
	if err != nil {
		fmt.Fprintln(stderr, "chaos:", err)
		return 2
	}
	fmt.Fprintln(stdout, rep.Line())
	if rep.Failed() {
		return 1
	}
	return 0
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
