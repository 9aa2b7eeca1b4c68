package cloudtrail_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ct "github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/smithy-go"

	"github.com/orgnotify/orgnotify/internal/awssim"
	"github.com/orgnotify/orgnotify/internal/awssim/awssimtest"
	"github.com/orgnotify/orgnotify/internal/awssim/cloudtrail"
)

var testNow = time.Date(2026, 11, 15, 12, 0, 0, 0, time.UTC)

const (
	mgmt   = "111111111111"
	member = "222222222222"
)

// dataset is 130 management-account events in us-east-1, one every 7 hours
// back from testNow with rotating names, users, keys and resources, plus a
// few at the edges: 91 days old, in the future, in another region, in a
// member account, and two sharing a timestamp.
func dataset() []cloudtrail.Event {
	names := []string{"CreateAccount", "MoveAccount", "CloseAccount", "InviteAccountToOrganization", "DescribeOrganization"}
	var evs []cloudtrail.Event
	for i := 0; i < 130; i++ {
		e := cloudtrail.Event{
			EventID:     fmt.Sprintf("00000000-0000-4000-8000-%012d", i),
			EventName:   names[i%len(names)],
			EventSource: "organizations.amazonaws.com",
			EventTime:   testNow.Add(-time.Duration(i*7+1) * time.Hour).Format(time.RFC3339),
			Username:    []string{"alice", "bob", "carol"}[i%3],
			ReadOnly:    names[i%len(names)] == "DescribeOrganization",
			AccessKeyID: fmt.Sprintf("AKIAEXAMPLE%09d", i%4),
			Account:     mgmt,
		}
		if i%6 == 0 {
			e.Resources = []cloudtrail.Resource{{ResourceType: "AWS::Organizations::Account", ResourceName: fmt.Sprintf("3%011d", i)}}
		}
		evs = append(evs, e)
	}
	return append(evs,
		cloudtrail.Event{EventID: "edge-old", EventName: "CreateAccount", EventSource: "organizations.amazonaws.com", Account: mgmt,
			EventTime: testNow.Add(-91 * 24 * time.Hour).Format(time.RFC3339)},
		cloudtrail.Event{EventID: "edge-future", EventName: "CreateAccount", EventSource: "organizations.amazonaws.com", Account: mgmt,
			EventTime: testNow.Add(time.Hour).Format(time.RFC3339)},
		cloudtrail.Event{EventID: "edge-tie-b", EventName: "TagResource", EventSource: "organizations.amazonaws.com", Account: mgmt,
			EventTime: testNow.Add(-30 * time.Minute).Format(time.RFC3339)},
		cloudtrail.Event{EventID: "edge-tie-a", EventName: "TagResource", EventSource: "organizations.amazonaws.com", Account: mgmt,
			EventTime: testNow.Add(-30 * time.Minute).Format(time.RFC3339)},
		cloudtrail.Event{EventID: "edge-eu", EventName: "CreateStack", EventSource: "cloudformation.amazonaws.com", Account: mgmt, Region: "eu-west-1",
			EventTime: testNow.Add(-2 * time.Hour).Format(time.RFC3339)},
		cloudtrail.Event{EventID: "edge-member", EventName: "CreateStack", EventSource: "cloudformation.amazonaws.com", Account: member, Region: "us-east-1",
			EventTime: testNow.Add(-2 * time.Hour).Format(time.RFC3339)},
	)
}

func startCT(t *testing.T, events []cloudtrail.Event) *awssimtest.Env {
	t.Helper()
	store, err := cloudtrail.New(events)
	if err != nil {
		t.Fatal(err)
	}
	_, env := awssimtest.Serve(t, awssimtest.Keys{"AKIDMGMT": mgmt, "AKIDMEMBER": member}, awssimtest.AtClock(store.Service(), testNow))
	return env
}

func client(t *testing.T, env *awssimtest.Env, key, region string) *ct.Client {
	return ct.NewFromConfig(env.ConfigWithKeys(t, region, key, "secret", ""))
}

