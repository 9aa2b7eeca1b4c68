package costexplorer_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ce "github.com/aws/aws-sdk-go-v2/service/costexplorer"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer/types"

	"github.com/orgnotify/orgnotify/internal/awssim/awssimtest"
)

// TestCostAndUsageErrors sends each kind of invalid request and checks the
// error code the client sees; the typed errors are also checked with errors.As.
func TestCostAndUsageErrors(t *testing.T) {
	store := newStore(t, dataset(t))
	store.SetPageSize(5)
	c := start(t, store).client(t, "AKIDPAYER")
	ctx := context.Background()

	// A real token of a grouped query, to replay against a different one.
	first, err := c.GetCostAndUsage(ctx, &ce.GetCostAndUsageInput{
		TimePeriod: period("2026-11-01", "2026-11-10"), Granularity: types.GranularityDaily, Metrics: []string{"UnblendedCost"},
		GroupBy: []types.GroupDefinition{{Type: types.GroupDefinitionTypeDimension, Key: aws.String("SERVICE")}},
	})
	if err != nil || first.NextPageToken == nil {
		t.Fatalf("grouped query: %v, token %v", err, first.NextPageToken)
	}

	group := func(typ types.GroupDefinitionType, key string) types.GroupDefinition {
		return types.GroupDefinition{Type: typ, Key: aws.String(key)}
	}
	tests := []struct {
		name   string
		modify func(in *ce.GetCostAndUsageInput)
		code   string
		typed  func(error) bool
	}{
		{"start equals end", func(in *ce.GetCostAndUsageInput) { in.TimePeriod = period("2026-11-01", "2026-11-01") }, "ValidationException", nil},
		{"start after end", func(in *ce.GetCostAndUsageInput) { in.TimePeriod = period("2026-11-05", "2026-11-01") }, "ValidationException", nil},
		{"bad start format", func(in *ce.GetCostAndUsageInput) { in.TimePeriod = period("2026/11/01", "2026-11-05") }, "ValidationException", nil},
		{"bad end date", func(in *ce.GetCostAndUsageInput) { in.TimePeriod = period("2026-11-01", "2026-11-31") }, "ValidationException", nil},
		{"start in the future", func(in *ce.GetCostAndUsageInput) { in.TimePeriod = period("2026-11-16", "2026-11-20") }, "ValidationException", nil},
		{"hourly with dates", func(in *ce.GetCostAndUsageInput) { in.Granularity = types.GranularityHourly }, "ValidationException", nil},
		{"hourly over 14 days", func(in *ce.GetCostAndUsageInput) {
			in.Granularity, in.TimePeriod = types.GranularityHourly, period("2026-10-01T00:00:00Z", "2026-10-16T00:00:00Z")
		}, "ValidationException", nil},
		{"unknown granularity", func(in *ce.GetCostAndUsageInput) { in.Granularity = "WEEKLY" }, "ValidationException", nil},
		{"no metrics", func(in *ce.GetCostAndUsageInput) { in.Metrics = []string{} }, "ValidationException", nil},
		{"unknown metric", func(in *ce.GetCostAndUsageInput) { in.Metrics = []string{"UnblendedCost", "Cost"} }, "ValidationException", nil},
		{"expression with two fields", func(in *ce.GetCostAndUsageInput) {
			e := dims(types.DimensionService, "AWS Lambda")
			e.Tags = tag("env", "prod").Tags
			in.Filter = &e
		}, "ValidationException", nil},
		{"empty expression", func(in *ce.GetCostAndUsageInput) { in.Filter = &types.Expression{} }, "ValidationException", nil},
		{"and with one operand", func(in *ce.GetCostAndUsageInput) {
			in.Filter = &types.Expression{And: []types.Expression{tag("env", "prod")}}
		}, "ValidationException", nil},
		{"or with no operands", func(in *ce.GetCostAndUsageInput) { in.Filter = &types.Expression{Or: []types.Expression{}} }, "ValidationException", nil},
		{"invalid expression under not", func(in *ce.GetCostAndUsageInput) {
			in.Filter = &types.Expression{Not: &types.Expression{Or: []types.Expression{tag("env", "prod")}}}
		}, "ValidationException", nil},
		{"invalid expression deep in and", func(in *ce.GetCostAndUsageInput) {
			in.Filter = &types.Expression{And: []types.Expression{tag("env", "prod"), {Tags: &types.TagValues{Values: []string{"x"}}}}}
		}, "ValidationException", nil},
		{"unknown dimension", func(in *ce.GetCostAndUsageInput) { in.Filter = ptr(dims("COLOUR", "blue")) }, "ValidationException", nil},
		{"dimension not modelled", func(in *ce.GetCostAndUsageInput) { in.Filter = ptr(dims(types.DimensionInstanceType, "t3.micro")) }, "ValidationException", nil},
		{"dimension without values", func(in *ce.GetCostAndUsageInput) { in.Filter = ptr(dims(types.DimensionService)) }, "ValidationException", nil},
		{"dimension absent", func(in *ce.GetCostAndUsageInput) {
			in.Filter = &types.Expression{Dimensions: &types.DimensionValues{Key: types.DimensionRegion, Values: []string{"x"}, MatchOptions: []types.MatchOption{types.MatchOptionAbsent}}}
		}, "ValidationException", nil},
		{"unsupported match option", func(in *ce.GetCostAndUsageInput) {
			in.Filter = &types.Expression{Tags: &types.TagValues{Key: aws.String("env"), Values: []string{"p"}, MatchOptions: []types.MatchOption{types.MatchOptionStartsWith}}}
		}, "ValidationException", nil},
		{"tag without key", func(in *ce.GetCostAndUsageInput) {
			in.Filter = &types.Expression{Tags: &types.TagValues{Values: []string{"prod"}}}
		}, "ValidationException", nil},
		{"tag without values", func(in *ce.GetCostAndUsageInput) { in.Filter = ptr(tag("env")) }, "ValidationException", nil},
		{"three group bys", func(in *ce.GetCostAndUsageInput) {
			in.GroupBy = []types.GroupDefinition{group("DIMENSION", "SERVICE"), group("DIMENSION", "REGION"), group("TAG", "env")}
		}, "ValidationException", nil},
		{"group by unknown type", func(in *ce.GetCostAndUsageInput) { in.GroupBy = []types.GroupDefinition{group("LABEL", "env")} }, "ValidationException", nil},
		{"group by non-groupable dimension", func(in *ce.GetCostAndUsageInput) {
			in.GroupBy = []types.GroupDefinition{group("DIMENSION", "USAGE_TYPE_GROUP")}
		}, "ValidationException", nil},
		{"group by tag without key", func(in *ce.GetCostAndUsageInput) { in.GroupBy = []types.GroupDefinition{{Type: "TAG"}} }, "ValidationException", nil},
		{"duplicate group by", func(in *ce.GetCostAndUsageInput) {
			in.GroupBy = []types.GroupDefinition{group("TAG", "env"), group("TAG", "env")}
		}, "ValidationException", nil},
		{"garbage token", func(in *ce.GetCostAndUsageInput) { in.NextPageToken = aws.String("not a token") }, "InvalidNextTokenException",
			func(err error) bool { var e *types.InvalidNextTokenException; return errors.As(err, &e) }},
		{"token for another query", func(in *ce.GetCostAndUsageInput) { in.NextPageToken = first.NextPageToken }, "RequestChangedException",
			func(err error) bool { var e *types.RequestChangedException; return errors.As(err, &e) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := &ce.GetCostAndUsageInput{
				TimePeriod: period("2026-11-01", "2026-11-10"), Granularity: types.GranularityDaily, Metrics: []string{"UnblendedCost"},
			}
			tc.modify(in)
			_, err := c.GetCostAndUsage(ctx, in)
			if got := awssimtest.Code(t, err); got != tc.code {
				t.Fatalf("error %v, want %s", err, tc.code)
			}
			if tc.typed != nil && !tc.typed(err) {
				t.Errorf("error %T does not unwrap to the typed exception", err)
			}
		})
	}
}
