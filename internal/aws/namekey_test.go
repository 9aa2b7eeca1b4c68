package aws

import (
	"context"
	"testing"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/orgnotify/orgnotify/internal/awssim"
	"github.com/orgnotify/orgnotify/internal/awssim/awssimtest"
)

// TestNameKey: an alias already naming the new key (a retried CreateAlias
// whose first attempt succeeded) is success and the key stays; an alias
// taken by another key fails, and the new, unnamed key is scheduled for
// deletion.
func TestNameKey(t *testing.T) {
	env := awssimtest.Start(t, awssim.Seed{})
	cfg, err := LoadConfig(context.Background(), "us-east-1",
		config.WithBaseEndpoint(env.URL),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("AKIDCIROLE0000000000", "secret", "")))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	k := kms.NewFromConfig(cfg)
	newKey := func() *string {
		out, err := k.CreateKey(ctx, &kms.CreateKeyInput{})
		if err != nil {
			t.Fatal(err)
		}
		return out.KeyMetadata.KeyId
	}
	state := func(id *string) string {
		out, err := k.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: id})
		if err != nil {
			t.Fatal(err)
		}
		return string(out.KeyMetadata.KeyState)
	}

	named := newKey()
	if _, err := k.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: sdkaws.String("alias/orgnotify-events"), TargetKeyId: named}); err != nil {
		t.Fatal(err)
	}
	if err := nameKey(ctx, k, "alias/orgnotify-events", named); err != nil || state(named) != "Enabled" {
		t.Errorf("alias already on the key: err %v, key %s; want success, Enabled", err, state(named))
	}
	other := newKey()
	if err := nameKey(ctx, k, "alias/orgnotify-events", other); err == nil || state(other) != "PendingDeletion" || state(named) != "Enabled" {
		t.Errorf("alias on another key: err %v, new key %s, named key %s; want an error, PendingDeletion, Enabled", err, state(other), state(named))
	}
}
