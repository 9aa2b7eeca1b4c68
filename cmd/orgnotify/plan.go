package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/orgnotify/orgnotify/internal/aws"
	"github.com/orgnotify/orgnotify/internal/config"
	"github.com/orgnotify/orgnotify/internal/desired"
	"github.com/orgnotify/orgnotify/internal/findings"
	"github.com/orgnotify/orgnotify/internal/github/actions"
	"github.com/orgnotify/orgnotify/internal/plan"
	"github.com/orgnotify/orgnotify/internal/reconcile"
)

// markdownLimit keeps the plan inside a GitHub comment or job summary
// (65,536 characters) with room for the rest of the page.
const markdownLimit = 60000

// reconcileFlags are the flags plan and apply share.
type reconcileFlags struct {
	root        string
	format      string
	shard       string
	concurrency int
	memberRole  string // overrides org.yaml's memberRole (plan only)
}

func (f *reconcileFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.root, "root", ".", "repository root holding org.yaml and accounts/")
	fs.StringVar(&f.format, "format", "text", "output: text, json or markdown")
	fs.StringVar(&f.shard, "shard", "", "reconcile only member-account shard i of n (\"i/n\"); the hub and management account are in shard 1")
	fs.IntVar(&f.concurrency, "concurrency", 32, "accounts×regions observed, and accounts applied, at once")
}

// parse parses args and checks the shared flags.
func (f *reconcileFlags) parse(fs *flag.FlagSet, args []string) (reconcile.Shard, error) {
	if err := fs.Parse(args); err != nil {
		return reconcile.Shard{}, err
	}
	return f.check(fs)
}

func (f *reconcileFlags) check(fs *flag.FlagSet) (reconcile.Shard, error) {
	if fs.NArg() > 0 {
		return reconcile.Shard{}, usageError{fmt.Sprintf("%s takes no arguments", fs.Name())}
	}
	switch f.format {
	case "text", "json", "markdown":
	default:
		return reconcile.Shard{}, usageError{fmt.Sprintf("unknown --format %q (want text, json or markdown)", f.format)}
	}
	if f.concurrency < 1 {
		return reconcile.Shard{}, usageError{"--concurrency must be at least 1"}
	}
	shard, err := reconcile.ParseShard(f.shard)
	if err != nil {
		return shard, usageError{err.Error()}
	}
	return shard, nil
}

// errChanges reports, under --detailed-exitcode, that the plan has changes:
// exit 2, and nothing printed beyond the plan itself.
var errChanges error = exitCode(2)

// runPlan shows what apply would change. Exit 0 when it ran (1 on a
// conflict or an account that could not be read); with --detailed-exitcode
// 0 means no change, 2 changes, 1 an error or a conflict.
func runPlan(ctx context.Context, args []string, std stdio, getenv env) error {
	fs := newFlags("plan", std)
	var f reconcileFlags
	f.register(fs)
	fs.StringVar(&f.memberRole, "member-role", "", "role to assume in the hub and member accounts instead of org.yaml's memberRole, such as a read-only one for pull-request plans")
	detailed := fs.Bool("detailed-exitcode", false, "exit 0 when nothing changes, 2 when something does, 1 on an error or conflict")
	fs.Usage = func() {
		fmt.Fprintln(std.err, "usage: orgnotify plan [--root DIR] [--format text|json|markdown] [--detailed-exitcode] [--shard i/n] [--concurrency N] [--member-role NAME]")
		fmt.Fprintln(std.err, "AWS credentials and region come from the SDK's standard chain; AWS_ENDPOINT_URL points orgnotify at awssim")
		fs.PrintDefaults()
	}
	// Under --detailed-exitcode exit 2 means "changes": every error,
	// usage errors included, is 1. Scanned before parsing, so that a bad
	// flag before it still exits 1.
	detailedSet := false
	for _, a := range args {
		if a == "--detailed-exitcode" || a == "-detailed-exitcode" || a == "--detailed-exitcode=true" {
			detailedSet = true
		}
	}
	parseFailed := false
	err := func() error {
		if err := fs.Parse(args); err != nil {
			parseFailed = true
			return err
		}
		shard, err := f.check(fs)
		if err != nil {
			return err
		}
		rc, err := prepare(ctx, f, shard, std)
		if err != nil {
			return err
		}
		res, err := reconcile.Plan(ctx, rc.cloud, rc.scope, rc.want, rc.opts)
		if err != nil {
			return err
		}
		if err := report(std, getenv, f.format, res, "plan"); err != nil {
			return err
		}
		switch {
		case res.Failed():
			return errFindings
		case *detailed && !res.Plan.Empty():
			return errChanges
		}
		return nil
	}()
	var code interface{ ExitCode() int }
	if (*detailed || detailedSet) && err != nil && !errors.As(err, &code) && !errors.Is(err, flag.ErrHelp) {
		if !parseFailed {
			fmt.Fprintf(std.err, "orgnotify plan: %v\n", err)
		}
		return errFindings
	}
	return err
}

// reconcileRun is everything plan and apply need.
type reconcileRun struct {
	cloud reconcile.Cloud
	scope reconcile.Scope
	want  []desired.Resource
	opts  reconcile.Options
}

