package costexplorer_test

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ce "github.com/aws/aws-sdk-go-v2/service/costexplorer"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer/types"

	"github.com/orgnotify/orgnotify/internal/awssim"
	"github.com/orgnotify/orgnotify/internal/awssim/costexplorer"
)

// TestGroupedPagination pages through LINKED_ACCOUNT × SERVICE groups and
// checks that the pages assemble every group exactly once, each with the
// exact sum of its records, and that the groups add up to the ungrouped total.
func TestGroupedPagination(t *testing.T) {
	recs := dataset(t)
	tests := []struct {
		name        string
		granularity types.Granularity
		pageSize    int
		start, end  string
	}{
		{name: "monthly small pages", granularity: types.GranularityMonthly, pageSize: 37, start: "2026-09-16", end: "2026-11-15"},
		{name: "monthly one page", granularity: types.GranularityMonthly, pageSize: 100000, start: "2026-09-16", end: "2026-11-15"},
		{name: "daily pages", granularity: types.GranularityDaily, pageSize: 997, start: "2026-10-20", end: "2026-11-10"},
		{name: "daily partly empty range", granularity: types.GranularityDaily, pageSize: 50, start: "2026-11-10", end: "2026-11-16"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			store := newStore(t, recs)
			store.SetPayer(payer)
			store.SetPageSize(tc.pageSize)
			c := start(t, store).client(t, "AKIDPAYER")
			ctx := context.Background()

			periodOf := func(day string) string {
				if tc.granularity == types.GranularityDaily {
					return day
				}
				return monthPeriod(day, tc.start)
			}
			want := map[[3]string]*big.Rat{}
			for i := range recs {
				r := &recs[i]
				if r.Date < tc.start || r.Date >= tc.end {
					continue
				}
				k := [3]string{periodOf(r.Date), r.Account, r.Service}
				if want[k] == nil {
					want[k] = new(big.Rat)
				}
				want[k].Add(want[k], rat(t, string(r.Amount)))
			}

			in := &ce.GetCostAndUsageInput{
				TimePeriod: period(tc.start, tc.end), Granularity: tc.granularity,
				Metrics: []string{"UnblendedCost", "BlendedCost"},
				GroupBy: []types.GroupDefinition{
					{Type: types.GroupDefinitionTypeDimension, Key: aws.String("LINKED_ACCOUNT")},
					{Type: types.GroupDefinitionTypeDimension, Key: aws.String("SERVICE")},
				},
			}
			got := map[[3]string]string{}
			periodSums := map[string]*big.Rat{}
			periodsSeen := map[string]bool{}
			emptySeen := map[string]int{}
			lastPeriod := ""
			pages := 0
			for {
				out, err := c.GetCostAndUsage(ctx, in)
				if err != nil {
					t.Fatalf("page %d: %v", pages, err)
				}
				pages++
				n := 0
				for _, rb := range out.ResultsByTime {
					p := aws.ToString(rb.TimePeriod.Start)
					periodsSeen[p] = true
					// Pages continue one another: periods never go back, and a
					// period without groups is shown once.
					if p < lastPeriod {
						t.Errorf("page %d: period %s after %s", pages, p, lastPeriod)
					}
					lastPeriod = p
					if len(rb.Groups) == 0 {
						emptySeen[p]++
					}
					if periodSums[p] == nil {
						periodSums[p] = new(big.Rat)
					}
					for _, g := range rb.Groups {
						n++
						k := [3]string{p, g.Keys[0], g.Keys[1]}
						if _, dup := got[k]; dup {
							t.Fatalf("group %v returned twice", k)
						}
						u, b := g.Metrics["UnblendedCost"], g.Metrics["BlendedCost"]
						if aws.ToString(u.Unit) != "USD" || aws.ToString(u.Amount) != aws.ToString(b.Amount) {
							t.Errorf("group %v: UnblendedCost %v %v, BlendedCost %v: one amount feeds both in USD", k, aws.ToString(u.Amount), aws.ToString(u.Unit), aws.ToString(b.Amount))
						}
						got[k] = aws.ToString(u.Amount)
						periodSums[p].Add(periodSums[p], rat(t, got[k]))
					}
				}
				if n > tc.pageSize {
					t.Errorf("page %d has %d groups, page size %d", pages, n, tc.pageSize)
				}
				if out.NextPageToken == nil {
					break
				}
				if n != tc.pageSize {
					t.Errorf("page %d has %d groups but is not the last; want %d", pages, n, tc.pageSize)
				}
				in.NextPageToken = out.NextPageToken
			}
			for p, n := range emptySeen {
				if n > 1 {
					t.Errorf("empty period %s shown %d times", p, n)
				}
			}
			wantPages := (len(want) + tc.pageSize - 1) / tc.pageSize
			if pages != max(wantPages, 1) {
				t.Errorf("%d pages, want %d for %d groups", pages, wantPages, len(want))
			}
			if len(got) != len(want) {
				t.Errorf("%d groups, want %d", len(got), len(want))
			}
			for k, w := range want {
				checkAmount(t, k[0]+" "+k[1]+" "+k[2], got[k], w)
			}

			// The same query ungrouped: one Total per period, equal to the
			// sum of that period's groups.
			in.GroupBy, in.NextPageToken = nil, nil
			out, err := c.GetCostAndUsage(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			if out.NextPageToken != nil {
				t.Errorf("ungrouped result paged")
			}
			if len(out.ResultsByTime) != len(periodsSeen) {
				t.Errorf("ungrouped: %d periods, grouped pages showed %d", len(out.ResultsByTime), len(periodsSeen))
			}
			for _, rb := range out.ResultsByTime {
				p := aws.ToString(rb.TimePeriod.Start)
				if len(rb.Groups) != 0 {
					t.Errorf("%s: ungrouped result has groups", p)
				}
				checkAmount(t, "total "+p, aws.ToString(rb.Total["UnblendedCost"].Amount), periodSums[p])
			}
		})
	}
}

