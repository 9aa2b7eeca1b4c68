package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/orgnotify/orgnotify/internal/awssim"
	"github.com/orgnotify/orgnotify/internal/slack/slackserver"
)

const slackToken = "xoxb-orgnotify-test"

var allChannels = []string{"C05PAYPROD1", "C05DBAOPS01", "C05PLATFORM1", "C05SECALERT"}

// simClock is the simulator's clock; tests move it past the visibility
// timeout between runs (less than the hour the assumed-role credentials of
// the test's own clients last).
type simClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *simClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *simClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// digestSetup puts the simulator on a clock the test moves and starts a
// local Slack API (applyExample already pointed the AWS chain at awssim).
func digestSetup(t *testing.T, w *digestWiring) (*slackserver.Server, map[string]string, *simClock) {
	t.Helper()
	clock := &simClock{now: time.Now()}
	w.env.Sim.SetClock(clock.Now)
	s := slackserver.Start(t, slackToken, allChannels...)
	return s, map[string]string{"SLACK_BOT_TOKEN": slackToken, "SLACK_API_URL": s.URL}, clock
}

// postsTo returns the text and blocks of the top-level posts and replies
// to channel, one string per post.
func postsTo(s *slackserver.Server, channel string) (top []string, all string) {
	var b strings.Builder
	for _, p := range s.Posts() {
		if p.Channel != channel {
			continue
		}
		var blocks any
		_ = json.Unmarshal(p.Blocks, &blocks)
		text, _ := json.Marshal(blocks)
		body := p.Text + "\n" + strings.ReplaceAll(string(text), `\u0026`, "&")
		if p.ThreadTS == "" {
			top = append(top, body)
		}
		b.WriteString(body + "\n")
	}
	return top, b.String()
}

func digestRun(t *testing.T, w *digestWiring, environ map[string]string, extra ...string) result {
	t.Helper()
	root := exampleRoot
	if w != nil {
		root = w.root
	}
	r := runCLI(t, environ, append([]string{"digest", "events", "--root", root}, extra...)...)
	if strings.Contains(r.stderr, "panic") || strings.Contains(r.stderr, "goroutine ") {
		t.Fatalf("stack trace: %s", r.stderr)
	}
	return r
}

func wantEmpty(t *testing.T, w *digestWiring, queue string) {
	t.Helper()
	if v, f := w.depth(t, queue); v != "0" || f != "0" {
		t.Errorf("%s holds %s visible and %s in-flight messages, want none", queue, v, f)
	}
}

