package eventbridge_test

import (
	"context"
	"encoding/json"
	"os"
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
	"github.com/orgnotify/orgnotify/internal/awssim/org"
)

// These tests run the whole simulator: Organizations/STS, SQS and SNS are
// the other simulated services, reached through their real SDK clients.

// must fails the test on any error of a call to another simulated service,
// naming the call: every operation these tests use is simulated, so an
// UnknownOperationException is a failure, not a reason to skip.
func must(t *testing.T, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

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
	must(t, err, "sqs CreateQueue")
	a, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: q.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	must(t, err, "sqs GetQueueAttributes")
	arn := a.Attributes["QueueArn"]
	pol := map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
		"Effect": "Allow", "Principal": map[string]any{"Service": service}, "Action": "sqs:SendMessage", "Resource": arn,
		"Condition": map[string]any{"ArnEquals": map[string]any{"aws:SourceArn": sourceARN}},
	}}}
	b, _ := json.Marshal(pol)
	_, err = c.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: q.QueueUrl, Attributes: map[string]string{"Policy": string(b)}})
	must(t, err, "sqs SetQueueAttributes")
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
	must(t, err, "iam CreateRole")
	_, err = c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String("put-events"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"events:PutEvents","Resource":"` + busARN + `"}]}`)})
	must(t, err, "iam PutRolePolicy")
	return aws.ToString(out.Role.Arn)
}

// receiveOne waits briefly for one message and returns its body.
func receiveOne(t *testing.T, c *sqs.Client, url string) string {
	t.Helper()
	out, err := c.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
	must(t, err, "sqs ReceiveMessage")
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
		RoleArn: aws.String("arn:aws:iam::" + memberAccount + ":role/OrganizationAccountAccessRole"), RoleSessionName: aws.String("orgnotify-test")})
	must(t, err, "sts AssumeRole")
	memberCfg := env.ConfigWithKeys(t, region, aws.ToString(creds.Credentials.AccessKeyId), aws.ToString(creds.Credentials.SecretAccessKey), aws.ToString(creds.Credentials.SessionToken))
	who, err := sts.NewFromConfig(memberCfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	must(t, err, "sts GetCallerIdentity")
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
	must(t, err, "sns CreateTopic")
	topicARN := aws.ToString(topic.TopicArn)
	topicPolicy, _ := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
		"Effect": "Allow", "Principal": map[string]any{"Service": "events.amazonaws.com"}, "Action": "sns:Publish", "Resource": topicARN,
	}}})
	_, err = sn.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: topic.TopicArn, AttributeName: aws.String("Policy"), AttributeValue: aws.String(string(topicPolicy))})
	must(t, err, "sns SetTopicAttributes")
	subURL, subARN := queue(t, sq, "orgnotify-realtime", "sns.amazonaws.com", topicARN)
	_, err = sn.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"), Endpoint: aws.String(subARN)})
	must(t, err, "sns Subscribe")

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
	must(t, err, "sns CreateTopic")
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
