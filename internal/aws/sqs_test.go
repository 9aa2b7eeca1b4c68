package aws_test

import (
	"context"
	"sync"
	"testing"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	orgaws "github.com/orgnotify/orgnotify/internal/aws"
	"github.com/orgnotify/orgnotify/internal/awssim"
	"github.com/orgnotify/orgnotify/internal/awssim/awssimtest"
	"github.com/orgnotify/orgnotify/internal/awssim/org"
	"github.com/orgnotify/orgnotify/internal/events"
)

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// TestQueue drives the digest's queue operations through the real SQS
// client: receive with attributes, extend the visibility, requeue with
// the channels still to post, delete in batches.
func TestQueue(t *testing.T) {
	ctx := context.Background()
	env := awssimtest.Start(t, awssim.Seed{Organization: org.Seed{ManagementAccount: "111122223333", OrganizationID: "o-a1b2c3d4e5"}})
	clk := &clock{now: time.Now()}
	env.Sim.SetClock(clk.Now)
	cfg := env.Config(t, "ap-northeast-1")
	c := sqs.NewFromConfig(cfg)
	created, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: sdkaws.String("digest")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := orgaws.OpenQueue(ctx, cfg, "missing", orgaws.QueueOptions{}); !orgaws.IsQueueMissing(err) {
		t.Errorf("OpenQueue of a missing queue: %v", err)
	}
	q, err := orgaws.OpenQueue(ctx, cfg, "digest", orgaws.QueueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if q.Name() != "digest@ap-northeast-1" {
		t.Errorf("Name = %q", q.Name())
	}
	for i := range 12 {
		in := &sqs.SendMessageInput{QueueUrl: created.QueueUrl, MessageBody: sdkaws.String(`{"n":` + string(rune('a'+i)) + `}`)}
		if i == 0 {
			in.MessageAttributes = map[string]sqstypes.MessageAttributeValue{"ERROR_CODE": {DataType: sdkaws.String("String"), StringValue: sdkaws.String("NO_PERMISSIONS")}}
		}
		if _, err := c.SendMessage(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	first, err := q.Receive(ctx, 30*time.Second)
	if err != nil || len(first) != 10 {
		t.Fatalf("first receive: %d messages, %v", len(first), err)
	}
	if first[0].ReceiveCount != 1 || first[0].SentAt.IsZero() || first[0].Attributes["ERROR_CODE"] != "NO_PERMISSIONS" {
		t.Errorf("message = %+v", first[0])
	}
	if err := q.Extend(ctx, first, 10*time.Minute); err != nil {
		t.Fatal(err)
	}
	clk.add(time.Minute) // past the first 30 s, inside the extension
	second, err := q.Receive(ctx, 30*time.Second)
	if err != nil || len(second) != 2 {
		t.Fatalf("second receive: %d messages (the extended ten must stay hidden), %v", len(second), err)
	}
	if err := q.Requeue(ctx, second[0], map[string]string{events.ChannelsAttribute: "C05DBAOPS01"}); err != nil {
		t.Fatal(err)
	}
	if err := q.Delete(ctx, append(first, second...)); err != nil {
		t.Fatal(err)
	}
	clk.add(time.Hour)
	rest, err := q.Receive(ctx, 30*time.Second)
	if err != nil || len(rest) != 1 || rest[0].Attributes[events.ChannelsAttribute] != "C05DBAOPS01" || string(rest[0].Body) != string(second[0].Body) {
		t.Fatalf("after delete: %+v, %v; want only the requeued copy", rest, err)
	}
	if err := q.Delete(ctx, []events.QueueMessage{{ID: "x", Handle: "not-a-handle"}}); err == nil {
		t.Error("deleting with an invalid handle succeeded")
	}
}
