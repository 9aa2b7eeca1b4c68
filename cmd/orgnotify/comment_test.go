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
