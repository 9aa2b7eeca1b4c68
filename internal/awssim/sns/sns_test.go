package sns_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/orgnotify/orgnotify/internal/awssim"
	"github.com/orgnotify/orgnotify/internal/awssim/awssimtest"
	"github.com/orgnotify/orgnotify/internal/awssim/handoff"
	"github.com/orgnotify/orgnotify/internal/awssim/org"
)

const (
	mgmt     = "111111111111"
	member   = "222222222222"
	outsider = "999999999999"
	orgID    = "o-abc123defg"
	region   = "us-east-1"
)

type fixture struct {
	env *awssimtest.Env
	sns *sns.Client
	sqs *sqs.Client
}

func start(t *testing.T) fixture {
	t.Helper()
	env := awssimtest.Start(t, awssim.Seed{Organization: org.Seed{ManagementAccount: mgmt, OrganizationID: orgID,
		Accounts: []org.Account{{ID: member, Name: "payments"}},
		Roles:    []org.Role{{Account: outsider, Name: "Partner"}}}})
	cfg := env.Config(t, region)
	return fixture{env: env, sns: sns.NewFromConfig(cfg), sqs: sqs.NewFromConfig(cfg)}
}

func (f fixture) topic(t *testing.T, name string, attrs map[string]string) string {
	t.Helper()
	out, err := f.sns.CreateTopic(context.Background(), &sns.CreateTopicInput{Name: aws.String(name), Attributes: attrs})
	awssimtest.WantCode(t, err, "")
	return aws.ToString(out.TopicArn)
}

// queueARN is the ARN of the management account's queue name.
func queueARN(name string) string { return "arn:aws:sqs:" + region + ":" + mgmt + ":" + name }

