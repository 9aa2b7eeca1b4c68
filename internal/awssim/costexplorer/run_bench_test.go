package costexplorer

import (
	"testing"
	"time"
)

// BenchmarkRun measures the aggregation alone, without HTTP, the SDK or JSON:
// 1,000 accounts × 10 services × 60 days grouped by LINKED_ACCOUNT and SERVICE.
func BenchmarkRun(b *testing.B) {
	recs, err := Generate(GenerateSpec{Accounts: 1000, Services: 10, Start: "2026-09-16", Days: 60, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	s, err := New(recs)
	if err != nil {
		b.Fatal(err)
	}
	now := time.Date(2026, 11, 15, 10, 0, 0, 0, time.UTC)
	for _, g := range []string{"MONTHLY", "DAILY"} {
		b.Run(g, func(b *testing.B) {
			in := &getCostAndUsageInput{
				TimePeriod: &dateInterval{Start: "2026-09-16", End: "2026-11-15"}, Granularity: g, Metrics: []string{"UnblendedCost"},
				GroupBy: []groupDefinition{{Type: "DIMENSION", Key: "LINKED_ACCOUNT"}, {Type: "DIMENSION", Key: "SERVICE"}},
			}
			q, err := s.validateCostAndUsage(in, "111111111111", now, s.settings())
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if res := s.run(q); res.rows == 0 {
					b.Fatal("no groups")
				}
			}
		})
	}
}
