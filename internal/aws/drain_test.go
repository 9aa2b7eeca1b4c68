package aws_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	orgaws "github.com/orgnotify/orgnotify/internal/aws"
	"github.com/orgnotify/orgnotify/internal/awssim"
	"github.com/orgnotify/orgnotify/internal/awssim/awssimtest"
	"github.com/orgnotify/orgnotify/internal/awssim/org"
	"github.com/orgnotify/orgnotify/internal/config"
	"github.com/orgnotify/orgnotify/internal/events"
	osl "github.com/orgnotify/orgnotify/internal/slack"
)

// extendCounter is the real queue, counting visibility extensions.
type extendCounter struct {
	*orgaws.Queue
	extends atomic.Int32
}

func (q *extendCounter) Extend(ctx context.Context, msgs []events.QueueMessage, d time.Duration) error {
	q.extends.Add(1)
	return q.Queue.Extend(ctx, msgs, d)
}

// slowSender holds every post until the drain has extended the visibility
// of what it holds at least once, as a slow Slack would.
type slowSender struct {
	q    *extendCounter
	sent int
}

func (s *slowSender) Send(ctx context.Context, m osl.Message) (osl.Posted, error) {
	for s.q.extends.Load() == 0 {
		select {
		case <-ctx.Done():
			return osl.Posted{}, ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
	s.sent++
	return osl.Posted{Channel: m.Channel}, nil
}

// TestDrainExtendsVisibilityWhileWorking: while posting takes longer than a
// third of the visibility timeout, the drain extends the messages it holds
// (so no other run receives them), then deletes them once posted.
func TestDrainExtendsVisibilityWhileWorking(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	env := awssimtest.Start(t, awssim.Seed{Organization: org.Seed{ManagementAccount: "111122223333", OrganizationID: "o-a1b2c3d4e5"}})
	cfg := env.Config(t, "ap-northeast-1")
	c := sqs.NewFromConfig(cfg)
	created, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: sdkaws.String("digest")})
	if err != nil {
		t.Fatal(err)
	}
	body := `{"version":"0","id":"e1","detail-type":"EC2 Instance State-change Notification","source":"aws.ec2","account":"345678901234","time":"2026-11-30T12:00:00Z","region":"ap-northeast-1","resources":[],"detail":{"state":"terminated"}}`
	if _, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: created.QueueUrl, MessageBody: sdkaws.String(body)}); err != nil {
		t.Fatal(err)
	}
	q, err := orgaws.OpenQueue(ctx, cfg, "digest", orgaws.QueueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	counted := &extendCounter{Queue: q}
	sender := &slowSender{q: counted}
	router := events.NewRouter(&config.Org{Slack: config.OrgSlack{DefaultChannel: "C05PLATFORM1"}}, nil)
	d := &events.Drain{Queue: counted, Pipeline: &events.Pipeline{Router: router}, Sender: sender, Visibility: 3 * time.Second}
	rep, err := d.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if counted.extends.Load() == 0 || sender.sent != 1 || rep.Deleted != 1 {
		t.Errorf("extends %d, posts %d, report %+v", counted.extends.Load(), sender.sent, rep)
	}
}
