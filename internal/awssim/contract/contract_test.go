package contract

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/orgnotify/orgnotify/internal/awssim/awssimtest"
)

// createQueue creates the queue name on the target and returns its URL.
func (tg target) createQueue(t *testing.T, name string) *string {
	t.Helper()
	out, err := tg.sqs.CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String(name)})
	awssimtest.Must(t, err, "CreateQueue "+name)
	return out.QueueUrl
}

// createTopic creates the topic name on the target and returns its ARN.
func (tg target) createTopic(t *testing.T, name string) *string {
	t.Helper()
	out, err := tg.sns.CreateTopic(context.Background(), &sns.CreateTopicInput{Name: aws.String(name)})
	awssimtest.Must(t, err, "CreateTopic "+name)
	return out.TopicArn
}

// queueArn is the ARN of a queue of the target's account.
func queueArn(tg target, name string) string {
	return "arn:aws:sqs:" + region + ":" + tg.account + ":" + name
}

func TestSQSMessageRoundTrip(t *testing.T) {
	forEachTarget(t, func(t *testing.T, tg target) {
		ctx, c := context.Background(), tg.sqs
		created := tg.createQueue(t, "contract-work")
		url := aws.ToString(created)
		if !strings.HasSuffix(url, "/"+tg.account+"/contract-work") {
			t.Errorf("QueueUrl = %s, want .../%s/contract-work", url, tg.account)
		}
		again := tg.createQueue(t, "contract-work")
		if aws.ToString(again) != url {
			t.Errorf("second CreateQueue URL = %s, want %s", aws.ToString(again), url)
		}
		got, err := c.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("contract-work")})
		awssimtest.Must(t, err, "GetQueueUrl")
		if aws.ToString(got.QueueUrl) != url {
			t.Errorf("GetQueueUrl = %s, want %s", aws.ToString(got.QueueUrl), url)
		}

		bodies := []string{`{"detail-type":"AWS API Call via CloudTrail"}`, "plain text", "unicode: ✓ ü"}
		for _, b := range bodies {
			// The SDK checks MD5OfMessageBody itself and fails the call on
			// a mismatch.
			out, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(b)})
			awssimtest.Must(t, err, "SendMessage")
			if aws.ToString(out.MessageId) == "" {
				t.Errorf("SendMessage returned no MessageId")
			}
		}

		seen := map[string]bool{}
		for range 3 {
			out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
			awssimtest.Must(t, err, "ReceiveMessage")
			for _, m := range out.Messages {
				seen[aws.ToString(m.Body)] = true
				_, err := c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle})
				awssimtest.Must(t, err, "DeleteMessage")
			}
			if len(seen) == len(bodies) {
				break
			}
		}
		for _, b := range bodies {
			if !seen[b] {
				t.Errorf("message %q was not received", b)
			}
		}
		out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10})
		awssimtest.Must(t, err, "ReceiveMessage after delete")
		if len(out.Messages) != 0 {
			t.Errorf("%d messages left after deleting all", len(out.Messages))
		}
	})
}

func TestSQSMessageAttributes(t *testing.T) {
	forEachTarget(t, func(t *testing.T, tg target) {
		ctx, c := context.Background(), tg.sqs
		created := tg.createQueue(t, "contract-attrs")
		sent, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: created, MessageBody: aws.String("m"),
			MessageAttributes: map[string]sqstypes.MessageAttributeValue{
				"kind":  {DataType: aws.String("String"), StringValue: aws.String("lifecycle")},
				"count": {DataType: aws.String("Number"), StringValue: aws.String("3")},
			}})
		awssimtest.Must(t, err, "SendMessage")
		out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: created, MessageAttributeNames: []string{"All"},
			MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameAll}})
		awssimtest.Must(t, err, "ReceiveMessage")
		if len(out.Messages) != 1 {
			t.Fatalf("%d messages, want 1", len(out.Messages))
		}
		m := out.Messages[0]
		if aws.ToString(m.MessageAttributes["kind"].StringValue) != "lifecycle" || aws.ToString(m.MessageAttributes["count"].StringValue) != "3" {
			t.Errorf("message attributes = %+v", m.MessageAttributes)
		}
		// Both compute the documented MD5 of message attributes.
		if aws.ToString(m.MD5OfMessageAttributes) != aws.ToString(sent.MD5OfMessageAttributes) {
			t.Errorf("MD5OfMessageAttributes: receive %s, send %s", aws.ToString(m.MD5OfMessageAttributes), aws.ToString(sent.MD5OfMessageAttributes))
		}
		if m.Attributes["ApproximateReceiveCount"] != "1" || m.Attributes["SentTimestamp"] == "" {
			t.Errorf("system attributes = %v", m.Attributes)
		}
	})
}

