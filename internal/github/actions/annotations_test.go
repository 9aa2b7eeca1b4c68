package actions

import (
	"bytes"
	"strings"
	"testing"

	"github.com/orgnotify/orgnotify/internal/findings"
)

func TestWriteAnnotations(t *testing.T) {
	tests := []struct {
		name string
		fs   []findings.Finding
		want string
	}{
		{
			name: "none",
			want: "",
		},
		{
			name: "error at line and column, titled by field",
			fs:   []findings.Finding{{File: "accounts/payments.yaml", Line: 3, Col: 5, Field: "cost.currency", Message: "must be one of USD, EUR", Severity: findings.Error, Rule: "schema"}},
			want: "::error file=accounts/payments.yaml,line=3,col=5,title=cost.currency::must be one of USD, EUR\n",
		},
		{
			name: "warning at a line without column",
			fs:   []findings.Finding{{File: "org.yaml", Line: 12, Field: "regions", Message: "deprecated", Severity: findings.Warning, Rule: "deprecated"}},
			want: "::warning file=org.yaml,line=12,title=regions::deprecated\n",
		},
		{
			name: "whole-file finding titled by rule",
			fs:   []findings.Finding{{File: "accounts/legacy.yaml", Message: "duplicate account ID", Severity: findings.Error, Rule: "duplicate-account-id"}},
			want: "::error file=accounts/legacy.yaml,title=duplicate-account-id::duplicate account ID\n",
		},
		{
			name: "no title at all",
			fs:   []findings.Finding{{File: "a.yaml", Line: 1, Col: 1, Message: "m", Severity: findings.Error}},
			want: "::error file=a.yaml,line=1,col=1::m\n",
		},
		{
			name: "column without line is dropped",
			fs:   []findings.Finding{{File: "a.yaml", Col: 4, Message: "m", Severity: findings.Error}},
			want: "::error file=a.yaml::m\n",
		},
		{
			name: "message escapes percent, shows CR and LF, keeps colons and commas",
			fs:   []findings.Finding{{File: "a.yaml", Line: 2, Message: "100% wrong:\r\nline two, ::error::injected", Severity: findings.Error}},
			want: "::error file=a.yaml,line=2::100%25 wrong:\\r\\nline two, ::error::injected\n",
		},
		{
			name: "properties also escape colon and comma",
			fs:   []findings.Finding{{File: "accounts/we,ird:name%.yaml", Line: 1, Field: "tags.a:b,c\nd", Message: "m", Severity: findings.Error}},
			want: "::error file=accounts/we%2Cird%3Aname%25.yaml,line=1,title=tags.a%3Ab%2Cc\\nd::m\n",
		},
		{
			name: "a newline in a YAML key or a file name starts no command",
			fs: []findings.Finding{
				{File: "accounts/x\n::error file=org.yaml,line=1::PWNED.yaml", Line: 1, Field: "x\n::error file=org.yaml,line=1::PWNED", Message: "unknown \x1b[31m\u2028", Severity: findings.Error},
			},
			want: "::error file=accounts/x\\n%3A%3Aerror file=org.yaml%2Cline=1%3A%3APWNED.yaml,line=1,title=x\\n%3A%3Aerror file=org.yaml%2Cline=1%3A%3APWNED::unknown \\x1b[31m\\u2028\n",
		},
		{
			name: "sorted by file and line",
			fs: []findings.Finding{
				{File: "b.yaml", Line: 1, Message: "b1", Severity: findings.Error},
				{File: "a.yaml", Line: 9, Message: "a9", Severity: findings.Warning},
				{File: "a.yaml", Line: 2, Message: "a2", Severity: findings.Error},
			},
			want: "::error file=a.yaml,line=2::a2\n" +
				"::warning file=a.yaml,line=9::a9\n" +
				"::error file=b.yaml,line=1::b1\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteAnnotations(&buf, tt.fs); err != nil {
				t.Fatal(err)
			}
			if got := buf.String(); got != tt.want {
				t.Errorf("got:\n%q\nwant:\n%q", got, tt.want)
			}
		})
	}
}

func TestWriteAnnotationsStopsAtWhatGitHubShows(t *testing.T) {
	fs := make([]findings.Finding, maxAnnotations+7)
	for i := range fs {
		fs[i] = findings.Finding{File: "a.yaml", Line: i + 1, Message: "m", Severity: findings.Error}
	}
	var buf bytes.Buffer
	if err := WriteAnnotations(&buf, fs); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != maxAnnotations+1 || lines[maxAnnotations] != "(7 more findings are not annotated; all are listed below)" {
		t.Errorf("%d lines, last %q", len(lines), lines[len(lines)-1])
	}
}
