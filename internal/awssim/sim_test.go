package awssim_test

import (
	"context"
	"fmt"
	"maps"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	cetypes "github.com/aws/aws-sdk-go-v2/service/costexplorer/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/orgnotify/orgnotify/internal/awssim"
	"github.com/orgnotify/orgnotify/internal/awssim/awssimtest"
	simce "github.com/orgnotify/orgnotify/internal/awssim/costexplorer"
	"github.com/orgnotify/orgnotify/internal/awssim/org"
)

func TestLoadExampleSeed(t *testing.T) {
	seed, err := awssim.LoadSeed("testdata/seed.yaml")
	if err != nil {
		t.Fatal(err)
	}
	o := seed.Organization
	if o.ManagementAccount != "111111111111" || len(o.Accounts) != 6 || len(o.OrganizationalUnits) != 3 || len(o.Roles) != 2 {
		t.Errorf("seed = %+v", o)
	}
	sim, err := awssim.New(seed, nil)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if id, ok := sim.Org.OrgIDOf("444444444444"); !ok || id != "o-aa111bb222" {
		t.Errorf("OrgIDOf = %q %v", id, ok)
	}
}

func seedFile(tb testing.TB) awssim.Seed {
	tb.Helper()
	seed, err := awssim.LoadSeed("testdata/seed.yaml")
	if err != nil {
		tb.Fatal(err)
	}
	return seed
}

// BenchmarkCheapCall measures whole round trips through the real SDK
// (signing, HTTP on loopback, routing, identity, encoding) for two cheap
// calls, one per protocol, from parallel clients.
func BenchmarkCheapCall(b *testing.B) {
	env := awssimtest.Start(b, seedFile(b))
	cfg := env.Config(b, "us-east-1")
	ctx := context.Background()
	calls := []struct {
		name string
		call func() error
	}{
		{"sts GetCallerIdentity", awssimtest.Call(ctx, sts.NewFromConfig(cfg).GetCallerIdentity, &sts.GetCallerIdentityInput{})},
		{"organizations DescribeOrganization", awssimtest.Call(ctx, organizations.NewFromConfig(cfg).DescribeOrganization, &organizations.DescribeOrganizationInput{})},
	}
	for _, c := range calls {
		b.Run(c.name, func(b *testing.B) {
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := c.call(); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
		})
	}
}

