package events_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/orgnotify/orgnotify/internal/config"
	"github.com/orgnotify/orgnotify/internal/events"
	"github.com/orgnotify/orgnotify/internal/findings"
	osl "github.com/orgnotify/orgnotify/internal/slack"
)

var update = flag.Bool("update", false, "rewrite golden files")

// samplesDir holds the sample events, in the shapes AWS documents.
const samplesDir = "../../testdata/events"

// bundled loads the example configuration (testdata/example), never the
// repository's own org.yaml and accounts/, which a fork replaces.
func bundled(t testing.TB) *events.Router {
	t.Helper()
	res, err := config.Validate(context.Background(), config.Options{Root: "../../testdata/example"})
	if err != nil {
		t.Fatal(err)
	}
	if findings.Errors(res.Findings) > 0 {
		t.Fatalf("bundled configuration has errors: %v", res.Findings)
	}
	return events.NewRouter(res.Org, res.Accounts)
}

func samples(t testing.TB) []*events.Record {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(samplesDir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no samples in %s: %v", samplesDir, err)
	}
	var recs []*events.Record
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, &events.Record{Origin: filepath.Base(f), Body: b})
	}
	return recs
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test ./internal/events -update rewrites it); got:\n%s", path, got)
	}
}

// products is a Service Catalog lookup for the pure tests; the real one,
// against the simulator, is tested in internal/aws.
type products map[string]events.Product

func (p products) ProvisionedProduct(_ context.Context, account, region, stackARN string) (events.Product, error) {
	if pp, ok := p[stackARN]; ok {
		return pp, nil
	}
	return events.Product{}, fmt.Errorf("%w: %s in %s/%s", events.ErrNoProduct, stackARN, account, region)
}

var scStack = "arn:aws:cloudformation:ap-northeast-1:345678901234:stack/SC-345678901234-pp-fqh2ngw5mvzqc/5b5a1c20-8f4d-11ef-9a1b-0a1b2c3d4e5f"

func pipeline(t testing.TB) *events.Pipeline {
	return &events.Pipeline{Router: bundled(t), Products: products{scStack: {Name: "payments-bucket", Product: "Encrypted S3 bucket", Version: "v3.2"}}}
}

// TestSamples is the classification and attribution golden: every sample
// event, what it is, whom it is about and where it goes.
func TestSamples(t *testing.T) {
	plan := pipeline(t).Run(context.Background(), samples(t))
	var buf bytes.Buffer
	seen := map[events.Category]bool{}
	for _, it := range plan.Items {
		o, ok := it.Outcome()
		if !ok {
			t.Fatalf("%s: not an event: %v", it.Record.Origin, it.Err)
		}
		seen[o.Category] = true
		b, _ := json.Marshal(o)
		buf.Write(b)
		buf.WriteByte('\n')
	}
	for _, c := range []events.Category{events.Organizations, events.CloudFormation, events.GuardDuty, events.Config, events.SecurityHub, events.Health, events.RDS, events.Other} {
		if !seen[c] {
			t.Errorf("no sample of category %s", c)
		}
	}
	golden(t, "samples.golden", buf.Bytes())
}

