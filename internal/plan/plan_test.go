package plan

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/orgnotify/orgnotify/internal/desired"
)

const (
	hub    = "111111111111"
	member = "345678901234"
)

func rule(account, name, pattern string) desired.Resource {
	return desired.Resource{
		ID: desired.ID{Account: account, Region: "us-east-1", Kind: desired.EventRule, Name: name},
		Settings: map[string]string{
			desired.SetEventBusName: "default",
			desired.SetEventPattern: pattern,
			desired.SetState:        "ENABLED",
		},
		Tags: map[string]string{"orgnotify": "managed"},
	}
}

func topic(policy string) desired.Resource {
	return desired.Resource{
		ID:       desired.ID{Account: hub, Region: "eu-west-1", Kind: desired.SNSTopic, Name: "orgnotify-alerts"},
		Settings: map[string]string{desired.SetPolicy: policy, desired.SetKMSKey: "alias/orgnotify"},
		Tags:     map[string]string{"orgnotify": "managed"},
	}
}

func subscription(endpoint string) desired.Resource {
	return desired.Resource{
		ID: desired.ID{Account: hub, Region: "eu-west-1", Kind: desired.SNSSubscription, Name: "orgnotify-alerts/email:" + endpoint},
		Settings: map[string]string{
			desired.SetProtocol:     "email",
			desired.SetEndpoint:     endpoint,
			desired.SetFilterPolicy: `{"account":["345678901234"]}`,
		},
	}
}

func role(account string) desired.Resource {
	return desired.Resource{
		ID: desired.ID{Account: account, Kind: desired.IAMRole, Name: "orgnotify-forwarder"},
		Settings: map[string]string{
			desired.SetTrustPolicy:                       `{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"Service":"events.amazonaws.com"}}],"Version":"2012-10-17"}`,
			desired.SetInlinePolicyPrefix + "put-events": `{"Statement":[{"Action":"events:PutEvents","Effect":"Allow","Resource":"arn:aws:events:eu-west-1:111111111111:event-bus/orgnotify"}],"Version":"2012-10-17"}`,
		},
		Tags: map[string]string{"orgnotify": "managed"},
	}
}

// with returns a copy of r changed by edit, leaving r's maps alone.
func with(r desired.Resource, edit func(*desired.Resource)) desired.Resource {
	r.Settings = maps.Clone(r.Settings)
	r.Tags = maps.Clone(r.Tags)
	edit(&r)
	return r
}

// describe lists a plan as "action kind account/region name [fields]"
// lines, so a case states the whole plan in one readable value.
func describe(p Plan) []string {
	var out []string
	for _, c := range p.Changes {
		var fields []string
		for _, f := range c.Diff {
			fields = append(fields, f.Field)
		}
		out = append(out, fmt.Sprintf("%s %s [%s]", c.Action, c.ID, strings.Join(fields, ",")))
	}
	for _, id := range p.Pending {
		out = append(out, "pending "+id.String())
	}
	return out
}

const pattern = `{"detail":{"status-details":{"status":["ROLLBACK_COMPLETE","UPDATE_FAILED"]}},"source":["aws.cloudformation"]}`

