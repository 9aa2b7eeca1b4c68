// Command awssim serves the simulated AWS APIs orgnotify calls on one local
// port, for tests and for trying orgnotify without an AWS account.
//
//	awssim -addr 127.0.0.1:4566 [-seed seed.yaml] [-faults faults.json] [-iam-propagation 5s]
//
// SIGTERM or Ctrl-C stops it, also while it waits on a seed or faults FIFO,
// and it exits 0: calls in progress are cancelled and connections still
// open after -grace are closed.
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
	readTimeout := fs.Duration("read-timeout", awssim.ReadTimeout, "time for a whole request, body included, to arrive")
	idleTimeout := fs.Duration("idle-timeout", awssim.IdleTimeout, "how long an idle keep-alive connection stays open")
	grace := fs.Duration("grace", 5*time.Second, "on SIGTERM, how long to wait for calls in progress before closing their connections")
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
		b, err := readFile(ctx, *seedPath)
		if err != nil {
			return stopped(ctx, fmt.Errorf("read seed: %w", err))
		}
		if seed, err = awssim.ParseSeed(*seedPath, b); err != nil {
			return err
		}
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
		b, err := readFile(ctx, *faultsPath)
		if err != nil {
			return stopped(ctx, fmt.Errorf("read faults: %w", err))
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
	// Request contexts end when shutdown starts, so long polls answer at once.
	base, cancelCalls := context.WithCancel(context.Background())
	defer cancelCalls()
	srv := &http.Server{
		Handler:           sim,
		ReadHeaderTimeout: min(awssim.ReadHeaderTimeout, *readTimeout),
		ReadTimeout:       *readTimeout,
		IdleTimeout:       *idleTimeout,
		BaseContext:       func(net.Listener) context.Context { return base },
	}
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
		cancelCalls()
		shut, cancel := context.WithTimeout(context.Background(), *grace)
		defer cancel()
		if err := srv.Shutdown(shut); err != nil {
			// A client still sending is cut off: stopping is not a failure.
			log.Info("closing connections still open after the grace period", "grace", *grace)
			_ = srv.Close()
		}
		return nil
	}
}

// readFile reads a file but gives up when ctx ends: reading a FIFO
// (-seed <(generate)) blocks until its writer writes, and a signal must
// still stop the process. The abandoned read ends with the process.
func readFile(ctx context.Context, path string) ([]byte, error) {
	type result struct {
		b   []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		b, err := os.ReadFile(path)
		done <- result{b, err}
	}()
	select {
	case r := <-done:
		return r.b, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// stopped turns an error caused by a signal into a clean stop.
func stopped(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return nil
	}
	return err
}
