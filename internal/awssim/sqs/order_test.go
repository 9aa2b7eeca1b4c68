package sqs_test

import (
	"context"
	"maps"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/orgnotify/orgnotify/internal/awssim/awssimtest"
)

// receiveBodies receives up to max messages and returns their bodies and
// receipt handles.
func (f fixture) receiveBodies(t *testing.T, url string, max int32) (bodies []string, handles map[string]string) {
	t.Helper()
	out, err := f.c.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: max, VisibilityTimeout: 30})
	awssimtest.WantCode(t, err, "")
	handles = map[string]string{}
	for _, m := range out.Messages {
		bodies = append(bodies, aws.ToString(m.Body))
		handles[aws.ToString(m.Body)] = aws.ToString(m.ReceiptHandle)
	}
	return bodies, handles
}

// TestFIFOGroups: a FIFO queue hands out a group's messages in order and
// none of a group while one of its messages is in flight; other groups go on.
func TestFIFOGroups(t *testing.T) {
	f := start(t)
	ctx := context.Background()
	url := f.queue(t, "orders.fifo", map[string]string{"FifoQueue": "true"})
	for i, m := range []struct{ group, body string }{{"g1", "a1"}, {"g2", "b1"}, {"g1", "a2"}, {"g2", "b2"}} {
		_, err := f.c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(m.body),
			MessageGroupId: aws.String(m.group), MessageDeduplicationId: aws.String(strconv.Itoa(i))})
		awssimtest.WantCode(t, err, "")
	}
	steps := []struct {
		name   string
		max    int32
		delete []string
		wait   time.Duration
		want   []string
	}{
		{"first message", 1, nil, 0, []string{"a1"}},
		{"g1 waits while a1 is in flight", 10, nil, 0, []string{"b1", "b2"}},
		{"every group in flight", 10, nil, 0, nil},
		{"a1 deleted: a2 next", 10, []string{"a1"}, 0, []string{"a2"}},
		{"visible again, in send order", 10, nil, 31 * time.Second, []string{"b1", "a2", "b2"}},
	}
	handles := map[string]string{}
	for _, s := range steps {
		for _, body := range s.delete {
			awssimtest.WantCall(t, f.c.DeleteMessage, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: aws.String(handles[body])}, "")
		}
		f.clock.Advance(s.wait)
		got, hs := f.receiveBodies(t, url, s.max)
		for b, h := range hs {
			handles[b] = h
		}
		if !slices.Equal(got, s.want) {
			t.Fatalf("%s: received %q, want %q", s.name, got, s.want)
		}
	}
}

// TestRetentionAndDeduplicationWindow: messages older than the retention
// period go, oldest first, and a deduplication ID is remembered five
// minutes.
func TestRetentionAndDeduplicationWindow(t *testing.T) {
	f := start(t)
	std := f.queue(t, "short", map[string]string{"MessageRetentionPeriod": "60"})
	send := func(url, body string, dedup string) {
		t.Helper()
		in := &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(body)}
		if dedup != "" {
			in.MessageGroupId, in.MessageDeduplicationId = aws.String("g"), aws.String(dedup)
		}
		awssimtest.WantCall(t, f.c.SendMessage, in, "")
	}
	send(std, "old", "")
	f.clock.Advance(30 * time.Second)
	send(std, "new", "")
	f.clock.Advance(31 * time.Second)
	if n := f.attrs(t, std)["ApproximateNumberOfMessages"]; n != "1" {
		t.Errorf("messages after the first one's retention = %s, want 1", n)
	}
	if got, _ := f.receiveBodies(t, std, 10); !slices.Equal(got, []string{"new"}) {
		t.Errorf("received %q, want [new]", got)
	}

	fifo := f.queue(t, "dedup.fifo", map[string]string{"FifoQueue": "true"})
	send(fifo, "first", "d")
	f.clock.Advance(4 * time.Minute)
	send(fifo, "repeat within five minutes", "d")
	send(fifo, "other", "e")
	f.clock.Advance(time.Minute)
	send(fifo, "after five minutes", "d")
	send(fifo, "repeat of e within five minutes", "e")
	got, _ := f.receiveBodies(t, fifo, 10)
	if want := []string{"first", "other", "after five minutes"}; !slices.Equal(got, want) {
		t.Errorf("received %q, want %q", got, want)
	}
}

// TestFIFOGroupWaitsForEveryMessageInFlight: a group waits while any of its
// received messages is in flight, not only its oldest; the counts follow
// each message through visibility changes, deletes and a purge.
func TestFIFOGroupWaitsForEveryMessageInFlight(t *testing.T) {
	f := start(t)
	url := f.queue(t, "jobs.fifo", map[string]string{"FifoQueue": "true"})
	for i, m := range []struct{ group, body string }{{"g1", "a1"}, {"g1", "a2"}, {"g2", "b1"}} {
		awssimtest.WantCall(t, f.c.SendMessage, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(m.body),
			MessageGroupId: aws.String(m.group), MessageDeduplicationId: aws.String(strconv.Itoa(i))}, "")
	}
	handles := map[string]string{}
	steps := []struct {
		name    string
		visible []string // handed to ChangeMessageVisibility(0) first
		delete  []string
		purge   bool
		receive int32
		want    []string
		counts  [2]string // visible, not visible afterwards
	}{
		{"a group in order", nil, nil, false, 2, []string{"a1", "a2"}, [2]string{"1", "2"}},
		{"g1 waits for a2 though a1 is visible", []string{"a1"}, nil, false, 10, []string{"b1"}, [2]string{"1", "2"}},
		{"g1 visible again, g2 waits", []string{"a2"}, nil, false, 0, nil, [2]string{"2", "1"}},
		{"g1 again, in order", nil, nil, false, 10, []string{"a1", "a2"}, [2]string{"0", "3"}},
		{"g1 deleted", nil, []string{"a1", "a2"}, false, 10, nil, [2]string{"0", "1"}},
		{"purged", nil, nil, true, 10, nil, [2]string{"0", "0"}},
	}
	for _, s := range steps {
		for _, body := range s.visible {
			awssimtest.WantCall(t, f.c.ChangeMessageVisibility, &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(url), ReceiptHandle: aws.String(handles[body]), VisibilityTimeout: 0}, "")
		}
		for _, body := range s.delete {
			awssimtest.WantCall(t, f.c.DeleteMessage, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: aws.String(handles[body])}, "")
		}
		if s.purge {
			awssimtest.WantCall(t, f.c.PurgeQueue, &sqs.PurgeQueueInput{QueueUrl: aws.String(url)}, "")
		}
		var got []string
		if s.receive > 0 {
			var hs map[string]string
			got, hs = f.receiveBodies(t, url, s.receive)
			maps.Copy(handles, hs)
		}
		if !slices.Equal(got, s.want) {
			t.Errorf("%s: received %q, want %q", s.name, got, s.want)
		}
		a := f.attrs(t, url)
		if c := [2]string{a["ApproximateNumberOfMessages"], a["ApproximateNumberOfMessagesNotVisible"]}; c != s.counts || a["ApproximateNumberOfMessagesDelayed"] != "0" {
			t.Errorf("%s: visible, not visible, delayed = %s, %s, %s; want %s, %s, 0", s.name, c[0], c[1], a["ApproximateNumberOfMessagesDelayed"], s.counts[0], s.counts[1])
		}
	}
}
