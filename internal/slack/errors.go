package slack

import (
	"errors"
	"fmt"

	"github.com/slack-go/slack"
)

// Errors a caller can tell apart with errors.Is; a ChannelError wraps one
// of them (or Slack's own error) and names the channel.
var (
	ErrChannelNotFound = errors.New("channel not found: check the channel ID, or invite the bot if the channel is private")
	ErrNotInChannel    = errors.New("the bot is not a member of the channel: invite it with /invite")
	ErrArchived        = errors.New("the channel is archived")
	ErrAuth            = errors.New("the Slack token is invalid or revoked: check SLACK_BOT_TOKEN")
	ErrRateLimited     = errors.New("rate limited by Slack")
)

// ChannelError is a failed post to one channel. Code is Slack's error code
// (channel_not_found, not_in_channel, ...).
type ChannelError struct {
	Channel string
	Code    string
	Err     error
}

func (e *ChannelError) Error() string {
	return fmt.Sprintf("post to slack channel %s: %v", e.Channel, e.Err)
}

func (e *ChannelError) Unwrap() error { return e.Err }

// classify turns a slack-go error into a ChannelError with a sentinel that
// says what to do.
func classify(channel string, err error) error {
	var rl *slack.RateLimitedError
	if errors.As(err, &rl) {
		return &ChannelError{Channel: channel, Code: "ratelimited", Err: fmt.Errorf("%w (retry after %s)", ErrRateLimited, rl.RetryAfter)}
	}
	var se slack.SlackErrorResponse
	code := ""
	if errors.As(err, &se) {
		code = se.Err
	} else {
		// slack-go returns most API errors as a plain error with the code as
		// its text; Slack codes are stable identifiers, not prose.
		code = err.Error()
	}
	var sentinel error
	switch code {
	case "channel_not_found":
		sentinel = ErrChannelNotFound
	case "not_in_channel":
		sentinel = ErrNotInChannel
	case "is_archived":
		sentinel = ErrArchived
	case "invalid_auth", "token_revoked", "not_authed", "account_inactive", "token_expired":
		sentinel = fmt.Errorf("%w (%s)", ErrAuth, code)
	default:
		return &ChannelError{Channel: channel, Code: code, Err: err}
	}
	return &ChannelError{Channel: channel, Code: code, Err: sentinel}
}
