// Package bench measures orgnotify end to end at organization scale: the
// real orgnotify binary, run as a user runs it (AWS_ENDPOINT_URL, dummy
// keys, SLACK_API_URL), against awssim in this process with 20 ms of
// latency on every AWS call and 1 % of calls throttled, and against the
// local Slack API. For N member accounts × 4 regions it runs validate
// (N generated account files), the first apply, a no-op plan, the cost
// digest and the event digest of 10,000 events, and reports per step the
// AWS calls by operation (awssim's counters), Slack calls, Cost Explorer
// requests, wall time and the orgnotify process's peak memory (VmHWM).
//
//	go test ./bench -run '^$' -bench EndToEnd -benchtime 1x -timeout 2h -accounts 100,1000,5000
//
// Each size runs once whatever -benchtime says (a run needs a fresh
// organization). The tables go to the log and to bench/out/.
package bench_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/orgnotify/orgnotify/internal/awssim"
	"github.com/orgnotify/orgnotify/internal/awssim/awssimtest"
	"github.com/orgnotify/orgnotify/internal/awssim/costexplorer"
	"github.com/orgnotify/orgnotify/internal/awssim/eventbridge"
	"github.com/orgnotify/orgnotify/internal/awssim/org"
	"github.com/orgnotify/orgnotify/internal/slack/slackserver"
)

var (
	sizes       = flag.String("accounts", "100,1000,5000", "comma-separated numbers of member accounts, one run each")
	eventCount  = flag.Int("events", 10000, "events queued for the event digest")
	latency     = flag.Duration("latency", 20*time.Millisecond, "delay added to every AWS call")
	throttle    = flag.Float64("throttle", 0.01, "share of AWS calls answered with the service's throttling error")
	concurrency = flag.Int("concurrency", 0, "plan/apply --concurrency (0: orgnotify's default)")
)

const (
	mgmt     = "111122223333"
	hub      = "222233334444"
	home     = "ap-northeast-1"
	first    = 100000000000 // first member account ID
	token    = "xoxb-bench"
	platform = "CPLATFORM01"
)

var regions = []string{home, "us-east-1", "eu-west-1", "us-west-2"}

// step is one command's measurement.
type step struct {
	name    string
	wall    time.Duration
	maxRSS  int64 // bytes
	aws     map[string]int
	slack   int
	ce      int
	summary string // the command's last line on stderr or stdout
}

func (s step) awsTotal() int {
	n := 0
	for _, v := range s.aws {
		n += v
	}
	return n
}

func BenchmarkEndToEnd(b *testing.B) {
	bin := buildOrgnotify(b)
	for _, f := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			b.Fatalf("-accounts: %q is not a positive number", f)
		}
		b.Run(fmt.Sprintf("accounts=%d", n), func(b *testing.B) {
			steps := runScale(b, bin, n)
			report(b, n, steps)
		})
	}
}

// buildOrgnotify builds the command once, as a user would run it.
func buildOrgnotify(b *testing.B) string {
	b.Helper()
	bin := filepath.Join(b.TempDir(), "orgnotify")
	cmd := exec.Command("go", "build", "-o", bin, "../cmd/orgnotify")
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("build orgnotify: %v\n%s", err, out)
	}
	return bin
}

func memberID(i int) string { return fmt.Sprintf("%012d", first+i) }
func channel(i int) string  { return fmt.Sprintf("CB%08d", i) }

