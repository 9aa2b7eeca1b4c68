package eventbridge_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/orgnotify/orgnotify/internal/awssim/awssimtest"
)

func TestPutTargetsRetryPolicyAndDeadLetterConfig(t *testing.T) {
	ctx := context.Background()
	env := awssimtest.Start(t, orgSeed())
	c := eventbridge.NewFromConfig(env.Config(t, "us-east-1"))
	_, err := c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("r"), EventPattern: aws.String(`{"source":["app"]}`)})
	awssimtest.WantCode(t, err, "")
	queueARN := "arn:aws:sqs:us-east-1:" + hubAccount + ":dlq"
	topicARN := "arn:aws:sns:us-east-1:" + hubAccount + ":t"
	retry := func(attempts, age int32) *types.RetryPolicy {
		return &types.RetryPolicy{MaximumRetryAttempts: aws.Int32(attempts), MaximumEventAgeInSeconds: aws.Int32(age)}
	}
	dlq := func(arn string) *types.DeadLetterConfig { return &types.DeadLetterConfig{Arn: aws.String(arn)} }
	tests := []struct {
		name     string
		target   types.Target
		code     string // request error
		rejected bool   // a FailedEntries entry
	}{
		{"both limits at their minimum", types.Target{RetryPolicy: retry(0, 60), DeadLetterConfig: dlq(queueARN)}, "", false},
		{"both limits at their maximum", types.Target{RetryPolicy: retry(185, 86400)}, "", false},
		{"186 attempts", types.Target{RetryPolicy: retry(186, 3600)}, "ValidationException", false},
		{"negative attempts", types.Target{RetryPolicy: retry(-1, 3600)}, "ValidationException", false},
		{"59 seconds", types.Target{RetryPolicy: retry(3, 59)}, "ValidationException", false},
		{"86,401 seconds", types.Target{RetryPolicy: retry(3, 86401)}, "ValidationException", false},
		{"dead-letter queue that is a topic", types.Target{DeadLetterConfig: dlq(topicARN)}, "", true},
		{"dead-letter queue in another Region", types.Target{DeadLetterConfig: dlq("arn:aws:sqs:eu-west-1:" + hubAccount + ":dlq")}, "", true},
		{"dead-letter queue ARN malformed", types.Target{DeadLetterConfig: dlq("dlq")}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.target.Id, tt.target.Arn = aws.String("t"), aws.String(topicARN)
			out, err := c.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("r"), Targets: []types.Target{tt.target}})
			awssimtest.WantCode(t, err, tt.code)
			if err == nil && (out.FailedEntryCount == 1) != tt.rejected {
				t.Fatalf("FailedEntries = %+v, want rejected %v", out.FailedEntries, tt.rejected)
			}
		})
	}
	// What was accepted comes back as put.
	_, err = c.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("r"), Targets: []types.Target{
		{Id: aws.String("t"), Arn: aws.String(topicARN), RetryPolicy: retry(4, 600), DeadLetterConfig: dlq(queueARN)}}})
	awssimtest.WantCode(t, err, "")
	got, err := c.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: aws.String("r")})
	awssimtest.WantCode(t, err, "")
	tg := got.Targets[0]
	if aws.ToInt32(tg.RetryPolicy.MaximumRetryAttempts) != 4 || aws.ToInt32(tg.RetryPolicy.MaximumEventAgeInSeconds) != 600 || aws.ToString(tg.DeadLetterConfig.Arn) != queueARN {
		t.Fatalf("target = %+v", tg)
	}
}

