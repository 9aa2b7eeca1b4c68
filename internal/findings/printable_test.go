package findings

import (
	"bytes"
	"strings"
	"testing"
)

// The attack: a pull request adds
//
//	"x\n::error file=org.yaml,line=1::PWNED": 1
//
// to an account file (or names a file with a newline) and the runner,
// reading the validator's log, shows an annotation the attacker wrote.
const injected = "::error file=org.yaml,line=1::PWNED"

func TestWriteTextNeverStartsALineWithACommand(t *testing.T) {
	for _, tc := range []struct {
		name string
		f    Finding
		want string // the finding's line
	}{
		{
			name: "newline in a YAML key (the field)",
			f:    Finding{File: "accounts/a.yaml", Line: 5, Col: 1, Field: "x\n" + injected, Message: `unknown field "x\n::error"`, Severity: Error},
			want: `accounts/a.yaml:5:1: x\n::error file=org.yaml,line=1::PWNED: unknown field "x\n::error"`,
		},
		{
			name: "newline in a file name",
			f:    Finding{File: "accounts/x\n" + injected + ".yaml", Message: "m", Severity: Error},
			want: `"accounts/x\n::error file=org.yaml,line=1::PWNED.yaml": m`,
		},
		{
			name: "carriage return and newline in a message (a duplicate-ID list)",
			f:    Finding{File: "accounts/a.yaml", Line: 3, Col: 5, Field: "id", Message: "account ID 1 is also used by accounts/b\r\n" + injected, Severity: Error},
			want: `accounts/a.yaml:3:5: id: account ID 1 is also used by accounts/b\r\n::error file=org.yaml,line=1::PWNED`,
		},
		{
			name: "a file name that is itself a command",
			f:    Finding{File: injected, Message: "m", Severity: Error},
			want: `"::error file=org.yaml,line=1::PWNED": m`,
		},
		{
			name: "a file name starting a log group marker",
			f:    Finding{File: "##[group]x", Message: "m", Severity: Error},
			want: `"##[group]x": m`,
		},
		{
			name: "leading spaces, which the runner trims",
			f:    Finding{File: "  ::warning::x", Message: "m", Severity: Error},
			want: `"  ::warning::x": m`,
		},
		{
			name: "a space around a path element is shown",
			f:    Finding{File: "accounts/ payments.yaml", Message: "m", Severity: Error},
			want: `"accounts/ payments.yaml": m`,
		},
		{
			name: "escape sequences and other controls",
			f:    Finding{File: "a.yaml", Line: 1, Field: "k\x1b[2J", Message: "bell\a nel\u0085 ls\u2028 rlo\u202e del\x7f", Severity: Error},
			want: `a.yaml:1: k\x1b[2J: bell\a nel\u0085 ls\u2028 rlo\u202e del\x7f`,
		},
		{
			name: "a file name that is not UTF-8 maps back to its bytes",
			f:    Finding{File: "accounts/pay\xffments.yaml", Message: "m", Severity: Error},
			want: `"accounts/pay\xffments.yaml": m`,
		},
		{
			name: "ordinary text is unchanged",
			f:    Finding{File: "accounts/zürich-prod.yaml", Line: 2, Col: 3, Field: "owner.team", Message: `"Zürich Ops" ok: C\d`, Severity: Error},
			want: `accounts/zürich-prod.yaml:2:3: owner.team: "Zürich Ops" ok: C\d`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteText(&buf, []Finding{tc.f}, 1); err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
			if len(lines) != 2 {
				t.Fatalf("%d lines, want the finding and the summary:\n%s", len(lines), buf.String())
			}
			if lines[0] != tc.want {
				t.Errorf("line:\n got %s\nwant %s", lines[0], tc.want)
			}
			for _, l := range lines {
				if l := strings.TrimLeft(l, " \t"); strings.HasPrefix(l, "::") || strings.HasPrefix(l, "##[") {
					t.Errorf("a line starts a workflow command: %q", l)
				}
			}
		})
	}
}

func TestWriteJSONStaysExact(t *testing.T) {
	f := Finding{File: "accounts/x\n" + injected + ".yaml", Field: "k\x1b", Message: "m\u2028", Severity: Error}
	var buf bytes.Buffer
	if err := WriteJSON(&buf, []Finding{f}, 1); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"file": "accounts/x\n::error file=org.yaml,line=1::PWNED.yaml"`, `"field": "k\u001b"`, `"message": "m\u2028"`} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("JSON lacks %s:\n%s", want, buf.String())
		}
	}
}
