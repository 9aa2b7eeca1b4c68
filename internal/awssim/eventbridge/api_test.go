package eventbridge_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/smithy-go"

	"github.com/orgnotify/orgnotify/internal/awssim/awssimtest"
)

func TestEventBuses(t *testing.T) {
	ctx := context.Background()
	c := startFake(t).client(t, hubAccount, "eu-west-1")
	out, err := c.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("central"), Description: aws.String("hub")})
	awssimtest.WantCode(t, err, "")
	if got, want := aws.ToString(out.EventBusArn), "arn:aws:events:eu-west-1:"+hubAccount+":event-bus/central"; got != want {
		t.Errorf("EventBusArn = %s, want %s", got, want)
	}

	t.Run("create errors", func(t *testing.T) {
		tests := []struct{ name, bus, code string }{
			{"duplicate", "central", "ResourceAlreadyExistsException"},
			{"default is reserved", "default", "ValidationException"},
			{"invalid characters", "bad/name", "ValidationException"},
			{"too long", strings.Repeat("a", 257), "ValidationException"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := c.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String(tt.bus)})
				awssimtest.WantCode(t, err, tt.code)
				if tt.code == "ResourceAlreadyExistsException" {
					var e *types.ResourceAlreadyExistsException
					if !errors.As(err, &e) {
						t.Errorf("error %T is not *types.ResourceAlreadyExistsException", err)
					}
				}
			})
		}
	})

	t.Run("describe", func(t *testing.T) {
		tests := []struct{ name, ref, wantName, code string }{
			{"by name", "central", "central", ""},
			{"by ARN", "arn:aws:events:eu-west-1:" + hubAccount + ":event-bus/central", "central", ""},
			{"default when empty", "", "default", ""},
			{"missing", "nope", "", "ResourceNotFoundException"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				in := &eventbridge.DescribeEventBusInput{}
				if tt.ref != "" {
					in.Name = aws.String(tt.ref)
				}
				out, err := c.DescribeEventBus(ctx, in)
				awssimtest.WantCode(t, err, tt.code)
				if tt.code != "" {
					var e *types.ResourceNotFoundException
					if !errors.As(err, &e) {
						t.Errorf("error %T is not *types.ResourceNotFoundException", err)
					}
					return
				}
				if aws.ToString(out.Name) != tt.wantName {
					t.Errorf("Name = %s, want %s", aws.ToString(out.Name), tt.wantName)
				}
			})
		}
	})

	t.Run("list", func(t *testing.T) {
		out, err := c.ListEventBuses(ctx, &eventbridge.ListEventBusesInput{})
		awssimtest.WantCode(t, err, "")
		var names []string
		for _, b := range out.EventBuses {
			names = append(names, aws.ToString(b.Name))
		}
		if fmt.Sprint(names) != "[central default]" {
			t.Errorf("buses = %v", names)
		}
	})

	t.Run("delete", func(t *testing.T) {
		awssimtest.WantCall(t, c.DeleteEventBus, &eventbridge.DeleteEventBusInput{Name: aws.String("default")}, "ValidationException")
		awssimtest.WantCall(t, c.DeleteEventBus, &eventbridge.DeleteEventBusInput{Name: aws.String("central")}, "")
		awssimtest.WantCall(t, c.DescribeEventBus, &eventbridge.DescribeEventBusInput{Name: aws.String("central")}, "ResourceNotFoundException")
	})
}

