package main

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
)

// TestPlanDetailedExitCodes: under --detailed-exitcode every exit path is
// a result, never an error message: 2 for changes and 0 for none print the
// plan and nothing after it, 1 for a conflict prints the plan in full, and
// a usage error is 1 with its message.
func TestPlanDetailedExitCodes(t *testing.T) {
	root, env := exampleOrg(t)
	// The result of the command, not an error: nothing starting with
	// "orgnotify plan:" may follow a plan that ran.
	quiet := func(t *testing.T, r result) {
		t.Helper()
		if strings.Contains(r.stderr, "orgnotify plan:") {
			t.Errorf("stderr reports the result as an error:\n%s", r.stderr)
		}
	}

	r := runCLI(t, nil, "plan", "--root", root, "--detailed-exitcode")
	if r.code != 2 || !strings.Contains(r.stdout, "+ ") {
		t.Fatalf("changes: exit %d, want 2\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	quiet(t, r)

	if r = runCLI(t, nil, "apply", "--root", root); r.code != exitOK {
		t.Fatalf("apply: exit %d\n%s", r.code, r.stderr)
	}
	quiet(t, r)
	r = runCLI(t, nil, "plan", "--root", root, "--detailed-exitcode")
	if r.code != exitOK || !strings.Contains(r.stdout, "No changes") {
		t.Fatalf("no change: exit %d, want 0\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	quiet(t, r)

	r = runCLI(t, nil, "plan", "--root", root, "--detailed-exitcode", "--shard", "0/2")
	if r.code != exitFindings || !strings.Contains(r.stderr, "orgnotify plan:") || !strings.Contains(r.stderr, "shard") {
		t.Errorf("usage error: exit %d, want 1 with the message\nstderr:\n%s", r.code, r.stderr)
	}

	// The hub topic loses the ownership tag out of band: the name
	// orgnotify wants is held by a resource it does not own, a conflict,
	// shown and never changed.
	hub := assumed(t, env, "222233334444", "ap-northeast-1")
	_, err := sns.NewFromConfig(hub).UntagResource(t.Context(), &sns.UntagResourceInput{
		ResourceArn: aws.String("arn:aws:sns:ap-northeast-1:222233334444:orgnotify-events"),
		TagKeys:     []string{"orgnotify:managed-by"},
	})
	must(t, err, "sns UntagResource")
	r = runCLI(t, nil, "plan", "--root", root, "--detailed-exitcode")
	if r.code != exitFindings || !strings.Contains(r.stdout, "! ") {
		t.Fatalf("conflict: exit %d, want 1 with the conflict shown\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	quiet(t, r)
}
