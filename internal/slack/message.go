// Package slack sends Block Kit messages to Slack through slack-go, within
// Slack's limits and rate limits, and renders them as readable text for
// dry runs and previews. Every digest posts through a Sender: Client
// (the real Web API) or DryRun (text and Block Kit JSON, no token needed).
package slack

import (
	"context"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"
)

// Message is one Slack message to post.
type Message struct {
	Channel  string
	Text     string        // notification fallback text
	Blocks   []slack.Block // slack-go Block Kit blocks
	Thread   []Message     // replies posted in the thread of this message (their Channel is ignored)
	Metadata *slack.SlackMetadata

	// Once, when set with Metadata, makes Send look for a message already
	// posted to the channel since Once.Since carrying the same metadata
	// (event type and every payload value) and post nothing if there is
	// one: a re-run does not post twice.
	Once *Once
}

// Once bounds the look-up for an earlier post of the same message.
type Once struct {
	Since time.Time
	// Match lists the payload keys compared; nil compares every key.
	Match []string
}

// Found is an earlier post found in a channel's history.
type Found struct {
	TS       string
	Metadata slack.SlackMetadata
}

// Posted is the outcome of a Send.
type Posted struct {
	Channel string // channel ID as Slack returned it
	TS      string // timestamp of the top-level message
	Replies int    // thread replies posted
	// Existing is true when Once found an earlier post and nothing was sent.
	Existing bool
	// DryRun is true when nothing was sent because the sender only renders.
	DryRun bool
}

// Sender posts messages.
type Sender interface {
	Send(ctx context.Context, m Message) (Posted, error)
}

// Slack's documented limits (api.slack.com/reference/block-kit).
const (
	MaxBlocks          = 50
	MaxSectionText     = 3000
	MaxSectionFields   = 10
	MaxFieldText       = 2000
	MaxHeaderText      = 150
	MaxContextElements = 10
	MaxFallbackText    = 40000
	MaxButtonText      = 75
	MaxURL             = 3000
	MaxBlockID         = 255
)

// ErrInvalidMessage marks a message that breaks one of Slack's limits.
var ErrInvalidMessage = errors.New("invalid slack message")

// Validate checks m (and its thread replies) against Slack's limits, so a
// message is refused before it is posted rather than by Slack halfway
// through a digest.
func (m Message) Validate() error {
	if m.Channel == "" {
		return fmt.Errorf("%w: no channel", ErrInvalidMessage)
	}
	if err := m.validate(""); err != nil {
		return err
	}
	for i, r := range m.Thread {
		if err := r.validate(fmt.Sprintf("thread reply %d: ", i+1)); err != nil {
			return err
		}
		if len(r.Thread) > 0 {
			return fmt.Errorf("%w: thread reply %d has its own thread", ErrInvalidMessage, i+1)
		}
	}
	return nil
}

func (m Message) validate(where string) error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: %s%s", ErrInvalidMessage, where, fmt.Sprintf(format, a...))
	}
	if m.Text == "" && len(m.Blocks) == 0 {
		return bad("no text and no blocks")
	}
	if n := utf8.RuneCountInString(m.Text); n > MaxFallbackText {
		return bad("text has %d characters, Slack allows %d", n, MaxFallbackText)
	}
	if len(m.Blocks) > MaxBlocks {
		return bad("%d blocks, Slack allows %d", len(m.Blocks), MaxBlocks)
	}
	for i, b := range m.Blocks {
		if err := validateBlock(b); err != nil {
			return bad("block %d (%s): %v", i+1, blockType(b), err)
		}
	}
	if md := m.Metadata; md != nil && md.EventType == "" {
		return bad("metadata without event_type")
	}
	return nil
}

func blockType(b slack.Block) string {
	if b == nil {
		return "nil"
	}
	return string(b.BlockType())
}

func textLen(t *slack.TextBlockObject) int {
	if t == nil {
		return 0
	}
	return utf8.RuneCountInString(t.Text)
}

func validateBlock(b slack.Block) error {
	tooLong := func(what string, n, max int) error {
		return fmt.Errorf("%s has %d characters, Slack allows %d", what, n, max)
	}
	switch b := b.(type) {
	case nil:
		return errors.New("nil block")
	case *slack.HeaderBlock:
		if b.Text == nil || b.Text.Text == "" {
			return errors.New("header without text")
		}
		if b.Text.Type != slack.PlainTextType {
			return errors.New("header text must be plain_text")
		}
		if n := textLen(b.Text); n > MaxHeaderText {
			return tooLong("header text", n, MaxHeaderText)
		}
		return checkBlockID(b.BlockID)
	case *slack.SectionBlock:
		if b.Text == nil && len(b.Fields) == 0 {
			return errors.New("section without text or fields")
		}
		if n := textLen(b.Text); n > MaxSectionText {
			return tooLong("section text", n, MaxSectionText)
		}
		if len(b.Fields) > MaxSectionFields {
			return fmt.Errorf("%d fields, Slack allows %d", len(b.Fields), MaxSectionFields)
		}
		for i, f := range b.Fields {
			if n := textLen(f); n > MaxFieldText {
				return tooLong(fmt.Sprintf("field %d", i+1), n, MaxFieldText)
			}
		}
		return checkBlockID(b.BlockID)
	case *slack.ContextBlock:
		els := b.ContextElements.Elements
		if len(els) == 0 {
			return errors.New("context without elements")
		}
		if len(els) > MaxContextElements {
			return fmt.Errorf("%d context elements, Slack allows %d", len(els), MaxContextElements)
		}
		for i, e := range els {
			if t, ok := e.(*slack.TextBlockObject); ok {
				if n := textLen(t); n > MaxSectionText {
					return tooLong(fmt.Sprintf("context element %d", i+1), n, MaxSectionText)
				}
			}
		}
		return checkBlockID(b.BlockID)
	case *slack.ActionBlock:
		if b.Elements == nil || len(b.Elements.ElementSet) == 0 {
			return errors.New("actions without elements")
		}
		if len(b.Elements.ElementSet) > 25 {
			return fmt.Errorf("%d action elements, Slack allows 25", len(b.Elements.ElementSet))
		}
		for i, e := range b.Elements.ElementSet {
			if btn, ok := e.(*slack.ButtonBlockElement); ok {
				if n := textLen(btn.Text); n > MaxButtonText {
					return tooLong(fmt.Sprintf("button %d text", i+1), n, MaxButtonText)
				}
				if n := len(btn.URL); n > MaxURL {
					return tooLong(fmt.Sprintf("button %d URL", i+1), n, MaxURL)
				}
			}
		}
		return checkBlockID(b.BlockID)
	case *slack.DividerBlock:
		return checkBlockID(b.BlockID)
	}
	return nil
}

func checkBlockID(id string) error {
	if len(id) > MaxBlockID {
		return fmt.Errorf("block_id has %d characters, Slack allows %d", len(id), MaxBlockID)
	}
	return nil
}