func TestPermissions(t *testing.T) {
	ctx := context.Background()
	c := startFake(t).client(t, hubAccount, "us-east-1")
	busPolicy := func() map[string]any {
		t.Helper()
		out, err := c.DescribeEventBus(ctx, &eventbridge.DescribeEventBusInput{})
		awssimtest.WantCode(t, err, "")
		if out.Policy == nil {
			return nil
		}
		var p map[string]any
		if err := json.Unmarshal([]byte(*out.Policy), &p); err != nil {
			t.Fatalf("Policy %q: %v", *out.Policy, err)
		}
		return p
	}
	sids := func() []string {
		var out []string
		p := busPolicy()
		if p == nil {
			return nil
		}
		for _, st := range p["Statement"].([]any) {
			out = append(out, st.(map[string]any)["Sid"].(string))
		}
		return out
	}

	putPerm := func(sid, principal string, cond *types.Condition) error {
		_, err := c.PutPermission(ctx, &eventbridge.PutPermissionInput{Action: aws.String("events:PutEvents"),
			Principal: aws.String(principal), StatementId: aws.String(sid), Condition: cond})
		return err
	}
	awssimtest.WantCode(t, putPerm("Org", "*", &types.Condition{Type: aws.String("StringEquals"), Key: aws.String("aws:PrincipalOrgID"), Value: aws.String(orgID)}), "")
	awssimtest.WantCode(t, putPerm("Member", memberAccount, nil), "")
	if got := fmt.Sprint(sids()); got != "[Org Member]" {
		t.Errorf("statements = %s", got)
	}
	st := busPolicy()["Statement"].([]any)[1].(map[string]any)
	if st["Principal"].(map[string]any)["AWS"] != "arn:aws:iam::"+memberAccount+":root" || st["Resource"] != "arn:aws:events:us-east-1:"+hubAccount+":event-bus/default" {
		t.Errorf("account statement = %v", st)
	}

	putPolicy := func(doc string) error {
		_, err := c.PutPermission(ctx, &eventbridge.PutPermissionInput{Policy: aws.String(doc)})
		return err
	}
	errorCases := []struct {
		name string
		err  error
		code string
	}{
		{"duplicate statement id", putPerm("Org", "*", nil), "ResourceAlreadyExistsException"},
		{"principal not an account", putPerm("X", "alice", nil), "ValidationException"},
		{"unsupported condition key", putPerm("Y", "*", &types.Condition{Type: aws.String("StringEquals"), Key: aws.String("aws:SourceIp"), Value: aws.String("1.2.3.4")}), "ValidationException"},
		{"unsupported action", awssimtest.Call(ctx, c.PutPermission, &eventbridge.PutPermissionInput{Action: aws.String("events:PutRule"), Principal: aws.String("*"), StatementId: aws.String("Z")})(), "ValidationException"},
		{"missing bus", awssimtest.Call(ctx, c.PutPermission, &eventbridge.PutPermissionInput{EventBusName: aws.String("nope"), Action: aws.String("events:PutEvents"), Principal: aws.String("*"), StatementId: aws.String("Z")})(), "ResourceNotFoundException"},
		{"policy not JSON", func() error {
			_, err := c.PutPermission(ctx, &eventbridge.PutPermissionInput{Policy: aws.String("{")})
			return err
		}(), "ValidationException"},
		{"policy without Resource", putPolicy(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"events:PutEvents"}]}`), "ValidationException"},
		{"policy with an unknown Effect", putPolicy(`{"Version":"2012-10-17","Statement":[{"Effect":"Permit","Principal":"*","Action":"events:PutEvents","Resource":"*"}]}`), "ValidationException"},
		{"policy with an unsupported operator", putPolicy(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"events:PutEvents","Resource":"*","Condition":{"StringSortOf":{"aws:PrincipalOrgID":"o-1"}}}]}`), "ValidationException"},
		{"policy with an unknown element", putPolicy(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"events:PutEvents","Resource":"*","Actions":"x"}]}`), "ValidationException"},
		{"policy without statements", putPolicy(`{"Version":"2012-10-17","Statement":[]}`), "ValidationException"},
		{"policy with a repeated Sid", putPolicy(`{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Principal":"*","Action":"events:PutEvents","Resource":"*"},{"Sid":"A","Effect":"Deny","Principal":"*","Action":"events:PutEvents","Resource":"*"}]}`), "ValidationException"},
		{"remove unknown statement", awssimtest.Call(ctx, c.RemovePermission, &eventbridge.RemovePermissionInput{StatementId: aws.String("Nope")})(), "ResourceNotFoundException"},
	}
	for _, tt := range errorCases {
		t.Run(tt.name, func(t *testing.T) { awssimtest.WantCode(t, tt.err, tt.code) })
	}

	awssimtest.WantCall(t, c.RemovePermission, &eventbridge.RemovePermissionInput{StatementId: aws.String("Member")}, "")
	if got := fmt.Sprint(sids()); got != "[Org]" {
		t.Errorf("after RemovePermission statements = %s", got)
	}

	doc := `{"Version":"2012-10-17","Statement":[{"Sid":"Whole","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + memberAccount + `:root"},"Action":"events:PutEvents","Resource":"*"}]}`
	awssimtest.WantCall(t, c.PutPermission, &eventbridge.PutPermissionInput{Policy: aws.String(doc)}, "")
	if got := fmt.Sprint(sids()); got != "[Whole]" {
		t.Errorf("after Policy statements = %s", got)
	}
	awssimtest.WantCall(t, c.RemovePermission, &eventbridge.RemovePermissionInput{RemoveAllPermissions: true}, "")
	if p := busPolicy(); p != nil {
		t.Errorf("policy after RemoveAllPermissions = %v", p)
	}
	awssimtest.WantCall(t, c.RemovePermission, &eventbridge.RemovePermissionInput{RemoveAllPermissions: true}, "ResourceNotFoundException")
}