// expect lists, newest first, the IDs of the events the caller should see.
func expect(events []cloudtrail.Event, account, region string, from, to time.Time, keep func(*cloudtrail.Event) bool) []string {
	type hit struct {
		id string
		t  time.Time
	}
	var hits []hit
	for i := range events {
		e := &events[i]
		r := e.Region
		if r == "" {
			r = "us-east-1"
		}
		tm, _ := time.Parse(time.RFC3339, e.EventTime)
		if e.Account != account || r != region || tm.Before(from) || tm.After(to) || (keep != nil && !keep(e)) {
			continue
		}
		hits = append(hits, hit{e.EventID, tm})
	}
	sort.Slice(hits, func(a, b int) bool {
		if !hits[a].t.Equal(hits[b].t) {
			return hits[a].t.After(hits[b].t)
		}
		return hits[a].id < hits[b].id
	})
	ids := make([]string, len(hits))
	for i, h := range hits {
		ids[i] = h.id
	}
	return ids
}

// lookupAll pages through LookupEvents with the SDK's paginator.
func lookupAll(t *testing.T, c *ct.Client, in *ct.LookupEventsInput) ([]types.Event, int) {
	t.Helper()
	var out []types.Event
	pages := 0
	p := ct.NewLookupEventsPaginator(c, in)
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatalf("page %d: %v", pages, err)
		}
		pages++
		if in.MaxResults != nil && len(page.Events) > int(*in.MaxResults) {
			t.Errorf("page %d has %d events, MaxResults %d", pages, len(page.Events), *in.MaxResults)
		}
		out = append(out, page.Events...)
	}
	return out, pages
}

func ids(evs []types.Event) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = aws.ToString(e.EventId)
	}
	return out
}

