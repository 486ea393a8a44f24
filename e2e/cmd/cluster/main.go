// Command cluster (run from the e2e folder) runs boltrx's simulated Neo4j cluster on the loopback
// interface until interrupted (SIGINT or SIGTERM):
//
//	go run ./cmd/cluster -members 3 -base-port 7687
//	go run ./cmd/cluster -ports 7687,7688,7689 -versions 4.4-5.8 -lag 200ms
//
// It prints one line per member with its address and its role for each
// database, then serves until stopped.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/boltrx/boltrx/e2e/cluster"
	"github.com/boltrx/boltrx/e2e/server"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, nil); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "cluster:", err)
		}
		stop()
		os.Exit(2)
	}
}

// run parses args, starts the cluster, prints its members and serves
// until ctx ends. started, when set, receives the cluster once it runs.
func run(ctx context.Context, args []string, out io.Writer, started func(*cluster.Cluster)) error {
	fs := flag.NewFlagSet("cluster", flag.ContinueOnError)
	fs.SetOutput(out)
	members := fs.Int("members", cluster.DefaultMembers, "number of members")
	basePort := fs.Int("base-port", 0, "port of member 0; member i listens on base-port+i (0 = free ports)")
	ports := fs.String("ports", "", "comma-separated ports, one per member (overrides -members and -base-port)")
	versions := fs.String("versions", "all", `protocol versions: "all", "4.4" or a range "4.0-5.8"`)
	ttl := fs.Duration("ttl", cluster.DefaultTTL, "routing table TTL")
	lag := fs.Duration("lag", 0, "replication lag of the followers")
	bookmarkTimeout := fs.Duration("bookmark-timeout", cluster.DefaultBookmarkTimeout, "how long a member waits for a bookmark")
	user := fs.String("user", "", "require this user (with -password); empty accepts any credentials")
	password := fs.String("password", "", "password of -user")
	databases := fs.String("databases", "", "comma-separated databases to create besides neo4j and system")
	noSSR := fs.Bool("no-ssr", false, "disable server-side routing")
	manualFailover := fs.Bool("manual-failover", false, "keep the leadership on a killed member")
	verbose := fs.Bool("v", false, "log connection problems")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %v", fs.Args())
	}

	cfg := cluster.Config{
		Members:                  *members,
		TTL:                      *ttl,
		Lag:                      *lag,
		BookmarkTimeout:          *bookmarkTimeout,
		DisableServerSideRouting: *noSSR,
		ManualFailover:           *manualFailover,
	}
	var err error
	if cfg.Versions, err = server.ParseVersions(*versions); err != nil {
		return err
	}
	switch {
	case *ports != "":
		if cfg.Ports, err = parsePorts(*ports); err != nil {
			return err
		}
		cfg.Members = len(cfg.Ports)
	case *basePort != 0:
		for i := range *members {
			cfg.Ports = append(cfg.Ports, *basePort+i)
		}
	}
	if *user != "" {
		cfg.Users = map[string]cluster.User{*user: {Password: *password}}
	}
	if *databases != "" {
		cfg.Databases = strings.Split(*databases, ",")
	}
	if *verbose {
		cfg.Logf = func(format string, args ...any) { fmt.Fprintf(out, format+"\n", args...) }
	}

	c, err := cluster.Start(ctx, cfg)
	if err != nil {
		return err
	}
	defer c.Close()
	printMembers(out, c)
	fmt.Fprintln(out, "cluster ready; interrupt to stop")
	if started != nil {
		started(c)
	}
	<-ctx.Done()
	return c.Close()
}

// printMembers writes one line per member: its index, address and roles.
func printMembers(out io.Writer, c *cluster.Cluster) {
	for _, m := range c.Members() {
		dbs := make([]string, 0, len(m.Roles))
		for db := range m.Roles {
			dbs = append(dbs, db)
		}
		slices.Sort(dbs)
		roles := make([]string, len(dbs))
		for i, db := range dbs {
			roles[i] = db + "=" + m.Roles[db]
		}
		fmt.Fprintf(out, "member %d  %s  %s\n", m.Index, m.Address, strings.Join(roles, " "))
	}
}

func parsePorts(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		p, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || p <= 0 || p > 65535 {
			return nil, fmt.Errorf("invalid port %q", f)
		}
		out = append(out, p)
	}
	return out, nil
}
