package aws_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	orgaws "github.com/orgnotify/orgnotify/internal/aws"
	"github.com/orgnotify/orgnotify/internal/awssim"
	"github.com/orgnotify/orgnotify/internal/awssim/awssimtest"
	"github.com/orgnotify/orgnotify/internal/awssim/org"
	"github.com/orgnotify/orgnotify/internal/desired"
	"github.com/orgnotify/orgnotify/internal/plan"
)

const (
	hub    = "333344445555"
	region = "ap-northeast-1"
	orgID  = "o-a1b2c3d4e5"
	prefix = "orgnotify-"
	tagKey = "orgnotify:managed-by"
	tagVal = "platform-team"
)

var own = map[string]string{tagKey: tagVal}

func layout() orgaws.Layout {
	return orgaws.Layout{Prefix: prefix, TagKey: tagKey, TagValue: tagVal, Hub: hub, HomeRegion: region,
		Management: mgmt, OrgRegion: "us-east-1", Topic: "orgnotify-events", Bus: "orgnotify-central"}
}

// newCloud starts awssim with the management account, the hub and member,
// and returns orgnotify's cloud acting on it through aws.LoadConfig.
func newCloud(t *testing.T) (*awssimtest.Env, *orgaws.Cloud) {
	t.Helper()
	env := awssimtest.Start(t, awssim.Seed{Organization: org.Seed{
		ManagementAccount: mgmt, OrganizationID: orgID,
		Accounts: []org.Account{{ID: hub, Name: "hub"}, {ID: member, Name: "payments"}},
	}})
	s := orgaws.NewSessions(loadSim(t, env), mgmt, org.AccessRole)
	return env, orgaws.NewCloud(s, layout())
}

func id(account, region string, kind desired.Kind, name string) desired.ID {
	return desired.ID{Account: account, Region: region, Kind: kind, Name: name}
}

func pol(statements ...any) string {
	return desired.MustCanonical(map[string]any{"Version": "2012-10-17", "Statement": statements}, desired.Policy)
}

func arnOf(service, name string) string {
	return fmt.Sprintf("arn:aws:%s:%s:%s:%s", service, region, hub, name)
}

