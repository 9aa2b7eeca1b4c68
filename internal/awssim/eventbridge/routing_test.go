package eventbridge_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"github.com/orgnotify/orgnotify/internal/awssim/awssimtest"
	eb "github.com/orgnotify/orgnotify/internal/awssim/eventbridge"
	"github.com/orgnotify/orgnotify/internal/awssim/handoff"
)

// These tests run the EventBridge store alone behind the simulator's router,
// with recording deliverers in place of SQS and SNS, so routing is tested
// independently of the other simulated services.

const (
	hubAccount    = "111111111111"
	memberAccount = "222222222222"
	outsider      = "999999999999"
	orgID         = "o-abc123defg"
)

// orgs puts the hub and member accounts in one organization.
type orgs struct{}

func (orgs) OrgIDOf(account string) (string, bool) {
	if account == hubAccount || account == memberAccount {
		return orgID, true
	}
	return "", false
}

// recorder is a handoff.Deliverer that keeps what it receives and fails for
// target ARNs listed in fail.
type recorder struct {
	mu   sync.Mutex
	got  []handoff.Delivery
	fail map[string]error
}

func (r *recorder) Deliver(_ context.Context, d handoff.Delivery) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.fail[d.TargetARN]; err != nil {
		return err
	}
	r.got = append(r.got, d)
	return nil
}

func (r *recorder) deliveries() []handoff.Delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]handoff.Delivery(nil), r.got...)
}

type fakeEnv struct {
	store *eb.Store
	sqs   *recorder
	sns   *recorder
	env   *awssimtest.Env
}

func startFake(t *testing.T) *fakeEnv {
	t.Helper()
	f := &fakeEnv{sqs: &recorder{fail: map[string]error{}}, sns: &recorder{fail: map[string]error{}}}
	f.store = eb.New(eb.Targets{SQS: f.sqs, SNS: f.sns}, orgs{})
	// Access key "AKID<account>" acts as that account (see client).
	_, f.env = awssimtest.Serve(t, awssimtest.Keys{"AKID" + hubAccount: hubAccount, "AKID" + memberAccount: memberAccount, "AKID" + outsider: outsider},
		f.store.Service())
	return f
}

func (f *fakeEnv) client(t *testing.T, account, region string) *eventbridge.Client {
	return eventbridge.NewFromConfig(f.env.ConfigWithKeys(t, region, "AKID"+account, "secret", ""))
}

func mustRule(t *testing.T, c *eventbridge.Client, in *eventbridge.PutRuleInput, targets ...types.Target) string {
	t.Helper()
	ctx := context.Background()
	out, err := c.PutRule(ctx, in)
	if err != nil {
		t.Fatalf("PutRule %s: %v", aws.ToString(in.Name), err)
	}
	if len(targets) > 0 {
		res, err := c.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: in.Name, EventBusName: in.EventBusName, Targets: targets})
		if err != nil || res.FailedEntryCount != 0 {
			t.Fatalf("PutTargets %s: %v %+v", aws.ToString(in.Name), err, res)
		}
	}
	return aws.ToString(out.RuleArn)
}

func putOne(t *testing.T, c *eventbridge.Client, bus, source, detailType, detail string) string {
	t.Helper()
	out, err := c.PutEvents(context.Background(), &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{{
		EventBusName: aws.String(bus), Source: aws.String(source), DetailType: aws.String(detailType), Detail: aws.String(detail),
	}}})
	if err != nil {
		t.Fatalf("PutEvents: %v", err)
	}
	if out.FailedEntryCount != 0 {
		t.Fatalf("PutEvents entry failed: %s %s", aws.ToString(out.Entries[0].ErrorCode), aws.ToString(out.Entries[0].ErrorMessage))
	}
	return aws.ToString(out.Entries[0].EventId)
}

func decode(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("delivered body %q is not a JSON object: %v", s, err)
	}
	return m
}

