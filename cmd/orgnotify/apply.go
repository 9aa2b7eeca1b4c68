package main

import (
	"context"
	"fmt"

	"github.com/orgnotify/orgnotify/internal/reconcile"
)

// runApply plans and applies. Exit 1 when anything failed or conflicted;
// the applied plan, with each change's status, is the output.
func runApply(ctx context.Context, args []string, std stdio, getenv env) error {
	fs := newFlags("apply", std)
	var f reconcileFlags
	f.register(fs)
	massDelete := fs.Bool("allow-mass-delete", false, "apply even when the plan deletes more than limits.maxDeletionsPerApply")
	fs.Usage = func() {
		fmt.Fprintln(std.err, "usage: orgnotify apply [--root DIR] [--format text|json|markdown] [--shard i/n] [--concurrency N] [--allow-mass-delete]")
		fmt.Fprintln(std.err, "AWS credentials and region come from the SDK's standard chain; AWS_ENDPOINT_URL points orgnotify at awssim")
		fs.PrintDefaults()
	}
	shard, err := f.parse(fs, args)
	if err != nil {
		return err
	}
	rc, err := prepare(ctx, f, shard, std)
	if err != nil {
		return err
	}
	rc.opts.AllowMassDelete = *massDelete
	res, err := reconcile.Run(ctx, rc.cloud, rc.scope, rc.want, rc.opts)
	if err != nil {
		return err
	}
	if err := report(std, getenv, f.format, res, "apply"); err != nil {
		return err
	}
	s := res.Plan.Summary()
	fmt.Fprintf(std.err, "apply: %d to create, %d to update, %d to delete, %d conflicts; %d failed, %d skipped, %d accounts failed\n",
		s.Create, s.Update, s.Delete, s.Conflict, count(res, "failed"), count(res, "skipped"), len(res.Failures))
	if res.Failed() {
		return errFindings
	}
	return nil
}

func count(res reconcile.Result, status string) int {
	n := 0
	for _, c := range res.Plan.Changes {
		if string(c.Status) == status {
			n++
		}
	}
	return n
}
