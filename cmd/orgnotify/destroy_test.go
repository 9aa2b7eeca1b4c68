package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/orgnotify/orgnotify/internal/awssim/awssimtest"
	"github.com/orgnotify/orgnotify/internal/reconcile"
)

// foreign is what other teams keep in the same accounts: without the
// ownership tag (with and without orgnotify's prefix), or with the tag
// key but another owner's value. destroy must leave all of it.
type foreign struct {
	queues map[string]*sqs.Client         // name → hub client
	rules  map[string]*eventbridge.Client // name → payments-prod default bus
	role   *iam.Client                    // payments-prod
	kms    *kms.Client                    // hub
	keyID  string
}

func plantForeign(t *testing.T, env *awssimtest.Env) *foreign {
	t.Helper()
	ctx := context.Background()
	hubCfg := assumed(t, env, hubAccount, homeRegion)
	memberCfg := assumed(t, env, paymentsProd, homeRegion)
	f := &foreign{queues: map[string]*sqs.Client{}, rules: map[string]*eventbridge.Client{}, role: iam.NewFromConfig(memberCfg), kms: kms.NewFromConfig(hubCfg)}
	q := sqs.NewFromConfig(hubCfg)
	for name, tags := range map[string]map[string]string{
		"orgnotify-handmade": nil,                                               // the prefix, no tag
		"team-queue":         {"team": "payments"},                              // neither
		"orgnotify-other":    {"orgnotify:managed-by": "someone-else-entirely"}, // the tag key, another value
	} {
		_, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name), Tags: tags})
		must(t, err, "create queue "+name)
		f.queues[name] = q
	}
	eb := eventbridge.NewFromConfig(memberCfg)
	for _, name := range []string{"orgnotify-fwd-handmade", "team-rule"} {
		_, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String(name), EventPattern: aws.String(`{"source":["aws.ec2"]}`),
			Tags: []ebtypes.Tag{{Key: aws.String("team"), Value: aws.String("payments")}}})
		must(t, err, "put rule "+name)
		f.rules[name] = eb
	}
	_, err := f.role.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("orgnotify-handmade"), Path: aws.String("/orgnotify/"),
		AssumeRolePolicyDocument: jsonDoc(map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
			"Effect": "Allow", "Principal": map[string]any{"Service": "events.amazonaws.com"}, "Action": "sts:AssumeRole"}}}),
		Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("payments")}}})
	must(t, err, "create role")
	key, err := f.kms.CreateKey(ctx, &kms.CreateKeyInput{})
	must(t, err, "create key")
	f.keyID = aws.ToString(key.KeyMetadata.KeyId)
	_, err = f.kms.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/orgnotify-handmade"), TargetKeyId: key.KeyMetadata.KeyId})
	must(t, err, "create alias")
	return f
}

// survived fails the test for each foreign resource that is gone.
func (f *foreign) survived(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	for name, q := range f.queues {
		if _, err := q.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(name)}); err != nil {
			t.Errorf("foreign queue %s: %v", name, err)
		}
	}
	for name, eb := range f.rules {
		if _, err := eb.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String(name)}); err != nil {
			t.Errorf("foreign rule %s: %v", name, err)
		}
	}
	if _, err := f.role.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("orgnotify-handmade")}); err != nil {
		t.Errorf("foreign role: %v", err)
	}
	d, err := f.kms.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/orgnotify-handmade")})
	if err != nil || aws.ToString(d.KeyMetadata.KeyId) != f.keyID || !d.KeyMetadata.Enabled {
		t.Errorf("foreign key and alias: %+v, %v", d, err)
	}
}

