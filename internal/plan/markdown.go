package plan

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

const (
	// collapseLines is the length of the diff above which it is folded
	// into <details>, so that the rest of the comment stays in view.
	collapseLines = 40
	// maxConflictRows caps the conflicts table; every conflict is also in
	// the diff.
	maxConflictRows = 20
)

// Markdown renders p for the sticky pull-request comment and the job
// summary: the totals as a table, the conflicts (which need a person) as a
// table, then the text plan in a diff code block, folded into <details>
// when long. It is never longer than limit bytes (GitHub counts
// characters, never more than bytes): changes that do not fit are left out
// with a note saying how many, and the first ones are always shown.
func Markdown(p Plan, limit int) string {
	var head strings.Builder
	if p.Empty() {
		head.WriteString("**No changes.**\n")
	} else {
		head.WriteString("**" + verdict(p) + "**\n")
	}
	s := p.Summary()
	fmt.Fprintf(&head, "\n| Create | Update | Delete | Conflict | Pending |\n| ---: | ---: | ---: | ---: | ---: |\n| %d | %d | %d | %d | %d |\n",
		s.Create, s.Update, s.Delete, s.Conflict, len(p.Pending))
	if s.Conflict > 0 {
		head.WriteString(conflictTable(p))
	}
	if len(p.Changes) == 0 && len(p.Pending) == 0 {
		return fitHead(head.String(), limit)
	}

	blocks := diffBlocks(p)
	total := 0
	for _, b := range blocks {
		total += len(b.lines)
	}
	collapse := total > collapseLines
	fence := fenceFor(blocks)
	open := "\n"
	if collapse {
		open += fmt.Sprintf("<details><summary>Show the plan (%s)</summary>\n\n", plural(len(p.Changes), "change"))
	}
	open += fence + "diff\n"
	end := fence + "\n"
	if collapse {
		end += "\n</details>\n"
	}

	var all strings.Builder
	for _, b := range blocks {
		all.WriteString(b.text())
	}
	if out := head.String() + open + all.String() + end; len(out) <= limit {
		return out
	}

	// Reserve room for the longest note and cut marker that could be
	// needed, then add whole blocks while they fit. The first block is
	// cut line by line if even it does not fit, so that the comment always
	// shows the start of the plan; the changes after the last whole block
	// are listed by their header line while those fit.
	fixed := head.Len() + len(open) + len(end) + len(cutLine) + len(omittedNote(len(p.Changes), len(p.Pending)))
	var body strings.Builder
	room := func(s string) bool { return fixed+body.Len()+len(s) <= limit }
	// listed[i] is the room the headers of blocks[i:] take in the list.
	listed := make([]int, len(blocks)+1)
	listed[len(blocks)] = len(listIntro)
	for i := len(blocks) - 1; i >= 0; i-- {
		listed[i] = listed[i+1] + len(blocks[i].header()) + 1
	}
	whole, shown := 0, 0 // blocks shown whole; changes shown at least by header
	for i, b := range blocks {
		used := fixed + body.Len() + len(b.text())
		if used > limit {
			break
		}
		// Diffs take the room the headers of the changes after them
		// leave, or half of it when those would not all fit anyway.
		if i > 0 && used+listed[i+1] > limit && used > limit/2 {
			break
		}
		body.WriteString(b.text())
		whole++
		if b.change {
			shown++
		}
	}
	rest := blocks[whole:]
	if whole == 0 {
		for _, l := range blocks[0].lines {
			if !room(l + "\n") {
				break
			}
			body.WriteString(l + "\n")
		}
		if body.Len() == 0 {
			return fitHead(head.String(), limit)
		}
		body.WriteString(cutLine)
		if blocks[0].change {
			shown++
		}
		rest = rest[1:]
	}
	if len(rest) > 0 && rest[0].change && room(listIntro+rest[0].header()+"\n") {
		body.WriteString(listIntro)
		for _, b := range rest {
			if !b.change || !room(b.header()+"\n") {
				break
			}
			body.WriteString(b.header() + "\n")
			shown++
		}
	}
	pending := 0
	if len(p.Pending) > 0 && whole < len(blocks) {
		pending = len(p.Pending) // the pending list is the last block
	}
	return fitHead(head.String()+open+body.String()+end+omittedNote(len(p.Changes)-shown, pending), limit)
}