func TestLookupEvents(t *testing.T) {
	events := dataset()
	env := startCT(t, events)
	window := testNow.Add(-90 * 24 * time.Hour)
	attr := func(k types.LookupAttributeKey, v string) []types.LookupAttribute {
		return []types.LookupAttribute{{AttributeKey: k, AttributeValue: aws.String(v)}}
	}
	hasResource := func(match func(cloudtrail.Resource) bool) func(*cloudtrail.Event) bool {
		return func(e *cloudtrail.Event) bool {
			for _, r := range e.Resources {
				if match(r) {
					return true
				}
			}
			return false
		}
	}
	tests := []struct {
		name       string
		key        string
		region     string
		in         ct.LookupEventsInput
		from, to   time.Time
		keep       func(*cloudtrail.Event) bool
		minResults int // guards against a case that proves nothing
	}{
		{name: "default window, all pages", key: "AKIDMGMT", region: "us-east-1", from: window, to: testNow, minResults: 100},
		{name: "small pages", key: "AKIDMGMT", region: "us-east-1", in: ct.LookupEventsInput{MaxResults: aws.Int32(7)}, from: window, to: testNow, minResults: 100},
		{name: "time range inclusive at both ends", key: "AKIDMGMT", region: "us-east-1",
			in:   ct.LookupEventsInput{StartTime: aws.Time(testNow.Add(-71 * time.Hour)), EndTime: aws.Time(testNow.Add(-8 * time.Hour)), MaxResults: aws.Int32(3)},
			from: testNow.Add(-71 * time.Hour), to: testNow.Add(-8 * time.Hour), minResults: 9},
		{name: "explicit range reaches old and future events", key: "AKIDMGMT", region: "us-east-1",
			in:   ct.LookupEventsInput{StartTime: aws.Time(testNow.Add(-100 * 24 * time.Hour)), EndTime: aws.Time(testNow.Add(2 * time.Hour))},
			from: testNow.Add(-100 * 24 * time.Hour), to: testNow.Add(2 * time.Hour), minResults: 130},
		{name: "event name", key: "AKIDMGMT", region: "us-east-1", in: ct.LookupEventsInput{LookupAttributes: attr(types.LookupAttributeKeyEventName, "MoveAccount"), MaxResults: aws.Int32(4)},
			from: window, to: testNow, keep: func(e *cloudtrail.Event) bool { return e.EventName == "MoveAccount" }, minResults: 20},
		{name: "event id", key: "AKIDMGMT", region: "us-east-1", in: ct.LookupEventsInput{LookupAttributes: attr(types.LookupAttributeKeyEventId, "00000000-0000-4000-8000-000000000042")},
			from: window, to: testNow, keep: func(e *cloudtrail.Event) bool { return e.EventID == "00000000-0000-4000-8000-000000000042" }, minResults: 1},
		{name: "read only", key: "AKIDMGMT", region: "us-east-1", in: ct.LookupEventsInput{LookupAttributes: attr(types.LookupAttributeKeyReadOnly, "true")},
			from: window, to: testNow, keep: func(e *cloudtrail.Event) bool { return e.ReadOnly }, minResults: 20},
		{name: "username", key: "AKIDMGMT", region: "us-east-1", in: ct.LookupEventsInput{LookupAttributes: attr(types.LookupAttributeKeyUsername, "bob")},
			from: window, to: testNow, keep: func(e *cloudtrail.Event) bool { return e.Username == "bob" }, minResults: 20},
		{name: "access key", key: "AKIDMGMT", region: "us-east-1", in: ct.LookupEventsInput{LookupAttributes: attr(types.LookupAttributeKeyAccessKeyId, "AKIAEXAMPLE000000002")},
			from: window, to: testNow, keep: func(e *cloudtrail.Event) bool { return e.AccessKeyID == "AKIAEXAMPLE000000002" }, minResults: 20},
		{name: "event source", key: "AKIDMGMT", region: "eu-west-1", in: ct.LookupEventsInput{LookupAttributes: attr(types.LookupAttributeKeyEventSource, "cloudformation.amazonaws.com")},
			from: window, to: testNow, keep: func(e *cloudtrail.Event) bool { return e.EventSource == "cloudformation.amazonaws.com" }, minResults: 1},
		{name: "resource type", key: "AKIDMGMT", region: "us-east-1", in: ct.LookupEventsInput{LookupAttributes: attr(types.LookupAttributeKeyResourceType, "AWS::Organizations::Account"), MaxResults: aws.Int32(5)},
			from: window, to: testNow, keep: hasResource(func(r cloudtrail.Resource) bool { return r.ResourceType == "AWS::Organizations::Account" }), minResults: 15},
		{name: "resource name", key: "AKIDMGMT", region: "us-east-1", in: ct.LookupEventsInput{LookupAttributes: attr(types.LookupAttributeKeyResourceName, "300000000012")},
			from: window, to: testNow, keep: hasResource(func(r cloudtrail.Resource) bool { return r.ResourceName == "300000000012" }), minResults: 1},
		{name: "other region sees only its events", key: "AKIDMGMT", region: "eu-west-1", from: window, to: testNow, minResults: 1},
		{name: "member sees only its own", key: "AKIDMEMBER", region: "us-east-1", from: window, to: testNow, minResults: 1},
		{name: "member in a region without events", key: "AKIDMEMBER", region: "ap-southeast-2", from: window, to: testNow},
		{name: "insight events are not simulated", key: "AKIDMGMT", region: "us-east-1", in: ct.LookupEventsInput{EventCategory: types.EventCategoryInsight},
			keep: func(*cloudtrail.Event) bool { return false }, from: window, to: testNow},
	}
	accounts := map[string]string{"AKIDMGMT": mgmt, "AKIDMEMBER": member}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			got, pages := lookupAll(t, client(t, env, tc.key, tc.region), &in)
			want := expect(events, accounts[tc.key], tc.region, tc.from, tc.to, tc.keep)
			if len(want) < tc.minResults {
				t.Fatalf("dataset gives %d events, the case needs at least %d", len(want), tc.minResults)
			}
			if !slices.Equal(ids(got), want) {
				t.Errorf("events\n got %v\nwant %v", ids(got), want)
			}
			size := cloudtrail.DefaultMaxResults
			if in.MaxResults != nil {
				size = int(*in.MaxResults)
			}
			if wantPages := max(1, (len(want)+size-1)/size); pages != wantPages {
				t.Errorf("%d pages, want %d", pages, wantPages)
			}
		})
	}
}

