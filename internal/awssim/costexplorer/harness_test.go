package costexplorer_test

import (
	"context"
	"math/big"
	"regexp"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ce "github.com/aws/aws-sdk-go-v2/service/costexplorer"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer/types"

	"github.com/orgnotify/orgnotify/internal/awssim"
	"github.com/orgnotify/orgnotify/internal/awssim/awssimtest"
	"github.com/orgnotify/orgnotify/internal/awssim/costexplorer"
)

// testNow is the simulator's clock in these tests, so dates in the dataset
// keep their meaning whenever the tests run.
var testNow = time.Date(2026, 11, 15, 10, 30, 0, 0, time.UTC)

const payer = "111111111111"

type harness struct {
	store  *costexplorer.Store
	server *awssim.Server
	env    *awssimtest.Env
}

// start serves the store on 127.0.0.1 with the test clock.
func start(t testing.TB, store *costexplorer.Store) *harness {
	t.Helper()
	srv, env := awssimtest.Serve(t, awssimtest.Keys{"AKIDPAYER": payer, "AKIDMEMBER3": "100000000003", "AKIDSTRANGER": "999999999999"},
		awssimtest.AtClock(store.Service(), testNow))
	return &harness{store: store, server: srv, env: env}
}

// client is a Cost Explorer client whose credentials act as the account
// behind accessKey.
func (h *harness) client(t testing.TB, accessKey string) *ce.Client {
	t.Helper()
	return ce.NewFromConfig(h.env.ConfigWithKeys(t, "us-east-1", accessKey, "secret", ""))
}

// dataset is 60 generated accounts × 5 services × 60 days, plus hand-written
// records for the cases generation does not cover: the payer's own cost, no
// tags, an empty tag, cost categories, a credit, usage quantities and a
// sub-cent amount that needs all ten decimals.
func dataset(t testing.TB) []costexplorer.Record {
	t.Helper()
	recs, err := costexplorer.Generate(costexplorer.GenerateSpec{Accounts: 60, Services: 5, Start: "2026-09-16", Days: 60, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	return append(recs,
		costexplorer.Record{Account: payer, AccountName: "management", Service: "AWS CloudTrail", Date: "2026-10-05", Amount: "1.5", UsageQuantity: "3", UsageUnit: "Events"},
		costexplorer.Record{Account: payer, AccountName: "management", Service: "AWS CloudTrail", Date: "2026-10-06", Amount: "2.5", UsageQuantity: "5", UsageUnit: "Events"},
		costexplorer.Record{Account: "100000000003", Service: "Amazon Route 53", Date: "2026-10-31", Amount: "0.0000000071", CostCategories: map[string]string{"Project": "apollo"}},
		costexplorer.Record{Account: "100000000004", Service: "Amazon Route 53", Date: "2026-11-01", Amount: "-2.25", RecordType: "Credit", Tags: map[string]string{"env": ""}},
		costexplorer.Record{Account: "100000000005", Service: "Amazon Route 53", Date: "2026-11-02", Amount: "3", Region: "global", CostCategories: map[string]string{"Project": "gemini"}, Tags: map[string]string{"team": "team-05"}},
	)
}

func newStore(t testing.TB, recs []costexplorer.Record) *costexplorer.Store {
	t.Helper()
	s, err := costexplorer.New(recs)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// rat parses an amount exactly.
func rat(t testing.TB, s string) *big.Rat {
	t.Helper()
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		t.Fatalf("amount %q is not a decimal", s)
	}
	return r
}

// awsAmount is how Cost Explorer prints amounts: plain decimal, no exponent,
// no trailing zeros.
var awsAmount = regexp.MustCompile(`^-?\d+(\.\d*[1-9])?$`)

// checkAmount compares a returned amount with the exact expected value.
func checkAmount(t testing.TB, what, got string, want *big.Rat) {
	t.Helper()
	if !awsAmount.MatchString(got) {
		t.Errorf("%s: amount %q is not formatted as Cost Explorer does", what, got)
	}
	if rat(t, got).Cmp(want) != 0 {
		t.Errorf("%s: amount %s, want %s", what, got, want.FloatString(10))
	}
}

// monthPeriod is the MONTHLY period a day falls in for a query [start, end).
func monthPeriod(day, start string) string {
	p := day[:8] + "01"
	if p < start {
		return start
	}
	return p
}

// sum adds the amounts of the records in [from, to) that keep accepts.
func sum(t testing.TB, recs []costexplorer.Record, from, to string, keep func(*costexplorer.Record) bool) *big.Rat {
	t.Helper()
	total := new(big.Rat)
	for i := range recs {
		r := &recs[i]
		if r.Date >= from && r.Date < to && (keep == nil || keep(r)) {
			total.Add(total, rat(t, string(r.Amount)))
		}
	}
	return total
}

func ptr[T any](v T) *T { return &v }

func period(start, end string) *types.DateInterval {
	return &types.DateInterval{Start: aws.String(start), End: aws.String(end)}
}

func dims(key types.Dimension, values ...string) types.Expression {
	return types.Expression{Dimensions: &types.DimensionValues{Key: key, Values: values}}
}

func tag(key string, values ...string) types.Expression {
	return types.Expression{Tags: &types.TagValues{Key: aws.String(key), Values: values}}
}

func in(v string, set ...string) bool {
	for _, s := range set {
		if v == s {
			return true
		}
	}
	return false
}

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

// dayOffset is the UTC date n days from today on the real clock, for tests
// that run the whole simulator.
func dayOffset(n int) string {
	return time.Now().UTC().AddDate(0, 0, n).Format(time.DateOnly)
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
