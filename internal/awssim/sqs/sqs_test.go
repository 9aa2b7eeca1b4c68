package sqs_test

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/orgnotify/orgnotify/internal/awssim/awssimtest"
	"github.com/orgnotify/orgnotify/internal/awssim/handoff"
	"github.com/orgnotify/orgnotify/internal/awssim/org"
)

const (
	mgmt   = "111111111111"
	member = "222222222222"
	region = "eu-west-1"
)

// clock is a settable time source shared by the router and the store.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

type fixture struct {
	env   *awssimtest.Env
	c     *sqs.Client
	clock *clock
}

func start(t *testing.T) fixture {
	t.Helper()
	env := awssimtest.StartOrg(t, mgmt, org.Account{ID: member, Name: "payments"})
	clk := &clock{now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	env.Sim.SetClock(clk.Now)
	env.Sim.SQS.SetClock(clk.Now)
	return fixture{env: env, c: sqs.NewFromConfig(env.Config(t, region)), clock: clk}
}

func (f fixture) queue(t *testing.T, name string, attrs map[string]string) string {
	t.Helper()
	out, err := f.c.CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
	awssimtest.WantCode(t, err, "")
	return aws.ToString(out.QueueUrl)
}

func (f fixture) attrs(t *testing.T, url string, names ...types.QueueAttributeName) map[string]string {
	t.Helper()
	if len(names) == 0 {
		names = []types.QueueAttributeName{types.QueueAttributeNameAll}
	}
	out, err := f.c.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url), AttributeNames: names})
	awssimtest.WantCode(t, err, "")
	return out.Attributes
}

func TestCreateQueue(t *testing.T) {
	f := start(t)
	ctx := context.Background()
	f.queue(t, "existing", map[string]string{"VisibilityTimeout": "60"})
	cases := []struct {
		name  string
		queue string
		attrs map[string]string
		code  string
	}{
		{"plain name", "orgnotify-digest", nil, ""},
		{"80 characters", strings.Repeat("q", 80), nil, ""},
		{"81 characters", strings.Repeat("q", 81), nil, "InvalidParameterValue"},
		{"empty name", "", nil, "MissingParameter"},
		{"dot in name", "a.b", nil, "InvalidParameterValue"},
		{"fifo", "orders.fifo", map[string]string{"FifoQueue": "true"}, ""},
		{"fifo suffix without attribute", "jobs.fifo", nil, "InvalidParameterValue"},
		{"fifo attribute without suffix", "jobs", map[string]string{"FifoQueue": "true"}, "InvalidParameterValue"},
		{"same attributes again", "existing", map[string]string{"VisibilityTimeout": "60"}, ""},
		{"default value matches", "existing", map[string]string{"DelaySeconds": "0"}, ""},
		{"different attributes", "existing", map[string]string{"VisibilityTimeout": "30"}, "QueueAlreadyExists"},
		{"unknown attribute", "q1", map[string]string{"Colour": "blue"}, "InvalidAttributeName"},
		{"read-only attribute", "q1", map[string]string{"QueueArn": "x"}, "InvalidAttributeName"},
		{"fifo attribute on standard queue", "q1", map[string]string{"ContentBasedDeduplication": "true"}, "InvalidAttributeName"},
		{"visibility out of range", "q1", map[string]string{"VisibilityTimeout": "43201"}, "InvalidAttributeValue"},
		{"retention too short", "q1", map[string]string{"MessageRetentionPeriod": "59"}, "InvalidAttributeValue"},
		{"invalid policy", "q1", map[string]string{"Policy": `{"Statement":"nope"}`}, "InvalidAttributeValue"},
		{"both kinds of SSE", "q1", map[string]string{"KmsMasterKeyId": "alias/aws/sqs", "SqsManagedSseEnabled": "true"}, "InvalidAttributeName"},
		{"redrive to missing queue", "q1", map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:eu-west-1:111111111111:nope","maxReceiveCount":3}`}, "InvalidParameterValue"},
		{"redrive count out of range", "q1", map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:eu-west-1:111111111111:existing","maxReceiveCount":0}`}, "InvalidAttributeValue"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := f.c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(tc.queue), Attributes: tc.attrs})
			awssimtest.WantCode(t, err, tc.code)
			if tc.code != "" {
				return
			}
			want := f.env.URL[len("http://"):] + "/" + mgmt + "/" + tc.queue
			if got := aws.ToString(out.QueueUrl); got != "http://"+want {
				t.Errorf("QueueUrl = %s, want http://%s", got, want)
			}
		})
	}

	// The JSON error type selects the SDK's typed error, the query code is
	// what ErrorCode reports.
	_, err := f.c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("existing"), Attributes: map[string]string{"DelaySeconds": "5"}})
	var exists *types.QueueNameExists
	if !errors.As(err, &exists) {
		t.Errorf("different attributes: error %T %v, want *types.QueueNameExists", err, err)
	}
}

