package sqs

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/orgnotify/orgnotify/internal/awssim/wire"
)

// BenchmarkDepth measures SendMessage, a send/receive/delete cycle and
// GetQueueAttributes (the message counts) through the operation handlers
// of a queue already holding depth messages: the cost per call must not
// grow with the depth (the event digest drains 10,000 messages; a
// benchmark organization queues more). "fifo" puts every message in one
// group, "fifo-groups" spreads them over depth/10 groups.
//
//	go test -run '^$' -bench Depth -benchtime 2000x ./internal/awssim/sqs/
func BenchmarkDepth(b *testing.B) {
	for _, kind := range []string{"standard", "fifo", "fifo-groups"} {
		for _, depth := range []int{1_000, 10_000, 100_000} {
			b.Run(fmt.Sprintf("send/%s/depth=%d", kind, depth), func(b *testing.B) {
				q := newDepthQueue(b, kind, depth)
				b.ResetTimer()
				for i := range b.N {
					q.call(b, "SendMessage", q.send(i))
				}
			})
			b.Run(fmt.Sprintf("cycle/%s/depth=%d", kind, depth), func(b *testing.B) {
				q := newDepthQueue(b, kind, depth)
				b.ResetTimer()
				for i := range b.N {
					q.call(b, "SendMessage", q.send(i))
					out := q.call(b, "ReceiveMessage", map[string]any{"QueueUrl": q.url}).(receiveOutput)
					if len(out.Messages) != 1 {
						b.Fatalf("received %d messages", len(out.Messages))
					}
					q.call(b, "DeleteMessage", map[string]any{"QueueUrl": q.url, "ReceiptHandle": out.Messages[0].ReceiptHandle})
				}
			})
			b.Run(fmt.Sprintf("counts/%s/depth=%d", kind, depth), func(b *testing.B) {
				q := newDepthQueue(b, kind, depth)
				// Some messages in flight, so every count has something to count.
				q.call(b, "ReceiveMessage", map[string]any{"QueueUrl": q.url, "MaxNumberOfMessages": 10})
				in := map[string]any{"QueueUrl": q.url, "AttributeNames": []string{"All"}}
				b.ResetTimer()
				for range b.N {
					q.call(b, "GetQueueAttributes", in)
				}
			})
		}
	}
}

type depthQueue struct {
	store  *Store
	url    string
	groups int // 0 for a standard queue
	now    time.Time
}

// newDepthQueue creates a queue of the kind and fills it with depth
// messages.
func newDepthQueue(b *testing.B, kind string, depth int) *depthQueue {
	b.Helper()
	d := &depthQueue{store: New(nil), now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	name, attrs := "bench", map[string]string{}
	switch kind {
	case "fifo":
		d.groups = 1
	case "fifo-groups":
		d.groups = depth / 10
	}
	if d.groups > 0 {
		name, attrs = "bench.fifo", map[string]string{"FifoQueue": "true"}
	}
	d.url = d.call(b, "CreateQueue", map[string]any{"QueueName": name, "Attributes": attrs}).(queueURLOutput).QueueUrl
	q := d.store.queues[scope{"111111111111", "us-east-1"}][name]
	for i := range depth {
		in := sendInput{MessageBody: new(string)}
		*in.MessageBody = "queued " + strconv.Itoa(i)
		if d.groups > 0 {
			in.MessageGroupId, in.MessageDeduplicationId = d.group(i), "queued-"+strconv.Itoa(i)
		}
		m, delay, err := q.prepare(in, "111111111111")
		if err != nil {
			b.Fatal(err)
		}
		q.enqueue(m, delay, d.now)
	}
	return d
}

func (d *depthQueue) group(i int) string { return "g" + strconv.Itoa(i%d.groups) }

func (d *depthQueue) send(i int) map[string]any {
	in := map[string]any{"QueueUrl": d.url, "MessageBody": "message " + strconv.Itoa(i)}
	if d.groups > 0 {
		in["MessageGroupId"], in["MessageDeduplicationId"] = d.group(i), "sent-"+strconv.Itoa(i)
	}
	return in
}

// call runs one operation's handler as the router would.
func (d *depthQueue) call(tb testing.TB, op string, in any) any {
	out, err := d.do(op, in)
	if err != nil {
		tb.Fatalf("%s: %v", op, err)
	}
	return out
}

func (d *depthQueue) do(op string, in any) (any, error) {
	body, err := json.Marshal(in)
	if err != nil {
		return nil, err
	}
	r := &wire.Request{Service: "sqs", Operation: op, Account: "111111111111", Region: "us-east-1",
		Principal: "arn:aws:iam::111111111111:root", Host: "127.0.0.1", Body: body, Now: d.now}
	return d.store.Service().Ops[op](context.Background(), r)
}
