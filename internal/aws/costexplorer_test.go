package aws_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/big"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"

	orgaws "github.com/orgnotify/orgnotify/internal/aws"
	"github.com/orgnotify/orgnotify/internal/awssim"
	"github.com/orgnotify/orgnotify/internal/awssim/awssimtest"
	"github.com/orgnotify/orgnotify/internal/awssim/costexplorer"
	"github.com/orgnotify/orgnotify/internal/awssim/org"
	orgconfig "github.com/orgnotify/orgnotify/internal/config"
	"github.com/orgnotify/orgnotify/internal/cost"
)

// The cost dataset: five accounts, four services, 2026-09-01..2026-11-30,
// USD as Cost Explorer reports; digests in JPY, EUR and USD.
const (
	acctJPY     = "100000000001" // payments-prod, JPY, thresholds
	acctEUR     = "100000000002" // data-eu, EUR, tag filter team=data
	acctUSD     = "100000000003" // sandbox, USD, credits, a day with no data
	acctMonthly = "100000000004" // billing, USD, MONTHLY
	acctOther   = "100000000005" // in the organization, no digest
)

var services = []string{"Amazon Elastic Compute Cloud - Compute", "Amazon Simple Storage Service", "AWS Lambda", "Amazon Relational Database Service"}

// rates are org.yaml's, as exact fractions.
var rates = map[string]*big.Rat{"USD": big.NewRat(1, 1), "JPY": big.NewRat(150, 1), "EUR": big.NewRat(92, 100)}

// noData is the day the USD account has no cost at all.
const noData = "2026-11-19"

func costRecords() []costexplorer.Record {
	var recs []costexplorer.Record
	start := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
	for a, acct := range []string{acctJPY, acctEUR, acctUSD, acctMonthly, acctOther} {
		for d := start; d.Month() != 12; d = d.AddDate(0, 0, 1) {
			day := d.Format(time.DateOnly)
			if acct == acctUSD && day == noData {
				continue
			}
			for s, svc := range services {
				cents := (a+1)*300 + s*125 + (d.YearDay()%9)*17 + (d.YearDay()%5)*(s+1)*11
				r := costexplorer.Record{Account: acct, Service: svc, Date: day, Amount: costexplorer.Decimal(fmt.Sprintf("%d.%02d", cents/100, cents%100))}
				if acct == acctEUR {
					team := "data"
					if s%2 == 1 {
						team = "web"
					}
					r.Tags = map[string]string{"team": team}
				}
				recs = append(recs, r)
			}
		}
	}
	recs = append(recs,
		costexplorer.Record{Account: acctUSD, Service: services[0], Date: "2026-11-20", Amount: "-3.50", RecordType: "Credit"},
		costexplorer.Record{Account: acctUSD, Service: "AWS Support (Business)", Date: "2026-11-20", Amount: "-1.25", RecordType: "Refund"},
	)
	return recs
}

func digestAccounts() []*orgconfig.Account {
	acct := func(id, name, currency, granularity string, top int) *orgconfig.Account {
		return &orgconfig.Account{ID: id, Name: name, Owner: orgconfig.Owner{Team: "team-" + name},
			Slack: orgconfig.Slack{Channels: []string{"C" + id[6:] + "AAA"}},
			Cost:  &orgconfig.Cost{Currency: currency, Granularity: granularity, Metric: "UnblendedCost", TopServices: top},
			File:  "accounts/" + name + ".yaml"}
	}
	jpy := acct(acctJPY, "payments-prod", "JPY", "DAILY", 3)
	jpy.Cost.Thresholds = &orgconfig.Thresholds{Daily: 1000, MonthToDate: 1_000_000, DayOverDayPercent: 1}
	eur := acct(acctEUR, "data-eu", "EUR", "DAILY", 2)
	eur.Cost.Tags = []orgconfig.TagFilter{{Key: "team", Values: []string{"data"}}}
	usd := acct(acctUSD, "sandbox", "USD", "DAILY", 5)
	usd.Cost.Thresholds = &orgconfig.Thresholds{MonthToDate: 100}
	monthly := acct(acctMonthly, "billing", "USD", "MONTHLY", 2)
	return []*orgconfig.Account{jpy, eur, usd, monthly}
}

func digestOrg() *orgconfig.Org {
	o := &orgconfig.Org{}
	o.Slack.DefaultChannel = "C0PLATFORM"
	o.Cost.Metric = "UnblendedCost"
	o.Cost.CurrencyRates = map[string]float64{"JPY": 150, "EUR": 0.92}
	return o
}