func TestSQSMissingQueue(t *testing.T) {
	forEachTarget(t, func(t *testing.T, tg target) {
		ctx, c := context.Background(), tg.sqs
		_, err := c.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("contract-missing")})
		// AWS sends the JSON __type QueueDoesNotExist, which the SDK turns
		// into its typed error; goaws sends only the query code, so callers
		// get a generic API error with the same ErrorCode.
		var missing *sqstypes.QueueDoesNotExist
		if typed := errors.As(err, &missing); typed == tg.goaws {
			t.Errorf("GetQueueUrl of a missing queue: %T %v; typed *types.QueueDoesNotExist = %v, want %v", err, err, typed, !tg.goaws)
		}
		if got := awssimtest.Code(t, err); got != "AWS.SimpleQueueService.NonExistentQueue" {
			t.Errorf("error code = %s, want AWS.SimpleQueueService.NonExistentQueue", got)
		}
	})
}

func TestSNSSubscribeAndList(t *testing.T) {
	forEachTarget(t, func(t *testing.T, tg target) {
		ctx, c := context.Background(), tg.sns
		topic := tg.createTopic(t, "contract-events")
		arn := aws.ToString(topic)
		if arn != "arn:aws:sns:"+region+":"+tg.account+":contract-events" {
			t.Errorf("TopicArn = %s", arn)
		}
		again := tg.createTopic(t, "contract-events")
		if aws.ToString(again) != arn {
			t.Errorf("second CreateTopic = %s, want %s", aws.ToString(again), arn)
		}
		sub, err := c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(arn), Protocol: aws.String("sqs"),
			Endpoint: aws.String(queueArn(tg, "contract-sub")), ReturnSubscriptionArn: true})
		awssimtest.Must(t, err, "Subscribe")
		subARN := aws.ToString(sub.SubscriptionArn)
		if !strings.HasPrefix(subARN, arn+":") {
			t.Errorf("SubscriptionArn = %s, want one under %s", subARN, arn)
		}
		list, err := c.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(arn)})
		awssimtest.Must(t, err, "ListSubscriptionsByTopic")
		if len(list.Subscriptions) != 1 {
			t.Fatalf("%d subscriptions, want 1", len(list.Subscriptions))
		}
		s := list.Subscriptions[0]
		if aws.ToString(s.SubscriptionArn) != subARN || aws.ToString(s.Protocol) != "sqs" || aws.ToString(s.Endpoint) != queueArn(tg, "contract-sub") || aws.ToString(s.TopicArn) != arn {
			t.Errorf("subscription = %+v", s)
		}
		topics, err := c.ListTopics(ctx, &sns.ListTopicsInput{})
		awssimtest.Must(t, err, "ListTopics")
		if len(topics.Topics) != 1 || aws.ToString(topics.Topics[0].TopicArn) != arn {
			t.Errorf("ListTopics = %+v", topics.Topics)
		}
	})
}

