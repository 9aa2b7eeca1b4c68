package costexplorer_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ce "github.com/aws/aws-sdk-go-v2/service/costexplorer"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer/types"

	"github.com/orgnotify/orgnotify/internal/awssim/awssimtest"
	"github.com/orgnotify/orgnotify/internal/awssim/costexplorer"
)

// TestOnlyUSEast1 checks that a call signed for another region is refused:
// AWS has no Cost Explorer endpoint outside us-east-1.
func TestOnlyUSEast1(t *testing.T) {
	h := start(t, newStore(t, dataset(t)))
	in := &ce.GetCostAndUsageInput{TimePeriod: period("2026-11-01", "2026-11-02"), Granularity: types.GranularityDaily, Metrics: []string{"UnblendedCost"}}
	for _, region := range []string{"eu-west-1", "us-west-2", "ap-northeast-1"} {
		c := ce.NewFromConfig(h.env.ConfigWithKeys(t, region, "AKIDPAYER", "secret", ""))
		_, err := c.GetCostAndUsage(context.Background(), in)
		awssimtest.WantCode(t, err, "InvalidSignatureException")
		_, err = c.GetCostForecast(context.Background(), &ce.GetCostForecastInput{
			TimePeriod: period("2026-11-16", "2026-11-20"), Granularity: types.GranularityDaily, Metric: types.MetricUnblendedCost,
		})
		awssimtest.WantCode(t, err, "InvalidSignatureException")
	}
	_, err := h.client(t, "AKIDPAYER").GetCostAndUsage(context.Background(), in)
	awssimtest.WantCode(t, err, "")
}

// TestTimeRangeLimits checks the ranges Cost Explorer refuses (testNow is
// 2026-11-15): 13 months of history, 38 MONTHLY with multi-year data, DAILY
// never past 13 months, and no unbounded range.
func TestTimeRangeLimits(t *testing.T) {
	store := newStore(t, dataset(t))
	h := start(t, store)
	c := h.client(t, "AKIDPAYER")
	for _, tc := range []struct {
		name        string
		multiYear   bool
		granularity types.Granularity
		start, end  string
		code        string
	}{
		{"everything daily", false, types.GranularityDaily, "0001-01-01", "9999-12-31", "ValidationException"},
		{"everything monthly", true, types.GranularityMonthly, "0001-01-01", "9999-12-31", "ValidationException"},
		{"13 months daily", false, types.GranularityDaily, "2025-10-01", "2025-10-05", ""},
		{"14 months daily", false, types.GranularityDaily, "2025-09-30", "2025-10-05", "ValidationException"},
		{"14 months monthly", false, types.GranularityMonthly, "2025-09-01", "2025-10-01", "ValidationException"},
		{"30 months monthly, multi-year", true, types.GranularityMonthly, "2024-05-01", "2026-11-01", ""},
		{"38 months monthly, multi-year", true, types.GranularityMonthly, "2023-09-01", "2023-10-01", ""},
		{"39 months monthly, multi-year", true, types.GranularityMonthly, "2023-08-01", "2023-10-01", "ValidationException"},
		{"20 months daily, multi-year", true, types.GranularityDaily, "2025-03-01", "2025-03-02", "ValidationException"},
		{"end next month", false, types.GranularityDaily, "2026-11-01", "2027-01-01", ""},
		{"end far ahead", false, types.GranularityDaily, "2026-11-01", "2027-01-02", "ValidationException"},
		{"start after end", false, types.GranularityDaily, "2026-11-05", "2026-11-01", "ValidationException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store.SetMultiYear(tc.multiYear)
			_, err := c.GetCostAndUsage(context.Background(), &ce.GetCostAndUsageInput{
				TimePeriod: period(tc.start, tc.end), Granularity: tc.granularity, Metrics: []string{"UnblendedCost"},
			})
			awssimtest.WantCode(t, err, tc.code)
		})
	}
}

