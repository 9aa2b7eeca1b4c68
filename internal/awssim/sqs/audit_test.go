package sqs_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/orgnotify/orgnotify/internal/awssim/awssimtest"
)

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