const (
	// cutLine ends a change cut for size.
	cutLine = "    … the rest of this change is left out (size limit)\n"
	// listIntro heads the changes listed without their diff.
	listIntro = "\n… the next changes without their diff (size limit):\n"
)

// block is the text of one change (or of the pending list) in the diff.
type block struct {
	lines  []string
	change bool
}

// header is the change's first line: its marker and resource.
func (b block) header() string {
	for _, l := range b.lines {
		if l != "" {
			return l
		}
	}
	return ""
}

func (b block) text() string {
	var s strings.Builder
	for _, l := range b.lines {
		s.WriteString(l + "\n")
	}
	return s.String()
}

func diffBlocks(p Plan) []block {
	var out []block
	for i, c := range p.Changes {
		var b block
		b.change = true
		if i > 0 {
			b.lines = append(b.lines, "")
		}
		for _, l := range changeLines(c) {
			b.lines = append(b.lines, neutralize(l.text))
		}
		out = append(out, b)
	}
	if len(p.Pending) > 0 {
		var b block
		if len(out) > 0 {
			b.lines = append(b.lines, "")
		}
		for _, l := range pendingLines(p.Pending) {
			b.lines = append(b.lines, neutralize(l.text))
		}
		out = append(out, b)
	}
	return out
}

// fenceFor returns a code fence longer than any run of backticks in the
// diff, so that no value can close the block early.
func fenceFor(blocks []block) string {
	longest := 0
	for _, b := range blocks {
		for _, l := range b.lines {
			run := 0
			for _, r := range l {
				if r == '`' {
					run++
					longest = max(longest, run)
				} else {
					run = 0
				}
			}
		}
	}
	return strings.Repeat("`", max(3, longest+1))
}

// omittedNote says what the Markdown leaves out; a cut or a list without
// diffs is announced where it happens, so with nothing wholly left out the
// note only points to the full plan.
func omittedNote(changes, pending int) string {
	var parts []string
	if changes > 0 {
		parts = append(parts, plural(changes, "more change"))
	}
	if pending > 0 {
		parts = append(parts, plural(pending, "pending subscription"))
	}
	if len(parts) == 0 {
		return "\nSome diffs are left out here (size limit); `orgnotify plan` prints the whole plan.\n"
	}
	return "\n… " + strings.Join(parts, " and ") + " not shown here (size limit); `orgnotify plan` prints the whole plan.\n"
}

func conflictTable(p Plan) string {
	var b strings.Builder
	b.WriteString("\n⚠️ These resources exist without orgnotify's ownership; orgnotify never changes them:\n\n")
	b.WriteString("| Kind | Account | Region | Name | Why |\n| --- | --- | --- | --- | --- |\n")
	rows, more := 0, 0
	for _, c := range p.Changes {
		if c.Action != Conflict {
			continue
		}
		if rows == maxConflictRows {
			more++
			continue
		}
		rows++
		region := c.Region
		if region == "" {
			region = "global"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", cell(string(c.Kind)), cell(c.Account), cell(region), cell(c.Name), cell(c.Reason))
	}
	if more > 0 {
		fmt.Fprintf(&b, "\n… and %s, listed in the plan below.\n", plural(more, "more conflict"))
	}
	return b.String()
}

// fitHead is the last guard on the limit, for limits too small for even
// the totals: it cuts at a line, else at a rune boundary.
func fitHead(s string, limit int) string {
	if len(s) <= limit {
		return s
	}
	cut := s[:max(limit, 0)]
	if i := strings.LastIndexByte(cut, '\n'); i >= 0 {
		return cut[:i+1]
	}
	for !utf8.ValidString(cut) {
		cut = cut[:len(cut)-1]
	}
	return cut
}
