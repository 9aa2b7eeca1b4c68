package eventbridge_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/orgnotify/orgnotify/internal/awssim/awssimtest"
	eb "github.com/orgnotify/orgnotify/internal/awssim/eventbridge"
)

// hubWithOrgBus starts the whole simulator with a hub bus "central" in the
// hub account that grants PutEvents only through aws:PrincipalOrgID, and a
// hub rule delivering everything to a queue. It returns the member's
// config, the bus ARN and the queue URL.
func hubWithOrgBus(t *testing.T, region string) (*awssimtest.Env, aws.Config, string, string) {
	t.Helper()
	ctx := context.Background()
	env := awssimtest.Start(t, orgSeed())
	hubCfg := env.Config(t, region)
	hub := eventbridge.NewFromConfig(hubCfg)
	central, err := hub.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("central")})
	awssimtest.WantCode(t, err, "")
	putOrgPermission(t, hub, "central")
	rule, err := hub.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("collect"), EventBusName: aws.String("central"), EventPattern: aws.String(`{"account":["` + memberAccount + `"]}`)})
	awssimtest.WantCode(t, err, "")
	url, arn := queue(t, sqs.NewFromConfig(hubCfg), "hub", "events.amazonaws.com", aws.ToString(rule.RuleArn))
	awssimtest.WantCall(t, hub.PutTargets, &eventbridge.PutTargetsInput{Rule: aws.String("collect"), EventBusName: aws.String("central"), Targets: []types.Target{{Id: aws.String("q"), Arn: aws.String(arn)}}}, "")

	creds, err := sts.NewFromConfig(hubCfg).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::" + memberAccount + ":role/OrganizationAccountAccessRole"), RoleSessionName: aws.String("test")})
	must(t, err, "sts AssumeRole")
	memberCfg := env.ConfigWithKeys(t, region, aws.ToString(creds.Credentials.AccessKeyId), aws.ToString(creds.Credentials.SecretAccessKey), aws.ToString(creds.Credentials.SessionToken))
	return env, memberCfg, aws.ToString(central.EventBusArn), url
}

// failedInvocations reads the admin endpoint.
func failedInvocations(t *testing.T, env *awssimtest.Env) []eb.FailedInvocation {
	t.Helper()
	resp, err := http.Get(env.URL + "/_awssim/failed-invocations")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out []eb.FailedInvocation
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET failed-invocations: %s", resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

func queueDepth(t *testing.T, c *sqs.Client, url string) int {
	t.Helper()
	out, err := c.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10})
	must(t, err, "sqs ReceiveMessage")
	for _, m := range out.Messages {
		_, err := c.DeleteMessage(context.Background(), &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle})
		must(t, err, "sqs DeleteMessage")
	}
	return len(out.Messages)
}

// TestCrossAccountNeedsRole is W1: a rule in a member account reaches a hub
// bus that grants only the organization only through a RoleArn that
// events.amazonaws.com may assume for this account (and rule) and that
// allows events:PutEvents on that bus. Every other wiring is a failed
// invocation, visible on the admin endpoint.
func TestCrossAccountNeedsRole(t *testing.T) {
	const region = "eu-west-1"
	ctx := context.Background()
	env, memberCfg, busARN, hubQueue := hubWithOrgBus(t, region)
	hubSQS := sqs.NewFromConfig(env.Config(t, region))
	member := eventbridge.NewFromConfig(memberCfg)
	roles := iam.NewFromConfig(memberCfg)
	hubRoles := iam.NewFromConfig(env.Config(t, region))

	const (
		trustAccount = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:SourceAccount":"ACCOUNT"}}}]}`
		trustRule    = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"ArnEquals":{"aws:SourceArn":"RULE"}}}]}`
		trustLambda  = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
		allowBus     = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"events:PutEvents","Resource":"BUS"}]}`
		allowOther   = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"events:PutEvents","Resource":"arn:aws:events:eu-west-1:111111111111:event-bus/other"}]}`
		allowDeny    = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"events:*","Resource":"*"},{"Effect":"Deny","Action":"events:PutEvents","Resource":"BUS"}]}`
	)
	tests := []struct {
		name      string
		trust     string // "" creates no role
		policy    string // "" puts no inline policy
		roleIn    string // account whose IAM holds the role; default member
		noRoleArn bool
		delivered bool
	}{
		{name: "no RoleArn", noRoleArn: true},
		{name: "role that does not exist"},
		{name: "trust for events from this account, PutEvents on the bus", trust: trustAccount, policy: allowBus, delivered: true},
		{name: "trust for events from this rule", trust: trustRule, policy: allowBus, delivered: true},
		{name: "trust for events from another account", trust: strings.Replace(trustAccount, "ACCOUNT", outsider, 1), policy: allowBus},
		{name: "trust for another service", trust: trustLambda, policy: allowBus},
		{name: "no inline policy", trust: trustAccount},
		{name: "PutEvents on another bus only", trust: trustAccount, policy: allowOther},
		{name: "explicit Deny on the bus", trust: trustAccount, policy: allowDeny},
		{name: "role in the hub account", trust: trustAccount, policy: allowBus, roleIn: hubAccount},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			source := fmt.Sprintf("case-%d", i)
			name := fmt.Sprintf("forward-%d", i)
			ruleARN := "arn:aws:events:" + region + ":" + memberAccount + ":rule/" + name
			account, c := memberAccount, roles
			if tt.roleIn == hubAccount {
				account, c = hubAccount, hubRoles
			}
			roleARN := "arn:aws:iam::" + account + ":role/" + name
			expand := strings.NewReplacer("ACCOUNT", memberAccount, "RULE", ruleARN, "BUS", busARN).Replace
			if tt.trust != "" {
				_, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(expand(tt.trust))})
				must(t, err, "iam CreateRole")
			}
			if tt.policy != "" {
				_, err := c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String("p"), PolicyDocument: aws.String(expand(tt.policy))})
				must(t, err, "iam PutRolePolicy")
			}
			target := types.Target{Id: aws.String("hub"), Arn: aws.String(busARN), RoleArn: aws.String(roleARN)}
			if tt.noRoleArn {
				target.RoleArn = nil
			}
			mustRule(t, member, &eventbridge.PutRuleInput{Name: aws.String(name), EventPattern: aws.String(`{"source":["` + source + `"]}`)}, target)
			id := putOne(t, member, "", source, "x", `{}`)

			m := env.Sim.EventBridge.Metrics(ruleARN)
			got := queueDepth(t, hubSQS, hubQueue)
			var failure *eb.FailedInvocation
			for _, f := range failedInvocations(t, env) {
				if f.RuleARN == ruleARN {
					failure = &f
				}
			}
			if tt.delivered {
				if got != 1 || m.Invoked != 1 || failure != nil {
					t.Fatalf("hub queue got %d, metrics %+v, failure %+v; want delivered", got, m, failure)
				}
				return
			}
			if got != 0 || m.Failed != 1 {
				t.Fatalf("hub queue got %d, metrics %+v; want a failed invocation", got, m)
			}
			if failure == nil || failure.EventID != id || failure.TargetARN != busARN || failure.ErrorCode != "NO_PERMISSIONS" || failure.DeadLetter != "none" {
				t.Fatalf("failed invocation = %+v, want event %s to %s with NO_PERMISSIONS", failure, id, busARN)
			}
		})
	}

	req, _ := http.NewRequest(http.MethodDelete, env.URL+"/_awssim/failed-invocations", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("DELETE failed-invocations: %v %v", err, resp)
	}
	resp.Body.Close()
	if n := len(failedInvocations(t, env)); n != 0 {
		t.Fatalf("after DELETE, %d failed invocations", n)
	}
}