// BenchmarkStartup measures New(seed) plus listening and answering the
// first health check: what a test pays per simulator.
func BenchmarkStartup(b *testing.B) {
	seed := seedFile(b)
	for b.Loop() {
		sim, err := awssim.New(seed, nil)
		if err != nil {
			b.Fatal(err)
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		srv := &http.Server{Handler: sim}
		go func() { _ = srv.Serve(ln) }()
		resp, err := http.Get("http://" + ln.Addr().String() + "/_awssim/health")
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		_ = srv.Close()
	}
}

// TestCostVisibilityFollowsOrganization checks the wiring of New: Cost
// Explorer's payer is the seed's management account, so a member account
// (reached through a real AssumeRole) sees only its own costs while the
// management account sees every account, named as in the organization.
func TestCostVisibilityFollowsOrganization(t *testing.T) {
	const (
		mgmt     = "123456789012"
		payments = "210987654321"
		data     = "345678901234"
	)
	seed := awssim.Seed{
		Organization: org.Seed{ManagementAccount: mgmt, Accounts: []org.Account{
			{ID: mgmt, Name: "management"}, {ID: payments, Name: "payments-prod"}, {ID: data, Name: "data-dev"},
		}},
		// Records carry no account names: those must come from the organization.
		Costs: []simce.Record{
			{Account: mgmt, Service: "AWS CloudTrail", Date: "today-1", Amount: "1.25"},
			{Account: payments, Service: "Amazon Simple Storage Service", Date: "today-1", Amount: "40"},
			{Account: payments, Service: "Amazon Simple Storage Service", Date: "today-2", Amount: "2.5"},
			{Account: data, Service: "Amazon Relational Database Service", Date: "today-1", Amount: "12"},
		},
	}
	env := awssimtest.Start(t, seed)
	ctx := context.Background()
	base := env.Config(t, "us-east-1")

	memberConfig := func(t *testing.T, account string) aws.Config {
		t.Helper()
		cfg, _ := env.AssumeRole(t, base, "us-east-1", sts.AssumeRoleInput{
			RoleArn: aws.String(awssimtest.AccessRoleARN(account)), RoleSessionName: aws.String("cost-test")})
		return cfg
	}

	today := time.Now().UTC()
	in := &costexplorer.GetCostAndUsageInput{
		TimePeriod: &cetypes.DateInterval{
			Start: aws.String(today.AddDate(0, 0, -7).Format(time.DateOnly)),
			End:   aws.String(today.Format(time.DateOnly)),
		},
		Granularity: cetypes.GranularityMonthly,
		Metrics:     []string{"UnblendedCost"},
		GroupBy:     []cetypes.GroupDefinition{{Type: cetypes.GroupDefinitionTypeDimension, Key: aws.String("LINKED_ACCOUNT")}},
	}
	tests := []struct {
		name string
		cfg  func(t *testing.T) aws.Config
		want map[string]string // account → "name amount"
	}{
		{"management account sees every account", func(*testing.T) aws.Config { return base },
			map[string]string{mgmt: "management 1.25", payments: "payments-prod 42.5", data: "data-dev 12"}},
		{"member sees only its own costs", func(t *testing.T) aws.Config { return memberConfig(t, payments) },
			map[string]string{payments: "payments-prod 42.5"}},
		{"another member sees only its own costs", func(t *testing.T) aws.Config { return memberConfig(t, data) },
			map[string]string{data: "data-dev 12"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := costexplorer.NewFromConfig(tt.cfg(t))
			got := map[string]string{}
			names := map[string]string{}
			// The SDK has no paginator for GetCostAndUsage.
			page := *in
			for {
				out, err := c.GetCostAndUsage(ctx, &page)
				if err != nil {
					t.Fatalf("GetCostAndUsage: %v", err)
				}
				for _, a := range out.DimensionValueAttributes {
					names[aws.ToString(a.Value)] = a.Attributes["description"]
				}
				for _, r := range out.ResultsByTime {
					for _, g := range r.Groups {
						acct := g.Keys[0]
						amount, err := strconv.ParseFloat(aws.ToString(g.Metrics["UnblendedCost"].Amount), 64)
						if err != nil {
							t.Fatalf("amount of %s: %v", acct, err)
						}
						got[acct] = fmt.Sprintf("%s %g", names[acct], amount)
					}
				}
				if out.NextPageToken == nil {
					break
				}
				page.NextPageToken = out.NextPageToken
			}
			if !maps.Equal(got, tt.want) {
				t.Errorf("costs = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestLoadSeedErrors: a seed that does not say exactly what it means is
// refused with the line to fix, rather than started as an emptier simulator.
func TestLoadSeedErrors(t *testing.T) {
	tests := []struct {
		name string
		seed string
		want string
	}{
		{"unknown top-level key", "organization: {}\norganisation: {}\n",
			"line 2: field organisation not found in type awssim.Seed"},
		{"unknown organization key", "organization:\n  managmentAccount: \"111111111111\"\n",
			"line 2: field managmentAccount not found in type org.Seed"},
		{"unknown account key in JSON", `{"organization": {"accounts": [{"id": "111111111111", "nme": "x"}]}}`,
			"line 1: field nme not found in type org.Account"},
		{"unknown cost key", "costs:\n  - account: \"111111111111\"\n    date: today\n    servce: x\n",
			"line 4: field servce not found in type costexplorer.Record"},
		{"unknown event key", "events:\n  - eventName: CreateAccount\n    eventSorce: organizations.amazonaws.com\n",
			"line 3: field eventSorce not found in type cloudtrail.Event"},
		{"every unknown key on one line", "organization:\n  managmentAccount: x\n  organisationId: y\n",
			"line 2: field managmentAccount not found in type org.Seed; line 3: field organisationId not found in type org.Seed"},
		{"second document", "organization: {}\n---\ncosts: []\n", "line 2: a second YAML document"},
		{"empty file", "", "the file holds no YAML document"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "seed.yaml")
			if err := os.WriteFile(path, []byte(tt.seed), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := awssim.LoadSeed(path)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("LoadSeed = %v, want an error containing %q", err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "parse seed "+path+": ") {
				t.Errorf("error %q does not name the file", err)
			}
		})
	}
}