// queue creates a queue that, when allowTopic is set, lets that topic
// send to it, and returns its URL and ARN.
func (f fixture) queue(t *testing.T, name, allowTopic string) (string, string) {
	t.Helper()
	arn := queueARN(name)
	attrs := map[string]string{}
	if allowTopic != "" {
		attrs["Policy"] = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},
			"Action":"sqs:SendMessage","Resource":"` + arn + `","Condition":{"ArnEquals":{"aws:SourceArn":"` + allowTopic + `"}}}]}`
	}
	out, err := f.sqs.CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
	awssimtest.WantCode(t, err, "")
	return aws.ToString(out.QueueUrl), arn
}

func (f fixture) subscribe(t *testing.T, topicARN, queueARN string, attrs map[string]string) string {
	t.Helper()
	out, err := f.sns.Subscribe(context.Background(), &sns.SubscribeInput{TopicArn: aws.String(topicARN), Protocol: aws.String("sqs"),
		Endpoint: aws.String(queueARN), Attributes: attrs, ReturnSubscriptionArn: true})
	awssimtest.WantCode(t, err, "")
	return aws.ToString(out.SubscriptionArn)
}

func (f fixture) drain(t *testing.T, url string) []sqstypes.Message {
	t.Helper()
	out, err := f.sqs.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10,
		MessageAttributeNames: []string{"All"}})
	awssimtest.WantCode(t, err, "")
	for _, m := range out.Messages {
		_, err := f.sqs.DeleteMessage(context.Background(), &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle})
		awssimtest.WantCode(t, err, "")
	}
	return out.Messages
}

func TestTopics(t *testing.T) {
	f := start(t)
	ctx := context.Background()
	arn := f.topic(t, "orgnotify-events", map[string]string{"DisplayName": "orgnotify"})
	if arn != "arn:aws:sns:"+region+":"+mgmt+":orgnotify-events" {
		t.Errorf("TopicArn = %s", arn)
	}
	cases := []struct {
		name  string
		topic string
		attrs map[string]string
		code  string
	}{
		{"same again", "orgnotify-events", map[string]string{"DisplayName": "orgnotify"}, ""},
		{"no attributes again", "orgnotify-events", nil, ""},
		{"different attributes", "orgnotify-events", map[string]string{"DisplayName": "other"}, "InvalidParameter"},
		{"257 characters", strings.Repeat("t", 257), nil, "InvalidParameter"},
		{"bad character", "a.b", nil, "InvalidParameter"},
		{"fifo", "orders.fifo", map[string]string{"FifoTopic": "true"}, ""},
		{"fifo suffix only", "jobs.fifo", nil, "InvalidParameter"},
		{"unknown attribute", "t1", map[string]string{"Colour": "blue"}, "InvalidParameter"},
		{"invalid policy", "t1", map[string]string{"Policy": `{"Statement":[]`}, "InvalidParameter"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := f.sns.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(tc.topic), Attributes: tc.attrs})
			awssimtest.WantCode(t, err, tc.code)
			if tc.code != "" {
				var ip *types.InvalidParameterException
				if !errors.As(err, &ip) {
					t.Errorf("error %T is not *types.InvalidParameterException", err)
				}
				return
			}
			if !strings.HasSuffix(aws.ToString(out.TopicArn), ":"+tc.topic) {
				t.Errorf("TopicArn = %s", aws.ToString(out.TopicArn))
			}
		})
	}

	got, err := f.sns.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(arn)})
	awssimtest.WantCode(t, err, "")
	a := got.Attributes
	if a["TopicArn"] != arn || a["Owner"] != mgmt || a["DisplayName"] != "orgnotify" || a["SubscriptionsConfirmed"] != "0" {
		t.Errorf("attributes = %v", a)
	}
	var pol struct {
		Statement []struct {
			Condition map[string]map[string]string
		}
	}
	if err := json.Unmarshal([]byte(a["Policy"]), &pol); err != nil || len(pol.Statement) != 1 || pol.Statement[0].Condition["StringEquals"]["AWS:SourceOwner"] != mgmt {
		t.Errorf("default policy = %s (%v)", a["Policy"], err)
	}

	setCases := []struct {
		name, attr, value, code string
	}{
		{"display name", "DisplayName", "Org events", ""},
		{"customer key", "KmsMasterKeyId", "alias/orgnotify", ""},
		{"policy", "Policy", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},"Action":"sns:Publish","Resource":"` + arn + `"}]}`, ""},
		{"invalid policy", "Policy", `{"Version":"2012-10-17","Statement":[{"Effect":"Maybe"}]}`, "InvalidParameter"},
		{"unknown attribute", "Colour", "blue", "InvalidParameter"},
		{"fifo attribute on a standard topic", "ContentBasedDeduplication", "true", "InvalidParameter"},
	}
	for _, tc := range setCases {
		t.Run("set "+tc.name, func(t *testing.T) {
			_, err := f.sns.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: aws.String(arn), AttributeName: aws.String(tc.attr), AttributeValue: aws.String(tc.value)})
			awssimtest.WantCode(t, err, tc.code)
			if tc.code != "" {
				return
			}
			got, err := f.sns.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(arn)})
			awssimtest.WantCode(t, err, "")
			if got.Attributes[tc.attr] != tc.value {
				t.Errorf("%s = %q, want %q", tc.attr, got.Attributes[tc.attr], tc.value)
			}
		})
	}

	missing := "arn:aws:sns:" + region + ":" + mgmt + ":ghost"
	_, err = f.sns.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(missing)})
	awssimtest.WantCode(t, err, "NotFound")
	var nf *types.NotFoundException
	if !errors.As(err, &nf) || awssimtest.Status(err) != 404 {
		t.Errorf("missing topic: %T %v, want *types.NotFoundException with 404", err, err)
	}
	awssimtest.WantCall(t, f.sns.DeleteTopic, &sns.DeleteTopicInput{TopicArn: aws.String(arn)}, "")
	awssimtest.WantCall(t, f.sns.DeleteTopic, &sns.DeleteTopicInput{TopicArn: aws.String(arn)}, "") // deleting a missing topic is not an error
	awssimtest.WantCall(t, f.sns.GetTopicAttributes, &sns.GetTopicAttributesInput{TopicArn: aws.String(arn)}, "NotFound")
}

func TestListTopicsAndTags(t *testing.T) {
	f := start(t)
	ctx := context.Background()
	want := map[string]bool{}
	for i := range 105 {
		want[f.topic(t, fmt.Sprintf("t%03d", i), nil)] = true
	}
	p := sns.NewListTopicsPaginator(f.sns, &sns.ListTopicsInput{})
	pages, seen := 0, 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		awssimtest.WantCode(t, err, "")
		pages++
		for _, tp := range out.Topics {
			if !want[aws.ToString(tp.TopicArn)] {
				t.Errorf("unexpected topic %s", aws.ToString(tp.TopicArn))
			}
			seen++
		}
	}
	if pages != 2 || seen != 105 {
		t.Errorf("ListTopics: %d pages, %d topics; want 2, 105", pages, seen)
	}

	arn := aws.String("arn:aws:sns:" + region + ":" + mgmt + ":t000")
	awssimtest.WantCall(t, f.sns.TagResource, &sns.TagResourceInput{ResourceArn: arn, Tags: []types.Tag{{Key: aws.String("orgnotify:owned"), Value: aws.String("true")}, {Key: aws.String("team"), Value: aws.String("sre")}}}, "")
	awssimtest.WantCall(t, f.sns.UntagResource, &sns.UntagResourceInput{ResourceArn: arn, TagKeys: []string{"team"}}, "")
	tags, err := f.sns.ListTagsForResource(ctx, &sns.ListTagsForResourceInput{ResourceArn: arn})
	awssimtest.WantCode(t, err, "")
	if len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Key) != "orgnotify:owned" {
		t.Errorf("tags = %+v", tags.Tags)
	}
	awssimtest.WantCall(t, f.sns.ListTagsForResource, &sns.ListTagsForResourceInput{ResourceArn: aws.String("arn:aws:sns:" + region + ":" + mgmt + ":ghost")}, "ResourceNotFound")
	awssimtest.WantCall(t, f.sns.CreateTopic, &sns.CreateTopicInput{Name: aws.String("t000"), Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("other")}}}, "InvalidParameter")
}

