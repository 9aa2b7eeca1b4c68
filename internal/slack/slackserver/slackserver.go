// Package slackserver is a local Slack Web API for tests: the methods
// orgnotify calls (chat.postMessage, conversations.history), with Slack's
// error codes, HTTP 429 with Retry-After, and message metadata. Tests
// drive the real slack-go client against it.
package slackserver

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"
)

// Channel is a conversation the server knows.
type Channel struct {
	ID        string
	Archived  bool
	NotMember bool // the bot was never invited
}

// Post is a message the server accepted.
type Post struct {
	Channel  string
	TS       string
	ThreadTS string
	Text     string
	Blocks   json.RawMessage
	Metadata *slack.SlackMetadata
}

// Server is a running local Slack API.
type Server struct {
	// URL is the API base URL (SLACK_API_URL), ending in "/".
	URL string

	mu        sync.Mutex
	token     string
	revoked   bool
	channels  map[string]Channel
	posts     []Post
	seq       int64
	start     int64
	limited   map[string]int // channel → 429s still to give
	retryS    int
	calls     map[string]int
	limitHits int
}

// Start runs a server accepting token, knowing channels (members, not
// archived); it stops when the test ends.
func Start(t testing.TB, token string, channels ...string) *Server {
	s := &Server{
		token:    token,
		channels: map[string]Channel{},
		limited:  map[string]int{},
		calls:    map[string]int{},
		start:    time.Now().Unix(),
	}
	for _, c := range channels {
		s.channels[c] = Channel{ID: c}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/api/chat.postMessage", s.postMessage)
	mux.HandleFunc("/api/conversations.history", s.history)
	mux.HandleFunc("/api/chat.update", s.update)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	s.URL = srv.URL + "/api/"
	return s
}

// AddChannel adds or replaces a channel.
func (s *Server) AddChannel(c Channel) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.channels[c.ID] = c
}

// Revoke makes every further call fail with token_revoked.
func (s *Server) Revoke() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.revoked = true
}

// RateLimit makes the next n posts to channel answer 429 with Retry-After
// retryAfter seconds.
func (s *Server) RateLimit(channel string, n, retryAfter int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limited[channel] = n
	s.retryS = retryAfter
}

// RateLimited returns how many 429s the server gave.
func (s *Server) RateLimited() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.limitHits
}

// Posts returns the accepted messages in order.
func (s *Server) Posts() []Post {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.posts)
}

// Calls returns how many times method was called.
func (s *Server) Calls(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[method]
}

func reply(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func fail(w http.ResponseWriter, code string) {
	reply(w, map[string]any{"ok": false, "error": code})
}

// auth checks the token and the channel; it returns Slack's error code.
func (s *Server) auth(r *http.Request, channel string, posting bool) string {
	tok := r.FormValue("token")
	if h := r.Header.Get("Authorization"); strings.HasPrefix(h, "Bearer ") {
		tok = strings.TrimPrefix(h, "Bearer ")
	}
	switch {
	case tok == "":
		return "not_authed"
	case s.revoked:
		return "token_revoked"
	case tok != s.token:
		return "invalid_auth"
	}
	c, ok := s.channels[channel]
	switch {
	case !ok:
		return "channel_not_found"
	case c.Archived && posting:
		return "is_archived"
	case c.NotMember:
		return "not_in_channel"
	}
	return ""
}

func (s *Server) postMessage(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls["chat.postMessage"]++
	ch := r.FormValue("channel")
	if code := s.auth(r, ch, true); code != "" {
		fail(w, code)
		return
	}
	if n := s.limited[ch]; n > 0 {
		s.limited[ch] = n - 1
		s.limitHits++
		w.Header().Set("Retry-After", strconv.Itoa(s.retryS))
		w.WriteHeader(http.StatusTooManyRequests)
		return
	}
	p := Post{Channel: ch, ThreadTS: r.FormValue("thread_ts"), Text: r.FormValue("text")}
	if b := r.FormValue("blocks"); b != "" {
		if !json.Valid([]byte(b)) {
			fail(w, "invalid_blocks")
			return
		}
		p.Blocks = json.RawMessage(b)
	}
	if m := r.FormValue("metadata"); m != "" {
		var md slack.SlackMetadata
		if err := json.Unmarshal([]byte(m), &md); err != nil {
			fail(w, "invalid_metadata")
			return
		}
		p.Metadata = &md
	}
	if p.ThreadTS != "" && !slices.ContainsFunc(s.posts, func(q Post) bool { return q.Channel == ch && q.TS == p.ThreadTS }) {
		fail(w, "thread_not_found")
		return
	}
	s.seq++
	p.TS = fmt.Sprintf("%d.%06d", s.start, s.seq)
	s.posts = append(s.posts, p)
	reply(w, map[string]any{"ok": true, "channel": ch, "ts": p.TS, "message": map[string]any{"text": p.Text, "ts": p.TS}})
}

func (s *Server) update(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls["chat.update"]++
	ch := r.FormValue("channel")
	if code := s.auth(r, ch, true); code != "" {
		fail(w, code)
		return
	}
	i := slices.IndexFunc(s.posts, func(p Post) bool { return p.Channel == ch && p.TS == r.FormValue("ts") })
	if i < 0 {
		fail(w, "message_not_found")
		return
	}
	p := &s.posts[i]
	p.Text = r.FormValue("text")
	if b := r.FormValue("blocks"); b != "" {
		p.Blocks = json.RawMessage(b)
	}
	if m := r.FormValue("metadata"); m != "" {
		var md slack.SlackMetadata
		if err := json.Unmarshal([]byte(m), &md); err != nil {
			fail(w, "invalid_metadata")
			return
		}
		p.Metadata = &md
	}
	reply(w, map[string]any{"ok": true, "channel": ch, "ts": p.TS, "text": p.Text})
}

func (s *Server) history(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls["conversations.history"]++
	ch := r.FormValue("channel")
	if code := s.auth(r, ch, false); code != "" {
		fail(w, code)
		return
	}
	oldest, _ := strconv.ParseFloat(r.FormValue("oldest"), 64)
	limit, _ := strconv.Atoi(r.FormValue("limit"))
	if limit <= 0 || limit > 999 {
		limit = 100
	}
	withMeta := r.FormValue("include_all_metadata") == "1"
	var msgs []map[string]any
	for i := len(s.posts) - 1; i >= 0; i-- { // newest first, as Slack answers
		p := s.posts[i]
		ts, _ := strconv.ParseFloat(p.TS, 64)
		if p.Channel != ch || p.ThreadTS != "" || ts < oldest {
			continue
		}
		m := map[string]any{"type": "message", "ts": p.TS, "text": p.Text}
		if withMeta && p.Metadata != nil {
			m["metadata"] = p.Metadata
		}
		msgs = append(msgs, m)
	}
	from, _ := strconv.Atoi(r.FormValue("cursor"))
	if from > len(msgs) {
		from = len(msgs)
	}
	to := min(from+limit, len(msgs))
	resp := map[string]any{"ok": true, "messages": msgs[from:to], "has_more": to < len(msgs)}
	if to < len(msgs) {
		resp["response_metadata"] = map[string]any{"next_cursor": strconv.Itoa(to)}
	}
	reply(w, resp)
}
