// Package actions is the GitHub Actions runner as orgnotify sees it: the
// environment a job is given (repository, pull request, token), workflow
// commands written to the log (annotations), and the job summary file. It
// makes no network calls; the REST API is package github's.
package actions

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
)

// ErrNotPullRequest means the workflow was not triggered by a pull request,
// so there is no comment to write; callers may skip the comment step.
var ErrNotPullRequest = errors.New("the triggering event is not a pull request")

// Env is what a GitHub Actions job tells orgnotify about where it runs.
type Env struct {
	Owner, Repo string
	PR          int    // pull request number
	Token       string // never printed: see String and LogValue
	APIURL      string // https://api.github.com, or the GitHub Enterprise Server API
	Commit      string // the pull request's head commit
	RunURL      string // link to this workflow run; empty when unknown
	// ReadOnlyToken is true when GitHub gives this job a read-only token
	// whatever the workflow asks for: a pull request from a fork, or one
	// opened by Dependabot. Only then is a refused write expected.
	ReadOnlyToken bool
}

// String leaves the token out, so that printing an Env cannot leak it.
func (e Env) String() string {
	return fmt.Sprintf("%s/%s#%d at %s (api %s, run %s, read-only token %t)", e.Owner, e.Repo, e.PR, e.Commit, e.APIURL, e.RunURL, e.ReadOnlyToken)
}

// GoString leaves the token out of %#v too.
func (e Env) GoString() string { return "github.Env{" + e.String() + "}" }

// LogValue leaves the token out of structured logs.
func (e Env) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("repo", e.Owner+"/"+e.Repo), slog.Int("pr", e.PR),
		slog.String("commit", e.Commit), slog.String("api", e.APIURL), slog.String("run", e.RunURL),
		slog.Bool("readOnlyToken", e.ReadOnlyToken))
}

// ReadEnv reads, through getenv, the variables GitHub Actions sets for a
// pull_request job:
// GITHUB_REPOSITORY, GITHUB_EVENT_PATH (the pull request number and head
// commit come from the event), GITHUB_TOKEN (which the workflow must pass:
// `env: GITHUB_TOKEN: ${{ github.token }}`), GITHUB_API_URL (defaults to
// api.github.com), GITHUB_SERVER_URL and GITHUB_RUN_ID (for RunURL) and
// GITHUB_SHA (the commit, when the event does not name the head) and
// GITHUB_ACTOR (Dependabot's pull requests get a read-only token).
//
// Every missing variable is reported at once. A job not triggered by a pull
// request yields an error matching ErrNotPullRequest.
func ReadEnv(getenv func(string) string) (Env, error) {
	e := Env{
		Token:  getenv("GITHUB_TOKEN"),
		APIURL: strings.TrimRight(getenv("GITHUB_API_URL"), "/"),
		Commit: getenv("GITHUB_SHA"),
	}
	if e.APIURL == "" {
		e.APIURL = "https://api.github.com"
	}
	var errs []error
	repository := getenv("GITHUB_REPOSITORY")
	owner, repo, ok := strings.Cut(repository, "/")
	switch {
	case repository == "":
		errs = append(errs, errors.New("GITHUB_REPOSITORY is not set (expected owner/repo)"))
	case !ok || owner == "" || repo == "" || strings.Contains(repo, "/"):
		errs = append(errs, fmt.Errorf("GITHUB_REPOSITORY is %q, expected owner/repo", repository))
	default:
		e.Owner, e.Repo = owner, repo
	}
	if e.Token == "" {
		errs = append(errs, errors.New("GITHUB_TOKEN is not set (pass it to the step: env: GITHUB_TOKEN: ${{ github.token }})"))
	}
	if path := getenv("GITHUB_EVENT_PATH"); path == "" {
		errs = append(errs, errors.New("GITHUB_EVENT_PATH is not set (not running in GitHub Actions?)"))
	} else if err := e.readEvent(path); err != nil {
		errs = append(errs, err)
	}
	if server, id := getenv("GITHUB_SERVER_URL"), getenv("GITHUB_RUN_ID"); server != "" && id != "" && repository != "" {
		e.RunURL = strings.TrimRight(server, "/") + "/" + repository + "/actions/runs/" + id
	}
	if getenv("GITHUB_ACTOR") == "dependabot[bot]" {
		e.ReadOnlyToken = true
	}
	if len(errs) > 0 {
		return Env{}, fmt.Errorf("read github actions environment: %w", errors.Join(errs...))
	}
	return e, nil
}

// readEvent takes the pull request number and head commit from the event
// payload. GITHUB_SHA is the test merge commit on pull_request events,
// which is not a commit the author would recognise.
func (e *Env) readEvent(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read GITHUB_EVENT_PATH: %w", err)
	}
	var ev struct {
		PullRequest *struct {
			Number int `json:"number"`
			Head   struct {
				SHA  string   `json:"sha"`
				Repo *repoRef `json:"repo"`
			} `json:"head"`
			Base struct {
				Repo *repoRef `json:"repo"`
			} `json:"base"`
		} `json:"pull_request"`
	}
	if err := json.Unmarshal(b, &ev); err != nil {
		return fmt.Errorf("parse GITHUB_EVENT_PATH %s: %w", path, err)
	}
	if ev.PullRequest == nil || ev.PullRequest.Number <= 0 {
		return fmt.Errorf("event in %s has no pull_request.number: %w", path, ErrNotPullRequest)
	}
	e.PR = ev.PullRequest.Number
	if ev.PullRequest.Head.SHA != "" {
		e.Commit = ev.PullRequest.Head.SHA
	}
	// A fork's head repository differs from the base; it is null when the
	// fork has been deleted since. An event naming neither is not taken for
	// a fork: a refused write is then an error, never quietly ignored.
	if head, base := ev.PullRequest.Head.Repo, ev.PullRequest.Base.Repo; base != nil && (head == nil || !strings.EqualFold(head.FullName, base.FullName)) {
		e.ReadOnlyToken = true
	}
	return nil
}

type repoRef struct {
	FullName string `json:"full_name"`
}
