package cost

import (
	"context"
	"hash/fnv"
	"time"
)

// Sample is a CostExplorer of made-up figures, for previews where no Cost
// Explorer can be asked (a pull request): the same plan, reports and
// messages as a real digest, so a team sees how its settings (currency,
// top services, thresholds, tags) shape the message. Figures are
// deterministic: the same account and day always cost the same.
type Sample struct{}

// sampleServices are the services of the made-up bill and their daily
// cost in USD before the account's scale and the day's variation.
var sampleServices = []struct {
	name  string
	daily float64
}{
	{"Amazon Elastic Compute Cloud - Compute", 41.20},
	{"Amazon Relational Database Service", 18.35},
	{"Amazon Simple Storage Service", 6.10},
	{"AWS Lambda", 3.42},
	{"Amazon CloudWatch", 2.18},
	{"Amazon Virtual Private Cloud", 1.37},
}

// weekday varies the bill over a week, lower at the weekend.
var weekday = [7]float64{0.78, 1.00, 1.04, 0.97, 1.08, 1.02, 0.81} // Sunday first

// daily is what account spent on service i on day.
func (Sample) daily(account string, i int, day time.Time) float64 {
	h := fnv.New32a()
	h.Write([]byte(account))
	scale := 0.5 + float64(h.Sum32()%1000)/400 // 0.5 .. 3
	return sampleServices[i].daily * scale * weekday[day.Weekday()] * (1 + 0.02*float64(i*day.YearDay()%5))
}

// CostAndUsage answers q in one page: every period of q, a row per account
// (and service when grouped), no credits or refunds.
func (s Sample) CostAndUsage(_ context.Context, q Query, _ string) (Page, error) {
	var p Page
	next := func(t time.Time) time.Time { return t.AddDate(0, 0, 1) }
	if q.Granularity == Monthly {
		next = func(t time.Time) time.Time { return monthStart(t).AddDate(0, 1, 0) }
	}
	for start := q.Start; start.Before(q.End); start = next(start) {
		p.Periods = append(p.Periods, Period{Start: start})
		if len(q.RecordTypes) > 0 {
			continue // credits and refunds: none
		}
		end := next(start)
		if end.After(q.End) {
			end = q.End
		}
		for _, a := range q.Accounts {
			total := 0.0
			for i, svc := range sampleServices {
				var amount float64
				for d := start; d.Before(end); d = d.AddDate(0, 0, 1) {
					amount += s.daily(a, i, d)
				}
				if q.ByService {
					p.Rows = append(p.Rows, Row{Start: start, Account: a, Service: svc.name, Amount: amount, Unit: "USD"})
				}
				total += amount
			}
			if !q.ByService {
				p.Rows = append(p.Rows, Row{Start: start, Account: a, Amount: total, Unit: "USD"})
			}
		}
	}
	return p, nil
}

// Forecast extrapolates the sample's last week over the forecast period.
func (s Sample) Forecast(_ context.Context, f ForecastQuery) (float64, error) {
	var week float64
	for d := f.Start.AddDate(0, 0, -7); d.Before(f.Start); d = d.AddDate(0, 0, 1) {
		for i := range sampleServices {
			week += s.daily(f.Account, i, d)
		}
	}
	return week / 7 * f.End.Sub(f.Start).Hours() / 24, nil
}