// TestUngroupedAnswersArePaged checks that a long ungrouped answer comes in
// pages like a grouped one, every period once.
func TestUngroupedAnswersArePaged(t *testing.T) {
	store := newStore(t, dataset(t))
	store.SetPageSize(7)
	c := start(t, store).client(t, "AKIDPAYER")
	in := &ce.GetCostAndUsageInput{TimePeriod: period("2026-10-01", "2026-11-01"), Granularity: types.GranularityDaily, Metrics: []string{"UnblendedCost"}}
	seen := map[string]bool{}
	pages := 0
	for {
		out, err := c.GetCostAndUsage(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if len(out.ResultsByTime) > 7 {
			t.Errorf("page %d has %d periods, page size 7", pages, len(out.ResultsByTime))
		}
		for _, r := range out.ResultsByTime {
			if seen[*r.TimePeriod.Start] {
				t.Errorf("period %s twice", *r.TimePeriod.Start)
			}
			seen[*r.TimePeriod.Start] = true
		}
		if out.NextPageToken == nil {
			break
		}
		in.NextPageToken = out.NextPageToken
	}
	if len(seen) != 31 || pages != 5 {
		t.Errorf("%d periods in %d pages, want 31 in 5", len(seen), pages)
	}
}

// TestCacheBoundedByBytes checks that the result cache never holds more
// than its byte budget, whatever the queries, and that paging still works
// when an answer has been evicted.
func TestCacheBoundedByBytes(t *testing.T) {
	recs, err := costexplorer.Generate(costexplorer.GenerateSpec{Accounts: 200, Services: 10, Start: "2026-09-16", Days: 60, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	store := newStore(t, recs)
	const budget = 16 << 20 // about three of these answers
	store.SetCacheBytes(budget)
	store.SetPageSize(1000)
	c := start(t, store).client(t, "AKIDPAYER")
	ctx := context.Background()
	grouped := func(day int) *ce.GetCostAndUsageInput {
		return &ce.GetCostAndUsageInput{
			TimePeriod:  period(fmt.Sprintf("2026-10-%02d", day), "2026-11-15"),
			Granularity: types.GranularityDaily, Metrics: []string{"UnblendedCost"},
			GroupBy: []types.GroupDefinition{
				{Type: types.GroupDefinitionTypeDimension, Key: aws.String("LINKED_ACCOUNT")},
				{Type: types.GroupDefinitionTypeDimension, Key: aws.String("SERVICE")},
			},
		}
	}
	first, err := c.GetCostAndUsage(ctx, grouped(1))
	if err != nil || first.NextPageToken == nil {
		t.Fatalf("first query: %v", err)
	}
	for day := 2; day <= 12; day++ {
		if _, err := c.GetCostAndUsage(ctx, grouped(day)); err != nil {
			t.Fatal(err)
		}
		if n, b := store.CacheUsage(); b > budget || n == 0 {
			t.Fatalf("after %d queries the cache holds %d answers, %d bytes; budget %d", day, n, b, budget)
		}
	}
	if n, _ := store.CacheUsage(); n >= 12 {
		t.Errorf("the cache kept all %d answers", n)
	}
	// The first answer is long evicted; its second page is computed again.
	in := grouped(1)
	in.NextPageToken = first.NextPageToken
	second, err := c.GetCostAndUsage(ctx, in)
	if err != nil || len(second.ResultsByTime) == 0 {
		t.Fatalf("second page after eviction: %v", err)
	}
}

// TestNotEnabled checks the answer before Cost Explorer is enabled.
func TestNotEnabled(t *testing.T) {
	store := newStore(t, dataset(t))
	store.SetEnabled(false)
	c := start(t, store).client(t, "AKIDPAYER")
	_, err := c.GetCostAndUsage(context.Background(), &ce.GetCostAndUsageInput{TimePeriod: period("2026-11-01", "2026-11-02"), Granularity: types.GranularityDaily, Metrics: []string{"UnblendedCost"}})
	awssimtest.WantCode(t, err, "DataUnavailableException")
	store.SetEnabled(true)
	_, err = c.GetCostAndUsage(context.Background(), &ce.GetCostAndUsageInput{TimePeriod: period("2026-11-01", "2026-11-02"), Granularity: types.GranularityDaily, Metrics: []string{"UnblendedCost"}})
	awssimtest.WantCode(t, err, "")
}