func TestRules(t *testing.T) {
	ctx := context.Background()
	c := startFake(t).client(t, hubAccount, "us-east-1")
	if _, err := c.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("central")}); err != nil {
		t.Fatal(err)
	}
	const pattern = `{"source":["aws.organizations"]}`
	tests := []struct {
		name    string
		in      eventbridge.PutRuleInput
		wantARN string
		code    string
	}{
		{"default bus", eventbridge.PutRuleInput{Name: aws.String("r1"), EventPattern: aws.String(pattern), Tags: []types.Tag{{Key: aws.String("owner"), Value: aws.String("orgnotify")}}},
			"arn:aws:events:us-east-1:" + hubAccount + ":rule/r1", ""},
		{"custom bus by name", eventbridge.PutRuleInput{Name: aws.String("r2"), EventBusName: aws.String("central"), EventPattern: aws.String(pattern)},
			"arn:aws:events:us-east-1:" + hubAccount + ":rule/central/r2", ""},
		{"custom bus by ARN", eventbridge.PutRuleInput{Name: aws.String("r3"), EventBusName: aws.String("arn:aws:events:us-east-1:" + hubAccount + ":event-bus/central"), EventPattern: aws.String(pattern)},
			"arn:aws:events:us-east-1:" + hubAccount + ":rule/central/r3", ""},
		{"schedule", eventbridge.PutRuleInput{Name: aws.String("tick"), ScheduleExpression: aws.String("rate(5 minutes)")},
			"arn:aws:events:us-east-1:" + hubAccount + ":rule/tick", ""},
		{"update keeps the ARN", eventbridge.PutRuleInput{Name: aws.String("r1"), EventPattern: aws.String(pattern), Description: aws.String("updated")},
			"arn:aws:events:us-east-1:" + hubAccount + ":rule/r1", ""},
		{"invalid pattern", eventbridge.PutRuleInput{Name: aws.String("bad"), EventPattern: aws.String(`{"source":"aws.ec2"}`)}, "", "InvalidEventPatternException"},
		{"pattern not JSON", eventbridge.PutRuleInput{Name: aws.String("bad"), EventPattern: aws.String(`{`)}, "", "InvalidEventPatternException"},
		{"invalid name", eventbridge.PutRuleInput{Name: aws.String("bad name"), EventPattern: aws.String(pattern)}, "", "ValidationException"},
		{"name too long", eventbridge.PutRuleInput{Name: aws.String(strings.Repeat("r", 65)), EventPattern: aws.String(pattern)}, "", "ValidationException"},
		{"neither pattern nor schedule", eventbridge.PutRuleInput{Name: aws.String("empty")}, "", "ValidationException"},
		{"schedule on custom bus", eventbridge.PutRuleInput{Name: aws.String("tick"), EventBusName: aws.String("central"), ScheduleExpression: aws.String("rate(5 minutes)")}, "", "ValidationException"},
		{"bad schedule", eventbridge.PutRuleInput{Name: aws.String("tick"), ScheduleExpression: aws.String("every 5 minutes")}, "", "ValidationException"},
		{"bad state", eventbridge.PutRuleInput{Name: aws.String("s"), EventPattern: aws.String(pattern), State: "PAUSED"}, "", "ValidationException"},
		{"missing bus", eventbridge.PutRuleInput{Name: aws.String("s"), EventBusName: aws.String("nope"), EventPattern: aws.String(pattern)}, "", "ResourceNotFoundException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := c.PutRule(ctx, &tt.in)
			awssimtest.WantCode(t, err, tt.code)
			if tt.code == "InvalidEventPatternException" {
				var e *types.InvalidEventPatternException
				if !errors.As(err, &e) {
					t.Errorf("error %T is not *types.InvalidEventPatternException", err)
				}
			}
			if err == nil && aws.ToString(out.RuleArn) != tt.wantARN {
				t.Errorf("RuleArn = %s, want %s", aws.ToString(out.RuleArn), tt.wantARN)
			}
		})
	}

	d, err := c.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String("r1")})
	awssimtest.WantCode(t, err, "")
	if aws.ToString(d.Description) != "updated" || d.State != types.RuleStateEnabled || aws.ToString(d.EventPattern) != pattern || aws.ToString(d.EventBusName) != "default" {
		t.Errorf("DescribeRule = %+v", d)
	}
	awssimtest.WantCall(t, c.DescribeRule, &eventbridge.DescribeRuleInput{Name: aws.String("nope")}, "ResourceNotFoundException")

	t.Run("enable and disable", func(t *testing.T) {
		awssimtest.WantCall(t, c.DisableRule, &eventbridge.DisableRuleInput{Name: aws.String("r2"), EventBusName: aws.String("central")}, "")
		d, _ := c.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String("r2"), EventBusName: aws.String("central")})
		if d.State != types.RuleStateDisabled {
			t.Errorf("state after DisableRule = %s", d.State)
		}
		awssimtest.WantCall(t, c.EnableRule, &eventbridge.EnableRuleInput{Name: aws.String("r2"), EventBusName: aws.String("central")}, "")
		d, _ = c.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String("r2"), EventBusName: aws.String("central")})
		if d.State != types.RuleStateEnabled {
			t.Errorf("state after EnableRule = %s", d.State)
		}
		awssimtest.WantCall(t, c.EnableRule, &eventbridge.EnableRuleInput{Name: aws.String("nope")}, "ResourceNotFoundException")
	})

	t.Run("list with pagination", func(t *testing.T) {
		for i := 0; i < 5; i++ {
			if _, err := c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String(fmt.Sprintf("page-%d", i)), EventPattern: aws.String(pattern)}); err != nil {
				t.Fatal(err)
			}
		}
		var names []string
		pages := 0
		in := &eventbridge.ListRulesInput{NamePrefix: aws.String("page-"), Limit: aws.Int32(2)}
		for {
			out, err := c.ListRules(ctx, in)
			awssimtest.WantCode(t, err, "")
			pages++
			for _, r := range out.Rules {
				names = append(names, aws.ToString(r.Name))
			}
			if out.NextToken == nil || pages > 10 {
				break
			}
			in.NextToken = out.NextToken
		}
		if pages != 3 || fmt.Sprint(names) != "[page-0 page-1 page-2 page-3 page-4]" {
			t.Errorf("pages = %d, names = %v", pages, names)
		}
		out, err := c.ListRules(ctx, &eventbridge.ListRulesInput{EventBusName: aws.String("central")})
		awssimtest.WantCode(t, err, "")
		if len(out.Rules) != 2 {
			t.Errorf("rules on central = %d, want 2", len(out.Rules))
		}
		awssimtest.WantCall(t, c.ListRules, &eventbridge.ListRulesInput{Limit: aws.Int32(101)}, "ValidationException")
		awssimtest.WantCall(t, c.ListRules, &eventbridge.ListRulesInput{NextToken: aws.String("not-a-token")}, "ValidationException")
	})

	t.Run("delete", func(t *testing.T) {
		_, err := c.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("r1"), Targets: []types.Target{{Id: aws.String("q"), Arn: aws.String("arn:aws:sqs:us-east-1:" + hubAccount + ":q")}}})
		awssimtest.WantCode(t, err, "")
		_, err = c.DeleteRule(ctx, &eventbridge.DeleteRuleInput{Name: aws.String("r1")})
		awssimtest.WantCode(t, err, "ValidationException")
		var ae smithy.APIError
		if errors.As(err, &ae) && ae.ErrorMessage() != "Rule can't be deleted since it has targets." {
			t.Errorf("message = %q", ae.ErrorMessage())
		}
		awssimtest.WantCall(t, c.RemoveTargets, &eventbridge.RemoveTargetsInput{Rule: aws.String("r1"), Ids: []string{"q"}}, "")
		awssimtest.WantCall(t, c.DeleteRule, &eventbridge.DeleteRuleInput{Name: aws.String("r1")}, "")
		awssimtest.WantCall(t, c.DescribeRule, &eventbridge.DescribeRuleInput{Name: aws.String("r1")}, "ResourceNotFoundException")
	})
}

