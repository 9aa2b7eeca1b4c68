package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/orgnotify/orgnotify/internal/awssim"
	"github.com/orgnotify/orgnotify/internal/awssim/awssimtest"
	awsebsim "github.com/orgnotify/orgnotify/internal/awssim/eventbridge"
	"github.com/orgnotify/orgnotify/internal/awssim/servicecatalog"
)

// The wiring the event digest reads is made by `orgnotify apply` of a
// copy of the example organization (testdata/example, seeded in awssim as
// testdata/awssim/example-org.yaml), exactly as a user makes it: the
// KMS-encrypted digest queue with its dead-letter queue, the delivery
// dead-letter queues (W4), the central bus open to the organization, the
// hub rules, the management account's lifecycle rule and every member's
// forwarding rules with their forwarder role (W1). A CloudTrail trail logs
// in the management account first, as the example's API-call lifecycle
// events need (W9).

const (
	mgmtAccount     = "111122223333"
	hubAccount      = "222233334444"
	paymentsProd    = "345678901234"
	securityAudit   = "012345678901"
	homeRegion      = "ap-northeast-1"
	digestQueueName = "orgnotify-digest"
	scStackARN      = "arn:aws:cloudformation:ap-northeast-1:345678901234:stack/SC-345678901234-pp-fqh2ngw5mvzqc/5b5a1c20-8f4d-11ef-9a1b-0a1b2c3d4e5f"
)

type digestWiring struct {
	env     *awssimtest.Env
	root    string            // the applied copy of the example
	hub     *sqs.Client       // hub account, home region
	hubEast *sqs.Client       // hub account, us-east-1
	queues  map[string]string // "name@region" → URL
}

// simSeed is the example's seed with the Service Catalog product behind
// the sample stack failure (W16).
func simSeed(t *testing.T) awssim.Seed {
	t.Helper()
	seed, err := awssim.LoadSeed(filepath.Join(repoRoot, "testdata", "awssim", "example-org.yaml"))
	must(t, err, "load seed")
	seed.ProvisionedProducts = []servicecatalog.ProvisionedProduct{{
		Account: paymentsProd, Region: homeRegion, ID: "pp-fqh2ngw5mvzqc", Name: "payments-bucket", PhysicalID: scStackARN,
		ProductName: "Encrypted S3 bucket", ProvisioningArtifactName: "v3.2",
		UserArn: "arn:aws:sts::" + paymentsProd + ":assumed-role/Developer/alice",
	}}
	return seed
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

// copyExample copies testdata/example (org.yaml and accounts/) to a
// temporary root.
func copyExample(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	must(t, os.Mkdir(filepath.Join(root, "accounts"), 0o755), "mkdir accounts")
	files, _ := filepath.Glob(filepath.Join(exampleRoot, "accounts", "*.yaml"))
	for _, f := range append(files, filepath.Join(exampleRoot, "org.yaml")) {
		b, err := os.ReadFile(f)
		must(t, err, "read example")
		rel, _ := filepath.Rel(exampleRoot, f)
		must(t, os.WriteFile(filepath.Join(root, rel), b, 0o644), "write example copy")
	}
	return root
}

// simEnv starts awssim with the example's seed and points the standard
// AWS chain at it, as a user does with AWS_ENDPOINT_URL.
func simEnv(t *testing.T) *awssimtest.Env {
	t.Helper()
	env := awssimtest.Start(t, simSeed(t))
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL": env.URL, "AWS_ACCESS_KEY_ID": "AKIDSIMBASE000000000", "AWS_SECRET_ACCESS_KEY": "secret",
		"AWS_REGION": homeRegion, "AWS_PROFILE": "", "AWS_CONFIG_FILE": filepath.Join(t.TempDir(), "none"),
		"AWS_SHARED_CREDENTIALS_FILE": filepath.Join(t.TempDir(), "none"), "AWS_EC2_METADATA_DISABLED": "true",
	} {
		t.Setenv(k, v)
	}
	return env
}

