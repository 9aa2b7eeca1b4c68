// Package cost plans the Cost Explorer queries of the cost digest and turns
// their answers into one report per account. It is pure: the queries go
// through the CostExplorer interface, which internal/aws implements.
//
// The plan is organization-wide: accounts that share a filter (the metric
// and the cost-tag filter of their account file) are served by the same
// few GetCostAndUsage queries grouped by LINKED_ACCOUNT (and SERVICE where
// top services are shown), so the number of requests grows with the number
// of rows Cost Explorer returns, not with a constant per account.
package cost

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/orgnotify/orgnotify/internal/config"
)

// CostExplorer is the part of the Cost Explorer API the digest uses.
type CostExplorer interface {
	// CostAndUsage returns one page of q's answer; token is "" for the
	// first page and Page.NextToken for the next ("" when done).
	CostAndUsage(ctx context.Context, q Query, token string) (Page, error)
	// Forecast returns the forecast total of f's period.
	Forecast(ctx context.Context, f ForecastQuery) (float64, error)
}

// ErrNotEnabled is returned (wrapped) by a CostExplorer when Cost Explorer
// has not been enabled in the management account (AWS-WIRING W14).
//
//lint:ignore ST1005 the sentence names the service, and it is what the user reads
var ErrNotEnabled = errors.New("Cost Explorer is not enabled in the management account (or enabled less than 24 hours ago): enable it in the Billing console, Cost Explorer")

// Granularities.
const (
	Daily   = "DAILY"
	Monthly = "MONTHLY"
)

// Filter is what accounts must share to be served by the same queries.
type Filter struct {
	Metric string
	Tags   []config.TagFilter
}

// key is a canonical text of the filter.
func (f Filter) key() string {
	var b strings.Builder
	b.WriteString(f.Metric)
	tags := slices.Clone(f.Tags)
	slices.SortFunc(tags, func(a, b config.TagFilter) int { return cmp.Compare(a.Key, b.Key) })
	for _, t := range tags {
		vs := slices.Clone(t.Values)
		slices.Sort(vs)
		fmt.Fprintf(&b, "|%q=%q", t.Key, vs)
	}
	return b.String()
}

// Purpose says which figures a query feeds.
type Purpose string

// Query purposes.
const (
	// PurposeDays: daily totals per account over the 14 days ending on the
	// report day (the day, the day before, the 7-day average, the
	// sparkline, and month to date when the month began within them).
	PurposeDays Purpose = "days"
	// PurposeMonthToDate: month to date per account, when it began before
	// the 14 days.
	PurposeMonthToDate Purpose = "month-to-date"
	// PurposeLastMonthToDate: last month up to the same day.
	PurposeLastMonthToDate Purpose = "last-month-to-date"
	// PurposeServices: the report day and the day before per account and
	// service, for the top services and their change.
	PurposeServices Purpose = "services"
	// PurposeCredits: credits and refunds of the report day per account.
	PurposeCredits Purpose = "credits"
	// PurposeMonths: last month and the one before per account and
	// service, for MONTHLY digests on the 1st.
	PurposeMonths Purpose = "months"
)

// Query is one GetCostAndUsage query (of one or more pages).
type Query struct {
	Purpose     Purpose
	Filter      Filter
	Accounts    []string // LINKED_ACCOUNT values the query is filtered to
	Granularity string
	Start, End  time.Time // End exclusive, both at 00:00 UTC
	ByService   bool      // group by SERVICE as well as LINKED_ACCOUNT
	// RecordTypes filters RECORD_TYPE ("Credit", "Refund"); nil for all.
	RecordTypes []string
}

// Page is one page of a query's answer.
type Page struct {
	Rows      []Row
	Periods   []Period // every period of the page, with or without rows
	NextToken string
}

// Row is one group of one period.
type Row struct {
	Start   time.Time
	Account string
	Service string // "" unless the query groups by SERVICE
	Amount  float64
	Unit    string // currency Cost Explorer reports in, "USD"
}

// Period is a time period of an answer.
type Period struct {
	Start     time.Time
	Estimated bool // Cost Explorer may still revise it
}

// ForecastQuery asks for one account's forecast.
type ForecastQuery struct {
	Account    string
	Filter     Filter
	Start, End time.Time
}

// MaxAccountsPerQuery bounds the LINKED_ACCOUNT values of one filter, so a
// request stays far below Cost Explorer's request size limits; larger
// groups are split.
const MaxAccountsPerQuery = 1000

// Plan is the queries of one digest run.
type Plan struct {
	Date      time.Time // the report day
	Accounts  []*config.Account
	Queries   []Query
	Forecasts []ForecastQuery
}

