package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/orgnotify/orgnotify/internal/awssim"
	awsebsim "github.com/orgnotify/orgnotify/internal/awssim/eventbridge"
	"github.com/orgnotify/orgnotify/internal/slack/slackserver"
	"github.com/orgnotify/orgnotify/internal/summary"
)

// reconcileSetup starts awssim with the example organization and the
// digest seed's costs, and a local Slack API with every example channel.
func reconcileSetup(t *testing.T) (root string, sim *awssim.Sim, srv *slackserver.Server, environ map[string]string) {
	t.Helper()
	seed, err := awssim.LoadSeed("../../testdata/awssim/example-org.yaml")
	if err != nil {
		t.Fatal(err)
	}
	root, env := exampleOrgSeed(t, awssim.Seed{Costs: seed.Costs})
	srv = slackserver.Start(t, slackToken, "C05PLATFORM1", "C05PAYPROD1", "C05PAYSTG01", "C05DBAOPS01", "C05DSSANDBX", "C05SECALERT")
	environ = map[string]string{"SLACK_BOT_TOKEN": slackToken, "SLACK_API_URL": srv.URL, "GITHUB_STEP_SUMMARY": filepath.Join(t.TempDir(), "summary.md")}
	return root, env.Sim, srv, environ
}

func decodeRun(t *testing.T, r result) summary.Run {
	t.Helper()
	run, err := summary.ReadJSON(strings.NewReader(r.stdout))
	if err != nil {
		t.Fatalf("%v\nstdout:\n%s\nstderr:\n%s", err, r.stdout, r.stderr)
	}
	return run
}

func statuses(run summary.Run) string {
	var s []string
	for _, st := range run.Steps {
		s = append(s, st.Name+"="+string(st.Status))
	}
	return strings.Join(s, " ")
}

// TestReconcilePartialApplyStillDigests: apply fails in one account it
// cannot enter, and the event and cost digests run anyway; the run exits 1
// with every step reported, in the JSON result and in the job summary. The
// next run (the account reachable again) applies what was missing, posts
// the event that arrived meanwhile, and skips the cost digest Slack shows
// done, without a Cost Explorer request.
func TestReconcilePartialApplyStillDigests(t *testing.T) {
	root, sim, srv, environ := reconcileSetup(t)
	const denied = "345678901234" // payments-prod
	sim.Faults().Set(awssim.FaultConfig{DenyAccounts: []string{denied}})

	r := runCLI(t, environ, "reconcile", "--root", root, "--format", "json")
	if r.code != exitFindings {
		t.Fatalf("exit %d, want 1\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	run := decodeRun(t, r)
	if got := statuses(run); got != "apply=failed digest events=ok digest cost=ok" {
		t.Fatalf("steps: %s\n%+v\nstderr:\n%s", got, run.Steps, r.stderr)
	}
	if !strings.Contains(run.Steps[0].Error, "account "+denied) || !strings.Contains(run.Steps[0].Detail, "to create") {
		t.Errorf("apply step = %+v", run.Steps[0])
	}
	if run.Shard != "1/1" || !strings.Contains(run.Steps[2].Detail, "message(s) posted") {
		t.Errorf("run = %+v", run)
	}
	costPosts := len(srv.Posts())
	if costPosts == 0 {
		t.Fatal("the cost digest posted nothing")
	}
	md, err := os.ReadFile(environ["GITHUB_STEP_SUMMARY"])
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"## orgnotify reconcile", "| apply | **failed** |", "| digest events | ok |", "| digest cost | ok |", "### apply"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("job summary lacks %q:\n%s", want, md)
		}
	}

	// The forwarding rules exist where apply succeeded: a Config
	// compliance change in security-audit reaches the hub queue.
	sim.Faults().Set(awssim.FaultConfig{})
	raiseOn(t, sim, "012345678901", "config-noncompliant")
	ceBefore := sim.Faults().Counts()["ce:GetCostAndUsage"]
	r = runCLI(t, environ, "reconcile", "--root", root)
	if r.code != exitOK {
		t.Fatalf("second run: exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{"apply                ok", "digest events        ok       received 1", "digest cost          skipped  already posted for", "reconcile: every step ok or skipped"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("second run's summary lacks %q:\n%s", want, r.stdout)
		}
	}
	if n := sim.Faults().Counts()["ce:GetCostAndUsage"]; n != ceBefore {
		t.Errorf("the skipped cost digest made %d Cost Explorer requests", n-ceBefore)
	}
	if top, _ := postsTo(srv, "C05SECALERT"); len(srv.Posts()) != costPosts+1 || len(top) != 1 || !strings.Contains(top[0], "restricted-ssh") {
		t.Errorf("posts after the second run: %d (want %d); security-audit: %q", len(srv.Posts()), costPosts+1, top)
	}
}

