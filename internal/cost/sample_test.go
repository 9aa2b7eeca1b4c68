package cost

import (
	"context"
	"math"
	"testing"

	"github.com/orgnotify/orgnotify/internal/config"
)

// TestSampleIsConsistent: the made-up bill adds up the way Cost Explorer's
// does (a month is the sum of its days, services sum to the total), is the
// same on every call, and has no credits; the real plan and reports run on
// it for DAILY and MONTHLY accounts alike.
func TestSampleIsConsistent(t *testing.T) {
	ctx := context.Background()
	var s Sample
	a := "345678901234"
	ask := func(q Query) map[string]float64 {
		t.Helper()
		q.Accounts = []string{a}
		p, err := s.CostAndUsage(ctx, q, "")
		if err != nil || p.NextToken != "" {
			t.Fatalf("CostAndUsage: %v, next %q", err, p.NextToken)
		}
		out := map[string]float64{}
		for _, r := range p.Rows {
			out[r.Start.Format("2006-01-02")+"/"+r.Service] += r.Amount
		}
		return out
	}
	nov, dec := day("2026-11-01"), day("2026-12-01")
	days := ask(Query{Granularity: Daily, Start: nov, End: dec})
	month := ask(Query{Granularity: Monthly, Start: nov, End: dec})
	bySvc := ask(Query{Granularity: Monthly, Start: nov, End: dec, ByService: true})
	var sum, svcSum float64
	for _, v := range days {
		sum += v
	}
	for _, v := range bySvc {
		svcSum += v
	}
	if len(days) != 30 || math.Abs(sum-month["2026-11-01/"]) > 1e-6 || math.Abs(svcSum-sum) > 1e-6 {
		t.Errorf("%d days summing to %.4f; month %.4f; services %.4f", len(days), sum, month["2026-11-01/"], svcSum)
	}
	if again := ask(Query{Granularity: Daily, Start: nov, End: dec}); again["2026-11-17/"] != days["2026-11-17/"] {
		t.Errorf("not deterministic: %v then %v", days["2026-11-17/"], again["2026-11-17/"])
	}
	if credits := ask(Query{Granularity: Daily, Start: nov, End: dec, RecordTypes: []string{"Credit"}}); len(credits) != 0 {
		t.Errorf("credits = %v, want none", credits)
	}

	monthEnd := day("2026-11-30")
	accounts := []*config.Account{account("111111111111", Daily), account("222222222222", Monthly)}
	plan := NewPlan(accounts, monthEnd, monthEnd.AddDate(0, 0, 1))
	data, err := Fetch(ctx, s, plan, FetchOptions{RatePerSecond: -1})
	if err != nil {
		t.Fatal(err)
	}
	reports, err := Reports(testOrg(), plan, data)
	if err != nil || len(reports) != 2 {
		t.Fatalf("%d reports, %v; want 2", len(reports), err)
	}
	for _, r := range reports {
		if r.Total <= 0 || len(r.TopServices) == 0 || len(r.Messages()) == 0 {
			t.Errorf("%s (%s): total %.2f, %d top services, %d messages", r.Account.ID, r.Granularity, r.Total, len(r.TopServices), len(r.Messages()))
		}
	}
}
