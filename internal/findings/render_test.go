package findings

import (
	"bytes"
	"errors"
	"slices"
	"testing"
)

var (
	errAt = Finding{File: "accounts/payments.yaml", Line: 3, Col: 5, Field: "cost.currency", Message: `must be one of "USD", "EUR"`, Severity: Error, Rule: "schema"}
	// whole-file finding: no line, no column, no field
	errFile = Finding{File: "accounts/legacy.yaml", Message: "duplicate account ID 123456789012 (also in accounts/payments.yaml)", Severity: Error, Rule: "duplicate-account-id"}
	warnAt  = Finding{File: "accounts/payments.yaml", Line: 9, Col: 3, Field: "events[0].name", Message: "deprecated: use guardduty", Severity: Warning, Rule: "deprecated"}
	// line without column, message over two lines
	errMulti = Finding{File: "org.yaml", Line: 12, Message: "unknown field \"regoins\"\ndid you mean \"regions\"?", Severity: Error, Rule: "schema"}
)

func TestWriteText(t *testing.T) {
	tests := []struct {
		name  string
		fs    []Finding
		files int
		want  string
	}{
		{
			name:  "clean",
			files: 6,
			want:  "ok: 6 files, no findings\n",
		},
		{
			name:  "clean single file",
			files: 1,
			want:  "ok: 1 file, no findings\n",
		},
		{
			name:  "warnings only pass",
			fs:    []Finding{warnAt},
			files: 6,
			want: "accounts/payments.yaml:9:3: warning: events[0].name: deprecated: use guardduty\n" +
				"ok: 6 files, 1 warning in 1 file\n",
		},
		{
			name:  "sorted, locations and fields omitted when unknown",
			fs:    []Finding{errMulti, warnAt, errFile, errAt},
			files: 6,
			want: "accounts/legacy.yaml: duplicate account ID 123456789012 (also in accounts/payments.yaml)\n" +
				"accounts/payments.yaml:3:5: cost.currency: must be one of \"USD\", \"EUR\"\n" +
				"accounts/payments.yaml:9:3: warning: events[0].name: deprecated: use guardduty\n" +
				"org.yaml:12: unknown field \"regoins\"\\ndid you mean \"regions\"?\n" +
				"fail: 3 errors, 1 warning in 3 of 6 files\n",
		},
		{
			name:  "one error",
			fs:    []Finding{errAt},
			files: 1,
			want: "accounts/payments.yaml:3:5: cost.currency: must be one of \"USD\", \"EUR\"\n" +
				"fail: 1 error in 1 of 1 file\n",
		},
		{
			name: "findings about missing files still count them",
			fs: []Finding{
				{File: "accounts", Message: "accounts/ directory is missing", Severity: Error},
				{File: "org.yaml", Message: "org.yaml is missing", Severity: Error},
			},
			files: 0,
			want: "accounts: accounts/ directory is missing\n" +
				"org.yaml: org.yaml is missing\n" +
				"fail: 2 errors in 2 of 2 files\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteText(&buf, tt.fs, tt.files); err != nil {
				t.Fatal(err)
			}
			if got := buf.String(); got != tt.want {
				t.Errorf("WriteText:\n got: %q\nwant: %q", got, tt.want)
			}
		})
	}
}

func TestWriteJSON(t *testing.T) {
	tests := []struct {
		name  string
		fs    []Finding
		files int
		want  string
	}{
		{
			name:  "clean has an empty array, not null",
			files: 2,
			want: `{
  "files": 2,
  "errors": 0,
  "warnings": 0,
  "findings": []
}
`,
		},
		{
			name:  "sorted with counts and omitted zero positions",
			fs:    []Finding{warnAt, errFile},
			files: 6,
			want: `{
  "files": 6,
  "errors": 1,
  "warnings": 1,
  "findings": [
    {
      "file": "accounts/legacy.yaml",
      "message": "duplicate account ID 123456789012 (also in accounts/payments.yaml)",
      "severity": "error",
      "rule": "duplicate-account-id"
    },
    {
      "file": "accounts/payments.yaml",
      "line": 9,
      "col": 3,
      "field": "events[0].name",
      "message": "deprecated: use guardduty",
      "severity": "warning",
      "rule": "deprecated"
    }
  ]
}
`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteJSON(&buf, tt.fs, tt.files); err != nil {
				t.Fatal(err)
			}
			if got := buf.String(); got != tt.want {
				t.Errorf("WriteJSON:\n got: %s\nwant: %s", got, tt.want)
			}
		})
	}
}

func TestRenderersDoNotReorderInput(t *testing.T) {
	in := []Finding{warnAt, errAt, errFile}
	orig := slices.Clone(in)
	var buf bytes.Buffer
	if err := WriteText(&buf, in, 3); err != nil {
		t.Fatal(err)
	}
	if err := WriteJSON(&buf, in, 3); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(in, orig) {
		t.Errorf("input reordered: %v", in)
	}
}

type failingWriter struct{}

var errDiskFull = errors.New("disk full")

func (failingWriter) Write([]byte) (int, error) { return 0, errDiskFull }

func TestWriteErrorsAreReturned(t *testing.T) {
	tests := []struct {
		name  string
		write func() error
	}{
		{"text", func() error { return WriteText(failingWriter{}, []Finding{errAt}, 1) }},
		{"json", func() error { return WriteJSON(failingWriter{}, []Finding{errAt}, 1) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.write(); !errors.Is(err, errDiskFull) {
				t.Errorf("err = %v, want %v", err, errDiskFull)
			}
		})
	}
}
