package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// TestBrokenAccountFileRefusedEverywhere (issue 10 point 4): one account
// file that does not validate makes every command that acts on AWS or
// Slack refuse, exit 1, before a single AWS or Slack call: read through
// config.Validate, the broken file would look like an account that was
// removed (its resources deleted, its events sent to the platform channel).
func TestBrokenAccountFileRefusedEverywhere(t *testing.T) {
	root, env := exampleOrg(t)
	broken := filepath.Join(root, "accounts", "payments-staging.yaml")
	b, err := os.ReadFile(broken)
	if err != nil {
		t.Fatal(err)
	}
	// A typo in a field name: the schema rejects it, every other file is fine.
	b = []byte(strings.Replace(string(b), "\nowner:", "\nowenr:", 1))
	if err := os.WriteFile(broken, b, 0o644); err != nil {
		t.Fatal(err)
	}

	var slackCalls atomic.Int64
	slack := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		slackCalls.Add(1)
		http.Error(w, `{"ok":false,"error":"not_expected"}`, http.StatusInternalServerError)
	}))
	defer slack.Close()
	environ := map[string]string{"SLACK_BOT_TOKEN": slackToken, "SLACK_API_URL": slack.URL + "/"}

	for _, args := range [][]string{
		{"plan", "--root", root},
		{"plan", "--root", root, "--detailed-exitcode"},
		{"apply", "--root", root, "--allow-mass-delete"},
		{"digest", "cost", "--root", root, "--date", "2026-11-30"},
		{"digest", "events", "--root", root},
	} {
		t.Run(strings.Join(args[:2], " "), func(t *testing.T) {
			env.Sim.Faults().ResetCounts()
			r := runCLI(t, environ, args...)
			if r.code != exitFindings {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", r.code, exitFindings, r.stdout, r.stderr)
			}
			if !strings.Contains(r.stderr, "payments-staging.yaml:") || !strings.Contains(r.stderr, "owenr") {
				t.Errorf("stderr does not name the broken file and field:\n%s", r.stderr)
			}
			if r.stdout != "" {
				t.Errorf("stdout: %s", r.stdout)
			}
			total := 0
			for _, n := range env.Sim.Faults().Counts() {
				total += n
			}
			if total != 0 {
				t.Errorf("%d AWS calls: %v", total, env.Sim.Faults().Counts())
			}
			if n := slackCalls.Load(); n != 0 {
				t.Errorf("%d Slack calls", n)
			}
		})
	}
}