func startCostSim(t testing.TB, recs []costexplorer.Record, now time.Time) *awssimtest.Env {
	t.Helper()
	env := awssimtest.Start(t, awssim.Seed{
		Organization: org.Seed{ManagementAccount: mgmt, Accounts: []org.Account{{ID: acctJPY, Name: "payments-prod"}}},
		Costs:        recs,
	})
	env.Sim.SetClock(func() time.Time { return now })
	return env
}

// expected computes one account's figures from the records, independently
// of internal/cost: plain sums over the seed, converted and rounded.
type expected struct {
	total, previous, avg7, mtd, mtdLast float64
	top                                 []cost.JSONService
}

func roundTo(v float64, currency string) float64 {
	if currency == "JPY" {
		return math.Round(v)
	}
	return math.Round(v*100) / 100
}

// roundRat rounds an exact amount half away from zero, as displayed.
func roundRat(v *big.Rat, currency string) float64 {
	scale := big.NewRat(100, 1)
	if currency == "JPY" {
		scale = big.NewRat(1, 1)
	}
	x := new(big.Rat).Mul(v, scale)
	num, den := new(big.Int).Set(x.Num()), x.Denom()
	neg := num.Sign() < 0
	num.Abs(num)
	q, r := new(big.Int).QuoRem(num, den, new(big.Int))
	if new(big.Int).Mul(r, big.NewInt(2)).Cmp(den) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	if neg {
		q.Neg(q)
	}
	f, _ := new(big.Rat).Quo(new(big.Rat).SetInt(q), scale).Float64()
	return f
}

func expect(t *testing.T, recs []costexplorer.Record, a *orgconfig.Account, day string) expected {
	t.Helper()
	match := func(r costexplorer.Record) bool {
		if r.Account != a.ID {
			return false
		}
		for _, tf := range a.Cost.Tags {
			if !slices.Contains(tf.Values, r.Tags[tf.Key]) {
				return false
			}
		}
		return true
	}
	sum := func(from, to string, svc string) *big.Rat { // from..to inclusive, converted
		s := new(big.Rat)
		for _, r := range recs {
			if match(r) && r.Date >= from && r.Date <= to && (svc == "" || r.Service == svc) {
				v, ok := new(big.Rat).SetString(string(r.Amount))
				if !ok {
					t.Fatalf("amount %q", r.Amount)
				}
				s.Add(s, v)
			}
		}
		return s.Mul(s, rates[a.Cost.Currency])
	}
	d, _ := time.Parse(time.DateOnly, day)
	f := func(t time.Time) string { return t.Format(time.DateOnly) }
	c := a.Cost.Currency
	var e expected
	e.total = roundRat(sum(day, day, ""), c)
	e.previous = roundRat(sum(f(d.AddDate(0, 0, -1)), f(d.AddDate(0, 0, -1)), ""), c)
	week := sum(f(d.AddDate(0, 0, -7)), f(d.AddDate(0, 0, -1)), "")
	e.avg7 = roundRat(week.Quo(week, big.NewRat(7, 1)), c)
	e.mtd = roundRat(sum(day[:8]+"01", day, ""), c)
	lastMonth := time.Date(d.Year(), d.Month()-1, 1, 0, 0, 0, 0, time.UTC)
	sameDay := lastMonth.AddDate(0, 0, d.Day()-1)
	if sameDay.Month() != lastMonth.Month() {
		sameDay = time.Date(d.Year(), d.Month(), 0, 0, 0, 0, 0, time.UTC)
	}
	e.mtdLast = roundRat(sum(f(lastMonth), f(sameDay), ""), c)
	var svcs []cost.JSONService
	seen := map[string]bool{}
	for _, r := range recs {
		if match(r) && r.Date == day && !seen[r.Service] {
			seen[r.Service] = true
			prev := f(d.AddDate(0, 0, -1))
			svcs = append(svcs, cost.JSONService{Service: r.Service, Amount: roundRat(sum(day, day, r.Service), c), Previous: roundRat(sum(prev, prev, r.Service), c)})
		}
	}
	slices.SortFunc(svcs, func(x, y cost.JSONService) int {
		if x.Amount != y.Amount {
			if x.Amount > y.Amount {
				return -1
			}
			return 1
		}
		return strings.Compare(x.Service, y.Service)
	})
	e.top = svcs[:min(len(svcs), a.Cost.TopServices)]
	return e
}