// TestFilters checks each kind of Expression against the same filter written
// as a Go predicate over the dataset.
func TestFilters(t *testing.T) {
	recs := dataset(t)
	store := newStore(t, recs)
	c := start(t, store).client(t, "AKIDPAYER")
	const from, to = "2026-09-16", "2026-11-15"

	tests := []struct {
		name   string
		filter types.Expression
		keep   func(r *costexplorer.Record) bool
	}{
		{
			name:   "linked accounts",
			filter: dims(types.DimensionLinkedAccount, "100000000001", "100000000042"),
			keep:   func(r *costexplorer.Record) bool { return in(r.Account, "100000000001", "100000000042") },
		},
		{
			name:   "service",
			filter: dims(types.DimensionService, "AWS Lambda"),
			keep:   func(r *costexplorer.Record) bool { return r.Service == "AWS Lambda" },
		},
		{
			name:   "region",
			filter: dims(types.DimensionRegion, "eu-west-1", "global"),
			keep:   func(r *costexplorer.Record) bool { return in(r.Region, "eu-west-1", "global") },
		},
		{
			name:   "record type",
			filter: dims(types.DimensionRecordType, "Credit"),
			keep:   func(r *costexplorer.Record) bool { return r.RecordType == "Credit" },
		},
		{
			name: "linked account name, case insensitive",
			filter: types.Expression{Dimensions: &types.DimensionValues{Key: types.DimensionLinkedAccountName, Values: []string{"MANAGEMENT"},
				MatchOptions: []types.MatchOption{types.MatchOptionCaseInsensitive}}},
			keep: func(r *costexplorer.Record) bool { return r.AccountName == "management" },
		},
		{
			name:   "tag value",
			filter: tag("team", "team-03", "team-05"),
			keep:   func(r *costexplorer.Record) bool { return in(r.Tags["team"], "team-03", "team-05") },
		},
		{
			name:   "tag empty value matches untagged",
			filter: tag("env", ""),
			keep:   func(r *costexplorer.Record) bool { return r.Tags["env"] == "" },
		},
		{
			name:   "tag absent",
			filter: types.Expression{Tags: &types.TagValues{Key: aws.String("team"), MatchOptions: []types.MatchOption{types.MatchOptionAbsent}}},
			keep:   func(r *costexplorer.Record) bool { return r.Tags["team"] == "" },
		},
		{
			name:   "tag absent includes an empty value",
			filter: types.Expression{Tags: &types.TagValues{Key: aws.String("env"), MatchOptions: []types.MatchOption{types.MatchOptionAbsent}}},
			keep:   func(r *costexplorer.Record) bool { return r.Tags["env"] == "" },
		},
		{
			name:   "cost category",
			filter: types.Expression{CostCategories: &types.CostCategoryValues{Key: aws.String("Project"), Values: []string{"apollo"}}},
			keep:   func(r *costexplorer.Record) bool { return r.CostCategories["Project"] == "apollo" },
		},
		{
			name:   "and",
			filter: types.Expression{And: []types.Expression{tag("env", "prod"), dims(types.DimensionService, "Amazon DynamoDB", "AWS Lambda")}},
			keep: func(r *costexplorer.Record) bool {
				return r.Tags["env"] == "prod" && in(r.Service, "Amazon DynamoDB", "AWS Lambda")
			},
		},
		{
			name:   "or",
			filter: types.Expression{Or: []types.Expression{tag("team", "team-07"), dims(types.DimensionLinkedAccount, payer)}},
			keep:   func(r *costexplorer.Record) bool { return r.Tags["team"] == "team-07" || r.Account == payer },
		},
		{
			name:   "not",
			filter: types.Expression{Not: &types.Expression{Or: []types.Expression{tag("env", "dev"), dims(types.DimensionService, "AWS Lambda")}}},
			keep:   func(r *costexplorer.Record) bool { return !(r.Tags["env"] == "dev" || r.Service == "AWS Lambda") },
		},
		{
			name: "nested and of or and not",
			filter: types.Expression{And: []types.Expression{
				{Or: []types.Expression{tag("env", "test"), tag("team", "team-05")}},
				{Not: &types.Expression{Dimensions: &types.DimensionValues{Key: types.DimensionRegion, Values: []string{"us-east-1"}}}},
			}},
			keep: func(r *costexplorer.Record) bool {
				return (r.Tags["env"] == "test" || r.Tags["team"] == "team-05") && r.Region != "us-east-1"
			},
		},
		{
			name:   "matches nothing",
			filter: dims(types.DimensionLinkedAccount, "222222222222"),
			keep:   func(*costexplorer.Record) bool { return false },
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := sum(t, recs, from, to, tc.keep)
			if tc.name != "matches nothing" && want.Sign() == 0 {
				t.Fatalf("test dataset has no costs for this filter; the case proves nothing")
			}
			filter := tc.filter
			out, err := c.GetCostAndUsage(context.Background(), &ce.GetCostAndUsageInput{
				TimePeriod: period(from, to), Granularity: types.GranularityMonthly,
				Metrics: []string{"NetUnblendedCost"}, Filter: &filter,
			})
			if err != nil {
				t.Fatal(err)
			}
			got := new(big.Rat)
			for _, rb := range out.ResultsByTime {
				got.Add(got, rat(t, aws.ToString(rb.Total["NetUnblendedCost"].Amount)))
			}
			if got.Cmp(want) != 0 {
				t.Errorf("total %s, want %s", got.FloatString(10), want.FloatString(10))
			}
		})
	}
}

