package findings

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// Warnings counts the findings of severity Warning.
func Warnings(fs []Finding) int {
	n := 0
	for _, f := range fs {
		if f.Severity == Warning {
			n++
		}
	}
	return n
}

// Sorted returns a sorted copy of fs, leaving the caller's slice as it was.
func Sorted(fs []Finding) []Finding {
	out := slices.Clone(fs)
	Sort(out)
	return out
}

// Summary is the one-line verdict shared by every renderer:
//
//	ok: 6 files, no findings
//	ok: 6 files, 1 warning in 1 file
//	fail: 2 errors, 1 warning in 2 of 6 files
//
// files is the number of files validated; the count of files with findings
// is derived from fs. Saying how many files were read makes an empty or
// misconfigured run ("ok: 0 files") visible instead of silently green.
func Summary(fs []Finding, files int) string {
	errs, warns := Errors(fs), Warnings(fs)
	// Findings can name what is missing (accounts/, org.yaml) rather than a
	// file that was read; count those among the files so the line never
	// says "2 of 0 files".
	affected := countFiles(fs)
	files = max(files, affected)
	switch {
	case len(fs) == 0:
		return fmt.Sprintf("ok: %s, no findings", plural(files, "file"))
	case errs == 0:
		return fmt.Sprintf("ok: %s, %s in %s", plural(files, "file"), plural(warns, "warning"), plural(affected, "file"))
	default:
		counts := plural(errs, "error")
		if warns > 0 {
			counts += ", " + plural(warns, "warning")
		}
		return fmt.Sprintf("fail: %s in %d of %s", counts, affected, plural(files, "file"))
	}
}

// Location renders "path:line:col", dropping the parts that are unknown;
// the path as DisplayPath shows it.
func (f Finding) Location() string {
	var b strings.Builder
	b.WriteString(DisplayPath(f.File))
	if f.Line > 0 {
		b.WriteString(":" + strconv.Itoa(f.Line))
		if f.Col > 0 {
			b.WriteString(":" + strconv.Itoa(f.Col))
		}
	}
	return b.String()
}

// WriteText writes one line per finding, compiler style, then Summary:
//
//	accounts/a.yaml:3:5: cost.currency: must be one of USD, EUR
//	accounts/b.yaml:7:3: warning: events[0].name: deprecated
//	fail: 1 error, 1 warning in 2 of 6 files
//
// Editors and CI log scanners recognise the "path:line:col:" prefix. Every
// finding is exactly one line: the field and message go through Printable,
// the path through DisplayPath, so nothing a pull request wrote can start
// a line of its own (where the Actions runner would read a command).
func WriteText(w io.Writer, fs []Finding, files int) error {
	var b strings.Builder
	for _, f := range Sorted(fs) {
		b.WriteString(f.Location())
		b.WriteString(": ")
		if f.Severity == Warning {
			b.WriteString("warning: ")
		}
		if f.Field != "" {
			b.WriteString(Printable(f.Field))
			b.WriteString(": ")
		}
		b.WriteString(Printable(f.Message))
		b.WriteByte('\n')
	}
	b.WriteString(Summary(fs, files))
	b.WriteByte('\n')
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write findings: %w", err)
	}
	return nil
}

// Report is the JSON document written by WriteJSON. Its field names are a
// contract with scripts that consume `orgnotify validate --format json`.
type Report struct {
	Files    int       `json:"files"`
	Errors   int       `json:"errors"`
	Warnings int       `json:"warnings"`
	Findings []Finding `json:"findings"`
}

// WriteJSON writes a Report, indented, findings sorted; "findings" is an
// empty array rather than null when there are none.
func WriteJSON(w io.Writer, fs []Finding, files int) error {
	r := Report{
		Files:    files,
		Errors:   Errors(fs),
		Warnings: Warnings(fs),
		Findings: Sorted(fs),
	}
	if r.Findings == nil {
		r.Findings = []Finding{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("write findings as json: %w", err)
	}
	return nil
}

func countFiles(fs []Finding) int {
	seen := make(map[string]bool)
	for _, f := range fs {
		seen[f.File] = true
	}
	return len(seen)
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}