func TestQueueAttributes(t *testing.T) {
	f := start(t)
	ctx := context.Background()
	url := f.queue(t, "attrs", map[string]string{"DelaySeconds": "5"})
	all := f.attrs(t, url)
	want := map[string]string{
		"QueueArn":                              "arn:aws:sqs:" + region + ":" + mgmt + ":attrs",
		"ApproximateNumberOfMessages":           "0",
		"ApproximateNumberOfMessagesNotVisible": "0",
		"ApproximateNumberOfMessagesDelayed":    "0",
		"CreatedTimestamp":                      strconv.FormatInt(f.clock.Now().Unix(), 10),
		"VisibilityTimeout":                     "30",
		"MaximumMessageSize":                    "262144",
		"MessageRetentionPeriod":                "345600",
		"DelaySeconds":                          "5",
		"ReceiveMessageWaitTimeSeconds":         "0",
		"SqsManagedSseEnabled":                  "true",
	}
	for k, v := range want {
		if all[k] != v {
			t.Errorf("attribute %s = %q, want %q", k, all[k], v)
		}
	}
	if _, ok := all["Policy"]; ok {
		t.Errorf("Policy is reported although none is set")
	}

	f.clock.Advance(time.Minute)
	_, err := f.c.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(url), Attributes: map[string]string{
		"KmsMasterKeyId": "alias/orgnotify", "VisibilityTimeout": "120"}})
	awssimtest.WantCode(t, err, "")
	got := f.attrs(t, url, types.QueueAttributeNameKmsMasterKeyId, types.QueueAttributeNameSqsManagedSseEnabled,
		types.QueueAttributeNameVisibilityTimeout, types.QueueAttributeNameLastModifiedTimestamp)
	if got["KmsMasterKeyId"] != "alias/orgnotify" || got["SqsManagedSseEnabled"] != "false" || got["VisibilityTimeout"] != "120" ||
		got["LastModifiedTimestamp"] != strconv.FormatInt(f.clock.Now().Unix(), 10) || len(got) != 4 {
		t.Errorf("named attributes after SetQueueAttributes = %v", got)
	}

	errCases := []struct {
		name  string
		call  func() error
		code  string
		typed any
	}{
		{"unknown name in GetQueueAttributes", awssimtest.Call(ctx, f.c.GetQueueAttributes, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url), AttributeNames: []types.QueueAttributeName{"Nope"}}), "InvalidAttributeName", new(*types.InvalidAttributeName)},
		{"FifoQueue cannot be set later", awssimtest.Call(ctx, f.c.SetQueueAttributes, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(url), Attributes: map[string]string{"FifoQueue": "true"}}), "InvalidAttributeName", nil},
		{"missing queue", awssimtest.Call(ctx, f.c.GetQueueAttributes, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(f.env.URL + "/" + mgmt + "/ghost")}), "AWS.SimpleQueueService.NonExistentQueue", new(*types.QueueDoesNotExist)},
		{"queue of another region", func() error {
			other := sqs.NewFromConfig(f.env.Config(t, "us-east-1"))
			_, err := other.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url)})
			return err
		}, "AWS.SimpleQueueService.NonExistentQueue", nil},
		{"malformed URL", awssimtest.Call(ctx, f.c.GetQueueAttributes, &sqs.GetQueueAttributesInput{QueueUrl: aws.String("not-a-url")}), "InvalidAddress", nil},
	}
	for _, tc := range errCases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			awssimtest.WantCode(t, err, tc.code)
			if awssimtest.Status(err) != 400 {
				t.Errorf("HTTP status: %v, want 400", err)
			}
			switch target := tc.typed.(type) {
			case **types.InvalidAttributeName:
				if !errors.As(err, target) {
					t.Errorf("error %T is not *types.InvalidAttributeName", err)
				}
			case **types.QueueDoesNotExist:
				if !errors.As(err, target) {
					t.Errorf("error %T is not *types.QueueDoesNotExist", err)
				}
			}
		})
	}
}

func TestGetQueueURLAndList(t *testing.T) {
	f := start(t)
	ctx := context.Background()
	for _, n := range []string{"orgnotify-a", "orgnotify-b", "orgnotify-c", "other"} {
		f.queue(t, n, nil)
	}
	out, err := f.c.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("orgnotify-b")})
	awssimtest.WantCode(t, err, "")
	if got := aws.ToString(out.QueueUrl); !strings.HasSuffix(got, "/"+mgmt+"/orgnotify-b") {
		t.Errorf("GetQueueUrl = %s", got)
	}
	awssimtest.WantCall(t, f.c.GetQueueUrl, &sqs.GetQueueUrlInput{QueueName: aws.String("orgnotify-b"), QueueOwnerAWSAccountId: aws.String(member)}, "AWS.SimpleQueueService.NonExistentQueue")

	cases := []struct {
		name   string
		prefix string
		max    *int32
		want   [][]string // pages
	}{
		{"all", "", nil, [][]string{{"orgnotify-a", "orgnotify-b", "orgnotify-c", "other"}}},
		{"prefix", "orgnotify-", nil, [][]string{{"orgnotify-a", "orgnotify-b", "orgnotify-c"}}},
		{"pages of two", "orgnotify-", aws.Int32(2), [][]string{{"orgnotify-a", "orgnotify-b"}, {"orgnotify-c"}}},
		{"no match", "zzz", nil, [][]string{nil}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := &sqs.ListQueuesInput{QueueNamePrefix: aws.String(tc.prefix), MaxResults: tc.max}
			for i, want := range tc.want {
				page, err := f.c.ListQueues(ctx, in)
				awssimtest.WantCode(t, err, "")
				var names []string
				for _, u := range page.QueueUrls {
					names = append(names, u[strings.LastIndex(u, "/")+1:])
				}
				if strings.Join(names, ",") != strings.Join(want, ",") {
					t.Errorf("page %d = %v, want %v", i, names, want)
				}
				last := i == len(tc.want)-1
				if last != (page.NextToken == nil) {
					t.Fatalf("page %d NextToken = %v", i, page.NextToken)
				}
				in.NextToken = page.NextToken
			}
		})
	}
}

