package costexplorer_test

import (
	"context"
	"math/big"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ce "github.com/aws/aws-sdk-go-v2/service/costexplorer"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer/types"

	"github.com/orgnotify/orgnotify/internal/awssim"
	"github.com/orgnotify/orgnotify/internal/awssim/awssimtest"
	"github.com/orgnotify/orgnotify/internal/awssim/costexplorer"
)

// TestSeedFile loads the example seed with awssim.LoadSeed and asks the whole
// simulator, on the real clock, for yesterday's costs per account: the
// relative dates ("today-1") make the answer the same whenever it runs.
func TestSeedFile(t *testing.T) {
	seed, err := awssim.LoadSeed("../testdata/costs-seed.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(seed.Costs) != 6 || len(seed.Events) != 4 || seed.Organization.ManagementAccount != "111111111111" {
		t.Fatalf("seed: %d costs, %d events, management %q", len(seed.Costs), len(seed.Events), seed.Organization.ManagementAccount)
	}
	// YAML numbers must reach the dataset as written, not through a float.
	if a := seed.Costs[2].Amount; a != "0.0000034072" {
		t.Errorf("amount 0.0000034072 loaded as %q", a)
	}

	want := map[string]map[string]*big.Rat{"UnblendedCost": {}, "AmortizedCost": {}}
	for _, r := range seed.Costs {
		if r.Date != "today-1" {
			continue
		}
		for m, acc := range want {
			amt := r.Amount
			if o, ok := r.Metrics[m]; ok {
				amt = o
			}
			if acc[r.Account] == nil {
				acc[r.Account] = new(big.Rat)
			}
			acc[r.Account].Add(acc[r.Account], rat(t, string(amt)))
		}
	}

	env := awssimtest.Start(t, seed)
	c := ce.NewFromConfig(env.Config(t, "us-east-1"))
	// Three accounts, two per page: pagination through the whole simulator.
	env.Sim.CostExplorer.SetPageSize(2)
	got := map[string]map[string]string{"UnblendedCost": {}, "AmortizedCost": {}}
	names := map[string]string{}
	in := &ce.GetCostAndUsageInput{
		TimePeriod:  period(dayOffset(-1), dayOffset(0)),
		Granularity: types.GranularityDaily, Metrics: []string{"UnblendedCost", "AmortizedCost"},
		GroupBy: []types.GroupDefinition{{Type: types.GroupDefinitionTypeDimension, Key: aws.String("LINKED_ACCOUNT")}},
	}
	for {
		out, err := c.GetCostAndUsage(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		for _, rb := range out.ResultsByTime {
			for _, g := range rb.Groups {
				for m := range got {
					got[m][g.Keys[0]] = aws.ToString(g.Metrics[m].Amount)
				}
			}
		}
		for _, a := range out.DimensionValueAttributes {
			names[aws.ToString(a.Value)] = a.Attributes["description"]
		}
		if in.NextPageToken = out.NextPageToken; in.NextPageToken == nil {
			break
		}
	}
	for m, accts := range want {
		if len(got[m]) != len(accts) {
			t.Errorf("%s: accounts %v, want %d", m, got[m], len(accts))
		}
		for acct, w := range accts {
			checkAmount(t, m+" "+acct, got[m][acct], w)
		}
	}
	wantNames := map[string]string{"111111111111": "management", "222222222222": "payments-prod", "333333333333": "data-dev"}
	for k, v := range wantNames {
		if names[k] != v {
			t.Errorf("account %s named %q, want %q", k, names[k], v)
		}
	}
}

// TestSeedRejects checks that New refuses records Cost Explorer could not
// have produced, naming the bad record.
func TestSeedRejects(t *testing.T) {
	ok := costexplorer.Record{Account: payer, Service: "AWS Lambda", Date: "2026-11-01", Amount: "1"}
	awssimtest.WantRejected(t, costexplorer.New, ok, map[string]func(*costexplorer.Record){
		"short account":           func(r *costexplorer.Record) { r.Account = "1234" },
		"no service":              func(r *costexplorer.Record) { r.Service = "" },
		"bad date":                func(r *costexplorer.Record) { r.Date = "01/11/2026" },
		"bad relative date":       func(r *costexplorer.Record) { r.Date = "today-x" },
		"bad amount":              func(r *costexplorer.Record) { r.Amount = "1,5" },
		"exponent amount":         func(r *costexplorer.Record) { r.Amount = "1e3" },
		"too many decimals":       func(r *costexplorer.Record) { r.Amount = "0.00000000001" },
		"unknown metric override": func(r *costexplorer.Record) { r.Metrics = map[string]costexplorer.Decimal{"Cost": "1"} },
		"amount beyond range":     func(r *costexplorer.Record) { r.Amount = "922337204" },
	})
	eur := ok
	eur.Unit = "EUR"
	if _, err := costexplorer.New([]costexplorer.Record{ok, eur}); err == nil {
		t.Errorf("two currencies accepted")
	}
	half := ok
	half.Amount = "500000000"
	if _, err := costexplorer.New([]costexplorer.Record{half, half}); err == nil {
		t.Errorf("dataset whose total overflows accepted")
	}
}