// TestDigestRendering is the rendering golden: the messages the samples
// make, as text and as the Block Kit JSON Slack receives.
func TestDigestRendering(t *testing.T) {
	plan := pipeline(t).Run(context.Background(), samples(t))
	var text, js bytes.Buffer
	for _, p := range plan.Posts {
		if err := p.Message.Validate(); err != nil {
			t.Errorf("%s: %v", p.Message.Channel, err)
		}
		text.WriteString(osl.Render(p.Message) + "\n")
		b, err := json.MarshalIndent(osl.PayloadOf(p.Message), "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		js.Write(b)
		js.WriteByte('\n')
	}
	golden(t, "digest.txt.golden", text.Bytes())
	golden(t, "digest.json.golden", js.Bytes())
}

func envelope(id, source, detailType, account, region string, at time.Time, detail string) []byte {
	b, _ := json.Marshal(map[string]any{"version": "0", "id": id, "detail-type": detailType, "source": source,
		"account": account, "time": at.UTC().Format(time.RFC3339), "region": region, "resources": []string{},
		"detail": json.RawMessage(detail)})
	return b
}

func stackEvent(id, account, name, status string, at time.Time) []byte {
	arn := "arn:aws:cloudformation:ap-northeast-1:" + account + ":stack/" + name + "/5b5a1c20-8f4d-11ef-9a1b-0a1b2c3d4e5f"
	return envelope(id, "aws.cloudformation", "CloudFormation Stack Status Change", account, "ap-northeast-1", at,
		`{"stack-id":"`+arn+`","status-details":{"status":"`+status+`","status-reason":"resource failed"}}`)
}

// TestManyEventsStayWithinLimits: 300 events for one channel make one
// message whose thread lists the rest, every part within Block Kit limits,
// every event listed exactly once, the most severe first.
func TestManyEventsStayWithinLimits(t *testing.T) {
	var recs []*events.Record
	at := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	statuses := []string{"ROLLBACK_COMPLETE", "UPDATE_ROLLBACK_FAILED", "UPDATE_FAILED", "ROLLBACK_FAILED"}
	for i := range 300 {
		name := fmt.Sprintf("stack-%03d-%s", i, strings.Repeat("x", 60))
		recs = append(recs, &events.Record{Origin: fmt.Sprint(i), Body: stackEvent(fmt.Sprintf("id-%03d", i), "345678901234", name, statuses[i%4], at.Add(time.Duration(i)*time.Second))})
	}
	plan := (&events.Pipeline{Router: bundled(t)}).Run(context.Background(), recs)
	if len(plan.Posts) != 1 {
		t.Fatalf("%d posts, want 1 (one message per channel)", len(plan.Posts))
	}
	m := plan.Posts[0].Message
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
	if m.Channel != "C05PAYPROD1" || len(m.Thread) == 0 {
		t.Fatalf("channel %s, %d replies", m.Channel, len(m.Thread))
	}
	all := osl.Render(m)
	for i := range 300 {
		if n := strings.Count(all, fmt.Sprintf("Stack stack-%03d-", i)); n != 1 {
			t.Errorf("stack-%03d listed %d times", i, n)
		}
	}
	first := strings.Index(all, "*HIGH*")
	if first < 0 || strings.Index(all, "*MEDIUM*") < first {
		t.Errorf("most severe events are not listed first")
	}
	if !strings.Contains(m.Text, "AWS events: 300 (225 high, 75 medium)") {
		t.Errorf("summary = %q", m.Text)
	}
}

// TestDuplicatesOnce: the same event delivered twice, and the same finding
// received by the administrator and the member account, are shown once.
func TestDuplicatesOnce(t *testing.T) {
	at := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	finding := func(id string, recipient string) []byte {
		return envelope(id, "aws.guardduty", "GuardDuty Finding", recipient, "ap-northeast-1", at,
			`{"accountId":"012345678901","region":"ap-northeast-1","id":"f1","severity":8,"type":"Backdoor:EC2/C&CActivity.B","title":"t","updatedAt":"2026-11-30T12:00:00Z"}`)
	}
	stack := stackEvent("same-id", "345678901234", "payments-api", "UPDATE_FAILED", at)
	plan := (&events.Pipeline{Router: bundled(t)}).Run(context.Background(), []*events.Record{
		{Origin: "a", Body: stack}, {Origin: "b", Body: stack},
		{Origin: "c", Body: finding("g1", "012345678901")}, {Origin: "d", Body: finding("g2", "222233334444")},
	})
	if got := plan.Items[1].DuplicateOf; got != "same-id" {
		t.Errorf("repeated event: DuplicateOf = %q", got)
	}
	if got := plan.Items[3].DuplicateOf; got != "g1" {
		t.Errorf("same finding from another account: DuplicateOf = %q", got)
	}
	lines := 0
	for _, p := range plan.Posts {
		lines += len(p.EventIDs)
	}
	if lines != 2 {
		t.Errorf("%d event lines posted, want 2", lines)
	}
}

// TestPublicHealthOnce: a public Health event reaches every account (and
// the backup region); the digest posts it once, to the platform channel
// (W12). An account-specific one is per account.
func TestPublicHealthOnce(t *testing.T) {
	at := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	health := func(id, account, region, scope string) *events.Record {
		return &events.Record{Origin: id, Body: envelope(id, "aws.health", "AWS Health Event", account, region, at,
			`{"eventArn":"arn:aws:health:ap-northeast-1::event/EC2/AWS_EC2_OPERATIONAL_ISSUE/x","service":"EC2","eventTypeCode":"AWS_EC2_OPERATIONAL_ISSUE","eventTypeCategory":"issue","eventScopeCode":"`+scope+`","communicationId":"c-1","eventRegion":"ap-northeast-1"}`)}
	}
	plan := (&events.Pipeline{Router: bundled(t)}).Run(context.Background(), []*events.Record{
		health("p1", "345678901234", "ap-northeast-1", "PUBLIC"),
		health("p2", "012345678901", "ap-northeast-1", "PUBLIC"),
		health("p3", "345678901234", "ap-northeast-3", "PUBLIC"), // the backup region's copy
		health("a1", "345678901234", "ap-northeast-1", "ACCOUNT_SPECIFIC"),
		health("a2", "456789012345", "ap-northeast-1", "ACCOUNT_SPECIFIC"),
	})
	var dups []string
	for _, it := range plan.Items {
		if it.DuplicateOf != "" {
			dups = append(dups, it.Event.ID+"="+it.DuplicateOf)
		}
	}
	if strings.Join(dups, " ") != "p2=p1 p3=p1" {
		t.Errorf("duplicates %v, want p2 and p3 as repeats of p1", dups)
	}
	if ch := plan.Items[0].Channels(); len(ch) != 1 || ch[0] != "C05PLATFORM1" {
		t.Errorf("public event channels %v", ch)
	}
	if ch := plan.Items[3].Channels(); len(ch) != 1 || ch[0] != "C05PAYPROD1" {
		t.Errorf("account-specific event channels %v", ch)
	}
}

// TestSecurityHubFindingOnce: the same finding (ID and UpdatedAt) from
// the administrator account and from the aggregation region is one; an
// update of it is another (W11).
func TestSecurityHubFindingOnce(t *testing.T) {
	at := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	finding := func(id, recipient, region, updated string) *events.Record {
		return &events.Record{Origin: id, Body: envelope(id, "aws.securityhub", "Security Hub Findings - Imported", recipient, region, at,
			`{"findings":[{"Id":"arn:aws:securityhub:ap-northeast-1:012345678901:finding/f1","AwsAccountId":"012345678901","Region":"ap-northeast-1","Severity":{"Label":"HIGH"},"Title":"t","UpdatedAt":"`+updated+`"}]}`)}
	}
	// The new Security Hub sends the same finding again in OCSF, with its
	// time in milliseconds (W11): still the same finding.
	ocsf := &events.Record{Origin: "s4", Body: envelope("s4", "aws.securityhub", "Findings Imported V2", "012345678901", "ap-northeast-1", at,
		`{"findings":[{"finding_info":{"uid":"arn:aws:securityhub:ap-northeast-1:012345678901:finding/f1","title":"t","modified_time_dt":"2026-11-30T12:00:00.000Z"},"cloud":{"account":{"uid":"012345678901"},"region":"ap-northeast-1"},"severity":"High"}]}`)}
	plan := (&events.Pipeline{Router: bundled(t)}).Run(context.Background(), []*events.Record{
		finding("s1", "012345678901", "ap-northeast-1", "2026-11-30T12:00:00Z"),
		finding("s2", "222233334444", "us-east-1", "2026-11-30T12:00:00Z"),
		finding("s3", "012345678901", "ap-northeast-1", "2026-11-30T13:00:00Z"),
		ocsf,
	})
	if plan.Items[1].DuplicateOf != "s1" || plan.Items[2].DuplicateOf != "" || plan.Items[3].DuplicateOf != "s1" {
		t.Errorf("DuplicateOf = %q, %q, %q; want s1, none, s1", plan.Items[1].DuplicateOf, plan.Items[2].DuplicateOf, plan.Items[3].DuplicateOf)
	}
	if o, _ := plan.Items[1].Outcome(); o.SubjectAccount != "012345678901" || o.SourceAccount != "222233334444" || !o.Alert {
		t.Errorf("outcome %+v", o)
	}
}

// TestEnrichmentFailureStillAlerts: a failed Service Catalog lookup leaves
// the stack alert in the digest, without the product.
func TestEnrichmentFailureStillAlerts(t *testing.T) {
	body, err := os.ReadFile(filepath.Join(samplesDir, "cloudformation-servicecatalog-rollback-complete.json"))
	if err != nil {
		t.Fatal(err)
	}
	p := &events.Pipeline{Router: bundled(t), Products: products{}}
	plan := p.Run(context.Background(), []*events.Record{{Origin: "sc", Body: body}})
	it := plan.Items[0]
	if !errors.Is(it.EnrichErr, events.ErrNoProduct) || !it.Alert() || len(plan.Posts) != 1 {
		t.Fatalf("enrich error %v, alert %v, %d posts", it.EnrichErr, it.Alert(), len(plan.Posts))
	}
}

func TestParseEnvelopeRejects(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"not JSON", `{"id":`, "invalid JSON"},
		{"two values", `{} {}`, "more than one value"},
		{"not an event", `{"hello":"world"}`, `missing ["id" "source" "detail-type" "account" "region" "time"]`},
		{"numeric account", `{"id":"1","source":"s","detail-type":"d","account":"12","region":"r","time":"2026-01-01T00:00:00Z","detail":{}}`, "not a 12-digit"},
		{"bad time", `{"id":"1","source":"s","detail-type":"d","account":"123456789012","region":"r","time":"yesterday","detail":{}}`, "not RFC 3339"},
		{"detail not object", `{"id":"1","source":"s","detail-type":"d","account":"123456789012","region":"r","time":"2026-01-01T00:00:00Z","detail":"x"}`, "detail is not a JSON object"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := events.ParseEnvelope([]byte(tc.in))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestConfigRuleMatches(t *testing.T) {
	for _, tc := range []struct {
		configured, actual string
		want               bool
	}{
		{"restricted-ssh", "restricted-ssh", true},
		{"restricted-ssh", "OrgConfigRule-restricted-ssh-k2x9ab", true},
		{"restricted-ssh", "restricted-ssh-conformance-pack-abc", true},
		{"restricted-ssh", "restricted-sshd", false},
		{"restricted-ssh", "OrgConfigRule-restricted-sshd-k2", false},
		{"s3-bucket-public-read-prohibited", "restricted-ssh", false},
	} {
		if got := events.ConfigRuleMatches(tc.configured, tc.actual); got != tc.want {
			t.Errorf("ConfigRuleMatches(%q, %q) = %v, want %v", tc.configured, tc.actual, got, tc.want)
		}
	}
}

func TestServiceCatalogStackNames(t *testing.T) {
	for name, want := range map[string]bool{
		"SC-345678901234-pp-fqh2ngw5mvzqc": true,
		"SC-34567890123-pp-fqh2ngw5mvzqc":  false,
		"SC-345678901234-pp-":              false,
		"payments-api":                     false,
	} {
		if got := events.IsServiceCatalogStack(name); got != want {
			t.Errorf("IsServiceCatalogStack(%q) = %v", name, got)
		}
	}
}