func TestDeleteAndPurgeQueue(t *testing.T) {
	f := start(t)
	url := f.queue(t, "gone", nil)
	awssimtest.WantCall(t, f.c.SendMessage, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("x")}, "")
	awssimtest.WantCall(t, f.c.PurgeQueue, &sqs.PurgeQueueInput{QueueUrl: aws.String(url)}, "")
	if n := f.attrs(t, url)["ApproximateNumberOfMessages"]; n != "0" {
		t.Errorf("messages after purge = %s", n)
	}
	awssimtest.WantCall(t, f.c.PurgeQueue, &sqs.PurgeQueueInput{QueueUrl: aws.String(url)}, "AWS.SimpleQueueService.PurgeQueueInProgress")

	awssimtest.WantCall(t, f.c.DeleteQueue, &sqs.DeleteQueueInput{QueueUrl: aws.String(url)}, "")
	awssimtest.WantCall(t, f.c.DeleteQueue, &sqs.DeleteQueueInput{QueueUrl: aws.String(url)}, "AWS.SimpleQueueService.NonExistentQueue")
	awssimtest.WantCall(t, f.c.CreateQueue, &sqs.CreateQueueInput{QueueName: aws.String("gone")}, "AWS.SimpleQueueService.QueueDeletedRecently")
	f.clock.Advance(61 * time.Second)
	f.queue(t, "gone", nil)
}

func TestTags(t *testing.T) {
	f := start(t)
	ctx := context.Background()
	out, err := f.c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("tagged"), Tags: map[string]string{"orgnotify:owned": "true", "team": "sre"}})
	awssimtest.WantCode(t, err, "")
	url := out.QueueUrl
	awssimtest.WantCall(t, f.c.TagQueue, &sqs.TagQueueInput{QueueUrl: url, Tags: map[string]string{"team": "platform", "env": "prod"}}, "")
	awssimtest.WantCall(t, f.c.UntagQueue, &sqs.UntagQueueInput{QueueUrl: url, TagKeys: []string{"env", "absent"}}, "")
	tags, err := f.c.ListQueueTags(ctx, &sqs.ListQueueTagsInput{QueueUrl: url})
	awssimtest.WantCode(t, err, "")
	if len(tags.Tags) != 2 || tags.Tags["orgnotify:owned"] != "true" || tags.Tags["team"] != "platform" {
		t.Errorf("tags = %v", tags.Tags)
	}
	awssimtest.WantCall(t, f.c.TagQueue, &sqs.TagQueueInput{QueueUrl: url, Tags: map[string]string{"aws:reserved": "x"}}, "InvalidParameterValue")
}

func TestMessageLifecycle(t *testing.T) {
	f := start(t)
	ctx := context.Background()
	url := aws.String(f.queue(t, "work", nil))
	sent, err := f.c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: url, MessageBody: aws.String(`{"event":"CreateAccountResult"}`),
		MessageAttributes: map[string]types.MessageAttributeValue{
			"kind":  {DataType: aws.String("String"), StringValue: aws.String("lifecycle")},
			"count": {DataType: aws.String("Number"), StringValue: aws.String("3")},
			"blob":  {DataType: aws.String("Binary"), BinaryValue: []byte{1, 2, 3}},
		}})
	awssimtest.WantCode(t, err, "")
	// The SDK has already checked MD5OfMessageBody; the attribute digest is
	// the documented algorithm's.
	if aws.ToString(sent.MD5OfMessageAttributes) == "" || aws.ToString(sent.MessageId) == "" {
		t.Fatalf("SendMessage = %+v", sent)
	}

	receive := func(in *sqs.ReceiveMessageInput) []types.Message {
		t.Helper()
		in.QueueUrl = url
		out, err := f.c.ReceiveMessage(ctx, in)
		awssimtest.WantCode(t, err, "")
		return out.Messages
	}
	all := []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAll}

	first := receive(&sqs.ReceiveMessageInput{MessageSystemAttributeNames: all, MessageAttributeNames: []string{"All"}})
	if len(first) != 1 {
		t.Fatalf("first receive: %d messages", len(first))
	}
	m := first[0]
	if m.Attributes["ApproximateReceiveCount"] != "1" || m.Attributes["SentTimestamp"] != strconv.FormatInt(f.clock.Now().UnixMilli(), 10) || m.Attributes["SenderId"] != mgmt {
		t.Errorf("system attributes = %v", m.Attributes)
	}
	if len(m.MessageAttributes) != 3 || aws.ToString(m.MessageAttributes["kind"].StringValue) != "lifecycle" || string(m.MessageAttributes["blob"].BinaryValue) != "\x01\x02\x03" {
		t.Errorf("message attributes = %v", m.MessageAttributes)
	}
	if aws.ToString(m.MD5OfMessageAttributes) != aws.ToString(sent.MD5OfMessageAttributes) {
		t.Errorf("MD5OfMessageAttributes on receive %s, on send %s", aws.ToString(m.MD5OfMessageAttributes), aws.ToString(sent.MD5OfMessageAttributes))
	}
	counts := f.attrs(t, *url)
	if counts["ApproximateNumberOfMessages"] != "0" || counts["ApproximateNumberOfMessagesNotVisible"] != "1" {
		t.Errorf("counts while in flight = %v", counts)
	}

	steps := []struct {
		name    string
		advance time.Duration
		in      sqs.ReceiveMessageInput
		want    int
	}{
		{"hidden during the visibility timeout", 29 * time.Second, sqs.ReceiveMessageInput{}, 0},
		{"visible again after 30s, with an override", time.Second, sqs.ReceiveMessageInput{VisibilityTimeout: 5, MessageSystemAttributeNames: all}, 1},
		{"override hides it for 5s only", 4 * time.Second, sqs.ReceiveMessageInput{}, 0},
		{"visible after the override", time.Second, sqs.ReceiveMessageInput{MessageSystemAttributeNames: all}, 1},
	}
	handles := map[string]bool{aws.ToString(m.ReceiptHandle): true}
	var last types.Message
	for _, st := range steps {
		f.clock.Advance(st.advance)
		got := receive(&st.in)
		if len(got) != st.want {
			t.Fatalf("%s: %d messages, want %d", st.name, len(got), st.want)
		}
		if st.want == 1 {
			last = got[0]
			if handles[aws.ToString(last.ReceiptHandle)] {
				t.Errorf("%s: receipt handle reused", st.name)
			}
			handles[aws.ToString(last.ReceiptHandle)] = true
		}
	}
	if last.Attributes["ApproximateReceiveCount"] != "3" {
		t.Errorf("ApproximateReceiveCount = %s, want 3", last.Attributes["ApproximateReceiveCount"])
	}

	// ChangeMessageVisibility to 0 makes it visible at once; an old handle
	// of the message no longer changes anything.
	awssimtest.WantCall(t, f.c.ChangeMessageVisibility, &sqs.ChangeMessageVisibilityInput{QueueUrl: url, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0}, "AWS.SimpleQueueService.MessageNotInflight")
	awssimtest.WantCall(t, f.c.ChangeMessageVisibility, &sqs.ChangeMessageVisibilityInput{QueueUrl: url, ReceiptHandle: last.ReceiptHandle, VisibilityTimeout: 0}, "")
	again := receive(&sqs.ReceiveMessageInput{})
	if len(again) != 1 {
		t.Fatalf("after ChangeMessageVisibility(0): %d messages", len(again))
	}
	awssimtest.WantCall(t, f.c.DeleteMessage, &sqs.DeleteMessageInput{QueueUrl: url, ReceiptHandle: again[0].ReceiptHandle}, "")
	f.clock.Advance(time.Hour)
	if got := receive(&sqs.ReceiveMessageInput{}); len(got) != 0 {
		t.Errorf("deleted message received again")
	}
	awssimtest.WantCall(t, f.c.DeleteMessage, &sqs.DeleteMessageInput{QueueUrl: url, ReceiptHandle: aws.String("garbage")}, "ReceiptHandleIsInvalid")
}

