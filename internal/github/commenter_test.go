package github

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	gogithub "github.com/google/go-github/v60/github"
)

const (
	testOwner = "acme"
	testRepo  = "org-alerts"
	testPR    = 7
	testToken = "ghs_testtoken123"
)

// fakeGitHub speaks the three REST calls Upsert makes, under /api/v3/ as
// GitHub Enterprise Server does, and keeps the pull request's comments in
// memory. Faults are served in order to the first request of their method.
type fakeGitHub struct {
	t        *testing.T
	mu       sync.Mutex
	comments []*gogithub.IssueComment
	nextID   int64
	requests map[string]int // by method
	perPage  []string       // per_page of every list request
	faults   []fault
}

type fault struct {
	method string
	status int
	header map[string]string
	body   string
	// applied: perform the request, then answer with the fault anyway, as
	// when GitHub created a comment but the response was lost in a 502.
	applied bool
}

const commentsPath = "/api/v3/repos/" + testOwner + "/" + testRepo + "/issues/7/comments"

func newFakeGitHub(t *testing.T) *fakeGitHub {
	return &fakeGitHub{t: t, nextID: 1000, requests: map[string]int{}}
}

// seed adds comments as earlier runs and people would have: those
// starting with the marker by the bot, the others by someone.
func (f *fakeGitHub) seed(bodies ...string) {
	for _, b := range bodies {
		login := "someone"
		if strings.HasPrefix(strings.TrimSpace(b), testMarker) {
			login = testSticky.Author
		}
		f.add(b, login)
	}
}

func (f *fakeGitHub) add(body, login string) *gogithub.IssueComment {
	f.nextID++
	c := &gogithub.IssueComment{
		ID:      gogithub.Int64(f.nextID),
		Body:    gogithub.String(body),
		User:    &gogithub.User{Login: gogithub.String(login)},
		HTMLURL: gogithub.String(fmt.Sprintf("https://github.example/%s/%s/pull/7#issuecomment-%d", testOwner, testRepo, f.nextID)),
	}
	f.comments = append(f.comments, c)
	return c
}

func (f *fakeGitHub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests[r.Method]++
	if got := r.Header.Get("Authorization"); got != "Bearer "+testToken {
		http.Error(w, `{"message":"Bad credentials"}`, http.StatusUnauthorized)
		return
	}
	var flt *fault
	if i := slices.IndexFunc(f.faults, func(x fault) bool { return x.method == r.Method }); i >= 0 {
		x := f.faults[i]
		flt = &x
		f.faults = slices.Delete(f.faults, i, i+1)
		if !flt.applied {
			f.writeFault(w, *flt)
			return
		}
	}
	status, v := f.handle(w, r)
	if flt != nil {
		w.Header().Del("Link")
		f.writeFault(w, *flt)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		f.t.Errorf("encode response: %v", err)
	}
}

func (f *fakeGitHub) writeFault(w http.ResponseWriter, flt fault) {
	for k, v := range flt.header {
		w.Header().Set(k, v)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(flt.status)
	_, _ = w.Write([]byte(cmpOrDefault(flt.body, `{"message":"fault"}`)))
}

func cmpOrDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// handle performs the request on the in-memory state; it may set headers.
func (f *fakeGitHub) handle(w http.ResponseWriter, r *http.Request) (int, any) {
	switch {
	case r.URL.Path == commentsPath && r.Method == http.MethodGet:
		f.perPage = append(f.perPage, r.URL.Query().Get("per_page"))
		per, _ := strconv.Atoi(r.URL.Query().Get("per_page"))
		if per <= 0 {
			per = 30
		}
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		page = max(page, 1)
		last := max((len(f.comments)+per-1)/per, 1)
		if page < last {
			link := func(p int) string {
				return fmt.Sprintf("<http://%s%s?page=%d&per_page=%d>", r.Host, commentsPath, p, per)
			}
			w.Header().Set("Link", link(page+1)+`; rel="next", `+link(last)+`; rel="last"`)
		}
		lo, hi := min((page-1)*per, len(f.comments)), min(page*per, len(f.comments))
		return http.StatusOK, f.comments[lo:hi]
	case r.URL.Path == commentsPath && r.Method == http.MethodPost:
		var in gogithub.IssueComment
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			return http.StatusBadRequest, map[string]string{"message": err.Error()}
		}
		return http.StatusCreated, f.add(in.GetBody(), "github-actions[bot]")
	case strings.HasPrefix(r.URL.Path, "/api/v3/repos/"+testOwner+"/"+testRepo+"/issues/comments/") && r.Method == http.MethodPatch:
		id, _ := strconv.ParseInt(r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:], 10, 64)
		var in gogithub.IssueComment
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			return http.StatusBadRequest, map[string]string{"message": err.Error()}
		}
		for _, c := range f.comments {
			if c.GetID() == id {
				c.Body = in.Body
				return http.StatusOK, c
			}
		}
		return http.StatusNotFound, map[string]string{"message": "Not Found"}
	}
	f.t.Errorf("unexpected request %s %s", r.Method, r.URL)
	return http.StatusNotFound, map[string]string{"message": "Not Found"}
}