// TestDigestEventsEndToEnd is issue 8's "done when", on the wiring
// `orgnotify apply` made: events put on member accounts' and the
// management account's default buses flow through the forwarding rules
// (forwarder role, W1) and the hub rules to the digest queue; the digest
// posts one message per channel to the local Slack API, to the channels
// the account files name, and deletes everything it posted. A stack status
// the account does not want never leaves its account. A second run finds
// nothing to post.
func TestDigestEventsEndToEnd(t *testing.T) {
	w := applyExample(t, 24)
	slack, environ, _ := digestSetup(t, w)
	w.raise(t, "cloudformation-update-rollback-failed")           // payments-prod
	w.raise(t, "cloudformation-servicecatalog-rollback-complete") // payments-prod, enriched (W16)
	w.raise(t, "rds-instance-failover")                           // payments-prod, two channels
	w.raise(t, "cloudformation-create-complete")                  // not in stackFailures.statuses: not forwarded
	w.raise(t, "guardduty-finding-medium")                        // security-audit
	w.raise(t, "guardduty-finding-medium")                        // the same finding again: posted once
	w.raise(t, "securityhub-finding-v2")                          // security-audit, OCSF shape (W11)
	w.raise(t, "organizations-create-account-result-succeeded")   // management account, us-east-1
	w.raise(t, "organizations-close-account")                     // an API call: reaches EventBridge through the trail (W9)
	queue := digestQueueName + "@" + homeRegion
	if v, _ := w.depth(t, queue); v != "8" {
		t.Fatalf("digest queue holds %s messages before the run, want 8 (every event raised but the CREATE_COMPLETE stack); failed invocations: %+v",
			v, w.env.Sim.EventBridge.FailedInvocations())
	}

	r := digestRun(t, w, environ)
	if r.code != exitOK {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	want := map[string][]string{
		"C05PAYPROD1":  {"payments-api UPDATE_ROLLBACK_FAILED", "SC-345678901234-pp-fqh2ngw5mvzqc ROLLBACK_COMPLETE", "product payments-bucket (Encrypted S3 bucket) v3.2", "payments-db: Multi-AZ"},
		"C05DBAOPS01":  {"payments-db: Multi-AZ instance failover started."},
		"C05PLATFORM1": {"Account created: data-platform-prod", "Account closed", "sandbox-data-science (567890123456)"},
		"C05SECALERT":  {"SSH brute force", "Security Hub HIGH: The API GetSecretValue was invoked"},
	}
	for ch, texts := range want {
		top, all := postsTo(slack, ch)
		if len(top) != 1 {
			t.Errorf("%s: %d messages, want 1", ch, len(top))
		}
		for _, s := range texts {
			if n := strings.Count(all, s); n != 1 {
				t.Errorf("%s shows %q %d times, want once:\n%s", ch, s, n, all)
			}
		}
		if strings.Contains(all, "payments-worker") {
			t.Errorf("%s shows the CREATE_COMPLETE stack", ch)
		}
	}
	if n := len(slack.Posts()); n != len(want) {
		t.Errorf("%d posts, want %d (one per channel)", n, len(want))
	}
	const summary = "digest events: received 8 (+0 dead-lettered), 7 events, 1 duplicates, 0 filtered, 0 unreadable; posted 4 messages; deleted 8, kept 0\n"
	if r.stdout != summary {
		t.Errorf("stdout = %q, want %q", r.stdout, summary)
	}
	wantEmpty(t, w, queue)

	before := len(slack.Posts())
	if r := digestRun(t, w, environ); r.code != exitOK || len(slack.Posts()) != before {
		t.Errorf("second run: exit %d, %d new posts; stderr: %s", r.code, len(slack.Posts())-before, r.stderr)
	}
}

// TestDigestEventsReportsFailedDelivery (W4): the forwarder role of
// payments-prod loses its inline policy out of band, so EventBridge cannot
// deliver the account's stack failure to the hub bus and puts it in the
// hub's delivery dead-letter queue of the rule's region, with the rule,
// the target and the error. The digest reports it in the platform channel
// and deletes it; the next plan shows the drift, apply repairs it, and
// the next stack failure reaches the team again.
func TestDigestEventsReportsFailedDelivery(t *testing.T) {
	w := applyExample(t, 24)
	slack, environ, _ := digestSetup(t, w)
	_, err := iam.NewFromConfig(assumed(t, w.env, paymentsProd, homeRegion)).DeleteRolePolicy(context.Background(), &iam.DeleteRolePolicyInput{
		RoleName: aws.String("orgnotify-forwarder"), PolicyName: aws.String("put-events-hub")})
	must(t, err, "iam DeleteRolePolicy")

	w.raise(t, "cloudformation-update-rollback-failed")
	dlq := "orgnotify-delivery-dlq@" + homeRegion
	if v, _ := w.depth(t, dlq); v != "1" {
		t.Fatalf("%s holds %s messages, want the undelivered event; failed invocations: %+v", dlq, v, w.env.Sim.EventBridge.FailedInvocations())
	}
	if v, _ := w.depth(t, digestQueueName+"@"+homeRegion); v != "0" {
		t.Fatalf("the digest queue holds %s messages: the event was delivered after all", v)
	}

	r := digestRun(t, w, environ)
	if r.code != exitOK {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	top, all := postsTo(slack, "C05PLATFORM1")
	if len(top) != 1 {
		t.Fatalf("platform channel: %d messages, want 1:\n%s", len(top), all)
	}
	for _, s := range []string{
		"EventBridge could not deliver cloudformation event",
		"NO_PERMISSIONS",
		"Stack payments-api UPDATE_ROLLBACK_FAILED",
		// The rule in full; the target is cut to fit the line.
		"rule arn:aws:events:" + homeRegion + ":" + paymentsProd + ":rule/orgnotify-fwd-cloudformation → arn:aws:events:" + homeRegion + ":" + hubAccount + ":event-bus/orgnotif",
		"not authorized to perform: events:PutEvents",
	} {
		if !strings.Contains(all, s) {
			t.Errorf("the dead-letter report lacks %q:\n%s", s, all)
		}
	}
	if n := len(slack.Posts()); n != 1 {
		t.Errorf("%d posts, want only the report", n)
	}
	const summary = "digest events: received 0 (+1 dead-lettered), 1 events, 0 duplicates, 0 filtered, 0 unreadable; posted 1 messages; deleted 1, kept 0\n"
	if r.stdout != summary {
		t.Errorf("stdout = %q, want %q", r.stdout, summary)
	}
	wantEmpty(t, w, dlq)

	if r := runCLI(t, nil, "plan", "--root", w.root, "--detailed-exitcode"); r.code != 2 || !strings.Contains(r.stdout, "orgnotify-forwarder") {
		t.Fatalf("plan after the policy was removed: exit %d, want 2 naming the role\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	if r := runCLI(t, nil, "apply", "--root", w.root); r.code != exitOK {
		t.Fatalf("apply: exit %d\n%s", r.code, r.stderr)
	}
	w.raise(t, "cloudformation-update-rollback-failed")
	if r := digestRun(t, w, environ); r.code != exitOK {
		t.Fatalf("run after the repair: exit %d\n%s", r.code, r.stderr)
	}
	if top, all := postsTo(slack, "C05PAYPROD1"); len(top) != 1 || !strings.Contains(all, "payments-api UPDATE_ROLLBACK_FAILED") {
		t.Errorf("after the repair C05PAYPROD1 got %d messages:\n%s", len(top), all)
	}
	wantEmpty(t, w, dlq)
}

// TestDigestEventsSlackFailsMidRun: channels that refuse the post keep
// their events: an event whose only channel failed stays in the queue; one
// that reached some of its channels is requeued for the others. The next
// run posts each of them once, where it is missing.
func TestDigestEventsSlackFailsMidRun(t *testing.T) {
	w := applyExample(t, 24)
	slack, environ, clock := digestSetup(t, w)
	queue := digestQueueName + "@" + homeRegion
	w.raise(t, "rds-instance-failover") // C05PAYPROD1 and C05DBAOPS01
	w.raise(t, "cloudformation-update-rollback-failed")
	w.raise(t, "guardduty-finding-medium") // C05SECALERT only
	slack.AddChannel(slackserver.Channel{ID: "C05DBAOPS01", Archived: true})
	slack.AddChannel(slackserver.Channel{ID: "C05SECALERT", Archived: true})

	r := digestRun(t, w, environ)
	if r.code != exitError || !strings.Contains(r.stderr, "C05DBAOPS01") || !strings.Contains(r.stderr, "C05SECALERT") {
		t.Fatalf("first run: exit %d, want %d naming the failed channels\nstderr: %s", r.code, exitError, r.stderr)
	}
	if top, _ := postsTo(slack, "C05PAYPROD1"); len(top) != 1 {
		t.Fatalf("C05PAYPROD1 got %d messages in the first run, want 1", len(top))
	}
	// The RDS event is requeued for C05DBAOPS01 (visible now); the
	// GuardDuty finding stays hidden until its visibility timeout ends.
	if v, f := w.depth(t, queue); v != "1" || f != "1" {
		t.Fatalf("after the failed run the queue holds %s visible, %s in flight; want 1 and 1", v, f)
	}

	slack.AddChannel(slackserver.Channel{ID: "C05DBAOPS01"})
	slack.AddChannel(slackserver.Channel{ID: "C05SECALERT"})
	clock.advance(20 * time.Minute) // past the visibility timeout, as the next scheduled run
	if r := digestRun(t, w, environ); r.code != exitOK {
		t.Fatalf("second run: exit %d\nstderr: %s", r.code, r.stderr)
	}
	for ch, text := range map[string]string{"C05PAYPROD1": "payments-db: Multi-AZ", "C05DBAOPS01": "payments-db: Multi-AZ", "C05SECALERT": "SSH brute force"} {
		top, all := postsTo(slack, ch)
		if len(top) != 1 || strings.Count(all, text) != 1 {
			t.Errorf("%s: %d messages showing %q %d times; want it once in one message", ch, len(top), text, strings.Count(all, text))
		}
	}
	wantEmpty(t, w, queue)
}

// TestDigestEventsPoisonMessage: a message that is not an event is never
// deleted by the digest; after maxReceiveCount runs SQS moves it to the
// dead-letter queue, and the next drain reports it in the platform channel
// and deletes it from there.
func TestDigestEventsPoisonMessage(t *testing.T) {
	w := applyExample(t, 2)
	slack, environ, clock := digestSetup(t, w)
	queue := digestQueueName + "@" + homeRegion
	w.send(t, queue, "this is not an event", nil)
	for run := 1; run <= 2; run++ {
		r := digestRun(t, w, environ)
		if r.code != exitOK || !strings.Contains(r.stderr, "not an EventBridge event") {
			t.Fatalf("run %d: exit %d\nstderr: %s", run, r.code, r.stderr)
		}
		if n := len(slack.Posts()); n != 0 {
			t.Fatalf("run %d posted %d messages", run, n)
		}
		clock.advance(20 * time.Minute)
	}
	r := digestRun(t, w, environ)
	if r.code != exitOK {
		t.Fatalf("run 3: exit %d\nstderr: %s", r.code, r.stderr)
	}
	top, all := postsTo(slack, "C05PLATFORM1")
	if len(top) != 1 || !strings.Contains(all, "Dead-lettered (received 3 times): an unreadable message") || !strings.Contains(all, "this is not an event") {
		t.Fatalf("platform channel: %d messages:\n%s", len(top), all)
	}
	wantEmpty(t, w, queue)
	wantEmpty(t, w, digestQueueName+"-dlq@"+homeRegion)
}

// TestDigestEventsEnrichmentDenied: Service Catalog answering AccessDenied
// in the member account does not hold the stack alert back.
func TestDigestEventsEnrichmentDenied(t *testing.T) {
	w := applyExample(t, 24)
	slack, environ, _ := digestSetup(t, w)
	w.raise(t, "cloudformation-servicecatalog-rollback-complete")
	w.env.Sim.Faults().Set(awssim.FaultConfig{DenyAccounts: []string{paymentsProd}})
	r := digestRun(t, w, environ)
	if r.code != exitOK || !strings.Contains(r.stderr, "AccessDenied") {
		t.Fatalf("exit %d, want 0 with the enrichment failure logged\nstderr: %s", r.code, r.stderr)
	}
	top, all := postsTo(slack, "C05PAYPROD1")
	if len(top) != 1 || !strings.Contains(all, "SC-345678901234-pp-fqh2ngw5mvzqc ROLLBACK_COMPLETE") || strings.Contains(all, "product payments-bucket") {
		t.Fatalf("C05PAYPROD1: %d messages:\n%s", len(top), all)
	}
	wantEmpty(t, w, digestQueueName+"@"+homeRegion)
}

// TestDigestEventsDryRunFromQueue: a dry run from SQS prints the messages
// and leaves every message in the queue.
func TestDigestEventsDryRunFromQueue(t *testing.T) {
	w := applyExample(t, 24)
	slack, environ, _ := digestSetup(t, w)
	w.raise(t, "cloudformation-update-rollback-failed")
	out := t.TempDir()
	r := digestRun(t, w, environ, "--dry-run", "--out", out)
	if r.code != exitOK || !strings.Contains(r.stdout, "payments-api UPDATE_ROLLBACK_FAILED") || len(slack.Posts()) != 0 {
		t.Fatalf("exit %d, %d posts\nstdout: %s\nstderr: %s", r.code, len(slack.Posts()), r.stdout, r.stderr)
	}
	files, _ := filepath.Glob(filepath.Join(out, "*-C05PAYPROD1.json"))
	if len(files) != 1 {
		t.Errorf("Block Kit files: %v", files)
	}
	if _, f := w.depth(t, digestQueueName+"@"+homeRegion); f != "1" {
		t.Errorf("dry run deleted or released the message (in flight: %s)", f)
	}
}

// TestDigestEventsReplay covers --from-file: a JSON Lines file with bad
// lines among good ones, and a directory of samples as JSON.
func TestDigestEventsReplay(t *testing.T) {
	dir := t.TempDir()
	lines := sample(t, "rds-instance-failover") + "\n\n{\"broken\": \n" + `{"hello":"world"}` + "\n" + sample(t, "health-public") + "\n"
	file := filepath.Join(dir, "events.jsonl")
	if err := os.WriteFile(file, []byte(lines), 0o644); err != nil {
		t.Fatal(err)
	}
	r := digestRun(t, nil, nil, "--from-file", file, "--dry-run", "--format", "json")
	if r.code != exitError {
		t.Errorf("exit %d, want %d for bad lines", r.code, exitError)
	}
	for _, want := range []string{file + ":3: invalid JSON", file + ":4: not an EventBridge event", "2 of 4 inputs are not EventBridge events"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	var got []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		var o map[string]any
		if err := json.Unmarshal([]byte(l), &o); err != nil {
			t.Fatalf("stdout line %q: %v", l, err)
		}
		got = append(got, o)
	}
	if len(got) != 2 || got[0]["category"] != "rds" || got[0]["subject_account"] != paymentsProd || got[0]["alert"] != true ||
		got[1]["category"] != "health" || got[1]["source_account"] != securityAudit {
		t.Errorf("outcomes = %v", got)
	}
	for _, k := range []string{"id", "category", "subject_account", "source_account", "region", "alert", "channels"} {
		if _, ok := got[0][k]; !ok {
			t.Errorf("outcome lacks %q", k)
		}
	}

	r = digestRun(t, nil, nil, "--from-file", filepath.Join(repoRoot, "testdata", "events"), "--dry-run")
	if r.code != exitOK || !strings.Contains(r.stdout, "── C05SECALERT ──") || strings.Contains(r.stdout, "payments-worker") {
		t.Errorf("directory replay: exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
}

func TestDigestEventsUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"digest"}, "digest needs a kind"},
		{[]string{"digest", "weekly"}, `unknown digest "weekly"`},
		{[]string{"digest", "events", "--format", "json"}, "--format json needs --dry-run"},
		{[]string{"digest", "events", "--format", "xml", "--dry-run"}, `unknown --format "xml"`},
		{[]string{"digest", "events", "--out", "x"}, "--out needs --dry-run"},
		{[]string{"digest", "events", "--root", exampleRoot, "--from-file", "x.jsonl"}, "SLACK_BOT_TOKEN is not set"},
		{[]string{"digest", "events", "--root", exampleRoot, "--from-file", "missing.jsonl", "--dry-run"}, "missing.jsonl"},
		{[]string{"digest", "events", "--root", "../../testdata/invalid/does-not-exist", "--dry-run"}, "does-not-exist"},
	} {
		r := runCLI(t, nil, tc.args...)
		if r.code != exitError || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tc.args, r.code, r.stderr, exitError, tc.want)
		}
	}
}

