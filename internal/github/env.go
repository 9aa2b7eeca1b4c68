package github

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	gogithub "github.com/google/go-github/v60/github"
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
}

// String leaves the token out, so that printing an Env cannot leak it.
func (e Env) String() string {
	return fmt.Sprintf("%s/%s#%d at %s (api %s, run %s)", e.Owner, e.Repo, e.PR, e.Commit, e.APIURL, e.RunURL)
}

// GoString leaves the token out of %#v too.
func (e Env) GoString() string { return "github.Env{" + e.String() + "}" }

// LogValue leaves the token out of structured logs.
func (e Env) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("repo", e.Owner+"/"+e.Repo), slog.Int("pr", e.PR),
		slog.String("commit", e.Commit), slog.String("api", e.APIURL), slog.String("run", e.RunURL))
}

// FromEnv reads the variables GitHub Actions sets for a pull_request job:
// GITHUB_REPOSITORY, GITHUB_EVENT_PATH (the pull request number and head
// commit come from the event), GITHUB_TOKEN (which the workflow must pass:
// `env: GITHUB_TOKEN: ${{ github.token }}`), GITHUB_API_URL (defaults to
// api.github.com), GITHUB_SERVER_URL and GITHUB_RUN_ID (for RunURL) and
// GITHUB_SHA (the commit, when the event does not name the head).
//
// Every missing variable is reported at once. A job not triggered by a pull
// request yields an error matching ErrNotPullRequest.
func FromEnv() (Env, error) { return FromLookup(os.Getenv) }

// FromLookup is FromEnv reading variables through getenv, so that callers
// (and tests) can hand in an environment of their own.
func FromLookup(getenv func(string) string) (Env, error) {
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
				SHA string `json:"sha"`
			} `json:"head"`
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
	return nil
}

// NewClient returns a go-github client for e.APIURL authenticated with
// e.Token, with a timeout so that a hung connection cannot hold the job.
func (e Env) NewClient() (*gogithub.Client, error) {
	c := gogithub.NewClient(&http.Client{Timeout: 30 * time.Second}).WithAuthToken(e.Token)
	if e.APIURL == "" || e.APIURL == "https://api.github.com" {
		return c, nil
	}
	// WithEnterpriseURLs adds /api/v3/ unless the URL already ends in it or
	// is an api.* host, which covers both GHES and GHE.com (api.<tenant>.ghe.com).
	c, err := c.WithEnterpriseURLs(e.APIURL, e.APIURL)
	if err != nil {
		return nil, fmt.Errorf("github api url %q: %w", e.APIURL, err)
	}
	return c, nil
}
