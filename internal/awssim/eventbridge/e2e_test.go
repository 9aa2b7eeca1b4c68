package eventbridge_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/orgnotify/orgnotify/internal/awssim"
	"github.com/orgnotify/orgnotify/internal/awssim/awssimtest"
	eb "github.com/orgnotify/orgnotify/internal/awssim/eventbridge"
	"github.com/orgnotify/orgnotify/internal/awssim/org"
)

// These tests run the whole simulator: Organizations/STS, SQS and SNS are
// the other simulated services, reached through their real SDK clients.

func orgSeed() awssim.Seed {
	return awssim.Seed{Organization: org.Seed{
		ManagementAccount: hubAccount,
		OrganizationID:    orgID,
		Accounts:          []org.Account{{ID: hubAccount, Name: "management"}, {ID: memberAccount, Name: "payments"}},
	}}
}

// queue creates a queue whose policy lets service send from sourceARN and
// returns its URL and ARN.
func queue(t *testing.T, c *sqs.Client, name, service, sourceARN string) (string, string) {
	t.Helper()
	ctx := context.Background()
	q, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name)})
	awssimtest.Must(t, err, "sqs CreateQueue")
	a, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: q.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	awssimtest.Must(t, err, "sqs GetQueueAttributes")
	arn := a.Attributes["QueueArn"]
	pol := map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
		"Effect": "Allow", "Principal": map[string]any{"Service": service}, "Action": "sqs:SendMessage", "Resource": arn,
		"Condition": map[string]any{"ArnEquals": map[string]any{"aws:SourceArn": sourceARN}},
	}}}
	b, _ := json.Marshal(pol)
	_, err = c.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: q.QueueUrl, Attributes: map[string]string{"Policy": string(b)}})
	awssimtest.Must(t, err, "sqs SetQueueAttributes")
	return aws.ToString(q.QueueUrl), arn
}

// forwarderRole creates the role a forwarding rule of account uses: only
// events.amazonaws.com for that account may assume it, and it may only put
// events on busARN. It returns the role ARN.
func forwarderRole(t *testing.T, c *iam.Client, name, account, busARN string) string {
	t.Helper()
	ctx := context.Background()
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},"Action":"sts:AssumeRole",` +
		`"Condition":{"StringEquals":{"aws:SourceAccount":"` + account + `"}}}]}`
	out, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)})
	awssimtest.Must(t, err, "iam CreateRole")
	_, err = c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String("put-events"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"events:PutEvents","Resource":"` + busARN + `"}]}`)})
	awssimtest.Must(t, err, "iam PutRolePolicy")
	return aws.ToString(out.Role.Arn)
}

// receiveOne waits briefly for one message and returns its body.
func receiveOne(t *testing.T, c *sqs.Client, url string) string {
	t.Helper()
	out, err := c.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
	awssimtest.Must(t, err, "sqs ReceiveMessage")
	if len(out.Messages) != 1 {
		t.Fatalf("queue %s: %d messages, want 1", url, len(out.Messages))
	}
	return aws.ToString(out.Messages[0].Body)
}

