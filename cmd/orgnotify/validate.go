package main

import (
	"context"
	"fmt"

	"github.com/orgnotify/orgnotify/internal/config"
	"github.com/orgnotify/orgnotify/internal/findings"
	"github.com/orgnotify/orgnotify/internal/github/actions"
	"github.com/orgnotify/orgnotify/internal/github/markdown"
)

// runValidate checks the repository (or the named account files) and prints
// the findings. Exit 1 on any error finding, 0 when only warnings remain.
func runValidate(ctx context.Context, args []string, std stdio, getenv env) error {
	fs := newFlags("validate", std)
	root := fs.String("root", ".", "repository root holding org.yaml and accounts/")
	format := fs.String("format", "text", "output: text, github (workflow annotations) or json")
	fs.Usage = func() {
		fmt.Fprintln(std.err, "usage: orgnotify validate [--root DIR] [--format text|github|json] [ACCOUNT_FILE...]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch *format {
	case "text", "github", "json":
	default:
		return usageError{fmt.Sprintf("unknown --format %q (want text, github or json)", *format)}
	}

	res, err := config.Validate(ctx, config.Options{Root: *root, Files: fs.Args()})
	if err != nil {
		return err
	}

	switch *format {
	case "json":
		err = findings.WriteJSON(std.out, res.Findings, res.Files)
	case "github":
		// Annotations for the diff view, and the readable list for the log.
		if err = actions.WriteAnnotations(std.out, res.Findings); err == nil {
			err = findings.WriteText(std.out, res.Findings, res.Files)
		}
	default:
		err = findings.WriteText(std.out, res.Findings, res.Files)
	}
	if err != nil {
		return err
	}
	if path := getenv("GITHUB_STEP_SUMMARY"); path != "" {
		if err := actions.AppendStepSummary(path, markdown.StepSummary(res.Findings, res.Files)); err != nil {
			return err
		}
	}
	if findings.Errors(res.Findings) > 0 {
		return errFindings
	}
	return nil
}
