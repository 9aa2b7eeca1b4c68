package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/orgnotify/orgnotify/internal/config"
	"github.com/orgnotify/orgnotify/internal/findings"
	"github.com/orgnotify/orgnotify/internal/github"
	"github.com/orgnotify/orgnotify/internal/github/actions"
	"github.com/orgnotify/orgnotify/internal/github/markdown"
)

// runComment validates the repository and writes the result as the sticky
// pull-request comment. It fails when the comment could not be written,
// unless GitHub gave the job a read-only token (a pull request from a fork
// or from Dependabot). Findings are not its failure: the validate command
// (run before it by .ci/validate-pr.sh) fails the check.
func runComment(ctx context.Context, args []string, std stdio, getenv env) error {
	fs := newFlags("comment", std)
	root := fs.String("root", ".", "repository root holding org.yaml and accounts/")
	dryRun := fs.Bool("dry-run", false, "print the comment's Markdown instead of posting it (needs no token)")
	rulesChanged := fs.Bool("rules-changed", false, "say that the pull request changes the schemas or the validator, so it was checked by its base's rules (set by .ci/validate-pr.sh)")
	author := fs.String("author", "github-actions[bot]", "login the token acts as; only its comment carrying the marker is edited (a GitHub App: <app-slug>[bot])")
	withPlan := fs.Bool("plan", false, "add the plan of AWS changes (read-only: observes and compares, never applies); needs AWS credentials from the standard chain")
	memberRole := fs.String("member-role", "", "with --plan, the role to read the hub and member accounts as instead of org.yaml's memberRole (orgnotify-readonly of deploy/)")
	base := fs.String("base", "", "checkout of the pull request's base commit: each account file added or changed against it gets a Slack digest preview")
	samples := fs.String("samples", "", "sample events for the digest preview (default: BASE/testdata/events)")
	fs.Usage = func() {
		fmt.Fprintln(std.err, "usage: orgnotify comment [--root DIR] [--author LOGIN] [--rules-changed] [--plan [--member-role NAME]] [--base DIR [--samples DIR]] [--dry-run]")
		fmt.Fprintln(std.err, "reads GITHUB_REPOSITORY, GITHUB_EVENT_PATH, GITHUB_TOKEN and GITHUB_API_URL as set by GitHub Actions")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch {
	case fs.NArg() > 0:
		return usageError{"comment takes no arguments"}
	case *memberRole != "" && !*withPlan:
		return usageError{"--member-role needs --plan"}
	case *samples != "" && *base == "":
		return usageError{"--samples needs --base"}
	}

	res, err := config.Validate(ctx, config.Options{Root: *root})
	if err != nil {
		return err
	}
	c := markdown.Comment{Findings: res.Findings, Files: res.Files, RulesChanged: *rulesChanged}
	// What touches AWS reads only a configuration without a single error
	// (config.Load); the findings above come from the same validation.
	var model *config.Model
	if findings.Errors(res.Findings) == 0 {
		if model, _, err = config.Load(ctx, *root); err != nil && !errors.Is(err, config.ErrInvalid) {
			return err
		}
	}
	if *withPlan {
		c.Plan = commentPlan(ctx, model, *memberRole, std)
	} else {
		c.Plan = "_No plan: this run has no read-only AWS credentials. Pull requests from forks never get them; on pull requests from this repository the validate workflow adds the plan when `vars.ORGNOTIFY_PLAN_ROLE_ARN` names the plan role (deploy/)._"
	}
	c.DigestPreview = commentPreview(ctx, model, *root, *base, *samples, time.Now())
	if dropped := droppedRegions(model, *root, *base); len(dropped) > 0 {
		c.Findings = append(slices.Clone(c.Findings), dropped...)
		findings.Sort(c.Findings)
	}

	if *dryRun {
		_, err := fmt.Fprint(std.out, markdown.RenderComment(c))
		return err
	}

	ghenv, err := actions.ReadEnv(getenv)
	if errors.Is(err, actions.ErrNotPullRequest) {
		fmt.Fprintln(std.err, "orgnotify comment: not a pull request; nothing to comment on")
		return nil
	}
	if err != nil {
		return err
	}
	c.Commit, c.RunURL = ghenv.Commit, ghenv.RunURL
	client, err := github.NewClient(ghenv.APIURL, ghenv.Token)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(std.err, &slog.HandlerOptions{Level: slog.LevelWarn}))
	out, err := github.NewCommenter(client, github.Sticky{Marker: markdown.Marker, Author: *author}, log).Upsert(ctx, ghenv.Owner, ghenv.Repo, ghenv.PR, markdown.RenderComment(c))
	if errors.Is(err, github.ErrNoWritePermission) && ghenv.ReadOnlyToken {
		// A pull request from a fork gets a read-only token: say so where
		// the author looks, and leave failing the check to the validate step.
		// Anywhere else a refusal is an error: taking it for a fork's would
		// let anyone silence the comment.
		note := "> **orgnotify**: could not write the pull-request comment: the token is read-only " +
			"(a pull request from a fork or from Dependabot). The findings are in the annotations and above.\n"
		fmt.Fprintln(std.err, "orgnotify comment: the token is read-only (a pull request from a fork or from Dependabot); no comment written")
		if path := getenv("GITHUB_STEP_SUMMARY"); path != "" {
			return actions.AppendStepSummary(path, note)
		}
		return nil
	}
	if errors.Is(err, github.ErrNoWritePermission) {
		return fmt.Errorf("%w (the job needs permissions: pull-requests: write)", err)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(std.out, "comment %s: %s\n", out.Action, out.URL)
	return nil
}
