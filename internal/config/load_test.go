package config

import (
	"fmt"
	"testing"
)

// TestSyntaxIssuePosition: yaml.v3 prints parser errors with a 0-based
// line, scanner errors on line 1 and control characters with none; the
// finding must still point at the line an editor shows.
func TestSyntaxIssuePosition(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"scanner error", "a: 1\nb: 2\nc: @x\n", "3:1 invalid YAML: found character that cannot start any token"},
		{"parser error: list item in a mapping", "a: 1\nb: 2\n- c\n", "3:1 invalid YAML: did not find expected key"},
		{"parser error: unclosed flow list", "a: 1\nb: 2\nc: [x\nd: 3\n", "3:1 invalid YAML: did not find expected ',' or ']'"},
		{"parser error on the first line", "{a: 1]\n", "1:1 invalid YAML: did not find expected ',' or '}'"},
		{"parser error on the second line", "a: b\n- c\n", "2:1 invalid YAML: did not find expected key"},
		{"tab on the first line", "\tid: \"1\"\n", "1:1 invalid YAML: a tab is used for indentation; YAML allows only spaces"},
		{"tab reported on the line before", "a: 1\nb:\n  c: 2\n\td: 3\n", "4:1 invalid YAML: a tab is used for indentation; YAML allows only spaces"},
		{"tab", "a: 1\nb:\n\tc: 2\n", "3:1 invalid YAML: a tab is used for indentation; YAML allows only spaces"},
		{"control character", "a: 1\nb: ä\x07\n", "2:5 invalid YAML: control character U+0007 is not allowed; remove it"},
		{"C1 control character", "a: 1\nb: \u009b31m\n", "2:4 invalid YAML: control character U+009B is not allowed; remove it"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := decodeYAML([]byte(tc.in))
			if err == nil {
				t.Fatal("no error")
			}
			is := syntaxIssue([]byte(tc.in), err)
			if got := fmt.Sprintf("%d:%d %s", is.line, is.col, is.msg); got != tc.want {
				t.Errorf("got  %s\nwant %s\n(yaml.v3: %v)", got, tc.want, err)
			}
		})
	}
}