// TestMemberEventReachesHubQueues is the "done when": an event put
// on a member account's default bus (credentials from AssumeRole) is
// forwarded to the hub's central bus, whose policy admits the organization,
// and the hub rule delivers it to an SQS queue and to an SNS topic whose
// subscriber queue receives it.
func TestMemberEventReachesHubQueues(t *testing.T) {
	const region = "eu-west-1"
	ctx := context.Background()
	env := awssimtest.Start(t, orgSeed())
	hubCfg := env.Config(t, region)

	creds, err := sts.NewFromConfig(hubCfg).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String(awssimtest.AccessRoleARN(memberAccount)), RoleSessionName: aws.String("orgnotify-test")})
	awssimtest.Must(t, err, "sts AssumeRole")
	memberCfg := env.ConfigWithKeys(t, region, aws.ToString(creds.Credentials.AccessKeyId), aws.ToString(creds.Credentials.SecretAccessKey), aws.ToString(creds.Credentials.SessionToken))
	who, err := sts.NewFromConfig(memberCfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	awssimtest.Must(t, err, "sts GetCallerIdentity")
	if aws.ToString(who.Account) != memberAccount {
		t.Fatalf("assumed-role credentials act as %s, want %s", aws.ToString(who.Account), memberAccount)
	}

	hub := eventbridge.NewFromConfig(hubCfg)
	central, err := hub.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("orgnotify-central")})
	awssimtest.WantCode(t, err, "")
	putOrgPermission(t, hub, "orgnotify-central")
	hubRule, err := hub.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("orgnotify-collect"), EventBusName: aws.String("orgnotify-central"),
		EventPattern: aws.String(`{"source":["orgnotify.test"],"detail":{"status":["UPDATE_FAILED","ROLLBACK_COMPLETE"]}}`)})
	awssimtest.WantCode(t, err, "")
	ruleARN := aws.ToString(hubRule.RuleArn)

	sq := sqs.NewFromConfig(hubCfg)
	sn := sns.NewFromConfig(hubCfg)
	digestURL, digestARN := queue(t, sq, "orgnotify-digest", "events.amazonaws.com", ruleARN)
	topic, err := sn.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("orgnotify-events")})
	awssimtest.Must(t, err, "sns CreateTopic")
	topicARN := aws.ToString(topic.TopicArn)
	topicPolicy, _ := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
		"Effect": "Allow", "Principal": map[string]any{"Service": "events.amazonaws.com"}, "Action": "sns:Publish", "Resource": topicARN,
	}}})
	_, err = sn.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: topic.TopicArn, AttributeName: aws.String("Policy"), AttributeValue: aws.String(string(topicPolicy))})
	awssimtest.Must(t, err, "sns SetTopicAttributes")
	subURL, subARN := queue(t, sq, "orgnotify-realtime", "sns.amazonaws.com", topicARN)
	_, err = sn.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"), Endpoint: aws.String(subARN)})
	awssimtest.Must(t, err, "sns Subscribe")

	res, err := hub.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("orgnotify-collect"), EventBusName: aws.String("orgnotify-central"), Targets: []types.Target{
		{Id: aws.String("digest"), Arn: aws.String(digestARN)}, {Id: aws.String("topic"), Arn: aws.String(topicARN)}}})
	awssimtest.WantCode(t, err, "")
	if res.FailedEntryCount != 0 {
		t.Fatalf("PutTargets failed entries: %+v", res.FailedEntries)
	}

	// W1: the bus grants the organization, so the member's rule must
	// forward through a role of its own account.
	member := eventbridge.NewFromConfig(memberCfg)
	role := forwarderRole(t, iam.NewFromConfig(memberCfg), "orgnotify-forwarder", memberAccount, aws.ToString(central.EventBusArn))
	fwd := mustRule(t, member, &eventbridge.PutRuleInput{Name: aws.String("orgnotify-forward"), EventPattern: aws.String(`{"source":["orgnotify.test"]}`)},
		types.Target{Id: aws.String("hub"), Arn: central.EventBusArn, RoleArn: aws.String(role)})
	id := putOne(t, member, "", "orgnotify.test", "CloudFormation Stack Status Change", `{"stack":"payments-api","status":"UPDATE_FAILED"}`)

	if m := env.Sim.EventBridge.Metrics(fwd); m.Invoked != 1 || m.Failed != 0 {
		t.Fatalf("member forward rule metrics = %+v", m)
	}
	if m := env.Sim.EventBridge.Metrics(ruleARN); m.Invoked != 2 || m.Failed != 0 {
		t.Fatalf("hub rule metrics = %+v", m)
	}
	ev := decode(t, receiveOne(t, sq, digestURL))
	if ev["id"] != id || ev["account"] != memberAccount || ev["region"] != region {
		t.Errorf("digest queue event = %v", ev)
	}
	note := decode(t, receiveOne(t, sq, subURL))
	msg, _ := note["Message"].(string)
	if inner := decode(t, msg); inner["id"] != id || inner["account"] != memberAccount {
		t.Errorf("SNS notification message = %s", msg)
	}
	if note["TopicArn"] != topicARN {
		t.Errorf("SNS notification TopicArn = %v", note["TopicArn"])
	}
}

// TestTopicWithoutPolicyCountsFailure: a topic whose policy does not admit
// events.amazonaws.com refuses the delivery; PutEvents still succeeds and
// the rule's failed-invocation counter shows it.
func TestTopicWithoutPolicyCountsFailure(t *testing.T) {
	ctx := context.Background()
	env := awssimtest.Start(t, orgSeed())
	cfg := env.Config(t, "us-east-1")
	topic, err := sns.NewFromConfig(cfg).CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("no-policy")})
	awssimtest.Must(t, err, "sns CreateTopic")
	c := eventbridge.NewFromConfig(cfg)
	arn := mustRule(t, c, &eventbridge.PutRuleInput{Name: aws.String("to-topic"), EventPattern: aws.String(`{"source":["app"]}`)},
		types.Target{Id: aws.String("t"), Arn: topic.TopicArn})
	putOne(t, c, "", "app", "x", `{}`)
	if m := env.Sim.EventBridge.Metrics(arn); m.Matched != 1 || m.Failed != 1 || m.Invoked != 0 {
		t.Errorf("metrics = %+v, want 1 matched, 1 failed", m)
	}
}

