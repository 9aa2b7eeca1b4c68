package aws_test

import (
	"context"
	"fmt"
	"io"
	"sync"
	"testing"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	ce "github.com/aws/aws-sdk-go-v2/service/costexplorer"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer/types"

	orgaws "github.com/orgnotify/orgnotify/internal/aws"
	"github.com/orgnotify/orgnotify/internal/awssim"
	"github.com/orgnotify/orgnotify/internal/awssim/awssimtest"
	"github.com/orgnotify/orgnotify/internal/awssim/costexplorer"
	"github.com/orgnotify/orgnotify/internal/awssim/org"
	orgconfig "github.com/orgnotify/orgnotify/internal/config"
	"github.com/orgnotify/orgnotify/internal/cost"
	osl "github.com/orgnotify/orgnotify/internal/slack"
)

// BenchmarkCostDigest runs the whole cost digest (plan, Cost Explorer
// through the SDK against awssim, reports, Block Kit messages to a dry-run
// sink) for 1,000 and 5,000 accounts, next to the usual design on the same
// dataset: one GetCostAndUsage per account (filtered by LINKED_ACCOUNT,
// grouped by SERVICE, DAILY from the first of last month, every page).
//
// Metrics: ce-requests/op (each page is a request, billed $0.01: ce-$/op),
// slack-msgs/op, s-at-10rps/op (the least wall time Cost Explorer's ~10
// requests per second allow); ns/op is the wall time against awssim,
// which does not throttle.
//
//	go test ./internal/aws -run x -bench CostDigest -benchtime 1x
func BenchmarkCostDigest(b *testing.B) {
	day := time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC)
	now := day.AddDate(0, 0, 1).Add(6 * time.Hour)
	for _, n := range []int{1000, 5000} {
		if n > 1000 && testing.Short() {
			continue
		}
		recs, err := costexplorer.Generate(costexplorer.GenerateSpec{Accounts: n, Services: 5, Start: "2026-10-01", Days: 47, Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
		env := awssimtest.Start(b, awssim.Seed{Organization: org.Seed{ManagementAccount: mgmt}, Costs: recs})
		recs = nil
		env.Sim.SetClock(func() time.Time { return now })
		accounts := make([]*orgconfig.Account, n)
		for i := range accounts {
			id := fmt.Sprintf("%012d", 100000000000+i)
			accounts[i] = &orgconfig.Account{ID: id, Name: "acct-" + id, Slack: orgconfig.Slack{Channels: []string{fmt.Sprintf("C%09d", i)}},
				Cost: &orgconfig.Cost{Currency: "USD", Granularity: "DAILY", Metric: "UnblendedCost", TopServices: 5}}
		}
		o := digestOrg()
		cfg := env.Config(b, "us-east-1")
		calls := func() int { return env.Sim.Faults().Counts()["ce:GetCostAndUsage"] }

		b.Run(fmt.Sprintf("accounts=%d/orgnotify", n), func(b *testing.B) {
			var requests, msgs int
			for b.Loop() {
				before := calls()
				plan := cost.NewPlan(accounts, day, now)
				data, err := cost.Fetch(context.Background(), orgaws.NewCostExplorer(cfg), plan, cost.FetchOptions{RatePerSecond: -1})
				if err != nil {
					b.Fatal(err)
				}
				reports, err := cost.Reports(o, plan, data)
				if err != nil {
					b.Fatal(err)
				}
				s := cost.Summarize(o, day, reports)
				outcomes := cost.Send(context.Background(), &osl.DryRun{W: io.Discard}, reports, &s, 8)
				if outcomes.Failed() > 0 || len(reports) != n {
					b.Fatalf("%d reports, %d failed", len(reports), outcomes.Failed())
				}
				requests, msgs = calls()-before, len(outcomes)
				if requests != data.Requests {
					b.Fatalf("counted %d requests, awssim saw %d", data.Requests, requests)
				}
			}
			report(b, requests, msgs)
		})
		b.Run(fmt.Sprintf("accounts=%d/per-account", n), func(b *testing.B) {
			var requests, msgs int
			for b.Loop() {
				before := calls()
				totals := perAccount(b, ce.NewFromConfig(cfg), accounts, day)
				msgs = 0
				dr := &osl.DryRun{W: io.Discard}
				for _, a := range accounts {
					if _, err := dr.Send(context.Background(), osl.Message{Channel: a.Slack.Channels[0], Text: fmt.Sprintf("%s: %s", a.Name, cost.Money(totals[a.ID], "USD"))}); err != nil {
						b.Fatal(err)
					}
					msgs++
				}
				requests = calls() - before
			}
			report(b, requests, msgs)
		})
	}
}

func report(b *testing.B, requests, msgs int) {
	b.ReportMetric(float64(requests), "ce-requests/op")
	b.ReportMetric(float64(requests)*0.01, "ce-$/op")
	b.ReportMetric(float64(msgs), "slack-msgs/op")
	b.ReportMetric(float64(requests)/10, "s-at-10rps/op")
}

// perAccount is the one-query-per-account design: every figure of the
// digest from one LINKED_ACCOUNT-filtered query per account.
func perAccount(b *testing.B, c *ce.Client, accounts []*orgconfig.Account, day time.Time) map[string]float64 {
	start := time.Date(day.Year(), day.Month()-1, 1, 0, 0, 0, 0, time.UTC)
	totals := map[string]float64{}
	var mu sync.Mutex
	jobs := make(chan string)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := range jobs {
				in := &ce.GetCostAndUsageInput{
					TimePeriod:  &types.DateInterval{Start: sdkaws.String(start.Format(time.DateOnly)), End: sdkaws.String(day.AddDate(0, 0, 1).Format(time.DateOnly))},
					Granularity: types.GranularityDaily, Metrics: []string{"UnblendedCost"},
					Filter:  &types.Expression{Dimensions: &types.DimensionValues{Key: types.DimensionLinkedAccount, Values: []string{id}}},
					GroupBy: []types.GroupDefinition{{Type: types.GroupDefinitionTypeDimension, Key: sdkaws.String("SERVICE")}},
				}
				var sum float64
				for {
					out, err := c.GetCostAndUsage(context.Background(), in)
					if err != nil {
						b.Error(err)
						break
					}
					for _, r := range out.ResultsByTime {
						if sdkaws.ToString(r.TimePeriod.Start) != day.Format(time.DateOnly) {
							continue
						}
						for _, g := range r.Groups {
							var v float64
							fmt.Sscan(sdkaws.ToString(g.Metrics["UnblendedCost"].Amount), &v)
							sum += v
						}
					}
					if out.NextPageToken == nil {
						break
					}
					in.NextPageToken = out.NextPageToken
				}
				mu.Lock()
				totals[id] = sum
				mu.Unlock()
			}
		}()
	}
	for _, a := range accounts {
		jobs <- a.ID
	}
	close(jobs)
	wg.Wait()
	return totals
}