func TestSubscribe(t *testing.T) {
	f := start(t)
	ctx := context.Background()
	arn := f.topic(t, "subs", nil)
	q := queueARN("q")
	cases := []struct {
		name      string
		protocol  string
		endpoint  string
		attrs     map[string]string
		returnARN bool
		code      string
		pending   bool
		scope     string // the FilterPolicyScope GetSubscriptionAttributes reports; "" skips the check
	}{
		{"sqs is confirmed at once", "sqs", q, nil, false, "", false, ""},
		{"same subscription again", "sqs", q, nil, false, "", false, ""},
		{"same endpoint, other attributes", "sqs", q, map[string]string{"RawMessageDelivery": "true"}, false, "InvalidParameter", false, ""},
		{"lambda", "lambda", "arn:aws:lambda:" + region + ":" + mgmt + ":function:f", nil, false, "", false, ""},
		{"email waits for confirmation", "email", "sre@example.com", nil, false, "", true, ""},
		{"https with ReturnSubscriptionArn", "https", "https://hooks.example.com/sns", nil, true, "", true, ""},
		{"http", "http", "http://127.0.0.1:9/sns", nil, false, "", true, ""},
		{"bad email", "email", "not-an-address", nil, false, "InvalidParameter", false, ""},
		{"https endpoint with http scheme", "https", "http://example.com", nil, false, "InvalidParameter", false, ""},
		{"sqs endpoint not an ARN", "sqs", "https://sqs/q", nil, false, "InvalidParameter", false, ""},
		{"unknown protocol", "carrier-pigeon", "coo", nil, false, "InvalidParameter", false, ""},
		{"filter policy alone defaults to attributes scope", "sqs", q + "2", map[string]string{"FilterPolicy": `{"severity":["HIGH"]}`}, false, "", false, "MessageAttributes"},
		{"invalid filter policy", "sqs", q + "3", map[string]string{"FilterPolicy": `{"severity":"HIGH"}`}, false, "InvalidParameter", false, ""},
		{"nested policy needs body scope", "sqs", q + "3", map[string]string{"FilterPolicy": `{"detail":{"status":["FAILED"]}}`}, false, "InvalidParameter", false, ""},
		{"nested policy, body scope", "sqs", q + "4", map[string]string{"FilterPolicy": `{"detail":{"status":["FAILED"]}}`, "FilterPolicyScope": "MessageBody"}, false, "", false, "MessageBody"},
		{"bad scope", "sqs", q + "5", map[string]string{"FilterPolicyScope": "Headers"}, false, "InvalidParameter", false, ""},
		{"raw delivery for email", "email", "raw@example.com", map[string]string{"RawMessageDelivery": "true"}, false, "InvalidParameter", false, ""},
		{"unknown attribute", "sqs", q + "6", map[string]string{"Colour": "blue"}, false, "InvalidParameter", false, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := f.sns.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(arn), Protocol: aws.String(tc.protocol), Endpoint: aws.String(tc.endpoint),
				Attributes: tc.attrs, ReturnSubscriptionArn: tc.returnARN})
			awssimtest.WantCode(t, err, tc.code)
			if tc.code != "" {
				return
			}
			got := aws.ToString(out.SubscriptionArn)
			switch {
			case tc.pending && !tc.returnARN:
				if got != "pending confirmation" {
					t.Errorf("SubscriptionArn = %q, want pending confirmation", got)
				}
			case !strings.HasPrefix(got, arn+":"):
				t.Errorf("SubscriptionArn = %q, want one under %s", got, arn)
			}
			if tc.scope == "" {
				return
			}
			a, err := f.sns.GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: out.SubscriptionArn})
			awssimtest.WantCode(t, err, "")
			if a.Attributes["FilterPolicy"] != tc.attrs["FilterPolicy"] || a.Attributes["FilterPolicyScope"] != tc.scope {
				t.Errorf("FilterPolicy %q scope %q, want %q %q", a.Attributes["FilterPolicy"], a.Attributes["FilterPolicyScope"], tc.attrs["FilterPolicy"], tc.scope)
			}
		})
	}
	awssimtest.WantCall(t, f.sns.Subscribe, &sns.SubscribeInput{TopicArn: aws.String(arn + "-ghost"), Protocol: aws.String("sqs"), Endpoint: aws.String(q)}, "NotFound")

	attrs, err := f.sns.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(arn)})
	awssimtest.WantCode(t, err, "")
	if attrs.Attributes["SubscriptionsConfirmed"] != "4" || attrs.Attributes["SubscriptionsPending"] != "3" {
		t.Errorf("confirmed %s pending %s, want 4 and 3", attrs.Attributes["SubscriptionsConfirmed"], attrs.Attributes["SubscriptionsPending"])
	}

	token, ok := f.env.Sim.SNS.ConfirmationToken(arn, "sre@example.com")
	if !ok {
		t.Fatal("no confirmation token for the email subscription")
	}
	conf, err := f.sns.ConfirmSubscription(ctx, &sns.ConfirmSubscriptionInput{TopicArn: aws.String(arn), Token: aws.String(token)})
	awssimtest.WantCode(t, err, "")
	subAttrs, err := f.sns.GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: conf.SubscriptionArn})
	awssimtest.WantCode(t, err, "")
	if subAttrs.Attributes["PendingConfirmation"] != "false" || subAttrs.Attributes["Endpoint"] != "sre@example.com" {
		t.Errorf("confirmed subscription attributes = %v", subAttrs.Attributes)
	}

	awssimtest.WantCall(t, f.sns.Unsubscribe, &sns.UnsubscribeInput{SubscriptionArn: conf.SubscriptionArn}, "")
	awssimtest.WantCall(t, f.sns.Unsubscribe, &sns.UnsubscribeInput{SubscriptionArn: conf.SubscriptionArn}, "NotFound")
	awssimtest.WantCall(t, f.sns.Unsubscribe, &sns.UnsubscribeInput{SubscriptionArn: aws.String(arn + ":00000000-0000-0000-0000-000000000000")}, "NotFound")
}