// TestOrganizationsEventInUSEast1: Organizations' CreateAccountResult, raised
// on the management account's default bus in us-east-1, is matched by the
// orgnotify lifecycle rule and lands in its queue.
func TestOrganizationsEventInUSEast1(t *testing.T) {
	ctx := context.Background()
	env := awssimtest.Start(t, orgSeed())
	cfg := env.Config(t, "us-east-1")
	pattern, err := os.ReadFile("testdata/orgnotify-lifecycle-pattern.json")
	if err != nil {
		t.Fatal(err)
	}
	c := eventbridge.NewFromConfig(cfg)
	out, err := c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("orgnotify-lifecycle"), EventPattern: aws.String(string(pattern))})
	awssimtest.WantCode(t, err, "")
	url, arn := queue(t, sqs.NewFromConfig(cfg), "orgnotify-lifecycle", "events.amazonaws.com", aws.ToString(out.RuleArn))
	awssimtest.WantCall(t, c.PutTargets, &eventbridge.PutTargetsInput{Rule: aws.String("orgnotify-lifecycle"), Targets: []types.Target{{Id: aws.String("q"), Arn: aws.String(arn)}}}, "")

	ev := loadServiceEvent(t, "testdata/organizations-create-account-result.json")
	ev.Time = time.Date(2026, 3, 2, 10, 15, 30, 0, time.UTC)
	id, err := env.Sim.EventBridge.PutServiceEvent(ctx, hubAccount, "us-east-1", ev)
	if err != nil {
		t.Fatal(err)
	}
	got := decode(t, receiveOne(t, sqs.NewFromConfig(cfg), url))
	if got["id"] != id || got["source"] != "aws.organizations" || got["time"] != "2026-03-02T10:15:30Z" || got["account"] != hubAccount {
		t.Errorf("event = %v", got)
	}
}

// hubWithOrgBus starts the whole simulator with a hub bus "central" in the
// hub account that grants PutEvents only through aws:PrincipalOrgID, and a
// hub rule delivering everything to a queue. It returns the member's
// config, the bus ARN and the queue URL.
func hubWithOrgBus(t *testing.T, region string) (*awssimtest.Env, aws.Config, string, string) {
	t.Helper()
	ctx := context.Background()
	env := awssimtest.Start(t, orgSeed())
	hubCfg := env.Config(t, region)
	hub := eventbridge.NewFromConfig(hubCfg)
	central, err := hub.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("central")})
	awssimtest.WantCode(t, err, "")
	putOrgPermission(t, hub, "central")
	rule, err := hub.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("collect"), EventBusName: aws.String("central"), EventPattern: aws.String(`{"account":["` + memberAccount + `"]}`)})
	awssimtest.WantCode(t, err, "")
	url, arn := queue(t, sqs.NewFromConfig(hubCfg), "hub", "events.amazonaws.com", aws.ToString(rule.RuleArn))
	awssimtest.WantCall(t, hub.PutTargets, &eventbridge.PutTargetsInput{Rule: aws.String("collect"), EventBusName: aws.String("central"), Targets: []types.Target{{Id: aws.String("q"), Arn: aws.String(arn)}}}, "")

	creds, err := sts.NewFromConfig(hubCfg).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String(awssimtest.AccessRoleARN(memberAccount)), RoleSessionName: aws.String("test")})
	awssimtest.Must(t, err, "sts AssumeRole")
	memberCfg := env.ConfigWithKeys(t, region, aws.ToString(creds.Credentials.AccessKeyId), aws.ToString(creds.Credentials.SecretAccessKey), aws.ToString(creds.Credentials.SessionToken))
	return env, memberCfg, aws.ToString(central.EventBusArn), url
}

// failedInvocations reads the admin endpoint.
func failedInvocations(t *testing.T, env *awssimtest.Env) []eb.FailedInvocation {
	t.Helper()
	resp, err := http.Get(env.URL + "/_awssim/failed-invocations")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out []eb.FailedInvocation
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET failed-invocations: %s", resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

func queueDepth(t *testing.T, c *sqs.Client, url string) int {
	t.Helper()
	out, err := c.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10})
	awssimtest.Must(t, err, "sqs ReceiveMessage")
	for _, m := range out.Messages {
		_, err := c.DeleteMessage(context.Background(), &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle})
		awssimtest.Must(t, err, "sqs DeleteMessage")
	}
	return len(out.Messages)
}