// TestCrossAccountRolePropagation: a role used before IAM has propagated it
// fails the delivery; once propagated it works.
func TestCrossAccountRolePropagation(t *testing.T) {
	const region = "eu-west-1"
	env, memberCfg, busARN, hubQueue := hubWithOrgBus(t, region)
	start := time.Now()
	var offset atomic.Int64
	env.Sim.SetClock(func() time.Time { return start.Add(time.Duration(offset.Load())) })
	env.Sim.IAM.SetPropagationDelay(time.Minute)
	member := eventbridge.NewFromConfig(memberCfg)
	role := forwarderRole(t, iam.NewFromConfig(memberCfg), "fwd", memberAccount, busARN)
	fwd := mustRule(t, member, &eventbridge.PutRuleInput{Name: aws.String("fwd"), EventPattern: aws.String(`{"source":["app"]}`)},
		types.Target{Id: aws.String("hub"), Arn: aws.String(busARN), RoleArn: aws.String(role)})
	hubSQS := sqs.NewFromConfig(env.Config(t, region))

	putOne(t, member, "", "app", "x", `{}`)
	if got := queueDepth(t, hubSQS, hubQueue); got != 0 {
		t.Fatalf("delivered %d through a role not yet propagated", got)
	}
	offset.Store(int64(2 * time.Minute))
	putOne(t, member, "", "app", "x", `{}`)
	if got := queueDepth(t, hubSQS, hubQueue); got != 1 {
		t.Fatalf("delivered %d after propagation, want 1", got)
	}
	if m := env.Sim.EventBridge.Metrics(fwd); m.Failed != 1 || m.Invoked != 1 {
		t.Fatalf("metrics = %+v, want 1 failed then 1 invoked", m)
	}
}

// TestRoleOnQueueTarget is W2: EventBridge delivers to a queue through its
// policy. A target that names a role anyway is delivered through the role,
// so the forwarder role (PutEvents only) on a queue target fails.
func TestRoleOnQueueTarget(t *testing.T) {
	const region = "us-east-1"
	ctx := context.Background()
	env := awssimtest.Start(t, orgSeed())
	cfg := env.Config(t, region)
	c := eventbridge.NewFromConfig(cfg)
	sq := sqs.NewFromConfig(cfg)
	rule, err := c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("r"), EventPattern: aws.String(`{"source":["app"]}`)})
	awssimtest.WantCode(t, err, "")
	url, arn := queue(t, sq, "q", "events.amazonaws.com", aws.ToString(rule.RuleArn))
	roles := iam.NewFromConfig(cfg)
	forwarder := forwarderRole(t, roles, "forwarder", hubAccount, "arn:aws:events:"+region+":"+memberAccount+":event-bus/default")
	sender := forwarderRole(t, roles, "sender", hubAccount, "*")
	_, err = roles.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("sender"), PolicyName: aws.String("send"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"` + arn + `"}]}`)})
	must(t, err, "iam PutRolePolicy")

	for _, tt := range []struct {
		name, role string
		delivered  bool
	}{
		{"no role: the queue policy decides", "", true},
		{"a role that only puts events", forwarder, false},
		{"a role that may send to the queue", sender, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			target := types.Target{Id: aws.String("q"), Arn: aws.String(arn)}
			if tt.role != "" {
				target.RoleArn = aws.String(tt.role)
			}
			awssimtest.WantCall(t, c.PutTargets, &eventbridge.PutTargetsInput{Rule: aws.String("r"), Targets: []types.Target{target}}, "")
			putOne(t, c, "", "app", "x", `{}`)
			if got := queueDepth(t, sq, url); (got == 1) != tt.delivered {
				t.Fatalf("queue got %d, want delivered %v", got, tt.delivered)
			}
		})
	}
}
