// Package markdown renders what orgnotify shows on a pull request as
// GitHub-flavoured Markdown: the sticky comment (findings, the plan, the
// Slack digest preview) and the job summary. It is pure: strings in,
// strings out; posting them is package github's job, writing the summary
// file package actions'.
package markdown

import (
	"embed"
	"fmt"
	"strconv"
	"strings"
	"text/template"

	"github.com/orgnotify/orgnotify/internal/findings"
)

// Marker is the hidden first line of the sticky comment; the commenter
// finds the comment to edit by it (and by its author).
const Marker = "<!-- orgnotify:validate -->"

const (
	// maxCommentSize is GitHub's limit on an issue comment body (65,536
	// characters). Sizes here are counted in bytes, which is never less than
	// characters, so a body within it is always accepted.
	maxCommentSize = 65536
	// maxSummarySize keeps the job summary under GitHub's 1 MiB per step.
	maxSummarySize = 1 << 20
	// collapseAfter is the number of findings above which the comment
	// table is folded into <details>, so that the plan stays in view.
	collapseAfter = 10
	// Caps for the caller-supplied sections, leaving the rest of the
	// comment to the findings.
	maxPlanSize   = 24000
	maxDigestSize = 12000
	// Caps on one table cell, in bytes before escaping, so that one long
	// finding can never push every other row out of the comment.
	maxPathCell    = 200
	maxMessageCell = 600
)

const (
	// planPlaceholder stands in for a plan the caller did not supply
	// (orgnotify comment always says why itself).
	planPlaceholder = "_No plan in this comment._"
	// digestPlaceholder stands in for a digest preview the caller did not supply.
	digestPlaceholder = "_No digest preview in this comment._"
)

//go:embed templates/*.md.tmpl
var templateFS embed.FS

var templates = template.Must(template.ParseFS(templateFS, "templates/*.md.tmpl"))

// Comment is everything the sticky pull-request comment shows.
type Comment struct {
	Findings []findings.Finding
	Files    int // number of files validated
	// RulesChanged says the pull request edits the schemas or the
	// validator: it was checked by its base's rules, its own apply after
	// merge.
	RulesChanged bool
	// Plan and DigestPreview are Markdown filled in by the plan and the
	// digest renderers; empty shows a placeholder.
	Plan          string
	DigestPreview string
	Commit        string // the pull request's head SHA
	RunURL        string // link to the workflow run
}

// RenderComment renders c as the sticky comment's Markdown, beginning with
// Marker and never longer than maxCommentSize: rows of the findings table
// that do not fit are counted in a "… N more" line instead.
func RenderComment(c Comment) string {
	data := commentData{
		Marker:       Marker,
		Verdict:      verdict(c.Findings, c.Files),
		RulesChanged: c.RulesChanged,
		Plan:         section(c.Plan, planPlaceholder, maxPlanSize),
		Digest:       section(c.DigestPreview, digestPlaceholder, maxDigestSize),
		Commit:       c.Commit, // GitHub links a full SHA and shows it shortened
		RunURL:       c.RunURL,
	}
	rows := tableRows(c.Findings)
	return fit(rows, maxCommentSize, func(shown []row, omitted int) string {
		data.Table = table{
			Rows:     shown,
			Omitted:  omitted,
			Collapse: len(rows) > collapseAfter,
			Title:    fmt.Sprintf("%d findings", len(rows)),
		}
		return execute("comment.md.tmpl", data)
	})
}

// StepSummary renders the job summary: the verdict and every finding in a
// table (up to GitHub's size limit for a step summary).
func StepSummary(fs []findings.Finding, files int) string {
	data := summaryData{Verdict: verdict(fs, files)}
	return fit(tableRows(fs), maxSummarySize, func(shown []row, omitted int) string {
		data.Table = table{Rows: shown, Omitted: omitted}
		return execute("summary.md.tmpl", data)
	})
}

type commentData struct {
	Marker, Verdict string
	RulesChanged    bool
	Table           table
	Plan, Digest    string
	Commit, RunURL  string
}