// TestMonthlySplit checks period boundaries, partial months, the Estimated
// flag of the open month, and usage units.
func TestMonthlySplit(t *testing.T) {
	recs := dataset(t)
	c := start(t, newStore(t, recs)).client(t, "AKIDPAYER")
	out, err := c.GetCostAndUsage(context.Background(), &ce.GetCostAndUsageInput{
		TimePeriod: period("2026-09-20", "2026-11-03"), Granularity: types.GranularityMonthly,
		Metrics: []string{"AmortizedCost", "UsageQuantity"},
		Filter:  &types.Expression{Dimensions: &types.DimensionValues{Key: types.DimensionLinkedAccount, Values: []string{payer, "100000000009"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	wantPeriods := []struct {
		start, end string
		estimated  bool
		usage      string
		usageUnit  string
	}{
		{"2026-09-20", "2026-10-01", false, "0", "N/A"},
		{"2026-10-01", "2026-11-01", false, "8", "N/A"}, // payer's "Events" mixed with unit-less generated usage
		{"2026-11-01", "2026-11-03", true, "0", "N/A"},
	}
	if len(out.ResultsByTime) != len(wantPeriods) {
		t.Fatalf("%d periods, want %d", len(out.ResultsByTime), len(wantPeriods))
	}
	for i, w := range wantPeriods {
		rb := out.ResultsByTime[i]
		if s, e := aws.ToString(rb.TimePeriod.Start), aws.ToString(rb.TimePeriod.End); s != w.start || e != w.end {
			t.Errorf("period %d: %s..%s, want %s..%s", i, s, e, w.start, w.end)
		}
		if rb.Estimated != w.estimated {
			t.Errorf("period %s: Estimated %v, want %v", w.start, rb.Estimated, w.estimated)
		}
		keep := func(r *costexplorer.Record) bool { return in(r.Account, payer, "100000000009") }
		checkAmount(t, "AmortizedCost "+w.start, aws.ToString(rb.Total["AmortizedCost"].Amount), sum(t, recs, w.start, w.end, keep))
		uq := rb.Total["UsageQuantity"]
		if aws.ToString(uq.Amount) != w.usage || aws.ToString(uq.Unit) != w.usageUnit {
			t.Errorf("period %s: UsageQuantity %s %s, want %s %s", w.start, aws.ToString(uq.Amount), aws.ToString(uq.Unit), w.usage, w.usageUnit)
		}
	}

	// Only the payer's records: one usage unit, so it is reported.
	out, err = c.GetCostAndUsage(context.Background(), &ce.GetCostAndUsageInput{
		TimePeriod: period("2026-10-01", "2026-11-01"), Granularity: types.GranularityMonthly,
		Metrics: []string{"UsageQuantity"}, Filter: &types.Expression{Dimensions: &types.DimensionValues{Key: types.DimensionLinkedAccount, Values: []string{payer}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if uq := out.ResultsByTime[0].Total["UsageQuantity"]; aws.ToString(uq.Amount) != "8" || aws.ToString(uq.Unit) != "Events" {
		t.Errorf("payer UsageQuantity %s %s, want 8 Events", aws.ToString(uq.Amount), aws.ToString(uq.Unit))
	}
}

// TestGroupKeys checks how tag, cost category and dimension groups are
// named, including costs that lack the tag, and the account names.
func TestGroupKeys(t *testing.T) {
	recs := dataset(t)
	store := newStore(t, recs)
	store.SetAccountNames(map[string]string{"100000000005": "five", payer: "not used: the record's name wins"})
	c := start(t, store).client(t, "AKIDPAYER")
	filter := types.Expression{Dimensions: &types.DimensionValues{Key: types.DimensionService, Values: []string{"Amazon Route 53", "AWS CloudTrail"}}}
	tests := []struct {
		name    string
		groupBy []types.GroupDefinition
		want    map[string]string // joined keys → amount
		names   map[string]string
	}{
		{
			name:    "tag with missing values",
			groupBy: []types.GroupDefinition{{Type: types.GroupDefinitionTypeTag, Key: aws.String("team")}},
			want:    map[string]string{"team$": "1.7500000071", "team$team-05": "3"},
		},
		{
			name:    "cost category and account",
			groupBy: []types.GroupDefinition{{Type: types.GroupDefinitionTypeCostCategory, Key: aws.String("Project")}, {Type: types.GroupDefinitionTypeDimension, Key: aws.String("LINKED_ACCOUNT")}},
			want: map[string]string{
				"Project$|" + payer: "4", "Project$apollo|100000000003": "0.0000000071",
				"Project$|100000000004": "-2.25", "Project$gemini|100000000005": "3",
			},
			names: map[string]string{payer: "management", "100000000005": "five"},
		},
		{
			name:    "record type and region",
			groupBy: []types.GroupDefinition{{Type: types.GroupDefinitionTypeDimension, Key: aws.String("RECORD_TYPE")}, {Type: types.GroupDefinitionTypeDimension, Key: aws.String("REGION")}},
			want:    map[string]string{"Usage|NoRegion": "4.0000000071", "Credit|NoRegion": "-2.25", "Usage|global": "3"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := c.GetCostAndUsage(context.Background(), &ce.GetCostAndUsageInput{
				TimePeriod: period("2026-09-16", "2026-11-15"), Granularity: types.GranularityMonthly,
				Metrics: []string{"UnblendedCost"}, Filter: &filter, GroupBy: tc.groupBy,
			})
			if err != nil {
				t.Fatal(err)
			}
			// The hand-written records differ from generated ones in
			// service, so the filter leaves only them; add up over months.
			got := map[string]*big.Rat{}
			for _, rb := range out.ResultsByTime {
				if len(rb.Total) != 0 {
					t.Errorf("grouped result has a Total")
				}
				for _, g := range rb.Groups {
					k := g.Keys[0]
					if len(g.Keys) > 1 {
						k += "|" + g.Keys[1]
					}
					if got[k] == nil {
						got[k] = new(big.Rat)
					}
					amt := aws.ToString(g.Metrics["UnblendedCost"].Amount)
					if !awsAmount.MatchString(amt) {
						t.Errorf("group %s: amount %q is not formatted as Cost Explorer does", k, amt)
					}
					got[k].Add(got[k], rat(t, amt))
				}
			}
			if len(got) != len(tc.want) {
				t.Errorf("groups %v, want %v", got, tc.want)
			}
			for k, w := range tc.want {
				if got[k] == nil {
					t.Errorf("group %s missing", k)
					continue
				}
				if got[k].Cmp(rat(t, w)) != 0 {
					t.Errorf("group %s: %s, want %s", k, got[k].FloatString(10), w)
				}
			}
			names := map[string]string{}
			for _, a := range out.DimensionValueAttributes {
				names[aws.ToString(a.Value)] = a.Attributes["description"]
			}
			if len(names) != len(tc.names) {
				t.Errorf("DimensionValueAttributes %v, want %v", names, tc.names)
			}
			for k, v := range tc.names {
				if names[k] != v {
					t.Errorf("account %s named %q, want %q", k, names[k], v)
				}
			}
		})
	}
}

// TestVisibility checks that the payer sees every account and any other
// caller only its own costs, whatever it filters or groups by.
func TestVisibility(t *testing.T) {
	recs := dataset(t)
	store := newStore(t, recs)
	store.SetPayer(payer)
	h := start(t, store)
	const from, to = "2026-09-16", "2026-11-15"
	tests := []struct {
		name     string
		key      string
		filter   *types.Expression
		accounts []string // accounts expected in a LINKED_ACCOUNT grouping
		keep     func(*costexplorer.Record) bool
	}{
		{name: "payer sees all", key: "AKIDPAYER", keep: nil},
		{name: "member sees its own", key: "AKIDMEMBER3", accounts: []string{"100000000003"},
			keep: func(r *costexplorer.Record) bool { return r.Account == "100000000003" }},
		{name: "member filtering another account sees nothing", key: "AKIDMEMBER3", accounts: []string{},
			filter: ptr(dims(types.DimensionLinkedAccount, "100000000004")),
			keep:   func(*costexplorer.Record) bool { return false }},
		{name: "account without costs sees nothing", key: "AKIDSTRANGER", accounts: []string{},
			keep: func(*costexplorer.Record) bool { return false }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := h.client(t, tc.key)
			out, err := c.GetCostAndUsage(context.Background(), &ce.GetCostAndUsageInput{
				TimePeriod: period(from, to), Granularity: types.GranularityMonthly, Metrics: []string{"UnblendedCost"}, Filter: tc.filter,
			})
			if err != nil {
				t.Fatal(err)
			}
			got := new(big.Rat)
			for _, rb := range out.ResultsByTime {
				got.Add(got, rat(t, aws.ToString(rb.Total["UnblendedCost"].Amount)))
			}
			if want := sum(t, recs, from, to, tc.keep); got.Cmp(want) != 0 {
				t.Errorf("total %s, want %s", got.FloatString(10), want.FloatString(10))
			}
			if tc.accounts == nil {
				return
			}
			out, err = c.GetCostAndUsage(context.Background(), &ce.GetCostAndUsageInput{
				TimePeriod: period(from, to), Granularity: types.GranularityMonthly, Metrics: []string{"UnblendedCost"}, Filter: tc.filter,
				GroupBy: []types.GroupDefinition{{Type: types.GroupDefinitionTypeDimension, Key: aws.String("LINKED_ACCOUNT")}},
			})
			if err != nil {
				t.Fatal(err)
			}
			seen := map[string]bool{}
			for _, rb := range out.ResultsByTime {
				for _, g := range rb.Groups {
					seen[g.Keys[0]] = true
				}
			}
			if len(seen) != len(tc.accounts) {
				t.Errorf("accounts %v, want %v", seen, tc.accounts)
			}
			for _, a := range tc.accounts {
				if !seen[a] {
					t.Errorf("account %s missing", a)
				}
			}
		})
	}
}

// TestHourly checks HOURLY granularity over records dated to the hour.
func TestHourly(t *testing.T) {
	recs := []costexplorer.Record{
		{Account: payer, Service: "AWS Lambda", Date: "2026-11-14T09:00:00Z", Amount: "0.25"},
		{Account: payer, Service: "AWS Lambda", Date: "2026-11-14T09:30:00Z", Amount: "0.5"}, // same hour
		{Account: payer, Service: "AWS Lambda", Date: "2026-11-14T11:00:00Z", Amount: "1"},
		{Account: payer, Service: "AWS Lambda", Date: "2026-11-14", Amount: "2"}, // a day counts at 00:00
	}
	c := start(t, newStore(t, recs)).client(t, "AKIDPAYER")
	out, err := c.GetCostAndUsage(context.Background(), &ce.GetCostAndUsageInput{
		TimePeriod: period("2026-11-14T08:00:00Z", "2026-11-14T12:00:00Z"), Granularity: types.GranularityHourly, Metrics: []string{"UnblendedCost"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := [][2]string{{"2026-11-14T08:00:00Z", "0"}, {"2026-11-14T09:00:00Z", "0.75"}, {"2026-11-14T10:00:00Z", "0"}, {"2026-11-14T11:00:00Z", "1"}}
	if len(out.ResultsByTime) != len(want) {
		t.Fatalf("%d periods, want %d", len(out.ResultsByTime), len(want))
	}
	for i, w := range want {
		rb := out.ResultsByTime[i]
		if aws.ToString(rb.TimePeriod.Start) != w[0] || aws.ToString(rb.Total["UnblendedCost"].Amount) != w[1] {
			t.Errorf("period %d: %s %s, want %s %s", i, aws.ToString(rb.TimePeriod.Start), aws.ToString(rb.Total["UnblendedCost"].Amount), w[0], w[1])
		}
	}
}

// TestMetricOverrides checks that a record's per-metric amounts replace the
// shared amount for those metrics only.
func TestMetricOverrides(t *testing.T) {
	recs := []costexplorer.Record{
		{Account: payer, Service: "Amazon Elastic Compute Cloud - Compute", Date: "2026-11-01", Amount: "10",
			Metrics: map[string]costexplorer.Decimal{"AmortizedCost": "7.5", "NetUnblendedCost": "9"}},
		{Account: payer, Service: "Amazon Elastic Compute Cloud - Compute", Date: "2026-11-02", Amount: "1"},
	}
	c := start(t, newStore(t, recs)).client(t, "AKIDPAYER")
	out, err := c.GetCostAndUsage(context.Background(), &ce.GetCostAndUsageInput{
		TimePeriod: period("2026-11-01", "2026-11-03"), Granularity: types.GranularityMonthly,
		Metrics: []string{"UnblendedCost", "AmortizedCost", "NetUnblendedCost", "BlendedCost", "NetAmortizedCost"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"UnblendedCost": "11", "AmortizedCost": "8.5", "NetUnblendedCost": "10", "BlendedCost": "11", "NetAmortizedCost": "11"}
	for m, w := range want {
		if got := aws.ToString(out.ResultsByTime[0].Total[m].Amount); got != w {
			t.Errorf("%s = %s, want %s", m, got, w)
		}
	}
}

// TestLimitExceeded checks that an injected throttle reaches the client as
// Cost Explorer's LimitExceededException.
func TestLimitExceeded(t *testing.T) {
	h := start(t, newStore(t, dataset(t)))
	h.server.Faults().Set(awssim.FaultConfig{ThrottleOps: map[string]int{"ce:GetCostAndUsage": 1}})
	_, err := h.client(t, "AKIDPAYER").GetCostAndUsage(context.Background(), &ce.GetCostAndUsageInput{
		TimePeriod: period("2026-11-01", "2026-11-02"), Granularity: types.GranularityDaily, Metrics: []string{"UnblendedCost"},
	})
	var le *types.LimitExceededException
	if !errors.As(err, &le) {
		t.Fatalf("error %v, want LimitExceededException", err)
	}
}

// TestPaginationGaps puts days without costs at every possible page
// boundary: each day must appear exactly once across pages, in order, with
// its groups split between pages but never repeated.
func TestPaginationGaps(t *testing.T) {
	recs := []costexplorer.Record{
		{Account: payer, Service: "A", Date: "2026-11-01", Amount: "1"},
		{Account: payer, Service: "B", Date: "2026-11-01", Amount: "2"},
		{Account: payer, Service: "A", Date: "2026-11-03", Amount: "3"},
		{Account: payer, Service: "B", Date: "2026-11-03", Amount: "4"},
		{Account: payer, Service: "C", Date: "2026-11-05", Amount: "5"},
	}
	// Days and their groups as the pages must assemble them.
	want := []string{"2026-11-01:A=1,B=2", "2026-11-02:", "2026-11-03:A=3,B=4", "2026-11-04:", "2026-11-05:C=5", "2026-11-06:"}
	for _, size := range []int{1, 2, 3, 4, 5, 6} {
		t.Run(fmt.Sprintf("page size %d", size), func(t *testing.T) {
			store := newStore(t, recs)
			store.SetPageSize(size)
			c := start(t, store).client(t, "AKIDPAYER")
			in := &ce.GetCostAndUsageInput{
				TimePeriod: period("2026-11-01", "2026-11-07"), Granularity: types.GranularityDaily, Metrics: []string{"UnblendedCost"},
				GroupBy: []types.GroupDefinition{{Type: types.GroupDefinitionTypeDimension, Key: aws.String("SERVICE")}},
			}
			var got []string // one entry per day, groups of a day split over pages joined again
			for {
				out, err := c.GetCostAndUsage(context.Background(), in)
				if err != nil {
					t.Fatal(err)
				}
				for _, rb := range out.ResultsByTime {
					day := aws.ToString(rb.TimePeriod.Start)
					var gs []string
					for _, g := range rb.Groups {
						gs = append(gs, g.Keys[0]+"="+aws.ToString(g.Metrics["UnblendedCost"].Amount))
					}
					entry := day + ":" + strings.Join(gs, ",")
					if n := len(got); n > 0 && strings.HasPrefix(got[n-1], day+":") && len(gs) > 0 && !strings.HasSuffix(got[n-1], ":") {
						got[n-1] += "," + strings.Join(gs, ",") // the day continues from the previous page
						continue
					}
					got = append(got, entry)
				}
				if in.NextPageToken = out.NextPageToken; in.NextPageToken == nil {
					break
				}
			}
			if strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("days\n got %v\nwant %v", got, want)
			}
		})
	}
}

// TestConcurrentPaging pages the same grouped query from several goroutines
// while the page cache is shared; run with -race to check the store's locking.
func TestConcurrentPaging(t *testing.T) {
	recs := dataset(t)
	store := newStore(t, recs)
	store.SetPageSize(97)
	c := start(t, store).client(t, "AKIDPAYER")
	want := sum(t, recs, "2026-10-01", "2026-11-01", nil)
	errs := make(chan error, 6)
	for range 6 {
		go func() {
			in := &ce.GetCostAndUsageInput{
				TimePeriod: period("2026-10-01", "2026-11-01"), Granularity: types.GranularityMonthly, Metrics: []string{"UnblendedCost"},
				GroupBy: []types.GroupDefinition{{Type: types.GroupDefinitionTypeDimension, Key: aws.String("LINKED_ACCOUNT")}, {Type: types.GroupDefinitionTypeTag, Key: aws.String("team")}},
			}
			got := new(big.Rat)
			for {
				out, err := c.GetCostAndUsage(context.Background(), in)
				if err != nil {
					errs <- err
					return
				}
				for _, rb := range out.ResultsByTime {
					for _, g := range rb.Groups {
						a, _ := new(big.Rat).SetString(aws.ToString(g.Metrics["UnblendedCost"].Amount))
						got.Add(got, a)
					}
				}
				if in.NextPageToken = out.NextPageToken; in.NextPageToken == nil {
					break
				}
			}
			if got.Cmp(want) != 0 {
				errs <- fmt.Errorf("total %s, want %s", got.FloatString(10), want.FloatString(10))
				return
			}
			errs <- nil
		}()
	}
	for range 6 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