func TestSendMessageRules(t *testing.T) {
	f := start(t)
	ctx := context.Background()
	std := aws.String(f.queue(t, "std", nil))
	small := aws.String(f.queue(t, "small", map[string]string{"MaximumMessageSize": "1024"}))
	fifo := aws.String(f.queue(t, "orders.fifo", map[string]string{"FifoQueue": "true"}))
	cases := []struct {
		name string
		in   sqs.SendMessageInput
		code string
	}{
		{"256 KiB is accepted", sqs.SendMessageInput{QueueUrl: std, MessageBody: aws.String(strings.Repeat("a", 256<<10))}, ""},
		{"one byte more is not", sqs.SendMessageInput{QueueUrl: std, MessageBody: aws.String(strings.Repeat("a", 256<<10+1))}, "InvalidParameterValue"},
		{"queue's own limit", sqs.SendMessageInput{QueueUrl: small, MessageBody: aws.String(strings.Repeat("a", 1025))}, "InvalidParameterValue"},
		{"empty body", sqs.SendMessageInput{QueueUrl: std, MessageBody: aws.String("")}, "InvalidParameterValue"},
		{"tab, newline and emoji", sqs.SendMessageInput{QueueUrl: std, MessageBody: aws.String("a\tb\r\nc \U0001F600")}, ""},
		{"control character", sqs.SendMessageInput{QueueUrl: std, MessageBody: aws.String("bell\x07")}, "InvalidMessageContents"},
		{"NUL", sqs.SendMessageInput{QueueUrl: std, MessageBody: aws.String("a\x00b")}, "InvalidMessageContents"},
		{"noncharacter U+FFFE", sqs.SendMessageInput{QueueUrl: std, MessageBody: aws.String("a\uFFFEb")}, "InvalidMessageContents"},
		{"delay too long", sqs.SendMessageInput{QueueUrl: std, MessageBody: aws.String("x"), DelaySeconds: 901}, "InvalidParameterValue"},
		{"reserved attribute name", sqs.SendMessageInput{QueueUrl: std, MessageBody: aws.String("x"), MessageAttributes: map[string]types.MessageAttributeValue{
			"AWS.x": {DataType: aws.String("String"), StringValue: aws.String("v")}}}, "InvalidParameterValue"},
		{"number attribute that is not a number", sqs.SendMessageInput{QueueUrl: std, MessageBody: aws.String("x"), MessageAttributes: map[string]types.MessageAttributeValue{
			"n": {DataType: aws.String("Number"), StringValue: aws.String("ten")}}}, "InvalidParameterValue"},
		{"fifo without group", sqs.SendMessageInput{QueueUrl: fifo, MessageBody: aws.String("x"), MessageDeduplicationId: aws.String("d")}, "MissingParameter"},
		{"fifo without dedup id", sqs.SendMessageInput{QueueUrl: fifo, MessageBody: aws.String("x"), MessageGroupId: aws.String("g")}, "InvalidParameterValue"},
		{"fifo", sqs.SendMessageInput{QueueUrl: fifo, MessageBody: aws.String("x"), MessageGroupId: aws.String("g"), MessageDeduplicationId: aws.String("d")}, ""},
		{"dedup id on a standard queue", sqs.SendMessageInput{QueueUrl: std, MessageBody: aws.String("x"), MessageDeduplicationId: aws.String("d")}, "InvalidParameterValue"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { awssimtest.WantCall(t, f.c.SendMessage, &tc.in, tc.code) })
	}

	// A delayed message counts as delayed until its time comes.
	awssimtest.WantCall(t, f.c.SendMessage, &sqs.SendMessageInput{QueueUrl: small, MessageBody: aws.String("later"), DelaySeconds: 10}, "")
	if a := f.attrs(t, *small); a["ApproximateNumberOfMessagesDelayed"] != "1" || a["ApproximateNumberOfMessages"] != "0" {
		t.Errorf("counts with a delayed message = %v", a)
	}
	f.clock.Advance(10 * time.Second)
	if a := f.attrs(t, *small); a["ApproximateNumberOfMessages"] != "1" {
		t.Errorf("counts after the delay = %v", a)
	}

	// A repeated deduplication ID is accepted once within five minutes.
	dup, err := f.c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: fifo, MessageBody: aws.String("x"), MessageGroupId: aws.String("g"), MessageDeduplicationId: aws.String("d")})
	awssimtest.WantCode(t, err, "")
	if dup.SequenceNumber == nil {
		t.Errorf("FIFO SendMessage has no SequenceNumber")
	}
	if a := f.attrs(t, *fifo); a["ApproximateNumberOfMessages"] != "1" {
		t.Errorf("FIFO messages after a duplicate = %s, want 1", a["ApproximateNumberOfMessages"])
	}
}

