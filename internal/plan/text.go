package plan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/orgnotify/orgnotify/internal/desired"
)

// TextOptions tune WriteText.
type TextOptions struct {
	// Color adds ANSI colours; the caller sets it only for a terminal.
	Color bool
}

// contextLines is how many unchanged lines of a JSON document are shown
// around each changed one.
const contextLines = 3

// WriteText writes p the way terraform shows a plan: one block per change,
// headed by its marker (+ create, ~ update, - delete, ! conflict) and the
// resource, then the fields that change; JSON documents are indented and
// shown as a line diff. Pending subscriptions follow, then the totals:
//
//	~ sns.topic 111111111111/eu-west-1 orgnotify-alerts
//	    ~ KmsMasterKeyId = "alias/old" -> "alias/new"
//
//	Plan: 0 to create, 1 to update, 0 to delete, 0 conflicts.
func WriteText(w io.Writer, p Plan, opts TextOptions) error {
	var b strings.Builder
	paint := func(l line) string { return l.text }
	if opts.Color {
		paint = func(l line) string {
			if l.style == plain {
				return l.text
			}
			return l.style.ansi() + l.text + "\x1b[0m"
		}
	}
	for _, l := range textLines(p) {
		l.text = neutralize(l.text)
		b.WriteString(paint(l))
		b.WriteByte('\n')
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write plan: %w", err)
	}
	return nil
}

// String reads "3 to create, 1 to update, 0 to delete, 1 conflict".
func (s Summary) String() string {
	conflicts := "conflicts"
	if s.Conflict == 1 {
		conflicts = "conflict"
	}
	return fmt.Sprintf("%d to create, %d to update, %d to delete, %d %s", s.Create, s.Update, s.Delete, s.Conflict, conflicts)
}

// style is how a line is coloured on a terminal.
type style int

const (
	plain style = iota
	green
	yellow
	red
	magenta
	bold
)

func (s style) ansi() string {
	return [...]string{plain: "", green: "\x1b[32m", yellow: "\x1b[33m", red: "\x1b[31m", magenta: "\x1b[35m", bold: "\x1b[1m"}[s]
}

// line is one line of output before colouring. Its text is already safe
// (see escape.go).
type line struct {
	style style
	text  string
}

func textLines(p Plan) []line {
	var out []line
	for i, c := range p.Changes {
		if i > 0 {
			out = append(out, line{})
		}
		out = append(out, changeLines(c)...)
	}
	if len(p.Pending) > 0 {
		if len(out) > 0 {
			out = append(out, line{})
		}
		out = append(out, pendingLines(p.Pending)...)
	}
	if len(out) > 0 {
		out = append(out, line{})
	}
	return append(out, line{bold, verdict(p)})
}

// verdict is the last line of a plan.
func verdict(p Plan) string {
	if p.Empty() {
		return "No changes."
	}
	return "Plan: " + p.Summary().String() + "."
}

func pendingLines(ids []desired.ID) []line {
	head := fmt.Sprintf("%d subscriptions wait for their endpoint to confirm:", len(ids))
	if len(ids) == 1 {
		head = "1 subscription waits for its endpoint to confirm:"
	}
	out := []line{{plain, head}}
	for _, id := range ids {
		out = append(out, line{plain, "  " + resource(id)})
	}
	return out
}

var markers = map[Action]struct {
	mark  string
	style style
}{
	Create:   {"+", green},
	Update:   {"~", yellow},
	Delete:   {"-", red},
	Conflict: {"!", magenta},
}

// resource renders "kind account/region name" with each part made safe.
func resource(id desired.ID) string {
	region := id.Region
	if region == desired.Global {
		region = "global"
	}
	return name(string(id.Kind)) + " " + name(id.Account) + "/" + name(region) + " " + name(id.Name)
}

func changeLines(c Change) []line {
	m, ok := markers[c.Action]
	if !ok {
		m.mark, m.style = "?", bold
	}
	head := m.mark + " " + resource(c.ID)
	if c.Status != "" {
		head += " [" + name(string(c.Status)) + "]"
	}
	out := []line{{m.style, head}}
	if c.Reason != "" {
		out = append(out, line{plain, "    " + name(c.Reason)})
	}
	// A delete removes the whole resource: the header says it all, and
	// the fields are in the JSON form.
	if c.Action != Delete {
		for _, f := range c.Diff {
			out = append(out, fieldLines(f)...)
		}
	}
	if c.Error != "" {
		out = append(out, line{red, "    error: " + quote(c.Error)})
	}
	return out
}

func fieldLines(f FieldDiff) []line {
	mark, st := "~", yellow
	switch {
	case f.Old == "":
		mark, st = "+", green
	case f.New == "":
		mark, st = "-", red
	}
	field := "    " + mark + " " + name(f.Field)
	if _, isDoc := docKind(f.Field); isDoc {
		oldLines, okOld := pretty(f.Old)
		newLines, okNew := pretty(f.New)
		if okOld && okNew {
			d := lineDiff(oldLines, newLines)
			if f.Old != "" && f.New != "" {
				d = withContext(d, contextLines)
			}
			out := []line{{st, field + ":"}}
			for _, l := range d {
				switch l.Op {
				case '+':
					out = append(out, line{green, "      + " + jsonLine(l.Text)})
				case '-':
					out = append(out, line{red, "      - " + jsonLine(l.Text)})
				case '…':
					out = append(out, line{plain, "        … " + l.Text})
				default:
					out = append(out, line{plain, "        " + jsonLine(l.Text)})
				}
			}
			return out
		}
	}
	switch mark {
	case "+":
		return []line{{st, field + " = " + quote(f.New)}}
	case "-":
		return []line{{st, field + " = " + quote(f.Old)}}
	}
	return []line{{st, field + " = " + quote(f.Old) + " -> " + quote(f.New)}}
}

// pretty splits a JSON document into indented lines; "" (absent) is no
// lines. It reports false for a value that is not JSON, shown as a string.
func pretty(doc string) ([]string, bool) {
	if doc == "" {
		return nil, true
	}
	var b bytes.Buffer
	if err := json.Indent(&b, []byte(doc), "", "  "); err != nil {
		return nil, false
	}
	return strings.Split(b.String(), "\n"), true
}

// plural is "1 change", "2 changes".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}
