// Command orgnotify keeps an AWS Organization's notifications as code: it
// validates the account files, answers on pull requests and (in later
// releases) reconciles AWS and sends Slack digests.
//
// main only maps the result of run to an exit code; every subcommand writes
// to the io.Writers it is handed, so tests drive it exactly as a user does.
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
)

// Exit codes. Findings in the configuration are the user's to fix (1);
// anything that kept the command from doing its job is 2.
const (
	exitOK       = 0
	exitFindings = 1
	exitError    = 2
)

// env reads the environment; tests pass a map.
type env func(string) string

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, io stdio, getenv env) error
}

type stdio struct{ out, err io.Writer }

// errFindings reports that the command ran and found problems in the
// configuration; it maps to exit code 1 and prints nothing more.
var errFindings = errors.New("findings")

// usageError marks a mistake in how the command was called (exit 2).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func commands() []command {
	return []command{
		{"validate", "check org.yaml and accounts/*.yaml against the schema and the rules", runValidate},
		{"comment", "validate and write the sticky pull-request comment", runComment},
		{"digest", "send the Slack digests (events)", runDigest},
		{"schema-doc", "print the configuration reference (Markdown) generated from the schemas", runSchemaDoc},
		{"version", "print the version", runVersion},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], stdio{os.Stdout, os.Stderr}, os.Getenv)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, std stdio, getenv env) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(std.err)
		if len(args) == 0 {
			return exitError
		}
		return exitOK
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, args[1:], std, getenv)
		switch {
		case err == nil:
			return exitOK
		case errors.Is(err, errFindings):
			return exitFindings
		case errors.Is(err, flag.ErrHelp):
			return exitOK
		default:
			fmt.Fprintf(std.err, "orgnotify %s: %v\n", c.name, err)
			return exitError
		}
	}
	fmt.Fprintf(std.err, "orgnotify: unknown command %q\n\n", args[0])
	usage(std.err)
	return exitError
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: orgnotify <command> [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "commands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-11s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "run 'orgnotify <command> -h' for the flags of a command")
}

// newFlags returns a flag set that reports errors instead of exiting.
func newFlags(name string, std stdio) *flag.FlagSet {
	fs := flag.NewFlagSet("orgnotify "+name, flag.ContinueOnError)
	fs.SetOutput(std.err)
	return fs
}

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func runVersion(_ context.Context, args []string, std stdio, _ env) error {
	if len(args) > 0 {
		return usageError{"version takes no arguments"}
	}
	fmt.Fprintln(std.out, "orgnotify", version)
	return nil
}
