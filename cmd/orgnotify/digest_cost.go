package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	orgaws "github.com/orgnotify/orgnotify/internal/aws"
	"github.com/orgnotify/orgnotify/internal/config"
	"github.com/orgnotify/orgnotify/internal/cost"
	"github.com/orgnotify/orgnotify/internal/findings"
	"github.com/orgnotify/orgnotify/internal/slack"
)

// costRequestPrice is what Cost Explorer bills per API request (each page).
const costRequestPrice = 0.01

// runDigestCost posts every account's cost digest for one day: plan the
// organization-wide Cost Explorer queries, fetch, build the reports, post
// (or preview). Exit 1 when a channel failed, 2 when nothing could be done.
func runDigestCost(ctx context.Context, args []string, std stdio, getenv env) error {
	fs := newFlags("digest cost", std)
	root := fs.String("root", ".", "repository root holding org.yaml and accounts/")
	date := fs.String("date", "", "report day, YYYY-MM-DD (default: the last complete UTC day)")
	dryRun := fs.Bool("dry-run", false, "post nothing: print the messages (also when SLACK_BOT_TOKEN is unset)")
	out := fs.String("out", "", "with a dry run, write each message's Block Kit JSON to this directory")
	format := fs.String("format", "text", "output: text (the messages as text) or json (one line of figures per account)")
	fs.Usage = func() {
		fmt.Fprintln(std.err, "usage: orgnotify digest cost [--root DIR] [--date YYYY-MM-DD] [--dry-run] [--out DIR] [--format text|json]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("digest cost takes no arguments, got %q", fs.Arg(0))}
	}
	if *format != "text" && *format != "json" {
		return usageError{fmt.Sprintf("unknown --format %q (want text or json)", *format)}
	}
	now := time.Now().UTC()
	day := cost.Day(now).AddDate(0, 0, -1)
	if *date != "" {
		d, err := time.Parse(time.DateOnly, *date)
		if err != nil {
			return usageError{fmt.Sprintf("--date %q: want YYYY-MM-DD", *date)}
		}
		if !d.Before(cost.Day(now)) {
			return usageError{fmt.Sprintf("--date %s: the day is not over yet (the last complete UTC day is %s)", *date, day.Format(time.DateOnly))}
		}
		day = d
	}

	// config.Load hands out a model only when nothing is an error: no
	// digest goes out from a half-read configuration.
	res, found, err := config.Load(ctx, *root)
	if errors.Is(err, config.ErrInvalid) {
		if err := findings.WriteText(std.err, found, 0); err != nil {
			return err
		}
		fmt.Fprintf(std.err, "orgnotify digest cost: the configuration has %d error(s): fix them first (orgnotify validate)\n", findings.Errors(found))
		return errFindings
	}
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(std.err, &slog.HandlerOptions{Level: slog.LevelWarn}))

	token, apiURL := slack.Env(getenv)
	if token == "" && !*dryRun {
		fmt.Fprintln(std.err, "orgnotify digest cost: SLACK_BOT_TOKEN is not set: dry run, nothing is posted")
		*dryRun = true
	}

	cfg, err := orgaws.LoadConfig(ctx, orgaws.CostExplorerRegion)
	if err != nil {
		return err
	}
	plan := cost.NewPlan(res.Accounts, day, now)
	if len(plan.Accounts) == 0 {
		fmt.Fprintf(std.err, "orgnotify digest cost: no account has a cost digest due on %s\n", day.Format(time.DateOnly))
		return nil
	}
	data, err := cost.Fetch(ctx, orgaws.NewCostExplorer(cfg), plan, cost.FetchOptions{Logger: log})
	if err != nil {
		return err
	}
	reports, err := cost.Reports(res.Org, plan, data)
	if err != nil {
		return err
	}
	summary := cost.Summarize(res.Org, day, reports)

	var sender slack.Sender
	concurrency := 8 // channels posted to at once; Slack's pacing is per channel
	if *dryRun {
		concurrency = 1 // stable output
		dr := &slack.DryRun{Dir: *out}
		if *format == "text" {
			dr.W = std.out
		}
		sender = dr
	} else {
		sender = slack.New(token, slack.Options{APIURL: apiURL, Logger: log})
	}
	if *format == "json" {
		if err := cost.WriteJSON(std.out, reports); err != nil {
			return err
		}
	}
	outcomes := cost.Send(ctx, sender, reports, &summary, concurrency)

	posted, existing := 0, 0
	for _, o := range outcomes {
		switch {
		case o.Err != nil:
			fmt.Fprintf(std.err, "orgnotify digest cost: %v\n", o.Err)
		case o.Posted.Existing:
			existing++
		default:
			posted++
		}
	}
	verb := "posted"
	if *dryRun {
		verb = "rendered (dry run)"
	}
	fmt.Fprintf(std.err, "orgnotify digest cost: %s: %d account(s), %d message(s) %s, %d already posted, %d failed; %d Cost Explorer request(s) ($%.2f)\n",
		day.Format(time.DateOnly), len(reports), posted, verb, existing, outcomes.Failed(), data.Requests, float64(data.Requests)*costRequestPrice)
	if n := outcomes.Failed(); n > 0 {
		return fmt.Errorf("%d message(s) failed: %w", n, errFindings)
	}
	return nil
}
