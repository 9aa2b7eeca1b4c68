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

// TestParseYAMLAccepts: valid YAML that must not be a finding.
func TestParseYAMLAccepts(t *testing.T) {
	for _, tc := range []struct{ name, in string }{
		{"%YAML 1.2 directive", "%YAML 1.2\n---\na: 1\n"},
		{"%YAML 1.2 after a comment", "# yaml-language-server: $schema=x\n%YAML 1.2\n---\na: [1, 2]\n"},
		{"%YAML 1.1 directive", "%YAML 1.1\n---\na: 1\n"},
		{"explicit !!map and !!seq", "a: !!map {b: !!seq [1]}\n"},
		{"U+2028 in a quoted escape", "a: \"x\\u2028y\"\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc, issues := parseYAML([]byte(tc.in))
			if doc == nil || len(issues) > 0 {
				t.Errorf("issues: %+v", issues)
			}
		})
	}
}

// TestParseYAMLDirectiveKeepsPositions: rewriting the directive moves no
// line or column.
func TestParseYAMLDirectiveKeepsPositions(t *testing.T) {
	doc, issues := parseYAML([]byte("%YAML 1.2\n---\na: 1\nb: !Ref x\n"))
	if doc == nil || len(issues) != 1 || issues[0].line != 4 || issues[0].col != 4 {
		t.Errorf("issues = %+v, want one at 4:4", issues)
	}
}
