package cost

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/orgnotify/orgnotify/internal/config"
)

// pagedCE is a stub of the CostExplorer subset: every query answers two
// pages of one row per account; queries of failPurpose fail; forecasts
// fail for failForecast.
type pagedCE struct {
	mu           sync.Mutex
	pages        map[Purpose]int
	failPurpose  Purpose
	failForecast string
}

func (c *pagedCE) CostAndUsage(_ context.Context, q Query, token string) (Page, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pages[q.Purpose]++
	if q.Purpose == c.failPurpose {
		return Page{}, errors.New("boom")
	}
	p := Page{Periods: []Period{{Start: q.Start}}}
	for _, a := range q.Accounts {
		p.Rows = append(p.Rows, Row{Start: q.Start, Account: a, Amount: 1, Unit: "USD"})
	}
	if token == "" {
		p.NextToken = "2"
	}
	return p, nil
}

func (c *pagedCE) Forecast(_ context.Context, f ForecastQuery) (float64, error) {
	if f.Account == c.failForecast {
		return 0, errors.New("no forecast")
	}
	return 42, nil
}

func TestFetchPagesAndFailures(t *testing.T) {
	a1, a2 := account("100000000001", Daily), account("100000000002", Daily)
	a1.Cost.Thresholds = &config.Thresholds{MonthToDate: 10}
	a2.Cost.Thresholds = &config.Thresholds{MonthToDate: 10}
	p := NewPlan([]*config.Account{a1, a2}, day("2026-11-20"), day("2026-11-21"))

	ce := &pagedCE{pages: map[Purpose]int{}, failForecast: a2.ID}
	d, err := Fetch(context.Background(), ce, p, FetchOptions{RatePerSecond: -1})
	if err != nil {
		t.Fatal(err)
	}
	// 5 queries of 2 pages, 2 forecasts.
	if d.Requests != 12 || ce.pages[PurposeDays] != 2 {
		t.Errorf("requests = %d, pages %v", d.Requests, ce.pages)
	}
	if got := d.amount(PurposeDays, a1.ID, day("2026-11-07")); got != 2 {
		t.Errorf("both pages summed: %v, want 2", got)
	}
	if d.forecast[a1.ID] != 42 || d.forecastE[a2.ID] == nil {
		t.Errorf("forecasts %v, errors %v", d.forecast, d.forecastE)
	}

	ce = &pagedCE{pages: map[Purpose]int{}, failPurpose: PurposeServices}
	_, err = Fetch(context.Background(), ce, p, FetchOptions{RatePerSecond: -1})
	if err == nil || !strings.Contains(err.Error(), "cost explorer services query 2026-11-19..2026-11-21: boom") {
		t.Errorf("err = %v", err)
	}
}
