package slack_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	osl "github.com/orgnotify/orgnotify/internal/slack"
	"github.com/orgnotify/orgnotify/internal/slack/slackserver"
)

const token = "xoxb-test-0123456789-secret"

func newClient(srv *slackserver.Server, log *slog.Logger) *osl.Client {
	return osl.New(token, osl.Options{APIURL: srv.URL, Logger: log, Interval: time.Millisecond})
}

func digest(channel, date string) osl.Message {
	return osl.Message{
		Channel: channel,
		Text:    "Cost on " + date,
		Blocks: []slack.Block{
			slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, "prod — 12.34 USD", false, false)),
			slack.NewSectionBlock(nil, []*slack.TextBlockObject{
				slack.NewTextBlockObject(slack.MarkdownType, "*Yesterday*\n12.34 USD", false, false),
			}, nil),
		},
		Thread:   []osl.Message{{Text: "details"}},
		Metadata: &slack.SlackMetadata{EventType: "orgnotify_cost_digest", EventPayload: map[string]any{"date": date, "account": "111111111111"}},
		Once:     &osl.Once{Since: time.Now().Add(-time.Hour)},
	}
}

func TestSendPostsBlocksAndThread(t *testing.T) {
	srv := slackserver.Start(t, token, "C0000000A")
	c := newClient(srv, nil)
	p, err := c.Send(context.Background(), digest("C0000000A", "2026-12-02"))
	if err != nil {
		t.Fatal(err)
	}
	posts := srv.Posts()
	if len(posts) != 2 || p.Replies != 1 || p.Existing {
		t.Fatalf("posted %+v, Posted %+v", posts, p)
	}
	if posts[0].Channel != "C0000000A" || posts[0].ThreadTS != "" || posts[1].ThreadTS != posts[0].TS || p.TS != posts[0].TS {
		t.Errorf("thread wrong: %+v", posts)
	}
	var blocks []map[string]any
	if err := json.Unmarshal(posts[0].Blocks, &blocks); err != nil {
		t.Fatal(err)
	}
	if len(blocks) != 2 || blocks[0]["type"] != "header" || blocks[1]["type"] != "section" {
		t.Errorf("blocks = %s", posts[0].Blocks)
	}
	if md := posts[0].Metadata; md == nil || md.EventType != "orgnotify_cost_digest" || md.EventPayload["date"] != "2026-12-02" {
		t.Errorf("metadata = %+v", md)
	}
}

func TestSendOncePerDay(t *testing.T) {
	srv := slackserver.Start(t, token, "C0000000A")
	c := newClient(srv, nil)
	ctx := context.Background()
	if _, err := c.Send(ctx, digest("C0000000A", "2026-12-02")); err != nil {
		t.Fatal(err)
	}
	again, err := c.Send(ctx, digest("C0000000A", "2026-12-02"))
	if err != nil {
		t.Fatal(err)
	}
	if !again.Existing || again.TS != srv.Posts()[0].TS {
		t.Errorf("re-run = %+v, want the earlier post", again)
	}
	if n := len(srv.Posts()); n != 2 {
		t.Errorf("a re-run posted: %d messages, want 2", n)
	}
	// Another date is another message.
	if p, err := c.Send(ctx, digest("C0000000A", "2026-12-03")); err != nil || p.Existing {
		t.Fatalf("next day: %+v %v", p, err)
	}
	if n := len(srv.Posts()); n != 4 {
		t.Errorf("%d messages after the next day, want 4", n)
	}
}

func TestSendOnceReadsEveryHistoryPage(t *testing.T) {
	srv := slackserver.Start(t, token, "C0000000A")
	c := newClient(srv, nil)
	ctx := context.Background()
	if _, err := c.Send(ctx, digest("C0000000A", "2026-12-02")); err != nil {
		t.Fatal(err)
	}
	for range 250 { // pushes the digest to the second page of 200
		if _, err := c.Send(ctx, osl.Message{Channel: "C0000000A", Text: "chatter"}); err != nil {
			t.Fatal(err)
		}
	}
	p, err := c.Send(ctx, digest("C0000000A", "2026-12-02"))
	if err != nil || !p.Existing {
		t.Fatalf("re-run = %+v, %v; want the earlier post found on page 2", p, err)
	}
	if n := srv.Calls("conversations.history"); n != 1+2 {
		t.Errorf("conversations.history calls = %d, want 3", n)
	}
}

