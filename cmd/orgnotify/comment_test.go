package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/orgnotify/orgnotify/internal/github/markdown"
)

// fakeGitHub speaks the three REST calls the sticky comment needs and keeps
// the pull request's comments in memory.
type fakeGitHub struct {
	mu        sync.Mutex
	comments  map[int64]string
	authors   map[int64]string // login of each comment's author; the bot when unset
	nextID    int64
	posts     int
	patches   int
	denyPost  bool
	denyPatch bool
}

const bot = "github-actions[bot]"

func (f *fakeGitHub) author(id int64) string {
	if a, ok := f.authors[id]; ok {
		return a
	}
	return bot
}

func (f *fakeGitHub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if r.Header.Get("Authorization") != "Bearer test-token" {
		http.Error(w, `{"message":"Bad credentials"}`, http.StatusUnauthorized)
		return
	}
	path := strings.TrimPrefix(r.URL.Path, "/api/v3")
	switch {
	case r.Method == http.MethodGet && path == "/repos/acme/org-config/issues/7/comments":
		var list []map[string]any
		for id := int64(1); id <= f.nextID; id++ {
			if body, ok := f.comments[id]; ok {
				list = append(list, map[string]any{"id": id, "body": body, "user": map[string]any{"login": f.author(id)}, "html_url": "https://github.example/c/" + strconv.FormatInt(id, 10)})
			}
		}
		_ = json.NewEncoder(w).Encode(list)
	case r.Method == http.MethodPost && path == "/repos/acme/org-config/issues/7/comments":
		if f.denyPost {
			w.WriteHeader(http.StatusForbidden)
			_, _ = w.Write([]byte(`{"message":"Resource not accessible by integration"}`))
			return
		}
		var in struct{ Body string }
		_ = json.NewDecoder(r.Body).Decode(&in)
		f.nextID++
		f.posts++
		f.comments[f.nextID] = in.Body
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(map[string]any{"id": f.nextID, "body": in.Body})
	case r.Method == http.MethodPatch && strings.HasPrefix(path, "/repos/acme/org-config/issues/comments/"):
		id, _ := strconv.ParseInt(strings.TrimPrefix(path, "/repos/acme/org-config/issues/comments/"), 10, 64)
		if f.denyPatch || f.author(id) != bot {
			w.WriteHeader(http.StatusForbidden)
			_, _ = w.Write([]byte(`{"message":"Resource not accessible by integration"}`))
			return
		}
		var in struct{ Body string }
		_ = json.NewDecoder(r.Body).Decode(&in)
		f.patches++
		f.comments[id] = in.Body
		_ = json.NewEncoder(w).Encode(map[string]any{"id": id, "body": in.Body})
	default:
		http.Error(w, `{"message":"Not Found"}`, http.StatusNotFound)
	}
}

func actionsEnv(t *testing.T, apiURL, event string) map[string]string {
	t.Helper()
	dir := t.TempDir()
	eventPath := filepath.Join(dir, "event.json")
	if err := os.WriteFile(eventPath, []byte(event), 0o600); err != nil {
		t.Fatal(err)
	}
	return map[string]string{
		"GITHUB_REPOSITORY":   "acme/org-config",
		"GITHUB_EVENT_PATH":   eventPath,
		"GITHUB_TOKEN":        "test-token",
		"GITHUB_API_URL":      apiURL,
		"GITHUB_STEP_SUMMARY": filepath.Join(dir, "summary.md"),
	}
}

const (
	prEvent   = `{"pull_request":{"number":7,"head":{"sha":"0123abcd","repo":{"full_name":"acme/org-config"}},"base":{"repo":{"full_name":"acme/org-config"}}}}`
	forkEvent = `{"pull_request":{"number":7,"head":{"sha":"0123abcd","repo":{"full_name":"mallory/org-config"}},"base":{"repo":{"full_name":"acme/org-config"}}}}`
)

func TestCommentCreatesThenEdits(t *testing.T) {
	gh := &fakeGitHub{comments: map[int64]string{}}
	srv := httptest.NewServer(gh)
	defer srv.Close()
	env := actionsEnv(t, srv.URL, prEvent)

	for i := 0; i < 2; i++ {
		r := runCLI(t, env, "comment", "--root", exampleRoot)
		if r.code != exitOK {
			t.Fatalf("run %d: exit %d\n%s%s", i+1, r.code, r.stdout, r.stderr)
		}
		if strings.Contains(r.stdout+r.stderr, "test-token") {
			t.Fatalf("output leaks the token: %s%s", r.stdout, r.stderr)
		}
	}
	if len(gh.comments) != 1 || gh.posts != 1 {
		t.Fatalf("%d comments after %d posts, want exactly one created", len(gh.comments), gh.posts)
	}
	body := gh.comments[1]
	if !strings.HasPrefix(body, markdown.Marker) || !strings.Contains(body, "0123abcd") {
		t.Errorf("comment lacks the marker or the head commit:\n%s", body)
	}
}

