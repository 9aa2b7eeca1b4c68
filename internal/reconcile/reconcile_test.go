package reconcile_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	orgaws "github.com/orgnotify/orgnotify/internal/aws"
	"github.com/orgnotify/orgnotify/internal/awssim"
	"github.com/orgnotify/orgnotify/internal/awssim/awssimtest"
	ebsim "github.com/orgnotify/orgnotify/internal/awssim/eventbridge"
	"github.com/orgnotify/orgnotify/internal/awssim/org"
	cfgmodel "github.com/orgnotify/orgnotify/internal/config"
	"github.com/orgnotify/orgnotify/internal/desired"
	"github.com/orgnotify/orgnotify/internal/plan"
	"github.com/orgnotify/orgnotify/internal/reconcile"
)

const (
	mgmt     = "111122223333"
	hub      = "222233334444"
	home     = "ap-northeast-1"
	orgRegin = "us-east-1"
	orgID    = "o-a1b2c3d4e5"
	tagKey   = "orgnotify:managed-by"
	tagValue = "platform-team"
)

var members = []string{"333344445555", "444455556666", "555566667777"}

// world is a simulated organization wired by orgnotify's production code.
type world struct {
	env      *awssimtest.Env
	cloud    *orgaws.Cloud
	sessions *orgaws.Sessions
	org      *cfgmodel.Org
	accounts []*cfgmodel.Account
}

func orgConfig() *cfgmodel.Org {
	limit := 25
	return &cfgmodel.Org{
		Organization:        cfgmodel.Organization{ID: orgID, ManagementAccountID: mgmt},
		Hub:                 cfgmodel.Hub{AccountID: hub, HomeRegion: home},
		OrganizationsRegion: orgRegin,
		Regions:             []string{home, orgRegin},
		MemberRole:          org.AccessRole,
		Ownership:           cfgmodel.Ownership{NamePrefix: "orgnotify-", TagKey: tagKey, TagValue: tagValue},
		Resources: cfgmodel.Resources{KMSKeyAlias: "alias/orgnotify-events", SNSTopicName: "orgnotify-events",
			SQSQueueName: "orgnotify-digest", EventBusName: "orgnotify-central"},
		Lifecycle: &cfgmodel.Lifecycle{Events: []string{"CreateAccountResult"},
			Subscribers: &cfgmodel.Subscribers{Emails: []string{"cloud-security@example.co.jp"}}},
		Limits: cfgmodel.Limits{MaxDeletionsPerApply: &limit},
	}
}

func memberAccount(id string) *cfgmodel.Account {
	return &cfgmodel.Account{ID: id, Name: "team-" + id[:4], File: "accounts/team-" + id[:4] + ".yaml",
		Events: &cfgmodel.Events{StackFailures: &cfgmodel.StackFailures{Statuses: cfgmodel.DefaultStackStatuses}}}
}

// start runs awssim with the organization and returns the world with
// every member configured. The SDK configuration is the product's own
// (aws.LoadConfig: standard retryer, body guard) pointed at the simulator;
// only the longest backoff is shortened, so throttled tests stay quick.
func start(t testing.TB) *world {
	t.Helper()
	accts := []org.Account{{ID: hub, Name: "hub"}}
	for _, m := range members {
		accts = append(accts, org.Account{ID: m, Name: "team-" + m[:4]})
	}
	env := awssimtest.Start(t, awssim.Seed{Organization: org.Seed{ManagementAccount: mgmt, OrganizationID: orgID, Accounts: accts}})
	return connect(t, env, orgConfig(), nil)
}

func connect(t testing.TB, env *awssimtest.Env, o *cfgmodel.Org, accounts []*cfgmodel.Account) *world {
	t.Helper()
	cfg, err := orgaws.LoadConfig(context.Background(), orgRegin,
		config.WithBaseEndpoint(env.URL),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("AKIDCIROLE0000000000", "secret", "")),
		config.WithRetryer(func() sdkaws.Retryer { return retry.AddWithMaxBackoffDelay(orgaws.NewRetryer(), 200*time.Millisecond) }),
	)
	if err != nil {
		t.Fatal(err)
	}
	if accounts == nil {
		for _, m := range members {
			accounts = append(accounts, memberAccount(m))
		}
	}
	s := orgaws.NewSessions(cfg, mgmt, o.MemberRole)
	cloud := orgaws.NewCloud(s, orgaws.Layout{
		Prefix: o.Ownership.NamePrefix, TagKey: o.Ownership.TagKey, TagValue: o.Ownership.TagValue,
		Hub: hub, HomeRegion: home, Management: mgmt, OrgRegion: orgRegin,
		Topic: o.Resources.SNSTopicName, Bus: o.Resources.EventBusName,
	})
	return &world{env: env, cloud: cloud, sessions: s, org: o, accounts: accounts}
}