func TestCompute(t *testing.T) {
	stack := rule(member, "orgnotify-fwd-stackfailures", pattern)
	policy := `{"Statement":[{"Action":["SNS:Publish"],"Effect":"Allow","Principal":{"Service":["events.amazonaws.com"]},"Resource":"arn:aws:sns:eu-west-1:111111111111:orgnotify-alerts"}],"Version":"2012-10-17"}`
	alerts := topic(policy)
	sub := subscription("ops@example.com")
	ruleID := "events.rule 345678901234/us-east-1 orgnotify-fwd-stackfailures"

	cases := []struct {
		name       string
		want, have []desired.Resource
		plan       []string
	}{
		{name: "nothing", plan: nil},
		{
			name: "create",
			want: []desired.Resource{stack},
			plan: []string{"create " + ruleID + " [EventBusName,EventPattern,State,tags.orgnotify]"},
		},
		{
			name: "in sync",
			want: []desired.Resource{stack, alerts, sub},
			have: []desired.Resource{stack, alerts, sub},
		},
		{
			name: "update a setting",
			want: []desired.Resource{stack},
			have: []desired.Resource{with(stack, func(r *desired.Resource) { r.Settings[desired.SetState] = "DISABLED" })},
			plan: []string{"update " + ruleID + " [State]"},
		},
		{
			name: "update a wanted tag",
			want: []desired.Resource{stack},
			have: []desired.Resource{with(stack, func(r *desired.Resource) { r.Tags["orgnotify"] = "other" })},
			plan: []string{"update " + ruleID + " [tags.orgnotify]"},
		},
		{
			name: "add a missing tag",
			want: []desired.Resource{stack},
			have: []desired.Resource{with(stack, func(r *desired.Resource) { r.Tags = nil })},
			plan: []string{"update " + ruleID + " [tags.orgnotify]"},
		},
		{
			name: "extra foreign tags are not a change",
			want: []desired.Resource{stack},
			have: []desired.Resource{with(stack, func(r *desired.Resource) { r.Tags["cost-center"] = "42" })},
		},
		{
			name: "an inline policy no longer wanted is removed",
			want: []desired.Resource{role(member)},
			have: []desired.Resource{with(role(member), func(r *desired.Resource) {
				r.Settings[desired.SetInlinePolicyPrefix+"extra"] = `{"Statement":[]}`
			})},
			plan: []string{"update iam.role 345678901234/global orgnotify-forwarder [InlinePolicy/extra]"},
		},
		{
			name: "a setting desired does not manage is not compared",
			want: []desired.Resource{stack},
			have: []desired.Resource{with(stack, func(r *desired.Resource) { r.Settings[desired.SetDescription] = "by hand" })},
		},
		{
			name: "a setting desired clears is removed",
			want: []desired.Resource{with(stack, func(r *desired.Resource) { r.Settings[desired.SetDescription] = "" })},
			have: []desired.Resource{with(stack, func(r *desired.Resource) { r.Settings[desired.SetDescription] = "by hand" })},
			plan: []string{"update " + ruleID + " [Description]"},
		},
		{
			name: "an absent setting equals an empty one",
			want: []desired.Resource{with(stack, func(r *desired.Resource) { r.Settings[desired.SetDescription] = "" })},
			have: []desired.Resource{stack},
		},
		{
			name: "key order and whitespace are no change",
			want: []desired.Resource{stack},
			have: []desired.Resource{with(stack, func(r *desired.Resource) {
				r.Settings[desired.SetEventPattern] = "{\n  \"source\": [\"aws.cloudformation\"],\n  \"detail\": {\"status-details\": {\"status\": [\"ROLLBACK_COMPLETE\", \"UPDATE_FAILED\"]}}\n}"
			})},
		},
		{
			name: "array order in a pattern is no change",
			want: []desired.Resource{stack},
			have: []desired.Resource{with(stack, func(r *desired.Resource) {
				r.Settings[desired.SetEventPattern] = `{"detail":{"status-details":{"status":["UPDATE_FAILED","ROLLBACK_COMPLETE"]}},"source":["aws.cloudformation"]}`
			})},
		},
		{
			name: "a one-element policy array equals its element",
			want: []desired.Resource{alerts},
			have: []desired.Resource{topic(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Resource":"arn:aws:sns:eu-west-1:111111111111:orgnotify-alerts","Principal":{"Service":"events.amazonaws.com"},"Action":"SNS:Publish"}}`)},
		},
		{
			name: "numeric pairs keep their order",
			want: []desired.Resource{rule(member, "orgnotify-fwd-guardduty", `{"detail":{"severity":[{"numeric":[">=",7]}]}}`)},
			have: []desired.Resource{rule(member, "orgnotify-fwd-guardduty", `{"detail":{"severity":[{"numeric":[7,">="]}]}}`)},
			plan: []string{"update events.rule 345678901234/us-east-1 orgnotify-fwd-guardduty [EventPattern]"},
		},
		{
			name: "a changed pattern",
			want: []desired.Resource{stack},
			have: []desired.Resource{rule(member, "orgnotify-fwd-stackfailures", `{"source":["aws.cloudformation"]}`)},
			plan: []string{"update " + ruleID + " [EventPattern]"},
		},
		{
			name: "a filter policy in another order",
			want: []desired.Resource{with(sub, func(r *desired.Resource) {
				r.Settings[desired.SetFilterPolicy] = `{"account":["1","2"],"category":["stack"]}`
			})},
			have: []desired.Resource{with(sub, func(r *desired.Resource) {
				r.Settings[desired.SetFilterPolicy] = `{"category":["stack"], "account":["2","1","2"]}`
			})},
		},
		{
			name: "a value that is not JSON is compared as text",
			want: []desired.Resource{topic("not json")},
			have: []desired.Resource{topic("not  json")},
			plan: []string{"update sns.topic 111111111111/eu-west-1 orgnotify-alerts [Policy]"},
		},
		{
			name: "delete what is owned and not wanted",
			have: []desired.Resource{stack, role(member)},
			plan: []string{
				"delete " + ruleID + " [EventBusName,EventPattern,State,tags.orgnotify]",
				"delete iam.role 345678901234/global orgnotify-forwarder [AssumeRolePolicyDocument,InlinePolicy/put-events,tags.orgnotify]",
			},
		},
		{
			name: "a foreign resource that is wanted is a conflict",
			want: []desired.Resource{stack},
			have: []desired.Resource{with(stack, func(r *desired.Resource) { r.Foreign = true; r.Settings[desired.SetState] = "DISABLED" })},
			plan: []string{"conflict " + ruleID + " []"},
		},
		{
			name: "a foreign resource that is not wanted is ignored",
			have: []desired.Resource{with(stack, func(r *desired.Resource) { r.Foreign = true })},
		},
		{
			name: "a pending subscription is a state, not a change",
			want: []desired.Resource{sub},
			have: []desired.Resource{with(sub, func(r *desired.Resource) { r.Pending = true; r.Settings = nil })},
			plan: []string{"pending sns.subscription 111111111111/eu-west-1 orgnotify-alerts/email:ops@example.com"},
		},
		{
			name: "a pending subscription no longer wanted is left to expire",
			have: []desired.Resource{with(sub, func(r *desired.Resource) { r.Pending = true })},
		},
		{
			name: "untaggable kinds have no tag diff",
			want: []desired.Resource{with(sub, func(r *desired.Resource) { r.Tags = map[string]string{"orgnotify": "managed"} })},
			have: []desired.Resource{sub},
		},
		{
			name: "a repeated ID counts once",
			want: []desired.Resource{stack, stack},
			have: []desired.Resource{role(member), role(member)},
			plan: []string{
				"create " + ruleID + " [EventBusName,EventPattern,State,tags.orgnotify]",
				"delete iam.role 345678901234/global orgnotify-forwarder [AssumeRolePolicyDocument,InlinePolicy/put-events,tags.orgnotify]",
			},
		},
		{
			name: "order: dependencies first, deletes dependents first",
			want: []desired.Resource{
				rule(member, "orgnotify-b", pattern),
				role(member),
				alerts,
				rule(member, "orgnotify-a", pattern),
			},
			have: []desired.Resource{
				role("222222222222"),
				with(alerts, func(r *desired.Resource) { r.Settings[desired.SetKMSKey] = "alias/old" }),
				rule("222222222222", "orgnotify-c", pattern),
				rule("222222222222", "orgnotify-b", pattern),
				with(rule(member, "orgnotify-a", pattern), func(r *desired.Resource) { r.Foreign = true }),
			},
			plan: []string{
				"update sns.topic 111111111111/eu-west-1 orgnotify-alerts [KmsMasterKeyId]",
				"create iam.role 345678901234/global orgnotify-forwarder [AssumeRolePolicyDocument,InlinePolicy/put-events,tags.orgnotify]",
				"conflict events.rule 345678901234/us-east-1 orgnotify-a []",
				"create events.rule 345678901234/us-east-1 orgnotify-b [EventBusName,EventPattern,State,tags.orgnotify]",
				"delete events.rule 222222222222/us-east-1 orgnotify-b [EventBusName,EventPattern,State,tags.orgnotify]",
				"delete events.rule 222222222222/us-east-1 orgnotify-c [EventBusName,EventPattern,State,tags.orgnotify]",
				"delete iam.role 222222222222/global orgnotify-forwarder [AssumeRolePolicyDocument,InlinePolicy/put-events,tags.orgnotify]",
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := Compute(c.want, c.have)
			if got := describe(p); !slices.Equal(got, c.plan) {
				t.Errorf("plan:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(c.plan, "\n  "))
			}
			for _, ch := range p.Changes {
				checkResources(t, ch)
			}
		})
	}
}

// checkResources checks that a change carries the resources apply needs.
func checkResources(t *testing.T, c Change) {
	t.Helper()
	if (c.Desired == nil) != (c.Action == Delete) {
		t.Errorf("%s %s: Desired = %v", c.Action, c.ID, c.Desired)
	}
	if (c.Current == nil) != (c.Action == Create) {
		t.Errorf("%s %s: Current = %v", c.Action, c.ID, c.Current)
	}
	for _, r := range []*desired.Resource{c.Desired, c.Current} {
		if r != nil && r.ID != c.ID {
			t.Errorf("%s %s: carries resource %s", c.Action, c.ID, r.ID)
		}
	}
	if c.Action == Conflict && c.Reason == "" {
		t.Errorf("conflict %s without a reason", c.ID)
	}
}

func TestComputeDiffValues(t *testing.T) {
	stack := rule(member, "orgnotify-fwd-stackfailures", pattern)
	have := with(stack, func(r *desired.Resource) {
		r.Settings[desired.SetState] = "DISABLED"
		r.Settings[desired.SetEventPattern] = `{ "source": ["aws.cloudformation"] }`
		r.Ref = "arn:aws:events:us-east-1:345678901234:rule/orgnotify-fwd-stackfailures"
	})
	p := Compute([]desired.Resource{stack}, []desired.Resource{have})
	if len(p.Changes) != 1 {
		t.Fatalf("changes: %v", describe(p))
	}
	c := p.Changes[0]
	want := []FieldDiff{
		{Field: desired.SetEventPattern, Old: `{"source":["aws.cloudformation"]}`, New: pattern},
		{Field: desired.SetState, Old: "DISABLED", New: "ENABLED"},
	}
	if !slices.Equal(c.Diff, want) {
		t.Errorf("diff = %q, want %q", c.Diff, want)
	}
	if c.Current.Ref != have.Ref {
		t.Errorf("Current.Ref = %q, want %q", c.Current.Ref, have.Ref)
	}
}

func TestComputeLeavesInputsAlone(t *testing.T) {
	want := []desired.Resource{rule(member, "b", pattern), rule(member, "a", pattern)}
	have := []desired.Resource{rule(hub, "z", pattern), rule(hub, "y", pattern)}
	Compute(want, have)
	if want[0].Name != "b" || have[0].Name != "z" {
		t.Errorf("Compute reordered its inputs: %s, %s", want[0].Name, have[0].Name)
	}
}

func TestPlanCounts(t *testing.T) {
	p := Plan{Changes: []Change{
		{Action: Create}, {Action: Create}, {Action: Update}, {Action: Conflict}, {Action: Delete}, {Action: Delete}, {Action: Delete},
	}}
	if got, want := p.Summary(), (Summary{Create: 2, Update: 1, Delete: 3, Conflict: 1}); got != want {
		t.Errorf("Summary() = %+v, want %+v", got, want)
	}
	if p.Empty() || p.Deletions() != 3 || !p.HasConflicts() {
		t.Errorf("Empty() = %v, Deletions() = %d, HasConflicts() = %v", p.Empty(), p.Deletions(), p.HasConflicts())
	}
	var empty Plan
	if !empty.Empty() || empty.HasConflicts() || empty.Deletions() != 0 {
		t.Errorf("zero plan: Empty() = %v, HasConflicts() = %v", empty.Empty(), empty.HasConflicts())
	}
	pendingOnly := Plan{Pending: []desired.ID{subscription("a@example.com").ID}}
	if !pendingOnly.Empty() {
		t.Error("a plan with only pending subscriptions is not Empty")
	}
}

// TestComputeIgnoresInputOrder: observers return resources in whatever
// order AWS and the worker pool produce; the plan must not depend on it.
func TestComputeIgnoresInputOrder(t *testing.T) {
	p := samplePlan()
	var want, have []desired.Resource
	for _, c := range p.Changes {
		if c.Desired != nil {
			want = append(want, *c.Desired)
		}
		if c.Current != nil {
			have = append(have, *c.Current)
		}
	}
	first := describe(Compute(want, have))
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20 {
		rng.Shuffle(len(want), func(i, j int) { want[i], want[j] = want[j], want[i] })
		rng.Shuffle(len(have), func(i, j int) { have[i], have[j] = have[j], have[i] })
		if got := describe(Compute(want, have)); !slices.Equal(got, first) {
			t.Fatalf("plan depends on input order:\n  %s\nthen:\n  %s", strings.Join(first, "\n  "), strings.Join(got, "\n  "))
		}
	}
}
