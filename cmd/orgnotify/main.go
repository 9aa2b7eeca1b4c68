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

// exitCode is a result, not a failure to report: the command has said
// what it had to say and only the exit status is left to set (as cli/cli's
// results.ExitCode). run prints nothing for it.
type exitCode int

func (c exitCode) Error() string { return fmt.Sprintf("exit status %d", int(c)) }

// ExitCode is the status the process exits with.
func (c exitCode) ExitCode() int { return int(c) }

// errFindings reports that the command ran and found problems in the
// configuration (or a run that failed in part and said so); exit code 1.
var errFindings error = exitCode(exitFindings)

// usageError marks a mistake in how the command was called (exit 2).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func commands() []command {
	return []command{
		{"validate", "check org.yaml and accounts/*.yaml against the schema and the rules", runValidate},
		{"comment", "validate and write the sticky pull-request comment", runComment},
		{"plan", "show what apply would change in AWS (observe the organization, compare)", runPlan},
		{"apply", "bring AWS to the configuration: plan, then create, update and delete", runApply},
		{"digest", "send the cost and event digests to Slack (digest cost|events), or preview them with --dry-run", runDigest},
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
		var code interface{ ExitCode() int }
		switch {
		case err == nil:
			return exitOK
		case errors.As(err, &code):
			return code.ExitCode()
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
