package config

import (
	"strings"
	"testing"
)

func TestModelineIssues(t *testing.T) {
	tests := []struct {
		name     string
		data     string
		kind     fileKind
		wantWarn string // substring of the warning; empty: no warning
	}{
		{"account with modeline", "# yaml-language-server: $schema=../schema/account.schema.json\nid: \"1\"\n", accountKind, ""},
		{"modeline after a BOM", "\uFEFF# yaml-language-server: $schema=../schema/account.schema.json\n", accountKind, ""},
		{"modeline with CRLF", "# yaml-language-server: $schema=x.json\r\nid: \"1\"\r\n", accountKind, ""},
		{"account without modeline", "id: \"1\"\n", accountKind, "$schema=../schema/account.schema.json"},
		{"modeline not first", "# team file\n# yaml-language-server: $schema=x.json\n", accountKind, "does not start with the schema line"},
		{"org without modeline", "organization: {}\n", orgKind, "$schema=schema/org.schema.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := modelineIssues([]byte(tt.data), tt.kind)
			if tt.wantWarn == "" {
				if len(got) != 0 {
					t.Fatalf("got %+v, want no issue", got)
				}
				return
			}
			if len(got) != 1 || got[0].sev != "warning" || got[0].line != 1 || !strings.Contains(got[0].msg, tt.wantWarn) {
				t.Fatalf("got %+v, want one warning on line 1 containing %q", got, tt.wantWarn)
			}
		})
	}
}
