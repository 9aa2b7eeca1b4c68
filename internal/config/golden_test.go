package config

import (
	"bytes"
	"context"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orgnotify/orgnotify/internal/findings"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/invalid")

// corpusDir holds the bad-input corpus: <case>.yaml (one account file,
// validated in a copy of the example organization, at
// testdata/invalid/<case>.yaml) or a <case>/ directory (a whole repository:
// its own accounts/, and its own org.yaml or else the example's). Each has <case>.golden beside it with
// the exact findings, as the text renderer prints them.
const corpusDir = "../../testdata/invalid"

// generated are cases that cannot be committed: too large for git, or
// depending on the file system (symlinks, empty directories).
var generated = map[string]func(t *testing.T, root string){
	"too-large": func(t *testing.T, root string) {
		// 5 MB of valid-looking YAML: it must be refused unread.
		var b bytes.Buffer
		b.WriteString("id: \"900000000201\"\nname: too-large\ndescription: |\n")
		for b.Len() < 5<<20 {
			b.WriteString("  lorem ipsum dolor sit amet, consectetur adipiscing elit\n")
		}
		writeFile(t, filepath.Join(root, "accounts", "too-large.yaml"), b.Bytes())
	},
	"symlink-outside": func(t *testing.T, root string) {
		// The target exists and is valid YAML: the link must still not be
		// followed, or a pull request could make the validator read any
		// file on the runner.
		outside := filepath.Join(filepath.Dir(root), "outside.yaml")
		writeFile(t, outside, []byte("id: \"900000000202\"\n"))
		mkdir(t, filepath.Join(root, "accounts"))
		if err := os.Symlink("../../outside.yaml", filepath.Join(root, "accounts", "evil.yaml")); err != nil {
			t.Skip("symlinks not supported:", err)
		}
		if err := os.Symlink("/etc/hostname", filepath.Join(root, "accounts", "hostname.yaml")); err != nil {
			t.Fatal(err)
		}
	},
	"accounts-empty": func(t *testing.T, root string) {
		mkdir(t, filepath.Join(root, "accounts"))
		writeFile(t, filepath.Join(root, "accounts", ".gitkeep"), nil)
	},
	"accounts-missing": func(t *testing.T, root string) {},
	"misnamed-account-files": func(t *testing.T, root string) {
		// Names git can hold but a reviewer cannot see: spaces around the
		// name, and bytes that are not UTF-8. None may be skipped silently.
		copyTree(t, filepath.Join(exampleRoot, "accounts"), filepath.Join(root, "accounts"))
		data, err := os.ReadFile(filepath.Join(root, "accounts", "payments-prod.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"payments-dev.yaml ", " payments-qa.yaml", "pay\xffments.yaml", "payments-uat.yaml.", "..payments-perf.yml"} {
			if err := os.WriteFile(filepath.Join(root, "accounts", name), data, 0o644); err != nil {
				t.Skipf("file system refuses %q: %v", name, err)
			}
		}
	},
	"org-missing": func(t *testing.T, root string) {
		if err := os.Remove(filepath.Join(root, "org.yaml")); err != nil {
			t.Fatal(err)
		}
		copyTree(t, filepath.Join(exampleRoot, "accounts"), filepath.Join(root, "accounts"))
	},
}

func TestCorpusGolden(t *testing.T) {
	entries, err := os.ReadDir(corpusDir)
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]func(t *testing.T) []findings.Finding{}
	for _, e := range entries {
		name := e.Name()
		switch {
		case e.IsDir():
			cases[name] = func(t *testing.T) []findings.Finding {
				root := tempRepo(t)
				copyTree(t, filepath.Join(corpusDir, name), root)
				return validate(t, Options{Root: root})
			}
		case strings.HasSuffix(name, ".yaml"):
			base := strings.TrimSuffix(name, ".yaml")
			cases[base] = func(t *testing.T) []findings.Finding {
				root, file := caseRepo(t, filepath.Join(corpusDir, name))
				return validate(t, Options{Root: root, Files: []string{file}})
			}
		}
	}
	for name, setup := range generated {
		cases[name] = func(t *testing.T) []findings.Finding {
			root := tempRepo(t)
			setup(t, root)
			return validate(t, Options{Root: root})
		}
	}
	if len(cases) < 30 {
		t.Errorf("corpus has %d cases, want at least 30", len(cases))
	}
	for name, run := range cases {
		t.Run(name, func(t *testing.T) {
			fs := run(t)
			if findings.Errors(fs) == 0 {
				t.Errorf("no error findings: every corpus case must be rejected")
			}
			got := format(fs)
			golden := filepath.Join(corpusDir, name+".golden")
			if *update {
				writeFile(t, golden, []byte(got))
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -run TestCorpusGolden -update)", err)
			}
			if got != string(want) {
				t.Errorf("findings differ from %s (-update rewrites it)\ngot:\n%s\nwant:\n%s", golden, got, want)
			}
		})
	}
}

func validate(t *testing.T, opts Options) []findings.Finding {
	t.Helper()
	res, err := Validate(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	return res.Findings
}

// caseRepo copies the example organization and one corpus file, as
// testdata/invalid/<name>, into a temporary repository, so that findings
// name the file as they would in this repository, whatever organization it
// holds. It returns the root and the copied file's path.
func caseRepo(t *testing.T, src string) (root, file string) {
	t.Helper()
	root = tempRepo(t)
	copyTree(t, filepath.Join(exampleRoot, "accounts"), filepath.Join(root, "accounts"))
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	file = filepath.Join(root, "testdata", "invalid", filepath.Base(src))
	writeFile(t, file, data)
	return root, file
}

// tempRepo makes a repository root in a temporary directory with the
// example's org.yaml; the root sits one level down so "outside the root"
// has room.
func tempRepo(t *testing.T) string {
	t.Helper()
	root := filepath.Join(t.TempDir(), "repo")
	mkdir(t, root)
	data, err := os.ReadFile(filepath.Join(exampleRoot, "org.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(root, "org.yaml"), data)
	return root
}

func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func mkdir(t *testing.T, dir string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	mkdir(t, filepath.Dir(path))
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
