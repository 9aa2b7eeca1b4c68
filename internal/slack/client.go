package slack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/orgnotify/orgnotify/internal/pace"
)

// Client is a Sender posting through Slack's Web API with slack-go.
//
// Slack allows about one message per second per channel (bursts are
// tolerated, sustained rates are throttled with HTTP 429): Client spaces
// posts to a channel by Interval and, on 429, waits the Retry-After Slack
// gives before trying again. Channels are independent: a failing channel
// returns its error and the caller goes on with the others.
type Client struct {
	api        *slack.Client
	log        *slog.Logger
	pace       *pace.Pacer // one slot per channel per interval
	retries    int
	historyMax int
}

var _ Sender = (*Client)(nil)

// Options configure a Client; zero values take the defaults.
type Options struct {
	// APIURL is the Web API base URL (SLACK_API_URL), for local and test
	// servers; empty means https://slack.com/api/.
	APIURL     string
	HTTPClient *http.Client
	Logger     *slog.Logger
	// Interval between two posts to one channel; default one second.
	Interval time.Duration
	// RateLimitRetries is how many 429s one call waits out; default 5.
	RateLimitRetries int
	// HistoryPages bounds the conversations.history pages read by Once
	// (200 messages each); default 5.
	HistoryPages int
}

// Environment variables read by Env.
const (
	EnvToken  = "SLACK_BOT_TOKEN"
	EnvAPIURL = "SLACK_API_URL"
)

// Env returns the token and API URL from the environment (getenv is
// os.Getenv in production).
func Env(getenv func(string) string) (token, apiURL string) {
	return strings.TrimSpace(getenv(EnvToken)), strings.TrimSpace(getenv(EnvAPIURL))
}

