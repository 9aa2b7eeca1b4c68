package kms_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/orgnotify/orgnotify/internal/awssim/awssimtest"
)

// Audit tests: ListResourceTags (pagination and errors), TagResource's tag
// limit, and the error paths of GetKeyRotationStatus and EnableKeyRotation.

const missingKey = "1234abcd-12ab-34cd-56ef-1234567890ab"

func TestAuditListResourceTags(t *testing.T) {
	_, c := start(t)
	ctx := context.Background()
	id := createKey(t, c, &kms.CreateKeyInput{Tags: []kmstypes.Tag{
		{TagKey: aws.String("a"), TagValue: aws.String("1")},
		{TagKey: aws.String("b"), TagValue: aws.String("2")},
		{TagKey: aws.String("c"), TagValue: aws.String("3")},
	}}).KeyId

	var got []string
	var truncated []bool
	in := &kms.ListResourceTagsInput{KeyId: id, Limit: aws.Int32(2)}
	for pages := 0; pages < 5; pages++ {
		out, err := c.ListResourceTags(ctx, in)
		awssimtest.WantCode(t, err, "")
		truncated = append(truncated, out.Truncated)
		for _, tg := range out.Tags {
			got = append(got, aws.ToString(tg.TagKey)+"="+aws.ToString(tg.TagValue))
		}
		if out.NextMarker == nil {
			break
		}
		in.Marker = out.NextMarker
	}
	if fmt.Sprint(got) != "[a=1 b=2 c=3]" || fmt.Sprint(truncated) != "[true false]" {
		t.Errorf("pages gave %v, truncated %v; want [a=1 b=2 c=3], [true false]", got, truncated)
	}

	tests := []struct {
		name string
		in   kms.ListResourceTagsInput
		code string
	}{
		{"missing key", kms.ListResourceTagsInput{KeyId: aws.String(missingKey)}, "NotFoundException"},
		{"alias that does not exist", kms.ListResourceTagsInput{KeyId: aws.String("alias/nope")}, "NotFoundException"},
		{"limit 0", kms.ListResourceTagsInput{KeyId: id, Limit: aws.Int32(0)}, "ValidationException"},
		{"limit 101", kms.ListResourceTagsInput{KeyId: id, Limit: aws.Int32(101)}, "ValidationException"},
		{"forged marker", kms.ListResourceTagsInput{KeyId: id, Marker: aws.String("forged")}, "InvalidMarkerException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.ListResourceTags(ctx, &tt.in)
			awssimtest.WantCode(t, err, tt.code)
		})
	}
}

func TestAuditTagResourceLimit(t *testing.T) {
	_, c := start(t)
	ctx := context.Background()
	tags := []kmstypes.Tag{{TagKey: aws.String("keep"), TagValue: aws.String("original")}}
	for i := range 49 {
		tags = append(tags, kmstypes.Tag{TagKey: aws.String(fmt.Sprintf("k%02d", i)), TagValue: aws.String("v")})
	}
	id := createKey(t, c, &kms.CreateKeyInput{Tags: tags}).KeyId
	list := func(t *testing.T) string {
		t.Helper()
		out, err := c.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: id, Limit: aws.Int32(100)})
		awssimtest.WantCode(t, err, "")
		kv := make([]string, 0, len(out.Tags))
		for _, tg := range out.Tags {
			kv = append(kv, aws.ToString(tg.TagKey)+"="+aws.ToString(tg.TagValue))
		}
		slices.Sort(kv)
		return strings.Join(kv, ",")
	}
	before := list(t)
	if n := strings.Count(before, ",") + 1; n != 50 {
		t.Fatalf("key has %d tags, want 50", n)
	}
	tests := []struct {
		name string
		ref  *string
		tags []kmstypes.Tag
		code string
	}{
		{"51st tag", id, []kmstypes.Tag{{TagKey: aws.String("extra"), TagValue: aws.String("1")}}, "TagException"},
		{"51st tag with an overwrite", id, []kmstypes.Tag{{TagKey: aws.String("keep"), TagValue: aws.String("changed")}, {TagKey: aws.String("extra"), TagValue: aws.String("1")}}, "TagException"},
		{"duplicate keys in one call", id, []kmstypes.Tag{{TagKey: aws.String("keep"), TagValue: aws.String("x")}, {TagKey: aws.String("keep"), TagValue: aws.String("y")}}, "TagException"},
		{"missing key", aws.String(missingKey), []kmstypes.Tag{{TagKey: aws.String("a"), TagValue: aws.String("1")}}, "NotFoundException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.TagResource(ctx, &kms.TagResourceInput{KeyId: tt.ref, Tags: tt.tags})
			awssimtest.WantCode(t, err, tt.code)
			if got := list(t); got != before {
				t.Errorf("tags after a failed TagResource:\n got %s\nwant %s", got, before)
			}
		})
	}
}

func TestAuditKeyRotationErrors(t *testing.T) {
	_, c := start(t)
	ctx := context.Background()
	managed, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/aws/sns")})
	awssimtest.WantCode(t, err, "")
	tests := []struct {
		name string
		call func() error
		code string
	}{
		{"GetKeyRotationStatus of a missing key", awssimtest.Call(ctx, c.GetKeyRotationStatus, &kms.GetKeyRotationStatusInput{KeyId: aws.String(missingKey)}), "NotFoundException"},
		{"EnableKeyRotation of a missing key", awssimtest.Call(ctx, c.EnableKeyRotation, &kms.EnableKeyRotationInput{KeyId: aws.String(missingKey)}), "NotFoundException"},
		{"EnableKeyRotation over 2560 days", func() error {
			id := createKey(t, c, &kms.CreateKeyInput{}).KeyId
			_, err := c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: id, RotationPeriodInDays: aws.Int32(2561)})
			return err
		}, "ValidationException"},
		// The managed key's policy grants the account no kms:EnableKeyRotation,
		// so the policy check answers before the "AWS rotates it" check.
		{"EnableKeyRotation of an AWS-managed key", awssimtest.Call(ctx, c.EnableKeyRotation, &kms.EnableKeyRotationInput{KeyId: managed.KeyMetadata.KeyId}), "AccessDeniedException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { awssimtest.WantCode(t, tt.call(), tt.code) })
	}

	// A key with rotation enabled at the default period reports 365 days.
	id := createKey(t, c, &kms.CreateKeyInput{}).KeyId
	awssimtest.WantCall(t, c.EnableKeyRotation, &kms.EnableKeyRotationInput{KeyId: id}, "")
	st, err := c.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: id})
	awssimtest.WantCode(t, err, "")
	if !st.KeyRotationEnabled || aws.ToInt32(st.RotationPeriodInDays) != 365 {
		t.Errorf("rotation enabled %v every %d days, want true, 365", st.KeyRotationEnabled, aws.ToInt32(st.RotationPeriodInDays))
	}
}
