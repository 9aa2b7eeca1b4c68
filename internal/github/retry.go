package github

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/orgnotify/orgnotify/internal/pace"
)

// retryPolicy bounds how often and how long a request is retried.
type retryPolicy struct {
	attempts   int           // tries per request, including the first
	base       time.Duration // first backoff after a server error; doubles each time
	maxBackoff time.Duration // cap on one backoff
	// maxWait is the longest pause a rate limit may ask for; beyond it the
	// error is returned: a pull-request check should not hang for an hour.
	maxWait time.Duration
	sleep   func(ctx context.Context, d time.Duration) error
	now     func() time.Time
}

func defaultPolicy() retryPolicy {
	return retryPolicy{
		attempts:   5,
		base:       time.Second,
		maxBackoff: 30 * time.Second,
		maxWait:    2 * time.Minute,
		sleep:      pace.Sleep,
		now:        time.Now,
	}
}

// backoff is the pause after the given failed attempt (1-based). No
// jitter: one job per pull request calls GitHub (the workflow's
// concurrency group), so there is no herd to spread.
func (p *retryPolicy) backoff(attempt int) time.Duration {
	d := p.base
	for i := 1; i < attempt && d < p.maxBackoff; i++ {
		d *= 2
	}
	return min(d, p.maxBackoff)
}

// retryTransport retries requests that GitHub refused for rate limiting
// (it did not process them, so any method may be sent again) and, for
// methods safe to repeat, server errors and connection failures.
//
// It sits below go-github on purpose: go-github remembers a rate-limit
// response and refuses further requests locally until the limit resets,
// so a retry loop above it would only meet those local refusals.
type retryTransport struct {
	next   http.RoundTripper
	policy *retryPolicy
	log    *slog.Logger
}

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	rewindable := req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
	for attempt := 1; ; attempt++ {
		r := req
		if attempt > 1 {
			var err error
			if r, err = rewind(req); err != nil {
				return nil, err
			}
		}
		resp, err := t.next.RoundTrip(r)
		wait, reason, retry := t.policy.classify(req, resp, err, attempt)
		if !retry || !rewindable || attempt >= t.policy.attempts {
			return resp, err
		}
		status := 0
		if resp != nil {
			status = resp.StatusCode
			// Drain so the connection can be reused.
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
			resp.Body.Close()
		}
		// Path only: the query never carries the token (it travels in a
		// header, which is never logged), but keep logs short anyway.
		t.log.LogAttrs(req.Context(), slog.LevelWarn, "retrying GitHub request",
			slog.String("method", req.Method), slog.String("path", req.URL.Path),
			slog.Int("status", status), slog.String("reason", reason),
			slog.Duration("wait", wait), slog.Int("attempt", attempt))
		if err := t.policy.sleep(req.Context(), wait); err != nil {
			return nil, err
		}
	}
}

// rewind returns a copy of req with a fresh body for another attempt.
func rewind(req *http.Request) (*http.Request, error) {
	r := req.Clone(req.Context())
	if req.Body != nil && req.Body != http.NoBody {
		body, err := req.GetBody()
		if err != nil {
			return nil, err
		}
		r.Body = body
	}
	return r, nil
}

// classify says whether to retry and after how long.
func (p *retryPolicy) classify(req *http.Request, resp *http.Response, err error, attempt int) (time.Duration, string, bool) {
	if err != nil {
		if req.Context().Err() != nil || !replayable(req) {
			return 0, "", false
		}
		return p.backoff(attempt), "connection error", true
	}
	switch code := resp.StatusCode; {
	case code == http.StatusTooManyRequests || code == http.StatusForbidden:
		wait, reason, limited := p.rateLimitWait(resp)
		if !limited || wait > p.maxWait {
			return 0, "", false
		}
		return wait, reason, true
	case code >= 500 && code != http.StatusNotImplemented:
		if !replayable(req) {
			return 0, "", false
		}
		wait := p.backoff(attempt)
		if d, ok := retryAfter(resp, p.now()); ok {
			if d > p.maxWait {
				return 0, "", false
			}
			wait = d
		}
		return wait, "server error", true
	}
	return 0, "", false
}

// rateLimitWait implements GitHub's advice for rate-limited responses: wait
// for retry-after if present; else, when x-ratelimit-remaining is 0, until
// x-ratelimit-reset; else, for a secondary rate limit, at least a minute.
// A 403 that is none of these is a permission error and is not retried.
func (p *retryPolicy) rateLimitWait(resp *http.Response) (time.Duration, string, bool) {
	if d, ok := retryAfter(resp, p.now()); ok {
		return d, "rate limited (retry-after)", true
	}
	if resp.Header.Get("X-RateLimit-Remaining") == "0" {
		if reset, err := strconv.ParseInt(resp.Header.Get("X-RateLimit-Reset"), 10, 64); err == nil {
			return max(time.Unix(reset, 0).Sub(p.now()), 0) + time.Second, "primary rate limit", true
		}
	}
	if resp.StatusCode == http.StatusTooManyRequests || mentionsSecondaryLimit(resp) {
		return time.Minute, "secondary rate limit", true
	}
	return 0, "", false
}

// retryAfter parses the Retry-After header, in seconds or as an HTTP date.
func retryAfter(resp *http.Response, now time.Time) (time.Duration, bool) {
	v := resp.Header.Get("Retry-After")
	if v == "" {
		return 0, false
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// mentionsSecondaryLimit peeks at the error body, which is the only sign
// of a secondary rate limit sent without headers, and puts it back.
func mentionsSecondaryLimit(resp *http.Response) bool {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(b), resp.Body), resp.Body}
	return bytes.Contains(bytes.ToLower(b), []byte("secondary rate limit"))
}

// replayable reports whether sending req again cannot duplicate an effect.
// PATCH counts: the only PATCH sent here sets a comment's body to a fixed
// value. POST (create a comment) does not: a 5xx may hide a comment that
// was created, so Upsert looks again before creating rather than resending.
func replayable(req *http.Request) bool {
	switch strings.ToUpper(req.Method) {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPut, http.MethodDelete, http.MethodPatch:
		return true
	}
	return false
}