// secondaryLimitBody is what GitHub sends with a secondary rate limit;
// go-github recognises it by the documentation URL.
const secondaryLimitBody = `{"message":"You have exceeded a secondary rate limit.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"}`

const forkBody = `{"message":"Resource not accessible by integration","documentation_url":"https://docs.github.com/rest/issues/comments#create-an-issue-comment"}`

// The marker and author the tests keep their comment by.
const testMarker = "<!-- orgnotify:test -->"

var testSticky = Sticky{Marker: testMarker, Author: "github-actions[bot]"}

func marked(s string) string { return testMarker + "\n" + s }

// newTestCommenter returns a Commenter for srv that records its pauses
// instead of sleeping.
func newTestCommenter(t *testing.T, srv *httptest.Server, slept *[]time.Duration, now time.Time) *Commenter {
	t.Helper()
	client, err := NewClient(srv.URL, testToken)
	if err != nil {
		t.Fatal(err)
	}
	c := NewCommenter(client, testSticky, slog.New(slog.DiscardHandler))
	c.policy.sleep = func(_ context.Context, d time.Duration) error { *slept = append(*slept, d); return nil }
	if !now.IsZero() {
		c.policy.now = func() time.Time { return now }
	}
	return c
}

func TestUpsert(t *testing.T) {
	fixedNow := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name   string
		seed   func(f *fakeGitHub)
		faults []fault
		// bodies are upserted in turn; the checks apply to the last.
		bodies       []string
		wantAction   Action
		wantErr      error  // matched with errors.Is
		wantErrText  string // substring, for errors without a sentinel
		wantRequests map[string]int
		wantSlept    []time.Duration
		// wantComments are the bodies on the pull request afterwards.
		wantComments []string
	}{
		{
			name:         "first run creates the comment",
			bodies:       []string{marked("one")},
			wantAction:   Created,
			wantRequests: map[string]int{"GET": 1, "POST": 1},
			wantComments: []string{marked("one")},
		},
		{
			name:         "marker is added when the body lacks it",
			bodies:       []string{"plain"},
			wantAction:   Created,
			wantRequests: map[string]int{"GET": 1, "POST": 1},
			wantComments: []string{marked("plain")},
		},
		{
			name:         "second run edits the same comment",
			seed:         func(f *fakeGitHub) { f.seed("LGTM") },
			bodies:       []string{marked("one"), marked("two")},
			wantAction:   Updated,
			wantRequests: map[string]int{"GET": 2, "POST": 1, "PATCH": 1},
			wantComments: []string{"LGTM", marked("two")},
		},
		{
			name:         "same body again sends no edit",
			bodies:       []string{marked("one"), marked("one")},
			wantAction:   Unchanged,
			wantRequests: map[string]int{"GET": 2, "POST": 1},
			wantComments: []string{marked("one")},
		},
		{
			name: "marker on page 2 of 3 is found",
			seed: func(f *fakeGitHub) {
				for i := range 250 {
					if i == 150 {
						f.seed(marked("old"))
						continue
					}
					f.seed(fmt.Sprintf("comment %d", i))
				}
			},
			bodies:       []string{marked("new")},
			wantAction:   Updated,
			wantRequests: map[string]int{"GET": 3, "PATCH": 1},
		},
		{
			name: "the newest of several marked comments is edited, none deleted",
			seed: func(f *fakeGitHub) {
				f.seed(marked("older"), "chatter")
				for range 120 {
					f.seed("filler")
				}
				f.seed(marked("newer"))
			},
			bodies:       []string{marked("now")},
			wantAction:   Updated,
			wantRequests: map[string]int{"GET": 2, "PATCH": 1},
		},
		{
			name:         "a comment quoting the marker is not ours",
			seed:         func(f *fakeGitHub) { f.seed("> " + testMarker + "\n> what does this mean?") },
			bodies:       []string{marked("one")},
			wantAction:   Created,
			wantRequests: map[string]int{"GET": 1, "POST": 1},
			wantComments: []string{"> " + testMarker + "\n> what does this mean?", marked("one")},
		},
		{
			name:         "a comment someone else wrote with the marker is never edited",
			seed:         func(f *fakeGitHub) { f.add(marked("silenced"), "mallory") },
			bodies:       []string{marked("one")},
			wantAction:   Created,
			wantRequests: map[string]int{"GET": 1, "POST": 1},
			wantComments: []string{marked("silenced"), marked("one")},
		},
		{
			name: "ours is found after someone else's newer copy",
			seed: func(f *fakeGitHub) {
				f.seed(marked("ours"))
				f.add(marked("theirs"), "mallory")
			},
			bodies:       []string{marked("now")},
			wantAction:   Updated,
			wantRequests: map[string]int{"GET": 1, "PATCH": 1},
			wantComments: []string{marked("now"), marked("theirs")},
		},
		{
			name:         "the author is matched whatever its case",
			seed:         func(f *fakeGitHub) { f.add(marked("old"), "GitHub-Actions[bot]") },
			bodies:       []string{marked("new")},
			wantAction:   Updated,
			wantRequests: map[string]int{"GET": 1, "PATCH": 1},
			wantComments: []string{marked("new")},
		},
		{
			name:         "403 on create is no write permission",
			faults:       []fault{{method: "POST", status: 403, body: forkBody}},
			bodies:       []string{marked("one")},
			wantErr:      ErrNoWritePermission,
			wantRequests: map[string]int{"GET": 1, "POST": 1},
		},
		{
			name:         "403 on edit is no write permission",
			seed:         func(f *fakeGitHub) { f.seed(marked("old")) },
			faults:       []fault{{method: "PATCH", status: 403, body: forkBody}},
			bodies:       []string{marked("new")},
			wantErr:      ErrNoWritePermission,
			wantRequests: map[string]int{"GET": 1, "PATCH": 1},
			wantComments: []string{marked("old")},
		},
		{
			name:         "404 on edit is no write permission",
			seed:         func(f *fakeGitHub) { f.seed(marked("old")) },
			faults:       []fault{{method: "PATCH", status: 404, body: `{"message":"Not Found"}`}},
			bodies:       []string{marked("new")},
			wantErr:      ErrNoWritePermission,
			wantRequests: map[string]int{"GET": 1, "PATCH": 1},
			wantComments: []string{marked("old")},
		},
		{
			name:         "502 on list is retried",
			faults:       []fault{{method: "GET", status: 502}},
			bodies:       []string{marked("one")},
			wantAction:   Created,
			wantRequests: map[string]int{"GET": 2, "POST": 1},
			wantSlept:    []time.Duration{time.Second},
			wantComments: []string{marked("one")},
		},
		{
			name:         "502 on edit is retried",
			seed:         func(f *fakeGitHub) { f.seed(marked("old")) },
			faults:       []fault{{method: "PATCH", status: 502}, {method: "PATCH", status: 503}},
			bodies:       []string{marked("new")},
			wantAction:   Updated,
			wantRequests: map[string]int{"GET": 1, "PATCH": 3},
			wantSlept:    []time.Duration{time.Second, 2 * time.Second},
			wantComments: []string{marked("new")},
		},
		{
			name:         "502 on create looks again, then creates once",
			faults:       []fault{{method: "POST", status: 502}},
			bodies:       []string{marked("one")},
			wantAction:   Created,
			wantRequests: map[string]int{"GET": 2, "POST": 2},
			wantSlept:    []time.Duration{time.Second},
			wantComments: []string{marked("one")},
		},
		{
			name:         "502 on a create that succeeded finds it instead of creating a second",
			faults:       []fault{{method: "POST", status: 502, applied: true}},
			bodies:       []string{marked("one")},
			wantAction:   Unchanged,
			wantRequests: map[string]int{"GET": 2, "POST": 1},
			wantSlept:    []time.Duration{time.Second},
			wantComments: []string{marked("one")},
		},
		{
			name: "persistent 5xx gives up after 5 attempts",
			faults: []fault{
				{method: "GET", status: 503}, {method: "GET", status: 503}, {method: "GET", status: 503},
				{method: "GET", status: 503}, {method: "GET", status: 503}, {method: "GET", status: 503},
			},
			bodies:       []string{marked("one")},
			wantErrText:  "list comments on acme/org-alerts#7: GET ",
			wantRequests: map[string]int{"GET": 5},
			wantSlept:    []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second},
		},
		{
			name: "5xx retry honours Retry-After",
			faults: []fault{
				{method: "GET", status: 503, header: map[string]string{"Retry-After": "5"}},
			},
			bodies:       []string{marked("one")},
			wantAction:   Created,
			wantRequests: map[string]int{"GET": 2, "POST": 1},
			wantSlept:    []time.Duration{5 * time.Second},
		},
		{
			name: "secondary rate limit 403 with Retry-After on create",
			faults: []fault{
				{method: "POST", status: 403, header: map[string]string{"Retry-After": "7"}, body: secondaryLimitBody},
			},
			bodies:       []string{marked("one")},
			wantAction:   Created,
			wantRequests: map[string]int{"GET": 1, "POST": 2},
			wantSlept:    []time.Duration{7 * time.Second},
			wantComments: []string{marked("one")},
		},
		{
			name:         "secondary rate limit without headers waits a minute",
			faults:       []fault{{method: "GET", status: 403, body: secondaryLimitBody}},
			bodies:       []string{marked("one")},
			wantAction:   Created,
			wantRequests: map[string]int{"GET": 2, "POST": 1},
			wantSlept:    []time.Duration{time.Minute},
		},
		{
			name:         "429 with Retry-After",
			faults:       []fault{{method: "GET", status: 429, header: map[string]string{"Retry-After": "3"}}},
			bodies:       []string{marked("one")},
			wantAction:   Created,
			wantRequests: map[string]int{"GET": 2, "POST": 1},
			wantSlept:    []time.Duration{3 * time.Second},
		},
		{
			name: "primary rate limit waits until reset",
			faults: []fault{{method: "GET", status: 403, header: map[string]string{
				"X-RateLimit-Remaining": "0",
				"X-RateLimit-Reset":     strconv.FormatInt(fixedNow.Add(20*time.Second).Unix(), 10),
			}, body: `{"message":"API rate limit exceeded"}`}},
			bodies:       []string{marked("one")},
			wantAction:   Created,
			wantRequests: map[string]int{"GET": 2, "POST": 1},
			wantSlept:    []time.Duration{21 * time.Second},
		},
		{
			name: "rate limit longer than the bound is not waited for, nor taken for a permission error",
			faults: []fault{
				{method: "POST", status: 403, header: map[string]string{"Retry-After": "3600"}, body: secondaryLimitBody},
			},
			bodies:       []string{marked("one")},
			wantErrText:  "create comment on acme/org-alerts#7: POST ",
			wantRequests: map[string]int{"GET": 1, "POST": 1},
		},
		{
			name: "403 with a long Retry-After and no documentation link is still a rate limit",
			faults: []fault{
				{method: "POST", status: 403, header: map[string]string{"Retry-After": "3600"}, body: `{"message":"slow down"}`},
			},
			bodies:       []string{marked("one")},
			wantErrText:  "create comment on acme/org-alerts#7: POST ",
			wantRequests: map[string]int{"GET": 1, "POST": 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := newFakeGitHub(t)
			if tt.seed != nil {
				tt.seed(fake)
			}
			before := bodiesByID(fake.comments)
			fake.faults = tt.faults
			srv := httptest.NewServer(fake)
			defer srv.Close()

			var slept []time.Duration
			c := newTestCommenter(t, srv, &slept, fixedNow)

			var (
				out Outcome
				err error
			)
			for _, body := range tt.bodies {
				out, err = c.Upsert(context.Background(), testOwner, testRepo, testPR, body)
			}

			switch {
			case tt.wantErr != nil:
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
			case tt.wantErrText != "":
				if err == nil || !strings.Contains(err.Error(), tt.wantErrText) || errors.Is(err, ErrNoWritePermission) {
					t.Fatalf("err = %v, want one containing %q, not ErrNoWritePermission", err, tt.wantErrText)
				}
			case err != nil:
				t.Fatalf("Upsert: %v", err)
			case out.Action != tt.wantAction:
				t.Errorf("action = %q, want %q", out.Action, tt.wantAction)
			}
			if err != nil && strings.Contains(err.Error(), testToken) {
				t.Errorf("error leaks the token: %v", err)
			}
			if !maps.Equal(fake.requests, tt.wantRequests) {
				t.Errorf("requests = %v, want %v", fake.requests, tt.wantRequests)
			}
			if !slices.Equal(slept, tt.wantSlept) {
				t.Errorf("slept %v, want %v", slept, tt.wantSlept)
			}
			for i, pp := range fake.perPage {
				if pp != "100" {
					t.Errorf("list request %d: per_page = %q, want 100", i, pp)
				}
			}
			if tt.wantComments != nil {
				if got := bodies(fake.comments); !slices.Equal(got, tt.wantComments) {
					t.Errorf("comments = %q, want %q", got, tt.wantComments)
				}
			}
			// Whatever happened, at most one comment carries the marker
			// beyond those seeded, and only it changed.
			changed := 0
			for _, cm := range fake.comments {
				if old, ok := before[cm.GetID()]; !ok || old != cm.GetBody() {
					changed++
					if err == nil && cm.GetID() != out.CommentID {
						t.Errorf("comment %d changed, but Upsert reported %d", cm.GetID(), out.CommentID)
					}
				}
			}
			if changed > 1 {
				t.Errorf("%d comments created or changed, want at most 1", changed)
			}
		})
	}
}