// TestCrossAccountNeedsRole is W1: a rule in a member account reaches a hub
// bus that grants only the organization only through a RoleArn that
// events.amazonaws.com may assume for this account (and rule) and that
// allows events:PutEvents on that bus. Every other wiring is a failed
// invocation, visible on the admin endpoint.
func TestCrossAccountNeedsRole(t *testing.T) {
	const region = "eu-west-1"
	ctx := context.Background()
	env, memberCfg, busARN, hubQueue := hubWithOrgBus(t, region)
	hubSQS := sqs.NewFromConfig(env.Config(t, region))
	member := eventbridge.NewFromConfig(memberCfg)
	roles := iam.NewFromConfig(memberCfg)
	hubRoles := iam.NewFromConfig(env.Config(t, region))

	const (
		trustAccount = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:SourceAccount":"ACCOUNT"}}}]}`
		trustRule    = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"ArnEquals":{"aws:SourceArn":"RULE"}}}]}`
		trustLambda  = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
		allowBus     = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"events:PutEvents","Resource":"BUS"}]}`
		allowOther   = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"events:PutEvents","Resource":"arn:aws:events:eu-west-1:111111111111:event-bus/other"}]}`
		allowDeny    = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"events:*","Resource":"*"},{"Effect":"Deny","Action":"events:PutEvents","Resource":"BUS"}]}`
	)
	tests := []struct {
		name      string
		trust     string // "" creates no role
		policy    string // "" puts no inline policy
		roleIn    string // account whose IAM holds the role; default member
		noRoleArn bool
		delivered bool
	}{
		{name: "no RoleArn", noRoleArn: true},
		{name: "role that does not exist"},
		{name: "trust for events from this account, PutEvents on the bus", trust: trustAccount, policy: allowBus, delivered: true},
		{name: "trust for events from this rule", trust: trustRule, policy: allowBus, delivered: true},
		{name: "trust for events from another account", trust: strings.Replace(trustAccount, "ACCOUNT", outsider, 1), policy: allowBus},
		{name: "trust for another service", trust: trustLambda, policy: allowBus},
		{name: "no inline policy", trust: trustAccount},
		{name: "PutEvents on another bus only", trust: trustAccount, policy: allowOther},
		{name: "explicit Deny on the bus", trust: trustAccount, policy: allowDeny},
		{name: "role in the hub account", trust: trustAccount, policy: allowBus, roleIn: hubAccount},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			source := fmt.Sprintf("case-%d", i)
			name := fmt.Sprintf("forward-%d", i)
			ruleARN := "arn:aws:events:" + region + ":" + memberAccount + ":rule/" + name
			account, c := memberAccount, roles
			if tt.roleIn == hubAccount {
				account, c = hubAccount, hubRoles
			}
			roleARN := awssimtest.RoleARN(account, name)
			expand := strings.NewReplacer("ACCOUNT", memberAccount, "RULE", ruleARN, "BUS", busARN).Replace
			if tt.trust != "" {
				_, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(expand(tt.trust))})
				awssimtest.Must(t, err, "iam CreateRole")
			}
			if tt.policy != "" {
				_, err := c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String("p"), PolicyDocument: aws.String(expand(tt.policy))})
				awssimtest.Must(t, err, "iam PutRolePolicy")
			}
			target := types.Target{Id: aws.String("hub"), Arn: aws.String(busARN), RoleArn: aws.String(roleARN)}
			if tt.noRoleArn {
				target.RoleArn = nil
			}
			mustRule(t, member, &eventbridge.PutRuleInput{Name: aws.String(name), EventPattern: aws.String(`{"source":["` + source + `"]}`)}, target)
			id := putOne(t, member, "", source, "x", `{}`)

			m := env.Sim.EventBridge.Metrics(ruleARN)
			got := queueDepth(t, hubSQS, hubQueue)
			var failure *eb.FailedInvocation
			for _, f := range failedInvocations(t, env) {
				if f.RuleARN == ruleARN {
					failure = &f
				}
			}
			if tt.delivered {
				if got != 1 || m.Invoked != 1 || failure != nil {
					t.Fatalf("hub queue got %d, metrics %+v, failure %+v; want delivered", got, m, failure)
				}
				return
			}
			if got != 0 || m.Failed != 1 {
				t.Fatalf("hub queue got %d, metrics %+v; want a failed invocation", got, m)
			}
			if failure == nil || failure.EventID != id || failure.TargetARN != busARN || failure.ErrorCode != "NO_PERMISSIONS" || failure.DeadLetter != "none" {
				t.Fatalf("failed invocation = %+v, want event %s to %s with NO_PERMISSIONS", failure, id, busARN)
			}
		})
	}

	req, _ := http.NewRequest(http.MethodDelete, env.URL+"/_awssim/failed-invocations", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("DELETE failed-invocations: %v %v", err, resp)
	}
	resp.Body.Close()
	if n := len(failedInvocations(t, env)); n != 0 {
		t.Fatalf("after DELETE, %d failed invocations", n)
	}
}

