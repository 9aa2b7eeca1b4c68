package actions

import (
	"cmp"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/orgnotify/orgnotify/internal/findings"
)

// WriteAnnotations writes one workflow command per finding, e.g.
//
//	::error file=accounts/a.yaml,line=3,col=5,title=cost.currency::must be one of USD, EUR
//
// which GitHub shows on that line of the pull request's diff. Findings
// without a line annotate the whole file. Every value is first made
// printable (control characters become visible escapes, see
// findings.Printable), then escaped by the runner's rules (actions/toolkit
// command.ts), so a value can neither end the command early nor start a
// new one.
//
// GitHub displays at most 10 errors and 10 warnings per step (50 per job),
// so no more than maxAnnotations are written; the text list that follows in
// the log, the job summary and the sticky comment carry the rest.
func WriteAnnotations(w io.Writer, fs []findings.Finding) error {
	var b strings.Builder
	sorted := findings.Sorted(fs)
	for i, f := range sorted {
		if i == maxAnnotations {
			fmt.Fprintf(&b, "(%d more findings are not annotated; all are listed below)\n", len(sorted)-i)
			break
		}
		b.WriteString(annotation(f))
		b.WriteByte('\n')
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write annotations: %w", err)
	}
	return nil
}

// maxAnnotations is as many as GitHub shows for a whole job.
const maxAnnotations = 50

func annotation(f findings.Finding) string {
	cmd := "error"
	if f.Severity == findings.Warning {
		cmd = "warning"
	}
	props := []string{"file=" + escapeProperty(findings.Printable(f.File))}
	if f.Line > 0 {
		props = append(props, "line="+strconv.Itoa(f.Line))
		if f.Col > 0 {
			props = append(props, "col="+strconv.Itoa(f.Col))
		}
	}
	// The title is the annotation's heading; the field says what to fix,
	// the rule is the next best thing for whole-file findings.
	if title := cmp.Or(f.Field, f.Rule); title != "" {
		props = append(props, "title="+escapeProperty(findings.Printable(title)))
	}
	return "::" + cmd + " " + strings.Join(props, ",") + "::" + escapeData(findings.Printable(f.Message))
}

// escapeData escapes a command's message. '%' goes first so that the
// escapes added for CR and LF are not themselves escaped.
func escapeData(s string) string {
	s = strings.ReplaceAll(s, "%", "%25")
	s = strings.ReplaceAll(s, "\r", "%0D")
	return strings.ReplaceAll(s, "\n", "%0A")
}

// escapeProperty escapes a property value, where ':' would end the
// properties and ',' would start the next one.
func escapeProperty(s string) string {
	s = escapeData(s)
	s = strings.ReplaceAll(s, ":", "%3A")
	return strings.ReplaceAll(s, ",", "%2C")
}