// TestUpsertEditsTheMarkedCommentNamed pins down which comment is edited in
// the pagination cases, beyond the request counts of TestUpsert.
func TestUpsertEditsTheMarkedCommentNamed(t *testing.T) {
	tests := []struct {
		name      string
		bodies    []string
		wantIndex int // index in bodies of the comment that must be edited
	}{
		{"only marked comment, on page 2 of 3", pad(250, map[int]string{150: marked("old")}), 150},
		{"newest of two marked comments, on page 3", pad(250, map[int]string{10: marked("a"), 220: marked("b")}), 220},
		{"marked comment after leading whitespace", pad(3, map[int]string{1: "\n  " + marked("a")}), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := newFakeGitHub(t)
			fake.seed(tt.bodies...)
			srv := httptest.NewServer(fake)
			defer srv.Close()
			var slept []time.Duration
			out, err := newTestCommenter(t, srv, &slept, time.Time{}).Upsert(context.Background(), testOwner, testRepo, testPR, marked("new"))
			if err != nil {
				t.Fatal(err)
			}
			want := fake.comments[tt.wantIndex]
			if out.CommentID != want.GetID() || want.GetBody() != marked("new") {
				t.Errorf("edited comment %d, want %d (body now %q)", out.CommentID, want.GetID(), want.GetBody())
			}
			if out.URL != want.GetHTMLURL() {
				t.Errorf("URL = %q, want %q", out.URL, want.GetHTMLURL())
			}
			for i, cm := range fake.comments {
				if i != tt.wantIndex && cm.GetBody() != tt.bodies[i] {
					t.Errorf("comment %d changed to %q", i, cm.GetBody())
				}
			}
		})
	}
}