// hubResources is the hub wiring, built by hand as package desired would:
// the key and its alias, the digest queue with its dead-letter queue, a
// queue subscribed to the topic, the topic, the central bus and one rule.
func hubResources() []desired.Resource {
	rule := "arn:aws:events:" + region + ":" + hub + ":rule/orgnotify-central/orgnotify-stack-failures"
	topic := arnOf("sns", "orgnotify-events")
	key := pol(
		map[string]any{"Sid": "Root", "Effect": "Allow", "Principal": map[string]any{"AWS": "arn:aws:iam::" + hub + ":root"}, "Action": "kms:*", "Resource": "*"},
		map[string]any{"Sid": "Services", "Effect": "Allow", "Principal": map[string]any{"Service": []string{"events.amazonaws.com", "sns.amazonaws.com"}},
			"Action": []string{"kms:Decrypt", "kms:GenerateDataKey*"}, "Resource": "*",
			"Condition": map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": hub}}},
	)
	sendFrom := func(queue, service, source string) string {
		return pol(map[string]any{"Effect": "Allow", "Principal": map[string]any{"Service": service}, "Action": "sqs:SendMessage",
			"Resource": arnOf("sqs", queue), "Condition": map[string]any{"ArnEquals": map[string]any{"aws:SourceArn": source}}})
	}
	targets := []orgaws.Target{
		{ID: "digest", ARN: arnOf("sqs", "orgnotify-digest"), DeadLetterConfig: &orgaws.DeadLetter{ARN: arnOf("sqs", "orgnotify-delivery-dlq")},
			RetryPolicy: &orgaws.RetryPolicy{MaximumEventAgeInSeconds: sdkaws.Int32(86400), MaximumRetryAttempts: sdkaws.Int32(185)}},
		{ID: "topic", ARN: topic, DeadLetterConfig: &orgaws.DeadLetter{ARN: arnOf("sqs", "orgnotify-delivery-dlq")},
			RetryPolicy: &orgaws.RetryPolicy{MaximumEventAgeInSeconds: sdkaws.Int32(86400), MaximumRetryAttempts: sdkaws.Int32(185)}},
	}
	return []desired.Resource{
		{ID: id(hub, region, desired.KMSKey, "alias/orgnotify-events"), Tags: own,
			Settings: map[string]string{desired.SetPolicy: key, desired.SetKeyRotation: "true", desired.SetDescription: "orgnotify events"}},
		{ID: id(hub, region, desired.KMSAlias, "alias/orgnotify-events"), Settings: map[string]string{desired.SetTargetKey: "alias/orgnotify-events"}},
		{ID: id(hub, region, desired.SQSQueue, "orgnotify-delivery-dlq"), Tags: own, Settings: map[string]string{
			desired.SetSQSManagedSSE: "true", desired.SetMessageRetentionPeriod: "1209600",
			desired.SetPolicy: sendFrom("orgnotify-delivery-dlq", "events.amazonaws.com", rule)}},
		{ID: id(hub, region, desired.SQSQueue, "orgnotify-digest"), Tags: own, Settings: map[string]string{
			desired.SetKMSKey: "alias/orgnotify-events", desired.SetVisibilityTimeout: "60",
			desired.SetRedrivePolicy: desired.MustCanonical(map[string]any{"deadLetterTargetArn": arnOf("sqs", "orgnotify-delivery-dlq"), "maxReceiveCount": 10}, desired.Pattern),
			desired.SetPolicy:        sendFrom("orgnotify-digest", "events.amazonaws.com", rule)}},
		{ID: id(hub, region, desired.SQSQueue, "orgnotify-realtime"), Tags: own, Settings: map[string]string{
			desired.SetKMSKey: "alias/orgnotify-events", desired.SetPolicy: sendFrom("orgnotify-realtime", "sns.amazonaws.com", topic)}},
		{ID: id(hub, region, desired.SNSTopic, "orgnotify-events"), Tags: own, Settings: map[string]string{
			desired.SetKMSKey: "alias/orgnotify-events",
			desired.SetPolicy: pol(map[string]any{"Effect": "Allow", "Principal": map[string]any{"Service": "events.amazonaws.com"}, "Action": "sns:Publish",
				"Resource": topic, "Condition": map[string]any{"ArnEquals": map[string]any{"aws:SourceArn": rule}}})}},
		{ID: id(hub, region, desired.SNSSubscription, "orgnotify-events/sqs:"+arnOf("sqs", "orgnotify-realtime")), Settings: map[string]string{
			desired.SetTopicARN: topic, desired.SetProtocol: "sqs", desired.SetEndpoint: arnOf("sqs", "orgnotify-realtime"),
			desired.SetFilterPolicy:      desired.MustCanonical(map[string]any{"account": []string{member, hub}}, desired.Pattern),
			desired.SetFilterPolicyScope: "MessageBody"}},
		{ID: id(hub, region, desired.EventBus, "orgnotify-central"), Tags: own, Settings: map[string]string{
			desired.SetPolicy: pol(map[string]any{"Sid": "Organization", "Effect": "Allow", "Principal": "*", "Action": "events:PutEvents",
				"Resource":  arnOf("events", "event-bus/orgnotify-central"),
				"Condition": map[string]any{"StringEquals": map[string]any{"aws:PrincipalOrgID": orgID}}})}},
		{ID: id(hub, region, desired.EventRule, "orgnotify-stack-failures"), Tags: own, Settings: map[string]string{
			desired.SetEventBusName: "orgnotify-central", desired.SetState: "ENABLED",
			desired.SetEventPattern: desired.MustCanonical(map[string]any{"source": []string{"aws.cloudformation"},
				"detail": map[string]any{"status-details": map[string]any{"status": []string{"UPDATE_FAILED", "ROLLBACK_COMPLETE"}}}}, desired.Pattern),
			desired.SetTargets: desired.MustCanonical(targets, desired.Pattern)}},
	}
}

// applyPlan applies every change of p in plan order and fails the test on
// the first error.
func applyPlan(t *testing.T, c *orgaws.Cloud, p plan.Plan) {
	t.Helper()
	for _, ch := range p.Changes {
		if err := c.Apply(context.Background(), string(ch.Action), ch.Desired, ch.Current); err != nil {
			t.Fatalf("%s %s: %v", ch.Action, ch.ID, err)
		}
	}
}

// observe returns the hub's owned resources, projected on the settings
// want declares (as reconcile does).
func observeHub(t *testing.T, c *orgaws.Cloud, want []desired.Resource) []desired.Resource {
	t.Helper()
	have, err := c.ObserveRegion(context.Background(), hub, region)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[desired.ID]desired.Resource{}
	for _, w := range want {
		byID[w.ID] = w
	}
	for i, h := range have {
		w, ok := byID[h.ID]
		if !ok {
			continue
		}
		s := map[string]string{}
		for k := range w.Settings {
			if v, ok := h.Settings[k]; ok {
				s[k] = v
			}
		}
		have[i].Settings = s
	}
	return have
}

func TestHubCreateObserveConverges(t *testing.T) {
	_, c := newCloud(t)
	want := hubResources()
	desired.Sort(want)

	p := plan.Compute(want, observeHub(t, c, want))
	if s := p.Summary(); s.Create != len(want) || s.Update+s.Delete+s.Conflict != 0 {
		t.Fatalf("first plan on an empty hub = %+v, want %d creates", s, len(want))
	}
	applyPlan(t, c, p)

	have := observeHub(t, c, want)
	if p := plan.Compute(want, have); len(p.Changes) != 0 {
		for _, ch := range p.Changes {
			t.Errorf("after apply: %s %s %+v", ch.Action, ch.ID, ch.Diff)
		}
	}
	for _, h := range have {
		if h.Foreign || h.Ref == "" {
			t.Errorf("%s: foreign=%v ref=%q, want owned with a ref", h.ID, h.Foreign, h.Ref)
		}
	}
}

// TestDriftIsPlannedAndRepaired: a target removed and a pattern edited
// out of band are exactly the planned updates, and apply repairs them.
func TestDriftIsPlannedAndRepaired(t *testing.T) {
	env, c := newCloud(t)
	want := hubResources()
	desired.Sort(want)
	applyPlan(t, c, plan.Compute(want, observeHub(t, c, want)))

	ctx := context.Background()
	eb := eventbridge.NewFromConfig(hubConfig(t, env))
	if _, err := eb.RemoveTargets(ctx, &eventbridge.RemoveTargetsInput{Rule: sdkaws.String("orgnotify-stack-failures"), EventBusName: sdkaws.String("orgnotify-central"), Ids: []string{"topic"}}); err != nil {
		t.Fatal(err)
	}
	p := plan.Compute(want, observeHub(t, c, want))
	if len(p.Changes) != 1 || p.Changes[0].Action != plan.Update || p.Changes[0].Name != "orgnotify-stack-failures" ||
		len(p.Changes[0].Diff) != 1 || p.Changes[0].Diff[0].Field != desired.SetTargets {
		t.Fatalf("plan after a target was removed = %+v", p.Changes)
	}
	applyPlan(t, c, p)
	if p := plan.Compute(want, observeHub(t, c, want)); len(p.Changes) != 0 {
		t.Fatalf("not repaired: %+v", p.Changes)
	}
}

// TestForeignResourcesAreFlaggedAndNeverChanged: a queue with the prefix
// but without the tag is Foreign; apply refuses to touch it.
func TestForeignResourcesAreFlaggedAndNeverChanged(t *testing.T) {
	env, c := newCloud(t)
	ctx := context.Background()
	q := sqs.NewFromConfig(hubConfig(t, env))
	if _, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: sdkaws.String("orgnotify-digest"), Tags: map[string]string{"team": "someone"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: sdkaws.String("unrelated-queue")}); err != nil {
		t.Fatal(err)
	}
	have, err := c.ObserveRegion(ctx, hub, region)
	if err != nil {
		t.Fatal(err)
	}
	if len(have) != 1 || have[0].Name != "orgnotify-digest" || !have[0].Foreign {
		t.Fatalf("observed %+v, want only the prefixed queue, foreign", have)
	}
	for _, action := range []string{orgaws.ActionUpdate, orgaws.ActionDelete} {
		err := c.Apply(ctx, action, &desired.Resource{ID: have[0].ID, Settings: map[string]string{desired.SetVisibilityTimeout: "5"}}, &have[0])
		if !errors.Is(err, orgaws.ErrNotOwned) {
			t.Errorf("%s of a foreign queue: %v, want ErrNotOwned", action, err)
		}
	}
	if _, err := q.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: sdkaws.String("orgnotify-digest")}); err != nil {
		t.Errorf("foreign queue gone: %v", err)
	}
}