func TestTargets(t *testing.T) {
	ctx := context.Background()
	c := startFake(t).client(t, hubAccount, "us-east-1")
	if _, err := c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("r"), EventPattern: aws.String(`{"source":["a"]}`)}); err != nil {
		t.Fatal(err)
	}
	q := func(id string) types.Target {
		return types.Target{Id: aws.String(id), Arn: aws.String("arn:aws:sqs:us-east-1:" + hubAccount + ":" + id)}
	}
	out, err := c.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("r"), Targets: []types.Target{
		q("t1"), q("t2"), q("t3"),
		{Id: aws.String("bad-arn"), Arn: aws.String("not-an-arn")},
		{Id: aws.String("two-inputs"), Arn: aws.String("arn:aws:sqs:us-east-1:" + hubAccount + ":x"), Input: aws.String(`{}`), InputPath: aws.String("$.detail")},
		{Id: aws.String("bad-input"), Arn: aws.String("arn:aws:sqs:us-east-1:" + hubAccount + ":x"), Input: aws.String(`{`)},
	}})
	awssimtest.WantCode(t, err, "")
	var failed []string
	for _, f := range out.FailedEntries {
		failed = append(failed, aws.ToString(f.TargetId)+":"+aws.ToString(f.ErrorCode))
	}
	if out.FailedEntryCount != 3 || fmt.Sprint(failed) != "[bad-arn:ValidationException two-inputs:ValidationException bad-input:ValidationException]" {
		t.Errorf("FailedEntries = %d %v", out.FailedEntryCount, failed)
	}

	// Replacing an existing ID does not count against the limit.
	awssimtest.WantCall(t, c.PutTargets, &eventbridge.PutTargetsInput{Rule: aws.String("r"), Targets: []types.Target{q("t1"), q("t4"), q("t5")}}, "")
	_, err = c.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("r"), Targets: []types.Target{q("t6")}})
	awssimtest.WantCode(t, err, "LimitExceededException")
	var le *types.LimitExceededException
	if !errors.As(err, &le) {
		t.Errorf("error %T is not *types.LimitExceededException", err)
	}
	awssimtest.WantCall(t, c.PutTargets, &eventbridge.PutTargetsInput{Rule: aws.String("nope"), Targets: []types.Target{q("t1")}}, "ResourceNotFoundException")

	var ids []string
	in := &eventbridge.ListTargetsByRuleInput{Rule: aws.String("r"), Limit: aws.Int32(2)}
	for pages := 0; pages < 10; pages++ {
		page, err := c.ListTargetsByRule(ctx, in)
		awssimtest.WantCode(t, err, "")
		for _, tg := range page.Targets {
			ids = append(ids, aws.ToString(tg.Id))
		}
		if page.NextToken == nil {
			break
		}
		in.NextToken = page.NextToken
	}
	if fmt.Sprint(ids) != "[t1 t2 t3 t4 t5]" {
		t.Errorf("targets = %v", ids)
	}
	awssimtest.WantCall(t, c.ListTargetsByRule, &eventbridge.ListTargetsByRuleInput{Rule: aws.String("nope")}, "ResourceNotFoundException")

	rm, err := c.RemoveTargets(ctx, &eventbridge.RemoveTargetsInput{Rule: aws.String("r"), Ids: []string{"t2", "ghost"}})
	awssimtest.WantCode(t, err, "")
	if rm.FailedEntryCount != 1 || aws.ToString(rm.FailedEntries[0].TargetId) != "ghost" {
		t.Errorf("RemoveTargets = %+v", rm)
	}
	left, _ := c.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: aws.String("r")})
	if len(left.Targets) != 4 {
		t.Errorf("targets left = %d, want 4", len(left.Targets))
	}
}