func TestBatches(t *testing.T) {
	f := start(t)
	ctx := context.Background()
	url := aws.String(f.queue(t, "batch", nil))
	entries := func(ids ...string) []types.SendMessageBatchRequestEntry {
		var out []types.SendMessageBatchRequestEntry
		for _, id := range ids {
			out = append(out, types.SendMessageBatchRequestEntry{Id: aws.String(id), MessageBody: aws.String("body " + id)})
		}
		return out
	}
	errCases := []struct {
		name    string
		entries []types.SendMessageBatchRequestEntry
		code    string
	}{
		// An empty batch never leaves the SDK (client-side validation).
		{"eleven", entries("1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"), "AWS.SimpleQueueService.TooManyEntriesInBatchRequest"},
		{"repeated id", entries("a", "a"), "AWS.SimpleQueueService.BatchEntryIdsNotDistinct"},
		{"bad id", entries("a b"), "AWS.SimpleQueueService.InvalidBatchEntryId"},
	}
	for _, tc := range errCases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: url, Entries: tc.entries})
			awssimtest.WantCode(t, err, tc.code)
		})
	}
	batch := entries("a", "b", "c")
	batch = append(batch, types.SendMessageBatchRequestEntry{Id: aws.String("empty"), MessageBody: aws.String("")})
	sent, err := f.c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: url, Entries: batch})
	awssimtest.WantCode(t, err, "")
	if len(sent.Successful) != 3 || len(sent.Failed) != 1 || aws.ToString(sent.Failed[0].Id) != "empty" || !sent.Failed[0].SenderFault {
		t.Fatalf("SendMessageBatch = %+v", sent)
	}

	got, err := f.c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: url, MaxNumberOfMessages: 10})
	awssimtest.WantCode(t, err, "")
	if len(got.Messages) != 3 {
		t.Fatalf("received %d, want 3", len(got.Messages))
	}
	del := []types.DeleteMessageBatchRequestEntry{
		{Id: aws.String("m0"), ReceiptHandle: got.Messages[0].ReceiptHandle},
		{Id: aws.String("m1"), ReceiptHandle: got.Messages[1].ReceiptHandle},
		{Id: aws.String("bad"), ReceiptHandle: aws.String("not-a-handle")},
	}
	res, err := f.c.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: url, Entries: del})
	awssimtest.WantCode(t, err, "")
	if len(res.Successful) != 2 || len(res.Failed) != 1 || aws.ToString(res.Failed[0].Id) != "bad" || aws.ToString(res.Failed[0].Code) != "ReceiptHandleIsInvalid" {
		t.Errorf("DeleteMessageBatch = %+v", res)
	}
	_, err = f.c.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: url, Entries: []types.DeleteMessageBatchRequestEntry{
		{Id: aws.String("x"), ReceiptHandle: got.Messages[2].ReceiptHandle}, {Id: aws.String("x"), ReceiptHandle: got.Messages[2].ReceiptHandle}}})
	awssimtest.WantCode(t, err, "AWS.SimpleQueueService.BatchEntryIdsNotDistinct")
	awssimtest.WantCall(t, f.c.ReceiveMessage, &sqs.ReceiveMessageInput{QueueUrl: url, MaxNumberOfMessages: 11}, "InvalidParameterValue")
}

func TestRedrive(t *testing.T) {
	f := start(t)
	ctx := context.Background()
	dlq := f.queue(t, "dead", nil)
	url := aws.String(f.queue(t, "live", map[string]string{
		"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:` + region + `:` + mgmt + `:dead","maxReceiveCount":"2"}`}))
	awssimtest.WantCall(t, f.c.SendMessage, &sqs.SendMessageInput{QueueUrl: url, MessageBody: aws.String("poison")}, "")
	for i, want := range []int{1, 1, 0} {
		out, err := f.c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: url, VisibilityTimeout: 1})
		awssimtest.WantCode(t, err, "")
		if len(out.Messages) != want {
			t.Fatalf("receive %d: %d messages, want %d", i+1, len(out.Messages), want)
		}
		f.clock.Advance(time.Second)
	}
	if n := f.attrs(t, dlq)["ApproximateNumberOfMessages"]; n != "1" {
		t.Errorf("dead-letter queue holds %s messages, want 1", n)
	}
	// A queue cannot be its own dead-letter queue: the receive that moved a
	// message would find it again, for ever, holding the store.
	awssimtest.WantCall(t, f.c.SetQueueAttributes, &sqs.SetQueueAttributesInput{QueueUrl: url, Attributes: map[string]string{
		"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:` + region + `:` + mgmt + `:live","maxReceiveCount":"1"}`}}, "InvalidParameterValue")
}