func TestListSubscriptionsByTopicPages(t *testing.T) {
	f := start(t)
	ctx := context.Background()
	arn := f.topic(t, "many", nil)
	for i := range 230 {
		f.subscribe(t, arn, fmt.Sprintf("arn:aws:sqs:%s:%s:q%d", region, mgmt, i), nil)
	}
	awssimtest.WantCall(t, f.sns.Subscribe, &sns.SubscribeInput{TopicArn: aws.String(arn), Protocol: aws.String("email"), Endpoint: aws.String("a@example.com")}, "")
	var sizes []int
	seen := map[string]bool{}
	pending := 0
	p := sns.NewListSubscriptionsByTopicPaginator(f.sns, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(arn)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		awssimtest.WantCode(t, err, "")
		sizes = append(sizes, len(out.Subscriptions))
		for _, s := range out.Subscriptions {
			if aws.ToString(s.TopicArn) != arn || aws.ToString(s.Owner) != mgmt {
				t.Errorf("subscription %+v", s)
			}
			if aws.ToString(s.SubscriptionArn) == "PendingConfirmation" {
				pending++
				continue
			}
			seen[aws.ToString(s.SubscriptionArn)] = true
		}
	}
	if fmt.Sprint(sizes) != "[100 100 31]" || len(seen) != 230 || pending != 1 {
		t.Errorf("pages %v, %d distinct confirmed, %d pending; want [100 100 31], 230, 1", sizes, len(seen), pending)
	}
	awssimtest.WantCall(t, f.sns.ListSubscriptionsByTopic, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(arn), NextToken: aws.String("!!")}, "InvalidParameter")
	awssimtest.WantCall(t, f.sns.ListSubscriptionsByTopic, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(arn + "-ghost")}, "NotFound")
}

