package github

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	gogithub "github.com/google/go-github/v60/github"
)

// ErrNoWritePermission means GitHub refused to create or edit the comment
// (403 or 404). That is expected only where the token is read-only (a pull
// request from a fork, see actions.Env.ReadOnlyToken); anywhere else it is
// an error like any other.
var ErrNoWritePermission = errors.New("no permission to write the pull request comment")

// maxCommentBody is GitHub's limit on a comment body (65,536 characters;
// counted here in bytes, never fewer). Package markdown renders within it.
const maxCommentBody = 65536

// Action is what Upsert did.
type Action string

const (
	Created   Action = "created"
	Updated   Action = "updated"
	Unchanged Action = "unchanged" // the comment already had this body; nothing was sent
)

// Outcome is the result of Upsert.
type Outcome struct {
	Action    Action
	CommentID int64
	URL       string // the comment's html_url; empty when GitHub did not say
}

// Sticky identifies the one comment orgnotify keeps on a pull request:
// the comment whose body starts with Marker and whose author is Author.
// Both are needed: anyone may post a comment starting with the marker, and
// editing theirs would either fail or put orgnotify's words under their name.
type Sticky struct {
	Marker string
	// Author is the login the token acts as: github-actions[bot] for a
	// workflow's GITHUB_TOKEN, <app-slug>[bot] for a GitHub App.
	Author string
}

// Commenter keeps one Sticky comment per pull request.
type Commenter struct {
	client *gogithub.Client
	sticky Sticky
	policy *retryPolicy // shared with the transport beneath client
	log    *slog.Logger
}

// NewCommenter returns a Commenter that talks to GitHub through client
// (its base URL, token and user agent) and reports retries to log. Retries
// are added underneath, in a transport wrapped around client's own; client
// itself is not modified.
func NewCommenter(client *gogithub.Client, sticky Sticky, log *slog.Logger) *Commenter {
	policy := defaultPolicy()
	c := &Commenter{sticky: sticky, policy: &policy, log: log}
	hc := client.Client() // a copy, carrying the token-setting transport
	next := hc.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	hc.Transport = &retryTransport{next: next, policy: c.policy, log: log}
	rc := gogithub.NewClient(hc)
	rc.BaseURL, rc.UploadURL, rc.UserAgent = client.BaseURL, client.UploadURL, client.UserAgent
	c.client = rc
	return c
}

// Upsert makes body the pull request's orgnotify comment: it edits the
// comment carrying the marker (the most recent one, should there be
// several; none is deleted) or creates it. The marker is prepended to body
// if missing.
//
// A failed create is not simply resent: a 5xx may hide a comment that was
// created, so Upsert lists the comments again first. That way a pull
// request never gets a second comment.
func (c *Commenter) Upsert(ctx context.Context, owner, repo string, pr int, body string) (Outcome, error) {
	if !strings.HasPrefix(body, c.sticky.Marker) {
		body = c.sticky.Marker + "\n" + body
	}
	where := fmt.Sprintf("%s/%s#%d", owner, repo, pr)
	if len(body) > maxCommentBody {
		return Outcome{}, fmt.Errorf("comment on %s: body is %d bytes, over GitHub's limit of %d", where, len(body), maxCommentBody)
	}
	for attempt := 1; ; attempt++ {
		existing, err := c.find(ctx, owner, repo, pr)
		if err != nil {
			return Outcome{}, fmt.Errorf("list comments on %s: %w", where, err)
		}
		if existing != nil {
			if existing.GetBody() == body {
				return Outcome{Action: Unchanged, CommentID: existing.GetID(), URL: existing.GetHTMLURL()}, nil
			}
			edited, _, err := c.client.Issues.EditComment(ctx, owner, repo, existing.GetID(), &gogithub.IssueComment{Body: &body})
			if err != nil {
				return Outcome{}, fmt.Errorf("edit comment %d on %s: %w", existing.GetID(), where, classifyWrite(err))
			}
			return Outcome{Action: Updated, CommentID: edited.GetID(), URL: edited.GetHTMLURL()}, nil
		}
		created, _, err := c.client.Issues.CreateComment(ctx, owner, repo, pr, &gogithub.IssueComment{Body: &body})
		if err == nil {
			return Outcome{Action: Created, CommentID: created.GetID(), URL: created.GetHTMLURL()}, nil
		}
		if !mayHaveCreated(ctx, err) || attempt >= c.policy.attempts {
			return Outcome{}, fmt.Errorf("create comment on %s: %w", where, classifyWrite(err))
		}
		wait := c.policy.backoff(attempt)
		c.log.LogAttrs(ctx, slog.LevelWarn, "creating the comment failed; looking for it again before retrying",
			slog.String("pr", where), slog.Duration("wait", wait), slog.Int("attempt", attempt), slog.Any("error", err))
		if err := c.policy.sleep(ctx, wait); err != nil {
			return Outcome{}, fmt.Errorf("create comment on %s: %w", where, err)
		}
	}
}

// find returns the most recent comment written by the sticky author whose
// body starts with the marker, or nil. It reads every page: the newest
// match may be on the last one. Requiring the marker at the start skips
// comments that merely quote ours; requiring the author skips comments
// anyone else wrote with the marker to hijack or silence ours.
func (c *Commenter) find(ctx context.Context, owner, repo string, pr int) (*gogithub.IssueComment, error) {
	opts := &gogithub.IssueListCommentsOptions{ListOptions: gogithub.ListOptions{PerPage: 100}}
	var found *gogithub.IssueComment
	for {
		page, resp, err := c.client.Issues.ListComments(ctx, owner, repo, pr, opts)
		if err != nil {
			return nil, err
		}
		for _, cm := range page {
			if strings.EqualFold(cm.GetUser().GetLogin(), c.sticky.Author) && strings.HasPrefix(strings.TrimLeft(cm.GetBody(), " \t\r\n"), c.sticky.Marker) {
				found = cm // pages are oldest first: the last match is the newest
			}
		}
		if resp.NextPage == 0 {
			return found, nil
		}
		if resp.NextPage <= opts.Page {
			return nil, fmt.Errorf("pagination went back from page %d to %d", opts.Page, resp.NextPage)
		}
		opts.Page = resp.NextPage
	}
}

// mayHaveCreated reports whether a failed create might nonetheless have
// created the comment, and is worth another look: server errors and lost
// connections. Rate limits were already retried by the transport.
func mayHaveCreated(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	var er *gogithub.ErrorResponse
	if errors.As(err, &er) {
		return er.Response != nil && er.Response.StatusCode >= 500
	}
	var rl *gogithub.RateLimitError
	var arl *gogithub.AbuseRateLimitError
	return !errors.As(err, &rl) && !errors.As(err, &arl)
}

// classifyWrite marks the refusals that mean "this token may not write
// here" with ErrNoWritePermission. A 403 that is a rate limit is not one:
// go-github reports those as other types, or with rate-limit headers.
func classifyWrite(err error) error {
	var er *gogithub.ErrorResponse
	if !errors.As(err, &er) || er.Response == nil {
		return err
	}
	switch er.Response.StatusCode {
	case http.StatusForbidden, http.StatusNotFound:
		h := er.Response.Header
		if h.Get("Retry-After") != "" || h.Get("X-RateLimit-Remaining") == "0" {
			return err
		}
		return fmt.Errorf("%w: %w", ErrNoWritePermission, err)
	}
	return err
}
