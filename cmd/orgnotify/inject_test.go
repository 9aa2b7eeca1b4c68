package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// exampleRepo copies the example organization into a temporary repository
// root the test may change.
func exampleRepo(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	err := filepath.WalkDir(exampleRoot, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(exampleRoot, path)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(root, rel), 0o755)
		}
		if rel != "org.yaml" && !strings.HasPrefix(rel, "accounts"+string(filepath.Separator)) {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(root, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// caseRepo copies the example organization and the file src, as
// testdata/invalid/<name>, into a temporary repository; it returns the
// root and the copied file.
func caseRepo(t *testing.T, src string) (root, file string) {
	t.Helper()
	root = exampleRepo(t)
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	file = filepath.Join(root, "testdata", "invalid", filepath.Base(src))
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return root, file
}

func appendTo(t *testing.T, path, text string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(text); err != nil {
		t.Fatal(err)
	}
}

// TestValidateOutputStartsNoWorkflowCommand tries, as a pull request would,
// to make the validator print a workflow command of the attacker's choosing:
// a YAML key with a newline, a file name with a newline, and a duplicate
// account ID whose message names such a file. In no format may any line
// start an "::error"/"::warning" the validator did not write for a finding
// of its own, nor a "##[" log command.
func TestValidateOutputStartsNoWorkflowCommand(t *testing.T) {
	const payload = "::error file=org.yaml,line=1::PWNED"
	for _, tc := range []struct {
		name   string
		attack func(t *testing.T, root string)
	}{
		{"newline in a YAML key", func(t *testing.T, root string) {
			appendTo(t, filepath.Join(root, "accounts", "payments-prod.yaml"), "\"x\\n"+payload+"\": 1\n")
		}},
		{"newline in a file name", func(t *testing.T, root string) {
			if err := os.WriteFile(filepath.Join(root, "accounts", "x\n"+payload+".yaml"), []byte("id: 1\n"), 0o644); err != nil {
				t.Skip("file system refuses the name:", err)
			}
		}},
		{"duplicate ID naming a file with a newline", func(t *testing.T, root string) {
			data, err := os.ReadFile(filepath.Join(root, "accounts", "payments-prod.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(root, "accounts", "y\r\n##[group]"+payload+".yaml"), data, 0o644); err != nil {
				t.Skip("file system refuses the name:", err)
			}
		}},
		{"file name that is a command", func(t *testing.T, root string) {
			if err := os.WriteFile(filepath.Join(root, "accounts", payload), []byte("x"), 0o644); err != nil {
				t.Skip("file system refuses the name:", err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := exampleRepo(t)
			tc.attack(t, root)
			for _, format := range []string{"text", "github"} {
				r := runCLI(t, nil, "validate", "--root", root, "--format", format)
				if r.code == exitError {
					t.Fatalf("%s: exit %d\n%s%s", format, r.code, r.stdout, r.stderr)
				}
				for _, line := range strings.Split(r.stdout+r.stderr, "\n") {
					l := strings.TrimLeft(line, " \t")
					if strings.HasPrefix(l, "##[") || strings.HasPrefix(l, "::") && (format != "github" || !strings.HasPrefix(l, "::error file=accounts/") && !strings.HasPrefix(l, "::warning file=accounts/")) {
						t.Errorf("%s: line starts a command the validator did not mean:\n%s", format, line)
					}
				}
			}
		})
	}
}