func TestPutEventsRoutesToMatchingTargets(t *testing.T) {
	f := startFake(t)
	c := f.client(t, hubAccount, "eu-west-1")
	queue := "arn:aws:sqs:eu-west-1:" + hubAccount + ":digest"
	topic := "arn:aws:sns:eu-west-1:" + hubAccount + ":alerts"
	matching := mustRule(t, c, &eventbridge.PutRuleInput{Name: aws.String("orders"), EventPattern: aws.String(`{"source":["app.orders"],"detail":{"total":[{"numeric":[">",100]}]}}`)},
		types.Target{Id: aws.String("q"), Arn: aws.String(queue)},
		types.Target{Id: aws.String("t"), Arn: aws.String(topic)})
	other := mustRule(t, c, &eventbridge.PutRuleInput{Name: aws.String("other"), EventPattern: aws.String(`{"source":["app.other"]}`)},
		types.Target{Id: aws.String("q"), Arn: aws.String(queue)})
	disabled := mustRule(t, c, &eventbridge.PutRuleInput{Name: aws.String("disabled"), State: types.RuleStateDisabled, EventPattern: aws.String(`{"source":["app.orders"]}`)},
		types.Target{Id: aws.String("q"), Arn: aws.String(queue)})

	id := putOne(t, c, "", "app.orders", "Order Placed", `{"total": 250, "currency": "EUR"}`)
	putOne(t, c, "", "app.orders", "Order Placed", `{"total": 5}`) // below the threshold

	got := f.sqs.deliveries()
	if len(got) != 1 {
		t.Fatalf("SQS deliveries = %d, want 1: %+v", len(got), got)
	}
	d := got[0]
	if d.TargetARN != queue || d.FromService != "events.amazonaws.com" || d.SourceARN != matching || d.SourceAccount != hubAccount {
		t.Errorf("delivery = %+v", d)
	}
	ev := decode(t, d.Body)
	want := map[string]any{"version": "0", "id": id, "detail-type": "Order Placed", "source": "app.orders",
		"account": hubAccount, "region": "eu-west-1"}
	for k, v := range want {
		if ev[k] != v {
			t.Errorf("event[%q] = %v, want %v", k, ev[k], v)
		}
	}
	if detail, _ := ev["detail"].(map[string]any); detail["currency"] != "EUR" {
		t.Errorf("event detail = %v", ev["detail"])
	}
	if _, ok := ev["time"].(string); !ok {
		t.Errorf("event time = %v", ev["time"])
	}
	if n := len(f.sns.deliveries()); n != 1 {
		t.Errorf("SNS deliveries = %d, want 1", n)
	}

	for _, tc := range []struct {
		name string
		arn  string
		want eb.RuleMetrics
	}{
		{"matching rule", matching, eb.RuleMetrics{Matched: 1, Invoked: 2}},
		{"rule for another source", other, eb.RuleMetrics{}},
		{"disabled rule", disabled, eb.RuleMetrics{}},
	} {
		if got := f.store.Metrics(tc.arn); got != tc.want {
			t.Errorf("%s: Metrics = %+v, want %+v", tc.name, got, tc.want)
		}
	}
}

func TestTargetInputShapes(t *testing.T) {
	f := startFake(t)
	c := f.client(t, hubAccount, "us-east-1")
	arn := func(name string) string { return "arn:aws:sqs:us-east-1:" + hubAccount + ":" + name }
	mustRule(t, c, &eventbridge.PutRuleInput{Name: aws.String("shapes"), EventPattern: aws.String(`{"source":["app"]}`)},
		types.Target{Id: aws.String("whole"), Arn: aws.String(arn("whole"))},
		types.Target{Id: aws.String("constant"), Arn: aws.String(arn("constant")), Input: aws.String(`{"fixed":true}`)},
		types.Target{Id: aws.String("path"), Arn: aws.String(arn("path")), InputPath: aws.String("$.detail.instance")},
		types.Target{Id: aws.String("transformer"), Arn: aws.String(arn("transformer")), InputTransformer: &types.InputTransformer{
			InputPathsMap: map[string]string{"id": "$.detail.instance.id", "n": "$.detail.count", "acct": "$.account"},
			InputTemplate: aws.String(`{"text": "instance <id> in <acct>", "count": <n>}`),
		}})
	putOne(t, c, "", "app", "Thing", `{"instance": {"id": "i-123", "size": "xl"}, "count": 3}`)

	bodies := map[string]string{}
	for _, d := range f.sqs.deliveries() {
		bodies[strings.TrimPrefix(d.TargetARN, arn(""))] = d.Body
	}
	tests := []struct {
		name   string
		target string
		check  func(map[string]any) bool
	}{
		{"no input delivers the event", "whole", func(m map[string]any) bool { return m["source"] == "app" && m["detail-type"] == "Thing" }},
		{"Input delivers the constant", "constant", func(m map[string]any) bool { return m["fixed"] == true && len(m) == 1 }},
		{"InputPath selects a part", "path", func(m map[string]any) bool { return m["id"] == "i-123" && m["size"] == "xl" }},
		{"InputTransformer fills the template", "transformer", func(m map[string]any) bool {
			return m["text"] == "instance i-123 in "+hubAccount && m["count"] == float64(3)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, ok := bodies[tt.target]
			if !ok {
				t.Fatalf("nothing delivered to %s (got %v)", tt.target, bodies)
			}
			if m := decode(t, body); !tt.check(m) {
				t.Errorf("body = %s", body)
			}
		})
	}
}

