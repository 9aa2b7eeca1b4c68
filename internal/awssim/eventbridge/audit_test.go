package eventbridge_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"github.com/orgnotify/orgnotify/internal/awssim/awssimtest"
)

// Audit tests: error paths of RemoveTargets, DeleteRule, TagResource and
// ListTagsForResource that the API tests do not reach.

func TestAuditRemoveTargetsAndDeleteRuleErrors(t *testing.T) {
	ctx := context.Background()
	c := startFake(t).client(t, hubAccount, "us-east-1")
	if _, err := c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("r"), EventPattern: aws.String(`{"source":["a"]}`)}); err != nil {
		t.Fatal(err)
	}
	tooMany := make([]string, 101)
	for i := range tooMany {
		tooMany[i] = fmt.Sprintf("t%d", i)
	}
	tests := []struct {
		name string
		call func() error
		code string
	}{
		{"RemoveTargets on a missing rule", awssimtest.Call(ctx, c.RemoveTargets, &eventbridge.RemoveTargetsInput{Rule: aws.String("nope"), Ids: []string{"t"}}), "ResourceNotFoundException"},
		{"RemoveTargets on a missing bus", awssimtest.Call(ctx, c.RemoveTargets, &eventbridge.RemoveTargetsInput{Rule: aws.String("r"), EventBusName: aws.String("nope"), Ids: []string{"t"}}), "ResourceNotFoundException"},
		{"RemoveTargets with 101 IDs", awssimtest.Call(ctx, c.RemoveTargets, &eventbridge.RemoveTargetsInput{Rule: aws.String("r"), Ids: tooMany}), "ValidationException"},
		{"DeleteRule of a missing rule succeeds", awssimtest.Call(ctx, c.DeleteRule, &eventbridge.DeleteRuleInput{Name: aws.String("never-created")}), ""},
		{"DeleteRule on a missing bus", awssimtest.Call(ctx, c.DeleteRule, &eventbridge.DeleteRuleInput{Name: aws.String("r"), EventBusName: aws.String("nope")}), "ResourceNotFoundException"},
		{"DeleteRule with an invalid name", awssimtest.Call(ctx, c.DeleteRule, &eventbridge.DeleteRuleInput{Name: aws.String("bad name")}), "ValidationException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { awssimtest.WantCode(t, tt.call(), tt.code) })
	}
	// The rule the failed calls named is still there.
	d, err := c.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String("r")})
	awssimtest.WantCode(t, err, "")
	if aws.ToString(d.Name) != "r" {
		t.Errorf("DescribeRule Name = %q, want r", aws.ToString(d.Name))
	}
}

func TestAuditTagResourceErrors(t *testing.T) {
	ctx := context.Background()
	c := startFake(t).client(t, hubAccount, "us-east-1")
	rule, err := c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("r"), EventPattern: aws.String(`{"source":["a"]}`),
		Tags: []types.Tag{{Key: aws.String("keep"), Value: aws.String("original")}}})
	awssimtest.WantCode(t, err, "")
	ruleARN := aws.ToString(rule.RuleArn)
	tag := func(k, v string) types.Tag { return types.Tag{Key: aws.String(k), Value: aws.String(v)} }
	tagsOf := func(t *testing.T, arn string) string {
		t.Helper()
		out, err := c.ListTagsForResource(ctx, &eventbridge.ListTagsForResourceInput{ResourceARN: aws.String(arn)})
		awssimtest.WantCode(t, err, "")
		kv := make([]string, 0, len(out.Tags))
		for _, tg := range out.Tags {
			kv = append(kv, aws.ToString(tg.Key)+"="+aws.ToString(tg.Value))
		}
		slices.Sort(kv)
		return strings.Join(kv, ",")
	}

	// 49 more tags bring the rule to 50, the limit.
	var fill []types.Tag
	for i := range 49 {
		fill = append(fill, tag(fmt.Sprintf("k%02d", i), "v"))
	}
	awssimtest.WantCall(t, c.TagResource, &eventbridge.TagResourceInput{ResourceARN: aws.String(ruleARN), Tags: fill}, "")
	before := tagsOf(t, ruleARN)
	if n := strings.Count(before, ",") + 1; n != 50 {
		t.Fatalf("rule has %d tags, want 50", n)
	}

	tests := []struct {
		name string
		arn  string
		tags []types.Tag
		code string
	}{
		{"rule that does not exist", "arn:aws:events:us-east-1:" + hubAccount + ":rule/nope", []types.Tag{tag("a", "1")}, "ResourceNotFoundException"},
		{"bus that does not exist", "arn:aws:events:us-east-1:" + hubAccount + ":event-bus/nope", []types.Tag{tag("a", "1")}, "ResourceNotFoundException"},
		{"another account's rule", "arn:aws:events:us-east-1:" + memberAccount + ":rule/r", []types.Tag{tag("a", "1")}, "AccessDeniedException"},
		{"not an events ARN", "arn:aws:sqs:us-east-1:" + hubAccount + ":q", []types.Tag{tag("a", "1")}, "ValidationException"},
		{"51st tag", ruleARN, []types.Tag{tag("extra", "1")}, "LimitExceededException"},
		// Overwriting an existing key together with a new one must leave
		// the existing value alone when the call fails.
		{"51st tag with an overwrite", ruleARN, []types.Tag{tag("keep", "changed"), tag("extra", "1")}, "LimitExceededException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.TagResource(ctx, &eventbridge.TagResourceInput{ResourceARN: aws.String(tt.arn), Tags: tt.tags})
			awssimtest.WantCode(t, err, tt.code)
			if got := tagsOf(t, ruleARN); got != before {
				t.Errorf("tags after a failed TagResource:\n got %s\nwant %s", got, before)
			}
		})
	}

	listErrors := []struct{ name, arn, code string }{
		{"malformed ARN", "not-an-arn", "ValidationException"},
		{"another account's bus", "arn:aws:events:us-east-1:" + memberAccount + ":event-bus/default", "AccessDeniedException"},
		{"missing bus", "arn:aws:events:us-east-1:" + hubAccount + ":event-bus/nope", "ResourceNotFoundException"},
	}
	for _, tt := range listErrors {
		t.Run("ListTagsForResource/"+tt.name, func(t *testing.T) {
			_, err := c.ListTagsForResource(ctx, &eventbridge.ListTagsForResourceInput{ResourceARN: aws.String(tt.arn)})
			awssimtest.WantCode(t, err, tt.code)
		})
	}
}
