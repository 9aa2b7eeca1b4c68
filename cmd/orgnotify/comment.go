package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/orgnotify/orgnotify/internal/config"
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
	fs.Usage = func() {
		fmt.Fprintln(std.err, "usage: orgnotify comment [--root DIR] [--author LOGIN] [--rules-changed] [--dry-run]")
		fmt.Fprintln(std.err, "reads GITHUB_REPOSITORY, GITHUB_EVENT_PATH, GITHUB_TOKEN and GITHUB_API_URL as set by GitHub Actions")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{"comment takes no arguments"}
	}

	res, err := config.Validate(ctx, config.Options{Root: *root})
	if err != nil {
		return err
	}
	c := markdown.Comment{Findings: res.Findings, Files: res.Files, RulesChanged: *rulesChanged}

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
