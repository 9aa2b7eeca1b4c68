package config

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orgnotify/orgnotify/internal/findings"
)

// repoRoot is the repository. Tests do not read its org.yaml and
// accounts/, which a fork replaces with its own organization, except
// TestRepositoryValidates, which assumes nothing about their contents.
const repoRoot = "../.."

// exampleRoot is the example organization the tests read: a copy of the
// bundled example that forks keep.
const exampleRoot = repoRoot + "/testdata/example"

// format prints findings exactly as `orgnotify validate` does, without the
// closing summary line, so the goldens are what users see.
func format(fs []findings.Finding) string {
	var sb strings.Builder
	if err := findings.WriteText(&sb, fs, 0); err != nil {
		panic(err) // a strings.Builder does not fail
	}
	out := strings.TrimSuffix(sb.String(), "\n")
	if i := strings.LastIndexByte(out, '\n'); i >= 0 {
		return out[:i+1]
	}
	return ""
}

// TestRepositoryValidates: whatever organization this repository holds (the
// bundled example, or an adopter's own), it validates without errors.
func TestRepositoryValidates(t *testing.T) {
	m, fs, err := Load(context.Background(), repoRoot)
	if err != nil {
		t.Fatalf("%v\n%s", err, format(fs))
	}
	if len(m.Accounts) == 0 || m.Files != len(m.Accounts)+1 {
		t.Errorf("model has %d accounts from %d files", len(m.Accounts), m.Files)
	}
}

func TestExamplesValidate(t *testing.T) {
	res, err := Validate(context.Background(), Options{Root: exampleRoot})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Findings) > 0 {
		t.Fatalf("examples have findings:\n%s", format(res.Findings))
	}
	if res.Org == nil {
		t.Fatal("Org is nil")
	}
	var names []string
	for _, a := range res.Accounts {
		names = append(names, a.Name)
	}
	want := "payments-prod payments-staging sandbox-data-science security-audit"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("accounts = %s, want %s", got, want)
	}
	if res.Files != 5 {
		t.Errorf("Files = %d, want 5", res.Files)
	}
}

// TestSchemaComments: every example starts with the yaml-language-server
// line, pointing at a schema that exists, so editors check as people type.
func TestSchemaComments(t *testing.T) {
	files, err := filepath.Glob(exampleRoot + "/accounts/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, exampleRoot+"/org.yaml")
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			first, _, _ := strings.Cut(string(data), "\n")
			ref, ok := strings.CutPrefix(first, "# yaml-language-server: $schema=")
			if !ok {
				t.Fatalf("first line = %q", first)
			}
			want := "account.schema.json"
			if filepath.Base(f) == "org.yaml" {
				want = "org.schema.json"
			}
			if filepath.Base(ref) != want {
				t.Errorf("schema = %s, want %s", ref, want)
			}
			if _, err := os.Stat(filepath.Join(filepath.Dir(f), ref)); err != nil {
				t.Error(err)
			}
		})
	}
}
