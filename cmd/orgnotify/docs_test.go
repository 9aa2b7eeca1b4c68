package main

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// documented are the files whose code blocks may only show commands that
// exist.
var documented = []string{"README.md", "docs/operations.md"}

// withPositionals are the commands that take arguments after their flags.
var withPositionals = []string{"validate", "summary merge"}

// docCommand is one orgnotify command line from a code block.
type docCommand struct {
	where string // file:line
	args  []string
}

// commandLine matches a command line that runs orgnotify: at the start of
// the line (after environment assignments), as `go run ./cmd/orgnotify`, a
// built binary (`./bin/orgnotify`) or `orgnotify` on the PATH.
var commandLine = regexp.MustCompile(`^(?:[A-Z_][A-Z0-9_]*=\S*\s+)*(?:go run \./cmd/orgnotify|\S*bin/orgnotify|orgnotify)(?:\s+(.*))?$`)

// docCommands extracts every orgnotify command from the fenced code blocks
// of path: continuation lines joined, comments, redirections and pipes cut.
func docCommands(t *testing.T, path string) []docCommand {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []docCommand
	in := false
	var joined strings.Builder
	start := 0
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "```") {
			in = !in
			continue
		}
		if !in {
			continue
		}
		if joined.Len() == 0 {
			start = n
		}
		if cont, ok := strings.CutSuffix(line, `\`); ok {
			joined.WriteString(cont + " ")
			continue
		}
		joined.WriteString(line)
		cmd := joined.String()
		joined.Reset()
		if i := strings.Index(cmd, "#"); i == 0 || (i > 0 && cmd[i-1] == ' ') {
			cmd = cmd[:i]
		}
		m := commandLine.FindStringSubmatch(strings.TrimSpace(cmd))
		if m == nil {
			continue
		}
		var args []string
		for _, tok := range strings.Fields(m[1]) {
			if slices.Contains([]string{">", ">>", "|", "&&", "||", ";", "&", "2>", "2>&1"}, tok) {
				break
			}
			args = append(args, strings.Trim(tok, `"'`))
		}
		out = append(out, docCommand{where: filepath.Base(path) + ":" + strconv.Itoa(start), args: args})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if in {
		t.Fatalf("%s: a code block is not closed", path)
	}
	return out
}

// flagDefinitions runs `orgnotify <sub> -h` and reads the flags its real
// flag set prints: name → whether it takes a value.
func flagDefinitions(t *testing.T, sub []string) map[string]bool {
	t.Helper()
	r := runCLI(t, nil, append(slices.Clone(sub), "-h")...)
	if r.code != exitOK {
		t.Fatalf("orgnotify %s -h: exit %d\n%s", strings.Join(sub, " "), r.code, r.stderr)
	}
	defs := map[string]bool{}
	re := regexp.MustCompile(`(?m)^  -([a-z0-9-]+)(?: (\S+))?`)
	for _, m := range re.FindAllStringSubmatch(r.stderr, -1) {
		defs[m[1]] = m[2] != ""
	}
	return defs
}

// TestDocumentedCommandsParse: every `orgnotify ...` line in the README's
// and the operations guide's code blocks names a command that exists, with
// flags its real flag set accepts (names, and values of the right type):
// each is run with its flags and -h appended, which parses them all and
// stops before doing anything.
func TestDocumentedCommandsParse(t *testing.T) {
	known := map[string]bool{}
	for _, c := range commands() {
		known[c.name] = true
	}
	total := 0
	seen := map[string]bool{}
	for _, doc := range documented {
		for _, c := range docCommands(t, filepath.Join(repoRoot, doc)) {
			total++
			if len(c.args) == 0 || !known[c.args[0]] {
				t.Errorf("%s: orgnotify %s: no such command", c.where, strings.Join(c.args, " "))
				continue
			}
			sub := c.args[:1]
			if c.args[0] == "digest" || c.args[0] == "summary" {
				if len(c.args) < 2 {
					t.Errorf("%s: orgnotify %s needs a verb", c.where, c.args[0])
					continue
				}
				sub = c.args[:2]
			}
			name := strings.Join(sub, " ")
			seen[name] = true
			defs := flagDefinitions(t, sub)
			var flags []string
			rest := c.args[len(sub):]
			for i := 0; i < len(rest); i++ {
				tok := rest[i]
				if !strings.HasPrefix(tok, "-") {
					if !slices.Contains(withPositionals, name) {
						t.Errorf("%s: orgnotify %s takes no argument %q", c.where, name, tok)
					}
					continue
				}
				flag, _, hasValue := strings.Cut(strings.TrimLeft(tok, "-"), "=")
				takesValue, ok := defs[flag]
				if !ok {
					t.Errorf("%s: orgnotify %s has no flag %s", c.where, name, tok)
					continue
				}
				flags = append(flags, tok)
				if takesValue && !hasValue {
					if i+1 >= len(rest) {
						t.Errorf("%s: orgnotify %s: %s needs a value", c.where, name, tok)
						break
					}
					i++
					flags = append(flags, rest[i])
				}
			}
			// The real flag set parses every flag before -h stops it.
			r := runCLI(t, nil, append(append(slices.Clone(sub), flags...), "-h")...)
			if r.code != exitOK || !strings.Contains(r.stderr, "usage: orgnotify "+c.args[0]) {
				t.Errorf("%s: orgnotify %s does not parse: exit %d\n%s", c.where, strings.Join(c.args, " "), r.code, r.stderr)
			}
		}
	}
	// The guide covers the commands an operator runs; an extraction that
	// finds little would pass while checking nothing.
	for _, want := range []string{"validate", "plan", "apply", "reconcile", "destroy", "digest cost", "digest events", "summary merge"} {
		if !seen[want] {
			t.Errorf("no documented command line uses orgnotify %s", want)
		}
	}
	if total < 20 {
		t.Errorf("only %d documented command lines found", total)
	}
}

// TestDocCommandExtraction: what counts as an orgnotify command line.
func TestDocCommandExtraction(t *testing.T) {
	doc := filepath.Join(t.TempDir(), "doc.md")
	text := "```sh\n" +
		"go run ./cmd/orgnotify plan --shard 2/4   # a comment\n" +
		"AWS_REGION=x \\\n  go run ./cmd/orgnotify digest cost --dry-run --out /tmp/d\n" +
		"./bin/orgnotify reconcile --format json > result.json\n" +
		"aws iam put-role-policy --role-name orgnotify-ci --policy-name orgnotify \\\n  --policy-document file://p.json\n" +
		"# orgnotify digest cost: output, not a command\n" +
		"go run ./cmd/awssim -seed cmd/orgnotify/testdata/seed.yaml &\n" +
		"orgnotify destroy --confirm\n" +
		"```\n" +
		"orgnotify validate --outside-a-block\n"
	if err := os.WriteFile(doc, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range docCommands(t, doc) {
		got = append(got, c.where+" "+strings.Join(c.args, " "))
	}
	want := []string{
		"doc.md:2 plan --shard 2/4",
		"doc.md:3 digest cost --dry-run --out /tmp/d",
		"doc.md:5 reconcile --format json",
		"doc.md:10 destroy --confirm",
	}
	if !slices.Equal(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}
