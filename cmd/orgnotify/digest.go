package main

import (
	"context"
	"flag"
	"fmt"
)

// runDigest dispatches to one digest kind.
func runDigest(ctx context.Context, args []string, std stdio, getenv env) error {
	if len(args) == 0 {
		return usageError{"digest needs a kind: orgnotify digest cost [flags]"}
	}
	switch args[0] {
	case "cost":
		return runDigestCost(ctx, args[1:], std, getenv)
	// events → runDigestEvents (issue 8) goes here.
	case "-h", "--help", "help":
		fmt.Fprintln(std.err, "usage: orgnotify digest cost [flags]")
		return flag.ErrHelp
	}
	return usageError{fmt.Sprintf("unknown digest %q (want cost)", args[0])}
}
