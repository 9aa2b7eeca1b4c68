package plan

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// Resource names, tag values, policies and error messages can hold text
// anyone with access to an account wrote. The plan is printed in CI logs,
// where the GitHub runner executes a line whose trimmed start is "::" and
// any line containing "##[" as a workflow command, and in a pull-request
// comment. So every such value is rendered inert: quoted when it holds a
// character that is not printable (newlines, ANSI escapes, bidi controls),
// with "##[" written as "#\u0023[" (the same string in Go and JSON syntax),
// and never at the start of a line.

// quote renders s as a Go-syntax quoted string that is safe on a line.
func quote(s string) string { return defuse(strconv.Quote(s)) }

// name renders an identifier (a resource name, an account, a region) as it
// is when that is safe, and quoted otherwise.
func name(s string) string {
	if s == "" || strings.Contains(s, "##[") || strings.IndexFunc(s, notPrint) >= 0 {
		return quote(s)
	}
	return s
}

// jsonLine makes one line of indented canonical JSON safe. encoding/json
// already escapes C0 controls, U+2028 and U+2029; the other unprintable
// runes (DEL, C1 controls such as NEL, bidi overrides) can only occur
// inside strings, where a \u escape means the same.
func jsonLine(s string) string {
	if strings.IndexFunc(s, notPrint) >= 0 {
		var b strings.Builder
		for _, r := range s {
			if !notPrint(r) {
				b.WriteRune(r)
				continue
			}
			if r == utf8.RuneError {
				b.WriteString(`\ufffd`)
				continue
			}
			if r > 0xFFFF {
				r1, r2 := utf16.EncodeRune(r)
				fmt.Fprintf(&b, `\u%04x\u%04x`, r1, r2)
				continue
			}
			fmt.Fprintf(&b, `\u%04x`, r)
		}
		s = b.String()
	}
	return defuse(s)
}

func notPrint(r rune) bool { return r != ' ' && !strconv.IsPrint(r) }

// defuse breaks "##[" inside a quoted string; see the comment above.
func defuse(s string) string { return strings.ReplaceAll(s, "##[", `#\u0023[`) }

// neutralize is the last guard on a finished line: one that would still
// read as a workflow command is prefixed so that it does not. The renderers
// never build such a line; this keeps it that way if they change.
func neutralize(line string) string {
	line = defuse(line)
	if strings.HasPrefix(strings.TrimLeftFunc(line, unicode.IsSpace), "::") {
		return "> " + line
	}
	return line
}

// cellEscaper makes text inert inside a Markdown table cell: it keeps the
// table intact ('|', newlines) and neutralises emphasis, links, HTML, math
// and @mentions (a zero-width space after '@' stops GitHub from notifying
// the named user or team). The same as internal/github's, which the plan
// cannot import (it sits below github).
var cellEscaper = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`,
	"~", `\~`, "#", `\#`, "$", `\$`, "|", `\|`,
	"&", "&amp;", "<", "&lt;", ">", "&gt;",
	"@", "@&#8203;",
	"\r\n", "<br>", "\n", "<br>", "\r", "<br>",
)

// cell renders s for a Markdown table cell. Unprintable characters are
// escaped first, Go style, so that no control character reaches GitHub.
func cell(s string) string {
	if strings.IndexFunc(s, notPrint) >= 0 {
		q := strconv.Quote(s)
		s = q[1 : len(q)-1]
	}
	return cellEscaper.Replace(s)
}
