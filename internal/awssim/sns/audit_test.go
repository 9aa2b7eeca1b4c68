package sns_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"

	"github.com/orgnotify/orgnotify/internal/awssim/awssimtest"
)

// Audit tests: error paths of ListTopics, TagResource, SetTopicAttributes
// and ListSubscriptionsByTopic, and the stored FilterPolicyScope, that the
// other tests do not reach.

func TestAuditListTopicsErrors(t *testing.T) {
	f := start(t)
	ctx := context.Background()
	f.topic(t, "only", nil)
	out, err := f.sns.ListTopics(ctx, &sns.ListTopicsInput{})
	awssimtest.WantCode(t, err, "")
	if len(out.Topics) != 1 || aws.ToString(out.Topics[0].TopicArn) != "arn:aws:sns:"+region+":"+mgmt+":only" || out.NextToken != nil {
		t.Errorf("ListTopics = %+v next %v", out.Topics, out.NextToken)
	}
	tests := []struct{ name, token string }{
		{"not base64", "!!"},
		{"not a number", "YWJj"}, // "abc"
		{"past the end", "OTk5"}, // "999"
		{"negative", "LTE"},      // "-1"
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			awssimtest.WantCall(t, f.sns.ListTopics, &sns.ListTopicsInput{NextToken: aws.String(tt.token)}, "InvalidParameter")
		})
	}
}

func TestAuditTagResourceErrors(t *testing.T) {
	f := start(t)
	ctx := context.Background()
	arn := f.topic(t, "tagged", nil)
	tag := func(k, v string) types.Tag { return types.Tag{Key: aws.String(k), Value: aws.String(v)} }
	var fill []types.Tag
	for i := range 49 {
		fill = append(fill, tag(fmt.Sprintf("k%02d", i), "v"))
	}
	fill = append(fill, tag("keep", "original"))
	awssimtest.WantCall(t, f.sns.TagResource, &sns.TagResourceInput{ResourceArn: aws.String(arn), Tags: fill}, "")
	tagsOf := func(t *testing.T) string {
		t.Helper()
		out, err := f.sns.ListTagsForResource(ctx, &sns.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
		awssimtest.WantCode(t, err, "")
		kv := make([]string, 0, len(out.Tags))
		for _, tg := range out.Tags {
			kv = append(kv, aws.ToString(tg.Key)+"="+aws.ToString(tg.Value))
		}
		return strings.Join(kv, ",")
	}
	before := tagsOf(t)
	if n := strings.Count(before, ",") + 1; n != 50 || !strings.Contains(before, "keep=original") {
		t.Fatalf("topic has %d tags (%s), want 50 with keep=original", n, before)
	}

	tests := []struct {
		name string
		arn  string
		tags []types.Tag
		code string
	}{
		{"missing topic", arn + "-ghost", []types.Tag{tag("a", "1")}, "ResourceNotFound"},
		{"reserved aws: key", arn, []types.Tag{tag("aws:x", "1")}, "InvalidParameter"},
		{"key longer than 128", arn, []types.Tag{tag(strings.Repeat("k", 129), "1")}, "InvalidParameter"},
		{"51st tag", arn, []types.Tag{tag("extra", "1")}, "TagLimitExceeded"},
		{"51st tag with an overwrite", arn, []types.Tag{tag("keep", "changed"), tag("extra", "1")}, "TagLimitExceeded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.sns.TagResource(ctx, &sns.TagResourceInput{ResourceArn: aws.String(tt.arn), Tags: tt.tags})
			awssimtest.WantCode(t, err, tt.code)
			if got := tagsOf(t); got != before {
				t.Errorf("tags after a failed TagResource:\n got %s\nwant %s", got, before)
			}
		})
	}
	// Overwriting within the limit succeeds.
	awssimtest.WantCall(t, f.sns.TagResource, &sns.TagResourceInput{ResourceArn: aws.String(arn), Tags: []types.Tag{tag("keep", "changed")}}, "")
	if got := tagsOf(t); !strings.Contains(got, "keep=changed") || strings.Count(got, ",") != 49 {
		t.Errorf("tags after an overwrite = %s", got)
	}
}