// TestDeleteRemovesTargetsFirst: deleting the hub wiring in plan order
// leaves nothing behind.
func TestDeleteEverything(t *testing.T) {
	_, c := newCloud(t)
	want := hubResources()
	desired.Sort(want)
	applyPlan(t, c, plan.Compute(want, observeHub(t, c, want)))
	have := observeHub(t, c, want)
	p := plan.Compute(nil, have)
	var deletable int
	for _, h := range have {
		if h.Kind != desired.KMSKey && h.Kind != desired.KMSAlias {
			deletable++
		}
	}
	for _, ch := range p.Changes {
		if ch.Kind == desired.KMSKey {
			continue // awssim has no ScheduleKeyDeletion yet
		}
		if err := c.Apply(context.Background(), string(ch.Action), ch.Desired, ch.Current); err != nil {
			t.Fatalf("%s %s: %v", ch.Action, ch.ID, err)
		}
	}
	left, err := c.ObserveRegion(context.Background(), hub, region)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range left {
		if r.Kind != desired.KMSKey {
			t.Errorf("left after delete: %s", r.ID)
		}
	}
	if deletable == 0 {
		t.Fatal("nothing observed to delete")
	}
}

func hubConfig(t *testing.T, env *awssimtest.Env) sdkaws.Config {
	t.Helper()
	s := orgaws.NewSessions(loadSim(t, env), mgmt, org.AccessRole)
	return s.Config(hub, region)
}