func TestPublishToSQS(t *testing.T) {
	f := start(t)
	ctx := context.Background()
	arn := f.topic(t, "alerts", nil)
	envURL, envARN := f.queue(t, "enveloped", arn)
	rawURL, rawARN := f.queue(t, "raw", arn)
	highURL, highARN := f.queue(t, "high", arn)
	bodyURL, bodyARN := f.queue(t, "body-filtered", arn)
	closedURL, closedARN := f.queue(t, "no-policy", "")
	f.subscribe(t, arn, envARN, nil)
	f.subscribe(t, arn, rawARN, map[string]string{"RawMessageDelivery": "true"})
	f.subscribe(t, arn, highARN, map[string]string{"FilterPolicy": `{"severity":[{"numeric":[">=",7]}]}`})
	f.subscribe(t, arn, bodyARN, map[string]string{"FilterPolicy": `{"detail":{"status":[{"prefix":"UPDATE_"}]}}`, "FilterPolicyScope": "MessageBody"})
	closedSub := f.subscribe(t, arn, closedARN, nil)

	publish := func(msg string, severity string) string {
		t.Helper()
		out, err := f.sns.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(arn), Message: aws.String(msg), Subject: aws.String("Stack failed"),
			MessageAttributes: map[string]types.MessageAttributeValue{"severity": {DataType: aws.String("Number"), StringValue: aws.String(severity)}}})
		awssimtest.WantCode(t, err, "")
		return aws.ToString(out.MessageId)
	}
	lowID := publish(`{"detail":{"status":"ROLLBACK_COMPLETE"}}`, "3")
	highID := publish(`{"detail":{"status":"UPDATE_FAILED"}}`, "9")

	env := f.drain(t, envURL)
	if len(env) != 2 {
		t.Fatalf("enveloped queue: %d messages, want 2", len(env))
	}
	var n map[string]any
	if err := json.Unmarshal([]byte(aws.ToString(env[0].Body)), &n); err != nil {
		t.Fatalf("envelope is not JSON: %v", err)
	}
	for _, k := range []string{"Type", "MessageId", "TopicArn", "Subject", "Message", "Timestamp", "SignatureVersion", "Signature", "SigningCertURL", "UnsubscribeURL", "MessageAttributes"} {
		if _, ok := n[k]; !ok {
			t.Errorf("envelope has no %s: %v", k, n)
		}
	}
	if n["Type"] != "Notification" || n["TopicArn"] != arn || n["Subject"] != "Stack failed" || n["Message"] != `{"detail":{"status":"ROLLBACK_COMPLETE"}}` || n["MessageId"] != lowID {
		t.Errorf("envelope = %v", n)
	}
	if sev, _ := n["MessageAttributes"].(map[string]any)["severity"].(map[string]any); sev["Type"] != "Number" || sev["Value"] != "3" {
		t.Errorf("envelope attributes = %v", n["MessageAttributes"])
	}

	raw := f.drain(t, rawURL)
	if len(raw) != 2 || aws.ToString(raw[0].Body) != `{"detail":{"status":"ROLLBACK_COMPLETE"}}` {
		t.Fatalf("raw queue = %+v", raw)
	}
	if a := raw[0].MessageAttributes["severity"]; aws.ToString(a.DataType) != "Number" || aws.ToString(a.StringValue) != "3" {
		t.Errorf("raw delivery attribute = %+v", a)
	}

	high := f.drain(t, highURL)
	if len(high) != 1 || !strings.Contains(aws.ToString(high[0].Body), highID) {
		t.Errorf("attribute-filtered queue = %d messages, want only %s", len(high), highID)
	}
	body := f.drain(t, bodyURL)
	if len(body) != 1 || !strings.Contains(aws.ToString(body[0].Body), "UPDATE_FAILED") {
		t.Errorf("body-filtered queue = %d messages, want only the UPDATE_FAILED one", len(body))
	}
	if got := f.drain(t, closedURL); len(got) != 0 {
		t.Errorf("queue without a policy received %d messages", len(got))
	}
	if err := f.env.Sim.SNS.DeliveryError(closedSub); awssimtest.WireCode(t, err) != "AccessDenied" {
		t.Errorf("delivery error of the queue without policy = %v, want AccessDenied", err)
	}
}

