package costexplorer_test

import (
	"context"
	"errors"
	"math/big"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ce "github.com/aws/aws-sdk-go-v2/service/costexplorer"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer/types"

	"github.com/orgnotify/orgnotify/internal/awssim/awssimtest"
	"github.com/orgnotify/orgnotify/internal/awssim/costexplorer"
)

// truncate10 cuts a value to ten decimals toward zero, as the simulator's
// fixed-point division does.
func truncate10(r *big.Rat) *big.Rat {
	scale := big.NewInt(10_000_000_000)
	n := new(big.Int).Mul(r.Num(), scale)
	n.Quo(n, r.Denom())
	return new(big.Rat).SetFrac(n, scale)
}

// TestForecast checks the documented forecast: the daily mean of the last
// ForecastLookbackDays days, per period, with the interval around it.
func TestForecast(t *testing.T) {
	recs := dataset(t)
	store := newStore(t, recs)
	store.SetPayer(payer)
	h := start(t, store)
	today := testNow.Truncate(24 * time.Hour)
	histFrom := today.AddDate(0, 0, -costexplorer.ForecastLookbackDays).Format(time.DateOnly)
	histTo := today.Format(time.DateOnly)

	tests := []struct {
		name        string
		key         string
		granularity types.Granularity
		start, end  string
		level       *int32
		filter      *types.Expression
		keep        func(*costexplorer.Record) bool
		days        []int64 // days in each expected period
	}{
		{name: "daily from today", key: "AKIDPAYER", granularity: types.GranularityDaily, start: "2026-11-15", end: "2026-11-18", days: []int64{1, 1, 1}},
		{name: "monthly rest of month and next, one team", key: "AKIDPAYER", granularity: types.GranularityMonthly,
			start: "2026-11-15", end: "2027-01-01", filter: ptr(tag("team", "team-03")),
			keep: func(r *costexplorer.Record) bool { return r.Tags["team"] == "team-03" }, days: []int64{16, 31}},
		{name: "wider interval", key: "AKIDPAYER", granularity: types.GranularityMonthly, start: "2026-11-20", end: "2026-12-01",
			level: aws.Int32(95), days: []int64{11}},
		{name: "member sees its own forecast", key: "AKIDMEMBER3", granularity: types.GranularityMonthly, start: "2026-11-15", end: "2026-12-01",
			keep: func(r *costexplorer.Record) bool { return r.Account == "100000000003" }, days: []int64{16}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := h.client(t, tc.key).GetCostForecast(context.Background(), &ce.GetCostForecastInput{
				TimePeriod: period(tc.start, tc.end), Granularity: tc.granularity, Metric: types.MetricUnblendedCost,
				Filter: tc.filter, PredictionIntervalLevel: tc.level,
			})
			if err != nil {
				t.Fatal(err)
			}
			hist := sum(t, recs, histFrom, histTo, tc.keep)
			if hist.Sign() == 0 {
				t.Fatal("no history for this case; it proves nothing")
			}
			daily := truncate10(new(big.Rat).Quo(hist, big.NewRat(costexplorer.ForecastLookbackDays, 1)))
			level := int64(costexplorer.DefaultPredictionIntervalLevel)
			if tc.level != nil {
				level = int64(*tc.level)
			}
			if len(out.ForecastResultsByTime) != len(tc.days) {
				t.Fatalf("%d periods, want %d", len(out.ForecastResultsByTime), len(tc.days))
			}
			total := new(big.Rat)
			for i, fr := range out.ForecastResultsByTime {
				mean := new(big.Rat).Mul(daily, big.NewRat(tc.days[i], 1))
				half := new(big.Rat).Mul(truncate10(new(big.Rat).Quo(mean, big.NewRat(250, 1))), big.NewRat(level-50, 1))
				p := aws.ToString(fr.TimePeriod.Start)
				checkAmount(t, p+" mean", aws.ToString(fr.MeanValue), mean)
				checkAmount(t, p+" lower", aws.ToString(fr.PredictionIntervalLowerBound), new(big.Rat).Sub(mean, half))
				checkAmount(t, p+" upper", aws.ToString(fr.PredictionIntervalUpperBound), new(big.Rat).Add(mean, half))
				total.Add(total, mean)
			}
			if s := aws.ToString(out.ForecastResultsByTime[0].TimePeriod.Start); s != tc.start {
				t.Errorf("first period starts %s, want %s", s, tc.start)
			}
			checkAmount(t, "total", aws.ToString(out.Total.Amount), total)
			if aws.ToString(out.Total.Unit) != "USD" {
				t.Errorf("unit %s, want USD", aws.ToString(out.Total.Unit))
			}
		})
	}
}

func TestForecastErrors(t *testing.T) {
	store := newStore(t, dataset(t))
	c := start(t, store).client(t, "AKIDPAYER")
	tests := []struct {
		name string
		in   ce.GetCostForecastInput
		code string
	}{
		{"start in the past", ce.GetCostForecastInput{TimePeriod: period("2026-11-14", "2026-11-20"), Granularity: types.GranularityDaily, Metric: types.MetricUnblendedCost}, "ValidationException"},
		{"end before start", ce.GetCostForecastInput{TimePeriod: period("2026-11-20", "2026-11-16"), Granularity: types.GranularityDaily, Metric: types.MetricUnblendedCost}, "ValidationException"},
		{"too far ahead", ce.GetCostForecastInput{TimePeriod: period("2026-11-20", "2028-06-01"), Granularity: types.GranularityMonthly, Metric: types.MetricUnblendedCost}, "ValidationException"},
		{"hourly", ce.GetCostForecastInput{TimePeriod: period("2026-11-16T00:00:00Z", "2026-11-17T00:00:00Z"), Granularity: types.GranularityHourly, Metric: types.MetricUnblendedCost}, "ValidationException"},
		{"unknown metric", ce.GetCostForecastInput{TimePeriod: period("2026-11-16", "2026-11-20"), Granularity: types.GranularityDaily, Metric: "UnblendedCost"}, "ValidationException"},
		{"interval level too low", ce.GetCostForecastInput{TimePeriod: period("2026-11-16", "2026-11-20"), Granularity: types.GranularityDaily, Metric: types.MetricUnblendedCost, PredictionIntervalLevel: aws.Int32(50)}, "ValidationException"},
		{"invalid filter", ce.GetCostForecastInput{TimePeriod: period("2026-11-16", "2026-11-20"), Granularity: types.GranularityDaily, Metric: types.MetricUnblendedCost, Filter: &types.Expression{}}, "ValidationException"},
		{"no history", ce.GetCostForecastInput{TimePeriod: period("2026-11-16", "2026-11-20"), Granularity: types.GranularityDaily, Metric: types.MetricUnblendedCost,
			Filter: ptr(dims(types.DimensionLinkedAccount, "222222222222"))}, "DataUnavailableException"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.GetCostForecast(context.Background(), &tc.in)
			if got := awssimtest.Code(t, err); got != tc.code {
				t.Fatalf("error %v, want %s", err, tc.code)
			}
			if tc.code == "DataUnavailableException" {
				var e *types.DataUnavailableException
				if !errors.As(err, &e) {
					t.Errorf("error %T is not a *types.DataUnavailableException", err)
				}
			}
		})
	}
}