// TestFailedDeliveryGoesToDeadLetterQueue is W4: a delivery refused by the
// target reaches the target's dead-letter queue only if the queue policy
// lets events.amazonaws.com send for this rule; otherwise it is dropped,
// and the failed invocation says so.
func TestFailedDeliveryGoesToDeadLetterQueue(t *testing.T) {
	ctx := context.Background()
	env := awssimtest.Start(t, orgSeed())
	cfg := env.Config(t, "us-east-1")
	c := eventbridge.NewFromConfig(cfg)
	sq := sqs.NewFromConfig(cfg)
	// A topic without a policy for events.amazonaws.com: every delivery fails.
	topic, err := sns.NewFromConfig(cfg).CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("closed")})
	awssimtest.Must(t, err, "sns CreateTopic")
	rule, err := c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("r"), EventPattern: aws.String(`{"source":["app"]}`)})
	awssimtest.WantCode(t, err, "")
	ruleARN := aws.ToString(rule.RuleArn)

	goodURL, goodARN := queue(t, sq, "dlq-good", "events.amazonaws.com", ruleARN)
	otherURL, otherARN := queue(t, sq, "dlq-other-rule", "events.amazonaws.com", "arn:aws:events:us-east-1:"+hubAccount+":rule/other")
	tests := []struct {
		name, dlqURL, dlqARN string
		want                 string // DeadLetter of the failed invocation
	}{
		{"queue policy allows the rule", goodURL, goodARN, "sent"},
		{"queue policy allows another rule", otherURL, otherARN, "failed: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env.Sim.EventBridge.ResetFailedInvocations()
			_, err := c.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("r"), Targets: []types.Target{{Id: aws.String("t"), Arn: topic.TopicArn,
				DeadLetterConfig: &types.DeadLetterConfig{Arn: aws.String(tt.dlqARN)}, RetryPolicy: &types.RetryPolicy{MaximumRetryAttempts: aws.Int32(3)}}}})
			awssimtest.WantCode(t, err, "")
			id := putOne(t, c, "", "app", "x", `{"n":1}`)
			fs := failedInvocations(t, env)
			if len(fs) != 1 || !strings.HasPrefix(fs[0].DeadLetter, tt.want) || fs[0].EventID != id {
				t.Fatalf("failed invocations = %+v, want one with dead letter %q", fs, tt.want)
			}
			out, err := sq.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(tt.dlqURL), MaxNumberOfMessages: 10, MessageAttributeNames: []string{"All"}})
			awssimtest.Must(t, err, "sqs ReceiveMessage")
			if tt.want != "sent" {
				if len(out.Messages) != 0 {
					t.Fatalf("dead-letter queue got %d messages; its policy does not admit the rule", len(out.Messages))
				}
				return
			}
			if len(out.Messages) != 1 {
				t.Fatalf("dead-letter queue got %d messages, want 1", len(out.Messages))
			}
			m := out.Messages[0]
			if ev := decode(t, aws.ToString(m.Body)); ev["id"] != id {
				t.Errorf("dead-letter body = %s, want the event %s", aws.ToString(m.Body), id)
			}
			attr := func(k string) string {
				v, ok := m.MessageAttributes[k]
				if !ok {
					return "<missing>"
				}
				return aws.ToString(v.StringValue)
			}
			want := map[string]string{"RULE_ARN": ruleARN, "TARGET_ARN": aws.ToString(topic.TopicArn), "ERROR_CODE": "NO_PERMISSIONS",
				"RETRY_ATTEMPTS": "0", "EXHAUSTED_RETRY_CONDITION": "MaximumRetryAttempts"}
			for k, v := range want {
				if attr(k) != v {
					t.Errorf("attribute %s = %q, want %q", k, attr(k), v)
				}
			}
			if !strings.Contains(attr("ERROR_MESSAGE"), "AuthorizationError") {
				t.Errorf("ERROR_MESSAGE = %q", attr("ERROR_MESSAGE"))
			}
		})
	}
	if m := env.Sim.EventBridge.Metrics(ruleARN); m.Failed != 2 || m.SentToDLQ != 1 || m.FailedToDLQ != 1 {
		t.Fatalf("metrics = %+v, want 2 failed, 1 sent to the DLQ, 1 refused by it", m)
	}
}