func TestTargetFieldsRoundTrip(t *testing.T) {
	ctx := context.Background()
	c := startFake(t).client(t, hubAccount, "us-east-1")
	if _, err := c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("r"), EventPattern: aws.String(`{"source":["a"]}`)}); err != nil {
		t.Fatal(err)
	}
	in := types.Target{Id: aws.String("x"), Arn: aws.String("arn:aws:sqs:us-east-1:" + hubAccount + ":q"),
		InputTransformer: &types.InputTransformer{InputPathsMap: map[string]string{"s": "$.source"}, InputTemplate: aws.String(`"<s>"`)},
		RetryPolicy:      &types.RetryPolicy{MaximumRetryAttempts: aws.Int32(3)},
		DeadLetterConfig: &types.DeadLetterConfig{Arn: aws.String("arn:aws:sqs:us-east-1:" + hubAccount + ":dlq")}}
	if _, err := c.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("r"), Targets: []types.Target{in}}); err != nil {
		t.Fatal(err)
	}
	out, err := c.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: aws.String("r")})
	awssimtest.WantCode(t, err, "")
	got := out.Targets[0]
	if aws.ToString(got.InputTransformer.InputTemplate) != `"<s>"` || got.InputTransformer.InputPathsMap["s"] != "$.source" ||
		aws.ToInt32(got.RetryPolicy.MaximumRetryAttempts) != 3 || aws.ToString(got.DeadLetterConfig.Arn) != aws.ToString(in.DeadLetterConfig.Arn) {
		t.Errorf("target = %+v", got)
	}
}

