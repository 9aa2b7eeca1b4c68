package config

import "testing"

func TestSuggest(t *testing.T) {
	fields := []string{"cost", "description", "events", "id", "name", "owner", "slack"}
	events := []string{"CreateAccountResult", "CreateAccount", "CloseAccount", "InviteAccountToOrganization"}
	for _, tc := range []struct {
		name, got  string
		candidates []string
		want       string
	}{
		{"one typo", "ower", fields, "owner"},
		{"case only", "Description", fields, "description"},
		{"single letter is no typo", "d", fields, ""},
		{"unrelated word", "cloudtrail", fields, ""},
		{"missing letter in event", "CreateAcountResult", events, "CreateAccountResult"},
		{"shortened name", "InviteAccount", events, "InviteAccountToOrganization"},
		{"nothing to choose from", "x", nil, ""},
		{"very long input", string(make([]byte, 100)), fields, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := suggest(tc.got, tc.candidates); got != tc.want {
				t.Errorf("suggest(%q) = %q, want %q", tc.got, got, tc.want)
			}
		})
	}
}

func TestLevenshtein(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"a", "", 1}, {"kitten", "sitting", 3}, {"日本", "日本語", 1},
	} {
		if got := levenshtein(tc.a, tc.b); got != tc.want {
			t.Errorf("levenshtein(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}
