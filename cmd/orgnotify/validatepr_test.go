package main

import (
	"bytes"
	"io/fs"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// workflowCommand is what .github/workflows/validate.yml runs once it has
// checked out the base commit into base/ and the pull request into pr/.
const workflowCommand = "bash base/.ci/validate-pr.sh --comment base pr"

// TestPullRequestJudgedByBaseRules: a pull request loosens
// schema/account.schema.json (a longer description) and adds an account
// file that only the loosened schema accepts. Run as the workflow runs it,
// on the two commits of a temporary repository, validation fails with the
// base's rules, and the comment says the pull request changes them.
func TestPullRequestJudgedByBaseRules(t *testing.T) {
	if testing.Short() {
		t.Skip("builds orgnotify twice")
	}
	for _, tool := range []string{"git", "bash", "go", "diff"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is needed: %v", tool, err)
		}
	}
	workflow, err := os.ReadFile(filepath.Join(repoRoot, ".github", "workflows", "validate.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(workflow, []byte(workflowCommand)) {
		t.Fatalf("validate.yml no longer runs %q; keep this test in step with it", workflowCommand)
	}

	work := t.TempDir()
	repo := filepath.Join(work, "repo")
	copyModule(t, repoRoot, repo)
	git(t, repo, "init", "-q", "-b", "main")
	git(t, repo, "add", "-A")
	git(t, repo, "commit", "-q", "-m", "base")
	baseSHA := strings.TrimSpace(git(t, repo, "rev-parse", "HEAD"))

	schemaPath := filepath.Join(repo, "schema", "account.schema.json")
	schema, err := os.ReadFile(schemaPath)
	if err != nil {
		t.Fatal(err)
	}
	const strict = "\"description\": \"What runs in the account; shown in digests.\",\n      \"type\": \"string\",\n      \"maxLength\": 256,"
	loose := strings.Replace(string(schema), strict, strings.Replace(strict, "256", "4096", 1), 1)
	if loose == string(schema) {
		t.Fatal("the description's maxLength was not found in the schema; update this test")
	}
	writeTestFile(t, schemaPath, loose)
	writeTestFile(t, filepath.Join(repo, "accounts", "loose.yaml"), "# yaml-language-server: $schema=../schema/account.schema.json\n"+
		"id: \"900000000777\"\nname: loose\ndescription: "+strings.Repeat("x", 300)+"\nowner: {team: t}\nslack: {channels: [C0123ABCDEF]}\n")
	git(t, repo, "add", "-A")
	git(t, repo, "commit", "-q", "-m", "loosen the schema and use it")
	headSHA := strings.TrimSpace(git(t, repo, "rev-parse", "HEAD"))

	// The workflow's two checkouts.
	git(t, repo, "worktree", "add", "-q", "--detach", filepath.Join(work, "base"), baseSHA)
	git(t, repo, "worktree", "add", "-q", "--detach", filepath.Join(work, "pr"), headSHA)

	gh := &fakeGitHub{comments: map[int64]string{}}
	srv := httptest.NewServer(gh)
	defer srv.Close()
	env := actionsEnv(t, srv.URL, prEvent)

	out, code := shell(t, work, env, workflowCommand)
	t.Logf("%s:\n%s", workflowCommand, out)
	if code != exitFindings {
		t.Fatalf("exit %d, want %d: the base's rules must refuse the file\n%s", code, exitFindings, out)
	}
	for _, want := range []string{
		"::error file=accounts/loose.yaml,line=4,col=14,title=description::must be at most 256 characters (it has 300)",
		"::notice title=orgnotify validate::this pull request changes the rules",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if len(gh.comments) != 1 || !strings.Contains(gh.comments[1], "This pull request changes the rules") || !strings.Contains(gh.comments[1], "accounts/loose.yaml") {
		t.Errorf("comments = %v, want one naming the file and the changed rules", gh.comments)
	}

	// From a fork: a read-only token, no comment, a note in the job
	// summary, and the check still fails on the findings.
	fork := &fakeGitHub{comments: map[int64]string{}, denyPost: true}
	forkSrv := httptest.NewServer(fork)
	defer forkSrv.Close()
	forkEnv := actionsEnv(t, forkSrv.URL, forkEvent)
	if out, code := shell(t, work, forkEnv, workflowCommand); code != exitFindings || len(fork.comments) != 0 {
		t.Errorf("fork: exit %d, %d comments; want %d and none\n%s", code, len(fork.comments), exitFindings, out)
	}
	if summary, err := os.ReadFile(forkEnv["GITHUB_STEP_SUMMARY"]); err != nil || !bytes.Contains(summary, []byte("accounts/loose.yaml")) || !bytes.Contains(summary, []byte("could not write the pull-request comment")) {
		t.Errorf("fork: job summary = %q (%v), want the findings and the read-only note", summary, err)
	}

	// A pull request that only adds a valid account file passes, with no
	// word about changed rules.
	git(t, repo, "worktree", "add", "-q", "--detach", filepath.Join(work, "pr2"), baseSHA)
	writeTestFile(t, filepath.Join(work, "pr2", "accounts", "plain.yaml"), "# yaml-language-server: $schema=../schema/account.schema.json\n"+
		"id: \"900000000778\"\nname: plain\nowner: {team: t}\nslack: {channels: [C0123ABCDEF]}\nevents: {stackFailures: {}}\n")
	if out, code := shell(t, work, nil, "bash base/.ci/validate-pr.sh base pr2"); code != exitOK || strings.Contains(out, "changes the rules") {
		t.Errorf("account-only pull request: exit %d, want 0 and no rules notice\n%s", code, out)
	}

	// The same pull request as the workflow comments on it from a branch
	// of this repository: the digest preview of the added account on the
	// base's sample events, and, with ORGNOTIFY_PLAN_MEMBER_ROLE set (the
	// workflow sets it when the plan role gave credentials), a plan made as
	// that role. Here awssim has no trail logging, so the plan's preflight
	// refuses and the comment quotes why; the check stays green.
	simEnv(t)
	for _, tc := range []struct {
		name, role, plan string
	}{
		{"no credentials", "", "_No plan: this run has no read-only AWS credentials."},
		{"plan role", "OrganizationAccountAccessRole", "no CloudTrail trail is logging"},
	} {
		pr2 := &fakeGitHub{comments: map[int64]string{}}
		pr2Srv := httptest.NewServer(pr2)
		defer pr2Srv.Close()
		env := actionsEnv(t, pr2Srv.URL, prEvent)
		env["ORGNOTIFY_PLAN_MEMBER_ROLE"] = tc.role
		out, code := shell(t, work, env, "bash base/.ci/validate-pr.sh --comment base pr2")
		if code != exitOK || len(pr2.comments) != 1 {
			t.Fatalf("%s: exit %d, %d comments\n%s", tc.name, code, len(pr2.comments), out)
		}
		body := pr2.comments[1]
		for _, want := range []string{tc.plan, "**plain** (900000000778): 2 of 13 sample events would be posted", "── C0123ABCDEF ──"} {
			if !strings.Contains(body, want) {
				t.Errorf("%s: the comment lacks %q:\n%s", tc.name, want, body)
			}
		}
	}

	// The same files with the pull request's own rules pass: the failure
	// above is the base's rules at work, not a broken file.
	if out, code := shell(t, work, nil, "bash pr/.ci/validate-pr.sh pr pr"); code != exitOK {
		t.Errorf("with the loosened rules: exit %d, want 0\n%s", code, out)
	}
}

// copyModule copies what building orgnotify and validating need: the
// module's source, the .ci scripts, and the example organization as the
// repository's own.
func copyModule(t *testing.T, src, dst string) {
	t.Helper()
	for _, dir := range []string{"cmd", "internal", "schema", ".ci"} {
		err := filepath.WalkDir(filepath.Join(src, dir), func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(src, path)
			if d.IsDir() {
				if d.Name() == "testdata" {
					return filepath.SkipDir
				}
				return os.MkdirAll(filepath.Join(dst, rel), 0o755)
			}
			if !d.Type().IsRegular() {
				return nil
			}
			return copyFile(path, filepath.Join(dst, rel))
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"go.mod", "go.sum"} {
		if err := copyFile(filepath.Join(src, f), filepath.Join(dst, f)); err != nil {
			t.Fatal(err)
		}
	}
	// The sample events the pull-request comment's digest preview uses.
	samples, err := filepath.Glob(filepath.Join(src, "testdata", "events", "*.json"))
	if err != nil || len(samples) == 0 {
		t.Fatalf("no sample events: %v", err)
	}
	for _, f := range samples {
		if err := copyFile(f, filepath.Join(dst, "testdata", "events", filepath.Base(f))); err != nil {
			t.Fatal(err)
		}
	}
	example := filepath.Join(src, "testdata", "example")
	if err := copyFile(filepath.Join(example, "org.yaml"), filepath.Join(dst, "org.yaml")); err != nil {
		t.Fatal(err)
	}
	accounts, err := filepath.Glob(filepath.Join(example, "accounts", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range accounts {
		if err := copyFile(a, filepath.Join(dst, "accounts", filepath.Base(a))); err != nil {
			t.Fatal(err)
		}
	}
}

func copyFile(src, dst string) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	return os.WriteFile(dst, data, 0o644)
}

func writeTestFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com", "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// shell runs command with bash in dir, with the GitHub Actions variables
// of env added to this process's environment (those not given are
// cleared, so the test never talks to a real GitHub).
func shell(t *testing.T, dir string, env map[string]string, command string) (string, int) {
	t.Helper()
	cmd := exec.Command("bash", "-c", command)
	cmd.Dir = dir
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GITHUB_") && !strings.HasPrefix(kv, "RUNNER_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			return string(out), ee.ExitCode()
		}
		t.Fatal(err)
	}
	return string(out), 0
}
