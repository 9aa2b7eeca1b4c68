package slack_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	osl "github.com/orgnotify/orgnotify/internal/slack"
)

func text(n int) string { return strings.Repeat("x", n) }

func TestValidate(t *testing.T) {
	section := func(s string) slack.Block {
		return slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, s, false, false), nil, nil)
	}
	header := func(s string) slack.Block {
		return slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, s, false, false))
	}
	many := func(n int) []slack.Block {
		var bs []slack.Block
		for range n {
			bs = append(bs, section("x"))
		}
		return bs
	}
	var fields []*slack.TextBlockObject
	for range 11 {
		fields = append(fields, slack.NewTextBlockObject(slack.MarkdownType, "f", false, false))
	}
	for _, tc := range []struct {
		name string
		m    osl.Message
		want string // "" = valid
	}{
		{"ok", osl.Message{Channel: "C1", Text: "t", Blocks: many(50)}, ""},
		{"no channel", osl.Message{Text: "t"}, "no channel"},
		{"empty", osl.Message{Channel: "C1"}, "no text and no blocks"},
		{"51 blocks", osl.Message{Channel: "C1", Blocks: many(51)}, "51 blocks, Slack allows 50"},
		{"section 3000", osl.Message{Channel: "C1", Blocks: []slack.Block{section(text(3000))}}, ""},
		{"section 3001", osl.Message{Channel: "C1", Blocks: []slack.Block{section(text(3001))}}, "section text has 3001 characters"},
		{"section 3000 runes", osl.Message{Channel: "C1", Blocks: []slack.Block{section(strings.Repeat("▁", 3000))}}, ""},
		{"header 150", osl.Message{Channel: "C1", Blocks: []slack.Block{header(text(150))}}, ""},
		{"header 151", osl.Message{Channel: "C1", Blocks: []slack.Block{header(text(151))}}, "header text has 151 characters"},
		{"11 fields", osl.Message{Channel: "C1", Blocks: []slack.Block{slack.NewSectionBlock(nil, fields, nil)}}, "11 fields, Slack allows 10"},
		{"thread reply", osl.Message{Channel: "C1", Text: "t", Thread: []osl.Message{{Blocks: many(51)}}}, "thread reply 1: 51 blocks"},
		{"metadata", osl.Message{Channel: "C1", Text: "t", Metadata: &slack.SlackMetadata{}}, "metadata without event_type"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.m.Validate()
			if tc.want == "" {
				if err != nil {
					t.Fatalf("unexpected %v", err)
				}
				return
			}
			if !errors.Is(err, osl.ErrInvalidMessage) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestRender(t *testing.T) {
	m := osl.Message{
		Channel: "C1",
		Blocks: []slack.Block{
			slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, "Title", false, false)),
			slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "line 1\nline 2", false, false), nil, nil),
			slack.NewDividerBlock(),
			slack.NewContextBlock("", slack.NewTextBlockObject(slack.MarkdownType, "a", false, false), slack.NewTextBlockObject(slack.MarkdownType, "b", false, false)),
			slack.NewActionBlock("", slack.NewButtonBlockElement("open", "", slack.NewTextBlockObject(slack.PlainTextType, "Open", false, false)).WithURL("https://example.com")),
		},
	}
	want := "── C1 ──\nTitle\n=====\nline 1\nline 2\n----\na  b\n[Open] https://example.com\n"
	if got := osl.Render(m); got != want {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
}
