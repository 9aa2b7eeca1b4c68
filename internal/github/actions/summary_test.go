package actions

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestAppendStepSummary(t *testing.T) {
	tests := []struct {
		name     string
		existing *string // nil: the file does not exist yet
		appends  []string
		want     string
	}{
		{"creates the file", nil, []string{"# one\n"}, "# one\n"},
		{"keeps what earlier steps wrote", ptr("earlier step\n"), []string{"# one"}, "earlier step\n# one\n"},
		{"appends twice", nil, []string{"a\n", "b\n"}, "a\nb\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "summary.md")
			if tt.existing != nil {
				if err := os.WriteFile(path, []byte(*tt.existing), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			for _, md := range tt.appends {
				if err := AppendStepSummary(path, md); err != nil {
					t.Fatal(err)
				}
			}
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("file = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestAppendStepSummaryError(t *testing.T) {
	err := AppendStepSummary(filepath.Join(t.TempDir(), "missing-dir", "summary.md"), "x")
	if err == nil || !strings.HasPrefix(err.Error(), "open job summary: ") {
		t.Errorf("err = %v, want open job summary error", err)
	}
}

func ptr[T any](v T) *T { return &v }