func runScale(b *testing.B, bin string, n int) []step {
	root := writeConfig(b, n)

	accts := []org.Account{{ID: hub, Name: "hub"}}
	for i := range n {
		accts = append(accts, org.Account{ID: memberID(i), Name: "acct-" + memberID(i)})
	}
	costs, err := costexplorer.Generate(costexplorer.GenerateSpec{Accounts: n, FirstAccount: first, Services: 5, Start: "today-45", Days: 45, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	env := awssimtest.Start(b, awssim.Seed{Organization: org.Seed{ManagementAccount: mgmt, OrganizationID: "o-bench00001", Accounts: accts}, Costs: costs})
	costs = nil
	channels := []string{platform}
	for i := range n {
		channels = append(channels, channel(i))
	}
	slackAPI := slackserver.Start(b, token, channels...)
	faults := awssim.FaultConfig{
		Latency:      map[string]awssim.Duration{"*": awssim.Duration(*latency)},
		ThrottleRate: *throttle,
		Seed:         1,
	}
	environ := append(os.Environ(),
		"AWS_ENDPOINT_URL="+env.URL, "AWS_ACCESS_KEY_ID=AKIDBENCH0000000000", "AWS_SECRET_ACCESS_KEY=bench",
		"AWS_REGION=us-east-1", "AWS_PROFILE=", "AWS_SESSION_TOKEN=",
		"AWS_CONFIG_FILE="+filepath.Join(root, "no-aws-config"), "AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(root, "no-aws-credentials"),
		"SLACK_BOT_TOKEN="+token, "SLACK_API_URL="+slackAPI.URL)
	slackCalls := func() int {
		return slackAPI.Calls("chat.postMessage") + slackAPI.Calls("chat.update") + slackAPI.Calls("conversations.history")
	}
	conc := []string{}
	if *concurrency > 0 {
		conc = []string{"--concurrency", strconv.Itoa(*concurrency)}
	}

	var steps []step
	run := func(name string, wantExit int, args ...string) {
		b.Helper()
		runtime.GC() // the harness's garbage is not the step's
		env.Sim.Faults().Set(faults)
		env.Sim.Faults().ResetCounts()
		slackBefore := slackCalls()
		cmd := exec.Command(bin, append(args, "--root", root)...)
		cmd.Env = environ
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		start := time.Now()
		if err := cmd.Start(); err != nil {
			b.Fatalf("%s: %v", name, err)
		}
		peak := watchPeak(cmd.Process.Pid)
		err := cmd.Wait()
		wall := time.Since(start)
		env.Sim.Faults().Set(awssim.FaultConfig{})
		code := 0
		if err != nil {
			ee, ok := err.(*exec.ExitError)
			if !ok {
				b.Fatalf("%s: %v", name, err)
			}
			code = ee.ExitCode()
		}
		if code != wantExit {
			b.Fatalf("%s: exit %d, want %d\nstdout (tail):\n%s\nstderr (tail):\n%s", name, code, wantExit, tail(stdout.String(), 20), tail(stderr.String(), 20))
		}
		counts := env.Sim.Faults().Counts()
		s := step{name: name, wall: wall, aws: counts, slack: slackCalls() - slackBefore,
			ce:      counts["ce:GetCostAndUsage"] + counts["ce:GetCostForecast"],
			summary: lastLine(stderr.String(), stdout.String()),
			maxRSS:  peak()}
		b.Logf("%s: %s, %d AWS calls, %d Slack calls, %d MB peak — %s", name, wall.Round(time.Millisecond), s.awsTotal(), s.slack, s.maxRSS>>20, s.summary)
		steps = append(steps, s)
	}

	run("validate", 0, "validate")
	run("first apply", 0, append([]string{"apply"}, conc...)...)
	run("no-op plan", 0, append([]string{"plan", "--detailed-exitcode"}, conc...)...)
	run("cost digest", 0, "digest", "cost")
	queueEvents(b, env, n, *eventCount)
	run(fmt.Sprintf("event digest (%d events)", *eventCount), 0, "digest", "events")
	return steps
}

// writeConfig writes org.yaml and n account files: every account wants
// its stack failures (one forwarding rule per region) and a daily cost
// digest in its own channel; every tenth also wants RDS events.
func writeConfig(b *testing.B, n int) string {
	b.Helper()
	root := b.TempDir()
	orgYAML := fmt.Sprintf(`# yaml-language-server: $schema=schema/org.schema.json
organization:
  id: o-bench00001
  managementAccountId: "%s"
hub:
  accountId: "%s"
  homeRegion: %s
organizationsRegion: us-east-1
regions: [%s]
memberRole: OrganizationAccountAccessRole
ownership:
  namePrefix: orgnotify-
  tagKey: orgnotify:managed-by
  tagValue: platform-team
resources:
  kmsKeyAlias: alias/orgnotify-events
  snsTopicName: orgnotify-events
  sqsQueueName: orgnotify-digest
  eventBusName: orgnotify-central
slack:
  defaultChannel: %s
lifecycle:
  events: [CreateAccountResult]
endpoints:
  emailDomains: [example.co.jp]
  httpsHosts: [hooks.example.co.jp]
cost:
  metric: UnblendedCost
  currencyRates: {JPY: 150, EUR: 0.92}
limits:
  maxDeletionsPerApply: 25
`, mgmt, hub, home, strings.Join(regions, ", "), platform)
	if err := os.WriteFile(filepath.Join(root, "org.yaml"), []byte(orgYAML), 0o644); err != nil {
		b.Fatal(err)
	}
	dir := filepath.Join(root, "accounts")
	if err := os.Mkdir(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	for i := range n {
		name := "acct-" + memberID(i)
		rds := ""
		if i%10 == 0 {
			rds = "  rds:\n    eventCategories: [failover, failure]\n"
		}
		data := fmt.Sprintf(`# yaml-language-server: $schema=../schema/account.schema.json
id: "%s"
name: %s
description: generated for the scale benchmark
owner:
  team: team-%02d
  contact: team-%02d@example.co.jp
slack:
  channels: [%s]
cost:
  currency: USD
  granularity: DAILY
  topServices: 5
events:
  stackFailures: {}
%s`, memberID(i), name, i%50, i%50, channel(i), rds)
		if err := os.WriteFile(filepath.Join(dir, name+".yaml"), []byte(data), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return root
}

// queueEvents publishes count failed-stack events, spread over the
// accounts and regions, on the member accounts' default buses, without
// faults: the rules apply made forward them to the hub's digest queue.
func queueEvents(b *testing.B, env *awssimtest.Env, n, count int) {
	b.Helper()
	ctx := context.Background()
	for i := range count {
		acct, region := memberID(i%n), regions[(i/n)%len(regions)]
		stack := fmt.Sprintf("arn:aws:cloudformation:%s:%s:stack/service-%d/5b5a1c20-8f4d-11ef-9a1b-%012d", region, acct, i, i)
		detail, _ := json.Marshal(map[string]any{
			"stack-id": stack,
			"status-details": map[string]string{
				"status": "UPDATE_ROLLBACK_FAILED", "status-reason": "The following resource(s) failed to update: [ApiFunction]. ",
			},
		})
		if _, err := env.Sim.EventBridge.PutServiceEvent(ctx, acct, region, eventbridge.ServiceEvent{
			Source: "aws.cloudformation", DetailType: "CloudFormation Stack Status Change", Detail: detail, Resources: []string{stack},
		}); err != nil {
			b.Fatalf("event %d: %v", i, err)
		}
	}
	if fi := env.Sim.EventBridge.FailedInvocations(); len(fi) > 0 {
		b.Fatalf("%d deliveries failed, first: %+v", len(fi), fi[0])
	}
}

func report(b *testing.B, n int, steps []step) {
	var sb strings.Builder
	fmt.Fprintf(&sb, "## %d member accounts × %d regions (latency %s, throttle %g, %d events)\n\n", n, len(regions), *latency, *throttle, *eventCount)
	fmt.Fprintln(&sb, "| Step | Wall time | Peak memory (VmHWM) | AWS calls | Cost Explorer requests | Slack calls |")
	fmt.Fprintln(&sb, "|---|---|---|---|---|---|")
	for _, s := range steps {
		fmt.Fprintf(&sb, "| %s | %s | %d MB | %d | %d | %d |\n", s.name, s.wall.Round(10*time.Millisecond), s.maxRSS>>20, s.awsTotal(), s.ce, s.slack)
	}
	fmt.Fprintln(&sb, "\nAWS calls by operation:")
	for _, s := range steps {
		var ops []string
		for _, op := range slices.Sorted(maps.Keys(s.aws)) {
			ops = append(ops, fmt.Sprintf("%s %d", op, s.aws[op]))
		}
		fmt.Fprintf(&sb, "- %s: %s\n", s.name, strings.Join(ops, ", "))
	}
	fmt.Fprintln(&sb, "\nLast line of each command:")
	for _, s := range steps {
		fmt.Fprintf(&sb, "- %s: `%s`\n", s.name, s.summary)
	}
	b.Log("\n" + sb.String())
	if err := os.MkdirAll("out", 0o755); err == nil {
		_ = os.WriteFile(filepath.Join("out", fmt.Sprintf("accounts-%d.md", n)), []byte(sb.String()), 0o644)
	}
	for _, s := range steps {
		b.ReportMetric(s.wall.Seconds(), strings.Fields(s.name)[0]+"-s")
	}
}

// watchPeak polls the process's VmHWM (peak resident set since its exec)
// every 10 ms until it exits, and returns a function giving the highest
// value seen. getrusage's ru_maxrss cannot serve: Go starts a child with
// vfork semantics, and Linux folds the parent's (the benchmark's, with the
// simulator's state) high-water mark into the child's at exec. Growth in a
// process's last 10 ms can be missed.
func watchPeak(pid int) func() int64 {
	var peak atomic.Int64
	done := make(chan struct{})
	go func() {
		defer close(done)
		path := fmt.Sprintf("/proc/%d/status", pid)
		for {
			b, err := os.ReadFile(path)
			if err != nil {
				return // exited (or not Linux)
			}
			for line := range strings.Lines(string(b)) {
				if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
					kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
					if kb*1024 > peak.Load() {
						peak.Store(kb * 1024)
					}
				}
			}
			time.Sleep(10 * time.Millisecond)
		}
	}()
	return func() int64 { <-done; return peak.Load() }
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// lastLine is the command's last non-progress line: its summary.
func lastLine(outs ...string) string {
	for _, o := range outs {
		lines := strings.Split(strings.TrimSpace(o), "\n")
		for i := len(lines) - 1; i >= 0; i-- {
			if l := strings.TrimSpace(lines[i]); l != "" && !strings.HasPrefix(l, "[") && !strings.HasPrefix(l, "time=") {
				return l
			}
		}
	}
	return ""
}