func TestPublishRules(t *testing.T) {
	f := start(t)
	ctx := context.Background()
	arn := aws.String(f.topic(t, "rules", nil))
	fifo := aws.String(f.topic(t, "rules.fifo", map[string]string{"FifoTopic": "true"}))
	cases := []struct {
		name string
		in   sns.PublishInput
		code string
	}{
		{"256 KiB", sns.PublishInput{TopicArn: arn, Message: aws.String(strings.Repeat("m", 256<<10))}, ""},
		{"one byte more", sns.PublishInput{TopicArn: arn, Message: aws.String(strings.Repeat("m", 256<<10+1))}, "InvalidParameter"},
		{"empty message", sns.PublishInput{TopicArn: arn, Message: aws.String("")}, "InvalidParameter"},
		{"subject with a newline", sns.PublishInput{TopicArn: arn, Message: aws.String("m"), Subject: aws.String("a\nb")}, "InvalidParameter"},
		{"subject of 101 characters", sns.PublishInput{TopicArn: arn, Message: aws.String("m"), Subject: aws.String(strings.Repeat("s", 101))}, "InvalidParameter"},
		{"missing topic", sns.PublishInput{TopicArn: aws.String(*arn + "-ghost"), Message: aws.String("m")}, "NotFound"},
		{"json structure without default", sns.PublishInput{TopicArn: arn, Message: aws.String(`{"sqs":"x"}`), MessageStructure: aws.String("json")}, "InvalidParameter"},
		{"json structure", sns.PublishInput{TopicArn: arn, Message: aws.String(`{"default":"x","sqs":"y"}`), MessageStructure: aws.String("json")}, ""},
		{"bad attribute type", sns.PublishInput{TopicArn: arn, Message: aws.String("m"), MessageAttributes: map[string]types.MessageAttributeValue{
			"a": {DataType: aws.String("Decimal"), StringValue: aws.String("1")}}}, "InvalidParameter"},
		{"fifo without group", sns.PublishInput{TopicArn: fifo, Message: aws.String("m"), MessageDeduplicationId: aws.String("d")}, "InvalidParameter"},
		{"fifo", sns.PublishInput{TopicArn: fifo, Message: aws.String("m"), MessageGroupId: aws.String("g"), MessageDeduplicationId: aws.String("d")}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := f.sns.Publish(ctx, &tc.in)
			awssimtest.WantCode(t, err, tc.code)
			if tc.code == "" && aws.ToString(out.MessageId) == "" {
				t.Errorf("no MessageId")
			}
		})
	}
}

// assume returns an SNS client for a role in another account.
func assume(t *testing.T, f fixture, roleARN string) *sns.Client {
	t.Helper()
	cfg, _ := f.env.AssumeRole(t, f.env.Config(t, region), region, sts.AssumeRoleInput{RoleArn: aws.String(roleARN)})
	return sns.NewFromConfig(cfg)
}

// TestCrossAccountPublish: the central topic admits the organization's
// accounts through aws:PrincipalOrgID and nobody else; the default policy
// admits only the owner.
func TestCrossAccountPublish(t *testing.T) {
	f := start(t)
	ctx := context.Background()
	central := f.topic(t, "central", nil)
	_, err := f.sns.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: aws.String(central), AttributeName: aws.String("Policy"), AttributeValue: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"SNS:Publish","Resource":"` + central + `",
		"Condition":{"StringEquals":{"aws:PrincipalOrgID":"` + orgID + `"}}}]}`)})
	awssimtest.WantCode(t, err, "")
	private := f.topic(t, "private", nil)
	memberC := assume(t, f, awssimtest.AccessRoleARN(member))
	outsiderC := assume(t, f, awssimtest.RoleARN(outsider, "Partner"))
	cases := []struct {
		name   string
		c      *sns.Client
		topic  string
		code   string
		status int
	}{
		{"member to central", memberC, central, "", 200},
		{"outsider to central", outsiderC, central, "AuthorizationError", 403},
		{"member to a topic with the default policy", memberC, private, "AuthorizationError", 403},
		{"owner to a topic with the default policy", f.sns, private, "", 200},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.c.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(tc.topic), Message: aws.String("stack failed")})
			awssimtest.WantCode(t, err, tc.code)
			var ae *types.AuthorizationErrorException
			if tc.code != "" && (!errors.As(err, &ae) || awssimtest.Status(err) != tc.status) {
				t.Errorf("error %T %v, want *types.AuthorizationErrorException with %d", err, err, tc.status)
			}
		})
	}
}

// TestDeliverFromEventBridge covers the DESIGN.md fact: EventBridge can
// publish to an encrypted topic only with a customer-managed key whose
// policy lets events.amazonaws.com use it; the AWS-managed aws/sns key
// never works.
func TestDeliverFromEventBridge(t *testing.T) {
	f := start(t)
	ctx := context.Background()
	kc := kms.NewFromConfig(f.env.Config(t, region))
	key, err := kc.CreateKey(ctx, &kms.CreateKeyInput{Policy: aws.String(`{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + mgmt + `:root"},"Action":"kms:*","Resource":"*"},
		{"Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},"Action":["kms:Decrypt","kms:GenerateDataKey*"],"Resource":"*"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	plainKey, err := kc.CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	rule := "arn:aws:events:" + region + ":" + mgmt + ":rule/orgnotify-lifecycle"
	policy := func(topicARN, cond string) string {
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},"Action":"sns:Publish","Resource":"` + topicARN + `"` + cond + `}]}`
	}
	cases := []struct {
		name   string
		policy bool
		cond   string
		key    string
		code   string
	}{
		{"default policy", false, "", "", "AuthorizationError"},
		{"policy for EventBridge", true, "", "", ""},
		{"policy for this rule", true, `,"Condition":{"ArnEquals":{"aws:SourceArn":"` + rule + `"}}`, "", ""},
		{"policy for another rule", true, `,"Condition":{"ArnEquals":{"aws:SourceArn":"` + rule + `x"}}`, "", "AuthorizationError"},
		{"policy for this account", true, `,"Condition":{"StringEquals":{"aws:SourceAccount":"` + mgmt + `"}}`, "", ""},
		{"customer-managed key for EventBridge", true, "", aws.ToString(key.KeyMetadata.Arn), ""},
		{"AWS-managed aws/sns key", true, "", "alias/aws/sns", "KMSAccessDenied"},
		{"customer key with the default key policy", true, "", aws.ToString(plainKey.KeyMetadata.KeyId), "KMSAccessDenied"},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			attrs := map[string]string{}
			topicARN := "arn:aws:sns:" + region + ":" + mgmt + ":eb" + fmt.Sprint(i)
			if tc.policy {
				attrs["Policy"] = policy(topicARN, tc.cond)
			}
			if tc.key != "" {
				attrs["KmsMasterKeyId"] = tc.key
			}
			f.topic(t, "eb"+fmt.Sprint(i), attrs)
			url, qarn := f.queue(t, "eb"+fmt.Sprint(i), topicARN)
			f.subscribe(t, topicARN, qarn, nil)
			err := f.env.Sim.SNS.Deliver(ctx, handoff.Delivery{TargetARN: topicARN, Body: `{"source":"aws.organizations"}`,
				FromService: "events.amazonaws.com", SourceARN: rule, SourceAccount: mgmt})
			if awssimtest.WireCode(t, err) != tc.code {
				t.Fatalf("Deliver = %v, want code %q", err, tc.code)
			}
			want := 0
			if tc.code == "" {
				want = 1
			}
			if msgs := f.drain(t, url); len(msgs) != want {
				t.Errorf("subscriber queue got %d messages, want %d", len(msgs), want)
			}
		})
	}
}

