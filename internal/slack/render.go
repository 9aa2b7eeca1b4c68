package slack

import (
	"fmt"
	"strings"

	"github.com/slack-go/slack"
)

// Render returns m as readable text: what a reader would see in Slack,
// block by block, with the thread replies indented below. Used by dry runs
// and previews.
func Render(m Message) string {
	var b strings.Builder
	if m.Channel != "" {
		fmt.Fprintf(&b, "── %s ──\n", m.Channel)
	}
	renderBody(&b, m, "")
	for _, r := range m.Thread {
		b.WriteString("  ↳ reply in thread\n")
		renderBody(&b, r, "    ")
	}
	return b.String()
}

func renderBody(b *strings.Builder, m Message, indent string) {
	line := func(s string) {
		for _, l := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
			b.WriteString(strings.TrimRight(indent+l, " "))
			b.WriteByte('\n')
		}
	}
	if len(m.Blocks) == 0 {
		line(m.Text)
		return
	}
	for _, blk := range m.Blocks {
		switch blk := blk.(type) {
		case *slack.HeaderBlock:
			if blk.Text != nil {
				line(blk.Text.Text)
				line(strings.Repeat("=", len([]rune(blk.Text.Text))))
			}
		case *slack.SectionBlock:
			if blk.Text != nil {
				line(blk.Text.Text)
			}
			for _, f := range blk.Fields {
				if f != nil {
					line("  " + strings.ReplaceAll(f.Text, "\n", " "))
				}
			}
		case *slack.ContextBlock:
			var parts []string
			for _, e := range blk.ContextElements.Elements {
				switch e := e.(type) {
				case *slack.TextBlockObject:
					parts = append(parts, e.Text)
				case *slack.ImageBlockElement:
					parts = append(parts, "["+e.AltText+"]")
				}
			}
			line(strings.Join(parts, "  "))
		case *slack.DividerBlock:
			line("----")
		case *slack.ActionBlock:
			if blk.Elements == nil {
				continue
			}
			for _, e := range blk.Elements.ElementSet {
				if btn, ok := e.(*slack.ButtonBlockElement); ok && btn.Text != nil {
					if btn.URL != "" {
						line(fmt.Sprintf("[%s] %s", btn.Text.Text, btn.URL))
					} else {
						line("[" + btn.Text.Text + "]")
					}
				}
			}
		case nil:
		default:
			line("[" + string(blk.BlockType()) + " block]")
		}
	}
}
