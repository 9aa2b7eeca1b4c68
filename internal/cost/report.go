package cost

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/orgnotify/orgnotify/internal/config"
)

// Report is one account's digest: the figures behind its message, in the
// account's currency, not yet rounded.
type Report struct {
	Account     *config.Account
	Date        time.Time
	Granularity string
	Currency    string
	// Source is the currency Cost Explorer reported in; Rate converts it
	// (units of Currency per unit of Source). Converted is false when the
	// two are the same.
	Source    string
	Rate      float64
	Converted bool

	Total    float64 // the day (MONTHLY: the month)
	Previous float64 // the day before (MONTHLY: the month before)
	// Average7d is the average of the 7 days before the day (DAILY only).
	Average7d            float64
	MonthToDate          float64
	MonthToDateLastMonth float64
	Credits              float64 // credits and refunds in Total, negative
	Days                 []float64
	TopServices          []ServiceCost
	Alerts               []string
	Estimated            bool // Cost Explorer marks the figures estimated
	Forecast             *float64
	ForecastError        error
	Channels             []string
}

// ServiceCost is one service's cost and its cost the period before.
type ServiceCost struct {
	Service  string
	Amount   float64
	Previous float64
}

// rate returns units of currency per USD.
func rate(org *config.Org, currency string) (float64, bool) {
	if currency == "USD" {
		return 1, true
	}
	r, ok := org.Cost.CurrencyRates[currency]
	return r, ok && r > 0
}

// Reports builds every planned account's report from the data.
func Reports(org *config.Org, p Plan, d *Data) ([]Report, error) {
	source := d.unit
	if source == "" {
		source = "USD"
	}
	srcRate, ok := rate(org, source)
	if !ok {
		return nil, fmt.Errorf("cost explorer reports %s, and org.yaml cost.currencyRates has no rate for it", source)
	}
	var out []Report
	for _, a := range p.Accounts {
		dstRate, ok := rate(org, a.Cost.Currency)
		if !ok {
			return nil, fmt.Errorf("%s: cost.currency %s has no rate in org.yaml cost.currencyRates", a.File, a.Cost.Currency)
		}
		r := Report{
			Account: a, Date: p.Date, Granularity: a.Cost.Granularity, Currency: a.Cost.Currency,
			Source: source, Rate: dstRate / srcRate, Converted: source != a.Cost.Currency,
			Channels: a.Slack.Channels,
		}
		if r.Granularity == Monthly {
			r.fillMonthly(p.Date, d)
		} else {
			r.fillDaily(p.Date, d)
		}
		if v, ok := d.forecast[a.ID]; ok {
			f := r.MonthToDate + v*r.Rate
			r.Forecast = &f
		}
		r.ForecastError = d.forecastE[a.ID]
		r.Alerts = r.alerts()
		out = append(out, r)
	}
	return out, nil
}

func (r *Report) fillDaily(day time.Time, d *Data) {
	id := r.Account.ID
	conv := func(v float64) float64 { return v * r.Rate }
	for i := daysShown - 1; i >= 0; i-- {
		t := day.AddDate(0, 0, -i)
		r.Days = append(r.Days, conv(d.amount(PurposeDays, id, t)))
	}
	r.Total = r.Days[daysShown-1]
	r.Previous = r.Days[daysShown-2]
	var sum float64
	for _, v := range r.Days[daysShown-8 : daysShown-1] {
		sum += v
	}
	r.Average7d = sum / 7
	if first := monthStart(day); first.Before(day.AddDate(0, 0, 1-daysShown)) {
		r.MonthToDate = conv(d.amount(PurposeMonthToDate, id, first))
	} else {
		for i := 0; i < day.Day(); i++ {
			r.MonthToDate += r.Days[daysShown-1-i]
		}
	}
	r.MonthToDateLastMonth = conv(d.amount(PurposeLastMonthToDate, id, monthStart(day).AddDate(0, -1, 0)))
	r.Credits = conv(d.amount(PurposeCredits, id, day))
	r.Estimated = d.estimated[day]
	if r.Account.Cost.TopServices > 0 {
		r.TopServices = top(d.services(PurposeServices, id, day), d.services(PurposeServices, id, day.AddDate(0, 0, -1)), r.Rate, r.Account.Cost.TopServices)
	}
}