func TestFailedDeliveryIsCountedNotReturned(t *testing.T) {
	f := startFake(t)
	c := f.client(t, hubAccount, "us-east-1")
	topic := "arn:aws:sns:us-east-1:" + hubAccount + ":no-policy"
	f.sns.fail[topic] = errors.New("AuthorizationError: topic policy does not allow events.amazonaws.com")
	arn := mustRule(t, c, &eventbridge.PutRuleInput{Name: aws.String("to-topic"), EventPattern: aws.String(`{"source":["app"]}`)},
		types.Target{Id: aws.String("t"), Arn: aws.String(topic)},
		types.Target{Id: aws.String("missing-service"), Arn: aws.String("arn:aws:lambda:us-east-1:" + hubAccount + ":function:f")})

	putOne(t, c, "", "app", "Thing", `{}`) // PutEvents succeeds although delivery fails

	m := f.store.Metrics(arn)
	if m.Matched != 1 || m.Invoked != 0 || m.Failed != 2 {
		t.Errorf("Metrics = %+v, want 1 matched, 0 invoked, 2 failed", m)
	}
	if m.LastError == "" {
		t.Error("LastError is empty")
	}
}

// hubBusPolicy is the hub bus policy orgnotify writes: PutEvents for every
// account of the organization.
func putOrgPermission(t *testing.T, c *eventbridge.Client, bus string) {
	t.Helper()
	_, err := c.PutPermission(context.Background(), &eventbridge.PutPermissionInput{
		EventBusName: aws.String(bus), Action: aws.String("events:PutEvents"), Principal: aws.String("*"),
		StatementId: aws.String("AllowOrg"),
		Condition:   &types.Condition{Type: aws.String("StringEquals"), Key: aws.String("aws:PrincipalOrgID"), Value: aws.String(orgID)},
	})
	if err != nil {
		t.Fatalf("PutPermission: %v", err)
	}
}

