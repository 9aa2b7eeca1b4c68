package reconcile_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/orgnotify/orgnotify/internal/awssim"
	"github.com/orgnotify/orgnotify/internal/awssim/awssimtest"
	"github.com/orgnotify/orgnotify/internal/awssim/org"
	cfgmodel "github.com/orgnotify/orgnotify/internal/config"
	"github.com/orgnotify/orgnotify/internal/reconcile"
)

// BenchmarkNoopPlan1000x4 is issue 6's figure: a plan with nothing to do
// over 1,000 member accounts × 4 regions, every call delayed 20 ms, as
// AWS's latency from a CI runner might be. It reports the API calls by
// operation and the wall time of one plan (goal: under 30 s).
//
//	go test -run '^$' -bench NoopPlan -benchtime 1x ./internal/reconcile
func BenchmarkNoopPlan1000x4(b *testing.B) {
	const n = 1000
	ids := make([]string, n)
	accts := []org.Account{{ID: hub, Name: "hub"}}
	for i := range ids {
		ids[i] = fmt.Sprintf("9%011d", i+1)
		accts = append(accts, org.Account{ID: ids[i], Name: "member-" + ids[i]})
	}
	env := awssimtest.Start(b, awssim.Seed{Organization: org.Seed{ManagementAccount: mgmt, OrganizationID: orgID, Accounts: accts}})
	o := orgConfig()
	o.Regions = []string{home, orgRegin, "eu-west-1", "us-west-2"}
	var accounts []*cfgmodel.Account
	for _, id := range ids {
		accounts = append(accounts, memberAccount(id))
	}
	w := connect(b, env, o, accounts)
	ctx := context.Background()
	if res, err := reconcile.Run(ctx, w.cloud, w.scope(), w.want(b), reconcile.Options{Concurrency: 64}); err != nil || res.Failed() {
		b.Fatalf("setup apply: %v %s", err, describe(res))
	}

	for _, workers := range []int{32, 64} {
		b.Run(fmt.Sprintf("concurrency=%d", workers), func(b *testing.B) {
			// Fresh sessions: every plan pays its AssumeRole calls.
			env.Sim.Faults().Set(awssim.FaultConfig{Latency: map[string]awssim.Duration{"*": awssim.Duration(20 * time.Millisecond)}})
			defer env.Sim.Faults().Set(awssim.FaultConfig{})
			env.Sim.Faults().ResetCounts()
			b.ResetTimer()
			start := time.Now()
			for range b.N {
				w := connect(b, env, o, accounts)
				res, err := reconcile.Plan(ctx, w.cloud, w.scope(), w.want(b), reconcile.Options{Concurrency: workers})
				if err != nil || res.Failed() || len(res.Plan.Changes) != 0 {
					b.Fatalf("no-op plan: %v %s", err, describe(res))
				}
			}
			wall := time.Since(start) / time.Duration(b.N)
			b.StopTimer()
			counts := env.Sim.Faults().Counts()
			total := 0
			var ops []string // one line: go test cuts a benchmark's log after ten
			for _, op := range slices.Sorted(maps.Keys(counts)) {
				ops = append(ops, fmt.Sprintf("%s=%d", op, counts[op]/b.N))
				total += counts[op]
			}
			b.Logf("calls by operation: %s", strings.Join(ops, " "))
			b.Logf("%d calls per plan, wall time %s", total/b.N, wall.Round(time.Millisecond))
			b.ReportMetric(float64(total/b.N), "calls/plan")
			b.ReportMetric(wall.Seconds(), "s/plan")
		})
	}
}