// TestOwnershipRecheckedBeforeDelete: a rule that lost the ownership tag
// between plan and apply is left alone, with ErrNotOwned.
func TestOwnershipRecheckedBeforeDelete(t *testing.T) {
	env, c := newCloud(t)
	ctx := context.Background()
	rule := desired.Resource{ID: id(hub, region, desired.EventRule, "orgnotify-fwd-test"), Tags: own, Settings: map[string]string{
		desired.SetEventBusName: "default", desired.SetEventPattern: `{"source":["aws.cloudformation"]}`, desired.SetState: "ENABLED"}}
	if err := c.Apply(ctx, orgaws.ActionCreate, &rule, nil); err != nil {
		t.Fatal(err)
	}
	have, err := c.ObserveRegion(ctx, hub, region)
	if err != nil || len(have) != 1 || have[0].Foreign {
		t.Fatalf("observed %+v, %v", have, err)
	}
	eb := eventbridge.NewFromConfig(hubConfig(t, env))
	if _, err := eb.UntagResource(ctx, &eventbridge.UntagResourceInput{ResourceARN: sdkaws.String(have[0].Ref), TagKeys: []string{tagKey}}); err != nil {
		t.Fatal(err)
	}
	if err := c.Apply(ctx, orgaws.ActionDelete, nil, &have[0]); !errors.Is(err, orgaws.ErrNotOwned) {
		t.Fatalf("delete of a rule that lost its tag: %v, want ErrNotOwned", err)
	}
	if _, err := eb.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: sdkaws.String("orgnotify-fwd-test")}); err != nil {
		t.Errorf("rule deleted anyway: %v", err)
	}
}

