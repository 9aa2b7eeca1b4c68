package eventbridge_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"github.com/orgnotify/orgnotify/internal/awssim/awssimtest"
)

// TestRulesPerBus is W8: 300 rules per bus, 100 in af-south-1 and
// eu-south-1; updating an existing rule at the quota still works.
func TestRulesPerBus(t *testing.T) {
	ctx := context.Background()
	f := startFake(t)
	for region, quota := range map[string]int{"us-east-1": 300, "eu-south-1": 100, "af-south-1": 100} {
		t.Run(region, func(t *testing.T) {
			c := f.client(t, hubAccount, region)
			for i := 0; i < quota; i++ {
				_, err := c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String(fmt.Sprintf("r%03d", i)), EventPattern: aws.String(`{"source":["a"]}`)})
				awssimtest.WantCode(t, err, "")
			}
			_, err := c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("one-too-many"), EventPattern: aws.String(`{"source":["a"]}`)})
			awssimtest.WantCode(t, err, "LimitExceededException")
			_, err = c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("r000"), EventPattern: aws.String(`{"source":["b"]}`)})
			awssimtest.WantCode(t, err, "")
		})
	}
}

// patternOf returns a valid pattern of exactly n characters whose value
// repeats ch.
func patternOf(n int, ch string) string {
	const head, tail = `{"source":["`, `"]}`
	return head + strings.Repeat(ch, n-len(head)-len(tail)) + tail
}

func TestPatternLength(t *testing.T) {
	ctx := context.Background()
	f := startFake(t)
	c := f.client(t, hubAccount, "us-east-1")
	tests := []struct {
		name    string
		pattern string
		code    string
	}{
		{"2,048 characters", patternOf(2048, "a"), ""},
		{"2,049 characters", patternOf(2049, "a"), "LimitExceededException"},
		// Characters, not bytes: 2,048 characters that take 6,114 bytes.
		{"2,048 characters of which 2,033 take three bytes", patternOf(2048, "€"), ""},
		{"white space counts", strings.Replace(patternOf(2048, "a"), ":", ": ", 1), "LimitExceededException"},
		{"over the API's 4,096", patternOf(4097, "a"), "ValidationException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("r"), EventPattern: aws.String(tt.pattern)})
			awssimtest.WantCode(t, err, tt.code)
		})
	}
}

func TestScheduleAndTagLimits(t *testing.T) {
	ctx := context.Background()
	f := startFake(t)
	c := f.client(t, hubAccount, "us-east-1")
	tags := func(n int) []types.Tag {
		out := make([]types.Tag, n)
		for i := range out {
			out[i] = types.Tag{Key: aws.String(fmt.Sprintf("k%d", i)), Value: aws.String("v")}
		}
		return out
	}
	tests := []struct {
		name string
		call func() error
		code string
	}{
		{"rate(1 minute)", schedule(c, "rate(1 minute)"), ""},
		{"rate(5 minutes)", schedule(c, "rate(5 minutes)"), ""},
		{"rate(0 minutes)", schedule(c, "rate(0 minutes)"), "ValidationException"},
		{"rate(1 minutes)", schedule(c, "rate(1 minutes)"), "ValidationException"},
		{"rate(5 minute)", schedule(c, "rate(5 minute)"), "ValidationException"},
		{"PutRule with 50 tags", awssimtest.Call(ctx, c.PutRule, &eventbridge.PutRuleInput{Name: aws.String("t50"), EventPattern: aws.String(`{"source":["a"]}`), Tags: tags(50)}), ""},
		{"PutRule with 51 tags", awssimtest.Call(ctx, c.PutRule, &eventbridge.PutRuleInput{Name: aws.String("t51"), EventPattern: aws.String(`{"source":["a"]}`), Tags: tags(51)}), "LimitExceededException"},
		{"CreateEventBus with 51 tags", awssimtest.Call(ctx, c.CreateEventBus, &eventbridge.CreateEventBusInput{Name: aws.String("b51"), Tags: tags(51)}), "LimitExceededException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { awssimtest.WantCode(t, tt.call(), tt.code) })
	}
	if _, err := c.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String("t51")}); err == nil {
		t.Fatal("the refused rule exists")
	}
}

func schedule(c *eventbridge.Client, expr string) func() error {
	return func() error {
		_, err := c.PutRule(context.Background(), &eventbridge.PutRuleInput{Name: aws.String("tick"), ScheduleExpression: aws.String(expr)})
		return err
	}
}