func TestTags(t *testing.T) {
	ctx := context.Background()
	c := startFake(t).client(t, hubAccount, "us-east-1")
	bus, err := c.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("central"), Tags: []types.Tag{{Key: aws.String("a"), Value: aws.String("1")}}})
	awssimtest.WantCode(t, err, "")
	rule, err := c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("r"), EventBusName: aws.String("central"), EventPattern: aws.String(`{"source":["a"]}`)})
	awssimtest.WantCode(t, err, "")
	tags := func(arn string) string {
		out, err := c.ListTagsForResource(ctx, &eventbridge.ListTagsForResourceInput{ResourceARN: aws.String(arn)})
		awssimtest.WantCode(t, err, "")
		var kv []string
		for _, tg := range out.Tags {
			kv = append(kv, aws.ToString(tg.Key)+"="+aws.ToString(tg.Value))
		}
		return strings.Join(kv, ",")
	}
	for _, arn := range []string{aws.ToString(bus.EventBusArn), aws.ToString(rule.RuleArn)} {
		t.Run(arn, func(t *testing.T) {
			_, err := c.TagResource(ctx, &eventbridge.TagResourceInput{ResourceARN: aws.String(arn), Tags: []types.Tag{
				{Key: aws.String("orgnotify:managed"), Value: aws.String("true")}, {Key: aws.String("b"), Value: aws.String("2")}}})
			awssimtest.WantCode(t, err, "")
			awssimtest.WantCall(t, c.UntagResource, &eventbridge.UntagResourceInput{ResourceARN: aws.String(arn), TagKeys: []string{"b"}}, "")
			got := tags(arn)
			if got != "a=1,orgnotify:managed=true" && got != "orgnotify:managed=true" {
				t.Errorf("tags = %s", got)
			}
		})
	}
	awssimtest.WantCall(t, c.ListTagsForResource, &eventbridge.ListTagsForResourceInput{ResourceARN: aws.String("arn:aws:events:us-east-1:" + hubAccount + ":rule/nope")}, "ResourceNotFoundException")
	awssimtest.WantCall(t, c.TagResource, &eventbridge.TagResourceInput{ResourceARN: aws.String(aws.ToString(rule.RuleArn)), Tags: []types.Tag{{Key: aws.String("aws:x"), Value: aws.String("1")}}}, "ValidationException")
}