// applyExample starts awssim with the example's seed, points the standard
// AWS chain at it, starts a trail and runs `orgnotify apply` on a copy of
// the example. maxReceive other than apply's 24 is set on the digest queue
// out of band, standing for that many hourly runs (the poison test).
func applyExample(t *testing.T, maxReceive int) *digestWiring {
	t.Helper()
	ctx := context.Background()
	env := simEnv(t)
	ct := cloudtrail.NewFromConfig(env.Config(t, "us-east-1"))
	_, err := ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("org-trail"), S3BucketName: aws.String("org-trail-logs"), IsMultiRegionTrail: aws.Bool(true)})
	must(t, err, "cloudtrail CreateTrail")
	_, err = ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("org-trail")})
	must(t, err, "cloudtrail StartLogging")

	w := &digestWiring{env: env, root: copyExample(t), queues: map[string]string{}}
	if r := runCLI(t, nil, "apply", "--root", w.root); r.code != exitOK {
		t.Fatalf("apply: exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	w.hub = sqs.NewFromConfig(assumed(t, env, hubAccount, homeRegion))
	w.hubEast = sqs.NewFromConfig(assumed(t, env, hubAccount, "us-east-1"))
	for _, q := range []string{digestQueueName + "@" + homeRegion, digestQueueName + "-dlq@" + homeRegion,
		"orgnotify-delivery-dlq@" + homeRegion, "orgnotify-delivery-dlq@us-east-1"} {
		name, _, _ := strings.Cut(q, "@")
		out, err := w.client(q).GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(name)})
		must(t, err, "apply made no queue "+q)
		w.queues[q] = aws.ToString(out.QueueUrl)
	}
	queue := w.queues[digestQueueName+"@"+homeRegion]
	attrs, err := w.hub.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(queue),
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameRedrivePolicy}})
	must(t, err, "sqs GetQueueAttributes")
	var redrive map[string]any
	must(t, json.Unmarshal([]byte(attrs.Attributes["RedrivePolicy"]), &redrive), "decode RedrivePolicy")
	if fmt.Sprint(redrive["maxReceiveCount"]) != "24" {
		t.Fatalf("apply made the digest queue with maxReceiveCount %v, want 24 (W17)", redrive["maxReceiveCount"])
	}
	if maxReceive != 24 {
		redrive["maxReceiveCount"] = maxReceive
		b, _ := json.Marshal(redrive)
		_, err := w.hub.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(queue),
			Attributes: map[string]string{"RedrivePolicy": string(b)}})
		must(t, err, "sqs SetQueueAttributes")
	}
	return w
}

func (w *digestWiring) client(queue string) *sqs.Client {
	if strings.HasSuffix(queue, "@us-east-1") {
		return w.hubEast
	}
	return w.hub
}

// raise publishes a sample event (testdata/events/NAME.json) as the AWS
// service would, on the default bus of the account and region the sample
// names; the forwarding rules apply made take it to the hub (or not). It
// returns the new event ID.
func (w *digestWiring) raise(t *testing.T, name string) string {
	t.Helper()
	var env struct {
		Account    string          `json:"account"`
		Region     string          `json:"region"`
		Source     string          `json:"source"`
		DetailType string          `json:"detail-type"`
		Resources  []string        `json:"resources"`
		Detail     json.RawMessage `json:"detail"`
	}
	b, err := os.ReadFile(filepath.Join(repoRoot, "testdata", "events", name+".json"))
	must(t, err, "read sample")
	must(t, json.Unmarshal(b, &env), "decode sample")
	id, err := w.env.Sim.EventBridge.PutServiceEvent(context.Background(), env.Account, env.Region, awsebsim.ServiceEvent{
		Source: env.Source, DetailType: env.DetailType, Detail: env.Detail, Resources: env.Resources, Time: time.Now()})
	must(t, err, "PutServiceEvent "+name)
	return id
}

// send puts a body straight on a hub queue ("name@region"): what no
// EventBridge rule delivers, such as a message that is not an event.
func (w *digestWiring) send(t *testing.T, queue, body string, attrs map[string]string) {
	t.Helper()
	c := w.client(queue)
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
	out, err := w.client(queue).GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{QueueUrl: aws.String(w.queues[queue]),
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessages, sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible}})
	must(t, err, "sqs GetQueueAttributes")
	return out.Attributes["ApproximateNumberOfMessages"], out.Attributes["ApproximateNumberOfMessagesNotVisible"]
}
