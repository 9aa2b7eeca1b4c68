package aws

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	ce "github.com/aws/aws-sdk-go-v2/service/costexplorer"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer/types"

	"github.com/orgnotify/orgnotify/internal/config"
	"github.com/orgnotify/orgnotify/internal/cost"
)

// CostExplorerRegion is the only region Cost Explorer is served from
// (AWS-WIRING W14): its client uses it whatever AWS_REGION says.
const CostExplorerRegion = "us-east-1"

// CostExplorer implements cost.CostExplorer with the SDK client. cfg holds
// the management account's credentials: only the payer sees every
// account's costs.
type CostExplorer struct{ client *ce.Client }

var _ cost.CostExplorer = (*CostExplorer)(nil)

// NewCostExplorer returns a Cost Explorer client in us-east-1. Throttling
// (LimitExceededException, one of the SDK's default throttle codes) is
// retried with backoff by cfg's retryer (NewRetryer).
func NewCostExplorer(cfg sdkaws.Config) *CostExplorer {
	cfg = cfg.Copy()
	cfg.Region = CostExplorerRegion
	return &CostExplorer{client: ce.NewFromConfig(cfg)}
}

func dateInterval(start, end time.Time) *types.DateInterval {
	return &types.DateInterval{Start: sdkaws.String(start.Format(time.DateOnly)), End: sdkaws.String(end.Format(time.DateOnly))}
}

// expression ANDs the filter's parts; Cost Explorer refuses an And with a
// single operand, so one part stands alone.
func expression(accounts []string, tags []config.TagFilter, recordTypes []string) *types.Expression {
	var parts []types.Expression
	if len(accounts) > 0 {
		parts = append(parts, types.Expression{Dimensions: &types.DimensionValues{Key: types.DimensionLinkedAccount, Values: accounts}})
	}
	for _, t := range tags {
		parts = append(parts, types.Expression{Tags: &types.TagValues{Key: sdkaws.String(t.Key), Values: t.Values}})
	}
	if len(recordTypes) > 0 {
		parts = append(parts, types.Expression{Dimensions: &types.DimensionValues{Key: types.DimensionRecordType, Values: recordTypes}})
	}
	switch len(parts) {
	case 0:
		return nil
	case 1:
		return &parts[0]
	}
	return &types.Expression{And: parts}
}

// CostAndUsage runs one page of an organization-wide GetCostAndUsage.
func (c *CostExplorer) CostAndUsage(ctx context.Context, q cost.Query, token string) (cost.Page, error) {
	in := &ce.GetCostAndUsageInput{
		TimePeriod:  dateInterval(q.Start, q.End),
		Granularity: types.Granularity(q.Granularity),
		Metrics:     []string{q.Filter.Metric},
		Filter:      expression(q.Accounts, q.Filter.Tags, q.RecordTypes),
		GroupBy:     []types.GroupDefinition{{Type: types.GroupDefinitionTypeDimension, Key: sdkaws.String("LINKED_ACCOUNT")}},
	}
	if q.ByService {
		in.GroupBy = append(in.GroupBy, types.GroupDefinition{Type: types.GroupDefinitionTypeDimension, Key: sdkaws.String("SERVICE")})
	}
	if token != "" {
		in.NextPageToken = sdkaws.String(token)
	}
	out, err := c.client.GetCostAndUsage(ctx, in)
	if err != nil {
		return cost.Page{}, costError(err)
	}
	var p cost.Page
	for _, rt := range out.ResultsByTime {
		start, err := time.Parse(time.DateOnly, sdkaws.ToString(rt.TimePeriod.Start))
		if err != nil {
			return cost.Page{}, fmt.Errorf("cost explorer answered a bad period start %q", sdkaws.ToString(rt.TimePeriod.Start))
		}
		p.Periods = append(p.Periods, cost.Period{Start: start, Estimated: rt.Estimated})
		for _, g := range rt.Groups {
			mv, ok := g.Metrics[q.Filter.Metric]
			if !ok || len(g.Keys) == 0 {
				continue
			}
			amount, err := strconv.ParseFloat(sdkaws.ToString(mv.Amount), 64)
			if err != nil {
				return cost.Page{}, fmt.Errorf("cost explorer answered a bad amount %q", sdkaws.ToString(mv.Amount))
			}
			r := cost.Row{Start: start, Account: g.Keys[0], Amount: amount, Unit: sdkaws.ToString(mv.Unit)}
			if q.ByService && len(g.Keys) > 1 {
				r.Service = g.Keys[1]
			}
			p.Rows = append(p.Rows, r)
		}
	}
	p.NextToken = sdkaws.ToString(out.NextPageToken)
	return p, nil
}

// forecastMetrics maps GetCostAndUsage metric names to GetCostForecast's.
var forecastMetrics = map[string]types.Metric{
	"UnblendedCost":    types.MetricUnblendedCost,
	"BlendedCost":      types.MetricBlendedCost,
	"AmortizedCost":    types.MetricAmortizedCost,
	"NetUnblendedCost": types.MetricNetUnblendedCost,
	"NetAmortizedCost": types.MetricNetAmortizedCost,
}

// Forecast returns the forecast total of one account's period.
func (c *CostExplorer) Forecast(ctx context.Context, f cost.ForecastQuery) (float64, error) {
	m, ok := forecastMetrics[f.Filter.Metric]
	if !ok {
		return 0, fmt.Errorf("no forecast for metric %s", f.Filter.Metric)
	}
	out, err := c.client.GetCostForecast(ctx, &ce.GetCostForecastInput{
		TimePeriod:  dateInterval(f.Start, f.End),
		Granularity: types.GranularityMonthly,
		Metric:      m,
		Filter:      expression([]string{f.Account}, f.Filter.Tags, nil),
	})
	if err != nil {
		return 0, costError(err)
	}
	if out.Total == nil {
		return 0, errors.New("cost explorer answered no forecast total")
	}
	v, err := strconv.ParseFloat(sdkaws.ToString(out.Total.Amount), 64)
	if err != nil {
		return 0, fmt.Errorf("cost explorer answered a bad forecast %q", sdkaws.ToString(out.Total.Amount))
	}
	return v, nil
}

// costError turns DataUnavailableException into cost.ErrNotEnabled.
func costError(err error) error {
	var du *types.DataUnavailableException
	if errors.As(err, &du) {
		return fmt.Errorf("%w (%s)", cost.ErrNotEnabled, du.ErrorMessage())
	}
	return err
}