func (r *Report) fillMonthly(day time.Time, d *Data) {
	id := r.Account.ID
	this, last := monthStart(day), monthStart(day).AddDate(0, -1, 0)
	r.Total = d.amount(PurposeMonths, id, this) * r.Rate
	r.Previous = d.amount(PurposeMonths, id, last) * r.Rate
	r.MonthToDate = r.Total
	r.MonthToDateLastMonth = r.Previous
	r.Credits = d.amount(PurposeCredits, id, this) * r.Rate
	r.Estimated = d.estimated[this]
	if n := r.Account.Cost.TopServices; n > 0 {
		r.TopServices = top(d.services(PurposeMonths, id, this), d.services(PurposeMonths, id, last), r.Rate, n)
	}
}

// top returns the n services with the highest amount, with their previous
// amount.
func top(now, before map[string]float64, rate float64, n int) []ServiceCost {
	var out []ServiceCost
	for s, v := range now {
		out = append(out, ServiceCost{Service: s, Amount: v * rate, Previous: before[s] * rate})
	}
	slices.SortFunc(out, func(a, b ServiceCost) int {
		if c := cmp.Compare(b.Amount, a.Amount); c != 0 {
			return c
		}
		return cmp.Compare(a.Service, b.Service)
	})
	return out[:min(n, len(out))]
}

// alerts compares the displayed (rounded) figures with the account's
// thresholds, so an alert never contradicts the number beside it.
func (r *Report) alerts() []string {
	th := r.Account.Cost.Thresholds
	if th == nil {
		return nil
	}
	c := r.Currency
	var out []string
	est := ""
	if r.Estimated {
		est = " (estimated: Cost Explorer may still revise it)"
	}
	total, prev, mtd := Round(r.Total, c), Round(r.Previous, c), Round(r.MonthToDate, c)
	if r.Granularity == Monthly {
		if th.MonthToDate > 0 && total > th.MonthToDate {
			out = append(out, fmt.Sprintf("Monthly cost %s is above the threshold %s%s", Money(total, c), Money(th.MonthToDate, c), est))
		}
		return out
	}
	if th.Daily > 0 && total > th.Daily {
		out = append(out, fmt.Sprintf("Daily cost %s is above the threshold %s%s", Money(total, c), Money(th.Daily, c), est))
	}
	if th.MonthToDate > 0 && mtd > th.MonthToDate {
		out = append(out, fmt.Sprintf("Month to date %s is above the threshold %s%s", Money(mtd, c), Money(th.MonthToDate, c), est))
	}
	if th.DayOverDayPercent > 0 {
		if pct, ok := change(total, prev); ok && pct > th.DayOverDayPercent {
			out = append(out, fmt.Sprintf("Day over day %s (%s → %s) is above the threshold %g%%%s",
				Percent(pct), Money(prev, c), Money(total, c), th.DayOverDayPercent, est))
		}
	}
	if r.Forecast != nil && th.MonthToDate > 0 && mtd <= th.MonthToDate && Round(*r.Forecast, c) > th.MonthToDate {
		out = append(out, fmt.Sprintf("Forecast for the month %s will exceed the month-to-date threshold %s", Money(*r.Forecast, c), Money(th.MonthToDate, c)))
	}
	return out
}

// Summary is the organization-wide digest for slack.defaultChannel.
type Summary struct {
	Date     time.Time
	Currency string // Cost Explorer's currency
	Accounts int
	Total    float64
	Previous float64
	Alerts   int
	Movers   []Mover
	Channel  string
}

// Mover is one account's change, in the source currency.
type Mover struct {
	Account, Name   string
	Total, Previous float64
}

// MaxMovers is how many accounts the summary lists.
const MaxMovers = 5

// Summarize builds the summary of the DAILY reports (in Cost Explorer's
// currency, so accounts in different currencies add up).
func Summarize(org *config.Org, day time.Time, reports []Report) Summary {
	s := Summary{Date: day, Currency: "USD", Channel: org.Slack.DefaultChannel}
	for _, r := range reports {
		if r.Granularity == Monthly {
			continue
		}
		s.Currency = r.Source
		s.Accounts++
		s.Alerts += len(r.Alerts)
		m := Mover{Account: r.Account.ID, Name: r.Account.Name, Total: r.Total / r.Rate, Previous: r.Previous / r.Rate}
		s.Total += m.Total
		s.Previous += m.Previous
		s.Movers = append(s.Movers, m)
	}
	abs := func(v float64) float64 { return max(v, -v) }
	slices.SortFunc(s.Movers, func(a, b Mover) int {
		if c := cmp.Compare(abs(b.Total-b.Previous), abs(a.Total-a.Previous)); c != 0 {
			return c
		}
		return cmp.Compare(a.Name, b.Name)
	})
	s.Movers = slices.DeleteFunc(s.Movers, func(m Mover) bool { return Round(m.Total-m.Previous, s.Currency) == 0 })
	s.Movers = s.Movers[:min(MaxMovers, len(s.Movers))]
	return s
}
