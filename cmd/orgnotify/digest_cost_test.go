package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	slackgo "github.com/slack-go/slack"

	"github.com/orgnotify/orgnotify/internal/awssim"
	"github.com/orgnotify/orgnotify/internal/awssim/awssimtest"
	"github.com/orgnotify/orgnotify/internal/cost"
	"github.com/orgnotify/orgnotify/internal/slack"
	"github.com/orgnotify/orgnotify/internal/slack/slackserver"
)

// startDigestSim runs awssim with the README's demo seed and points the
// standard AWS chain at it, as a user does with AWS_ENDPOINT_URL.
func startDigestSim(t *testing.T) *awssimtest.Env {
	t.Helper()
	seed, err := awssim.LoadSeed("../../testdata/awssim/example-org.yaml")
	if err != nil {
		t.Fatal(err)
	}
	env := awssimtest.Start(t, seed)
	t.Setenv("AWS_ENDPOINT_URL", env.URL)
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDDIGEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_REGION", "ap-northeast-1") // Cost Explorer must still use us-east-1
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	return env
}

func TestDigestCostDryRunWithoutToken(t *testing.T) {
	env := startDigestSim(t)
	out := t.TempDir()
	r := runCLI(t, nil, "digest", "cost", "--root", exampleRoot, "--out", out)
	if r.code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, "SLACK_BOT_TOKEN is not set: dry run") {
		t.Errorf("no dry-run notice: %s", r.stderr)
	}
	for _, want := range []string{"── C05PLATFORM1 ──", "Organization cost", "── C05PAYPROD1 ──", "payments-prod — ¥", "── C05PAYSTG01 ──", "Top services", "Converted from USD at 150 JPY/USD"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("dry run lacks %q:\n%s", want, r.stdout)
		}
	}
	files, _ := filepath.Glob(filepath.Join(out, "*.json"))
	if len(files) != 3 {
		t.Fatalf("Block Kit files = %v, want 3 (summary and two DAILY accounts)", files)
	}
	var payload struct {
		Channel string
		Blocks  []map[string]any
	}
	data, _ := os.ReadFile(files[1])
	if err := json.Unmarshal(data, &payload); err != nil || payload.Channel != "C05PAYPROD1" || payload.Blocks[0]["type"] != "header" {
		t.Errorf("payload %s: %v", data, err)
	}
	if n := env.Sim.Faults().Counts()["ce:GetCostAndUsage"]; n == 0 || n > 10 {
		t.Errorf("GetCostAndUsage calls = %d", n)
	}
}

func TestDigestCostJSON(t *testing.T) {
	startDigestSim(t)
	r := runCLI(t, nil, "digest", "cost", "--root", exampleRoot, "--dry-run", "--format", "json")
	if r.code != exitOK {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines, want one per DAILY account:\n%s", len(lines), r.stdout)
	}
	want := []string{"account", "alerts", "average_7d", "channels", "currency", "date", "month_to_date", "month_to_date_last_month", "name", "previous", "top_services", "total"}
	for _, l := range lines {
		var m map[string]json.RawMessage
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatal(err)
		}
		var keys []string
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		if !slices.Equal(keys, want) {
			t.Errorf("keys %v, want %v", keys, want)
		}
	}
	var prod cost.JSON
	if err := json.Unmarshal([]byte(lines[0]), &prod); err != nil {
		t.Fatal(err)
	}
	if prod.Name != "payments-prod" || prod.Currency != "JPY" || prod.Total != float64(int64(prod.Total)) || len(prod.TopServices) != 5 || len(prod.Alerts) == 0 {
		t.Errorf("payments-prod = %+v", prod)
	}
}