// TestDestroy: without --confirm destroy only shows the plan; with it,
// a shard deletes only its accounts; the whole run deletes everything
// orgnotify owns (the key scheduled for deletion, reported as pending) and
// leaves every foreign resource; a last run finds nothing to delete.
func TestDestroy(t *testing.T) {
	root, env := exampleOrg(t)
	if r := runCLI(t, nil, "apply", "--root", root); r.code != exitOK {
		t.Fatalf("apply: exit %d\n%s", r.code, r.stderr)
	}
	f := plantForeign(t, env)

	r := runCLI(t, nil, "destroy", "--root", root, "--format", "json")
	if r.code != exitOK || !strings.Contains(r.stderr, "nothing was deleted. Run again with --confirm") {
		t.Fatalf("destroy without --confirm: exit %d\n%s", r.code, r.stderr)
	}
	planned := decodePlan(t, r.stdout)
	if planned.Summary.Delete == 0 || planned.Summary.Delete != len(planned.Changes) {
		t.Fatalf("destroy plan = %+v", planned.Summary)
	}
	for _, c := range planned.Changes {
		if c.Action != "delete" || c.Status != "" || strings.Contains(c.Name, "handmade") || strings.Contains(c.Name, "team-") || c.Name == "orgnotify-other" {
			t.Errorf("planned %s %s %s/%s status %q", c.Action, c.Kind, c.Account, c.Name, c.Status)
		}
	}
	if r := runCLI(t, nil, "plan", "--root", root, "--detailed-exitcode"); r.code != exitOK {
		t.Fatalf("something changed without --confirm: plan exit %d\n%s", r.code, r.stdout)
	}

	// Shard 2 of 2 deletes its member accounts' resources only.
	shard2, _ := reconcile.ParseShard("2/2")
	scope := reconcile.Scope{Hub: hubAccount, Management: mgmtAccount}
	r = runCLI(t, nil, "destroy", "--root", root, "--shard", "2/2", "--confirm", "--format", "json")
	if r.code != exitOK {
		t.Fatalf("destroy --shard 2/2: exit %d\n%s", r.code, r.stderr)
	}
	for _, c := range decodePlan(t, r.stdout).Changes {
		if !shard2.Has(scope, c.Account) || c.Status != "ok" {
			t.Errorf("shard 2/2 deleted %s %s in %s: %s %s", c.Kind, c.Name, c.Account, c.Status, c.Error)
		}
	}
	left := decodePlan(t, runCLI(t, nil, "destroy", "--root", root, "--format", "json").stdout)
	if len(left.Changes) == 0 || len(left.Changes) >= len(planned.Changes) {
		t.Fatalf("after shard 2/2: %d left of %d", len(left.Changes), len(planned.Changes))
	}
	for _, c := range left.Changes {
		if shard2.Has(scope, c.Account) && c.Account != hubAccount && c.Account != mgmtAccount {
			t.Errorf("shard 2/2 left %s %s in %s", c.Kind, c.Name, c.Account)
		}
	}

	r = runCLI(t, nil, "destroy", "--root", root, "--confirm", "--format", "json")
	if r.code != exitOK {
		t.Fatalf("destroy --confirm: exit %d\n%s", r.code, r.stderr)
	}
	for _, c := range decodePlan(t, r.stdout).Changes {
		if c.Status != "ok" {
			t.Errorf("%s %s %s/%s: %s %s", c.Action, c.Kind, c.Account, c.Name, c.Status, c.Error)
		}
	}
	if !strings.Contains(r.stderr, "key alias/orgnotify-events") || !strings.Contains(r.stderr, "is pending deletion: KMS deletes it in 7 days") {
		t.Errorf("the key's pending deletion is not reported:\n%s", r.stderr)
	}
	if shown, deleting := strings.Index(r.stderr, "- sqs.queue"), strings.Index(r.stderr, "destroy: deleting"); shown < 0 || deleting < shown {
		t.Errorf("the plan was not shown before deleting:\n%s", r.stderr)
	}
	r = runCLI(t, nil, "destroy", "--root", root, "--confirm")
	if r.code != exitOK || !strings.Contains(r.stderr, "nothing of orgnotify's to delete") {
		t.Errorf("after destroy: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	f.survived(t)

	// Applying again rebuilds everything, a new key included, once SQS
	// lets a deleted queue's name be used again (60 seconds).
	env.Sim.SetClock(func() time.Time { return time.Now().Add(2 * time.Minute) })
	if r := runCLI(t, nil, "apply", "--root", root); r.code != exitOK {
		t.Fatalf("apply after destroy: exit %d\n%s", r.code, r.stderr)
	}
}

// jsonDoc encodes a policy document for an SDK input.
func jsonDoc(v any) *string {
	b, _ := json.Marshal(v)
	return aws.String(string(b))
}
