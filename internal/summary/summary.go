// Package summary is the result of one `orgnotify reconcile` run: each
// step's typed outcome (ok, failed, skipped, with its error), rendered as
// one line per step (text) or a table (Markdown), stored as JSON, and
// merged across the shards of a GitHub Actions matrix. It is a plain value;
// nothing here talks to AWS or Slack.
package summary

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Status is a step's outcome.
type Status string

// Step outcomes, as flux names its results: one word a person and a
// program both read.
const (
	OK      Status = "ok"
	Failed  Status = "failed"
	Skipped Status = "skipped"
)

// Step is one step of a run.
type Step struct {
	Name   string `json:"name"`             // "apply", "digest events", "digest cost"
	Status Status `json:"status"`           // ok, failed or skipped
	Detail string `json:"detail,omitempty"` // what it did, in one line
	Error  string `json:"error,omitempty"`  // why it failed, or why it was skipped
}

// Run is the result of one reconcile run: one shard of the organization
// (or all of it: "1/1").
type Run struct {
	Shard string `json:"shard"` // "i/n"
	Steps []Step `json:"steps"`
}

// Failed reports whether any step failed: the run's exit status.
func (r Run) Failed() bool {
	return slices.ContainsFunc(r.Steps, func(s Step) bool { return s.Status == Failed })
}

// Report is one or more runs, in shard order: what the last job of a
// sharded workflow shows.
type Report struct {
	Runs []Run `json:"runs"`
}

// Failed reports whether any step of any run failed.
func (r Report) Failed() bool {
	return slices.ContainsFunc(r.Runs, Run.Failed)
}

// WriteJSON writes the run as one indented JSON document.
func WriteJSON(w io.Writer, r Run) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// ErrNotARun is returned for a document that is not a run's JSON.
var ErrNotARun = errors.New("not an orgnotify reconcile result")

// ReadJSON reads a run written by WriteJSON.
func ReadJSON(r io.Reader) (Run, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var run Run
	if err := dec.Decode(&run); err != nil {
		return Run{}, fmt.Errorf("%w: %v", ErrNotARun, err)
	}
	if _, _, err := parseShard(run.Shard); err != nil {
		return Run{}, fmt.Errorf("%w: %v", ErrNotARun, err)
	}
	for _, s := range run.Steps {
		switch s.Status {
		case OK, Failed, Skipped:
		default:
			return Run{}, fmt.Errorf("%w: step %q has status %q", ErrNotARun, s.Name, s.Status)
		}
	}
	return run, nil
}

// Merge puts the runs of an n-shard matrix in shard order. A shard with
// no result (its job failed before writing one, or its artifact is
// missing) becomes a run with one failed step, so a crashed shard can
// never read as a clean one; two results for one shard, or a result of
// another matrix size, are errors.
func Merge(runs []Run, n int) (Report, error) {
	if n < 1 {
		return Report{}, fmt.Errorf("merge: %d shards", n)
	}
	byShard := make([]*Run, n+1)
	for i := range runs {
		s, m, err := parseShard(runs[i].Shard)
		if err != nil {
			return Report{}, err
		}
		if m != n {
			return Report{}, fmt.Errorf("merge: a result of shard %s in a matrix of %d", runs[i].Shard, n)
		}
		if byShard[s] != nil {
			return Report{}, fmt.Errorf("merge: two results for shard %s", runs[i].Shard)
		}
		byShard[s] = &runs[i]
	}
	var rep Report
	for i := 1; i <= n; i++ {
		if byShard[i] == nil {
			rep.Runs = append(rep.Runs, Run{Shard: fmt.Sprintf("%d/%d", i, n), Steps: []Step{{
				Name: "shard", Status: Failed, Error: "no result: the shard's job did not finish (see its log)",
			}}})
			continue
		}
		rep.Runs = append(rep.Runs, *byShard[i])
	}
	return rep, nil
}

func parseShard(s string) (i, n int, err error) {
	if _, err := fmt.Sscanf(s, "%d/%d", &i, &n); err != nil || n < 1 || i < 1 || i > n || fmt.Sprintf("%d/%d", i, n) != s {
		return 0, 0, fmt.Errorf("shard %q: want i/n with 1 ≤ i ≤ n", s)
	}
	return i, n, nil
}

// WriteText writes one line per step: "apply           ok       …".
// Shards are named when there is more than one.
func WriteText(w io.Writer, rep Report) error {
	var b strings.Builder
	many := len(rep.Runs) > 1
	for _, r := range rep.Runs {
		for _, s := range r.Steps {
			name := s.Name
			if many {
				name = "[" + r.Shard + "] " + name
			}
			line := fmt.Sprintf("%-20s %-8s %s", name, s.Status, s.Detail)
			if s.Error != "" {
				if s.Detail != "" {
					line += ": "
				}
				line += s.Error
			}
			b.WriteString(strings.TrimRight(line, " ") + "\n")
		}
	}
	b.WriteString(verdict(rep) + "\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func verdict(rep Report) string {
	var failed []string
	for _, r := range rep.Runs {
		for _, s := range r.Steps {
			if s.Status == Failed {
				name := s.Name
				if len(rep.Runs) > 1 {
					name = r.Shard + " " + name
				}
				failed = append(failed, name)
			}
		}
	}
	if len(failed) == 0 {
		return "reconcile: every step ok or skipped"
	}
	return fmt.Sprintf("reconcile: %d step(s) failed: %s", len(failed), strings.Join(failed, ", "))
}

// Markdown renders the report as a table for the job summary. Cells are
// escaped: an error message from AWS or Slack cannot break the table.
func Markdown(rep Report) string {
	var b strings.Builder
	b.WriteString("## orgnotify reconcile\n\n")
	many := len(rep.Runs) > 1
	if many {
		b.WriteString("| Shard | Step | Status | Detail |\n|---|---|---|---|\n")
	} else {
		b.WriteString("| Step | Status | Detail |\n|---|---|---|\n")
	}
	for _, r := range rep.Runs {
		for _, s := range r.Steps {
			detail := s.Detail
			if s.Error != "" {
				if detail != "" {
					detail += ": "
				}
				detail += s.Error
			}
			status := string(s.Status)
			if s.Status == Failed {
				status = "**failed**"
			}
			if many {
				fmt.Fprintf(&b, "| %s ", cell(r.Shard))
			}
			fmt.Fprintf(&b, "| %s | %s | %s |\n", cell(s.Name), status, cell(detail))
		}
	}
	b.WriteString("\n" + verdict(rep) + "\n")
	return b.String()
}

var cellEscaper = strings.NewReplacer("|", `\|`, "\n", " ", "\r", " ", "<", "&lt;", ">", "&gt;", "`", "'")

func cell(s string) string {
	const max = 500
	s = cellEscaper.Replace(strings.TrimSpace(s))
	if r := []rune(s); len(r) > max {
		s = string(r[:max]) + "…"
	}
	return s
}
