package desired

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orgnotify/orgnotify/internal/config"
	"github.com/orgnotify/orgnotify/internal/findings"
)

var update = flag.Bool("update", false, "rewrite golden files")

// load validates a configuration tree under testdata (a copy, so the
// tests do not depend on the repository's own accounts/).
func load(t *testing.T, root string) *config.Result {
	t.Helper()
	res, err := config.Validate(context.Background(), config.Options{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	if n := findings.Errors(res.Findings); n > 0 {
		t.Fatalf("%s does not validate: %d errors: %v", root, n, res.Findings)
	}
	return res
}

func build(t *testing.T, res *config.Result) []Resource {
	t.Helper()
	rs, err := Build(res.Org, res.Accounts)
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

func TestBuildGolden(t *testing.T) {
	rs := build(t, load(t, "testdata/example"))
	got, err := json.MarshalIndent(rs, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "example.golden.json")
	if *update {
		if err := os.WriteFile(golden, append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if string(want) != string(got)+"\n" {
		t.Errorf("Build differs from %s (go test ./internal/desired -update rewrites it)", golden)
	}
	// Build is deterministic.
	again, _ := json.MarshalIndent(build(t, load(t, "testdata/example")), "", "  ")
	if string(again) != string(got) {
		t.Error("two builds of the same configuration differ")
	}
}

func byID(rs []Resource) map[ID]Resource {
	m := map[ID]Resource{}
	for _, r := range rs {
		if _, dup := m[r.ID]; dup {
			panic(fmt.Sprintf("duplicate resource %s", r.ID))
		}
		m[r.ID] = r
	}
	return m
}

func TestBuildWiringFacts(t *testing.T) {
	res := load(t, "testdata/example")
	rs := build(t, res)
	org := res.Org
	hub, mgmt := org.Hub.AccountID, org.Organization.ManagementAccountID
	ids := byID(rs)

	t.Run("every taggable resource carries the ownership tag and the prefix", func(t *testing.T) {
		for _, r := range rs {
			if r.Kind.Taggable() && r.Tags[org.Ownership.TagKey] != org.Ownership.TagValue {
				t.Errorf("%s lacks the ownership tag", r.ID)
			}
			name := strings.TrimPrefix(r.Name, "alias/")
			if !strings.HasPrefix(name, org.Ownership.NamePrefix) {
				t.Errorf("%s lacks the name prefix", r.ID)
			}
		}
	})
	t.Run("hub resources never list member accounts", func(t *testing.T) {
		for _, r := range rs {
			if r.Account != hub || r.Kind == SNSSubscription {
				continue
			}
			for _, a := range res.Accounts {
				for k, v := range r.Settings {
					if strings.Contains(v, a.ID) {
						t.Errorf("%s %s names member %s", r.ID, k, a.ID)
					}
				}
			}
		}
	})
	t.Run("key policy: root keeps control, no PrincipalOrgID for services (W3)", func(t *testing.T) {
		key := ids[ID{hub, org.Hub.HomeRegion, KMSKey, org.Resources.KMSKeyAlias}]
		p := key.Settings[SetPolicy]
		if !strings.Contains(p, `"kms:*"`) || !strings.Contains(p, ":root") {
			t.Errorf("key policy lacks the root statement: %s", p)
		}
		if strings.Contains(p, "PrincipalOrgID") {
			t.Errorf("key policy conditions a service principal on aws:PrincipalOrgID: %s", p)
		}
		if key.Settings[SetKeyRotation] != "true" {
			t.Error("key rotation is off")
		}
	})
	t.Run("topic and queue encrypted with the customer-managed key, never aws/sns", func(t *testing.T) {
		topic := ids[ID{hub, org.Hub.HomeRegion, SNSTopic, org.Resources.SNSTopicName}]
		queue := ids[ID{hub, org.Hub.HomeRegion, SQSQueue, org.Resources.SQSQueueName}]
		for _, r := range []Resource{topic, queue} {
			if r.Settings[SetKMSKey] != org.Resources.KMSKeyAlias {
				t.Errorf("%s key = %q", r.ID, r.Settings[SetKMSKey])
			}
		}
		if !strings.Contains(queue.Settings[SetRedrivePolicy], DigestDLQ(org)) {
			t.Errorf("digest queue has no dead-letter queue: %v", queue.Settings)
		}
	})
	t.Run("every target has a dead-letter queue in its region and a retry policy (W4)", func(t *testing.T) {
		for _, r := range rs {
			if r.Kind != EventRule {
				continue
			}
			var ts []map[string]any
			if err := json.Unmarshal([]byte(r.Settings[SetTargets]), &ts); err != nil {
				t.Fatal(err)
			}
			for _, tg := range ts {
				dlq, _ := tg["DeadLetterConfig"].(map[string]any)["Arn"].(string)
				if !strings.Contains(dlq, ":sqs:"+r.Region+":"+hub+":") {
					t.Errorf("%s target %v: dead-letter queue %q not in the hub in %s", r.ID, tg["Id"], dlq, r.Region)
				}
				if _, ok := ids[ID{hub, r.Region, SQSQueue, DeliveryDLQ(org)}]; !ok {
					t.Errorf("%s: no delivery dead-letter queue in %s", r.ID, r.Region)
				}
				if tg["RetryPolicy"] == nil {
					t.Errorf("%s target %v has no retry policy", r.ID, tg["Id"])
				}
				cross := r.Account != hub || r.Settings[SetEventBusName] == "default"
				if cross && tg["RoleArn"] == nil {
					t.Errorf("%s forwards to the hub bus without a RoleArn (W1)", r.ID)
				}
				if !cross && tg["RoleArn"] != nil {
					t.Errorf("%s: SNS/SQS target with a RoleArn (W2)", r.ID)
				}
			}
		}
	})
	t.Run("every forwarding account has its role", func(t *testing.T) {
		for _, r := range rs {
			if r.Kind == EventRule && r.Settings[SetEventBusName] == "default" {
				if _, ok := ids[ID{r.Account, Global, IAMRole, org.Ownership.NamePrefix + "forwarder"}]; !ok {
					t.Errorf("%s: account has no forwarder role", r.ID)
				}
			}
		}
	})
	t.Run("lifecycle rule in the management account, us-east-1, both detail types", func(t *testing.T) {
		r, ok := ids[ID{mgmt, "us-east-1", EventRule, org.Ownership.NamePrefix + "fwd-lifecycle"}]
		if !ok {
			t.Fatal("no lifecycle rule")
		}
		p := r.Settings[SetEventPattern]
		for _, want := range []string{"AWS API Call via CloudTrail", "AWS Service Event via CloudTrail", "CreateAccountResult", "MoveAccount"} {
			if !strings.Contains(p, want) {
				t.Errorf("lifecycle pattern lacks %q: %s", want, p)
			}
		}
		if strings.Contains(p, "LeaveOrganization") {
			t.Errorf("LeaveOrganization is recorded by the member, not the management account: %s", p)
		}
		for _, a := range res.Accounts {
			if _, ok := ids[ID{a.ID, "us-east-1", EventRule, org.Ownership.NamePrefix + "fwd-leave"}]; !ok {
				t.Errorf("%s: no LeaveOrganization rule in the member's us-east-1 (W9)", a.Name)
			}
		}
	})
	t.Run("hub rules are a fixed set", func(t *testing.T) {
		n := 0
		for _, r := range rs {
			if r.Kind == EventRule && r.Account == hub && r.Settings[SetEventBusName] == org.Resources.EventBusName {
				n++
			}
		}
		if n != len(Categories) {
			t.Errorf("%d hub rules, want %d", n, len(Categories))
		}
	})
}

// Adding an account adds only that account's resources and the
// subscriptions it names; the hub does not change.
func TestAddingAnAccountChangesOnlyItsResources(t *testing.T) {
	res := load(t, "testdata/example")
	var without []*config.Account
	var added *config.Account
	for _, a := range res.Accounts {
		if a.Name == "payments-prod" {
			added = a
			continue
		}
		without = append(without, a)
	}
	before, err := Build(res.Org, without)
	if err != nil {
		t.Fatal(err)
	}
	after := build(t, res)
	b := byID(before)
	for _, r := range after {
		old, existed := b[r.ID]
		switch {
		case !existed && r.Account != added.ID && r.Kind != SNSSubscription:
			t.Errorf("adding %s creates %s", added.Name, r.ID)
		case existed && r.Account != added.ID && fmt.Sprint(old.Settings) != fmt.Sprint(r.Settings):
			t.Errorf("adding %s changes %s", added.Name, r.ID)
		}
	}
}

func TestPatternSplitAtAWSLimit(t *testing.T) {
	res := load(t, "testdata/example")
	acct := *res.Accounts[0]
	var rules []string
	for i := range 60 {
		rules = append(rules, fmt.Sprintf("a-rather-long-config-rule-name-number-%03d", i))
	}
	acct.Events = &config.Events{Config: &config.ConfigRules{Rules: rules, ComplianceTypes: []string{"NON_COMPLIANT"}}}
	rs, err := Build(res.Org, []*config.Account{&acct})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	n := 0
	for _, r := range rs {
		if r.Kind != EventRule || r.Account != acct.ID || r.Region != res.Org.Regions[0] || !strings.Contains(r.Name, "fwd-config") {
			continue
		}
		n++
		p := r.Settings[SetEventPattern]
		if len(p) > MaxPatternLength {
			t.Errorf("%s pattern is %d characters", r.Name, len(p))
		}
		for _, rule := range rules {
			if strings.Contains(p, `"`+rule+`"`) {
				seen[rule] = true
			}
		}
	}
	if n < 2 {
		t.Errorf("%d config rules, want the pattern split", n)
	}
	if len(seen) != len(rules) {
		t.Errorf("%d of %d Config rules matched after the split", len(seen), len(rules))
	}
}

func TestSubscriptionOnePerEndpoint(t *testing.T) {
	res := load(t, "testdata/example")
	a := *res.Accounts[0]
	both := &config.Subscribers{Emails: []string{"oncall@example.co.jp"}}
	a.Events = &config.Events{
		GuardDuty:   &config.GuardDuty{MinSeverity: "HIGH", Route: config.Route{Subscribers: both}},
		SecurityHub: &config.SecurityHub{Severities: []string{"CRITICAL"}, Route: config.Route{Subscribers: both}},
	}
	rs, err := Build(res.Org, []*config.Account{&a})
	if err != nil {
		t.Fatal(err)
	}
	var subs []Resource
	for _, r := range rs {
		if r.Kind == SNSSubscription && r.Settings[SetEndpoint] == "oncall@example.co.jp" {
			subs = append(subs, r)
		}
	}
	if len(subs) != 1 {
		t.Fatalf("%d subscriptions for one endpoint, want 1", len(subs))
	}
	f := subs[0].Settings[SetFilterPolicy]
	for _, want := range []string{"aws.guardduty", "aws.securityhub", a.ID, "$or"} {
		if !strings.Contains(f, want) {
			t.Errorf("filter policy lacks %s: %s", want, f)
		}
	}
	if subs[0].Settings[SetFilterPolicyScope] != "MessageBody" {
		t.Error("filter policy scope is not MessageBody")
	}
}

func TestPartition(t *testing.T) {
	for region, want := range map[string]string{
		"us-east-1": "aws", "ap-northeast-1": "aws", "cn-north-1": "aws-cn", "us-gov-west-1": "aws-us-gov", "us-isob-east-1": "aws-iso-b",
	} {
		if got := Partition(region); got != want {
			t.Errorf("Partition(%s) = %s, want %s", region, got, want)
		}
	}
}

func TestTooManySubscribersRefused(t *testing.T) {
	res := load(t, "testdata/example")
	a := *res.Accounts[0]
	subs := &config.Subscribers{}
	for i := range MaxFilterPolicies + 1 {
		subs.Emails = append(subs.Emails, fmt.Sprintf("team-%03d@example.co.jp", i))
	}
	a.Events = &config.Events{GuardDuty: &config.GuardDuty{MinSeverity: "HIGH", Route: config.Route{Subscribers: subs}}}
	_, err := Build(res.Org, []*config.Account{&a})
	if err == nil || !strings.Contains(err.Error(), "200 filtered subscriptions") {
		t.Fatalf("Build = %v, want the SNS filter-policy limit", err)
	}
}
