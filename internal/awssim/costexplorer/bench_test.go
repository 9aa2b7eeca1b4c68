package costexplorer_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ce "github.com/aws/aws-sdk-go-v2/service/costexplorer"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer/types"

	"github.com/orgnotify/orgnotify/internal/awssim/costexplorer"
)

// BenchmarkGetCostAndUsage pages through a query grouped by LINKED_ACCOUNT and
// SERVICE over 1,000 accounts × 10 services × 60 days, through the SDK and
// HTTP. Each iteration changes a setting so the answer is computed afresh,
// as on a digest run, instead of coming from the page cache.
func BenchmarkGetCostAndUsage(b *testing.B) {
	recs, err := costexplorer.Generate(costexplorer.GenerateSpec{Accounts: 1000, Services: 10, Start: "2026-09-16", Days: 60, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	store := newStore(b, recs)
	store.SetPayer(payer)
	h := start(b, store)
	c := h.client(b, "AKIDPAYER")
	for _, bc := range []struct {
		name        string
		granularity types.Granularity
		pageSize    int
	}{
		{"monthly/page200", types.GranularityMonthly, costexplorer.DefaultPageSize},
		{"daily/page200", types.GranularityDaily, costexplorer.DefaultPageSize},
		{"daily/page5000", types.GranularityDaily, 5000},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var pages, groups int
			for b.Loop() {
				store.SetPageSize(bc.pageSize) // also invalidates the page cache
				in := &ce.GetCostAndUsageInput{
					TimePeriod: period("2026-09-16", "2026-11-15"), Granularity: bc.granularity, Metrics: []string{"UnblendedCost"},
					GroupBy: []types.GroupDefinition{
						{Type: types.GroupDefinitionTypeDimension, Key: aws.String("LINKED_ACCOUNT")},
						{Type: types.GroupDefinitionTypeDimension, Key: aws.String("SERVICE")},
					},
				}
				pages, groups = 0, 0
				for {
					out, err := c.GetCostAndUsage(context.Background(), in)
					if err != nil {
						b.Fatal(err)
					}
					pages++
					for _, rb := range out.ResultsByTime {
						groups += len(rb.Groups)
					}
					if in.NextPageToken = out.NextPageToken; in.NextPageToken == nil {
						break
					}
				}
			}
			b.ReportMetric(float64(pages), "pages/op")
			b.ReportMetric(float64(groups), "groups/op")
		})
	}
}

// BenchmarkNew measures compiling the 600,000-record dataset.
func BenchmarkNew(b *testing.B) {
	recs, err := costexplorer.Generate(costexplorer.GenerateSpec{Accounts: 1000, Services: 10, Start: "2026-09-16", Days: 60, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := costexplorer.New(recs); err != nil {
			b.Fatal(err)
		}
	}
}