// TestSNSTopicAttributes records a known gap: goaws v0.5.4 has no
// GetTopicAttributes or SetTopicAttributes.
func TestSNSTopicAttributes(t *testing.T) {
	forEachTarget(t, func(t *testing.T, tg target) {
		ctx, c := context.Background(), tg.sns
		topic := tg.createTopic(t, "contract-attrs")
		_, setErr := c.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: topic,
			AttributeName: aws.String("DisplayName"), AttributeValue: aws.String("orgnotify")})
		out, getErr := c.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: topic})
		if tg.goaws {
			// goaws answers an unknown action with a plain-text 400.
			if setErr == nil || getErr == nil {
				t.Errorf("goaws now implements topic attributes (set: %v, get: %v): update DIFFERENCES.md", setErr, getErr)
			}
			return
		}
		awssimtest.Must(t, setErr, "SetTopicAttributes")
		awssimtest.Must(t, getErr, "GetTopicAttributes")
		if out.Attributes["DisplayName"] != "orgnotify" || out.Attributes["TopicArn"] != aws.ToString(topic) {
			t.Errorf("attributes = %v", out.Attributes)
		}
	})
}

// notification is the part of the SNS envelope both implementations must
// get right for orgnotify's digest drain.
type notification struct {
	Type      string
	MessageID string `json:"MessageId"`
	TopicArn  string
	Subject   string
	Message   string
	Timestamp string
}