// TestCrossAccountRolePropagation: a role used before IAM has propagated it
// fails the delivery; once propagated it works.
func TestCrossAccountRolePropagation(t *testing.T) {
	const region = "eu-west-1"
	env, memberCfg, busARN, hubQueue := hubWithOrgBus(t, region)
	start := time.Now()
	var offset atomic.Int64
	env.Sim.SetClock(func() time.Time { return start.Add(time.Duration(offset.Load())) })
	env.Sim.IAM.SetPropagationDelay(time.Minute)
	member := eventbridge.NewFromConfig(memberCfg)
	role := forwarderRole(t, iam.NewFromConfig(memberCfg), "fwd", memberAccount, busARN)
	fwd := mustRule(t, member, &eventbridge.PutRuleInput{Name: aws.String("fwd"), EventPattern: aws.String(`{"source":["app"]}`)},
		types.Target{Id: aws.String("hub"), Arn: aws.String(busARN), RoleArn: aws.String(role)})
	hubSQS := sqs.NewFromConfig(env.Config(t, region))

	putOne(t, member, "", "app", "x", `{}`)
	if got := queueDepth(t, hubSQS, hubQueue); got != 0 {
		t.Fatalf("delivered %d through a role not yet propagated", got)
	}
	offset.Store(int64(2 * time.Minute))
	putOne(t, member, "", "app", "x", `{}`)
	if got := queueDepth(t, hubSQS, hubQueue); got != 1 {
		t.Fatalf("delivered %d after propagation, want 1", got)
	}
	if m := env.Sim.EventBridge.Metrics(fwd); m.Failed != 1 || m.Invoked != 1 {
		t.Fatalf("metrics = %+v, want 1 failed then 1 invoked", m)
	}
}

// TestRoleOnQueueTarget is W2: EventBridge delivers to a queue through its
// policy. A target that names a role anyway is delivered through the role,
// so the forwarder role (PutEvents only) on a queue target fails.
func TestRoleOnQueueTarget(t *testing.T) {
	const region = "us-east-1"
	ctx := context.Background()
	env := awssimtest.Start(t, orgSeed())
	cfg := env.Config(t, region)
	c := eventbridge.NewFromConfig(cfg)
	sq := sqs.NewFromConfig(cfg)
	rule, err := c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("r"), EventPattern: aws.String(`{"source":["app"]}`)})
	awssimtest.WantCode(t, err, "")
	url, arn := queue(t, sq, "q", "events.amazonaws.com", aws.ToString(rule.RuleArn))
	roles := iam.NewFromConfig(cfg)
	forwarder := forwarderRole(t, roles, "forwarder", hubAccount, "arn:aws:events:"+region+":"+memberAccount+":event-bus/default")
	sender := forwarderRole(t, roles, "sender", hubAccount, "*")
	_, err = roles.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("sender"), PolicyName: aws.String("send"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"` + arn + `"}]}`)})
	awssimtest.Must(t, err, "iam PutRolePolicy")

	for _, tt := range []struct {
		name, role string
		delivered  bool
	}{
		{"no role: the queue policy decides", "", true},
		{"a role that only puts events", forwarder, false},
		{"a role that may send to the queue", sender, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			target := types.Target{Id: aws.String("q"), Arn: aws.String(arn)}
			if tt.role != "" {
				target.RoleArn = aws.String(tt.role)
			}
			awssimtest.WantCall(t, c.PutTargets, &eventbridge.PutTargetsInput{Rule: aws.String("r"), Targets: []types.Target{target}}, "")
			putOne(t, c, "", "app", "x", `{}`)
			if got := queueDepth(t, sq, url); (got == 1) != tt.delivered {
				t.Fatalf("queue got %d, want delivered %v", got, tt.delivered)
			}
		})
	}
}