func TestLongPoll(t *testing.T) {
	f := start(t)
	ctx := context.Background()
	url := aws.String(f.queue(t, "poll", nil))
	go func() {
		time.Sleep(50 * time.Millisecond)
		_, _ = f.c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: url, MessageBody: aws.String("late")})
	}()
	begin := time.Now()
	out, err := f.c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: url, WaitTimeSeconds: 2})
	awssimtest.WantCode(t, err, "")
	if len(out.Messages) != 1 || aws.ToString(out.Messages[0].Body) != "late" {
		t.Fatalf("long poll returned %+v", out.Messages)
	}
	if time.Since(begin) > 1500*time.Millisecond {
		t.Errorf("long poll waited for its deadline instead of the message")
	}

	// An empty long poll ends when the caller gives up.
	cctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	_, err = f.c.ReceiveMessage(cctx, &sqs.ReceiveMessageInput{QueueUrl: url, WaitTimeSeconds: 20})
	if err == nil {
		t.Errorf("ReceiveMessage with a cancelled context succeeded")
	}
	awssimtest.WantCall(t, f.c.ReceiveMessage, &sqs.ReceiveMessageInput{QueueUrl: url, WaitTimeSeconds: 21}, "InvalidParameterValue")
}

// assume returns a client acting as the member account.
func assume(t *testing.T, f fixture) *sqs.Client {
	t.Helper()
	cfg, _ := f.env.AssumeRole(t, f.env.Config(t, region), region, sts.AssumeRoleInput{RoleArn: aws.String(awssimtest.AccessRoleARN(member))})
	return sqs.NewFromConfig(cfg)
}

// TestSenderIDOfAssumedRole: AWS documents an assumed role's SenderId as
// the role's unique ID and the session name, which is what STS answered as
// AssumedRoleId.
func TestSenderIDOfAssumedRole(t *testing.T) {
	f := start(t)
	ctx := context.Background()
	cfg, want := f.env.AssumeRole(t, f.env.Config(t, region), region, sts.AssumeRoleInput{
		RoleArn: aws.String(awssimtest.AccessRoleARN(member)), RoleSessionName: aws.String("digest")})
	as := sqs.NewFromConfig(cfg)
	q, err := as.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("own")})
	awssimtest.WantCode(t, err, "")
	awssimtest.WantCall(t, as.SendMessage, &sqs.SendMessageInput{QueueUrl: q.QueueUrl, MessageBody: aws.String("hi")}, "")
	out, err := as.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, MessageSystemAttributeNames: []types.MessageSystemAttributeName{"SenderId"}})
	awssimtest.WantCode(t, err, "")
	if len(out.Messages) != 1 || out.Messages[0].Attributes["SenderId"] != want {
		t.Errorf("messages = %+v, want one with SenderId %q", out.Messages, want)
	}
}

func TestCrossAccountAccess(t *testing.T) {
	f := start(t)
	ctx := context.Background()
	open := f.queue(t, "open", map[string]string{"Policy": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
		"Principal":{"AWS":"arn:aws:iam::` + member + `:root"},"Action":["sqs:SendMessage","sqs:GetQueueUrl"],"Resource":"arn:aws:sqs:` + region + `:` + mgmt + `:open"}]}`})
	closed := f.queue(t, "closed", nil)
	other := assume(t, f)
	cases := []struct {
		name string
		call func() error
		code string
	}{
		{"send allowed by policy", awssimtest.Call(ctx, other.SendMessage, &sqs.SendMessageInput{QueueUrl: aws.String(open), MessageBody: aws.String("hi")}), ""},
		{"receive not in policy", awssimtest.Call(ctx, other.ReceiveMessage, &sqs.ReceiveMessageInput{QueueUrl: aws.String(open)}), "AccessDenied"},
		{"send without policy", awssimtest.Call(ctx, other.SendMessage, &sqs.SendMessageInput{QueueUrl: aws.String(closed), MessageBody: aws.String("hi")}), "AccessDenied"},
		{"GetQueueUrl with owner", awssimtest.Call(ctx, other.GetQueueUrl, &sqs.GetQueueUrlInput{QueueName: aws.String("open"), QueueOwnerAWSAccountId: aws.String(mgmt)}), ""},
		{"GetQueueUrl without permission", awssimtest.Call(ctx, other.GetQueueUrl, &sqs.GetQueueUrlInput{QueueName: aws.String("closed"), QueueOwnerAWSAccountId: aws.String(mgmt)}), "AWS.SimpleQueueService.NonExistentQueue"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { awssimtest.WantCode(t, tc.call(), tc.code) })
	}
	out, err := f.c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(open), MessageSystemAttributeNames: []types.MessageSystemAttributeName{"SenderId"}})
	awssimtest.WantCode(t, err, "")
	if len(out.Messages) != 1 || !strings.HasSuffix(out.Messages[0].Attributes["SenderId"], ":test") {
		t.Errorf("cross-account message = %+v", out.Messages)
	}
}

func TestDeliver(t *testing.T) {
	f := start(t)
	ctx := context.Background()
	rule := "arn:aws:events:" + region + ":" + mgmt + ":rule/orgnotify-lifecycle"
	arn := func(name string) string { return "arn:aws:sqs:" + region + ":" + mgmt + ":" + name }
	policy := func(name, condition string) string {
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},
			"Action":"sqs:SendMessage","Resource":"` + arn(name) + `"` + condition + `}]}`
	}
	kc := kms.NewFromConfig(f.env.Config(t, region))
	key, err := kc.CreateKey(ctx, &kms.CreateKeyInput{Policy: aws.String(`{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + mgmt + `:root"},"Action":"kms:*","Resource":"*"},
		{"Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},"Action":["kms:Decrypt","kms:GenerateDataKey*"],"Resource":"*"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		attrs map[string]string
		d     handoff.Delivery
		code  string // wire error code, "" when delivered
	}{
		{"no policy", nil, handoff.Delivery{}, "AccessDenied"},
		{"policy for the rule", map[string]string{"Policy": policy("q", `,"Condition":{"ArnEquals":{"aws:SourceArn":"`+rule+`"}}`)}, handoff.Delivery{}, ""},
		{"policy for another rule", map[string]string{"Policy": policy("q", `,"Condition":{"ArnEquals":{"aws:SourceArn":"`+rule+`-other"}}`)}, handoff.Delivery{}, "AccessDenied"},
		{"policy by source account", map[string]string{"Policy": policy("q", `,"Condition":{"StringEquals":{"aws:SourceAccount":"`+mgmt+`"}}`)}, handoff.Delivery{}, ""},
		{"policy for another service", map[string]string{"Policy": policy("q", "")}, handoff.Delivery{FromService: "sns.amazonaws.com"}, "AccessDenied"},
		{"missing queue", nil, handoff.Delivery{TargetARN: arn("ghost")}, "QueueDoesNotExist"},
		{"customer key allowing EventBridge", map[string]string{"Policy": policy("q", ""), "KmsMasterKeyId": aws.ToString(key.KeyMetadata.KeyId)}, handoff.Delivery{}, ""},
		{"AWS-managed aws/sqs key", map[string]string{"Policy": policy("q", ""), "KmsMasterKeyId": "alias/aws/sqs"}, handoff.Delivery{}, "KMS.AccessDeniedException"},
		{"missing key", map[string]string{"Policy": policy("q", ""), "KmsMasterKeyId": "alias/nope"}, handoff.Delivery{}, "KMS.NotFoundException"},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			name := "q" + strconv.Itoa(i)
			if tc.attrs["Policy"] != "" {
				tc.attrs["Policy"] = strings.ReplaceAll(tc.attrs["Policy"], arn("q"), arn(name))
			}
			url := f.queue(t, name, tc.attrs)
			d := handoff.Delivery{TargetARN: arn(name), Body: `{"detail-type":"x"}`, FromService: "events.amazonaws.com", SourceARN: rule, SourceAccount: mgmt}
			if tc.d.TargetARN != "" {
				d.TargetARN = tc.d.TargetARN
			}
			if tc.d.FromService != "" {
				d.FromService = tc.d.FromService
			}
			err := f.env.Sim.SQS.Deliver(ctx, d)
			if awssimtest.WireCode(t, err) != tc.code {
				t.Fatalf("Deliver = %v, want code %q", err, tc.code)
			}
			want := "0"
			if tc.code == "" {
				want = "1"
			}
			if n := f.attrs(t, url)["ApproximateNumberOfMessages"]; n != want {
				t.Errorf("queue holds %s messages, want %s", n, want)
			}
		})
	}
}

