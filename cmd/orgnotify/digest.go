package main

import (
	"context"
	"fmt"
)

// runDigest dispatches `orgnotify digest <kind>`.
func runDigest(ctx context.Context, args []string, std stdio, getenv env) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(std.err, "usage: orgnotify digest events [flags]")
		if len(args) == 0 {
			return usageError{"digest needs a kind: events"}
		}
		return nil
	}
	switch args[0] {
	case "events":
		return runDigestEvents(ctx, args[1:], std, getenv)
	default:
		return usageError{fmt.Sprintf("unknown digest %q (want events)", args[0])}
	}
}