// Day returns t's UTC day.
func Day(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

func monthStart(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// sameDayLastMonth is the day of last month matching day's day of month,
// clamped to last month's length (31 March → 28 or 29 February).
func sameDayLastMonth(day time.Time) time.Time {
	first := monthStart(day).AddDate(0, -1, 0)
	last := monthStart(day).AddDate(0, 0, -1)
	d := first.AddDate(0, 0, day.Day()-1)
	if d.After(last) {
		return last
	}
	return d
}

// isMonthEnd reports whether day is the last day of its month: the day the
// MONTHLY digests report on (posted on the 1st).
func isMonthEnd(day time.Time) bool { return day.AddDate(0, 0, 1).Day() == 1 }

// daysShown is the sparkline's length.
const daysShown = 14

// Digested returns the accounts with an enabled cost digest due for the
// report day: DAILY every day, MONTHLY when the day ends a month.
func Digested(accounts []*config.Account, day time.Time) []*config.Account {
	var out []*config.Account
	for _, a := range accounts {
		if !a.Cost.IsEnabled() {
			continue
		}
		if a.Cost.Granularity == Monthly && !isMonthEnd(day) {
			continue
		}
		out = append(out, a)
	}
	return out
}

// NewPlan plans the queries for the report day. now decides whether a
// forecast can be asked (Cost Explorer forecasts start today): only for a
// report on yesterday, and only for accounts whose digest shows one (those
// with a monthToDate threshold, which the forecast is compared with).
func NewPlan(accounts []*config.Account, day, now time.Time) Plan {
	day = Day(day)
	p := Plan{Date: day, Accounts: Digested(accounts, day)}
	type group struct {
		filter          Filter
		daily, services []string
		monthly         []string
	}
	groups := map[string]*group{}
	var order []string
	for _, a := range p.Accounts {
		f := Filter{Metric: a.Cost.Metric, Tags: a.Cost.Tags}
		k := f.key()
		g, ok := groups[k]
		if !ok {
			g = &group{filter: f}
			groups[k] = g
			order = append(order, k)
		}
		if a.Cost.Granularity == Monthly {
			g.monthly = append(g.monthly, a.ID)
			continue
		}
		g.daily = append(g.daily, a.ID)
		if a.Cost.TopServices > 0 {
			g.services = append(g.services, a.ID)
		}
	}
	end := day.AddDate(0, 0, 1)
	first := day.AddDate(0, 0, 1-daysShown)
	for _, k := range order {
		g := groups[k]
		add := func(accounts []string, q Query) {
			for chunk := range slices.Chunk(accounts, MaxAccountsPerQuery) {
				q.Filter, q.Accounts = g.filter, chunk
				p.Queries = append(p.Queries, q)
			}
		}
		add(g.daily, Query{Purpose: PurposeDays, Granularity: Daily, Start: first, End: end})
		if monthStart(day).Before(first) {
			add(g.daily, Query{Purpose: PurposeMonthToDate, Granularity: Monthly, Start: monthStart(day), End: end})
		}
		add(g.daily, Query{Purpose: PurposeLastMonthToDate, Granularity: Monthly,
			Start: monthStart(day).AddDate(0, -1, 0), End: sameDayLastMonth(day).AddDate(0, 0, 1)})
		add(g.services, Query{Purpose: PurposeServices, Granularity: Daily, Start: day.AddDate(0, 0, -1), End: end, ByService: true})
		add(g.daily, Query{Purpose: PurposeCredits, Granularity: Daily, Start: day, End: end, RecordTypes: []string{"Credit", "Refund"}})
		add(g.monthly, Query{Purpose: PurposeMonths, Granularity: Monthly, Start: monthStart(day).AddDate(0, -1, 0), End: end, ByService: true})
		add(g.monthly, Query{Purpose: PurposeCredits, Granularity: Monthly, Start: monthStart(day), End: end, RecordTypes: []string{"Credit", "Refund"}})
	}
	p.Queries = slices.DeleteFunc(p.Queries, func(q Query) bool { return len(q.Accounts) == 0 })
	if Day(now).Equal(end) && !isMonthEnd(day) {
		for _, a := range p.Accounts {
			if a.Cost.Granularity == Monthly || a.Cost.Thresholds == nil || a.Cost.Thresholds.MonthToDate <= 0 {
				continue
			}
			p.Forecasts = append(p.Forecasts, ForecastQuery{
				Account: a.ID, Filter: Filter{Metric: a.Cost.Metric, Tags: a.Cost.Tags},
				Start: end, End: monthStart(day).AddDate(0, 1, 0),
			})
		}
	}
	return p
}
