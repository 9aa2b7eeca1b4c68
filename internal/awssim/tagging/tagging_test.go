package tagging

import (
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	many := make([]Tag, 51)
	for i := range many {
		many[i] = Tag{Key: strings.Repeat("k", i+1)}
	}
	tests := []struct {
		name  string
		rules Rules
		tags  []Tag
		want  Problem
	}{
		{"fine", Rules{Max: 50}, []Tag{{"team", "payments"}, {"env", ""}}, OK},
		{"empty key", Rules{Max: 50}, []Tag{{"", "v"}}, KeyLength},
		{"129-byte key", Rules{Max: 50}, []Tag{{strings.Repeat("k", 129), "v"}}, KeyLength},
		{"257-byte value", Rules{Max: 50}, []Tag{{"k", strings.Repeat("v", 257)}}, ValueLength},
		{"aws: in any case", Rules{Max: 50}, []Tag{{"AWS:x", "v"}}, Reserved},
		{"duplicate allowed", Rules{Max: 50}, []Tag{{"k", "1"}, {"k", "2"}}, OK},
		{"duplicate refused", Rules{Max: 50, Duplicates: true}, []Tag{{"k", "1"}, {"k", "2"}}, Duplicate},
		{"duplicate in another case", Rules{Max: 50, Duplicates: true, FoldCase: true}, []Tag{{"k", "1"}, {"K", "2"}}, Duplicate},
		{"other case is another key", Rules{Max: 50, Duplicates: true}, []Tag{{"k", "1"}, {"K", "2"}}, OK},
		{"50 tags", Rules{Max: 50}, many[:50], OK},
		{"51 tags", Rules{Max: 50}, many, TooMany},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, _ := tt.rules.Check(tt.tags); got != tt.want {
				t.Errorf("Check = %d, want %d", got, tt.want)
			}
		})
	}
}