func runDigest(t *testing.T, env *awssimtest.Env, cfgOpts []func(*config.LoadOptions) error, day, now time.Time) ([]cost.Report, *cost.Data) {
	t.Helper()
	// AWS_REGION says eu-west-1; the Cost Explorer client must still use us-east-1.
	ce := orgaws.NewCostExplorer(env.Config(t, "eu-west-1", cfgOpts...))
	plan := cost.NewPlan(digestAccounts(), day, now)
	data, err := cost.Fetch(context.Background(), ce, plan, cost.FetchOptions{RatePerSecond: -1})
	if err != nil {
		t.Fatal(err)
	}
	reports, err := cost.Reports(digestOrg(), plan, data)
	if err != nil {
		t.Fatal(err)
	}
	return reports, data
}

// TestCostDigestFigures checks every figure of every account against sums
// over the seed computed here, through the real SDK client, with pages of
// three groups so every query spans several pages.
func TestCostDigestFigures(t *testing.T) {
	recs := costRecords()
	for _, tc := range []struct {
		day         string
		mtdFromDays bool
	}{
		{"2026-11-20", false}, // month to date from its own query
		{"2026-11-10", true},  // month to date from the 14 days
		{"2026-10-31", false}, // 31 October against 30 September; MONTHLY due
	} {
		t.Run(tc.day, func(t *testing.T) {
			day, _ := time.Parse(time.DateOnly, tc.day)
			now := day.AddDate(0, 0, 1).Add(7 * time.Hour)
			env := startCostSim(t, recs, now)
			env.Sim.CostExplorer.SetPageSize(3)
			// Forecasts fail: the digest must go on without them.
			env.Sim.Faults().Set(awssim.FaultConfig{ThrottleOps: map[string]int{"ce:GetCostForecast": -1}})
			reports, data := runDigest(t, env, nil, day, now)

			want := 3
			if tc.day == "2026-10-31" {
				want = 4
			}
			if len(reports) != want {
				t.Fatalf("%d reports, want %d", len(reports), want)
			}
			if data.Requests <= len(costPlan(t, day, now).Queries) {
				t.Errorf("%d requests for %d queries: pagination not exercised", data.Requests, len(costPlan(t, day, now).Queries))
			}
			for _, r := range reports {
				j := r.ToJSON()
				if r.Granularity == cost.Monthly {
					checkMonthly(t, recs, r)
					continue
				}
				e := expect(t, recs, r.Account, tc.day)
				got := []float64{j.Total, j.Previous, *j.Average7d, j.MonthToDate, j.MonthToDateLastMonth}
				wantF := []float64{e.total, e.previous, e.avg7, e.mtd, e.mtdLast}
				if !slices.Equal(got, wantF) {
					t.Errorf("%s: total, previous, 7-day average, MTD, MTD last month = %v, want %v", r.Account.Name, got, wantF)
				}
				if !slices.Equal(j.TopServices, e.top) {
					t.Errorf("%s: top services = %+v, want %+v", r.Account.Name, j.TopServices, e.top)
				}
				if j.Currency != r.Account.Cost.Currency || j.Date != tc.day {
					t.Errorf("%s: currency %s date %s", r.Account.Name, j.Currency, j.Date)
				}
				if len(r.Days) != 14 || roundTo(r.Days[13], j.Currency) != e.total {
					t.Errorf("%s: days %v", r.Account.Name, r.Days)
				}
			}
			// The JPY account has thresholds it exceeds every day.
			jpy := reports[0].ToJSON()
			if len(jpy.Alerts) == 0 || !strings.HasPrefix(jpy.Alerts[0], "Daily cost ¥") {
				t.Errorf("JPY alerts = %q", jpy.Alerts)
			}
			// November is the open month: its figures are estimated and labelled.
			if est := reports[0].Estimated; est != strings.HasPrefix(tc.day, "2026-11") {
				t.Errorf("estimated = %v on %s", est, tc.day)
			}
			for _, r := range reports {
				if r.Forecast != nil {
					t.Errorf("%s: a forecast although every forecast call failed", r.Account.Name)
				}
			}
			if tc.day != "2026-10-31" && reports[2].ForecastError == nil {
				t.Error("sandbox has a monthToDate threshold: its failed forecast is not reported")
			}
		})
	}
}

func costPlan(t *testing.T, day, now time.Time) cost.Plan {
	t.Helper()
	return cost.NewPlan(digestAccounts(), day, now)
}

