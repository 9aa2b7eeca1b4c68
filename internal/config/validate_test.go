package config

import (
	"context"
	"errors"
	"io/fs"
	"path/filepath"
	"slices"
	"testing"
)

func TestValidateFilesOption(t *testing.T) {
	for _, tc := range []struct {
		name         string
		files        []string
		wantAccounts []string
		wantFiles    int
		wantFindings string
	}{
		{"one account of the repository", []string{exampleRoot + "/accounts/payments-prod.yaml"}, []string{"payments-prod"}, 2, ""},
		{"same file twice counts once", []string{exampleRoot + "/accounts/payments-prod.yaml", "../../testdata/example/accounts/../accounts/payments-prod.yaml"}, []string{"payments-prod"}, 2, ""},
		{"org.yaml is always validated, never as an account", []string{exampleRoot + "/org.yaml"}, nil, 1, ""},
		{
			"a file outside the root still meets the cross-file rules", []string{corpusDir + "/duplicate-id-with-example.yaml"}, []string{"duplicate-id-with-example"}, 2,
			"../../testdata/invalid/duplicate-id-with-example.yaml:3:5: id: account ID 345678901234 is also used by accounts/payments-prod.yaml; each account has exactly one file\n",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Validate(context.Background(), Options{Root: exampleRoot, Files: tc.files})
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, a := range res.Accounts {
				names = append(names, a.Name)
			}
			if !slices.Equal(names, tc.wantAccounts) {
				t.Errorf("accounts = %v, want %v", names, tc.wantAccounts)
			}
			if res.Files != tc.wantFiles {
				t.Errorf("Files = %d, want %d", res.Files, tc.wantFiles)
			}
			if got := format(res.Findings); got != tc.wantFindings {
				t.Errorf("findings:\n%s\nwant:\n%s", got, tc.wantFindings)
			}
		})
	}
}

func TestValidateErrors(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range []struct {
		name string
		ctx  context.Context
		opts Options
		want error
	}{
		{"root missing", context.Background(), Options{Root: "/nonexistent/orgnotify"}, ErrRoot},
		{"root is a file", context.Background(), Options{Root: exampleRoot + "/org.yaml"}, ErrRoot},
		{"file missing", context.Background(), Options{Root: exampleRoot, Files: []string{"no-such.yaml"}}, fs.ErrNotExist},
		{"context cancelled", cancelled, Options{Root: exampleRoot}, context.Canceled},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Validate(tc.ctx, tc.opts)
			if !errors.Is(err, tc.want) {
				t.Errorf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

// TestValidateDeterministic: the worker pool must not leak scheduling into
// the output.
func TestValidateDeterministic(t *testing.T) {
	root := tempRepo(t)
	copyTree(t, filepath.Join(corpusDir, "duplicate-accounts"), root)
	var first string
	for _, c := range []int{1, 2, 8, 0} {
		res, err := Validate(context.Background(), Options{Root: root, Concurrency: c})
		if err != nil {
			t.Fatal(err)
		}
		got := format(res.Findings)
		if got == "" {
			t.Fatal("no findings")
		}
		if first == "" {
			first = got
		} else if got != first {
			t.Errorf("concurrency %d:\n%s\nwant:\n%s", c, got, first)
		}
	}
}

func TestDefaultsApplied(t *testing.T) {
	res, err := Validate(context.Background(), Options{Root: exampleRoot})
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]*Account{}
	for _, a := range res.Accounts {
		byName[a.Name] = a
	}
	prod := byName["payments-prod"]
	if prod == nil || prod.File != "accounts/payments-prod.yaml" {
		t.Fatalf("payments-prod = %+v", prod)
	}
	if got := prod.Events.StackFailures.Statuses; !slices.Equal(got, DefaultStackStatuses) {
		t.Errorf("stack statuses = %v", got)
	}
	if got := prod.Events.StackFailures.Channels; !slices.Equal(got, prod.Slack.Channels) {
		t.Errorf("stack channels = %v, want the account's %v", got, prod.Slack.Channels)
	}
	if got := prod.Events.RDS.Channels; len(got) != 2 {
		t.Errorf("rds channels override lost: %v", got)
	}
	if prod.Cost.Metric != "UnblendedCost" || !prod.Cost.IsEnabled() || prod.Cost.TopServices != 5 {
		t.Errorf("cost = %+v", prod.Cost)
	}
	if sec := byName["security-audit"]; sec.Cost.IsEnabled() {
		t.Error("an account without cost must get no digest")
	}
	if res.Org.Lifecycle.Channels[0] != res.Org.Slack.DefaultChannel || *res.Org.Limits.MaxDeletionsPerApply != 25 || res.Org.OrganizationsRegion != "us-east-1" {
		t.Errorf("org defaults = %+v", res.Org)
	}
}