func TestCommentFromForkNotesSummary(t *testing.T) {
	gh := &fakeGitHub{comments: map[int64]string{}, denyPost: true}
	srv := httptest.NewServer(gh)
	defer srv.Close()
	env := actionsEnv(t, srv.URL, forkEvent)

	r := runCLI(t, env, "comment", "--root", exampleRoot)
	if r.code != exitOK {
		t.Fatalf("exit %d, want 0 (the validate step fails the check)\n%s", r.code, r.stderr)
	}
	b, err := os.ReadFile(env["GITHUB_STEP_SUMMARY"])
	if err != nil || !strings.Contains(string(b), "could not write the pull-request comment") {
		t.Errorf("job summary = %q (%v), want the read-only note", b, err)
	}
	if len(gh.comments) != 0 {
		t.Errorf("%d comments written with a read-only token", len(gh.comments))
	}
}

func TestCommentOutsidePullRequest(t *testing.T) {
	env := actionsEnv(t, "http://127.0.0.1:1", `{"push":{}}`)
	r := runCLI(t, env, "comment", "--root", exampleRoot)
	if r.code != exitOK || !strings.Contains(r.stderr, "not a pull request") {
		t.Errorf("exit %d, stderr %q; want 0 and a note", r.code, r.stderr)
	}
}

func TestCommentDryRun(t *testing.T) {
	r := runCLI(t, nil, "comment", "--root", exampleRoot, "--dry-run")
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if !strings.HasPrefix(r.stdout, markdown.Marker) {
		t.Errorf("dry run output does not start with the marker:\n%s", r.stdout)
	}
}

