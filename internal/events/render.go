package events

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/slack-go/slack"

	osl "github.com/orgnotify/orgnotify/internal/slack"
)

// Post is one channel's digest message (with its thread) and the events it
// shows, so the drain knows which queue messages a successful send settles.
type Post struct {
	Message  osl.Message
	EventIDs []string
}

// The shape of a digest within Slack's limits (osl.MaxBlocks,
// osl.osl.MaxSectionText).
const (
	// mainLines events are listed in the channel; the rest go to the thread
	// in replies of threadLines, so a channel is never flooded.
	mainLines   = 15
	threadLines = 60
	maxLine     = 600
)

var severityEmoji = map[Severity]string{Critical: ":red_circle:", High: ":large_orange_circle:", Medium: ":large_yellow_circle:", Low: ":large_blue_circle:", Info: ":white_circle:"}

// Sort orders events most severe first, then oldest first, then by ID, so
// a digest reads the same every time.
func Sort(evs []Event) {
	sort.SliceStable(evs, func(i, j int) bool {
		a, b := evs[i], evs[j]
		if a.Severity != b.Severity {
			return a.Severity > b.Severity
		}
		if !a.Time.Equal(b.Time) {
			return a.Time.Before(b.Time)
		}
		return a.ID < b.ID
	})
}

// Render builds the message for one channel. names maps account IDs to
// account file names ("" when unknown).
func Render(channel string, evs []Event, names func(string) string) Post {
	evs = append([]Event(nil), evs...)
	Sort(evs)
	lines := make([]string, len(evs))
	ids := make([]string, len(evs))
	for i, ev := range evs {
		lines[i] = Line(ev, names)
		ids[i] = ev.ID
	}
	summary := Summary(evs)
	m := osl.Message{Channel: channel, Text: summary}
	m.Blocks = append(m.Blocks,
		slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, truncate(summary, osl.MaxHeaderText), false, false)),
		slack.NewContextBlock("", slack.NewTextBlockObject(slack.MarkdownType, breakdown(evs), false, false)),
	)
	n := min(len(lines), mainLines)
	m.Blocks = append(m.Blocks, sections(lines[:n])...)
	if rest := len(lines) - n; rest > 0 {
		m.Blocks = append(m.Blocks, slack.NewContextBlock("", slack.NewTextBlockObject(slack.MarkdownType,
			fmt.Sprintf("…and %d more in the thread.", rest), false, false)))
		for i := n; i < len(lines); i += threadLines {
			j := min(i+threadLines, len(lines))
			m.Thread = append(m.Thread, osl.Message{
				Text:   fmt.Sprintf("Events %d–%d of %d", i+1, j, len(lines)),
				Blocks: sections(lines[i:j])})
		}
	}
	return Post{Message: m, EventIDs: ids}
}

// Summary is the one-line count: "AWS events: 3 (1 high, 2 medium)".
func Summary(evs []Event) string {
	counts := map[Severity]int{}
	for _, ev := range evs {
		counts[ev.Severity]++
	}
	var parts []string
	for s := Critical; s >= Info; s-- {
		if counts[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[s], s))
		}
	}
	noun := "events"
	if len(evs) == 1 {
		noun = "event"
	}
	return fmt.Sprintf("AWS %s: %d (%s)", noun, len(evs), strings.Join(parts, ", "))
}

// breakdown counts by category, in a fixed order.
func breakdown(evs []Event) string {
	counts := map[Category]int{}
	for _, ev := range evs {
		counts[ev.Category]++
	}
	var parts []string
	for _, c := range []Category{Organizations, CloudFormation, GuardDuty, SecurityHub, Config, Health, RDS, Other} {
		if counts[c] > 0 {
			parts = append(parts, fmt.Sprintf("%s *%d*", c, counts[c]))
		}
	}
	return strings.Join(parts, " · ")
}

// Line is one event as the digest lists it: severity, what (linked to the
// console), which account and region, when, and why.
func Line(ev Event, names func(string) string) string {
	what := escape(truncate(ev.Title, 200))
	if ev.Link != "" {
		what = "<" + ev.Link + "|" + strings.ReplaceAll(what, "|", "¦") + ">"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s *%s* %s", severityEmoji[ev.Severity], strings.ToUpper(ev.Severity.String()), what)
	if acct := ev.SubjectAccount; acct != "" {
		if n := names(acct); n != "" {
			fmt.Fprintf(&b, " · %s (%s)", escape(n), acct)
		} else {
			fmt.Fprintf(&b, " · %s", acct)
		}
	}
	fmt.Fprintf(&b, " · %s · %s", ev.Region, ev.Time.UTC().Format("2006-01-02 15:04 UTC"))
	if ev.Product != "" {
		fmt.Fprintf(&b, "\n      product %s", escape(ev.Product))
		if ev.Version != "" {
			fmt.Fprintf(&b, " %s", escape(ev.Version))
		}
	}
	if ev.Resource != "" && !strings.Contains(ev.Title, ev.Resource) {
		fmt.Fprintf(&b, "\n      %s", escape(truncate(ev.Resource, 150)))
	}
	if ev.Reason != "" {
		fmt.Fprintf(&b, "\n      _%s_", escape(truncate(ev.Reason, 200)))
	}
	return truncate(b.String(), maxLine)
}

// sections packs lines into section blocks of at most osl.MaxSectionText.
func sections(lines []string) []slack.Block {
	var out []slack.Block
	var cur strings.Builder
	flush := func() {
		if cur.Len() > 0 {
			out = append(out, slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, cur.String(), false, false), nil, nil))
			cur.Reset()
		}
	}
	for _, l := range lines {
		if cur.Len() > 0 && cur.Len()+1+len(l) > osl.MaxSectionText {
			flush()
		}
		if cur.Len() > 0 {
			cur.WriteByte('\n')
		}
		cur.WriteString(l)
	}
	flush()
	return out
}

// escape makes text safe in mrkdwn: &, < and > are control characters.
func escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// truncate shortens s to at most n bytes on a rune boundary, marking the cut.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - len("…")
	for cut > 0 && !utf8Start(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

// stamp formats a time for text output.
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }
