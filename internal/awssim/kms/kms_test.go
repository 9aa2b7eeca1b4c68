package kms_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/orgnotify/orgnotify/internal/awssim/awssimtest"
	"github.com/orgnotify/orgnotify/internal/awssim/handoff"
	simkms "github.com/orgnotify/orgnotify/internal/awssim/kms"
	"github.com/orgnotify/orgnotify/internal/awssim/org"
)

const (
	mgmt   = "111111111111"
	member = "222222222222"
	region = "us-east-1"
)

func start(t *testing.T) (*awssimtest.Env, *kms.Client) {
	t.Helper()
	env := awssimtest.StartOrg(t, mgmt, org.Account{ID: member})
	return env, kms.NewFromConfig(env.Config(t, region))
}

func createKey(t *testing.T, c *kms.Client, in *kms.CreateKeyInput) *kmstypes.KeyMetadata {
	t.Helper()
	out, err := c.CreateKey(context.Background(), in)
	awssimtest.WantCode(t, err, "")
	return out.KeyMetadata
}

// eventsKeyPolicy is the policy orgnotify gives its key: the account
// administers it, EventBridge and SNS may encrypt and decrypt with it.
func eventsKeyPolicy(account string) string {
	return `{"Version":"2012-10-17","Statement":[
 {"Sid":"Admin","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:root"},"Action":"kms:*","Resource":"*"},
 {"Sid":"Services","Effect":"Allow","Principal":{"Service":["events.amazonaws.com","sns.amazonaws.com"]},
  "Action":["kms:Decrypt","kms:GenerateDataKey*"],"Resource":"*"}]}`
}

func TestCreateAndDescribeKey(t *testing.T) {
	_, c := start(t)
	ctx := context.Background()
	k := createKey(t, c, &kms.CreateKeyInput{Description: aws.String("orgnotify events"),
		Tags: []kmstypes.Tag{{TagKey: aws.String("orgnotify:owner"), TagValue: aws.String("platform")}}})
	id := aws.ToString(k.KeyId)
	if got, want := aws.ToString(k.Arn), "arn:aws:kms:"+region+":"+mgmt+":key/"+id; got != want {
		t.Errorf("Arn = %s, want %s", got, want)
	}
	if len(id) != 36 || k.KeyManager != kmstypes.KeyManagerTypeCustomer || k.KeyState != kmstypes.KeyStateEnabled ||
		k.KeyUsage != kmstypes.KeyUsageTypeEncryptDecrypt || k.KeySpec != kmstypes.KeySpecSymmetricDefault ||
		!k.Enabled || aws.ToString(k.AWSAccountId) != mgmt || aws.ToString(k.Description) != "orgnotify events" || k.CreationDate == nil {
		t.Errorf("metadata = %+v", k)
	}
	pol, err := c.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: aws.String(id)})
	awssimtest.WantCode(t, err, "")
	if aws.ToString(pol.Policy) != simkms.DefaultKeyPolicy(mgmt) || aws.ToString(pol.PolicyName) != "default" {
		t.Errorf("default policy = %s", aws.ToString(pol.Policy))
	}
	awssimtest.WantCall(t, c.CreateAlias, &kms.CreateAliasInput{AliasName: aws.String("alias/orgnotify"), TargetKeyId: aws.String(id)}, "")

	refs := []struct{ name, ref, code string }{
		{"key ID", id, ""},
		{"key ARN", aws.ToString(k.Arn), ""},
		{"alias name", "alias/orgnotify", ""},
		{"alias ARN", "arn:aws:kms:" + region + ":" + mgmt + ":alias/orgnotify", ""},
		{"unknown alias", "alias/nope", "NotFoundException"},
		{"unknown key", "1234abcd-12ab-34cd-56ef-1234567890ab", "NotFoundException"},
		{"not a key ID", "nope", "NotFoundException"},
		{"key ARN in another region", strings.Replace(aws.ToString(k.Arn), region, "eu-west-1", 1), "NotFoundException"},
		{"not a KMS ARN", "arn:aws:sns:us-east-1:111111111111:t", "NotFoundException"},
		{"empty", "", "ValidationException"},
	}
	for _, tc := range refs {
		t.Run(tc.name, func(t *testing.T) {
			out, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(tc.ref)})
			awssimtest.WantCode(t, err, tc.code)
			if err == nil && aws.ToString(out.KeyMetadata.KeyId) != id {
				t.Errorf("KeyId = %s, want %s", aws.ToString(out.KeyMetadata.KeyId), id)
			}
		})
	}

	invalid := []struct {
		name string
		in   kms.CreateKeyInput
		code string
	}{
		{"unknown usage", kms.CreateKeyInput{KeyUsage: "DECRYPT_ONLY"}, "ValidationException"},
		{"symmetric key cannot sign", kms.CreateKeyInput{KeyUsage: kmstypes.KeyUsageTypeSignVerify}, "ValidationException"},
		{"aws: tag", kms.CreateKeyInput{Tags: []kmstypes.Tag{{TagKey: aws.String("aws:x"), TagValue: aws.String("y")}}}, "TagException"},
		{"malformed policy", kms.CreateKeyInput{Policy: aws.String(`{"Statement":`)}, "MalformedPolicyDocumentException"},
		{"policy that locks the caller out", kms.CreateKeyInput{Policy: aws.String(
			`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"` + member + `"},"Action":"kms:*","Resource":"*"}}`)}, "MalformedPolicyDocumentException"},
	}
	for _, tc := range invalid {
		t.Run("CreateKey/"+tc.name, func(t *testing.T) {
			_, err := c.CreateKey(ctx, &tc.in)
			awssimtest.WantCode(t, err, tc.code)
		})
	}
	rsa := createKey(t, c, &kms.CreateKeyInput{KeySpec: kmstypes.KeySpecRsa2048, KeyUsage: kmstypes.KeyUsageTypeSignVerify})
	if len(rsa.SigningAlgorithms) == 0 || len(rsa.EncryptionAlgorithms) != 0 {
		t.Errorf("RSA signing key algorithms: signing %v encryption %v", rsa.SigningAlgorithms, rsa.EncryptionAlgorithms)
	}
}

func TestKeyPolicy(t *testing.T) {
	_, c := start(t)
	ctx := context.Background()
	id := createKey(t, c, &kms.CreateKeyInput{}).KeyId
	lockout := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},"Action":"kms:Decrypt","Resource":"*"}}`
	cases := []struct {
		name   string
		in     kms.PutKeyPolicyInput
		code   string
		stored bool
	}{
		{"orgnotify key policy", kms.PutKeyPolicyInput{Policy: aws.String(eventsKeyPolicy(mgmt))}, "", true},
		{"explicit default name", kms.PutKeyPolicyInput{PolicyName: aws.String("default"), Policy: aws.String(eventsKeyPolicy(mgmt))}, "", true},
		{"other policy name", kms.PutKeyPolicyInput{PolicyName: aws.String("custom"), Policy: aws.String(eventsKeyPolicy(mgmt))}, "NotFoundException", false},
		{"not JSON", kms.PutKeyPolicyInput{Policy: aws.String("{")}, "MalformedPolicyDocumentException", false},
		{"Effect missing", kms.PutKeyPolicyInput{Policy: aws.String(`{"Version":"2012-10-17","Statement":{"Principal":"*","Action":"kms:*","Resource":"*"}}`)}, "MalformedPolicyDocumentException", false},
		{"over 32 KiB", kms.PutKeyPolicyInput{Policy: aws.String(strings.Replace(eventsKeyPolicy(mgmt), `"Sid":"Admin"`, `"Sid":"`+strings.Repeat("a", 32768)+`"`, 1))}, "ValidationException", false},
		{"locks the caller out", kms.PutKeyPolicyInput{Policy: aws.String(lockout)}, "MalformedPolicyDocumentException", false},
		{"lockout bypassed", kms.PutKeyPolicyInput{Policy: aws.String(lockout), BypassPolicyLockoutSafetyCheck: true}, "", true},
		// The caller locked itself out just above: AWS then refuses even a good policy.
		{"after lockout", kms.PutKeyPolicyInput{Policy: aws.String(eventsKeyPolicy(mgmt))}, "AccessDeniedException", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.in.KeyId = id
			_, err := c.PutKeyPolicy(ctx, &tc.in)
			awssimtest.WantCode(t, err, tc.code)
			if !tc.stored {
				return
			}
			got, err := c.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: id})
			if tc.name == "lockout bypassed" {
				// Reading the policy needs kms:GetKeyPolicy, which it no longer grants.
				awssimtest.WantCode(t, err, "AccessDeniedException")
				return
			}
			awssimtest.WantCode(t, err, "")
			if aws.ToString(got.Policy) != aws.ToString(tc.in.Policy) {
				t.Errorf("stored policy = %s, want %s", aws.ToString(got.Policy), aws.ToString(tc.in.Policy))
			}
		})
	}
}

func TestAliases(t *testing.T) {
	_, c := start(t)
	ctx := context.Background()
	k1 := createKey(t, c, &kms.CreateKeyInput{})
	k2 := createKey(t, c, &kms.CreateKeyInput{})
	managed, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/aws/sns")})
	awssimtest.WantCode(t, err, "")
	if managed.KeyMetadata.KeyManager != kmstypes.KeyManagerTypeAws {
		t.Errorf("alias/aws/sns key manager = %s, want AWS", managed.KeyMetadata.KeyManager)
	}

	create := []struct{ name, alias, target, code string }{
		{"first", "alias/orgnotify", aws.ToString(k1.KeyId), ""},
		{"by key ARN", "alias/orgnotify-2", aws.ToString(k1.Arn), ""},
		{"already exists", "alias/orgnotify", aws.ToString(k2.KeyId), "AlreadyExistsException"},
		{"no alias/ prefix", "orgnotify", aws.ToString(k1.KeyId), "ValidationException"},
		{"reserved alias/aws/", "alias/aws/orgnotify", aws.ToString(k1.KeyId), "NotAuthorizedException"},
		{"bad characters", "alias/org notify", aws.ToString(k1.KeyId), "InvalidAliasNameException"},
		{"target is an alias", "alias/x", "alias/orgnotify", "ValidationException"},
		{"unknown target", "alias/x", "1234abcd-12ab-34cd-56ef-1234567890ab", "NotFoundException"},
		{"AWS-managed target (its policy does not allow)", "alias/x", aws.ToString(managed.KeyMetadata.KeyId), "AccessDeniedException"},
	}
	for _, tc := range create {
		t.Run("CreateAlias/"+tc.name, func(t *testing.T) {
			_, err := c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String(tc.alias), TargetKeyId: aws.String(tc.target)})
			awssimtest.WantCode(t, err, tc.code)
		})
	}

	list := func(in *kms.ListAliasesInput) map[string]string {
		t.Helper()
		got := map[string]string{}
		p := kms.NewListAliasesPaginator(c, in)
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			awssimtest.WantCode(t, err, "")
			for _, a := range out.Aliases {
				if _, dup := got[aws.ToString(a.AliasName)]; dup {
					t.Errorf("alias %s listed twice", aws.ToString(a.AliasName))
				}
				got[aws.ToString(a.AliasName)] = aws.ToString(a.TargetKeyId)
			}
		}
		return got
	}
	all := list(&kms.ListAliasesInput{Limit: aws.Int32(1)})
	want := map[string]string{
		"alias/orgnotify": aws.ToString(k1.KeyId), "alias/orgnotify-2": aws.ToString(k1.KeyId),
		"alias/aws/sns": aws.ToString(managed.KeyMetadata.KeyId), "alias/aws/sqs": "",
	}
	if fmt.Sprint(all) != fmt.Sprint(want) {
		t.Errorf("ListAliases = %v, want %v", all, want)
	}
	if got := list(&kms.ListAliasesInput{KeyId: k1.Arn}); len(got) != 2 || got["alias/orgnotify"] == "" {
		t.Errorf("ListAliases for key 1 = %v", got)
	}
	if got := list(&kms.ListAliasesInput{KeyId: k2.KeyId}); len(got) != 0 {
		t.Errorf("ListAliases for key 2 = %v, want none", got)
	}
	awssimtest.WantCall(t, c.ListAliases, &kms.ListAliasesInput{Limit: aws.Int32(101)}, "ValidationException")
	awssimtest.WantCall(t, c.ListAliases, &kms.ListAliasesInput{Marker: aws.String("forged")}, "InvalidMarkerException")

	awssimtest.WantCall(t, c.UpdateAlias, &kms.UpdateAliasInput{AliasName: aws.String("alias/orgnotify"), TargetKeyId: k2.KeyId}, "")
	d, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/orgnotify")})
	awssimtest.WantCode(t, err, "")
	if aws.ToString(d.KeyMetadata.KeyId) != aws.ToString(k2.KeyId) {
		t.Errorf("after UpdateAlias the alias names %s, want %s", aws.ToString(d.KeyMetadata.KeyId), aws.ToString(k2.KeyId))
	}
	awssimtest.WantCall(t, c.UpdateAlias, &kms.UpdateAliasInput{AliasName: aws.String("alias/missing"), TargetKeyId: k2.KeyId}, "NotFoundException")
	signing := createKey(t, c, &kms.CreateKeyInput{KeySpec: kmstypes.KeySpecRsa2048, KeyUsage: kmstypes.KeyUsageTypeSignVerify})
	awssimtest.WantCall(t, c.UpdateAlias, &kms.UpdateAliasInput{AliasName: aws.String("alias/orgnotify"), TargetKeyId: signing.KeyId}, "ValidationException")
	awssimtest.WantCall(t, c.DeleteAlias, &kms.DeleteAliasInput{AliasName: aws.String("alias/orgnotify-2")}, "")
	awssimtest.WantCall(t, c.DescribeKey, &kms.DescribeKeyInput{KeyId: aws.String("alias/orgnotify-2")}, "NotFoundException")
}

func TestTagsAndRotation(t *testing.T) {
	_, c := start(t)
	ctx := context.Background()
	id := createKey(t, c, &kms.CreateKeyInput{Tags: []kmstypes.Tag{{TagKey: aws.String("a"), TagValue: aws.String("1")}}}).KeyId
	_, err := c.TagResource(ctx, &kms.TagResourceInput{KeyId: id, Tags: []kmstypes.Tag{
		{TagKey: aws.String("a"), TagValue: aws.String("2")}, {TagKey: aws.String("b"), TagValue: aws.String("3")}}})
	awssimtest.WantCode(t, err, "")
	awssimtest.WantCall(t, c.UntagResource, &kms.UntagResourceInput{KeyId: id, TagKeys: []string{"zzz"}}, "")
	tags, err := c.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: id})
	awssimtest.WantCode(t, err, "")
	var got []string
	for _, tg := range tags.Tags {
		got = append(got, aws.ToString(tg.TagKey)+"="+aws.ToString(tg.TagValue))
	}
	if fmt.Sprint(got) != "[a=2 b=3]" || tags.Truncated {
		t.Errorf("tags = %v truncated %v, want [a=2 b=3]", got, tags.Truncated)
	}
	awssimtest.WantCall(t, c.TagResource, &kms.TagResourceInput{KeyId: id, Tags: []kmstypes.Tag{{TagKey: aws.String("aws:cloudformation:x"), TagValue: aws.String("1")}}}, "TagException")

	st, err := c.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: id})
	awssimtest.WantCode(t, err, "")
	if st.KeyRotationEnabled {
		t.Errorf("new key rotates")
	}
	awssimtest.WantCall(t, c.EnableKeyRotation, &kms.EnableKeyRotationInput{KeyId: id, RotationPeriodInDays: aws.Int32(89)}, "ValidationException")
	awssimtest.WantCall(t, c.EnableKeyRotation, &kms.EnableKeyRotationInput{KeyId: id, RotationPeriodInDays: aws.Int32(180)}, "")
	st, err = c.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: id})
	awssimtest.WantCode(t, err, "")
	if !st.KeyRotationEnabled || aws.ToInt32(st.RotationPeriodInDays) != 180 || st.NextRotationDate == nil {
		t.Errorf("rotation = %v every %d next %v", st.KeyRotationEnabled, aws.ToInt32(st.RotationPeriodInDays), st.NextRotationDate)
	}
	signing := createKey(t, c, &kms.CreateKeyInput{KeySpec: kmstypes.KeySpecEccNistP256, KeyUsage: kmstypes.KeyUsageTypeSignVerify})
	awssimtest.WantCall(t, c.EnableKeyRotation, &kms.EnableKeyRotationInput{KeyId: signing.KeyId}, "UnsupportedOperationException")
	awssimtest.WantCall(t, c.DisableKey, &kms.DisableKeyInput{KeyId: id}, "")
	awssimtest.WantCall(t, c.EnableKeyRotation, &kms.EnableKeyRotationInput{KeyId: id}, "DisabledException")
	d, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: id})
	awssimtest.WantCode(t, err, "")
	if d.KeyMetadata.Enabled || d.KeyMetadata.KeyState != kmstypes.KeyStateDisabled {
		t.Errorf("disabled key: enabled %v state %s", d.KeyMetadata.Enabled, d.KeyMetadata.KeyState)
	}
}

// TestAWSManagedKey: the AWS-managed key exists on first use, the account
// can read it but not change its policy.
func TestAWSManagedKey(t *testing.T) {
	_, c := start(t)
	ctx := context.Background()
	d, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/aws/sqs")})
	awssimtest.WantCode(t, err, "")
	again, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/aws/sqs")})
	awssimtest.WantCode(t, err, "")
	if aws.ToString(again.KeyMetadata.KeyId) != aws.ToString(d.KeyMetadata.KeyId) {
		t.Errorf("alias/aws/sqs names a new key each time: %s, %s", aws.ToString(d.KeyMetadata.KeyId), aws.ToString(again.KeyMetadata.KeyId))
	}
	pol, err := c.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: d.KeyMetadata.KeyId})
	awssimtest.WantCode(t, err, "")
	if !strings.Contains(aws.ToString(pol.Policy), `"kms:ViaService": "sqs.us-east-1.amazonaws.com"`) {
		t.Errorf("managed key policy = %s", aws.ToString(pol.Policy))
	}
	awssimtest.WantCall(t, c.PutKeyPolicy, &kms.PutKeyPolicyInput{KeyId: d.KeyMetadata.KeyId, Policy: aws.String(eventsKeyPolicy(mgmt))}, "AccessDeniedException")
	st, err := c.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: d.KeyMetadata.KeyId})
	awssimtest.WantCode(t, err, "")
	if !st.KeyRotationEnabled {
		t.Errorf("AWS-managed key does not rotate")
	}
}

func TestCrossAccountKeyAccess(t *testing.T) {
	env, c := start(t)
	ctx := context.Background()
	base := env.Config(t, region)
	memberCfg, _ := env.AssumeRole(t, base, region, sts.AssumeRoleInput{
		RoleArn: aws.String(awssimtest.AccessRoleARN(member)), RoleSessionName: aws.String("t1")})
	mc := kms.NewFromConfig(memberCfg)

	private := createKey(t, c, &kms.CreateKeyInput{})
	shared := createKey(t, c, &kms.CreateKeyInput{Policy: aws.String(`{"Version":"2012-10-17","Statement":[
 {"Effect":"Allow","Principal":{"AWS":"` + mgmt + `"},"Action":"kms:*","Resource":"*"},
 {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + member + `:root"},"Action":"kms:DescribeKey","Resource":"*"}]}`)})
	cases := []struct{ name, ref, code string }{
		{"default policy keeps other accounts out", aws.ToString(private.Arn), "AccessDeniedException"},
		{"policy naming the member account", aws.ToString(shared.Arn), ""},
		{"key IDs resolve in the caller's own account", aws.ToString(shared.KeyId), "NotFoundException"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := mc.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(tc.ref)})
			awssimtest.WantCode(t, err, tc.code)
		})
	}
}

func TestAuthorizeKeyUse(t *testing.T) {
	env, c := start(t)
	ctx := context.Background()
	cmk := createKey(t, c, &kms.CreateKeyInput{Policy: aws.String(eventsKeyPolicy(mgmt))})
	awssimtest.WantCall(t, c.CreateAlias, &kms.CreateAliasInput{AliasName: aws.String("alias/orgnotify"), TargetKeyId: cmk.KeyId}, "")
	plain := createKey(t, c, &kms.CreateKeyInput{})
	decryptOnly := createKey(t, c, &kms.CreateKeyInput{Policy: aws.String(`{"Version":"2012-10-17","Statement":[
 {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + mgmt + `:root"},"Action":"kms:*","Resource":"*"},
 {"Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},"Action":"kms:Decrypt","Resource":"*"}]}`)})
	bySource := createKey(t, c, &kms.CreateKeyInput{Policy: aws.String(`{"Version":"2012-10-17","Statement":[
 {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + mgmt + `:root"},"Action":"kms:*","Resource":"*"},
 {"Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},"Action":["kms:Decrypt","kms:GenerateDataKey*"],"Resource":"*",
  "Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:events:*:` + mgmt + `:rule/orgnotify-*"}}}]}`)})
	disabled := createKey(t, c, &kms.CreateKeyInput{Policy: aws.String(eventsKeyPolicy(mgmt))})
	awssimtest.WantCall(t, c.DisableKey, &kms.DisableKeyInput{KeyId: disabled.KeyId}, "")

	rule := "arn:aws:events:us-east-1:" + mgmt + ":rule/orgnotify-lifecycle"
	use := func(ref, from string) handoff.KeyUse {
		return handoff.KeyUse{KeyRef: ref, Account: mgmt, Region: region, FromService: from, SourceARN: rule, ViaService: "sns",
			Actions: []string{"kms:GenerateDataKey", "kms:Decrypt"}}
	}
	cases := []struct {
		name string
		use  handoff.KeyUse
		code string
	}{
		{"AWS-managed aws/sns refuses EventBridge", use("alias/aws/sns", "events.amazonaws.com"), "AccessDeniedException"},
		{"AWS-managed aws/sqs refuses SNS", use("alias/aws/sqs", "sns.amazonaws.com"), "AccessDeniedException"},
		{"customer key allowing EventBridge, by alias", use("alias/orgnotify", "events.amazonaws.com"), ""},
		{"customer key allowing EventBridge, by ARN", use(aws.ToString(cmk.Arn), "events.amazonaws.com"), ""},
		{"customer key allowing SNS, by alias ARN", use("arn:aws:kms:us-east-1:"+mgmt+":alias/orgnotify", "sns.amazonaws.com"), ""},
		{"customer key with the default policy", use(aws.ToString(plain.KeyId), "events.amazonaws.com"), "AccessDeniedException"},
		{"customer key allowing Decrypt only", use(aws.ToString(decryptOnly.KeyId), "events.amazonaws.com"), "AccessDeniedException"},
		{"customer key allowing the orgnotify rules", use(aws.ToString(bySource.KeyId), "events.amazonaws.com"), ""},
		{"customer key, another rule", func() handoff.KeyUse {
			u := use(aws.ToString(bySource.KeyId), "events.amazonaws.com")
			u.SourceARN = "arn:aws:events:us-east-1:" + mgmt + ":rule/other"
			return u
		}(), "AccessDeniedException"},
		{"disabled key", use(aws.ToString(disabled.KeyId), "events.amazonaws.com"), "DisabledException"},
		{"missing alias", use("alias/missing", "events.amazonaws.com"), "NotFoundException"},
		{"key of another region", func() handoff.KeyUse {
			u := use(aws.ToString(cmk.KeyId), "events.amazonaws.com")
			u.Region = "eu-west-1"
			return u
		}(), "NotFoundException"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := env.Sim.KMS.AuthorizeKeyUse(ctx, tc.use)
			if awssimtest.WireCode(t, err) != tc.code {
				t.Errorf("AuthorizeKeyUse = %v, want code %q", err, tc.code)
			}
		})
	}
}

// The default key policy is valid JSON that AWS would return verbatim.
func TestDefaultKeyPolicyShape(t *testing.T) {
	var doc struct {
		Version   string
		Statement []struct {
			Effect    string
			Principal map[string]string
			Action    string
		}
	}
	if err := json.Unmarshal([]byte(simkms.DefaultKeyPolicy(mgmt)), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Version != "2012-10-17" || len(doc.Statement) != 1 || doc.Statement[0].Principal["AWS"] != "arn:aws:iam::"+mgmt+":root" || doc.Statement[0].Action != "kms:*" {
		t.Errorf("default policy = %+v", doc)
	}
}

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
		t.Run(tt.name, func(t *testing.T) { awssimtest.WantCall(t, c.ListResourceTags, &tt.in, tt.code) })
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
		return awssimtest.SortedTags(out.Tags, func(tg kmstypes.Tag) (*string, *string) { return tg.TagKey, tg.TagValue })
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

func TestKeyDeletion(t *testing.T) {
	env, c := start(t)
	ctx := context.Background()
	memberCfg, _ := env.AssumeRole(t, env.Config(t, region), region, sts.AssumeRoleInput{
		RoleArn: aws.String(awssimtest.AccessRoleARN(member)), RoleSessionName: aws.String("t1")})
	mc := kms.NewFromConfig(memberCfg)
	k := createKey(t, c, &kms.CreateKeyInput{})
	id := k.KeyId

	awssimtest.WantCall(t, c.ScheduleKeyDeletion, &kms.ScheduleKeyDeletionInput{KeyId: id, PendingWindowInDays: aws.Int32(6)}, "ValidationException")
	sched, err := c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: id, PendingWindowInDays: aws.Int32(7)})
	awssimtest.WantCode(t, err, "")
	if sched.KeyState != kmstypes.KeyStatePendingDeletion || aws.ToInt32(sched.PendingWindowInDays) != 7 || sched.DeletionDate == nil {
		t.Errorf("ScheduleKeyDeletion = %+v", sched)
	}
	d, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: id})
	awssimtest.WantCode(t, err, "")
	if md := d.KeyMetadata; md.KeyState != kmstypes.KeyStatePendingDeletion || md.Enabled ||
		aws.ToInt32(md.PendingDeletionWindowInDays) != 7 || !aws.ToTime(md.DeletionDate).Equal(aws.ToTime(sched.DeletionDate)) {
		t.Errorf("pending key = %+v", md)
	}
	awssimtest.WantCall(t, c.ScheduleKeyDeletion, &kms.ScheduleKeyDeletionInput{KeyId: id}, "KMSInvalidStateException")
	awssimtest.WantCall(t, c.EnableKey, &kms.EnableKeyInput{KeyId: id}, "KMSInvalidStateException")
	awssimtest.WantCall(t, c.DisableKey, &kms.DisableKeyInput{KeyId: id}, "KMSInvalidStateException")
	// The pending state is reported before the key policy is asked.
	awssimtest.WantCall(t, mc.EnableKey, &kms.EnableKeyInput{KeyId: k.Arn}, "KMSInvalidStateException")

	awssimtest.WantCall(t, c.CancelKeyDeletion, &kms.CancelKeyDeletionInput{KeyId: id}, "")
	awssimtest.WantCall(t, c.CancelKeyDeletion, &kms.CancelKeyDeletionInput{KeyId: id}, "KMSInvalidStateException")
	d, err = c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: id})
	awssimtest.WantCode(t, err, "")
	if md := d.KeyMetadata; md.KeyState != kmstypes.KeyStateDisabled || md.DeletionDate != nil || md.PendingDeletionWindowInDays != nil {
		t.Errorf("key after CancelKeyDeletion = %+v", md)
	}
	awssimtest.WantCall(t, mc.EnableKey, &kms.EnableKeyInput{KeyId: k.Arn}, "AccessDeniedException")
	awssimtest.WantCall(t, c.EnableKey, &kms.EnableKeyInput{KeyId: id}, "")
	// An AWS-managed key's policy grants no deletion.
	awssimtest.WantCall(t, c.ScheduleKeyDeletion, &kms.ScheduleKeyDeletionInput{KeyId: aws.String("alias/aws/sns")}, "AccessDeniedException")
}
