package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orgnotify/orgnotify/internal/findings"
)

// repoRoot is the repository this test runs in. Its org.yaml and accounts/
// are the bundled example or a fork's own organization: only
// TestRepositoryValidates reads them, assuming nothing about them.
const repoRoot = "../.."

// exampleRoot is the example organization the tests read.
const exampleRoot = repoRoot + "/testdata/example"

type result struct {
	code           int
	stdout, stderr string
}

func runCLI(t *testing.T, environ map[string]string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, stdio{&out, &errb}, func(k string) string { return environ[k] })
	return result{code, out.String(), errb.String()}
}

func TestUsageAndExitCodes(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStderr string
	}{
		{"no command", nil, exitError, "usage: orgnotify <command>"},
		{"help", []string{"help"}, exitOK, "commands:"},
		{"unknown command", []string{"deploy"}, exitError, `unknown command "deploy"`},
		{"unknown flag", []string{"validate", "--nope"}, exitError, "flag provided but not defined: -nope"},
		{"bad format", []string{"validate", "--root", exampleRoot, "--format", "xml"}, exitError, `unknown --format "xml"`},
		{"missing root", []string{"validate", "--root", "does-not-exist"}, exitError, "does-not-exist"},
		{"validate help", []string{"validate", "-h"}, exitOK, "usage: orgnotify validate"},
		{"version", []string{"version"}, exitOK, ""},
		{"version with args", []string{"version", "x"}, exitError, "version takes no arguments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, nil, tt.args...)
			if r.code != tt.wantCode {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", r.code, tt.wantCode, r.stdout, r.stderr)
			}
			if !strings.Contains(r.stderr, tt.wantStderr) {
				t.Errorf("stderr %q does not contain %q", r.stderr, tt.wantStderr)
			}
			if strings.Contains(r.stderr, "goroutine ") || strings.Contains(r.stderr, "panic") {
				t.Errorf("stderr holds a stack trace: %s", r.stderr)
			}
		})
	}
}

// TestRepositoryValidates: whatever organization this repository holds, it
// validates without errors.
func TestRepositoryValidates(t *testing.T) {
	r := runCLI(t, nil, "validate", "--root", repoRoot)
	if r.code != exitOK {
		t.Fatalf("exit %d on the repository's own configuration:\n%s%s", r.code, r.stdout, r.stderr)
	}
}

func TestValidateExample(t *testing.T) {
	summary := filepath.Join(t.TempDir(), "summary.md")
	r := runCLI(t, map[string]string{"GITHUB_STEP_SUMMARY": summary}, "validate", "--root", exampleRoot)
	if r.code != exitOK {
		t.Fatalf("exit %d on the example:\n%s%s", r.code, r.stdout, r.stderr)
	}
	if !strings.HasPrefix(r.stdout, "ok: ") {
		t.Errorf("stdout = %q, want an ok summary", r.stdout)
	}
	b, err := os.ReadFile(summary)
	if err != nil {
		t.Fatalf("step summary not written: %v", err)
	}
	if len(bytes.TrimSpace(b)) == 0 {
		t.Error("step summary is empty")
	}
}

// TestValidateInvalidCorpus runs the CLI on every single-file case of the
// bad-input corpus: exit 1 and exactly the golden findings, then the summary.
// (Cases that need a whole repository are covered in internal/config.)
func TestValidateInvalidCorpus(t *testing.T) {
	goldens, err := filepath.Glob(filepath.Join(repoRoot, "testdata", "invalid", "*.golden"))
	if err != nil {
		t.Fatal(err)
	}
	ran := 0
	for _, golden := range goldens {
		input := strings.TrimSuffix(golden, ".golden") + ".yaml"
		if _, err := os.Lstat(input); err != nil {
			continue
		}
		ran++
		t.Run(filepath.Base(input), func(t *testing.T) {
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			root, file := caseRepo(t, input)
			r := runCLI(t, nil, "validate", "--root", root, file)
			if r.code != exitFindings {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", r.code, exitFindings, r.stdout, r.stderr)
			}
			lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
			got := strings.Join(lines[:len(lines)-1], "\n") + "\n"
			if got != string(want) {
				t.Errorf("findings differ from %s\ngot:\n%swant:\n%s", golden, got, want)
			}
			if !strings.HasPrefix(lines[len(lines)-1], "fail: ") {
				t.Errorf("last line %q is not the fail summary", lines[len(lines)-1])
			}
		})
	}
	if ran < 30 {
		t.Errorf("only %d single-file corpus cases ran; the corpus must have at least 30", ran)
	}
}

func TestValidateFormats(t *testing.T) {
	root, input := caseRepo(t, filepath.Join(repoRoot, "testdata", "invalid", "id-as-number.yaml"))

	t.Run("json", func(t *testing.T) {
		r := runCLI(t, nil, "validate", "--root", root, "--format", "json", input)
		if r.code != exitFindings {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		var rep findings.Report
		if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
			t.Fatalf("stdout is not JSON: %v\n%s", err, r.stdout)
		}
		if rep.Errors != 1 || len(rep.Findings) != 1 || rep.Findings[0].Field != "id" || rep.Findings[0].Line != 3 {
			t.Errorf("report = %+v", rep)
		}
	})

	t.Run("github", func(t *testing.T) {
		r := runCLI(t, nil, "validate", "--root", root, "--format", "github", input)
		if r.code != exitFindings {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		first := strings.SplitN(r.stdout, "\n", 2)[0]
		if !strings.HasPrefix(first, "::error file=testdata/invalid/id-as-number.yaml,line=3,col=5") {
			t.Errorf("first line = %q, want an error annotation on line 3 col 5", first)
		}
	})
}

// TestErrorsReportedOnce: main names the command once, and nothing below it
// repeats a prefix or a path.
func TestErrorsReportedOnce(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	missing := filepath.Join(t.TempDir(), "gone")
	for _, tc := range []struct {
		name string
		ctx  context.Context
		args []string
		want string
	}{
		{"cancelled", cancelled, []string{"validate", "--root", exampleRoot}, "orgnotify validate: context canceled\n"},
		{"root missing", context.Background(), []string{"validate", "--root", missing}, "orgnotify validate: repository root " + missing + ": no such file or directory\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(tc.ctx, tc.args, stdio{&out, &errb}, func(string) string { return "" })
			if code != exitError || errb.String() != tc.want {
				t.Errorf("exit %d, stderr %q; want %d, %q", code, errb.String(), exitError, tc.want)
			}
		})
	}
}