func TestSendWaitsOutRateLimit(t *testing.T) {
	srv := slackserver.Start(t, token, "C0000000A")
	var logs bytes.Buffer
	c := newClient(srv, slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	srv.RateLimit("C0000000A", 2, 1)
	start := time.Now()
	if _, err := c.Send(context.Background(), osl.Message{Channel: "C0000000A", Text: "hello"}); err != nil {
		t.Fatal(err)
	}
	if srv.RateLimited() != 2 || len(srv.Posts()) != 1 {
		t.Errorf("429s = %d, posts = %d; want 2 and 1", srv.RateLimited(), len(srv.Posts()))
	}
	// Two Retry-After: 1 waited out (a lower bound, not a timing assertion on speed).
	if waited := time.Since(start); waited < 2*time.Second {
		t.Errorf("retried after %s, before Retry-After", waited)
	}
	if strings.Contains(logs.String(), token) {
		t.Error("the token was logged")
	}
	if !strings.Contains(logs.String(), "slack rate limit") {
		t.Errorf("rate limit not logged: %s", logs.String())
	}
}

func TestSendGivesUpOnPersistentRateLimit(t *testing.T) {
	srv := slackserver.Start(t, token, "C0000000A")
	c := osl.New(token, osl.Options{APIURL: srv.URL, Interval: time.Millisecond, RateLimitRetries: 1})
	srv.RateLimit("C0000000A", 5, 0)
	_, err := c.Send(context.Background(), osl.Message{Channel: "C0000000A", Text: "hello"})
	if !errors.Is(err, osl.ErrRateLimited) {
		t.Fatalf("err = %v, want ErrRateLimited", err)
	}
}

func TestSendChannelErrors(t *testing.T) {
	ctx := context.Background()
	srv := slackserver.Start(t, token, "C0000000A")
	srv.AddChannel(slackserver.Channel{ID: "C0000000B", Archived: true})
	srv.AddChannel(slackserver.Channel{ID: "C0000000C", NotMember: true})
	c := newClient(srv, nil)
	for _, tc := range []struct {
		channel, code string
		want          error
	}{
		{"C0000000Z", "channel_not_found", osl.ErrChannelNotFound},
		{"C0000000B", "is_archived", osl.ErrArchived},
		{"C0000000C", "not_in_channel", osl.ErrNotInChannel},
	} {
		_, err := c.Send(ctx, osl.Message{Channel: tc.channel, Text: "x"})
		var ce *osl.ChannelError
		if !errors.Is(err, tc.want) || !errors.As(err, &ce) || ce.Code != tc.code || !strings.Contains(err.Error(), tc.channel) {
			t.Errorf("%s: err = %v, want %v naming the channel", tc.channel, err, tc.want)
		}
	}
	// A failed channel does not stop the client: the next one posts.
	if _, err := c.Send(ctx, osl.Message{Channel: "C0000000A", Text: "x"}); err != nil {
		t.Fatal(err)
	}
	if n := len(srv.Posts()); n != 1 {
		t.Errorf("posts = %d, want 1", n)
	}
}

func TestSendAuthErrors(t *testing.T) {
	ctx := context.Background()
	srv := slackserver.Start(t, token, "C0000000A")
	bad := osl.New("xoxb-wrong-token", osl.Options{APIURL: srv.URL})
	_, err := bad.Send(ctx, osl.Message{Channel: "C0000000A", Text: "x"})
	if !errors.Is(err, osl.ErrAuth) || !strings.Contains(err.Error(), "invalid_auth") || strings.Contains(err.Error(), "xoxb-wrong-token") {
		t.Errorf("wrong token: %v", err)
	}
	srv.Revoke()
	_, err = newClient(srv, nil).Send(ctx, osl.Message{Channel: "C0000000A", Text: "x"})
	if !errors.Is(err, osl.ErrAuth) || !strings.Contains(err.Error(), "token_revoked") || !strings.Contains(err.Error(), "C0000000A") || strings.Contains(err.Error(), token) {
		t.Errorf("revoked token: %v", err)
	}
}

func TestDryRunWritesTextAndJSON(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	d := &osl.DryRun{W: &out, Dir: dir}
	m := digest("C0000000A", "2026-12-02")
	p, err := d.Send(context.Background(), m)
	if err != nil || !p.DryRun {
		t.Fatalf("%+v %v", p, err)
	}
	want := "── C0000000A ──\nprod — 12.34 USD\n================\n  *Yesterday* 12.34 USD\n  ↳ reply in thread\n    details\n\n"
	if out.String() != want {
		t.Errorf("text =\n%q\nwant\n%q", out.String(), want)
	}
	data, err := os.ReadFile(filepath.Join(dir, "001-C0000000A.json"))
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Channel  string
		Blocks   []map[string]any
		Metadata map[string]any
		Thread   []map[string]any
	}
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	if got.Channel != "C0000000A" || len(got.Blocks) != 2 || got.Metadata["event_type"] != "orgnotify_cost_digest" || len(got.Thread) != 1 {
		t.Errorf("payload = %s", data)
	}
}

func TestFindMatchesKeysAndUpdateReplaces(t *testing.T) {
	srv := slackserver.Start(t, token, "C0000000A")
	c := newClient(srv, nil)
	ctx := context.Background()
	m := osl.Message{Channel: "C0000000A", Text: "summary",
		Metadata: &slack.SlackMetadata{EventType: "orgnotify_cost_digest", EventPayload: map[string]any{"date": "2026-12-02", "account": "organization", "state": "started"}}}
	p, err := c.Send(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	want := slack.SlackMetadata{EventType: "orgnotify_cost_digest", EventPayload: map[string]any{"date": "2026-12-02", "account": "organization", "state": "done"}}
	since := time.Now().Add(-time.Hour)
	if _, ok, err := c.Find(ctx, "C0000000A", want, nil, since); err != nil || ok {
		t.Fatalf("every key compared: found %v, %v", ok, err)
	}
	f, ok, err := c.Find(ctx, "C0000000A", want, []string{"date", "account"}, since)
	if err != nil || !ok || f.TS != p.TS || f.Metadata.EventPayload["state"] != "started" {
		t.Fatalf("date and account compared: %+v %v %v", f, ok, err)
	}
	m.Metadata = &want
	m.Text = "summary, done"
	if err := c.Update(ctx, "C0000000A", p.TS, m); err != nil {
		t.Fatal(err)
	}
	posts := srv.Posts()
	if len(posts) != 1 || posts[0].Text != "summary, done" || posts[0].Metadata.EventPayload["state"] != "done" {
		t.Errorf("after update: %+v", posts)
	}
	if err := c.Update(ctx, "C0000000A", "1.000000", m); err == nil || !strings.Contains(err.Error(), "message_not_found") {
		t.Errorf("update of a missing message: %v", err)
	}
}