// TestUntaggableKindsOwnedThroughParent (AWS-WIRING W5): an alias is owned
// iff its key is, a subscription iff its topic is.
func TestUntaggableKindsOwnedThroughParent(t *testing.T) {
	env, c := newCloud(t)
	ctx := context.Background()
	cfg := hubConfig(t, env)
	k := kms.NewFromConfig(cfg)
	key, err := k.CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := k.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: sdkaws.String("alias/orgnotify-events"), TargetKeyId: key.KeyMetadata.KeyId}); err != nil {
		t.Fatal(err)
	}
	topic, err := sns.NewFromConfig(cfg).CreateTopic(ctx, &sns.CreateTopicInput{Name: sdkaws.String("orgnotify-events")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sns.NewFromConfig(cfg).Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: sdkaws.String("sqs"),
		Endpoint: sdkaws.String(arnOf("sqs", "anything")), ReturnSubscriptionArn: true}); err != nil {
		t.Fatal(err)
	}
	have, err := c.ObserveRegion(ctx, hub, region)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[desired.Kind]bool{}
	for _, h := range have {
		kinds[h.Kind] = true
		if !h.Foreign {
			t.Errorf("%s observed as owned", h.ID)
		}
	}
	for _, k := range []desired.Kind{desired.KMSKey, desired.KMSAlias, desired.SNSTopic, desired.SNSSubscription} {
		if !kinds[k] {
			t.Errorf("no %s observed in %+v", k, have)
		}
	}
	// And a plan that wants them shows conflicts, no change.
	p := plan.Compute(hubResources(), have)
	for _, ch := range p.Changes {
		if kinds[ch.Kind] && ch.Action != plan.Conflict && ch.Kind != desired.SNSSubscription {
			t.Errorf("%s %s, want a conflict", ch.Action, ch.ID)
		}
		if ch.Action == plan.Delete {
			t.Errorf("plan deletes %s", ch.ID)
		}
	}
}

// TestUpdateEveryKind: one setting changed per hub kind is planned as
// exactly that update and applied; the next plan is empty.
func TestUpdateEveryKind(t *testing.T) {
	_, c := newCloud(t)
	want := hubResources()
	desired.Sort(want)
	applyPlan(t, c, plan.Compute(want, observeHub(t, c, want)))

	changed := map[string]struct{ field, value string }{
		"alias/orgnotify-events": {desired.SetKeyRotation, "false"},
		"orgnotify-digest":       {desired.SetVisibilityTimeout, "120"},
		"orgnotify-events":       {desired.SetPolicy, pol(map[string]any{"Effect": "Allow", "Principal": map[string]any{"Service": "events.amazonaws.com"}, "Action": "sns:Publish", "Resource": arnOf("sns", "orgnotify-events")})},
		"orgnotify-events/sqs:" + arnOf("sqs", "orgnotify-realtime"): {desired.SetFilterPolicy, `{"account":["` + hub + `"]}`},
		"orgnotify-central":        {desired.SetPolicy, pol(map[string]any{"Sid": "Org2", "Effect": "Allow", "Principal": "*", "Action": "events:PutEvents", "Resource": arnOf("events", "event-bus/orgnotify-central"), "Condition": map[string]any{"StringEquals": map[string]any{"aws:PrincipalOrgID": orgID}}})},
		"orgnotify-stack-failures": {desired.SetState, "DISABLED"},
	}
	for i := range want {
		if ch, ok := changed[want[i].Name]; ok && want[i].Kind != desired.KMSAlias {
			s := map[string]string{}
			for k, v := range want[i].Settings {
				s[k] = v
			}
			s[ch.field] = ch.value
			want[i].Settings = s
		}
	}
	p := plan.Compute(want, observeHub(t, c, want))
	if len(p.Changes) != len(changed) {
		t.Errorf("%d changes, want %d", len(p.Changes), len(changed))
	}
	for _, ch := range p.Changes {
		w, ok := changed[ch.Name]
		if ch.Action != plan.Update || !ok || len(ch.Diff) != 1 || ch.Diff[0].Field != w.field {
			t.Errorf("unexpected change %s %s %+v", ch.Action, ch.ID, ch.Diff)
		}
	}
	applyPlan(t, c, p)
	if p := plan.Compute(want, observeHub(t, c, want)); len(p.Changes) != 0 {
		for _, ch := range p.Changes {
			t.Errorf("after update: %s %s %+v", ch.Action, ch.ID, ch.Diff)
		}
	}
}