// TestCommentCannotBeSilenced: someone posts a comment starting with the
// marker. The bot must not take it for its own (editing it fails with 403,
// which it used to read as a fork's read-only token, succeeding quietly
// with no comment at all); it writes its own.
func TestCommentCannotBeSilenced(t *testing.T) {
	gh := &fakeGitHub{comments: map[int64]string{1: markdown.Marker + "\nnothing to see here"}, authors: map[int64]string{1: "mallory"}, nextID: 1}
	srv := httptest.NewServer(gh)
	defer srv.Close()
	env := actionsEnv(t, srv.URL, prEvent)

	r := runCLI(t, env, "comment", "--root", exampleRoot)
	if r.code != exitOK {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if gh.posts != 1 || gh.comments[1] != markdown.Marker+"\nnothing to see here" {
		t.Fatalf("posts = %d, mallory's comment = %q; want our own comment and theirs untouched", gh.posts, gh.comments[1])
	}
	if !strings.Contains(gh.comments[2], "orgnotify validate") {
		t.Errorf("our comment = %q", gh.comments[2])
	}
}

// TestCommentRefusedWithWritableTokenFails: a 403 on a pull request from a
// branch of the repository itself is not a fork's read-only token.
func TestCommentRefusedWithWritableTokenFails(t *testing.T) {
	for _, tc := range []struct {
		name string
		gh   *fakeGitHub
	}{
		{"edit refused", &fakeGitHub{comments: map[int64]string{1: markdown.Marker + "\nold"}, nextID: 1, denyPatch: true}},
		{"create refused", &fakeGitHub{comments: map[int64]string{}, denyPost: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(tc.gh)
			defer srv.Close()
			env := actionsEnv(t, srv.URL, prEvent)
			r := runCLI(t, env, "comment", "--root", exampleRoot)
			if r.code != exitError || !strings.Contains(r.stderr, "no permission to write the pull request comment") {
				t.Errorf("exit %d, stderr %q; want %d and the refusal", r.code, r.stderr, exitError)
			}
		})
	}
}

// mutatingCalls lists the AWS operations awssim served that change
// something: a comment's plan must never apply.
func mutatingCalls(counts map[string]int) []string {
	var out []string
	for op, n := range counts {
		_, name, _ := strings.Cut(op, ":")
		for _, verb := range []string{"Create", "Put", "Delete", "Tag", "Untag", "Set", "Subscribe", "Unsubscribe", "Update",
			"Enable", "Disable", "Schedule", "Attach", "Detach", "Remove", "Add", "Send", "Purge", "Start", "Stop", "Publish"} {
			if strings.HasPrefix(name, verb) && n > 0 {
				out = append(out, op)
			}
		}
	}
	return out
}

// TestCommentWithPlanAndPreview: with AWS credentials (--plan) the sticky
// comment holds the read-only plan of what the merge would apply, made
// through reconcile's plan path against awssim and never applied, and the
// Slack digest preview of the one account file the pull request changes,
// on the sample events retargeted to it.
func TestCommentWithPlanAndPreview(t *testing.T) {
	root, env := exampleOrg(t)
	base := t.TempDir() // the base commit: the same organization before the pull request
	if err := os.CopyFS(base, os.DirFS(root)); err != nil {
		t.Fatal(err)
	}
	staging := filepath.Join(root, "accounts", "payments-staging.yaml")
	b, err := os.ReadFile(staging)
	if err != nil {
		t.Fatal(err)
	}
	changed := strings.Replace(string(b), "description: Payments API, staging and load tests", "description: Payments API, staging", 1)
	if changed == string(b) {
		t.Fatal("payments-staging.yaml has no description line to change")
	}
	if err := os.WriteFile(staging, []byte(changed), 0o644); err != nil {
		t.Fatal(err)
	}

	gh := &fakeGitHub{comments: map[int64]string{}}
	srv := httptest.NewServer(gh)
	defer srv.Close()
	r := runCLI(t, actionsEnv(t, srv.URL, prEvent), "comment", "--root", root, "--plan", "--member-role", "OrganizationAccountAccessRole",
		"--base", base, "--samples", filepath.Join(repoRoot, "testdata", "events"))
	if r.code != exitOK || len(gh.comments) != 1 {
		t.Fatalf("exit %d, %d comments\nstdout: %s\nstderr: %s", r.code, len(gh.comments), r.stdout, r.stderr)
	}
	body := gh.comments[1]
	if len(body) > 65536 {
		t.Errorf("comment is %d bytes, over GitHub's limit", len(body))
	}
	plan, preview, ok := strings.Cut(body, "#### Slack digest preview")
	if !ok {
		t.Fatalf("no digest preview section:\n%s", body)
	}
	for _, want := range []string{
		"read as `OrganizationAccountAccessRole`",
		"| Create | Update | Delete | Conflict | Pending |",
		"+ events.bus 222233334444/ap-northeast-1 orgnotify-central",
		"+ events.rule 456789012345/us-east-1 orgnotify-fwd-cloudformation",
	} {
		if !strings.Contains(plan, want) {
			t.Errorf("plan section lacks %q:\n%s", want, plan)
		}
	}
	if strings.Contains(plan, "No plan") {
		t.Errorf("plan section says there is no plan:\n%s", plan)
	}
	for _, want := range []string{
		"preview on **sample events**",
		"**payments-staging** (456789012345): 1 of 13 sample events would be posted, 12 filtered out by its settings.",
		"── C05PAYSTG01 ──",
		"Stack payments-api UPDATE_ROLLBACK_FAILED> · payments-staging (456789012345)",
		"Cost digest of **payments-staging** on made-up figures:",
		"payments-staging — ¥", // the account's currency, converted at org.yaml's rate
		"Converted from USD at 150 JPY/USD",
		"*Top services*",
	} {
		if !strings.Contains(preview, want) {
			t.Errorf("preview lacks %q:\n%s", want, preview)
		}
	}
	if strings.Contains(preview, "payments-prod") || strings.Contains(preview, "C05PAYPROD1") {
		t.Errorf("preview shows an account the pull request does not change:\n%s", preview)
	}
	if m := mutatingCalls(env.Sim.Faults().Counts()); len(m) > 0 {
		t.Errorf("the comment's plan changed AWS: %v", m)
	}
	if r := runCLI(t, nil, "plan", "--root", root, "--detailed-exitcode"); r.code != 2 {
		t.Errorf("plan after the comment: exit %d, want 2 (nothing was applied)", r.code)
	}
}

// TestCommentWithoutPlan: when no plan can be made the comment says why,
// and the command still succeeds (the validate step alone fails the check).
func TestCommentWithoutPlan(t *testing.T) {
	t.Run("no credentials", func(t *testing.T) {
		// A pull request from a fork: the workflow passes no --plan.
		r := runCLI(t, nil, "comment", "--root", exampleRoot, "--dry-run")
		if r.code != exitOK || !strings.Contains(r.stdout, "_No plan: this run has no read-only AWS credentials. Pull requests from forks never get them") {
			t.Errorf("exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
		}
		if !strings.Contains(r.stdout, "_No digest preview: no base commit") {
			t.Errorf("preview section:\n%s", r.stdout)
		}
	})
	t.Run("plan fails", func(t *testing.T) {
		// The full example forwards API-call lifecycle events and no trail
		// logs: the plan's preflight refuses, and the comment quotes it.
		env := simEnv(t)
		root := copyExample(t)
		r := runCLI(t, nil, "comment", "--root", root, "--plan", "--dry-run")
		if r.code != exitOK || !strings.Contains(r.stdout, "_No plan: it could not be made. The validation result above stands._") ||
			!strings.Contains(r.stdout, "no CloudTrail trail is logging") {
			t.Errorf("exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
		}
		if m := mutatingCalls(env.Sim.Faults().Counts()); len(m) > 0 {
			t.Errorf("the comment's plan changed AWS: %v", m)
		}
	})
	t.Run("configuration errors", func(t *testing.T) {
		env := simEnv(t)
		root := copyExample(t)
		broken := filepath.Join(root, "accounts", "payments-staging.yaml")
		b, _ := os.ReadFile(broken)
		if err := os.WriteFile(broken, []byte(strings.Replace(string(b), "\nowner:", "\nowenr:", 1)), 0o644); err != nil {
			t.Fatal(err)
		}
		r := runCLI(t, nil, "comment", "--root", root, "--plan", "--base", exampleRoot, "--dry-run")
		if r.code != exitOK || !strings.Contains(r.stdout, "_No plan: the configuration has errors") ||
			!strings.Contains(r.stdout, "_No digest preview: the configuration has errors") || !strings.Contains(r.stdout, "owenr") {
			t.Errorf("exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
		}
		if n := len(env.Sim.Faults().Counts()); n != 0 {
			t.Errorf("AWS calls with a broken configuration: %v", env.Sim.Faults().Counts())
		}
	})
	t.Run("usage", func(t *testing.T) {
		for _, tc := range []struct {
			args []string
			want string
		}{
			{[]string{"comment", "--member-role", "x"}, "--member-role needs --plan"},
			{[]string{"comment", "--samples", "x"}, "--samples needs --base"},
		} {
			if r := runCLI(t, nil, tc.args...); r.code != exitError || !strings.Contains(r.stderr, tc.want) {
				t.Errorf("%v: exit %d, stderr %q", tc.args, r.code, r.stderr)
			}
		}
	})
}

// TestCommentWarnsOfDroppedRegion: a pull request that takes a region out
// of regions without retiring it gets a warning on org.yaml's regions line,
// since plan and apply would no longer see the rules left there.
func TestCommentWarnsOfDroppedRegion(t *testing.T) {
	copyExample := func(t *testing.T, edit func(string) string) string {
		dir := t.TempDir()
		if err := os.CopyFS(dir, os.DirFS(exampleRoot)); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, "org.yaml")
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(edit(string(b))), 0o644); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	const regions = "regions:\n  - ap-northeast-1\n  - us-east-1\n"
	base := copyExample(t, func(s string) string { return strings.Replace(s, regions, regions+"  - eu-west-1\n", 1) })
	for _, tc := range []struct {
		name, retired string
		warned        bool
	}{
		{"dropped", "", true},
		{"retired", "retiredRegions: [eu-west-1]\n", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := copyExample(t, func(s string) string { return strings.Replace(s, regions, regions+tc.retired, 1) })
			r := runCLI(t, nil, "comment", "--root", root, "--base", base, "--dry-run")
			if r.code != exitOK {
				t.Fatalf("exit %d\nstderr: %s", r.code, r.stderr)
			}
			warned := strings.Contains(r.stdout, "eu-west-1 leaves regions but is not under retiredRegions")
			if warned != tc.warned {
				t.Errorf("warned = %v, want %v:\n%s", warned, tc.warned, r.stdout)
			}
			if tc.warned && !strings.Contains(r.stdout, "| org.yaml | 25 | regions |") {
				t.Errorf("the warning does not point at regions (org.yaml line 25):\n%s", r.stdout)
			}
		})
	}
}