// TestEventFields checks one event field by field, including the generated
// CloudTrailEvent document and the epoch-seconds EventTime.
func TestEventFields(t *testing.T) {
	env := startCT(t, dataset())
	out, err := client(t, env, "AKIDMGMT", "us-east-1").LookupEvents(context.Background(), &ct.LookupEventsInput{
		LookupAttributes: []types.LookupAttribute{{AttributeKey: types.LookupAttributeKeyEventId, AttributeValue: aws.String("00000000-0000-4000-8000-000000000006")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Events) != 1 {
		t.Fatalf("%d events, want 1", len(out.Events))
	}
	e := out.Events[0]
	wantTime := testNow.Add(-43 * time.Hour)
	checks := []struct{ field, got, want string }{
		{"EventName", aws.ToString(e.EventName), "MoveAccount"},
		{"EventSource", aws.ToString(e.EventSource), "organizations.amazonaws.com"},
		{"Username", aws.ToString(e.Username), "alice"},
		{"ReadOnly", aws.ToString(e.ReadOnly), "false"},
		{"AccessKeyId", aws.ToString(e.AccessKeyId), "AKIAEXAMPLE000000002"},
		{"EventTime", aws.ToTime(e.EventTime).UTC().Format(time.RFC3339), wantTime.Format(time.RFC3339)},
		{"Resources", fmt.Sprint(len(e.Resources)), "1"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.field, c.got, c.want)
		}
	}
	if r := e.Resources[0]; aws.ToString(r.ResourceType) != "AWS::Organizations::Account" || aws.ToString(r.ResourceName) != "300000000006" {
		t.Errorf("resource %s %s", aws.ToString(r.ResourceType), aws.ToString(r.ResourceName))
	}
	var doc struct {
		EventName          string `json:"eventName"`
		EventID            string `json:"eventID"`
		AWSRegion          string `json:"awsRegion"`
		RecipientAccountID string `json:"recipientAccountId"`
		EventTime          string `json:"eventTime"`
		UserIdentity       struct {
			UserName string `json:"userName"`
		} `json:"userIdentity"`
	}
	if err := json.Unmarshal([]byte(aws.ToString(e.CloudTrailEvent)), &doc); err != nil {
		t.Fatalf("CloudTrailEvent: %v", err)
	}
	if doc.EventName != "MoveAccount" || doc.EventID != aws.ToString(e.EventId) || doc.AWSRegion != "us-east-1" ||
		doc.RecipientAccountID != mgmt || doc.EventTime != wantTime.Format(time.RFC3339) || doc.UserIdentity.UserName != "alice" {
		t.Errorf("CloudTrailEvent = %+v", doc)
	}
}

func TestLookupEventsErrors(t *testing.T) {
	env := startCT(t, dataset())
	c := client(t, env, "AKIDMGMT", "us-east-1")
	first, err := c.LookupEvents(context.Background(), &ct.LookupEventsInput{MaxResults: aws.Int32(2)})
	if err != nil || first.NextToken == nil {
		t.Fatalf("first page: %v", err)
	}
	a := func(k types.LookupAttributeKey, v string) types.LookupAttribute {
		return types.LookupAttribute{AttributeKey: k, AttributeValue: aws.String(v)}
	}
	tests := []struct {
		name  string
		in    ct.LookupEventsInput
		code  string
		typed func(error) bool
	}{
		{"two attributes", ct.LookupEventsInput{LookupAttributes: []types.LookupAttribute{a("EventName", "CreateAccount"), a("Username", "bob")}},
			"InvalidLookupAttributesException", func(err error) bool { var e *types.InvalidLookupAttributesException; return errors.As(err, &e) }},
		{"unknown attribute", ct.LookupEventsInput{LookupAttributes: []types.LookupAttribute{a("Colour", "blue")}},
			"InvalidLookupAttributesException", nil},
		{"empty attribute value", ct.LookupEventsInput{LookupAttributes: []types.LookupAttribute{a("EventName", "")}},
			"InvalidLookupAttributesException", nil},
		{"start after end", ct.LookupEventsInput{StartTime: aws.Time(testNow), EndTime: aws.Time(testNow.Add(-time.Hour))},
			"InvalidTimeRangeException", func(err error) bool { var e *types.InvalidTimeRangeException; return errors.As(err, &e) }},
		{"max results zero", ct.LookupEventsInput{MaxResults: aws.Int32(0)},
			"InvalidMaxResultsException", func(err error) bool { var e *types.InvalidMaxResultsException; return errors.As(err, &e) }},
		{"max results 51", ct.LookupEventsInput{MaxResults: aws.Int32(51)}, "InvalidMaxResultsException", nil},
		{"garbage token", ct.LookupEventsInput{NextToken: aws.String("garbage")},
			"InvalidNextTokenException", func(err error) bool { var e *types.InvalidNextTokenException; return errors.As(err, &e) }},
		{"token of another query", ct.LookupEventsInput{NextToken: first.NextToken, MaxResults: aws.Int32(3)}, "InvalidNextTokenException", nil},
		{"unknown event category", ct.LookupEventsInput{EventCategory: "management"},
			"InvalidEventCategoryException", func(err error) bool { var e *types.InvalidEventCategoryException; return errors.As(err, &e) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.LookupEvents(context.Background(), &tc.in)
			var ae smithy.APIError
			if !errors.As(err, &ae) || ae.ErrorCode() != tc.code {
				t.Fatalf("error %v, want %s", err, tc.code)
			}
			if tc.typed != nil && !tc.typed(err) {
				t.Errorf("error %T does not unwrap to the typed exception", err)
			}
		})
	}
}

// TestSeedRejects checks that New refuses events CloudTrail could not have
// recorded.
func TestSeedRejects(t *testing.T) {
	ok := cloudtrail.Event{EventName: "CreateAccount", EventSource: "organizations.amazonaws.com", EventTime: "now-1h", Account: mgmt}
	awssimtest.WantRejected(t, cloudtrail.New, ok, map[string]func(*cloudtrail.Event){
		"organizations event outside us-east-1": func(e *cloudtrail.Event) { e.Region = "eu-west-1" },
		"regional event without region":         func(e *cloudtrail.Event) { e.EventSource = "ec2.amazonaws.com" },
		"bad account":                           func(e *cloudtrail.Event) { e.Account = "12345" },
		"bad time":                              func(e *cloudtrail.Event) { e.EventTime = "yesterday" },
		"bad relative time":                     func(e *cloudtrail.Event) { e.EventTime = "now-3x" },
		"missing name":                          func(e *cloudtrail.Event) { e.EventName = "" },
		"invalid document":                      func(e *cloudtrail.Event) { e.CloudTrailEvent = "{not json" },
	})
	if _, err := cloudtrail.New([]cloudtrail.Event{{EventID: "x", EventName: "A", EventSource: "iam.amazonaws.com", EventTime: "now", Account: mgmt},
		{EventID: "x", EventName: "B", EventSource: "iam.amazonaws.com", EventTime: "now", Account: mgmt}}); err == nil {
		t.Errorf("duplicate event IDs accepted")
	}
}

// TestSeedFile loads the example seed through awssim.LoadSeed and reads its
// events back through the whole simulator with real time: the relative
// times keep it inside the default window.
func TestSeedFile(t *testing.T) {
	seed, err := awssim.LoadSeed("../testdata/costs-seed.yaml")
	if err != nil {
		t.Fatal(err)
	}
	env := awssimtest.Start(t, seed)
	got, _ := lookupAll(t, ct.NewFromConfig(env.Config(t, "us-east-1")), &ct.LookupEventsInput{})
	names := make([]string, len(got))
	for i, e := range got {
		names[i] = aws.ToString(e.EventName)
	}
	if want := []string{"DescribeOrganization", "MoveAccount", "CreateAccount"}; !slices.Equal(names, want) {
		t.Fatalf("events %v, want %v (newest first, us-east-1 only)", names, want)
	}
	var move struct {
		RequestParameters struct {
			DestinationParentID string `json:"destinationParentId"`
		} `json:"requestParameters"`
	}
	if err := json.Unmarshal([]byte(aws.ToString(got[1].CloudTrailEvent)), &move); err != nil || move.RequestParameters.DestinationParentID != "ou-abcd-sandbox1" {
		t.Errorf("MoveAccount document from YAML: %v %+v", err, move)
	}
	if aws.ToString(got[1].EventId) != "7d4f9a0e-1111-4c2b-9e3f-000000000002" || aws.ToString(got[0].ReadOnly) != "true" {
		t.Errorf("seeded fields lost: id %s readOnly %s", aws.ToString(got[1].EventId), aws.ToString(got[0].ReadOnly))
	}
}