func TestCrossAccountForwarding(t *testing.T) {
	const region = "us-east-1"
	f := startFake(t)
	hub := f.client(t, hubAccount, region)
	if _, err := hub.CreateEventBus(context.Background(), &eventbridge.CreateEventBusInput{Name: aws.String("central")}); err != nil {
		t.Fatal(err)
	}
	putOrgPermission(t, hub, "central")
	centralARN := "arn:aws:events:" + region + ":" + hubAccount + ":event-bus/central"
	queue := "arn:aws:sqs:" + region + ":" + hubAccount + ":digest"
	hubRule := mustRule(t, hub, &eventbridge.PutRuleInput{Name: aws.String("collect"), EventBusName: aws.String("central"), EventPattern: aws.String(`{"source":["app"]}`)},
		types.Target{Id: aws.String("q"), Arn: aws.String(queue)})
	// A rule sending everything back to the member bus: EventBridge must not
	// route an event that already crossed buses.
	backARN := "arn:aws:events:" + region + ":" + memberAccount + ":event-bus/default"
	loopRule := mustRule(t, hub, &eventbridge.PutRuleInput{Name: aws.String("back"), EventBusName: aws.String("central"), EventPattern: aws.String(`{"source":["app"]}`)},
		types.Target{Id: aws.String("member"), Arn: aws.String(backARN)})

	tests := []struct {
		name      string
		sender    string
		grant     bool // grant the sender's account ID on the bus first
		wantQueue int
	}{
		// W1: a rule forwarding without a RoleArn sends as its account, to
		// which a grant through aws:PrincipalOrgID does not apply.
		{"member without a RoleArn, bus grants only the organization", memberAccount, false, 0},
		{"member granted by account ID", memberAccount, true, 1},
		{"account outside the organization is refused", outsider, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.grant {
				_, err := hub.PutPermission(context.Background(), &eventbridge.PutPermissionInput{EventBusName: aws.String("central"),
					Action: aws.String("events:PutEvents"), Principal: aws.String(tt.sender), StatementId: aws.String("Account" + tt.sender)})
				if err != nil {
					t.Fatalf("PutPermission: %v", err)
				}
			}
			before := len(f.sqs.deliveries())
			c := f.client(t, tt.sender, region)
			fwd := mustRule(t, c, &eventbridge.PutRuleInput{Name: aws.String("forward"), EventPattern: aws.String(`{"source":["app"]}`)},
				types.Target{Id: aws.String("hub"), Arn: aws.String(centralARN)})
			id := putOne(t, c, "", "app", "Thing", `{"n":1}`)

			got := f.sqs.deliveries()[before:]
			if len(got) != tt.wantQueue {
				t.Fatalf("queue deliveries = %d, want %d", len(got), tt.wantQueue)
			}
			m := f.store.Metrics(fwd)
			if tt.wantQueue == 0 {
				if m.Failed != 1 {
					t.Errorf("forward rule metrics = %+v, want 1 failed", m)
				}
				return
			}
			if m.Invoked != 1 {
				t.Errorf("forward rule metrics = %+v, want 1 invoked", m)
			}
			ev := decode(t, got[0].Body)
			if ev["account"] != tt.sender || ev["region"] != region || ev["id"] != id {
				t.Errorf("forwarded event keeps account/region/id: got %v %v %v", ev["account"], ev["region"], ev["id"])
			}
			if got[0].SourceARN != hubRule || got[0].SourceAccount != hubAccount {
				t.Errorf("hub delivery source = %s %s", got[0].SourceARN, got[0].SourceAccount)
			}
		})
	}
	if m := f.store.Metrics(loopRule); m.Failed != 1 || m.Invoked != 0 {
		t.Errorf("loop rule metrics = %+v, want the re-forward refused once", m)
	}
}

func TestPutEventsToAnotherAccountsBus(t *testing.T) {
	f := startFake(t)
	hub := f.client(t, hubAccount, "us-east-1")
	if _, err := hub.CreateEventBus(context.Background(), &eventbridge.CreateEventBusInput{Name: aws.String("central")}); err != nil {
		t.Fatal(err)
	}
	putOrgPermission(t, hub, "central")
	bus := "arn:aws:events:us-east-1:" + hubAccount + ":event-bus/central"
	tests := []struct {
		name     string
		sender   string
		wantCode string
	}{
		{"organization member", memberAccount, ""},
		{"outsider", outsider, "AccessDeniedException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := f.client(t, tt.sender, "us-east-1").PutEvents(context.Background(), &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{{
				EventBusName: aws.String(bus), Source: aws.String("app"), DetailType: aws.String("x"), Detail: aws.String(`{}`),
			}}})
			if err != nil {
				t.Fatal(err)
			}
			if got := aws.ToString(out.Entries[0].ErrorCode); got != tt.wantCode {
				t.Errorf("ErrorCode = %q, want %q", got, tt.wantCode)
			}
		})
	}
}

