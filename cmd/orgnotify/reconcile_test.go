package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/orgnotify/orgnotify/internal/awssim"
	"github.com/orgnotify/orgnotify/internal/awssim/awssimtest"
	"github.com/orgnotify/orgnotify/internal/awssim/org"
	"github.com/orgnotify/orgnotify/internal/config"
)

// apiCallEvents are the example's lifecycle events that need a CloudTrail
// trail; removed from the copy so the preflight has nothing to check.
var apiCallEvents = regexp.MustCompile(`(?m)^    - (CloseAccount|InviteAccountToOrganization|MoveAccount|RemoveAccountFromOrganization|LeaveOrganization|AttachPolicy|DetachPolicy)\b.*\n`)

// exampleOrg copies the bundled example to a temporary root (lifecycle
// reduced to CreateAccountResult) and starts awssim with its accounts.
// The command reaches awssim the way a user does: AWS_ENDPOINT_URL and
// static keys in the environment, read by the SDK's standard chain.
func exampleOrg(t *testing.T) (root string, env *awssimtest.Env) {
	t.Helper()
	root = t.TempDir()
	b, err := os.ReadFile(filepath.Join(exampleRoot, "org.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "org.yaml"), apiCallEvents.ReplaceAll(b, nil), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(root, "accounts"), 0o755); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(exampleRoot, "accounts", "*.yaml"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, "accounts", filepath.Base(f)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	res, err := config.Validate(t.Context(), config.Options{Root: root})
	if err != nil || res.Org == nil {
		t.Fatalf("example copy does not load: %v", err)
	}
	accounts := []org.Account{{ID: res.Org.Hub.AccountID, Name: "hub"}}
	for _, a := range res.Accounts {
		if a.ID != res.Org.Hub.AccountID && a.ID != res.Org.Organization.ManagementAccountID {
			accounts = append(accounts, org.Account{ID: a.ID, Name: a.Name})
		}
	}
	env = awssimtest.Start(t, awssim.Seed{Organization: org.Seed{
		ManagementAccount: res.Org.Organization.ManagementAccountID, OrganizationID: res.Org.Organization.ID, Accounts: accounts}})
	t.Setenv("AWS_ENDPOINT_URL", env.URL)
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDCIROLE0000000000")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(root, "no-aws-config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(root, "no-aws-credentials"))
	return root, env
}

type planJSON struct {
	Changes []struct {
		Action, Account, Region, Kind, Name, Status, Error string
	} `json:"changes"`
	Summary struct{ Create, Update, Delete, Conflict int } `json:"summary"`
}

func decodePlan(t *testing.T, s string) planJSON {
	t.Helper()
	var p planJSON
	if err := json.Unmarshal([]byte(s), &p); err != nil {
		t.Fatalf("plan JSON: %v\n%s", err, s)
	}
	return p
}

// TestPlanApplyCommands drives plan and apply as a user does, against
// awssim: the first plan has changes (exit 2 under --detailed-exitcode),
// apply creates them, the next plan is empty (0), removing an account file
// plans exactly its deletions, and an emptied accounts/ is refused.
func TestPlanApplyCommands(t *testing.T) {
	root, _ := exampleOrg(t)
	summary := filepath.Join(t.TempDir(), "summary.md")
	envs := map[string]string{"GITHUB_STEP_SUMMARY": summary}

	r := runCLI(t, envs, "plan", "--root", root, "--detailed-exitcode")
	if r.code != 2 || !strings.Contains(r.stdout, "+ ") {
		t.Fatalf("first plan: exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	if b, err := os.ReadFile(summary); err != nil || !strings.Contains(string(b), "orgnotify plan") {
		t.Errorf("job summary: %v %q", err, b)
	}

	r = runCLI(t, nil, "apply", "--root", root, "--format", "json")
	if r.code != 0 {
		t.Fatalf("apply: exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	applied := decodePlan(t, r.stdout)
	if applied.Summary.Create == 0 || len(applied.Changes) != applied.Summary.Create {
		t.Errorf("apply summary = %+v", applied.Summary)
	}
	for _, c := range applied.Changes {
		if c.Status != "ok" {
			t.Errorf("%s %s %s: status %q %s", c.Action, c.Kind, c.Name, c.Status, c.Error)
		}
	}
	if !strings.Contains(r.stderr, "accounts]") {
		t.Errorf("no progress on stderr:\n%s", r.stderr)
	}

	if r = runCLI(t, nil, "plan", "--root", root, "--detailed-exitcode"); r.code != 0 {
		t.Fatalf("plan after apply: exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}

	// Remove one account file: exactly its resources go.
	const gone = "payments-staging"
	res, _ := config.Validate(t.Context(), config.Options{Root: root})
	var goneID string
	for _, a := range res.Accounts {
		if a.Name == gone {
			goneID = a.ID
		}
	}
	if err := os.Remove(filepath.Join(root, "accounts", gone+".yaml")); err != nil {
		t.Fatal(err)
	}
	r = runCLI(t, nil, "plan", "--root", root, "--format", "json", "--detailed-exitcode")
	if r.code != 2 {
		t.Fatalf("plan after removing %s: exit %d\n%s", gone, r.code, r.stderr)
	}
	p := decodePlan(t, r.stdout)
	if p.Summary.Delete == 0 {
		t.Fatalf("no deletions planned:\n%s", r.stdout)
	}
	for _, c := range p.Changes {
		switch {
		case c.Account == goneID && c.Action == "delete":
		case c.Kind == "sns.subscription": // a filter policy that named the account
		default:
			t.Errorf("unexpected change after removing %s: %s %s %s/%s", gone, c.Action, c.Kind, c.Account, c.Name)
		}
	}
	if r = runCLI(t, nil, "apply", "--root", root); r.code != 0 {
		t.Fatalf("apply after removal: exit %d\n%s", r.code, r.stderr)
	}

	// An emptied accounts/ is never "delete everything".
	files, _ := filepath.Glob(filepath.Join(root, "accounts", "*.yaml"))
	for _, f := range files {
		if err := os.Remove(f); err != nil {
			t.Fatal(err)
		}
	}
	r = runCLI(t, nil, "apply", "--root", root, "--allow-mass-delete")
	if r.code != 1 || !strings.Contains(r.stderr, "does not validate") {
		t.Fatalf("apply with an empty accounts/: exit %d\n%s", r.code, r.stderr)
	}
	if r = runCLI(t, nil, "plan", "--root", root, "--detailed-exitcode"); r.code != 1 {
		t.Fatalf("plan with an empty accounts/: exit %d", r.code)
	}
}

// TestPlanUsageErrors: usage errors exit 2, but 1 under --detailed-exitcode
// (2 means "changes" there).
func TestPlanUsageErrors(t *testing.T) {
	for _, tt := range []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"bad format", []string{"plan", "--format", "xml"}, exitError, `unknown --format "xml"`},
		{"bad format detailed", []string{"plan", "--detailed-exitcode", "--format", "xml"}, exitFindings, `unknown --format "xml"`},
		{"bad flag detailed", []string{"plan", "--nope", "--detailed-exitcode"}, exitFindings, "flag provided but not defined"},
		{"bad shard", []string{"apply", "--shard", "3/2"}, exitError, "shard"},
		{"bad concurrency", []string{"plan", "--concurrency", "0"}, exitError, "--concurrency"},
		{"arguments", []string{"apply", "extra"}, exitError, "takes no arguments"},
		{"missing root detailed", []string{"plan", "--detailed-exitcode", "--root", "does-not-exist"}, exitFindings, "does-not-exist"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, nil, tt.args...)
			if r.code != tt.code || !strings.Contains(r.stderr, tt.msg) {
				t.Errorf("exit %d, stderr %q; want %d and %q", r.code, r.stderr, tt.code, tt.msg)
			}
		})
	}
}

// TestApplyAccessDeniedInOneAccount: apply goes on past an account it
// cannot enter, names it, and exits 1.
func TestApplyAccessDeniedInOneAccount(t *testing.T) {
	root, env := exampleOrg(t)
	const denied = "345678901234" // payments-prod
	env.Sim.Faults().Set(awssim.FaultConfig{DenyAccounts: []string{denied}})
	r := runCLI(t, nil, "apply", "--root", root, "--format", "json")
	if r.code != exitFindings || !strings.Contains(r.stderr, "failed: account "+denied) {
		t.Fatalf("exit %d, want 1 naming %s\nstderr:\n%s", r.code, denied, r.stderr)
	}
	p := decodePlan(t, r.stdout)
	if p.Summary.Create == 0 {
		t.Fatal("nothing applied in the other accounts")
	}
	for _, c := range p.Changes {
		if c.Account == denied || c.Status != "ok" {
			t.Errorf("%s %s %s/%s: %s %s", c.Action, c.Kind, c.Account, c.Name, c.Status, c.Error)
		}
	}
}

// TestPlanMemberRole: --member-role replaces org.yaml's memberRole (a
// read-only role for pull-request plans); a role that does not exist fails
// every account that needs it, by name, with exit 1.
func TestPlanMemberRole(t *testing.T) {
	root, _ := exampleOrg(t)
	r := runCLI(t, nil, "plan", "--root", root, "--member-role", "orgnotify-readonly")
	if r.code != exitFindings || !strings.Contains(r.stderr, "failed: account 222233334444") || !strings.Contains(r.stderr, "orgnotify-readonly") {
		t.Fatalf("exit %d\nstderr:\n%s", r.code, r.stderr)
	}
	if r = runCLI(t, nil, "plan", "--root", root, "--member-role", "OrganizationAccountAccessRole"); r.code != exitOK {
		t.Fatalf("plan with the access role: exit %d\n%s", r.code, r.stderr)
	}
}
