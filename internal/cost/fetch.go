package cost

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/orgnotify/orgnotify/internal/pace"
)

// FetchOptions tune how a plan is run.
type FetchOptions struct {
	// Concurrency is how many queries run at once; default 4.
	Concurrency int
	// RatePerSecond caps requests per second across all queries; Cost
	// Explorer allows about 10. Default 10; < 0 means no cap.
	RatePerSecond float64
	Logger        *slog.Logger
}

// Data is the answers of a plan, indexed for the reports.
type Data struct {
	// Requests is how many Cost Explorer requests were made (each page is
	// one, and is billed $0.01).
	Requests int
	// amounts[purpose][account][period start][service] (service "" when
	// not grouped by service).
	amounts   map[Purpose]map[string]map[time.Time]map[string]float64
	unit      string
	estimated map[time.Time]bool
	forecast  map[string]float64
	forecastE map[string]error
}

func newData() *Data {
	return &Data{
		amounts:   map[Purpose]map[string]map[time.Time]map[string]float64{},
		estimated: map[time.Time]bool{},
		forecast:  map[string]float64{},
		forecastE: map[string]error{},
	}
}

func (d *Data) add(p Purpose, r Row) {
	byAcct := d.amounts[p]
	if byAcct == nil {
		byAcct = map[string]map[time.Time]map[string]float64{}
		d.amounts[p] = byAcct
	}
	byDay := byAcct[r.Account]
	if byDay == nil {
		byDay = map[time.Time]map[string]float64{}
		byAcct[r.Account] = byDay
	}
	bySvc := byDay[r.Start]
	if bySvc == nil {
		bySvc = map[string]float64{}
		byDay[r.Start] = bySvc
	}
	bySvc[r.Service] += r.Amount
	if r.Unit != "" {
		d.unit = r.Unit
	}
}

// amount is the sum over services of one account's period.
func (d *Data) amount(p Purpose, account string, start time.Time) float64 {
	var sum float64
	for _, v := range d.amounts[p][account][start] {
		sum += v
	}
	return sum
}

func (d *Data) services(p Purpose, account string, start time.Time) map[string]float64 {
	return d.amounts[p][account][start]
}

// Fetch runs the plan's queries, every page, concurrently within the rate
// cap, and its forecasts. Throttling is retried by the CostExplorer (the
// SDK's retryer); an error of a query fails the fetch, since a digest with
// silently missing figures would mislead. A failed forecast is kept beside
// the data and never fails the fetch.
func Fetch(ctx context.Context, ce CostExplorer, p Plan, o FetchOptions) (*Data, error) {
	if o.Concurrency <= 0 {
		o.Concurrency = 4
	}
	if o.RatePerSecond == 0 {
		o.RatePerSecond = 10
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var lim *pace.Pacer // nil: no pacing
	if o.RatePerSecond > 0 {
		lim = pace.New(time.Duration(float64(time.Second) / o.RatePerSecond))
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	data := newData()
	var mu sync.Mutex
	var requests atomic.Int64
	var firstErr error
	fail := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		if firstErr == nil {
			firstErr = err
			cancel()
		}
	}
	jobs := make(chan Query)
	var wg sync.WaitGroup
	for range o.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for q := range jobs {
				token := ""
				for {
					if err := lim.Wait(ctx, "ce"); err != nil {
						fail(err)
						break
					}
					page, err := ce.CostAndUsage(ctx, q, token)
					requests.Add(1)
					if err != nil {
						fail(fmt.Errorf("cost explorer %s query %s..%s: %w", q.Purpose, q.Start.Format(time.DateOnly), q.End.Format(time.DateOnly), err))
						break
					}
					mu.Lock()
					for _, r := range page.Rows {
						data.add(q.Purpose, r)
					}
					for _, per := range page.Periods {
						if per.Estimated {
							data.estimated[per.Start] = true
						}
					}
					mu.Unlock()
					if page.NextToken == "" {
						break
					}
					token = page.NextToken
				}
			}
		}()
	}
	for _, q := range p.Queries {
		select {
		case jobs <- q:
		case <-ctx.Done():
		}
	}
	close(jobs)
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	for _, f := range p.Forecasts {
		if err := lim.Wait(ctx, "ce"); err != nil {
			return nil, err
		}
		v, err := ce.Forecast(ctx, f)
		requests.Add(1)
		if err != nil {
			// A forecast is extra: the digest goes on without it.
			log.WarnContext(ctx, "forecast unavailable", "account", f.Account, "error", err)
			data.forecastE[f.Account] = err
			continue
		}
		data.forecast[f.Account] = v
	}
	data.Requests = int(requests.Load())
	return data, nil
}