// TestQueryProtocolAction: a client of SQS's older Query protocol learns
// which of its actions the simulator does not serve, in the XML shape it
// reads.
func TestQueryProtocolAction(t *testing.T) {
	f := start(t)
	for _, action := range []string{"ListDeadLetterSourceQueues", "SendMessage", "NoSuchAction"} {
		t.Run(action, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodPost, f.env.URL+"/", strings.NewReader("Action="+action+"&Version=2012-11-05"))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20260301/"+region+"/sqs/aws4_request, SignedHeaders=host, Signature=00")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var e struct {
				Error struct{ Code, Message string }
			}
			if err := xml.NewDecoder(resp.Body).Decode(&e); err != nil {
				t.Fatalf("not an XML error: %v", err)
			}
			if resp.StatusCode != http.StatusBadRequest || e.Error.Code != "InvalidAction" || !strings.Contains(e.Error.Message, "action "+action+" ") {
				t.Errorf("status %d, error %+v; want 400 InvalidAction naming %s", resp.StatusCode, e.Error, action)
			}
		})
	}
}

// Audit tests: error paths of TagQueue, ListQueueTags,
// ChangeMessageVisibility, DeleteMessageBatch and SetQueueAttributes that
// the other tests do not reach.

func TestAuditQueueTagErrors(t *testing.T) {
	f := start(t)
	ctx := context.Background()
	tags := map[string]string{"keep": "original"}
	for i := range 49 {
		tags[fmt.Sprintf("k%02d", i)] = "v"
	}
	url := aws.String(f.queue(t, "tagged", nil))
	awssimtest.WantCall(t, f.c.TagQueue, &sqs.TagQueueInput{QueueUrl: url, Tags: tags}, "")
	missing := aws.String(f.env.URL + "/" + mgmt + "/ghost")

	tests := []struct {
		name string
		call func() error
		code string
	}{
		{"ListQueueTags of a missing queue", awssimtest.Call(ctx, f.c.ListQueueTags, &sqs.ListQueueTagsInput{QueueUrl: missing}), "AWS.SimpleQueueService.NonExistentQueue"},
		{"ListQueueTags of a malformed URL", awssimtest.Call(ctx, f.c.ListQueueTags, &sqs.ListQueueTagsInput{QueueUrl: aws.String("not-a-url")}), "InvalidAddress"},
		{"TagQueue of a missing queue", awssimtest.Call(ctx, f.c.TagQueue, &sqs.TagQueueInput{QueueUrl: missing, Tags: map[string]string{"a": "1"}}), "AWS.SimpleQueueService.NonExistentQueue"},
		{"TagQueue past 50 tags", awssimtest.Call(ctx, f.c.TagQueue, &sqs.TagQueueInput{QueueUrl: url, Tags: map[string]string{"keep": "changed", "extra": "1"}}), "InvalidParameterValue"},
		{"TagQueue with an invalid key", awssimtest.Call(ctx, f.c.TagQueue, &sqs.TagQueueInput{QueueUrl: url, Tags: map[string]string{"bad*key": "1"}}), "InvalidParameterValue"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			awssimtest.WantCode(t, tt.call(), tt.code)
			got, err := f.c.ListQueueTags(ctx, &sqs.ListQueueTagsInput{QueueUrl: url})
			awssimtest.WantCode(t, err, "")
			if len(got.Tags) != 50 || got.Tags["keep"] != "original" || got.Tags["extra"] != "" {
				t.Errorf("after a failed call the queue has %d tags, keep=%q extra=%q; want 50, original, none", len(got.Tags), got.Tags["keep"], got.Tags["extra"])
			}
		})
	}
}

