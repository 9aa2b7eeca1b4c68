package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/orgnotify/orgnotify/internal/config"
	"github.com/orgnotify/orgnotify/internal/cost"
	"github.com/orgnotify/orgnotify/internal/events"
	"github.com/orgnotify/orgnotify/internal/github/actions"
	"github.com/orgnotify/orgnotify/internal/plan"
	"github.com/orgnotify/orgnotify/internal/reconcile"
	osl "github.com/orgnotify/orgnotify/internal/slack"
	"github.com/orgnotify/orgnotify/internal/summary"
)

// Step names, as the summary shows them.
const (
	stepConfig = "configuration"
	stepApply  = "apply"
	stepEvents = "digest events"
	stepCost   = "digest cost"
)

// errShardedDigest says why shards other than 1 skip the digests.
const errShardedDigest = "the digests run in shard 1 only: the event digest drains the hub's one queue and the cost digest's Cost Explorer queries cover the whole organization"

// runReconcile is what the scheduled workflow runs: apply, then the event
// digest, then the cost digest when it is due; one summary and one exit
// code at the end. A failing step never stops the next one: each is
// reported as ok, failed or skipped with its error.
func runReconcile(ctx context.Context, args []string, std stdio, getenv env) error {
	fs := newFlags("reconcile", std)
	var f reconcileFlags
	f.register(fs)
	massDelete := fs.Bool("allow-mass-delete", false, "apply even when the plan deletes more than limits.maxDeletionsPerApply")
	dryRun := fs.Bool("dry-run", false, "digests only: print the Slack messages instead of posting them (from SQS, nothing is deleted); apply still applies")
	budget := fs.Duration("budget", 10*time.Minute, "time the event digest spends receiving from SQS")
	fs.Usage = func() {
		fmt.Fprintln(std.err, "usage: orgnotify reconcile [--root DIR] [--format text|json|markdown] [--shard i/n] [--concurrency N] [--allow-mass-delete] [--dry-run] [--budget DURATION]")
		fmt.Fprintln(std.err, "apply, then the event digest, then the cost digest of the last complete UTC day unless Slack shows it done; SLACK_BOT_TOKEN unless --dry-run")
		fs.PrintDefaults()
	}
	shard, err := f.parse(fs, args)
	if err != nil {
		return err
	}
	if *budget <= 0 {
		return usageError{"--budget must be positive"}
	}
	model, err := loadModel(ctx, f.root, std, "reconcile")
	if errors.Is(err, errFindings) {
		// Still a result, so that a sharded workflow's summary says why
		// this shard did nothing.
		run := summary.Run{Shard: shard.String(), Steps: []summary.Step{{Name: stepConfig, Status: summary.Failed,
			Error: "the configuration has errors (listed in the log): nothing was applied or posted"}}}
		if err := writeRun(std, getenv, f.format, run, ""); err != nil {
			return err
		}
		return errFindings
	}
	if err != nil {
		return err
	}
	// With --format json or markdown, stdout holds the summary alone; what
	// the steps print goes to stderr.
	steps := std
	if f.format != "text" {
		steps = stdio{std.err, std.err}
	}
	log := slog.New(slog.NewTextHandler(std.err, &slog.HandlerOptions{Level: slog.LevelWarn}))
	token, apiURL := osl.Env(getenv)

	run := summary.Run{Shard: shard.String()}
	applied, planMD := applyStep(ctx, model, f, shard, *massDelete, steps, getenv)
	run.Steps = append(run.Steps, applied)
	if shard.I != 1 {
		run.Steps = append(run.Steps,
			summary.Step{Name: stepEvents, Status: summary.Skipped, Error: errShardedDigest},
			summary.Step{Name: stepCost, Status: summary.Skipped, Error: errShardedDigest})
	} else {
		d := digestSettings{dryRun: *dryRun, token: token, apiURL: apiURL, budget: *budget, log: log}
		run.Steps = append(run.Steps, eventsStep(ctx, model, d, steps), costStep(ctx, model, d, time.Now().UTC(), steps))
	}

	if err := writeRun(std, getenv, f.format, run, planMD); err != nil {
		return err
	}
	if run.Failed() {
		return errFindings
	}
	return nil
}

