package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/orgnotify/orgnotify/internal/awssim"
	"github.com/orgnotify/orgnotify/internal/awssim/awssimtest"
	awsebsim "github.com/orgnotify/orgnotify/internal/awssim/eventbridge"
	"github.com/orgnotify/orgnotify/internal/awssim/org"
	"github.com/orgnotify/orgnotify/internal/awssim/servicecatalog"
)

// The hub wiring the event digest reads, made by hand with the SDK as
// `orgnotify apply` will make it (issue 6): the KMS-encrypted digest queue
// with its dead-letter queue, the delivery dead-letter queues (W4), the
// central bus open to the organization, the hub rule delivering to the
// queue, and one member's forwarding rule with its role (W1). When apply
// lands, replace wireHub's body with an apply of the bundled example
// against env; the tests only use the returned digestWiring.

const (
	mgmtAccount     = "111122223333"
	hubAccount      = "222233334444"
	paymentsProd    = "345678901234"
	securityAudit   = "012345678901"
	homeRegion      = "ap-northeast-1"
	digestQueueName = "orgnotify-digest"
	busName         = "orgnotify-central"
	scStackARN      = "arn:aws:cloudformation:ap-northeast-1:345678901234:stack/SC-345678901234-pp-fqh2ngw5mvzqc/5b5a1c20-8f4d-11ef-9a1b-0a1b2c3d4e5f"
)

type digestWiring struct {
	env     *awssimtest.Env
	hub     *sqs.Client         // hub account, home region
	hubEast *sqs.Client         // hub account, us-east-1
	member  *eventbridge.Client // payments-prod, home region (forwards to the hub)
	queues  map[string]string   // "name@region" → URL
}

func simSeed() awssim.Seed {
	return awssim.Seed{
		Organization: org.Seed{ManagementAccount: mgmtAccount, OrganizationID: "o-a1b2c3d4e5", Accounts: []org.Account{
			{ID: mgmtAccount, Name: "management"}, {ID: hubAccount, Name: "notifications"},
			{ID: paymentsProd, Name: "payments-prod"}, {ID: securityAudit, Name: "security-audit"},
		}},
		ProvisionedProducts: []servicecatalog.ProvisionedProduct{{
			Account: paymentsProd, Region: homeRegion, ID: "pp-fqh2ngw5mvzqc", Name: "payments-bucket", PhysicalID: scStackARN,
			ProductName: "Encrypted S3 bucket", ProvisioningArtifactName: "v3.2",
			UserArn: "arn:aws:sts::" + paymentsProd + ":assumed-role/Developer/alice",
		}},
	}
}

// assumed returns a config acting in account through OrganizationAccountAccessRole.
func assumed(t *testing.T, env *awssimtest.Env, account, region string) aws.Config {
	t.Helper()
	out, err := sts.NewFromConfig(env.Config(t, region)).AssumeRole(context.Background(), &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::" + account + ":role/OrganizationAccountAccessRole"), RoleSessionName: aws.String("wiring")})
	if err != nil {
		t.Fatal(err)
	}
	c := out.Credentials
	return env.ConfigWithKeys(t, region, aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken))
}