func (w *world) want(t testing.TB) []desired.Resource {
	t.Helper()
	rs, err := desired.Build(w.org, w.accounts)
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

func (w *world) scope() reconcile.Scope { return reconcile.ScopeOf(w.org, w.accounts) }

func (w *world) plan(t testing.TB, opts reconcile.Options) reconcile.Result {
	t.Helper()
	res, err := reconcile.Plan(context.Background(), w.cloud, w.scope(), w.want(t), opts)
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	return res
}

func (w *world) apply(t testing.TB, opts reconcile.Options) reconcile.Result {
	t.Helper()
	res, err := reconcile.Run(context.Background(), w.cloud, w.scope(), w.want(t), opts)
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	return res
}

func describe(res reconcile.Result) string {
	var b strings.Builder
	for _, c := range res.Plan.Changes {
		b.WriteString("\n  " + string(c.Action) + " " + c.ID.String() + " " + string(c.Status) + " " + c.Error)
		for _, d := range c.Diff {
			if c.Action == plan.Update {
				b.WriteString("\n      " + d.Field + ": " + d.Old + " → " + d.New)
			}
		}
	}
	for _, f := range res.Failures {
		b.WriteString("\n  failure: " + f.String())
	}
	return b.String()
}

func mustConverge(t *testing.T, w *world) {
	t.Helper()
	if res := w.plan(t, reconcile.Options{}); len(res.Plan.Changes) != 0 || res.Failed() {
		t.Fatalf("plan after apply is not empty:%s", describe(res))
	}
}

// TestApplyEmptyOrganization is issue 6's first "done when": an apply on
// an empty organization creates everything, a second plan is empty, and
// events flow: a stack failure in a member reaches the hub queue and a
// queue subscribed to the topic, CREATE_COMPLETE does not,
// CreateAccountResult in the management account reaches the hub queue.
func TestApplyEmptyOrganization(t *testing.T) {
	w := start(t)
	var progress strings.Builder
	res := w.apply(t, reconcile.Options{Progress: &progress})
	if res.Failed() {
		t.Fatalf("apply failed:%s", describe(res))
	}
	want := w.want(t)
	if s := res.Plan.Summary(); s.Create != len(want) || s.Update+s.Delete+s.Conflict != 0 {
		t.Errorf("summary = %+v, want %d creates", s, len(want))
	}
	for _, c := range res.Plan.Changes {
		if c.Status != plan.StatusOK {
			t.Errorf("%s: status %q %s", c.ID, c.Status, c.Error)
		}
	}
	// hub, management, 3 members.
	if !strings.Contains(progress.String(), "[5/5 accounts]") || !strings.HasPrefix(progress.String(), "[1/5 accounts] "+hub) {
		t.Errorf("progress:\n%s", progress.String())
	}
	// A fresh run (new sessions): one AssumeRole per account, none for the
	// management account, whose own credentials are used.
	w.env.Sim.Faults().ResetCounts()
	fresh := connect(t, w.env, w.org, w.accounts)
	again := fresh.plan(t, reconcile.Options{})
	if len(again.Plan.Changes) != 0 || again.Failed() {
		t.Fatalf("second plan not empty:%s", describe(again))
	}
	if got := w.env.Sim.Faults().Counts()["sts:AssumeRole"]; got != 1+len(members) {
		t.Errorf("AssumeRole called %d times in a plan, want %d (hub and members)", got, 1+len(members))
	}
	if len(again.Plan.Pending) != 1 || !strings.Contains(again.Plan.Pending[0].Name, "email:cloud-security@example.co.jp") {
		t.Errorf("pending = %v, want the email subscription", again.Plan.Pending)
	}

	ctx := context.Background()
	hubCfg := w.sessions.Config(hub, home)
	q := sqs.NewFromConfig(hubCfg)
	digest := queueURL(t, q, "orgnotify-digest")
	sub := subscribedQueue(t, w)

	stack := func(status string) {
		t.Helper()
		detail, _ := json.Marshal(map[string]any{"stack-id": "arn:aws:cloudformation:" + home + ":" + members[0] + ":stack/api/1",
			"status-details": map[string]any{"status": status}})
		if _, err := w.env.Sim.EventBridge.PutServiceEvent(ctx, members[0], home, ebsim.ServiceEvent{
			Source: "aws.cloudformation", DetailType: "CloudFormation Stack Status Change", Detail: detail}); err != nil {
			t.Fatal(err)
		}
	}
	stack("UPDATE_ROLLBACK_FAILED")
	if got := receive(t, q, digest); len(got) != 1 || !strings.Contains(got[0], "UPDATE_ROLLBACK_FAILED") || !strings.Contains(got[0], members[0]) {
		t.Errorf("digest queue after a stack failure: %v", got)
	}
	if got := receive(t, q, sub); len(got) != 1 || !strings.Contains(got[0], "UPDATE_ROLLBACK_FAILED") {
		t.Errorf("subscribed queue after a stack failure: %v", got)
	}
	stack("CREATE_COMPLETE")
	if got := receive(t, q, digest); len(got) != 0 {
		t.Errorf("CREATE_COMPLETE reached the digest queue: %v", got)
	}

	detail, _ := json.Marshal(map[string]any{"eventSource": "organizations.amazonaws.com", "eventName": "CreateAccountResult",
		"serviceEventDetails": map[string]any{"createAccountStatus": map[string]any{"state": "SUCCEEDED", "accountId": "999988887777"}}})
	if _, err := w.env.Sim.EventBridge.PutServiceEvent(ctx, mgmt, orgRegin, ebsim.ServiceEvent{
		Source: "aws.organizations", DetailType: "AWS Service Event via CloudTrail", Detail: detail}); err != nil {
		t.Fatal(err)
	}
	if got := receive(t, q, digest); len(got) != 1 || !strings.Contains(got[0], "CreateAccountResult") {
		t.Errorf("digest queue after CreateAccountResult: %v", got)
	}
	if f := w.env.Sim.EventBridge.FailedInvocations(); len(f) != 0 {
		t.Errorf("failed invocations: %+v", f)
	}
}

func queueURL(t *testing.T, q *sqs.Client, name string) string {
	t.Helper()
	out, err := q.GetQueueUrl(context.Background(), &sqs.GetQueueUrlInput{QueueName: sdkaws.String(name)})
	if err != nil {
		t.Fatalf("queue %s: %v", name, err)
	}
	return sdkaws.ToString(out.QueueUrl)
}

// subscribedQueue subscribes a test queue (not orgnotify's: no prefix) to
// the hub topic, as a team's real-time consumer would, and returns its URL.
func subscribedQueue(t *testing.T, w *world) string {
	t.Helper()
	ctx := context.Background()
	cfg := w.sessions.Config(hub, home)
	q := sqs.NewFromConfig(cfg)
	topic := "arn:aws:sns:" + home + ":" + hub + ":orgnotify-events"
	out, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: sdkaws.String("realtime-consumer")})
	if err != nil {
		t.Fatal(err)
	}
	arn := "arn:aws:sqs:" + home + ":" + hub + ":realtime-consumer"
	policy, _ := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
		"Effect": "Allow", "Principal": map[string]any{"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage", "Resource": arn,
		"Condition": map[string]any{"ArnEquals": map[string]any{"aws:SourceArn": topic}}}}})
	if _, err := q.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: out.QueueUrl, Attributes: map[string]string{"Policy": string(policy)}}); err != nil {
		t.Fatal(err)
	}
	if _, err := sns.NewFromConfig(cfg).Subscribe(ctx, &sns.SubscribeInput{TopicArn: sdkaws.String(topic), Protocol: sdkaws.String("sqs"),
		Endpoint: sdkaws.String(arn), Attributes: map[string]string{"RawMessageDelivery": "true"}}); err != nil {
		t.Fatal(err)
	}
	return sdkaws.ToString(out.QueueUrl)
}

