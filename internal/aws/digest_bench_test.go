package aws_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	orgaws "github.com/orgnotify/orgnotify/internal/aws"
	"github.com/orgnotify/orgnotify/internal/awssim"
	"github.com/orgnotify/orgnotify/internal/awssim/awssimtest"
	"github.com/orgnotify/orgnotify/internal/awssim/org"
	"github.com/orgnotify/orgnotify/internal/config"
	"github.com/orgnotify/orgnotify/internal/events"
	osl "github.com/orgnotify/orgnotify/internal/slack"
	"github.com/orgnotify/orgnotify/internal/slack/slackserver"
)

// BenchmarkDrain10000Events500Accounts drains 10,000 queued stack failures
// of 500 accounts (one channel each) through the real SQS client against
// awssim and the real slack-go client against the local Slack API, and
// reports Slack messages posted (top-level and thread replies) and SQS
// calls per drain; ns/op is the wall time. Slack's one-message-per-second
// pacing per channel is set to 1 ms here: the figure is orgnotify's own
// cost, the pacing is Slack's.
func BenchmarkDrain10000Events500Accounts(b *testing.B) {
	const (
		accounts = 500
		perAcct  = 20
		region   = "ap-northeast-1"
	)
	ctx := context.Background()
	env := awssimtest.Start(b, awssim.Seed{Organization: org.Seed{ManagementAccount: "111122223333", OrganizationID: "o-a1b2c3d4e5"}})
	cfg := env.Config(b, region)
	c := sqs.NewFromConfig(cfg)
	if _, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: sdkaws.String("orgnotify-digest")}); err != nil {
		b.Fatal(err)
	}
	q, err := orgaws.OpenQueue(ctx, cfg, "orgnotify-digest", orgaws.QueueOptions{})
	if err != nil {
		b.Fatal(err)
	}

	org := &config.Org{Slack: config.OrgSlack{DefaultChannel: "CPLATFORM01"}}
	var accts []*config.Account
	channels := []string{"CPLATFORM01"}
	for i := range accounts {
		ch := fmt.Sprintf("C%010d", i)
		channels = append(channels, ch)
		accts = append(accts, &config.Account{ID: fmt.Sprintf("%012d", 100000000000+i), Name: fmt.Sprintf("acct-%03d", i),
			Slack:  config.Slack{Channels: []string{ch}},
			Events: &config.Events{StackFailures: &config.StackFailures{Statuses: config.DefaultStackStatuses, Route: config.Route{Channels: []string{ch}}}}})
	}
	slack := slackserver.Start(b, "xoxb-bench", channels...)
	sender := osl.New("xoxb-bench", osl.Options{APIURL: slack.URL, Interval: time.Millisecond})

	fill := func() {
		at := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
		var entries []sqstypes.SendMessageBatchRequestEntry
		flush := func() {
			if len(entries) == 0 {
				return
			}
			if _, err := c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: sdkaws.String(qURL(b, c)), Entries: entries}); err != nil {
				b.Fatal(err)
			}
			entries = entries[:0]
		}
		for i := range accounts * perAcct {
			a := accts[i%accounts]
			arn := fmt.Sprintf("arn:aws:cloudformation:%s:%s:stack/app-%d/5b5a1c20-8f4d-11ef-9a1b-0a1b2c3d4e5f", region, a.ID, i)
			body, _ := json.Marshal(map[string]any{"version": "0", "id": fmt.Sprintf("bench-%d", i), "detail-type": "CloudFormation Stack Status Change",
				"source": "aws.cloudformation", "account": a.ID, "time": at.Add(time.Duration(i) * time.Second).Format(time.RFC3339), "region": region,
				"resources": []string{arn}, "detail": map[string]any{"stack-id": arn, "status-details": map[string]any{"status": "UPDATE_ROLLBACK_FAILED", "status-reason": "resource failed"}}})
			entries = append(entries, sqstypes.SendMessageBatchRequestEntry{Id: sdkaws.String(fmt.Sprint(len(entries))), MessageBody: sdkaws.String(string(body))})
			if len(entries) == 10 {
				flush()
			}
		}
		flush()
	}

	var posted, sqsCalls, deleted int
	for b.Loop() {
		b.StopTimer()
		fill()
		before := q.Calls()
		postsBefore := len(slack.Posts())
		b.StartTimer()
		d := &events.Drain{Queue: q, Pipeline: &events.Pipeline{Router: events.NewRouter(org, accts)}, Sender: sender}
		rep, err := d.Run(ctx)
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		posted += len(slack.Posts()) - postsBefore
		sqsCalls += int(q.Calls() - before)
		deleted += rep.Deleted
		if rep.Deleted != accounts*perAcct || rep.Posted != accounts {
			b.Fatalf("report %+v", rep)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(posted)/float64(b.N), "slack-msgs/op")
	b.ReportMetric(float64(sqsCalls)/float64(b.N), "sqs-calls/op")
	b.ReportMetric(float64(deleted)/float64(b.N), "events/op")
}

func qURL(b *testing.B, c *sqs.Client) string {
	out, err := c.GetQueueUrl(context.Background(), &sqs.GetQueueUrlInput{QueueName: sdkaws.String("orgnotify-digest")})
	if err != nil {
		b.Fatal(err)
	}
	return sdkaws.ToString(out.QueueUrl)
}