// writeRun prints the run's summary in format and appends it (and the
// applied plan's Markdown) to the job summary.
func writeRun(std stdio, getenv env, format string, run summary.Run, planMD string) error {
	var err error
	rep := summary.Report{Runs: []summary.Run{run}}
	switch format {
	case "json":
		err = summary.WriteJSON(std.out, run)
	case "markdown":
		_, err = io.WriteString(std.out, summary.Markdown(rep))
	default:
		fmt.Fprintln(std.out)
		err = summary.WriteText(std.out, rep)
	}
	if err != nil {
		return err
	}
	if path := getenv("GITHUB_STEP_SUMMARY"); path != "" {
		return actions.AppendStepSummary(path, summary.Markdown(rep)+planMD)
	}
	return nil
}

// applyStep plans and applies, printing the applied plan; it returns the
// step and the plan's Markdown for the job summary.
func applyStep(ctx context.Context, model *config.Model, f reconcileFlags, shard reconcile.Shard, massDelete bool, std stdio, getenv env) (summary.Step, string) {
	step := summary.Step{Name: stepApply}
	fail := func(err error) (summary.Step, string) {
		step.Status, step.Error = summary.Failed, err.Error()
		return step, ""
	}
	rc, err := connect(ctx, model, f, shard, std)
	if err != nil {
		return fail(err)
	}
	rc.opts.AllowMassDelete = massDelete
	res, err := reconcile.Run(ctx, rc.cloud, rc.scope, rc.want, rc.opts)
	if errors.Is(err, reconcile.ErrMassDelete) {
		// The plan it refused is what the reader has to judge.
		_ = plan.WriteText(std.out, res.Plan, plan.TextOptions{})
	}
	if err != nil {
		return fail(err)
	}
	// The job summary gets the plan once, after the reconcile table.
	if err := report(std, noStepSummary(getenv), "text", res, "apply"); err != nil {
		return fail(err)
	}
	step.Detail = applyDetail(res)
	step.Status = summary.OK
	if res.Failed() {
		step.Status = summary.Failed
		var why []string
		for _, fl := range res.Failures {
			why = append(why, fl.String())
		}
		if n := count(res, "failed"); n > 0 {
			why = append(why, fmt.Sprintf("%d change(s) failed", n))
		}
		if n := res.Plan.Summary().Conflict; n > 0 {
			why = append(why, fmt.Sprintf("%d conflict(s): resources with orgnotify's names but not its tag", n))
		}
		step.Error = strings.Join(why, "; ")
	}
	return step, "\n### apply\n\n" + plan.Markdown(res.Plan, markdownLimit/2)
}

func applyDetail(res reconcile.Result) string {
	s := res.Plan.Summary()
	if s.Create+s.Update+s.Delete+s.Conflict == 0 {
		return "no changes"
	}
	return fmt.Sprintf("%d to create, %d to update, %d to delete, %d conflicts; %d ok, %d failed, %d skipped",
		s.Create, s.Update, s.Delete, s.Conflict, count(res, "ok"), count(res, "failed"), count(res, "skipped"))
}

// digestSettings are what both digests of a reconcile share.
type digestSettings struct {
	dryRun        bool
	token, apiURL string
	budget        time.Duration
	log           *slog.Logger
}

func (d digestSettings) sender() (osl.Sender, error) {
	if d.dryRun {
		return nil, nil
	}
	if d.token == "" {
		return nil, errors.New(osl.EnvToken + " is not set (pass --dry-run to preview the digests without posting)")
	}
	return osl.New(d.token, osl.Options{APIURL: d.apiURL, Logger: d.log}), nil
}