func checkMonthly(t *testing.T, recs []costexplorer.Record, r cost.Report) {
	t.Helper()
	oct, sep := new(big.Rat), new(big.Rat)
	for _, rec := range recs {
		if rec.Account != r.Account.ID {
			continue
		}
		v, _ := new(big.Rat).SetString(string(rec.Amount))
		switch rec.Date[:7] {
		case "2026-10":
			oct.Add(oct, v)
		case "2026-09":
			sep.Add(sep, v)
		}
	}
	j := r.ToJSON()
	if j.Total != roundRat(oct, "USD") || j.Previous != roundRat(sep, "USD") || j.Average7d != nil {
		t.Errorf("monthly: total %v previous %v avg %v, want %v %v null", j.Total, j.Previous, j.Average7d, roundRat(oct, "USD"), roundRat(sep, "USD"))
	}
}

// TestCostDigestCreditsAndGaps checks credits and refunds (negative, in the
// total) and a day without data (zero, not missing).
func TestCostDigestCreditsAndGaps(t *testing.T) {
	recs := costRecords()
	day := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	now := day.AddDate(0, 0, 1)
	env := startCostSim(t, recs, now)
	reports, _ := runDigest(t, env, nil, day, now)
	usd := reports[2]
	if usd.Account.ID != acctUSD {
		t.Fatalf("report order: %s", usd.Account.ID)
	}
	if got := cost.Round(usd.Credits, "USD"); got != -4.75 {
		t.Errorf("credits = %v, want -4.75", got)
	}
	if usd.Previous != 0 || usd.Days[12] != 0 {
		t.Errorf("the day with no data = %v / %v, want 0", usd.Previous, usd.Days[12])
	}
	// A refund under its own service is listed with its negative amount when
	// the top N reaches it.
	var refund *cost.ServiceCost
	for i, s := range usd.TopServices {
		if s.Service == "AWS Support (Business)" {
			refund = &usd.TopServices[i]
		}
	}
	if refund == nil || refund.Amount != -1.25 {
		t.Errorf("refund in top services = %+v", usd.TopServices)
	}
	// The day before had no data: a day-over-day change is not a percentage.
	if msg := usd.Messages()[0]; !strings.Contains(renderText(msg.Blocks), "new (+$") {
		t.Errorf("change from a day without data not shown as new:\n%s", renderText(msg.Blocks))
	}
}

// TestCostExplorerNotEnabled checks W14's clear error.
func TestCostExplorerNotEnabled(t *testing.T) {
	day := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	env := startCostSim(t, costRecords(), day.AddDate(0, 0, 1))
	env.Sim.CostExplorer.SetEnabled(false)
	ce := orgaws.NewCostExplorer(env.Config(t, "us-east-1"))
	_, err := cost.Fetch(context.Background(), ce, costPlan(t, day, day.AddDate(0, 0, 1)), cost.FetchOptions{RatePerSecond: -1})
	if !errors.Is(err, cost.ErrNotEnabled) || !strings.Contains(err.Error(), "Cost Explorer is not enabled") {
		t.Fatalf("err = %v, want ErrNotEnabled", err)
	}
}

// TestCostExplorerRetriesThrottling checks that LimitExceededException is
// retried by orgnotify's retryer, and that the forecast is asked only for
// the accounts that show one.
func TestCostExplorerRetriesThrottling(t *testing.T) {
	day := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	now := day.AddDate(0, 0, 1)
	env := startCostSim(t, costRecords(), now)
	env.Sim.Faults().Set(awssim.FaultConfig{ThrottleOps: map[string]int{"ce:GetCostAndUsage": 1}})
	reports, _ := runDigest(t, env, []func(*config.LoadOptions) error{config.WithRetryer(orgaws.NewRetryer)}, day, now)
	if len(reports) != 3 {
		t.Fatalf("%d reports", len(reports))
	}
	counts := env.Sim.Faults().Counts()
	if got := counts["ce:GetCostForecast"]; got != 2 {
		t.Errorf("GetCostForecast called %d times, want 2 (the two accounts with a monthToDate threshold)", got)
	}
	for _, r := range reports {
		hasThreshold := r.Account.Cost.Thresholds != nil && r.Account.Cost.Thresholds.MonthToDate > 0
		if (r.Forecast != nil) != hasThreshold || r.ForecastError != nil {
			t.Errorf("%s: forecast %v, error %v", r.Account.Name, r.Forecast, r.ForecastError)
		}
		if r.Forecast != nil && *r.Forecast < r.MonthToDate {
			t.Errorf("%s: month-end forecast %v below month to date %v", r.Account.Name, *r.Forecast, r.MonthToDate)
		}
	}
}