// raiseOn publishes a sample event on account's default bus in the home
// region, as the AWS service would.
func raiseOn(t *testing.T, sim *awssim.Sim, account, name string) {
	t.Helper()
	var env struct {
		Source     string          `json:"source"`
		DetailType string          `json:"detail-type"`
		Resources  []string        `json:"resources"`
		Detail     json.RawMessage `json:"detail"`
	}
	b, err := os.ReadFile(filepath.Join(repoRoot, "testdata", "events", name+".json"))
	must(t, err, "read sample")
	must(t, json.Unmarshal(b, &env), "decode sample")
	_, err = sim.EventBridge.PutServiceEvent(context.Background(), account, homeRegion, awsebsim.ServiceEvent{
		Source: env.Source, DetailType: env.DetailType, Detail: env.Detail, Resources: env.Resources, Time: time.Now()})
	must(t, err, "PutServiceEvent "+name)
}

// TestReconcileStepsFailIndependently: without a Slack token both digests
// fail with the reason (apply still runs); a shard other than 1 skips the
// digests; a configuration with errors stops before anything.
func TestReconcileStepsFailIndependently(t *testing.T) {
	root, _, _, environ := reconcileSetup(t)
	delete(environ, "SLACK_BOT_TOKEN")
	r := runCLI(t, environ, "reconcile", "--root", root, "--format", "json")
	run := decodeRun(t, r)
	if r.code != exitFindings || statuses(run) != "apply=ok digest events=failed digest cost=failed" || !strings.Contains(run.Steps[1].Error, "SLACK_BOT_TOKEN is not set") {
		t.Fatalf("exit %d, %+v\n%s", r.code, run.Steps, r.stderr)
	}

	r = runCLI(t, environ, "reconcile", "--root", root, "--format", "json", "--shard", "2/3")
	run = decodeRun(t, r)
	if r.code != exitOK || run.Shard != "2/3" || statuses(run) != "apply=ok digest events=skipped digest cost=skipped" || !strings.Contains(run.Steps[1].Error, "shard 1 only") {
		t.Fatalf("shard 2/3: exit %d, %+v\n%s", r.code, run, r.stderr)
	}

	r = runCLI(t, environ, "reconcile", "--root", root, "--dry-run")
	if r.code != exitOK || !strings.Contains(r.stdout, "(dry run)") || !strings.Contains(r.stdout, "── C05PAYPROD1 ──") {
		t.Fatalf("dry run: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}

	if err := os.WriteFile(filepath.Join(root, "accounts", "broken.yaml"), []byte("name: [\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r = runCLI(t, environ, "reconcile", "--root", root, "--format", "json")
	if r.code != exitFindings || !strings.Contains(r.stderr, "broken.yaml") {
		t.Fatalf("broken configuration: exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	if run := decodeRun(t, r); statuses(run) != "configuration=failed" {
		t.Errorf("broken configuration: %+v", run)
	}
}

func TestReconcileUsage(t *testing.T) {
	for _, args := range [][]string{
		{"reconcile", "--shard", "4/3"},
		{"reconcile", "--format", "xml"},
		{"reconcile", "extra"},
		{"reconcile", "--budget", "0s"},
	} {
		if r := runCLI(t, nil, args...); r.code != exitError {
			t.Errorf("%v: exit %d, want 2\n%s", args, r.code, r.stderr)
		}
	}
	if r := runCLI(t, nil, "reconcile", "-h"); r.code != exitOK || !strings.Contains(r.stderr, "usage: orgnotify reconcile") {
		t.Errorf("-h: exit %d\n%s", r.code, r.stderr)
	}
}
