package findings

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Text from a pull request ends up in CI logs, where the GitHub Actions
// runner reads any line starting with "::" (or "##[") as a workflow command,
// and in terminals, which obey escape sequences. A YAML key or a file name
// can carry a newline, so every field a text renderer prints goes through
// Printable or DisplayPath first. The JSON renderer prints the values
// exactly: JSON escapes control characters itself.

// Printable returns s with each control character, line or paragraph
// separator and other invisible formatting character written as a Go
// escape (\n, \x1b, \u2028) and each invalid UTF-8 byte as \xNN, so that
// it prints on one line and shows what is there. Backslashes already in s
// are kept as they are: messages quote values with %q, which escapes them.
func Printable(s string) string {
	if isPlain(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			b.WriteString(`\x`)
			b.WriteString(strconv.FormatUint(uint64(s[i]), 16))
		case needsEscape(r):
			q := strconv.QuoteRuneToASCII(r) // 'x' with the escape inside
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// DisplayPath returns a file path as renderers print it at the start of a
// line: unchanged when it is ordinary, else Go-quoted ("accounts/\xff.yaml"),
// which maps back to the exact bytes and can never begin a workflow
// command or hide leading or trailing spaces.
func DisplayPath(p string) string {
	if p == "" || (isPlain(p) && !spaceAround(p) && !strings.HasPrefix(p, "::") && !strings.HasPrefix(p, "##[") && !strings.HasPrefix(p, `"`)) {
		return p
	}
	return strconv.Quote(p)
}

// spaceAround reports whether any element of the slash-separated path
// begins or ends with white space, which a reader cannot see.
func spaceAround(p string) bool {
	for _, e := range strings.Split(p, "/") {
		if e != strings.TrimSpace(e) {
			return true
		}
	}
	return false
}

func isPlain(s string) bool {
	for _, r := range s {
		if r == utf8.RuneError || needsEscape(r) {
			return false
		}
	}
	return true
}

// needsEscape: C0 and C1 controls (newline, CR, ESC, NEL...), U+2028/9 and
// the invisible format characters (bidi overrides, zero-width joiners)
// that make text read differently from what it is.
func needsEscape(r rune) bool {
	return unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || unicode.Is(unicode.Cf, r)
}