func TestUpsertRejectsOversizedBody(t *testing.T) {
	fake := newFakeGitHub(t)
	srv := httptest.NewServer(fake)
	defer srv.Close()
	var slept []time.Duration
	_, err := newTestCommenter(t, srv, &slept, time.Time{}).Upsert(context.Background(), testOwner, testRepo, testPR, marked(strings.Repeat("x", maxCommentBody)))
	if err == nil || !strings.Contains(err.Error(), "over GitHub's limit") {
		t.Fatalf("err = %v, want size error", err)
	}
	if len(fake.requests) != 0 {
		t.Errorf("requests = %v, want none", fake.requests)
	}
}

func TestUpsertStopsWhenContextEnds(t *testing.T) {
	fake := newFakeGitHub(t)
	fake.faults = []fault{{method: "GET", status: 502}}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	var slept []time.Duration
	ctx, cancel := context.WithCancel(context.Background())
	c := newTestCommenter(t, srv, &slept, time.Time{})
	c.policy.sleep = func(ctx context.Context, _ time.Duration) error {
		cancel() // the job was cancelled while waiting
		return ctx.Err()
	}
	_, err := c.Upsert(ctx, testOwner, testRepo, testPR, marked("one"))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if fake.requests["GET"] != 1 {
		t.Errorf("requests = %v, want 1 GET", fake.requests)
	}
}

func pad(n int, at map[int]string) []string {
	out := make([]string, n)
	for i := range out {
		if s, ok := at[i]; ok {
			out[i] = s
		} else {
			out[i] = fmt.Sprintf("comment %d", i)
		}
	}
	return out
}

func bodies(cs []*gogithub.IssueComment) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.GetBody()
	}
	return out
}

func bodiesByID(cs []*gogithub.IssueComment) map[int64]string {
	out := make(map[int64]string, len(cs))
	for _, c := range cs {
		out[c.GetID()] = c.GetBody()
	}
	return out
}
