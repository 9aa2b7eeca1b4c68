package main

import (
	"context"
	"fmt"

	"github.com/orgnotify/orgnotify/internal/reconcile"
)

// runDestroy removes what orgnotify owns: it always shows the plan, and
// deletes only with --confirm. Exit 0 when the plan was shown or carried
// out; 1 when an account could not be read or a delete failed.
func runDestroy(ctx context.Context, args []string, std stdio, getenv env) error {
	fs := newFlags("destroy", std)
	var f reconcileFlags
	f.register(fs)
	confirm := fs.Bool("confirm", false, "delete what the plan shows; without it, only the plan is shown")
	fs.Usage = func() {
		fmt.Fprintln(std.err, "usage: orgnotify destroy [--root DIR] [--format text|json|markdown] [--shard i/n] [--concurrency N] [--confirm]")
		fmt.Fprintln(std.err, "removes only what carries orgnotify's name prefix and ownership tag (and the aliases and subscriptions of its keys and topics)")
		fs.PrintDefaults()
	}
	shard, err := f.parse(fs, args)
	if err != nil {
		return err
	}
	// The configuration names the accounts, regions and ownership tag; it
	// must validate, so a broken file never narrows what is looked at.
	rc, err := prepare(ctx, f, shard, std)
	if err != nil {
		return err
	}
	res, err := reconcile.PlanDestroy(ctx, rc.cloud, rc.scope, rc.want, rc.opts)
	if err != nil {
		return err
	}
	n := res.Plan.Summary().Delete
	if !*confirm || n == 0 {
		if err := report(std, getenv, f.format, res, "destroy (plan)"); err != nil {
			return err
		}
		switch {
		case n == 0:
			fmt.Fprintln(std.err, "destroy: nothing of orgnotify's to delete")
		default:
			fmt.Fprintf(std.err, "destroy: %d resource(s) would be deleted; nothing was deleted. Run again with --confirm to delete them.\n", n)
		}
		if len(res.Failures) > 0 {
			return errFindings
		}
		return nil
	}
	// The plan is shown before anything is deleted (on stderr, so stdout
	// holds one document: the applied plan).
	if err := report(stdio{std.err, std.err}, noStepSummary(getenv), "text", res, "destroy (plan)"); err != nil {
		return err
	}
	fmt.Fprintf(std.err, "destroy: deleting %d resource(s)\n", n)
	res = reconcile.Destroy(ctx, rc.cloud, rc.scope, res, rc.opts)
	if err := report(std, getenv, f.format, res, "destroy"); err != nil {
		return err
	}
	fmt.Fprintf(std.err, "destroy: %d deleted, %d failed, %d skipped, %d accounts failed\n",
		count(res, "ok"), count(res, "failed"), count(res, "skipped"), len(res.Failures))
	if res.Failed() {
		return errFindings
	}
	return nil
}

// noStepSummary hides $GITHUB_STEP_SUMMARY, so that a report written
// along the way does not land in the job summary twice.
func noStepSummary(getenv env) env {
	return func(k string) string {
		if k == "GITHUB_STEP_SUMMARY" {
			return ""
		}
		return getenv(k)
	}
}
