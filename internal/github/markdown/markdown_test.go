package markdown

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orgnotify/orgnotify/internal/findings"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from %s (go test -update rewrites it):\n--- got\n%s\n--- want\n%s", name, path, got, want)
	}
}

var (
	fCurrency = findings.Finding{File: "accounts/payments.yaml", Line: 3, Col: 5, Field: "cost.currency", Message: `must be one of "USD", "EUR"`, Severity: findings.Error, Rule: "schema"}
	fDup      = findings.Finding{File: "accounts/legacy.yaml", Message: "duplicate account ID 123456789012 (also in accounts/payments.yaml)", Severity: findings.Error, Rule: "duplicate-account-id"}
	fDeprec   = findings.Finding{File: "accounts/payments.yaml", Line: 9, Col: 3, Field: "events[0].name", Message: "deprecated: use guardduty", Severity: findings.Warning, Rule: "deprecated"}
	// Text from a pull request is hostile until escaped.
	fHostile = findings.Finding{File: "accounts/team_a|b.yaml", Line: 4, Col: 1, Field: "owner", Message: "unknown owner \"@acme/security\" | <img src=x onerror=alert(1)> **bold** [link](https://evil.example) `code` $x$ #12\nsecond line", Severity: findings.Error, Rule: "owner"}
)

func manyFindings(n int) []findings.Finding {
	fs := make([]findings.Finding, n)
	for i := range fs {
		fs[i] = findings.Finding{
			File:     fmt.Sprintf("accounts/team-%03d.yaml", i),
			Line:     i%40 + 1,
			Col:      3,
			Field:    "slack.channels[0]",
			Message:  "channel ID must look like C0123456789",
			Severity: findings.Error,
			Rule:     "schema",
		}
	}
	return fs
}

func TestRenderComment(t *testing.T) {
	tests := []struct {
		name string
		c    Comment
	}{
		{"clean", Comment{Files: 6, Commit: "0123456789abcdef0123456789abcdef01234567", RunURL: "https://github.com/acme/org-alerts/actions/runs/42"}},
		{"errors_and_warning", Comment{Findings: []findings.Finding{fDeprec, fDup, fCurrency}, Files: 6, Commit: "0123456789abcdef0123456789abcdef01234567"}},
		{"warnings_only", Comment{Findings: []findings.Finding{fDeprec}, Files: 2}},
		{"escaping", Comment{Findings: []findings.Finding{fHostile}, Files: 1}},
		{"collapsed", Comment{Findings: manyFindings(11), Files: 40, RunURL: "https://github.com/acme/org-alerts/actions/runs/42"}},
		{"rules_changed", Comment{Findings: []findings.Finding{fCurrency}, Files: 2, RulesChanged: true}},
		{"with_plan_and_digest", Comment{
			Findings:      []findings.Finding{fDeprec},
			Files:         3,
			Plan:          "```diff\n+ aws_sns_topic orgnotify-events (111111111111/us-east-1)\n```\n",
			DigestPreview: "**payments** · yesterday $12.34 (+5% vs 7-day average)",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := RenderComment(tt.c)
			if !strings.HasPrefix(got, Marker+"\n") {
				t.Errorf("comment does not start with the marker line")
			}
			golden(t, "comment_"+tt.name, got)
		})
	}
}

func TestRenderCommentSizeGuard(t *testing.T) {
	tests := []struct {
		name        string
		c           Comment
		wantOmitted string
	}{
		{"many findings", Comment{Findings: manyFindings(3000), Files: 3000}, " more not shown here"},
		{"huge plan and many findings", Comment{Findings: manyFindings(3000), Files: 3000, Plan: "```\n" + strings.Repeat("+ resource\n", 20000) + "```"}, " more bytes not shown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := RenderComment(tt.c)
			if len(got) > maxCommentSize {
				t.Fatalf("comment is %d bytes, over %d", len(got), maxCommentSize)
			}
			if len(got) < maxCommentSize-2000 {
				t.Errorf("comment is %d bytes: the table was cut more than needed", len(got))
			}
			rows := strings.Count(got, "| accounts/team-")
			wantNote := fmt.Sprintf("… %d more not shown here", len(tt.c.Findings)-rows)
			if rows == 0 || !strings.Contains(got, wantNote) {
				t.Errorf("%d rows shown; want a note %q", rows, wantNote)
			}
			if !strings.Contains(got, tt.wantOmitted) {
				t.Errorf("missing %q", tt.wantOmitted)
			}
			if !strings.HasSuffix(strings.TrimSpace(got), "</details>") && !strings.Contains(got, "#### Slack digest preview") {
				t.Errorf("sections after the table were lost")
			}
			if strings.Count(got, "```")%2 != 0 {
				t.Errorf("unbalanced code fences")
			}
		})
	}
}

func TestStepSummary(t *testing.T) {
	tests := []struct {
		name  string
		fs    []findings.Finding
		files int
	}{
		{"clean", nil, 6},
		{"errors_and_warning", []findings.Finding{fDeprec, fDup, fCurrency}, 6},
		// The summary is read on its own page: no folding, however many.
		{"many", manyFindings(12), 12},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			golden(t, "summary_"+tt.name, StepSummary(tt.fs, tt.files))
		})
	}
}

func TestEscapeCell(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain text 123", "plain text 123"},
		{"a|b", `a\|b`},
		{"@acme/security", "@&#8203;acme/security"},
		{"<b>&</b>", "&lt;b&gt;&amp;&lt;/b&gt;"},
		{"*_`[]~#$\\", "\\*\\_\\`\\[\\]\\~\\#\\$\\\\"},
		{"one\ntwo\r\nthree", "one<br>two<br>three"},
		{"  padded\n", "padded"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := escapeCell(tt.in); got != tt.want {
				t.Errorf("escapeCell(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestTemplatesAreEmbedded(t *testing.T) {
	for _, name := range []string{"comment.md.tmpl", "summary.md.tmpl", "findings"} {
		if templates.Lookup(name) == nil {
			t.Errorf("template %q missing", name)
		}
	}
}

// TestRenderCommentShowsFirstFindingsWhateverTheirSize: one finding with a
// huge message used to leave no room for any row.
func TestRenderCommentShowsFirstFindingsWhateverTheirSize(t *testing.T) {
	fs := manyFindings(200)
	for i := range fs {
		fs[i].Message = strings.Repeat("accounts/other.yaml, ", 10000)
	}
	got := RenderComment(Comment{Findings: fs, Files: 200, Plan: strings.Repeat("x\n", maxPlanSize), DigestPreview: strings.Repeat("y\n", maxDigestSize)})
	if len(got) > maxCommentSize {
		t.Fatalf("comment is %d bytes", len(got))
	}
	if shown := strings.Count(got, "| accounts/team-"); shown < 10 || !strings.Contains(got, "| accounts/team-000.yaml |") {
		t.Errorf("%d rows shown, want the first ones", shown)
	}
}
