package aws_test

import (
	"github.com/slack-go/slack"

	osl "github.com/orgnotify/orgnotify/internal/slack"
)

func renderText(blocks []slack.Block) string {
	return osl.Render(osl.Message{Blocks: blocks})
}