func TestAuditSetTopicAttributesErrors(t *testing.T) {
	f := start(t)
	ctx := context.Background()
	arn := f.topic(t, "attrs", map[string]string{"DisplayName": "before", "KmsMasterKeyId": "alias/orgnotify"})
	tests := []struct {
		name, topic, attr, value, code string
	}{
		{"missing topic", arn + "-ghost", "DisplayName", "x", "NotFound"},
		{"display name of 101 characters", arn, "DisplayName", strings.Repeat("d", 101), "InvalidParameter"},
		{"empty policy", arn, "Policy", "", "InvalidParameter"},
		{"policy that is not JSON", arn, "Policy", "{", "InvalidParameter"},
		{"FifoTopic after creation", arn, "FifoTopic", "true", "InvalidParameter"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.sns.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: aws.String(tt.topic),
				AttributeName: aws.String(tt.attr), AttributeValue: aws.String(tt.value)})
			awssimtest.WantCode(t, err, tt.code)
		})
	}
	got, err := f.sns.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(arn)})
	awssimtest.WantCode(t, err, "")
	if got.Attributes["DisplayName"] != "before" || got.Attributes["KmsMasterKeyId"] != "alias/orgnotify" {
		t.Errorf("attributes after failed sets: DisplayName %q KmsMasterKeyId %q", got.Attributes["DisplayName"], got.Attributes["KmsMasterKeyId"])
	}

	// An empty KmsMasterKeyId turns encryption off.
	awssimtest.WantCall(t, f.sns.SetTopicAttributes, &sns.SetTopicAttributesInput{TopicArn: aws.String(arn), AttributeName: aws.String("KmsMasterKeyId"), AttributeValue: aws.String("")}, "")
	got, err = f.sns.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(arn)})
	awssimtest.WantCode(t, err, "")
	if v, ok := got.Attributes["KmsMasterKeyId"]; ok {
		t.Errorf("KmsMasterKeyId after clearing = %q, want absent", v)
	}
}

func TestAuditSubscriptionFilterAttributes(t *testing.T) {
	f := start(t)
	ctx := context.Background()
	arn := f.topic(t, "filtered", nil)
	q := "arn:aws:sqs:" + region + ":" + mgmt + ":q"
	tests := []struct {
		name      string
		endpoint  string
		attrs     map[string]string
		wantScope string
	}{
		{"policy alone defaults to attributes scope", q + "1", map[string]string{"FilterPolicy": `{"severity":["HIGH"]}`}, "MessageAttributes"},
		{"body scope", q + "2", map[string]string{"FilterPolicy": `{"detail":{"status":["FAILED"]}}`, "FilterPolicyScope": "MessageBody"}, "MessageBody"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sub := f.subscribe(t, arn, tt.endpoint, tt.attrs)
			out, err := f.sns.GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: aws.String(sub)})
			awssimtest.WantCode(t, err, "")
			if out.Attributes["FilterPolicy"] != tt.attrs["FilterPolicy"] || out.Attributes["FilterPolicyScope"] != tt.wantScope {
				t.Errorf("FilterPolicy %q scope %q, want %q %q", out.Attributes["FilterPolicy"], out.Attributes["FilterPolicyScope"], tt.attrs["FilterPolicy"], tt.wantScope)
			}
		})
	}

	awssimtest.WantCall(t, f.sns.ListSubscriptionsByTopic, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(arn + "-ghost")}, "NotFound")
	awssimtest.WantCall(t, f.sns.Unsubscribe, &sns.UnsubscribeInput{SubscriptionArn: aws.String(arn + ":00000000-0000-0000-0000-000000000000")}, "NotFound")
}