type summaryData struct {
	Verdict string
	Table   table
}

type table struct {
	Rows     []row
	Omitted  int
	Collapse bool
	Title    string
}

// row holds one finding's cells, already escaped for a Markdown table.
type row struct{ File, Line, Field, Message string }

func tableRows(fs []findings.Finding) []row {
	sorted := findings.Sorted(fs)
	rows := make([]row, 0, len(sorted))
	for _, f := range sorted {
		r := row{File: escapeCell(clip(f.File, maxPathCell)), Field: escapeCell(clip(f.Field, maxPathCell))}
		if f.Line > 0 {
			r.Line = strconv.Itoa(f.Line)
			if f.Col > 0 {
				r.Line += ":" + strconv.Itoa(f.Col)
			}
		}
		icon := "❌"
		if f.Severity == findings.Warning {
			icon = "⚠️"
		}
		r.Message = icon + " " + escapeCell(clip(f.Message, maxMessageCell))
		rows = append(rows, r)
	}
	return rows
}

// fit renders with as many rows as fit in limit bytes. Rendered length
// grows with the number of rows, so a binary search finds the largest
// count in O(log n) renders.
func fit(rows []row, limit int, render func(shown []row, omitted int) string) string {
	if out := render(rows, 0); len(out) <= limit {
		return out
	}
	lo, hi := 0, len(rows)-1 // rows[:lo] fits (or lo is 0); rows[:hi+1] does not
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if len(render(rows[:mid], len(rows)-mid)) <= limit {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	out := render(rows[:lo], len(rows)-lo)
	if len(out) > limit {
		// Unreachable with the section caps above; never hand GitHub a
		// body it would reject.
		out = truncateUTF8(out, limit)
	}
	return out
}

func verdict(fs []findings.Finding, files int) string {
	icon := "✅"
	if findings.Errors(fs) > 0 {
		icon = "❌"
	}
	return icon + " " + findings.Summary(fs, files)
}

// section returns the caller's Markdown, or placeholder when empty, cut at a
// line boundary to max bytes. A code fence left open by the cut is closed so
// that the rest of the comment is not swallowed into it.
func section(s, placeholder string, max int) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return placeholder
	}
	if len(s) <= max {
		return s
	}
	cut := s[:max]
	if i := strings.LastIndexByte(cut, '\n'); i > 0 {
		cut = cut[:i]
	} else {
		cut = truncateUTF8(cut, max)
	}
	fences := 0
	for _, line := range strings.Split(cut, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			fences++
		}
	}
	if fences%2 == 1 {
		cut += "\n```"
	}
	return cut + fmt.Sprintf("\n\n… %d more bytes not shown (comment size limit).", len(s)-len(cut))
}

// cellEscaper makes text from configuration files inert inside a Markdown
// table cell. Pull requests from forks put arbitrary text in messages, so
// besides keeping the table intact ('|', newlines) it neutralises emphasis,
// links, HTML, math and @mentions (a zero-width space after '@' stops
// GitHub from notifying the named user or team).
var cellEscaper = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`,
	"~", `\~`, "#", `\#`, "$", `\$`, "|", `\|`,
	"&", "&amp;", "<", "&lt;", ">", "&gt;",
	"@", "@&#8203;",
	"\r\n", "<br>", "\n", "<br>", "\r", "<br>",
)

func escapeCell(s string) string { return cellEscaper.Replace(strings.TrimSpace(s)) }

// clip shortens s to about n bytes, marking the cut; the job log has it all.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return truncateUTF8(s, n) + "…"
}

func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !isRuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

func execute(name string, data any) string {
	var b strings.Builder
	if err := templates.ExecuteTemplate(&b, name, data); err != nil {
		// The templates are embedded and their data are plain structs:
		// a failure is a programming error caught by the golden tests.
		panic(fmt.Sprintf("render %s: %v", name, err))
	}
	return b.String()
}