// TestDigestEventsRefusesBadConfiguration: with error findings in the
// configuration nothing is drained or posted.
func TestDigestEventsRefusesBadConfiguration(t *testing.T) {
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "org.yaml"), []byte("# yaml-language-server: $schema=schema/org.schema.json\norganization: 12\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, nil, "digest", "events", "--root", root, "--from-file", filepath.Join(repoRoot, "testdata", "events"), "--dry-run")
	if r.code != exitFindings || !strings.Contains(r.stderr, "the configuration has errors") || !strings.Contains(r.stderr, "org.yaml:") || r.stdout != "" {
		t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", r.code, exitFindings, r.stdout, r.stderr)
	}
}

// TestDigestEventsReadsRetiredRegions: the delivery dead-letter queue of a
// retired region is still reported, since apply keeps it while it holds
// events (W4); a retired region whose queue is already gone is no warning.
func TestDigestEventsReadsRetiredRegions(t *testing.T) {
	w := applyExample(t, 24)
	_, environ, _ := digestSetup(t, w)
	orgFile := filepath.Join(w.root, "org.yaml")
	b, err := os.ReadFile(orgFile)
	must(t, err, "read org.yaml")
	must(t, os.WriteFile(orgFile, append(b, "retiredRegions: [eu-west-1, eu-central-1]\n"...), 0o644), "write org.yaml")

	ctx := context.Background()
	q := sqs.NewFromConfig(assumed(t, w.env, hubAccount, "eu-west-1"))
	out, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("orgnotify-delivery-dlq")})
	must(t, err, "sqs CreateQueue")
	body, err := os.ReadFile(filepath.Join(repoRoot, "testdata", "events", "cloudformation-update-rollback-failed.json"))
	must(t, err, "read sample")
	_, err = q.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: out.QueueUrl, MessageBody: aws.String(string(body))})
	must(t, err, "sqs SendMessage")

	r := digestRun(t, w, environ)
	if r.code != exitOK || !strings.Contains(r.stdout, "(+1 dead-lettered)") {
		t.Fatalf("exit %d, want the retired region's dead letter reported\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	if strings.Contains(r.stderr, "eu-central-1") {
		t.Errorf("a retired region without a queue was warned about:\n%s", r.stderr)
	}
}