func TestAuditVisibilityAndBatchErrors(t *testing.T) {
	f := start(t)
	ctx := context.Background()
	url := aws.String(f.queue(t, "work", nil))
	awssimtest.WantCall(t, f.c.SendMessage, &sqs.SendMessageInput{QueueUrl: url, MessageBody: aws.String("m")}, "")
	got, err := f.c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: url})
	awssimtest.WantCode(t, err, "")
	if len(got.Messages) != 1 {
		t.Fatalf("received %d messages, want 1", len(got.Messages))
	}
	handle := got.Messages[0].ReceiptHandle
	missing := aws.String(f.env.URL + "/" + mgmt + "/ghost")

	tests := []struct {
		name string
		call func() error
		code string
	}{
		{"visibility over 12 hours", awssimtest.Call(ctx, f.c.ChangeMessageVisibility, &sqs.ChangeMessageVisibilityInput{QueueUrl: url, ReceiptHandle: handle, VisibilityTimeout: 43201}), "InvalidParameterValue"},
		{"negative visibility", awssimtest.Call(ctx, f.c.ChangeMessageVisibility, &sqs.ChangeMessageVisibilityInput{QueueUrl: url, ReceiptHandle: handle, VisibilityTimeout: -1}), "InvalidParameterValue"},
		{"garbage receipt handle", awssimtest.Call(ctx, f.c.ChangeMessageVisibility, &sqs.ChangeMessageVisibilityInput{QueueUrl: url, ReceiptHandle: aws.String("garbage"), VisibilityTimeout: 10}), "ReceiptHandleIsInvalid"},
		{"ChangeMessageVisibility on a missing queue", awssimtest.Call(ctx, f.c.ChangeMessageVisibility, &sqs.ChangeMessageVisibilityInput{QueueUrl: missing, ReceiptHandle: handle, VisibilityTimeout: 10}), "AWS.SimpleQueueService.NonExistentQueue"},
		{"DeleteMessageBatch on a missing queue", awssimtest.Call(ctx, f.c.DeleteMessageBatch, &sqs.DeleteMessageBatchInput{QueueUrl: missing,
			Entries: []types.DeleteMessageBatchRequestEntry{{Id: aws.String("a"), ReceiptHandle: handle}}}), "AWS.SimpleQueueService.NonExistentQueue"},
		{"DeleteMessageBatch of eleven", func() error {
			entries := make([]types.DeleteMessageBatchRequestEntry, 11)
			for i := range entries {
				entries[i] = types.DeleteMessageBatchRequestEntry{Id: aws.String(fmt.Sprint("e", i)), ReceiptHandle: handle}
			}
			_, err := f.c.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: url, Entries: entries})
			return err
		}, "AWS.SimpleQueueService.TooManyEntriesInBatchRequest"},
		{"SetQueueAttributes with an out-of-range value", awssimtest.Call(ctx, f.c.SetQueueAttributes, &sqs.SetQueueAttributesInput{QueueUrl: url, Attributes: map[string]string{"VisibilityTimeout": "43201"}}), "InvalidAttributeValue"},
		{"SetQueueAttributes on a missing queue", awssimtest.Call(ctx, f.c.SetQueueAttributes, &sqs.SetQueueAttributesInput{QueueUrl: missing, Attributes: map[string]string{"VisibilityTimeout": "10"}}), "AWS.SimpleQueueService.NonExistentQueue"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { awssimtest.WantCode(t, tt.call(), tt.code) })
	}

	// None of the failures touched the message or the queue: it is still in
	// flight under the 30 s default, and the handle still deletes it.
	if a := f.attrs(t, *url); a["ApproximateNumberOfMessagesNotVisible"] != "1" || a["VisibilityTimeout"] != "30" {
		t.Errorf("queue after the failures: not visible %s, VisibilityTimeout %s; want 1, 30", a["ApproximateNumberOfMessagesNotVisible"], a["VisibilityTimeout"])
	}
	awssimtest.WantCall(t, f.c.DeleteMessage, &sqs.DeleteMessageInput{QueueUrl: url, ReceiptHandle: handle}, "")
}

// TestCreateQueueTagLimit: CreateQueue takes 50 tags and refuses 51 without
// creating the queue.
func TestCreateQueueTagLimit(t *testing.T) {
	f := start(t)
	ctx := context.Background()
	tags := map[string]string{}
	for i := range 50 {
		tags[fmt.Sprintf("k%02d", i)] = "v"
	}
	awssimtest.WantCall(t, f.c.CreateQueue, &sqs.CreateQueueInput{QueueName: aws.String("fifty"), Tags: tags}, "")
	tags["k50"] = "v"
	awssimtest.WantCall(t, f.c.CreateQueue, &sqs.CreateQueueInput{QueueName: aws.String("fifty-one"), Tags: tags}, "InvalidParameterValue")
	_, err := f.c.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("fifty-one")})
	awssimtest.WantCode(t, err, "AWS.SimpleQueueService.NonExistentQueue")
}
