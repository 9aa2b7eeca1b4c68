package config

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orgnotify/orgnotify/internal/findings"
)

func TestLoad(t *testing.T) {
	for _, tc := range []struct {
		name         string
		change       func(t *testing.T, root string)
		wantErr      error
		wantAccounts int
		wantWarnings int
	}{
		{name: "clean repository gives the model", wantAccounts: 4},
		{
			// Validate still returns the other three accounts here; a
			// caller reading them would delete the mistyped one's wiring.
			name: "one mistyped account file gives no model",
			change: func(t *testing.T, root string) {
				appendFile(t, filepath.Join(root, "accounts", "payments-staging.yaml"), "evnets: {}\n")
			},
			wantErr: ErrInvalid,
		},
		{
			name: "an invalid org.yaml gives no model",
			change: func(t *testing.T, root string) {
				appendFile(t, filepath.Join(root, "org.yaml"), "regoins: []\n")
			},
			wantErr: ErrInvalid,
		},
		{
			name: "warnings alone do not stop it",
			change: func(t *testing.T, root string) {
				path := filepath.Join(root, "accounts", "payments-staging.yaml")
				data, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				_, rest, _ := strings.Cut(string(data), "\n") // drop the schema line
				writeFile(t, path, []byte(rest))
			},
			wantAccounts: 4,
			wantWarnings: 1,
		},
		{
			name: "an empty accounts/ gives no model",
			change: func(t *testing.T, root string) {
				if err := os.RemoveAll(filepath.Join(root, "accounts")); err != nil {
					t.Fatal(err)
				}
				mkdir(t, filepath.Join(root, "accounts"))
			},
			wantErr: ErrInvalid,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := tempRepo(t)
			copyTree(t, filepath.Join(exampleRoot, "accounts"), filepath.Join(root, "accounts"))
			if tc.change != nil {
				tc.change(t, root)
			}
			m, fs, err := Load(context.Background(), root)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if tc.wantErr != nil {
				if m != nil {
					t.Errorf("model returned with error findings: %+v", m)
				}
				if findings.Errors(fs) == 0 {
					t.Error("no error findings returned to explain the refusal")
				}
				return
			}
			if m == nil || m.Org == nil || len(m.Accounts) != tc.wantAccounts {
				t.Fatalf("model = %+v, want %d accounts", m, tc.wantAccounts)
			}
			if got := findings.Warnings(fs); got != tc.wantWarnings {
				t.Errorf("%d warnings, want %d", got, tc.wantWarnings)
			}
		})
	}
}

func TestLoadToolErrorsAreNotFindings(t *testing.T) {
	_, _, err := Load(context.Background(), filepath.Join(t.TempDir(), "missing"))
	if !errors.Is(err, ErrRoot) || errors.Is(err, ErrInvalid) {
		t.Errorf("err = %v, want ErrRoot", err)
	}
}

func appendFile(t *testing.T, path, text string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(text); err != nil {
		t.Fatal(err)
	}
}