func TestPutServiceEventOrganizations(t *testing.T) {
	f := startFake(t)
	c := f.client(t, hubAccount, "us-east-1")
	pattern, err := os.ReadFile("testdata/orgnotify-lifecycle-pattern.json")
	if err != nil {
		t.Fatal(err)
	}
	queue := "arn:aws:sqs:us-east-1:" + hubAccount + ":lifecycle"
	arn := mustRule(t, c, &eventbridge.PutRuleInput{Name: aws.String("org-lifecycle"), EventPattern: aws.String(string(pattern))},
		types.Target{Id: aws.String("q"), Arn: aws.String(queue)})
	ev := loadServiceEvent(t, "testdata/organizations-create-account-result.json")

	if _, err := f.store.PutServiceEvent(context.Background(), hubAccount, "eu-west-1", ev); err != nil {
		t.Fatal(err)
	}
	if m := f.store.Metrics(arn); m.Matched != 0 {
		t.Fatalf("an event in eu-west-1 matched the us-east-1 rule: %+v", m)
	}
	id, err := f.store.PutServiceEvent(context.Background(), hubAccount, "us-east-1", ev)
	if err != nil {
		t.Fatal(err)
	}
	got := f.sqs.deliveries()
	if len(got) != 1 {
		t.Fatalf("deliveries = %d, want 1", len(got))
	}
	m := decode(t, got[0].Body)
	status := m["detail"].(map[string]any)["serviceEventDetails"].(map[string]any)["createAccountStatus"].(map[string]any)
	if m["id"] != id || m["source"] != "aws.organizations" || status["accountId"] != "444455556666" {
		t.Errorf("delivered event = %s", got[0].Body)
	}
}

