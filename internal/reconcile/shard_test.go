package reconcile_test

import (
	"context"
	"fmt"
	"testing"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"

	"github.com/orgnotify/orgnotify/internal/awssim"
	"github.com/orgnotify/orgnotify/internal/awssim/awssimtest"
	"github.com/orgnotify/orgnotify/internal/awssim/org"
	cfgmodel "github.com/orgnotify/orgnotify/internal/config"
	"github.com/orgnotify/orgnotify/internal/reconcile"
)

// TestShardUnionIsTheWholePlan is what makes a matrix of --shard i/n jobs
// safe: over a generated organization of 200 member accounts, with
// something to create (new account files), update (a rule edited by
// hand), delete (account files removed, found through their roles) and
// leave alone, the union of the n shard plans is exactly the unsharded
// plan, and no account (nor any change) is in two shards, for n = 1..7.
func TestShardUnionIsTheWholePlan(t *testing.T) {
	if testing.Short() {
		t.Skip("applies 180 accounts against awssim")
	}
	const n = 200
	ids := make([]string, n)
	accts := []org.Account{{ID: hub, Name: "hub"}}
	for i := range ids {
		ids[i] = fmt.Sprintf("7%011d", i*7919+13) // spread, not consecutive
		accts = append(accts, org.Account{ID: ids[i], Name: "member-" + ids[i]})
	}
	env := awssimtest.Start(t, awssim.Seed{Organization: org.Seed{ManagementAccount: mgmt, OrganizationID: orgID, Accounts: accts}})
	configured := func(from, to int) []*cfgmodel.Account {
		var out []*cfgmodel.Account
		for _, id := range ids[from:to] {
			out = append(out, memberAccount(id))
		}
		return out
	}
	ctx := context.Background()
	before := connect(t, env, orgConfig(), configured(0, 180))
	if res := before.apply(t, reconcile.Options{Concurrency: 32}); res.Failed() {
		t.Fatalf("setup apply: %s", describe(res))
	}
	// Drift: a forwarding rule disabled by hand in one account that stays.
	eb := eventbridge.NewFromConfig(before.sessions.Config(ids[100], home))
	if _, err := eb.DisableRule(ctx, &eventbridge.DisableRuleInput{Name: sdkaws.String("orgnotify-fwd-cloudformation")}); err != nil {
		t.Fatal(err)
	}

	// Accounts 0-19 removed, 180-199 added.
	w := connect(t, env, orgConfig(), configured(20, 200))
	whole := w.plan(t, reconcile.Options{Concurrency: 32})
	if whole.Failed() {
		t.Fatalf("unsharded plan: %s", describe(whole))
	}
	s := whole.Plan.Summary()
	if s.Create == 0 || s.Update == 0 || s.Delete == 0 {
		t.Fatalf("the plan must create, update and delete: %+v", s)
	}
	wholeSet := changeSet(t, whole)

	all := append([]string{mgmt, hub}, ids...)
	for shards := 1; shards <= 7; shards++ {
		t.Run(fmt.Sprintf("n=%d", shards), func(t *testing.T) {
			owner := map[string]int{} // account → the shard whose plan touched it
			union := map[string]int{} // change → how many shards planned it
			for i := 1; i <= shards; i++ {
				sh := reconcile.Shard{I: i, N: shards}
				res := w.plan(t, reconcile.Options{Concurrency: 32, Shard: sh})
				if res.Failed() {
					t.Fatalf("shard %s: %s", sh, describe(res))
				}
				for _, c := range res.Plan.Changes {
					if o, ok := owner[c.Account]; ok && o != i {
						t.Errorf("account %s planned by shards %d and %d", c.Account, o, i)
					}
					owner[c.Account] = i
				}
				for k := range changeSet(t, res) {
					union[k]++
				}
			}
			for k, times := range union {
				if times > 1 {
					t.Errorf("%s planned by %d shards", k, times)
				}
				if !wholeSet[k] {
					t.Errorf("%s planned by a shard, not by the unsharded plan", k)
				}
			}
			for k := range wholeSet {
				if union[k] == 0 {
					t.Errorf("%s planned by no shard", k)
				}
			}
			// Every account of the organization is in exactly one shard.
			scope := w.scope()
			for _, a := range all {
				in := 0
				for i := 1; i <= shards; i++ {
					if (reconcile.Shard{I: i, N: shards}).Has(scope, a) {
						in++
					}
				}
				if in != 1 {
					t.Errorf("account %s is in %d shards", a, in)
				}
			}
		})
	}
}

// changeSet keys each change by action and resource identity.
func changeSet(t *testing.T, res reconcile.Result) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for _, c := range res.Plan.Changes {
		k := string(c.Action) + " " + c.ID.String()
		if out[k] {
			t.Errorf("%s twice in one plan", k)
		}
		out[k] = true
	}
	return out
}