// New returns a Client posting with token. The token goes into request
// headers and form values only; it is never logged.
func New(token string, o Options) *Client {
	opts := []slack.Option{}
	if o.APIURL != "" {
		u := o.APIURL
		if !strings.HasSuffix(u, "/") {
			u += "/" // slack-go appends the method name directly
		}
		opts = append(opts, slack.OptionAPIURL(u))
	}
	if o.HTTPClient != nil {
		opts = append(opts, slack.OptionHTTPClient(o.HTTPClient))
	}
	c := &Client{
		api:        slack.New(token, opts...),
		log:        o.Logger,
		retries:    o.RateLimitRetries,
		historyMax: o.HistoryPages,
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	interval := o.Interval
	if interval <= 0 {
		interval = time.Second
	}
	c.pace = pace.New(interval)
	if c.retries <= 0 {
		c.retries = 5
	}
	if c.historyMax <= 0 {
		c.historyMax = 5
	}
	return c
}

// Send posts m and its thread replies. With m.Once it first looks for the
// same message already posted and returns Posted.Existing without posting.
func (c *Client) Send(ctx context.Context, m Message) (Posted, error) {
	if err := m.Validate(); err != nil {
		return Posted{}, fmt.Errorf("message for %s: %w", m.Channel, err)
	}
	if m.Once != nil && m.Metadata != nil {
		f, found, err := c.Find(ctx, m.Channel, *m.Metadata, m.Once.Match, m.Once.Since)
		if err != nil {
			return Posted{}, err
		}
		if found {
			c.log.InfoContext(ctx, "already posted", "channel", m.Channel, "ts", f.TS, "event_type", m.Metadata.EventType)
			return Posted{Channel: m.Channel, TS: f.TS, Existing: true}, nil
		}
	}
	ch, ts, err := c.post(ctx, m.Channel, m, "")
	if err != nil {
		return Posted{}, err
	}
	p := Posted{Channel: ch, TS: ts}
	for _, r := range m.Thread {
		if _, _, err := c.post(ctx, ch, r, ts); err != nil {
			return p, err
		}
		p.Replies++
	}
	return p, nil
}

func (c *Client) post(ctx context.Context, channel string, m Message, threadTS string) (string, string, error) {
	opts := []slack.MsgOption{slack.MsgOptionText(m.Text, false)}
	if len(m.Blocks) > 0 {
		opts = append(opts, slack.MsgOptionBlocks(m.Blocks...))
	}
	if m.Metadata != nil {
		opts = append(opts, slack.MsgOptionMetadata(*m.Metadata))
	}
	if threadTS != "" {
		opts = append(opts, slack.MsgOptionTS(threadTS))
	}
	var ch, ts string
	err := c.call(ctx, channel, true, func() error {
		var err error
		ch, ts, err = c.api.PostMessageContext(ctx, channel, opts...)
		return err
	})
	if err != nil {
		return "", "", err
	}
	c.log.DebugContext(ctx, "posted", "channel", ch, "ts", ts, "thread", threadTS)
	return ch, ts, nil
}

// call runs fn, paced per channel when pace is set, waiting out 429s.
func (c *Client) call(ctx context.Context, channel string, pace bool, fn func() error) error {
	for attempt := 0; ; attempt++ {
		if pace {
			if err := c.pace.Wait(ctx, channel); err != nil {
				return err
			}
		}
		err := fn()
		if err == nil {
			return nil
		}
		var rl *slack.RateLimitedError
		if !errors.As(err, &rl) || attempt >= c.retries {
			return classify(channel, err)
		}
		after := rl.RetryAfter
		if after <= 0 {
			after = time.Second
		}
		c.log.WarnContext(ctx, "slack rate limit", "channel", channel, "retry_after", after)
		if err := c.pace.Retry(ctx, channel, after); err != nil {
			return err
		}
	}
}

// Find looks for a top-level message in channel, posted at or after
// since, whose metadata has md's event type and md's payload values for
// the keys in match (every key of md when match is nil). It reads at most
// Options.HistoryPages pages of history.
func (c *Client) Find(ctx context.Context, channel string, md slack.SlackMetadata, match []string, since time.Time) (Found, bool, error) {
	want := md
	if match != nil {
		want.EventPayload = map[string]any{}
		for _, k := range match {
			want.EventPayload[k] = md.EventPayload[k]
		}
	}
	params := &slack.GetConversationHistoryParameters{
		ChannelID:          channel,
		Oldest:             fmt.Sprintf("%d.000000", since.Unix()),
		Limit:              200,
		IncludeAllMetadata: true,
	}
	for page := 0; page < c.historyMax; page++ {
		var resp *slack.GetConversationHistoryResponse
		err := c.call(ctx, channel, false, func() error {
			var err error
			resp, err = c.api.GetConversationHistoryContext(ctx, params)
			return err
		})
		if err != nil {
			return Found{}, false, fmt.Errorf("look for an earlier post: %w", err)
		}
		for _, msg := range resp.Messages {
			if SameMetadata(msg.Metadata, want) {
				return Found{TS: msg.Timestamp, Metadata: msg.Metadata}, true, nil
			}
		}
		if !resp.HasMore || resp.ResponseMetaData.NextCursor == "" {
			break
		}
		params.Cursor = resp.ResponseMetaData.NextCursor
	}
	return Found{}, false, nil
}

// Update replaces the message at ts in channel with m (text, blocks and
// metadata), as chat.update does.
func (c *Client) Update(ctx context.Context, channel, ts string, m Message) error {
	if err := m.Validate(); err != nil {
		return fmt.Errorf("message for %s: %w", channel, err)
	}
	opts := []slack.MsgOption{slack.MsgOptionText(m.Text, false)}
	if len(m.Blocks) > 0 {
		opts = append(opts, slack.MsgOptionBlocks(m.Blocks...))
	}
	if m.Metadata != nil {
		opts = append(opts, slack.MsgOptionMetadata(*m.Metadata))
	}
	return c.call(ctx, channel, true, func() error {
		_, _, _, err := c.api.UpdateMessageContext(ctx, channel, ts, opts...)
		return err
	})
}

// SameMetadata reports whether got has want's event type and every one of
// want's payload values (compared as text: Slack returns JSON numbers).
func SameMetadata(got, want slack.SlackMetadata) bool {
	if got.EventType != want.EventType {
		return false
	}
	for k, v := range want.EventPayload {
		g, ok := got.EventPayload[k]
		if !ok || fmt.Sprint(g) != fmt.Sprint(v) {
			return false
		}
	}
	return true
}
