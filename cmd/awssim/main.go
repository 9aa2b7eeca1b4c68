// Command awssim serves the simulated AWS APIs orgnotify calls on one local
// port, for tests and for trying orgnotify without an AWS account.
//
//	awssim -addr 127.0.0.1:4566 [-seed seed.yaml] [-faults faults.json] [-iam-propagation 5s]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/orgnotify/orgnotify/internal/awssim"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	switch {
	case errors.Is(err, flag.ErrHelp):
		// -h printed the usage; asking for help is not a failure.
	case err != nil:
		fmt.Fprintln(os.Stderr, "awssim:", err)
		os.Exit(1)
	}
}

// run serves until ctx ends. The ready line on stdout carries the real
// address, so "-addr 127.0.0.1:0" works for tests and parallel CI jobs.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("awssim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:4566", "listen address (loopback only is sensible)")
	seedPath := fs.String("seed", "", "seed file (YAML or JSON): organization, costs, events")
	faultsPath := fs.String("faults", "", "fault configuration (JSON) applied at start")
	verbose := fs.Bool("v", false, "log every call")
	propagation := fs.Duration("iam-propagation", 0, "how long a new IAM role stays invisible to GetRole and unusable by EventBridge (IAM eventual consistency)")
	if err := fs.Parse(args); err != nil {
		return err
	}

	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	var seed awssim.Seed
	if *seedPath != "" {
		s, err := awssim.LoadSeed(*seedPath)
		if err != nil {
			return err
		}
		seed = s
	}
	sim, err := awssim.New(seed, log)
	if err != nil {
		return err
	}
	if *propagation < 0 {
		return fmt.Errorf("-iam-propagation: %s is negative", *propagation)
	}
	sim.IAM.SetPropagationDelay(*propagation)
	if *faultsPath != "" {
		b, err := os.ReadFile(*faultsPath)
		if err != nil {
			return fmt.Errorf("read faults: %w", err)
		}
		// The same check as POST /_awssim/faults: a typo is an error.
		cfg, err := sim.ParseFaults(b)
		if err != nil {
			return fmt.Errorf("parse faults %s: %w", *faultsPath, err)
		}
		sim.Faults().Set(cfg)
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{Handler: sim, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	// One line on stdout when ready: scripts wait for it.
	fmt.Fprintf(stdout, "awssim ready on http://%s\n", ln.Addr())

	select {
	case err := <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return err
	case <-ctx.Done():
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return srv.Shutdown(shut)
	}
}
