package costexplorer

import (
	"context"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/orgnotify/orgnotify/internal/awssim/wire"
)

// ForecastLookbackDays is the history a forecast averages: the complete days
// before today. Days without costs count as zero.
const ForecastLookbackDays = 14

// DefaultPredictionIntervalLevel is the interval Cost Explorer uses when a
// request does not give one.
const DefaultPredictionIntervalLevel = 80

type getCostForecastInput struct {
	TimePeriod              *dateInterval `json:"TimePeriod"`
	Metric                  string        `json:"Metric"`
	Granularity             string        `json:"Granularity"`
	Filter                  *expression   `json:"Filter,omitempty"`
	PredictionIntervalLevel *int32        `json:"PredictionIntervalLevel,omitempty"`
	BillingViewArn          *string       `json:"BillingViewArn,omitempty"`
}

type forecastResult struct {
	TimePeriod                   dateInterval `json:"TimePeriod"`
	MeanValue                    string       `json:"MeanValue"`
	PredictionIntervalLowerBound string       `json:"PredictionIntervalLowerBound"`
	PredictionIntervalUpperBound string       `json:"PredictionIntervalUpperBound"`
}

type getCostForecastOutput struct {
	Total                 metricValue      `json:"Total"`
	ForecastResultsByTime []forecastResult `json:"ForecastResultsByTime"`
}

// forecastMetrics maps GetCostForecast's metric names to GetCostAndUsage's.
var forecastMetrics = map[string]string{
	"AMORTIZED_COST":          "AmortizedCost",
	"BLENDED_COST":            "BlendedCost",
	"NET_AMORTIZED_COST":      "NetAmortizedCost",
	"NET_UNBLENDED_COST":      "NetUnblendedCost",
	"NORMALIZED_USAGE_AMOUNT": "NormalizedUsageAmount",
	"UNBLENDED_COST":          "UnblendedCost",
	"USAGE_QUANTITY":          "UsageQuantity",
}

// getCostForecast answers with a deterministic forecast: the daily average
// of the last ForecastLookbackDays complete days, times the days of each
// period. The prediction interval is the mean ± mean×(level−50)/250, so 80%
// gives ±12%; it only has to be plausible and repeatable, not statistical.
func (s *Store) getCostForecast(_ context.Context, r *wire.Request, in getCostForecastInput) (any, error) {
	ps, err := periods(in.TimePeriod, in.Granularity, r.Now, 0)
	if err != nil {
		return nil, err
	}
	name, ok := forecastMetrics[in.Metric]
	if !ok {
		keys := slices.Sorted(maps.Keys(forecastMetrics))
		return nil, wire.Validation("Metric %q must be one of %s", in.Metric, strings.Join(keys, ", "))
	}
	m, _ := metricIndex(name)
	level := int64(DefaultPredictionIntervalLevel)
	if in.PredictionIntervalLevel != nil {
		level = int64(*in.PredictionIntervalLevel)
		if level < 51 || level > 99 {
			return nil, wire.Validation("PredictionIntervalLevel must be between 51 and 99, got %d", level)
		}
	}
	q := &query{metricIx: []int{m}}
	if in.Filter != nil {
		if q.filter, err = s.compileFilter(in.Filter, "Filter"); err != nil {
			return nil, err
		}
	}
	q.vis = s.visibleAccount(r.Account, s.settings())

	today := r.Now.UTC().Truncate(24 * time.Hour)
	q.to = int32(today.Unix() / 3600)
	q.from = q.to - ForecastLookbackDays*dayHours
	var sums [numMetrics]fixed
	unit, n := int32(-1), 0
	s.scan(q, func(row *row) {
		s.accumulate(q, &sums, &unit, row)
		n++
	})
	if n == 0 {
		return nil, wire.Errorf("DataUnavailableException", http.StatusBadRequest,
			"Insufficient amount of historical data to generate forecast.")
	}
	daily := sums[m] / ForecastLookbackDays

	out := &getCostForecastOutput{ForecastResultsByTime: make([]forecastResult, 0, len(ps))}
	var total fixed
	for _, p := range ps {
		mean := daily * fixed((p.end-p.start)/dayHours)
		half := mean / 250 * fixed(level-50) // divide first: mean×49 could overflow
		if half < 0 {
			half = -half
		}
		out.ForecastResultsByTime = append(out.ForecastResultsByTime, forecastResult{
			TimePeriod:                   p.label,
			MeanValue:                    mean.String(),
			PredictionIntervalLowerBound: (mean - half).String(),
			PredictionIntervalUpperBound: (mean + half).String(),
		})
		total += mean
	}
	out.Total = metricValue{Amount: total.String(), Unit: s.unitOf(m, unit)}
	return out, nil
}
