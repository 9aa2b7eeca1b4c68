package main

import (
	"context"
	"flag"
	"fmt"
)

const digestUsage = "usage: orgnotify digest cost|events [flags]"

// runDigest dispatches `orgnotify digest <kind>`.
func runDigest(ctx context.Context, args []string, std stdio, getenv env) error {
	if len(args) == 0 {
		return usageError{"digest needs a kind: " + digestUsage}
	}
	switch args[0] {
	case "cost":
		return runDigestCost(ctx, args[1:], std, getenv)
	case "events":
		return runDigestEvents(ctx, args[1:], std, getenv)
	case "-h", "--help", "help":
		fmt.Fprintln(std.err, digestUsage)
		return flag.ErrHelp
	}
	return usageError{fmt.Sprintf("unknown digest %q (want cost or events)", args[0])}
}
