package sns_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/orgnotify/orgnotify/internal/awssim/awssimtest"
)

// listed returns the SubscriptionArn the topic's list shows per endpoint.
func listed(t *testing.T, f fixture, topic string) map[string]string {
	t.Helper()
	out, err := f.sns.ListSubscriptionsByTopic(context.Background(), &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(topic)})
	awssimtest.WantCode(t, err, "")
	m := map[string]string{}
	for _, s := range out.Subscriptions {
		m[aws.ToString(s.Endpoint)] = aws.ToString(s.SubscriptionArn)
	}
	return m
}

func confirm(t *testing.T, f fixture, topic, endpoint string) (int, string) {
	t.Helper()
	b, _ := json.Marshal(map[string]string{"topicArn": topic, "endpoint": endpoint})
	resp, err := http.Post(f.env.URL+"/_awssim/sns/confirm", "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		SubscriptionArn string `json:"subscriptionArn"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out.SubscriptionArn
}

// TestPendingSubscriptions is W6: email and HTTPS subscriptions wait for
// confirmation (no ARN in the list, attributes unreadable through it),
// expire 48 hours after creation unless confirmed, and a second Subscribe
// with different attributes is refused.
func TestPendingSubscriptions(t *testing.T) {
	ctx := context.Background()
	f := start(t)
	start := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	var offset atomic.Int64
	f.env.Sim.SetClock(func() time.Time { return start.Add(time.Duration(offset.Load())) })
	topic := f.topic(t, "orgnotify-events", nil)
	const filter = `{"account":["222222222222"]}`
	sub := func(protocol, endpoint string, returnARN bool, filterPolicy string) (string, error) {
		in := &sns.SubscribeInput{TopicArn: aws.String(topic), Protocol: aws.String(protocol), Endpoint: aws.String(endpoint), ReturnSubscriptionArn: returnARN}
		if filterPolicy != "" {
			in.Attributes = map[string]string{"FilterPolicy": filterPolicy, "FilterPolicyScope": "MessageBody"}
		}
		out, err := f.sns.Subscribe(ctx, in)
		if err != nil {
			return "", err
		}
		return aws.ToString(out.SubscriptionArn), nil
	}

	got, err := sub("email", "sre@example.com", false, filter)
	awssimtest.WantCode(t, err, "")
	if got != "pending confirmation" {
		t.Fatalf("Subscribe email = %q, want pending confirmation", got)
	}
	hookARN, err := sub("https", "https://hooks.example.com/sns", true, "")
	awssimtest.WantCode(t, err, "")
	if len(hookARN) < len(topic) || hookARN[:len(topic)] != topic {
		t.Fatalf("Subscribe with ReturnSubscriptionArn = %q, want an ARN under the topic", hookARN)
	}
	if l := listed(t, f, topic); l["sre@example.com"] != "PendingConfirmation" || l["https://hooks.example.com/sns"] != "PendingConfirmation" {
		t.Fatalf("list = %v, want both PendingConfirmation", l)
	}
	awssimtest.WantCall(t, f.sns.GetSubscriptionAttributes, &sns.GetSubscriptionAttributesInput{SubscriptionArn: aws.String("PendingConfirmation")}, "InvalidParameter")
	attrs, err := f.sns.GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: aws.String(hookARN)})
	awssimtest.WantCode(t, err, "")
	if attrs.Attributes["PendingConfirmation"] != "true" {
		t.Fatalf("PendingConfirmation = %q, want true", attrs.Attributes["PendingConfirmation"])
	}

	// Re-subscribing: same attributes give the same subscription, others fail.
	again, err := sub("https", "https://hooks.example.com/sns", true, "")
	awssimtest.WantCode(t, err, "")
	if again != hookARN {
		t.Fatalf("same Subscribe again = %q, want %q", again, hookARN)
	}
	_, err = sub("email", "sre@example.com", false, `{"account":["333333333333"]}`)
	awssimtest.WantCode(t, err, "InvalidParameter")
	if n := len(listed(t, f, topic)); n != 2 {
		t.Fatalf("%d subscriptions, want 2", n)
	}

	// The admin endpoint confirms one; the other expires after 48 hours.
	if code, arn := confirm(t, f, topic, "sre@example.com"); code != http.StatusOK || arn == "" {
		t.Fatalf("confirm = %d %q", code, arn)
	}
	if code, _ := confirm(t, f, topic, "nobody@example.com"); code != http.StatusNotFound {
		t.Fatalf("confirm of an unknown endpoint = %d, want 404", code)
	}
	offset.Store(int64(48*time.Hour - time.Second))
	if l := listed(t, f, topic); len(l) != 2 || l["sre@example.com"] == "PendingConfirmation" {
		t.Fatalf("just before 48 h: %v", l)
	}
	offset.Store(int64(48 * time.Hour))
	l := listed(t, f, topic)
	if _, ok := l["https://hooks.example.com/sns"]; ok || len(l) != 1 {
		t.Fatalf("after 48 h: %v, want only the confirmed email", l)
	}
	awssimtest.WantCall(t, f.sns.GetSubscriptionAttributes, &sns.GetSubscriptionAttributesInput{SubscriptionArn: aws.String(hookARN)}, "NotFound")
	if code, _ := confirm(t, f, topic, "https://hooks.example.com/sns"); code != http.StatusNotFound {
		t.Fatalf("confirm after expiry = %d, want 404", code)
	}

	// SQS subscriptions are confirmed at once.
	_, qarn := f.queue(t, "q", topic)
	arn, err := sub("sqs", qarn, false, "")
	awssimtest.WantCode(t, err, "")
	if arn == "pending confirmation" {
		t.Fatal("an SQS subscription is pending")
	}
}