// Audit tests: error paths of ListTopics, TagResource, SetTopicAttributes
// and ListSubscriptionsByTopic, and the stored FilterPolicyScope, that the
// other tests do not reach.

func TestAuditListTopicsErrors(t *testing.T) {
	f := start(t)
	ctx := context.Background()
	f.topic(t, "only", nil)
	out, err := f.sns.ListTopics(ctx, &sns.ListTopicsInput{})
	awssimtest.WantCode(t, err, "")
	if len(out.Topics) != 1 || aws.ToString(out.Topics[0].TopicArn) != "arn:aws:sns:"+region+":"+mgmt+":only" || out.NextToken != nil {
		t.Errorf("ListTopics = %+v next %v", out.Topics, out.NextToken)
	}
	tests := []struct{ name, token string }{
		{"not base64", "!!"},
		{"not a number", "YWJj"}, // "abc"
		{"past the end", "OTk5"}, // "999"
		{"negative", "LTE"},      // "-1"
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			awssimtest.WantCall(t, f.sns.ListTopics, &sns.ListTopicsInput{NextToken: aws.String(tt.token)}, "InvalidParameter")
		})
	}
}

func TestAuditTagResourceErrors(t *testing.T) {
	f := start(t)
	ctx := context.Background()
	arn := f.topic(t, "tagged", nil)
	tag := func(k, v string) types.Tag { return types.Tag{Key: aws.String(k), Value: aws.String(v)} }
	var fill []types.Tag
	for i := range 49 {
		fill = append(fill, tag(fmt.Sprintf("k%02d", i), "v"))
	}
	fill = append(fill, tag("keep", "original"))
	awssimtest.WantCall(t, f.sns.TagResource, &sns.TagResourceInput{ResourceArn: aws.String(arn), Tags: fill}, "")
	tagsOf := func(t *testing.T) string {
		t.Helper()
		out, err := f.sns.ListTagsForResource(ctx, &sns.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
		awssimtest.WantCode(t, err, "")
		kv := make([]string, 0, len(out.Tags))
		for _, tg := range out.Tags {
			kv = append(kv, aws.ToString(tg.Key)+"="+aws.ToString(tg.Value))
		}
		return strings.Join(kv, ",")
	}
	before := tagsOf(t)
	if n := strings.Count(before, ",") + 1; n != 50 || !strings.Contains(before, "keep=original") {
		t.Fatalf("topic has %d tags (%s), want 50 with keep=original", n, before)
	}

	tests := []struct {
		name string
		arn  string
		tags []types.Tag
		code string
	}{
		{"missing topic", arn + "-ghost", []types.Tag{tag("a", "1")}, "ResourceNotFound"},
		{"reserved aws: key", arn, []types.Tag{tag("aws:x", "1")}, "InvalidParameter"},
		{"key longer than 128", arn, []types.Tag{tag(strings.Repeat("k", 129), "1")}, "InvalidParameter"},
		{"51st tag", arn, []types.Tag{tag("extra", "1")}, "TagLimitExceeded"},
		{"51st tag with an overwrite", arn, []types.Tag{tag("keep", "changed"), tag("extra", "1")}, "TagLimitExceeded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.sns.TagResource(ctx, &sns.TagResourceInput{ResourceArn: aws.String(tt.arn), Tags: tt.tags})
			awssimtest.WantCode(t, err, tt.code)
			if got := tagsOf(t); got != before {
				t.Errorf("tags after a failed TagResource:\n got %s\nwant %s", got, before)
			}
		})
	}
	// Overwriting within the limit succeeds.
	awssimtest.WantCall(t, f.sns.TagResource, &sns.TagResourceInput{ResourceArn: aws.String(arn), Tags: []types.Tag{tag("keep", "changed")}}, "")
	if got := tagsOf(t); !strings.Contains(got, "keep=changed") || strings.Count(got, ",") != 49 {
		t.Errorf("tags after an overwrite = %s", got)
	}
}