func TestTestEventPattern(t *testing.T) {
	ctx := context.Background()
	c := startFake(t).client(t, hubAccount, "us-east-1")
	event := `{"id":"1","account":"111111111111","source":"aws.organizations","time":"2026-01-01T00:00:00Z","region":"us-east-1","resources":[],"detail-type":"AWS API Call via CloudTrail","detail":{"eventName":"CloseAccount"}}`
	tests := []struct {
		name, pattern, event string
		want                 bool
		code                 string
	}{
		{"matches", `{"detail":{"eventName":["CloseAccount","MoveAccount"]}}`, event, true, ""},
		{"does not match", `{"detail":{"eventName":["CreateAccountResult"]}}`, event, false, ""},
		{"invalid pattern", `{"detail":{"eventName":"CloseAccount"}}`, event, false, "InvalidEventPatternException"},
		{"event not JSON", `{"source":["a"]}`, `{`, false, "ValidationException"},
		{"event without envelope", `{"source":["a"]}`, `{"source":"a"}`, false, "ValidationException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := c.TestEventPattern(ctx, &eventbridge.TestEventPatternInput{EventPattern: aws.String(tt.pattern), Event: aws.String(tt.event)})
			awssimtest.WantCode(t, err, tt.code)
			if err == nil && out.Result != tt.want {
				t.Errorf("Result = %v, want %v", out.Result, tt.want)
			}
		})
	}
}

func TestPutEventsValidation(t *testing.T) {
	ctx := context.Background()
	c := startFake(t).client(t, hubAccount, "us-east-1")
	entry := func(source, detailType, detail string) types.PutEventsRequestEntry {
		return types.PutEventsRequestEntry{Source: aws.String(source), DetailType: aws.String(detailType), Detail: aws.String(detail)}
	}
	out, err := c.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{
		entry("app", "ok", `{"a":1}`),
		entry("", "x", `{}`),
		entry("app", "", `{}`),
		entry("app", "x", `[1]`),
		entry("app", "x", `not json`),
		entry("aws.organizations", "AWS API Call via CloudTrail", `{}`),
		{Source: aws.String("app"), DetailType: aws.String("x"), Detail: aws.String(`{}`), EventBusName: aws.String("nope")},
	}})
	awssimtest.WantCode(t, err, "")
	want := []string{"", "InvalidArgument", "InvalidArgument", "MalformedDetail", "MalformedDetail", "NotAuthorizedForSourceException", "ResourceNotFoundException"}
	if out.FailedEntryCount != int32(len(want)-1) {
		t.Errorf("FailedEntryCount = %d, want %d", out.FailedEntryCount, len(want)-1)
	}
	for i, e := range out.Entries {
		if got := aws.ToString(e.ErrorCode); got != want[i] {
			t.Errorf("entry %d ErrorCode = %q, want %q", i, got, want[i])
		}
		if (want[i] == "") != (aws.ToString(e.EventId) != "") {
			t.Errorf("entry %d EventId = %q", i, aws.ToString(e.EventId))
		}
	}

	tooMany := make([]types.PutEventsRequestEntry, 11)
	for i := range tooMany {
		tooMany[i] = entry("app", "x", `{}`)
	}
	awssimtest.WantCall(t, c.PutEvents, &eventbridge.PutEventsInput{Entries: tooMany}, "ValidationException")

	big := `{"pad":"` + strings.Repeat("x", 256*1024) + `"}`
	awssimtest.WantCall(t, c.PutEvents, &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{entry("app", "x", big)}}, "ValidationException")
}

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
		return awssimtest.SortedTags(out.Tags, func(tg types.Tag) (*string, *string) { return tg.Key, tg.Value })
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