func TestDigestCostPostsOncePerDay(t *testing.T) {
	startDigestSim(t)
	const token = "xoxb-digest-test-token"
	srv := slackserver.Start(t, token, "C05PLATFORM1", "C05PAYPROD1")
	srv.AddChannel(slackserver.Channel{ID: "C05PAYSTG01", Archived: true})
	srv.RateLimit("C05PAYPROD1", 1, 1)
	environ := map[string]string{"SLACK_BOT_TOKEN": token, "SLACK_API_URL": srv.URL}

	r := runCLI(t, environ, "digest", "cost", "--root", exampleRoot)
	if r.code != exitFindings {
		t.Fatalf("exit %d, want 1 (one channel failed)\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "payments-staging (456789012345)") || !strings.Contains(r.stderr, "C05PAYSTG01") || !strings.Contains(r.stderr, "archived") {
		t.Errorf("the archived channel's error does not name the account and channel:\n%s", r.stderr)
	}
	if strings.Contains(r.stderr, token) || strings.Contains(r.stdout, token) {
		t.Error("the token was printed")
	}
	posts := srv.Posts()
	var channels []string
	for _, p := range posts {
		channels = append(channels, p.Channel)
	}
	slices.Sort(channels)
	if !slices.Equal(channels, []string{"C05PAYPROD1", "C05PLATFORM1"}) {
		t.Fatalf("posted to %v", channels)
	}
	if srv.RateLimited() != 1 {
		t.Errorf("429s = %d, want 1 (waited out)", srv.RateLimited())
	}
	for _, p := range posts {
		var blocks []map[string]any
		if err := json.Unmarshal(p.Blocks, &blocks); err != nil || len(blocks) < 3 || blocks[0]["type"] != "header" {
			t.Errorf("%s: blocks %s", p.Channel, p.Blocks)
		}
		if p.Metadata == nil || p.Metadata.EventType != cost.EventType {
			t.Errorf("%s: metadata %+v", p.Channel, p.Metadata)
		}
	}

	// One history read for the whole run: the summary, posted first, is
	// the day's ledger; it ends "done" with the channel that failed.
	if n := srv.Calls("conversations.history"); n != 1 {
		t.Errorf("history reads = %d, want 1", n)
	}
	if md := summaryMetadata(t, srv); md["state"] != "done" || md["failed"] != "C05PAYSTG01" {
		t.Errorf("summary metadata = %v", md)
	}

	// The re-run posts nothing twice: only the channel that failed is
	// looked up, and posted to once it works.
	srv.AddChannel(slackserver.Channel{ID: "C05PAYSTG01"})
	r = runCLI(t, environ, "digest", "cost", "--root", exampleRoot)
	if r.code != exitOK {
		t.Fatalf("re-run: exit %d\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "2 already posted") {
		t.Errorf("re-run summary: %s", r.stderr)
	}
	if got := len(srv.Posts()); got != 3 {
		t.Errorf("after the re-run %d posts, want 3 (only the channel that failed)", got)
	}
	if n := srv.Calls("conversations.history"); n != 3 {
		t.Errorf("history reads after the re-run = %d, want 3 (summary, failed channel)", n)
	}
	if md := summaryMetadata(t, srv); md["state"] != "done" || md["failed"] != "" {
		t.Errorf("summary metadata = %v", md)
	}
	// A third run finds everything done and posts nothing.
	if r := runCLI(t, environ, "digest", "cost", "--root", exampleRoot); r.code != exitOK || len(srv.Posts()) != 3 {
		t.Errorf("third run: exit %d, %d posts\n%s", r.code, len(srv.Posts()), r.stderr)
	}
}

func summaryMetadata(t *testing.T, srv *slackserver.Server) map[string]any {
	t.Helper()
	for _, p := range srv.Posts() {
		if p.Channel == "C05PLATFORM1" && p.Metadata != nil {
			return p.Metadata.EventPayload
		}
	}
	t.Fatal("no summary posted")
	return nil
}

// TestDigestCostAfterInterruptedRun: a run that stopped half-way left the
// summary "started" and one account posted; the next run looks every
// message up and posts only what is missing.
func TestDigestCostAfterInterruptedRun(t *testing.T) {
	startDigestSim(t)
	const token = "xoxb-digest-test-token"
	srv := slackserver.Start(t, token, "C05PLATFORM1", "C05PAYPROD1", "C05PAYSTG01")
	environ := map[string]string{"SLACK_BOT_TOKEN": token, "SLACK_API_URL": srv.URL}
	day := time.Now().UTC().AddDate(0, 0, -1).Format(time.DateOnly)
	c := slack.New(token, slack.Options{APIURL: srv.URL})
	for _, m := range []slack.Message{
		{Channel: "C05PLATFORM1", Text: "summary", Metadata: &slackgo.SlackMetadata{EventType: cost.EventType,
			EventPayload: map[string]any{"date": day, "account": cost.OrganizationKey, "state": "started"}}},
		{Channel: "C05PAYPROD1", Text: "payments-prod", Metadata: &slackgo.SlackMetadata{EventType: cost.EventType,
			EventPayload: map[string]any{"date": day, "account": "345678901234"}}},
	} {
		if _, err := c.Send(context.Background(), m); err != nil {
			t.Fatal(err)
		}
	}
	r := runCLI(t, environ, "digest", "cost", "--root", exampleRoot)
	if r.code != exitOK {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	posts := srv.Posts()
	if len(posts) != 3 || posts[2].Channel != "C05PAYSTG01" {
		t.Errorf("posts = %+v, want only payments-staging added", posts)
	}
	if n := srv.Calls("conversations.history"); n != 3 {
		t.Errorf("history reads = %d, want 3 (summary and each account channel)", n)
	}
	if md := summaryMetadata(t, srv); md["state"] != "done" {
		t.Errorf("summary metadata = %v", md)
	}
}

func TestDigestCostRefusesBadInput(t *testing.T) {
	bad := t.TempDir()
	org, _ := os.ReadFile(filepath.Join(exampleRoot, "org.yaml"))
	os.WriteFile(filepath.Join(bad, "org.yaml"), org, 0o644)
	os.MkdirAll(filepath.Join(bad, "accounts"), 0o755)
	os.WriteFile(filepath.Join(bad, "accounts", "broken.yaml"), []byte("id: \"1\"\nname: other\n"), 0o644)
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		// Findings in the configuration are the user's to fix: 1, as validate.
		{"config errors", []string{"--root", bad, "--dry-run"}, exitFindings, "the configuration has 4 error(s)"},
		{"bad date", []string{"--date", "2026-13-01"}, exitError, `--date "2026-13-01": want YYYY-MM-DD`},
		{"future date", []string{"--date", "2999-01-01"}, exitError, "the day is not over yet"},
		{"bad format", []string{"--format", "xml"}, exitError, `unknown --format "xml"`},
		{"unknown digest", nil, exitError, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"digest", "cost"}, tc.args...)
			if tc.name == "unknown digest" {
				args, tc.want = []string{"digest", "bills"}, `unknown digest "bills"`
			}
			r := runCLI(t, nil, args...)
			if r.code != tc.code || !strings.Contains(r.stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", r.code, r.stderr, tc.code, tc.want)
			}
			if strings.Contains(r.stderr, "goroutine ") {
				t.Errorf("stack trace: %s", r.stderr)
			}
		})
	}
}

func TestDigestCostRevokedToken(t *testing.T) {
	startDigestSim(t)
	srv := slackserver.Start(t, "xoxb-good", "C05PLATFORM1", "C05PAYPROD1", "C05PAYSTG01")
	srv.Revoke()
	r := runCLI(t, map[string]string{"SLACK_BOT_TOKEN": "xoxb-good", "SLACK_API_URL": srv.URL}, "digest", "cost", "--root", exampleRoot)
	if r.code != exitFindings {
		t.Fatalf("exit %d, want 1\n%s", r.code, r.stderr)
	}
	for _, want := range []string{"payments-prod (345678901234)", "C05PAYPROD1", "token_revoked", "SLACK_BOT_TOKEN", "3 failed"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if strings.Contains(r.stderr, "xoxb-good") {
		t.Error("the token was printed")
	}
}