func TestAuditSetTopicAttributesErrors(t *testing.T) {
	f := start(t)
	ctx := context.Background()
	arn := f.topic(t, "attrs", map[string]string{"DisplayName": "before", "KmsMasterKeyId": "alias/orgnotify"})
	tests := []struct {
		name, topic, attr, value, code string
	}{
		{"missing topic", arn + "-ghost", "DisplayName", "x", "NotFound"},
		{"display name of 101 characters", arn, "DisplayName", strings.Repeat("d", 101), "InvalidParameter"},
		{"empty policy", arn, "Policy", "", "InvalidParameter"},
		{"policy that is not JSON", arn, "Policy", "{", "InvalidParameter"},
		{"FifoTopic after creation", arn, "FifoTopic", "true", "InvalidParameter"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.sns.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: aws.String(tt.topic),
				AttributeName: aws.String(tt.attr), AttributeValue: aws.String(tt.value)})
			awssimtest.WantCode(t, err, tt.code)
		})
	}
	got, err := f.sns.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(arn)})
	awssimtest.WantCode(t, err, "")
	if got.Attributes["DisplayName"] != "before" || got.Attributes["KmsMasterKeyId"] != "alias/orgnotify" {
		t.Errorf("attributes after failed sets: DisplayName %q KmsMasterKeyId %q", got.Attributes["DisplayName"], got.Attributes["KmsMasterKeyId"])
	}

	// An empty KmsMasterKeyId turns encryption off.
	awssimtest.WantCall(t, f.sns.SetTopicAttributes, &sns.SetTopicAttributesInput{TopicArn: aws.String(arn), AttributeName: aws.String("KmsMasterKeyId"), AttributeValue: aws.String("")}, "")
	got, err = f.sns.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(arn)})
	awssimtest.WantCode(t, err, "")
	if v, ok := got.Attributes["KmsMasterKeyId"]; ok {
		t.Errorf("KmsMasterKeyId after clearing = %q, want absent", v)
	}
}

// TestCreateTopicTagLimit: CreateTopic takes 50 tags and refuses 51 without
// creating the topic.
func TestCreateTopicTagLimit(t *testing.T) {
	f := start(t)
	ctx := context.Background()
	var tags []types.Tag
	for i := range 51 {
		tags = append(tags, types.Tag{Key: aws.String(fmt.Sprintf("k%02d", i)), Value: aws.String("v")})
	}
	awssimtest.WantCall(t, f.sns.CreateTopic, &sns.CreateTopicInput{Name: aws.String("fifty"), Tags: tags[:50]}, "")
	awssimtest.WantCall(t, f.sns.CreateTopic, &sns.CreateTopicInput{Name: aws.String("fifty-one"), Tags: tags}, "TagLimitExceeded")
	_, err := f.sns.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String("arn:aws:sns:" + region + ":" + mgmt + ":fifty-one")})
	awssimtest.WantCode(t, err, "NotFound")
}