// eventsStep drains the digest queue: every run.
func eventsStep(ctx context.Context, model *config.Model, d digestSettings, std stdio) summary.Step {
	step := summary.Step{Name: stepEvents}
	var sender events.Sender = &osl.DryRun{W: std.out}
	if s, err := d.sender(); err != nil {
		step.Status, step.Error = summary.Failed, err.Error()
		return step
	} else if s != nil {
		sender = s
	}
	router := events.NewRouter(model.Org, model.Accounts)
	rep, err := drainQueue(ctx, model.Org, router, sender, nil, d.dryRun, d.budget, std, d.log)
	step.Detail = fmt.Sprintf("received %d (+%d dead-lettered), %d events, posted %d messages, deleted %d, kept %d",
		rep.Received, rep.DeadLetters, rep.Events, rep.Posted, rep.Deleted, rep.Kept)
	if d.dryRun {
		step.Detail += " (dry run)"
	}
	if err != nil {
		if rep.Received+rep.DeadLetters == 0 {
			step.Detail = "" // it never got to the queue: the counts say nothing
		}
		step.Status, step.Error = summary.Failed, err.Error()
		return step
	}
	step.Status = summary.OK
	return step
}

// costStep posts the cost digest of the last complete UTC day when it is
// due: unless the day's summary in slack.defaultChannel says "done" with no
// failed channel (one history read, before any Cost Explorer request, so
// an hourly reconcile pays Cost Explorer once a day). A dry run is always
// due. The digest's own once-per-day ledger makes a run that finds the
// summary "started" or "done" with failures post only what is missing.
func costStep(ctx context.Context, model *config.Model, d digestSettings, now time.Time, std stdio) summary.Step {
	step := summary.Step{Name: stepCost}
	day := cost.Day(now).AddDate(0, 0, -1)
	s, err := d.sender()
	if err != nil {
		step.Status, step.Error = summary.Failed, err.Error()
		return step
	}
	if ledger, ok := s.(cost.Ledger); ok {
		done, err := costDone(ctx, ledger, model.Org, day)
		switch {
		case err != nil:
			d.log.Warn("cost digest: could not read the day's summary; the digest looks up each message instead", "err", err)
		case done:
			step.Status = summary.Skipped
			step.Error = fmt.Sprintf("already posted for %s (the summary in %s says done)", day.Format(time.DateOnly), model.Org.Slack.DefaultChannel)
			return step
		}
	}
	res, err := costDigest(ctx, model.Org, model.Accounts, costRun{
		day: day, now: now, dryRun: d.dryRun, format: "text", token: d.token, apiURL: d.apiURL,
	}, std)
	step.Detail = res.String()
	switch {
	case err != nil:
		step.Status, step.Error = summary.Failed, err.Error()
	case !res.due:
		step.Status, step.Detail = summary.Skipped, ""
		step.Error = "no account has a cost digest due on " + day.Format(time.DateOnly)
	case res.failed > 0:
		step.Status, step.Error = summary.Failed, fmt.Sprintf("%d message(s) failed (listed above); the next run retries them", res.failed)
	default:
		step.Status = summary.OK
	}
	return step
}

// costDone reports whether the day's organization summary (the cost
// digest's ledger) says every message was posted.
func costDone(ctx context.Context, ledger cost.Ledger, org *config.Org, day time.Time) (bool, error) {
	if org.Slack.DefaultChannel == "" {
		return false, nil
	}
	m := cost.Summary{Date: day, Channel: org.Slack.DefaultChannel}.Message()
	if m.Metadata == nil || m.Once == nil {
		return false, nil
	}
	f, found, err := ledger.Find(ctx, m.Channel, *m.Metadata, []string{"date", "account"}, m.Once.Since)
	if err != nil || !found {
		return false, err
	}
	p := f.Metadata.EventPayload
	failed := fmt.Sprint(p["failed"])
	return p["state"] == "done" && (p["failed"] == nil || failed == ""), nil
}