func must(t *testing.T, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func jsonDoc(v any) *string {
	b, _ := json.Marshal(v)
	return aws.String(string(b))
}

// wireHub builds the hub as apply will; maxReceive is the digest queue's
// maxReceiveCount (apply uses 24; the poison test passes 2).
func wireHub(t *testing.T, maxReceive int) *digestWiring {
	t.Helper()
	ctx := context.Background()
	env := awssimtest.Start(t, simSeed())
	hubCfg := assumed(t, env, hubAccount, homeRegion)
	w := &digestWiring{env: env, hub: sqs.NewFromConfig(hubCfg), hubEast: sqs.NewFromConfig(assumed(t, env, hubAccount, "us-east-1")), queues: map[string]string{}}
	ruleARN := "arn:aws:events:" + homeRegion + ":" + hubAccount + ":rule/" + busName + "/orgnotify-digest"

	key, err := kms.NewFromConfig(hubCfg).CreateKey(ctx, &kms.CreateKeyInput{Policy: jsonDoc(map[string]any{"Version": "2012-10-17", "Statement": []any{
		map[string]any{"Effect": "Allow", "Principal": map[string]any{"AWS": "arn:aws:iam::" + hubAccount + ":root"}, "Action": "kms:*", "Resource": "*"},
		map[string]any{"Effect": "Allow", "Principal": map[string]any{"Service": "events.amazonaws.com"}, "Action": []string{"kms:Decrypt", "kms:GenerateDataKey*"}, "Resource": "*",
			"Condition": map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": hubAccount}}},
	}})})
	must(t, err, "kms CreateKey")
	keyID := aws.ToString(key.KeyMetadata.KeyId)

	create := func(c *sqs.Client, region, name string, attrs map[string]string) string {
		out, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
		must(t, err, "sqs CreateQueue "+name)
		w.queues[name+"@"+region] = aws.ToString(out.QueueUrl)
		return "arn:aws:sqs:" + region + ":" + hubAccount + ":" + name
	}
	sendPolicy := func(arn string, cond map[string]any) string {
		return aws.ToString(jsonDoc(map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
			"Effect": "Allow", "Principal": map[string]any{"Service": "events.amazonaws.com"}, "Action": "sqs:SendMessage", "Resource": arn, "Condition": cond}}}))
	}
	dlqARN := create(w.hub, homeRegion, digestQueueName+"-dlq", map[string]string{"KmsMasterKeyId": keyID, "MessageRetentionPeriod": "1209600"})
	queueARN := "arn:aws:sqs:" + homeRegion + ":" + hubAccount + ":" + digestQueueName
	redrive := aws.ToString(jsonDoc(map[string]any{"deadLetterTargetArn": dlqARN, "maxReceiveCount": maxReceive}))
	create(w.hub, homeRegion, digestQueueName, map[string]string{"KmsMasterKeyId": keyID, "MessageRetentionPeriod": "345600",
		"RedrivePolicy": redrive, "Policy": sendPolicy(queueARN, map[string]any{"ArnEquals": map[string]any{"aws:SourceArn": ruleARN}})})
	for region, c := range map[string]*sqs.Client{homeRegion: w.hub, "us-east-1": w.hubEast} {
		arn := "arn:aws:sqs:" + region + ":" + hubAccount + ":orgnotify-delivery-dlq"
		create(c, region, "orgnotify-delivery-dlq", map[string]string{"SqsManagedSseEnabled": "true",
			"Policy": sendPolicy(arn, map[string]any{"ArnLike": map[string]any{"aws:SourceArn": "arn:aws:events:" + region + ":*:rule/orgnotify-*"}})})
	}

	hub := eventbridge.NewFromConfig(hubCfg)
	bus, err := hub.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String(busName)})
	must(t, err, "events CreateEventBus")
	_, err = hub.PutPermission(ctx, &eventbridge.PutPermissionInput{EventBusName: aws.String(busName), Action: aws.String("events:PutEvents"),
		Principal: aws.String("*"), StatementId: aws.String("OrganizationPutEvents"),
		Condition: &ebtypes.Condition{Type: aws.String("StringEquals"), Key: aws.String("aws:PrincipalOrgID"), Value: aws.String("o-a1b2c3d4e5")}})
	must(t, err, "events PutPermission")
	_, err = hub.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("orgnotify-digest"), EventBusName: aws.String(busName),
		EventPattern: aws.String(`{"source":[{"prefix":"aws."}]}`)})
	must(t, err, "events PutRule")
	_, err = hub.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("orgnotify-digest"), EventBusName: aws.String(busName), Targets: []ebtypes.Target{{
		Id: aws.String("digest-queue"), Arn: aws.String(queueARN),
		DeadLetterConfig: &ebtypes.DeadLetterConfig{Arn: aws.String("arn:aws:sqs:" + homeRegion + ":" + hubAccount + ":orgnotify-delivery-dlq")}}}})
	must(t, err, "events PutTargets")

	memberCfg := assumed(t, env, paymentsProd, homeRegion)
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:SourceAccount":"` + paymentsProd + `"}}}]}`
	ic := iam.NewFromConfig(memberCfg)
	role, err := ic.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("orgnotify-forwarder"), AssumeRolePolicyDocument: aws.String(trust)})
	must(t, err, "iam CreateRole")
	_, err = ic.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("orgnotify-forwarder"), PolicyName: aws.String("put-events-hub"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"events:PutEvents","Resource":"` + aws.ToString(bus.EventBusArn) + `"}]}`)})
	must(t, err, "iam PutRolePolicy")
	w.member = eventbridge.NewFromConfig(memberCfg)
	_, err = w.member.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("orgnotify-forward"), EventPattern: aws.String(`{"source":[{"prefix":"aws."}]}`)})
	must(t, err, "events PutRule (member)")
	_, err = w.member.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("orgnotify-forward"), Targets: []ebtypes.Target{{
		Id: aws.String("hub-bus"), Arn: bus.EventBusArn, RoleArn: role.Role.Arn}}})
	must(t, err, "events PutTargets (member)")
	return w
}

// raise publishes a sample event (testdata/events/NAME.json) as the AWS
// service would, on payments-prod's default bus in the home region; the
// forwarding rule takes it to the hub. It returns the new event ID.
func (w *digestWiring) raise(t *testing.T, name string) string {
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
	id, err := w.env.Sim.EventBridge.PutServiceEvent(context.Background(), paymentsProd, homeRegion, awsebsim.ServiceEvent{
		Source: env.Source, DetailType: env.DetailType, Detail: env.Detail, Resources: env.Resources, Time: time.Now()})
	must(t, err, "PutServiceEvent "+name)
	return id
}

// send puts a body straight on a hub queue ("name@region"), as EventBridge
// does for events from accounts outside this hand-made wiring.
func (w *digestWiring) send(t *testing.T, queue, body string, attrs map[string]string) {
	t.Helper()
	c := w.hub
	if strings.HasSuffix(queue, "@us-east-1") {
		c = w.hubEast
	}
	in := &sqs.SendMessageInput{QueueUrl: aws.String(w.queues[queue]), MessageBody: aws.String(body)}
	for k, v := range attrs {
		if in.MessageAttributes == nil {
			in.MessageAttributes = map[string]sqstypes.MessageAttributeValue{}
		}
		in.MessageAttributes[k] = sqstypes.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(v)}
	}
	_, err := c.SendMessage(context.Background(), in)
	must(t, err, "sqs SendMessage "+queue)
}

// sample returns a sample event's body on one line.
func sample(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, "testdata", "events", name+".json"))
	must(t, err, "read sample")
	var v any
	must(t, json.Unmarshal(b, &v), "decode sample")
	out, _ := json.Marshal(v)
	return string(out)
}

// depth returns the visible and in-flight message counts of a queue.
func (w *digestWiring) depth(t *testing.T, queue string) (visible, inflight string) {
	t.Helper()
	c := w.hub
	if strings.HasSuffix(queue, "@us-east-1") {
		c = w.hubEast
	}
	out, err := c.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{QueueUrl: aws.String(w.queues[queue]),
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessages, sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible}})
	must(t, err, "sqs GetQueueAttributes")
	return out.Attributes["ApproximateNumberOfMessages"], out.Attributes["ApproximateNumberOfMessagesNotVisible"]
}