// prepare loads the repository, refusing anything with error findings,
// builds the desired state and connects to AWS.
func prepare(ctx context.Context, f reconcileFlags, shard reconcile.Shard, std stdio) (reconcileRun, error) {
	model, err := loadModel(ctx, f.root, std, "plan or apply")
	if err != nil {
		return reconcileRun{}, err
	}
	return connect(ctx, model, f, shard, std)
}

// loadModel reads the configuration through config.Load, printing the
// findings and returning errFindings when anything is an error.
func loadModel(ctx context.Context, root string, std stdio, before string) (*config.Model, error) {
	// config.Load hands out a model only when nothing is an error: an
	// account file that failed to parse must never read as an account
	// that was removed.
	model, fs, err := config.Load(ctx, root)
	if errors.Is(err, config.ErrInvalid) {
		if err := findings.WriteText(std.err, fs, 0); err != nil {
			return nil, err
		}
		fmt.Fprintf(std.err, "orgnotify: the configuration does not validate; fix the findings above before %s\n", before)
		return nil, errFindings
	}
	if err != nil {
		return nil, err
	}
	return model, nil
}

// connect builds the desired state of model and the AWS side plan and
// apply work on.
func connect(ctx context.Context, model *config.Model, f reconcileFlags, shard reconcile.Shard, std stdio) (reconcileRun, error) {
	want, err := desired.Build(model.Org, model.Accounts)
	if err != nil {
		return reconcileRun{}, err
	}
	o := model.Org
	cfg, err := aws.LoadConfig(ctx, o.OrganizationsRegion)
	if err != nil {
		return reconcileRun{}, err
	}
	role := o.MemberRole
	if f.memberRole != "" {
		role = f.memberRole
	}
	sessions := aws.NewSessions(cfg, o.Organization.ManagementAccountID, role)
	cloud := aws.NewCloud(sessions, aws.Layout{
		Prefix: o.Ownership.NamePrefix, TagKey: o.Ownership.TagKey, TagValue: o.Ownership.TagValue,
		Hub: o.Hub.AccountID, HomeRegion: o.Hub.HomeRegion,
		Management: o.Organization.ManagementAccountID, OrgRegion: o.OrganizationsRegion,
		Topic: o.Resources.SNSTopicName, Bus: o.Resources.EventBusName,
	})
	return reconcileRun{
		cloud: cloud,
		scope: reconcile.ScopeOf(o, model.Accounts),
		want:  want,
		opts: reconcile.Options{
			Shard: shard, Concurrency: f.concurrency, Progress: std.err,
			Log: slog.New(slog.NewTextHandler(std.err, &slog.HandlerOptions{Level: slog.LevelWarn})),
		},
	}, nil
}

// report writes the plan (or the applied plan) in the chosen format, the
// failures and warnings on stderr, and the Markdown to the job summary.
func report(std stdio, getenv env, format string, res reconcile.Result, title string) error {
	var err error
	switch format {
	case "json":
		err = plan.WriteJSON(std.out, res.Plan)
	case "markdown":
		_, err = io.WriteString(std.out, plan.Markdown(res.Plan, markdownLimit))
	default:
		err = plan.WriteText(std.out, res.Plan, plan.TextOptions{Color: colour(std.out, getenv)})
	}
	if err != nil {
		return err
	}
	for _, w := range res.Warnings {
		fmt.Fprintf(std.err, "warning: %s\n", w)
	}
	for _, f := range res.Failures {
		fmt.Fprintf(std.err, "failed: %s\n", f)
	}
	notes := pendingKeys(res)
	for _, n := range notes {
		fmt.Fprintf(std.err, "note: %s\n", n)
	}
	if path := getenv("GITHUB_STEP_SUMMARY"); path != "" {
		md := "## orgnotify " + title + "\n\n" + plan.Markdown(res.Plan, markdownLimit)
		for _, f := range res.Failures {
			md += "\n- **failed**: " + f.String()
		}
		for _, n := range notes {
			md += "\n- " + n
		}
		if err := actions.AppendStepSummary(path, md+"\n"); err != nil {
			return err
		}
	}
	return nil
}

// colour is on only when w is a terminal and NO_COLOR is unset.
func colour(w io.Writer, getenv env) bool {
	if getenv("NO_COLOR") != "" {
		return false
	}
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// pendingKeys names the keys a delete scheduled for deletion: KMS keeps
// them for aws.KeyDeletionDays, when the deletion can still be cancelled.
func pendingKeys(res reconcile.Result) []string {
	var out []string
	for _, c := range res.Plan.Changes {
		if c.Kind != desired.KMSKey || c.Action != plan.Delete || c.Status != "ok" || c.Current == nil {
			continue
		}
		out = append(out, fmt.Sprintf("key %s (%s) in %s/%s is pending deletion: KMS deletes it in %d days; until then `aws kms cancel-key-deletion --key-id %s` keeps it",
			c.Name, c.Current.Ref, c.Account, c.Region, aws.KeyDeletionDays, c.Current.Ref))
	}
	return out
}
