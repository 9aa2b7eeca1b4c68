package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/orgnotify/orgnotify/internal/github/actions"
	"github.com/orgnotify/orgnotify/internal/summary"
)

const summaryUsage = "usage: orgnotify summary merge --shards N [--format text|markdown|json] PATH..."

// runSummary dispatches `orgnotify summary <verb>`; merge is the only one.
func runSummary(ctx context.Context, args []string, std stdio, getenv env) error {
	if len(args) == 0 {
		return usageError{"summary needs a verb: " + summaryUsage}
	}
	switch args[0] {
	case "merge":
		return runSummaryMerge(ctx, args[1:], std, getenv)
	case "-h", "--help", "help":
		fmt.Fprintln(std.err, summaryUsage)
		return flag.ErrHelp
	}
	return usageError{fmt.Sprintf("unknown summary verb %q (want merge)", args[0])}
}

// runSummaryMerge reads the JSON results of the shards of a matrix
// (`orgnotify reconcile --format json`), files or directories holding
// them, and prints one report in shard order; a shard without a result
// counts as failed. Exit 1 when any step of any shard failed.
func runSummaryMerge(_ context.Context, args []string, std stdio, getenv env) error {
	fset := newFlags("summary merge", std)
	shards := fset.Int("shards", 0, "how many shards the matrix had (each must have left a result)")
	format := fset.String("format", "text", "output: text, markdown or json")
	fset.Usage = func() {
		fmt.Fprintln(std.err, summaryUsage)
		fmt.Fprintln(std.err, "PATH is a result file or a directory searched for *.json (the downloaded artifacts); appends the Markdown to $GITHUB_STEP_SUMMARY when set")
		fset.PrintDefaults()
	}
	if err := fset.Parse(args); err != nil {
		return err
	}
	switch {
	case *shards < 1:
		return usageError{"--shards must be at least 1"}
	case fset.NArg() == 0:
		return usageError{"summary merge needs the result files or directories: " + summaryUsage}
	case *format != "text" && *format != "markdown" && *format != "json":
		return usageError{fmt.Sprintf("unknown --format %q (want text, markdown or json)", *format)}
	}
	files, err := resultFiles(fset.Args())
	if err != nil {
		return err
	}
	var runs []summary.Run
	for _, f := range files {
		run, err := readRun(f)
		if err != nil {
			return err
		}
		runs = append(runs, run)
	}
	rep, err := summary.Merge(runs, *shards)
	if err != nil {
		return err
	}
	switch *format {
	case "json":
		b, merr := json.MarshalIndent(rep, "", "  ")
		if merr != nil {
			return merr
		}
		_, err = std.out.Write(append(b, '\n'))
	case "markdown":
		_, err = io.WriteString(std.out, summary.Markdown(rep))
	default:
		err = summary.WriteText(std.out, rep)
	}
	if err != nil {
		return err
	}
	if path := getenv("GITHUB_STEP_SUMMARY"); path != "" {
		if err := actions.AppendStepSummary(path, summary.Markdown(rep)); err != nil {
			return err
		}
	}
	if rep.Failed() {
		return errFindings
	}
	return nil
}

// resultFiles expands directories to the *.json files under them, sorted.
func resultFiles(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			out = append(out, p)
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && strings.HasSuffix(d.Name(), ".json") {
				out = append(out, path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	sort.Strings(out)
	return out, nil
}

func readRun(path string) (summary.Run, error) {
	f, err := os.Open(path)
	if err != nil {
		return summary.Run{}, err
	}
	defer f.Close()
	run, err := summary.ReadJSON(f)
	if err != nil {
		return summary.Run{}, fmt.Errorf("%s: %w", path, err)
	}
	return run, nil
}
