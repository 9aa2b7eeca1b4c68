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
	token, apiURL := slack.Env(getenv)
	if token == "" && !*dryRun {
		fmt.Fprintln(std.err, "orgnotify digest cost: SLACK_BOT_TOKEN is not set: dry run, nothing is posted")
		*dryRun = true
	}
	cr, err := costDigest(ctx, res.Org, res.Accounts, costRun{
		day: day, now: now, dryRun: *dryRun, out: *out, format: *format, token: token, apiURL: apiURL,
	}, std)
	if err != nil {
		return err
	}
	if cr.due {
		fmt.Fprintf(std.err, "orgnotify digest cost: %s\n", cr)
	}
	if cr.failed > 0 {
		return fmt.Errorf("%d message(s) failed: %w", cr.failed, errFindings)
	}
	return nil
}

// costRun is one cost digest's settings.
type costRun struct {
	day, now      time.Time
	dryRun        bool
	out, format   string
	token, apiURL string
}

// costResult counts what a cost digest did.
type costResult struct {
	day                                       time.Time
	dryRun                                    bool
	due                                       bool // some account has a digest for day
	accounts, posted, existing, failed, calls int
}

func (r costResult) String() string {
	verb := "posted"
	if r.dryRun {
		verb = "rendered (dry run)"
	}
	return fmt.Sprintf("%s: %d account(s), %d message(s) %s, %d already posted, %d failed; %d Cost Explorer request(s) ($%.2f)",
		r.day.Format(time.DateOnly), r.accounts, r.posted, verb, r.existing, r.failed, r.calls, float64(r.calls)*costRequestPrice)
}

// costDigest plans the organization-wide Cost Explorer queries for day,
// fetches, builds the reports and posts (or previews) them. A failed
// message is counted in the result, not returned as an error.
func costDigest(ctx context.Context, org *config.Org, accounts []*config.Account, o costRun, std stdio) (costResult, error) {
	res := costResult{day: o.day, dryRun: o.dryRun}
	log := slog.New(slog.NewTextHandler(std.err, &slog.HandlerOptions{Level: slog.LevelWarn}))
	plan := cost.NewPlan(accounts, o.day, o.now)
	if len(plan.Accounts) == 0 {
		fmt.Fprintf(std.err, "orgnotify digest cost: no account has a cost digest due on %s\n", o.day.Format(time.DateOnly))
		return res, nil
	}
	cfg, err := orgaws.LoadConfig(ctx, orgaws.CostExplorerRegion)
	if err != nil {
		return res, err
	}
	res.due = true
	data, err := cost.Fetch(ctx, orgaws.NewCostExplorer(cfg), plan, cost.FetchOptions{Logger: log})
	if err != nil {
		return res, err
	}
	res.calls = data.Requests
	reports, err := cost.Reports(org, plan, data)
	if err != nil {
		return res, err
	}
	res.accounts = len(reports)
	summary := cost.Summarize(org, o.day, reports)

	var sender slack.Sender
	concurrency := 8 // channels posted to at once; Slack's pacing is per channel
	if o.dryRun {
		concurrency = 1 // stable output
		dr := &slack.DryRun{Dir: o.out}
		if o.format == "text" {
			dr.W = std.out
		}
		sender = dr
	} else {
		sender = slack.New(o.token, slack.Options{APIURL: o.apiURL, Logger: log})
	}
	if o.format == "json" {
		if err := cost.WriteJSON(std.out, reports); err != nil {
			return res, err
		}
	}
	outcomes := cost.Send(ctx, sender, reports, &summary, concurrency)
	for _, oc := range outcomes {
		switch {
		case oc.Err != nil:
			fmt.Fprintf(std.err, "orgnotify digest cost: %v\n", oc.Err)
		case oc.Posted.Existing:
			res.existing++
		default:
			res.posted++
		}
	}
	res.failed = outcomes.Failed()
	return res, nil
}