// receive drains a queue (deliveries in awssim are synchronous).
func receive(t *testing.T, q *sqs.Client, url string) []string {
	t.Helper()
	out, err := q.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: sdkaws.String(url), MaxNumberOfMessages: 10,
		MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameAll}})
	if err != nil {
		t.Fatal(err)
	}
	var bodies []string
	for _, m := range out.Messages {
		bodies = append(bodies, sdkaws.ToString(m.Body))
		if _, err := q.DeleteMessage(context.Background(), &sqs.DeleteMessageInput{QueueUrl: sdkaws.String(url), ReceiptHandle: m.ReceiptHandle}); err != nil {
			t.Fatal(err)
		}
	}
	return bodies
}

// TestDriftIsPlannedExactlyAndRepaired: four changes made by hand are the
// plan, no more, and apply repairs them.
func TestDriftIsPlannedExactlyAndRepaired(t *testing.T) {
	w := start(t)
	if res := w.apply(t, reconcile.Options{}); res.Failed() {
		t.Fatalf("apply:%s", describe(res))
	}
	ctx := context.Background()
	member := eventbridge.NewFromConfig(w.sessions.Config(members[1], orgRegin))
	if _, err := member.RemoveTargets(ctx, &eventbridge.RemoveTargetsInput{Rule: sdkaws.String("orgnotify-fwd-cloudformation"), Ids: []string{"hub-bus"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := member.DeleteRule(ctx, &eventbridge.DeleteRuleInput{Name: sdkaws.String("orgnotify-fwd-cloudformation")}); err != nil {
		t.Fatal(err)
	}
	hubEB := eventbridge.NewFromConfig(w.sessions.Config(hub, home))
	if _, err := hubEB.PutRule(ctx, &eventbridge.PutRuleInput{Name: sdkaws.String("orgnotify-hub-guardduty"), EventBusName: sdkaws.String("orgnotify-central"),
		Description:  sdkaws.String("orgnotify: guardduty events to the digest queue and the topic"),
		EventPattern: sdkaws.String(`{"source":["aws.guardduty","aws.inspector"]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := hubEB.RemoveTargets(ctx, &eventbridge.RemoveTargetsInput{Rule: sdkaws.String("orgnotify-hub-rds"), EventBusName: sdkaws.String("orgnotify-central"), Ids: []string{"topic"}}); err != nil {
		t.Fatal(err)
	}
	removeKeyStatement(t, w, "SNSEncrypts")

	res := w.plan(t, reconcile.Options{})
	got := map[string]string{}
	for _, c := range res.Plan.Changes {
		fields := []string{}
		for _, d := range c.Diff {
			fields = append(fields, d.Field)
		}
		key := string(c.Action) + " " + c.ID.String()
		if c.Action == plan.Update {
			got[key] = strings.Join(fields, ",")
		} else {
			got[key] = ""
		}
	}
	wantChanges := map[string]string{
		"create events.rule " + members[1] + "/us-east-1 orgnotify-fwd-cloudformation": "",
		"update events.rule " + hub + "/" + home + " orgnotify-hub-guardduty":          desired.SetEventPattern,
		"update events.rule " + hub + "/" + home + " orgnotify-hub-rds":                desired.SetTargets,
		"update kms.key " + hub + "/" + home + " alias/orgnotify-events":               desired.SetPolicy,
	}
	if len(got) != len(wantChanges) {
		t.Errorf("plan has %d changes, want %d:%s", len(got), len(wantChanges), describe(res))
	}
	for k, v := range wantChanges {
		if g, ok := got[k]; !ok || g != v {
			t.Errorf("missing or wrong change %q (fields %q, want %q)", k, g, v)
		}
	}
	if res := w.apply(t, reconcile.Options{}); res.Failed() {
		t.Fatalf("repair:%s", describe(res))
	}
	mustConverge(t, w)
}

func removeKeyStatement(t *testing.T, w *world, sid string) {
	t.Helper()
	ctx := context.Background()
	k := kms.NewFromConfig(w.sessions.Config(hub, home))
	a, err := k.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: sdkaws.String("alias/orgnotify-events")})
	if err != nil {
		t.Fatal(err)
	}
	p, err := k.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: a.KeyMetadata.KeyId, PolicyName: sdkaws.String("default")})
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(sdkaws.ToString(p.Policy)), &doc); err != nil {
		t.Fatal(err)
	}
	var kept []any
	for _, s := range doc["Statement"].([]any) {
		if s.(map[string]any)["Sid"] != sid {
			kept = append(kept, s)
		}
	}
	if len(kept) == len(doc["Statement"].([]any)) {
		t.Fatalf("key policy has no statement %s", sid)
	}
	doc["Statement"] = kept
	b, _ := json.Marshal(doc)
	if _, err := k.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: a.KeyMetadata.KeyId, PolicyName: sdkaws.String("default"), Policy: sdkaws.String(string(b))}); err != nil {
		t.Fatal(err)
	}
}

// TestUntaggedResourcesAreNeverTouched: a wanted name held by someone
// else is a conflict (exit 1), shown and left alone; untagged resources
// with or without the prefix that orgnotify does not want never appear.
func TestUntaggedResourcesAreNeverTouched(t *testing.T) {
	w := start(t)
	ctx := context.Background()
	eb := eventbridge.NewFromConfig(w.sessions.Config(members[0], home))
	const foreignPattern = `{"source":["aws.cloudformation"],"detail-type":["mine"]}`
	for _, name := range []string{"orgnotify-fwd-cloudformation", "orgnotify-custom", "team-rule"} {
		if _, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: sdkaws.String(name), EventPattern: sdkaws.String(foreignPattern)}); err != nil {
			t.Fatal(err)
		}
	}
	res := w.apply(t, reconcile.Options{})
	if !res.Failed() || res.Plan.Summary().Conflict != 1 {
		t.Fatalf("want one conflict and a failed result:%s", describe(res))
	}
	for _, c := range res.Plan.Changes {
		if c.Account == members[0] && c.Region == home && c.Kind == desired.EventRule {
			if c.Name != "orgnotify-fwd-cloudformation" || c.Action != plan.Conflict || c.Status != plan.StatusSkipped {
				t.Errorf("change to a foreign rule: %s %s %s", c.Action, c.ID, c.Status)
			}
		}
	}
	for _, name := range []string{"orgnotify-fwd-cloudformation", "orgnotify-custom", "team-rule"} {
		r, err := eb.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: sdkaws.String(name)})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if sdkaws.ToString(r.EventPattern) != foreignPattern {
			t.Errorf("%s pattern changed to %s", name, sdkaws.ToString(r.EventPattern))
		}
		tg, err := eb.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: sdkaws.String(name)})
		if err != nil || len(tg.Targets) != 0 {
			t.Errorf("%s targets = %v, %v", name, tg, err)
		}
	}
}

// TestAccessDeniedInOneMember: the other accounts are applied, the failure
// names the account, the result fails (exit 1).
func TestAccessDeniedInOneMember(t *testing.T) {
	w := start(t)
	w.env.Sim.Faults().Set(awssim.FaultConfig{DenyAccounts: []string{members[1]}})
	res := w.apply(t, reconcile.Options{})
	if !res.Failed() || len(res.Failures) != 1 || res.Failures[0].Account != members[1] {
		t.Fatalf("failures = %v, want exactly %s:%s", res.Failures, members[1], describe(res))
	}
	for _, c := range res.Plan.Changes {
		if c.Account == members[1] {
			t.Errorf("planned a change in the unreadable account: %s", c.ID)
		}
		if c.Status != plan.StatusOK {
			t.Errorf("%s: %s %s", c.ID, c.Status, c.Error)
		}
	}
	w.env.Sim.Faults().Set(awssim.FaultConfig{})
	// The denied account alone remains to do.
	left := w.plan(t, reconcile.Options{})
	if len(left.Plan.Changes) == 0 {
		t.Fatal("nothing left for the denied account")
	}
	for _, c := range left.Plan.Changes {
		if c.Account != members[1] || c.Action != plan.Create {
			t.Errorf("left after the others were applied: %s %s", c.Action, c.ID)
		}
	}
}

// TestThrottledApplyConverges: with 30 % of calls throttled (STS included)
// the SDK's retryer carries the apply through.
func TestThrottledApplyConverges(t *testing.T) {
	w := start(t)
	w.env.Sim.Faults().Set(awssim.FaultConfig{ThrottleRate: 0.3, Seed: 6})
	if res := w.apply(t, reconcile.Options{}); res.Failed() {
		t.Fatalf("throttled apply failed:%s", describe(res))
	}
	w.env.Sim.Faults().Set(awssim.FaultConfig{})
	mustConverge(t, w)
}

// TestRemovedAccountIsDeletedExactly: an account file removed → exactly
// that account's resources are deleted; it is found through its role.
func TestRemovedAccountIsDeletedExactly(t *testing.T) {
	w := start(t)
	if res := w.apply(t, reconcile.Options{}); res.Failed() {
		t.Fatalf("apply:%s", describe(res))
	}
	gone := members[2]
	w.accounts = slices.DeleteFunc(w.accounts, func(a *cfgmodel.Account) bool { return a.ID == gone })
	res := w.apply(t, reconcile.Options{})
	if res.Failed() {
		t.Fatalf("apply after removal:%s", describe(res))
	}
	// Two rules (one per region) and the forwarder role.
	if s := res.Plan.Summary(); s.Delete != 3 || s.Create+s.Update+s.Conflict != 0 {
		t.Errorf("summary = %+v, want 3 deletes:%s", s, describe(res))
	}
	for _, c := range res.Plan.Changes {
		if c.Account != gone || c.Action != plan.Delete || c.Status != plan.StatusOK {
			t.Errorf("unexpected change: %s %s %s", c.Action, c.ID, c.Status)
		}
	}
	mustConverge(t, w)
	owns, err := w.cloud.OwnsRoles(context.Background(), gone)
	if err != nil || owns {
		t.Errorf("removed account still holds a role: %v %v", owns, err)
	}
}

// TestMassDeleteRefused: more deletions than the limit stop the apply
// before anything changes, unless allowed.
func TestMassDeleteRefused(t *testing.T) {
	w := start(t)
	if res := w.apply(t, reconcile.Options{}); res.Failed() {
		t.Fatalf("apply:%s", describe(res))
	}
	limit := 2
	w.org.Limits.MaxDeletionsPerApply = &limit
	w.accounts = w.accounts[:1]
	_, err := reconcile.Run(context.Background(), w.cloud, w.scope(), w.want(t), reconcile.Options{})
	if !errors.Is(err, reconcile.ErrMassDelete) {
		t.Fatalf("err = %v, want ErrMassDelete", err)
	}
	if res := w.plan(t, reconcile.Options{}); res.Plan.Summary().Delete != 6 {
		t.Fatalf("something was deleted despite the refusal:%s", describe(res))
	}
	if res := w.apply(t, reconcile.Options{AllowMassDelete: true}); res.Failed() || res.Plan.Summary().Delete != 6 {
		t.Fatalf("allowed mass delete:%s", describe(res))
	}
	mustConverge(t, w)
}

// TestShardsSplitMembersAndKeepHubInFirst: every member is in exactly one
// shard; hub and management only in 1/n; shards together plan the same
// creates as the whole.
func TestShardsSplitMembersAndKeepHubInFirst(t *testing.T) {
	w := start(t)
	whole := w.plan(t, reconcile.Options{}).Plan.Summary().Create
	total := 0
	for i := 1; i <= 3; i++ {
		res := w.plan(t, reconcile.Options{Shard: reconcile.Shard{I: i, N: 3}})
		for _, c := range res.Plan.Changes {
			if (c.Account == hub || c.Account == mgmt) && i != 1 {
				t.Errorf("shard %d/3 holds %s", i, c.ID)
			}
		}
		total += res.Plan.Summary().Create
	}
	if total != whole {
		t.Errorf("shards plan %d creates, the whole %d", total, whole)
	}
}

func TestParseShard(t *testing.T) {
	for _, c := range []struct {
		in   string
		want reconcile.Shard
		err  bool
	}{
		{"", reconcile.Shard{I: 1, N: 1}, false},
		{"2/4", reconcile.Shard{I: 2, N: 4}, false},
		{"0/4", reconcile.Shard{}, true},
		{"5/4", reconcile.Shard{}, true},
		{"a/b", reconcile.Shard{}, true},
		{"3", reconcile.Shard{}, true},
	} {
		got, err := reconcile.ParseShard(c.in)
		if (err != nil) != c.err || (!c.err && got != c.want) {
			t.Errorf("ParseShard(%q) = %v, %v", c.in, got, err)
		}
	}
}

// TestApplyWaitsForNewRoles (AWS-WIRING W1): a new role takes a while to
// be usable; apply waits for it, so an event right after apply is
// forwarded, not lost as a failed invocation.
func TestApplyWaitsForNewRoles(t *testing.T) {
	w := start(t)
	w.env.Sim.IAM.SetPropagationDelay(2 * time.Second)
	if res := w.apply(t, reconcile.Options{}); res.Failed() {
		t.Fatalf("apply:%s", describe(res))
	}
	ctx := context.Background()
	detail, _ := json.Marshal(map[string]any{"status-details": map[string]any{"status": "ROLLBACK_FAILED"}})
	if _, err := w.env.Sim.EventBridge.PutServiceEvent(ctx, members[2], orgRegin, ebsim.ServiceEvent{
		Source: "aws.cloudformation", DetailType: "CloudFormation Stack Status Change", Detail: detail}); err != nil {
		t.Fatal(err)
	}
	q := sqs.NewFromConfig(w.sessions.Config(hub, home))
	if got := receive(t, q, queueURL(t, q, "orgnotify-digest")); len(got) != 1 {
		t.Errorf("digest queue: %v; failed invocations: %+v", got, w.env.Sim.EventBridge.FailedInvocations())
	}
}

// TestPreflightNeedsALoggingTrail (AWS-WIRING W9): lifecycle API-call
// events arrive only where a trail logs; plan names the events otherwise.
// A multi-region trail created in another region counts (a shadow trail),
// but only once it logs.
func TestPreflightNeedsALoggingTrail(t *testing.T) {
	w := start(t)
	w.org.Lifecycle.Events = []string{"CreateAccountResult", "CloseAccount", "MoveAccount"}
	ctx := context.Background()
	planErr := func() error {
		_, err := reconcile.Plan(ctx, w.cloud, w.scope(), w.want(t), reconcile.Options{})
		return err
	}
	err := planErr()
	if !errors.Is(err, reconcile.ErrNoTrail) || !strings.Contains(err.Error(), "CloseAccount, MoveAccount") || strings.Contains(err.Error(), "CreateAccountResult") {
		t.Fatalf("no trail: %v", err)
	}
	ct := cloudtrail.NewFromConfig(w.sessions.Config(mgmt, "eu-west-1"))
	if _, err := ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: sdkaws.String("org-trail"), S3BucketName: sdkaws.String("logs"),
		IsMultiRegionTrail: sdkaws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	if err := planErr(); !errors.Is(err, reconcile.ErrNoTrail) {
		t.Fatalf("trail not logging: %v", err)
	}
	if _, err := ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: sdkaws.String("org-trail")}); err != nil {
		t.Fatal(err)
	}
	if err := planErr(); err != nil {
		t.Fatalf("logging multi-region trail: %v", err)
	}
	// Without API-call events there is nothing to check.
	w.org.Lifecycle.Events = []string{"CreateAccountResult"}
	if _, err := ct.StopLogging(ctx, &cloudtrail.StopLoggingInput{Name: sdkaws.String("org-trail")}); err != nil {
		t.Logf("StopLogging: %v", err)
	} else if err := planErr(); err != nil {
		t.Fatalf("service events only: %v", err)
	}
}

// TestRoleDriftRepaired: an inline policy added by hand to the forwarder
// role (it could grant more than PutEvents on the hub bus) and a widened
// trust policy are planned as one update and repaired.
func TestRoleDriftRepaired(t *testing.T) {
	w := start(t)
	if res := w.apply(t, reconcile.Options{}); res.Failed() {
		t.Fatalf("apply:%s", describe(res))
	}
	ctx := context.Background()
	client := iam.NewFromConfig(w.sessions.Config(members[0], orgRegin))
	role := sdkaws.String("orgnotify-forwarder")
	if _, err := client.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: role, PolicyName: sdkaws.String("extra"),
		PolicyDocument: sdkaws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"events:*","Resource":"*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: role,
		PolicyDocument: sdkaws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)}); err != nil {
		t.Fatal(err)
	}
	res := w.plan(t, reconcile.Options{})
	if len(res.Plan.Changes) != 1 {
		t.Fatalf("want one update of the role:%s", describe(res))
	}
	c := res.Plan.Changes[0]
	var fields []string
	for _, d := range c.Diff {
		fields = append(fields, d.Field)
	}
	if c.Action != plan.Update || c.Kind != desired.IAMRole || c.Account != members[0] ||
		strings.Join(fields, ",") != desired.SetTrustPolicy+","+desired.SetInlinePolicyPrefix+"extra" {
		t.Fatalf("plan:%s", describe(res))
	}
	if res := w.apply(t, reconcile.Options{}); res.Failed() {
		t.Fatalf("repair:%s", describe(res))
	}
	mustConverge(t, w)
}

// TestLifecycleAPICallReachesHubWhereATrailLogs (W9): with a trail logging
// in the management account, an Organizations API call (CloseAccount)
// recorded there is forwarded to the hub queue.
func TestLifecycleAPICallReachesHubWhereATrailLogs(t *testing.T) {
	w := start(t)
	w.org.Lifecycle.Events = []string{"CreateAccountResult", "CloseAccount"}
	ctx := context.Background()
	ct := cloudtrail.NewFromConfig(w.sessions.Config(mgmt, orgRegin))
	if _, err := ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: sdkaws.String("org"), S3BucketName: sdkaws.String("logs"), IsMultiRegionTrail: sdkaws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	if _, err := ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: sdkaws.String("org")}); err != nil {
		t.Fatal(err)
	}
	if res := w.apply(t, reconcile.Options{}); res.Failed() {
		t.Fatalf("apply:%s", describe(res))
	}
	detail, _ := json.Marshal(map[string]any{"eventSource": "organizations.amazonaws.com", "eventName": "CloseAccount",
		"requestParameters": map[string]any{"accountId": members[2]}})
	if _, err := w.env.Sim.EventBridge.PutServiceEvent(ctx, mgmt, orgRegin, ebsim.ServiceEvent{
		Source: "aws.organizations", DetailType: "AWS API Call via CloudTrail", Detail: detail}); err != nil {
		t.Fatal(err)
	}
	q := sqs.NewFromConfig(w.sessions.Config(hub, home))
	if got := receive(t, q, queueURL(t, q, "orgnotify-digest")); len(got) != 1 || !strings.Contains(got[0], "CloseAccount") {
		t.Errorf("digest queue after CloseAccount: %v", got)
	}
}

// TestFailedForwardLandsInDeadLetterQueue (W4): when the forwarder role
// loses its permission, the event is not dropped silently: it lands in the
// hub's delivery dead-letter queue of the rule's region, and the next plan
// shows the drift.
func TestFailedForwardLandsInDeadLetterQueue(t *testing.T) {
	w := start(t)
	if res := w.apply(t, reconcile.Options{}); res.Failed() {
		t.Fatalf("apply:%s", describe(res))
	}
	ctx := context.Background()
	if _, err := iam.NewFromConfig(w.sessions.Config(members[0], orgRegin)).DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{
		RoleName: sdkaws.String("orgnotify-forwarder"), PolicyName: sdkaws.String("put-events-hub")}); err != nil {
		t.Fatal(err)
	}
	detail, _ := json.Marshal(map[string]any{"status-details": map[string]any{"status": "ROLLBACK_COMPLETE"}})
	if _, err := w.env.Sim.EventBridge.PutServiceEvent(ctx, members[0], home, ebsim.ServiceEvent{
		Source: "aws.cloudformation", DetailType: "CloudFormation Stack Status Change", Detail: detail}); err != nil {
		t.Fatal(err)
	}
	q := sqs.NewFromConfig(w.sessions.Config(hub, home))
	if got := receive(t, q, queueURL(t, q, "orgnotify-delivery-dlq")); len(got) != 1 {
		t.Errorf("delivery dead-letter queue: %v; failed invocations %+v", got, w.env.Sim.EventBridge.FailedInvocations())
	}
	res := w.plan(t, reconcile.Options{})
	if len(res.Plan.Changes) != 1 || res.Plan.Changes[0].Kind != desired.IAMRole || res.Plan.Changes[0].Account != members[0] {
		t.Fatalf("plan after the policy was removed:%s", describe(res))
	}
}

// TestUnreachableUnconfiguredAccountIsAWarning: an organization account
// outside the configuration that orgnotify cannot enter (invited, without
// memberRole) is a warning, not a failure.
func TestUnreachableUnconfiguredAccountIsAWarning(t *testing.T) {
	const invited = "666677778888"
	accts := []org.Account{{ID: hub, Name: "hub"}, {ID: invited, Name: "legacy", JoinedMethod: "INVITED"}}
	for _, m := range members {
		accts = append(accts, org.Account{ID: m, Name: "team-" + m[:4]})
	}
	env := awssimtest.Start(t, awssim.Seed{Organization: org.Seed{ManagementAccount: mgmt, OrganizationID: orgID, Accounts: accts}})
	w := connect(t, env, orgConfig(), nil)
	res := w.apply(t, reconcile.Options{})
	if res.Failed() || len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], invited) {
		t.Fatalf("warnings %q, failed %v:%s", res.Warnings, res.Failed(), describe(res))
	}
}

// TestRuleQuotaCountsForeignRules: a member's default bus already holds
// other teams' rules; the plan counts them (AWS-WIRING W8) and fails that
// account, naming the quota, before anything is applied, while the others
// are applied.
func TestRuleQuotaCountsForeignRules(t *testing.T) {
	w := start(t)
	full := members[2]
	eb := eventbridge.NewFromConfig(w.sessions.Config(full, home))
	for i := range reconcile.RulesPerBus(home) {
		_, err := eb.PutRule(context.Background(), &eventbridge.PutRuleInput{
			Name:         sdkaws.String(fmt.Sprintf("team-rule-%03d", i)),
			EventPattern: sdkaws.String(`{"source":["team.app"]}`),
		})
		if err != nil {
			t.Fatalf("foreign rule %d: %v", i, err)
		}
	}
	res := w.apply(t, reconcile.Options{})
	if len(res.Failures) != 1 || res.Failures[0].Account != full || !strings.Contains(res.Failures[0].Err.Error(), "quota of 300 rules per bus") {
		t.Fatalf("failures = %v, want %s over the rule quota:%s", res.Failures, full, describe(res))
	}
	for _, c := range res.Plan.Changes {
		if c.Account == full {
			t.Errorf("a change was kept in the account over the quota: %s", c.ID)
		}
		if c.Status != plan.StatusOK {
			t.Errorf("%s: %s %s", c.ID, c.Status, c.Error)
		}
	}
	if got := w.env.Sim.Faults().Counts()["events:PutRule"]; got == 0 {
		t.Error("the other accounts were not applied")
	}
}

func TestRulesPerBus(t *testing.T) {
	for region, want := range map[string]int{"us-east-1": 300, "ap-northeast-1": 300, "af-south-1": 100, "eu-south-1": 100} {
		if got := reconcile.RulesPerBus(region); got != want {
			t.Errorf("RulesPerBus(%s) = %d, want %d", region, got, want)
		}
	}
}

// TestRetiredRegionIsDeletedExactly: a region dropped from regions is out
// of sight, so its rules stay; listed under retiredRegions, what orgnotify
// owns there and no longer wants is deleted and nothing else changes: the
// members' rules and the hub's delivery dead-letter queue in an ordinary
// region; only the members' rules in organizationsRegion, where the
// lifecycle rule and the hub's queue stay.
func TestRetiredRegionIsDeletedExactly(t *testing.T) {
	for _, tc := range []struct {
		region  string
		added   bool // not in regions before the test adds it
		deletes int
	}{
		{"eu-central-1", true, len(members) + 1},
		{orgRegin, false, len(members)},
	} {
		t.Run(tc.region, func(t *testing.T) {
			w := start(t)
			if tc.added {
				w.org.Regions = append(w.org.Regions, tc.region)
			}
			if res := w.apply(t, reconcile.Options{}); res.Failed() {
				t.Fatalf("apply:%s", describe(res))
			}
			w.org.Regions = slices.DeleteFunc(slices.Clone(w.org.Regions), func(r string) bool { return r == tc.region })
			if res := w.plan(t, reconcile.Options{}); len(res.Plan.Changes) != 0 {
				t.Fatalf("a region left out of sight should plan nothing, got:%s", describe(res))
			}

			w.org.RetiredRegions = []string{tc.region}
			res := w.apply(t, reconcile.Options{})
			if res.Failed() {
				t.Fatalf("apply with the region retired:%s", describe(res))
			}
			if s := res.Plan.Summary(); s.Delete != tc.deletes || s.Create+s.Update+s.Conflict != 0 {
				t.Errorf("summary = %+v, want %d deletes:%s", s, tc.deletes, describe(res))
			}
			for _, c := range res.Plan.Changes {
				if c.Region != tc.region || c.Action != plan.Delete || c.Status != plan.StatusOK {
					t.Errorf("unexpected change: %s %s %s", c.Action, c.ID, c.Status)
				}
			}
			mustConverge(t, w)
		})
	}
}

// TestUnnamedKeyIsNotLeftBehind: the key is found by its alias, so when
// naming a new key fails, apply schedules that key for deletion; the next
// apply creates the key the alias names, and the unnamed one is not left
// enabled beside it.
func TestUnnamedKeyIsNotLeftBehind(t *testing.T) {
	w := start(t)
	w.env.Sim.Faults().Set(awssim.FaultConfig{ThrottleOps: map[string]int{"kms:CreateAlias": -1}})
	res := w.apply(t, reconcile.Options{})
	m := regexp.MustCompile(`the unnamed key (\S+) is scheduled for deletion`).FindStringSubmatch(describe(res))
	if !res.Failed() || m == nil {
		t.Fatalf("apply with CreateAlias failing: want a failure that names the scheduled key:%s", describe(res))
	}
	w.env.Sim.Faults().Set(awssim.FaultConfig{})
	if res := w.apply(t, reconcile.Options{}); res.Failed() {
		t.Fatalf("second apply:%s", describe(res))
	}
	mustConverge(t, w)

	k := kms.NewFromConfig(w.sessions.Config(hub, home))
	for _, tc := range []struct{ key, state string }{
		{m[1], "PendingDeletion"},
		{w.org.Resources.KMSKeyAlias, "Enabled"},
	} {
		d, err := k.DescribeKey(context.Background(), &kms.DescribeKeyInput{KeyId: &tc.key})
		if err != nil {
			t.Fatal(err)
		}
		if got := string(d.KeyMetadata.KeyState); got != tc.state {
			t.Errorf("key %s is %s, want %s", tc.key, got, tc.state)
		}
		if tc.state == "Enabled" && *d.KeyMetadata.KeyId == m[1] {
			t.Errorf("the alias names the key that was scheduled for deletion")
		}
	}
}

// TestRuleQuotaNeedsNoSecondListing: the quota check counts the rules the
// observation listed, so a plan that adds rules lists each bus as often as
// a plan that adds none.
func TestRuleQuotaNeedsNoSecondListing(t *testing.T) {
	w := start(t)
	faults := w.env.Sim.Faults()
	listings := func(opts reconcile.Options, run func(testing.TB, reconcile.Options) reconcile.Result) int {
		faults.ResetCounts()
		if res := run(t, opts); res.Failed() {
			t.Fatalf("run:%s", describe(res))
		}
		return faults.Counts()["events:ListRules"]
	}
	adding := listings(reconcile.Options{}, w.apply)
	noop := listings(reconcile.Options{}, w.plan)
	if adding != noop || noop == 0 {
		t.Errorf("ListRules: %d calls for the apply that adds every rule, %d for the plan that adds none; want the same", adding, noop)
	}
}

// TestRetiredRegionKeepsUndeliveredEvents (W4): a retired region's
// delivery dead-letter queue is not deleted while it holds events that
// never reached the hub; once the digest has taken them, it is.
func TestRetiredRegionKeepsUndeliveredEvents(t *testing.T) {
	const gone = "eu-central-1"
	w := start(t)
	w.org.Regions = append(w.org.Regions, gone)
	if res := w.apply(t, reconcile.Options{}); res.Failed() {
		t.Fatalf("apply:%s", describe(res))
	}
	q := sqs.NewFromConfig(w.sessions.Config(hub, gone))
	url := queueURL(t, q, "orgnotify-delivery-dlq")
	if _, err := q.SendMessage(context.Background(), &sqs.SendMessageInput{QueueUrl: &url, MessageBody: sdkaws.String(`{"source":"aws.cloudformation"}`)}); err != nil {
		t.Fatal(err)
	}

	w.org.Regions = slices.DeleteFunc(slices.Clone(w.org.Regions), func(r string) bool { return r == gone })
	w.org.RetiredRegions = []string{gone}
	res := w.apply(t, reconcile.Options{})
	if !res.Failed() || !strings.Contains(describe(res), "still holds 1 undelivered event") {
		t.Fatalf("apply with an undelivered event in the retired region's queue: want that delete refused:%s", describe(res))
	}
	// Taken and deleted, as the event digest does once it has reported it.
	if n := len(receive(t, q, url)); n != 1 {
		t.Fatalf("the queue holds %d messages after the refused delete, want 1", n)
	}
	if res := w.apply(t, reconcile.Options{}); res.Failed() {
		t.Fatalf("apply after the queue was emptied:%s", describe(res))
	}
	mustConverge(t, w)
}