func loadServiceEvent(t *testing.T, path string) eb.ServiceEvent {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var raw struct {
		Source     string          `json:"source"`
		DetailType string          `json:"detail-type"`
		Detail     json.RawMessage `json:"detail"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	return eb.ServiceEvent{Source: raw.Source, DetailType: raw.DetailType, Detail: raw.Detail}
}

// TestConcurrentPutEventsAndRuleChanges runs deliveries while rules and
// targets change; under -race it checks that delivery happens outside the
// store's lock without data races, and every event is counted once.
func TestConcurrentPutEventsAndRuleChanges(t *testing.T) {
	f := startFake(t)
	c := f.client(t, hubAccount, "us-east-1")
	arn := mustRule(t, c, &eventbridge.PutRuleInput{Name: aws.String("hot"), EventPattern: aws.String(`{"source":["app"]}`)},
		types.Target{Id: aws.String("q"), Arn: aws.String("arn:aws:sqs:us-east-1:" + hubAccount + ":q")})
	const senders, each = 4, 5
	var wg sync.WaitGroup
	for i := 0; i < senders; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < each; j++ {
				// t.Fatal must not run off the test goroutine, so no putOne here.
				out, err := c.PutEvents(context.Background(), &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{{
					Source: aws.String("app"), DetailType: aws.String("x"), Detail: aws.String(`{}`)}}})
				if err != nil || out.FailedEntryCount != 0 {
					t.Errorf("PutEvents: %v %+v", err, out)
				}
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for j := 0; j < each; j++ {
			name := aws.String("churn")
			if _, err := c.PutRule(context.Background(), &eventbridge.PutRuleInput{Name: name, EventPattern: aws.String(`{"source":["other"]}`)}); err != nil {
				t.Error(err)
			}
			if _, err := c.DeleteRule(context.Background(), &eventbridge.DeleteRuleInput{Name: name}); err != nil {
				t.Error(err)
			}
		}
	}()
	wg.Wait()
	if m := f.store.Metrics(arn); m.Matched != senders*each || m.Invoked != senders*each {
		t.Errorf("metrics = %+v, want %d matched and invoked", m, senders*each)
	}
	if n := len(f.sqs.deliveries()); n != senders*each {
		t.Errorf("deliveries = %d, want %d", n, senders*each)
	}
}

// TestBusPolicyDecidesCrossAccountPutEvents puts whole policy documents on a
// hub bus and checks who may then put events on it: the bus policy is
// evaluated by iampolicy, so Deny statements, negated operators and
// conditions on the sender's account apply as in AWS.
func TestBusPolicyDecidesCrossAccountPutEvents(t *testing.T) {
	f := startFake(t)
	ctx := context.Background()
	hub := f.client(t, hubAccount, "us-east-1")
	if _, err := hub.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("central")}); err != nil {
		t.Fatal(err)
	}
	bus := "arn:aws:events:us-east-1:" + hubAccount + ":event-bus/central"
	expand := strings.NewReplacer("BUS", bus, "ORG", orgID, "MEMBER", memberAccount, "HUB", hubAccount).Replace
	const (
		allowAll = `{"Sid":"All","Effect":"Allow","Principal":"*","Action":"events:PutEvents","Resource":"BUS"}`
		allowOrg = `{"Sid":"Org","Effect":"Allow","Principal":"*","Action":"events:PutEvents","Resource":"BUS","Condition":{"StringEquals":{"aws:PrincipalOrgID":"ORG"}}}`
	)
	tests := []struct {
		name       string
		statements string
		sender     string
		wantCode   string
	}{
		{"organization condition admits a member", allowOrg, memberAccount, ""},
		{"organization condition refuses an outsider", allowOrg, outsider, "AccessDeniedException"},
		{"Deny outside the organization beats Allow *", allowAll + `,{"Sid":"NotOrg","Effect":"Deny","Principal":"*","Action":"events:*","Resource":"*","Condition":{"StringNotEquals":{"aws:PrincipalOrgID":"ORG"}}}`, outsider, "AccessDeniedException"},
		{"Deny outside the organization leaves a member allowed", allowAll + `,{"Sid":"NotOrg","Effect":"Deny","Principal":"*","Action":"events:*","Resource":"*","Condition":{"StringNotEquals":{"aws:PrincipalOrgID":"ORG"}}}`, memberAccount, ""},
		{"Deny of one account beats the organization Allow", allowOrg + `,{"Sid":"NoMember","Effect":"Deny","Principal":"*","Action":"events:PutEvents","Resource":"BUS","Condition":{"StringEquals":{"aws:PrincipalAccount":"MEMBER"}}}`, memberAccount, "AccessDeniedException"},
		{"aws:PrincipalAccount condition admits that account", `{"Effect":"Allow","Principal":"*","Action":"events:PutEvents","Resource":"BUS","Condition":{"StringEquals":{"aws:PrincipalAccount":["MEMBER"]}}}`, memberAccount, ""},
		{"aws:PrincipalAccount condition refuses another", `{"Effect":"Allow","Principal":"*","Action":"events:PutEvents","Resource":"BUS","Condition":{"StringEquals":{"aws:PrincipalAccount":["MEMBER"]}}}`, outsider, "AccessDeniedException"},
		{"bare account principal", `{"Effect":"Allow","Principal":{"AWS":"MEMBER"},"Action":"events:PutEvents","Resource":"BUS"}`, memberAccount, ""},
		{"Allow of another action", `{"Effect":"Allow","Principal":"*","Action":"events:PutRule","Resource":"BUS"}`, memberAccount, "AccessDeniedException"},
		{"Allow on another bus", `{"Effect":"Allow","Principal":"*","Action":"events:PutEvents","Resource":"arn:aws:events:us-east-1:HUB:event-bus/other"}`, memberAccount, "AccessDeniedException"},
		{"wildcard resource", `{"Effect":"Allow","Principal":"*","Action":"events:Put*","Resource":"arn:aws:events:*:HUB:event-bus/*"}`, memberAccount, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := expand(`{"Version":"2012-10-17","Statement":[` + tt.statements + `]}`)
			if _, err := hub.PutPermission(ctx, &eventbridge.PutPermissionInput{EventBusName: aws.String("central"), Policy: aws.String(doc)}); err != nil {
				t.Fatalf("PutPermission: %v", err)
			}
			out, err := f.client(t, tt.sender, "us-east-1").PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{{
				EventBusName: aws.String(bus), Source: aws.String("app"), DetailType: aws.String("x"), Detail: aws.String(`{}`),
			}}})
			if err != nil {
				t.Fatal(err)
			}
			if got := aws.ToString(out.Entries[0].ErrorCode); got != tt.wantCode {
				t.Errorf("ErrorCode = %q, want %q", got, tt.wantCode)
			}
		})
	}
}
