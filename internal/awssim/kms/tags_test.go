package kms_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/orgnotify/orgnotify/internal/awssim/awssimtest"
)

// TestAliasesTakeNoTags is W5: TagResource and UntagResource name a key by
// key ID or key ARN; an alias name or alias ARN is refused and the key
// behind it stays untagged.
func TestAliasesTakeNoTags(t *testing.T) {
	ctx := context.Background()
	_, c := start(t)
	k := createKey(t, c, &kms.CreateKeyInput{})
	awssimtest.WantCall(t, c.CreateAlias, &kms.CreateAliasInput{AliasName: aws.String("alias/orgnotify"), TargetKeyId: k.KeyId}, "")
	tag := []kmstypes.Tag{{TagKey: aws.String("orgnotify:owner"), TagValue: aws.String("main")}}
	tests := []struct{ name, ref, code string }{
		{"alias name", "alias/orgnotify", "NotFoundException"},
		{"alias ARN", "arn:aws:kms:" + region + ":" + mgmt + ":alias/orgnotify", "NotFoundException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.TagResource(ctx, &kms.TagResourceInput{KeyId: aws.String(tt.ref), Tags: tag})
			awssimtest.WantCode(t, err, tt.code)
			_, err = c.UntagResource(ctx, &kms.UntagResourceInput{KeyId: aws.String(tt.ref), TagKeys: []string{"orgnotify:owner"}})
			awssimtest.WantCode(t, err, tt.code)
		})
	}
	out, err := c.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: k.KeyId})
	awssimtest.WantCode(t, err, "")
	if len(out.Tags) != 0 {
		t.Fatalf("key tags = %+v, want none", out.Tags)
	}
	for _, ref := range []string{aws.ToString(k.KeyId), aws.ToString(k.Arn)} {
		awssimtest.WantCall(t, c.TagResource, &kms.TagResourceInput{KeyId: aws.String(ref), Tags: tag}, "")
	}
}

// TestCreateKeyWith51Tags: the tag quota applies on create too.
func TestCreateKeyWith51Tags(t *testing.T) {
	_, c := start(t)
	tags := make([]kmstypes.Tag, 51)
	for i := range tags {
		tags[i] = kmstypes.Tag{TagKey: aws.String(fmt.Sprintf("k%d", i)), TagValue: aws.String("v")}
	}
	_, err := c.CreateKey(context.Background(), &kms.CreateKeyInput{Tags: tags})
	awssimtest.WantCode(t, err, "TagException")
	_, err = c.CreateKey(context.Background(), &kms.CreateKeyInput{Tags: tags[:50]})
	awssimtest.WantCode(t, err, "")
}