func TestSNSPublishToSQS(t *testing.T) {
	forEachTarget(t, func(t *testing.T, tg target) {
		ctx, sn, sq := context.Background(), tg.sns, tg.sqs
		topic := tg.createTopic(t, "contract-fanout")
		topicARN := aws.ToString(topic)
		// AWS (and awssim) deliver only when the queue policy lets the
		// topic send. goaws ignores policies and, over the JSON protocol,
		// refuses the Policy attribute itself (it decodes it as an object
		// where AWS sends a string): see DIFFERENCES.md.
		allow := func(url *string, name string) {
			t.Helper()
			policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"sqs:SendMessage",` +
				`"Resource":"` + queueArn(tg, name) + `","Condition":{"ArnEquals":{"aws:SourceArn":"` + topicARN + `"}}}]}`
			_, err := sq.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: url, Attributes: map[string]string{"Policy": policy}})
			want := ""
			if tg.goaws {
				want = "AWS.SimpleQueueService.InvalidParameterValue"
			}
			if got := awssimtest.Code(t, err); got != want {
				t.Fatalf("SetQueueAttributes Policy: error %v, want code %q", err, want)
			}
		}
		q := tg.createQueue(t, "contract-fanout")
		allow(q, "contract-fanout")
		rawQ := tg.createQueue(t, "contract-raw")
		allow(rawQ, "contract-raw")

		_, err := sn.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic, Protocol: aws.String("sqs"), Endpoint: aws.String(queueArn(tg, "contract-fanout"))})
		awssimtest.Must(t, err, "Subscribe")
		_, err = sn.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic, Protocol: aws.String("sqs"), Endpoint: aws.String(queueArn(tg, "contract-raw")),
			Attributes: map[string]string{"RawMessageDelivery": "true"}})
		awssimtest.Must(t, err, "Subscribe raw")

		const body = `{"source":"aws.organizations","detail":{"eventName":"CreateAccountResult"}}`
		pub, err := sn.Publish(ctx, &sns.PublishInput{TopicArn: topic, Message: aws.String(body), Subject: aws.String("New account")})
		awssimtest.Must(t, err, "Publish")

		receive := func(url *string) string {
			t.Helper()
			out, err := sq.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: url, WaitTimeSeconds: 1})
			awssimtest.Must(t, err, "ReceiveMessage")
			if len(out.Messages) != 1 {
				t.Fatalf("queue %s: %d messages, want 1", aws.ToString(url), len(out.Messages))
			}
			return aws.ToString(out.Messages[0].Body)
		}
		var n notification
		if err := json.Unmarshal([]byte(receive(q)), &n); err != nil {
			t.Fatalf("enveloped message is not JSON: %v", err)
		}
		if n.Type != "Notification" || n.TopicArn != topicARN || n.Message != body || n.Subject != "New account" || n.MessageID == "" {
			t.Errorf("envelope = %+v", n)
		}
		// In AWS the envelope's MessageId is the one Publish returned
		// (orgnotify deduplicates by it); goaws makes up another one.
		if same := n.MessageID == aws.ToString(pub.MessageId); same == tg.goaws {
			t.Errorf("envelope MessageId %s, Publish MessageId %s: equal = %v, want %v", n.MessageID, aws.ToString(pub.MessageId), same, !tg.goaws)
		}
		if _, err := time.Parse(time.RFC3339, n.Timestamp); err != nil {
			t.Errorf("envelope Timestamp %q: %v", n.Timestamp, err)
		}
		if got := receive(rawQ); got != body {
			t.Errorf("raw delivery body = %s, want %s", got, body)
		}
	})
}

// TestSNSPublishRespectsQueuePolicy: AWS drops a delivery the queue policy
// does not allow; goaws delivers regardless.
func TestSNSPublishRespectsQueuePolicy(t *testing.T) {
	forEachTarget(t, func(t *testing.T, tg target) {
		ctx, sn, sq := context.Background(), tg.sns, tg.sqs
		topic := tg.createTopic(t, "contract-closed")
		q := tg.createQueue(t, "contract-closed")
		_, err := sn.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic, Protocol: aws.String("sqs"), Endpoint: aws.String(queueArn(tg, "contract-closed"))})
		awssimtest.Must(t, err, "Subscribe")
		_, err = sn.Publish(ctx, &sns.PublishInput{TopicArn: topic, Message: aws.String("m")})
		awssimtest.Must(t, err, "Publish")
		out, err := sq.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q, WaitTimeSeconds: 1})
		awssimtest.Must(t, err, "ReceiveMessage")
		want := 0 // AWS: no queue policy, no delivery
		if tg.goaws {
			want = 1 // goaws does not evaluate queue policies
		}
		if len(out.Messages) != want {
			t.Errorf("%d messages delivered without a queue policy, want %d", len(out.Messages), want)
		}
	})
}

// TestSNSHTTPSubscriptionConfirmation: an http(s) subscription waits for
// confirmation in both; goaws POSTs a SubscriptionConfirmation to the
// endpoint (so only a local server is used), awssim sends nothing and
// exposes the token to tests instead.
func TestSNSHTTPSubscriptionConfirmation(t *testing.T) {
	forEachTarget(t, func(t *testing.T, tg target) {
		ctx := context.Background()
		var mu sync.Mutex
		var posts []map[string]any
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			var m map[string]any
			_ = json.Unmarshal(b, &m)
			mu.Lock()
			posts = append(posts, m)
			mu.Unlock()
		}))
		defer srv.Close()
		c := tg.sns
		topic := tg.createTopic(t, "contract-http")
		sub, err := c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic, Protocol: aws.String("http"), Endpoint: aws.String(srv.URL + "/sns")})
		awssimtest.Must(t, err, "Subscribe")
		got := aws.ToString(sub.SubscriptionArn)
		if tg.goaws {
			// goaws confirms http subscriptions itself and returns the ARN.
			if !strings.HasPrefix(got, aws.ToString(topic)+":") {
				t.Errorf("goaws SubscriptionArn = %q", got)
			}
		} else if got != "pending confirmation" {
			t.Errorf("SubscriptionArn = %q, want \"pending confirmation\" (AWS without ReturnSubscriptionArn)", got)
		}
		deadline := time.Now().Add(2 * time.Second)
		for time.Now().Before(deadline) {
			mu.Lock()
			n := len(posts)
			mu.Unlock()
			if n > 0 || !tg.goaws {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		mu.Lock()
		defer mu.Unlock()
		if tg.goaws {
			if len(posts) == 0 || posts[0]["Type"] != "SubscriptionConfirmation" {
				t.Errorf("goaws posted %v, want a SubscriptionConfirmation", posts)
			}
		} else if len(posts) != 0 {
			t.Errorf("awssim posted %v to the endpoint, want nothing", posts)
		}
	})
}
