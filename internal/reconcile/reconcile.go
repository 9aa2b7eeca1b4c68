// Package reconcile brings the organization to the desired state: observe
// what orgnotify owns in every account and region, compute the plan, apply
// it account by account. It declares the small interfaces it needs from
// AWS; package aws implements them.
package reconcile

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/orgnotify/orgnotify/internal/desired"
	"github.com/orgnotify/orgnotify/internal/plan"
)

// Observer reads what orgnotify owns.
type Observer interface {
	// ObserveRegion returns the owned resources in one account and region.
	ObserveRegion(ctx context.Context, account, region string) ([]desired.Resource, error)
	// ObserveRoles returns the owned IAM roles of account.
	ObserveRoles(ctx context.Context, account string) ([]desired.Resource, error)
	// OwnsRoles reports, with one cheap call, whether account holds any
	// role of orgnotify's: how an account removed from the configuration
	// is found.
	OwnsRoles(ctx context.Context, account string) (bool, error)
	// CountRules counts every rule on a bus, whoever owns it.
	CountRules(ctx context.Context, account, region, bus string) (int, error)
}

// Organization lists the organization's accounts.
type Organization interface {
	ListAccounts(ctx context.Context) ([]string, error)
}

// Trails answers the preflight: is a CloudTrail trail logging there?
type Trails interface {
	TrailLogging(ctx context.Context, account, region string) (bool, error)
}

// Applier makes one change: create or update want, update or delete have.
type Applier interface {
	Apply(ctx context.Context, action string, want, have *desired.Resource) error
}

// Cloud is everything a plan and an apply need.
type Cloud interface {
	Observer
	Organization
	Trails
	Applier
}

// Options tune a run.
type Options struct {
	Shard       Shard
	Concurrency int // accounts×regions observed at once; accounts applied at once
	// AllowMassDelete lets apply delete more than Scope.MaxDeletions.
	AllowMassDelete bool
	// Progress receives "[37/1200 accounts]" lines during apply (nil: none).
	Progress io.Writer
	Log      *slog.Logger
}

func (o Options) workers() int {
	if o.Concurrency < 1 {
		return 32
	}
	return o.Concurrency
}

func (o Options) log() *slog.Logger {
	if o.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return o.Log
}

// Result is the outcome of a plan or an apply.
type Result struct {
	Plan plan.Plan
	// Failures name each account that could not be observed or applied,
	// with the error; the account's changes are failed or skipped.
	Failures []Failure
	// Warnings are problems that did not stop the run: an organization
	// account outside the configuration that could not be inspected.
	Warnings []string
}

// Failure is one account's error.
type Failure struct {
	Account string
	Err     error
}

func (f Failure) String() string { return fmt.Sprintf("account %s: %v", f.Account, f.Err) }

// Failed reports whether anything failed or conflicted: the exit status.
func (r Result) Failed() bool {
	if len(r.Failures) > 0 {
		return true
	}
	for _, c := range r.Plan.Changes {
		if c.Action == plan.Conflict || c.Status == plan.StatusFailed {
			return true
		}
	}
	return false
}

// Errors a caller maps to messages and exit codes.
var (
	// ErrNoTrail: lifecycle events would never reach EventBridge.
	ErrNoTrail = errors.New("no CloudTrail trail is logging")
	// ErrMassDelete: the plan deletes more than the configured limit.
	ErrMassDelete = errors.New("too many deletions")
)

// Plan observes the organization and computes the plan from want, like
// external-dns's RunOnce without the apply: preflight, current state,
// desired state, the difference.
func Plan(ctx context.Context, cloud Cloud, scope Scope, want []desired.Resource, opts Options) (Result, error) {
	if err := preflight(ctx, cloud, scope, opts); err != nil {
		return Result{}, err
	}
	accounts, warnings, err := accountsToObserve(ctx, cloud, scope, opts)
	if err != nil {
		return Result{}, err
	}
	have, failures, unread := observe(ctx, cloud, scope, scope.wantRegions(want), accounts, opts)
	if err := ctx.Err(); err != nil {
		return Result{}, err // a partial observation would plan creates
	}
	warnings = append(warnings, unread...)
	failed := map[string]bool{}
	for _, f := range failures {
		failed[f.Account] = true
	}
	// An account that could not be read is left out of the plan: nothing
	// is created in it blind, and the failure is reported.
	var mine []desired.Resource
	for _, r := range want {
		if opts.Shard.Has(scope, r.Account) && !failed[r.Account] {
			mine = append(mine, r)
		}
	}
	p := plan.Compute(mine, have)
	limited, err := checkRuleLimits(ctx, cloud, &p, opts)
	if err != nil {
		return Result{}, err
	}
	failures = append(failures, limited...)
	return Result{Plan: p, Failures: failures, Warnings: warnings}, nil
}

// MaxRulesPerBus is EventBridge's quota of rules on one bus; RulesPerBus
// gives the lower quota of some regions (AWS-WIRING W8).
const MaxRulesPerBus = 300

// RulesPerBus returns the rule quota of a bus in region.
func RulesPerBus(region string) int {
	switch region {
	case "af-south-1", "eu-south-1":
		return 100
	}
	return MaxRulesPerBus
}

// checkRuleLimits counts, for every bus the plan adds rules to, the rules
// already there (other teams' included), and takes out of the plan the
// creates of an account whose bus would pass the quota: that account
// fails with a clear error before anything is applied, the others go on.
func checkRuleLimits(ctx context.Context, cloud Observer, p *plan.Plan, opts Options) ([]Failure, error) {
	type busKey struct{ account, region, bus string }
	adds := map[busKey]int{}
	for _, c := range p.Changes {
		switch {
		case c.Kind != desired.EventRule:
		case c.Action == plan.Create:
			adds[busKey{c.Account, c.Region, c.Desired.Settings[desired.SetEventBusName]}]++
		case c.Action == plan.Delete:
			adds[busKey{c.Account, c.Region, c.Current.Settings[desired.SetEventBusName]}]--
		}
	}
	var keys []busKey
	for k, n := range adds {
		if n > 0 {
			keys = append(keys, k)
		}
	}
	counts := make([]int, len(keys))
	errs := make([]error, len(keys))
	forEach(ctx, len(keys), opts.workers(), func(i int) {
		counts[i], errs[i] = cloud.CountRules(ctx, keys[i].account, keys[i].region, keys[i].bus)
	})
	over := map[string]error{}
	for i, k := range keys {
		switch {
		case errs[i] != nil:
			over[k.account] = errs[i]
		case counts[i]+adds[k] > RulesPerBus(k.region):
			over[k.account] = fmt.Errorf("the %s bus in %s holds %d rules; adding %d would pass EventBridge's quota of %d rules per bus",
				k.bus, k.region, counts[i], adds[k], RulesPerBus(k.region))
		}
	}
	if len(over) == 0 {
		return nil, ctx.Err()
	}
	kept := p.Changes[:0]
	for _, c := range p.Changes {
		if over[c.Account] == nil {
			kept = append(kept, c)
		}
	}
	p.Changes = kept
	var failures []Failure
	for _, a := range sortedAccounts(over) {
		failures = append(failures, Failure{Account: a, Err: fmt.Errorf("plan: %w", over[a])})
	}
	return failures, ctx.Err()
}

// Run plans and applies: the whole loop in four steps.
func Run(ctx context.Context, cloud Cloud, scope Scope, want []desired.Resource, opts Options) (Result, error) {
	res, err := Plan(ctx, cloud, scope, want, opts)
	if err != nil {
		return res, err
	}
	if err := checkDeletions(res.Plan, scope, opts); err != nil {
		return res, err
	}
	res.Failures = append(res.Failures, apply(ctx, cloud, scope, &res.Plan, opts)...)
	return res, nil
}

// preflight fails when lifecycle events that arrive as "AWS API Call via
// CloudTrail" could never reach EventBridge (AWS-WIRING W9).
func preflight(ctx context.Context, t Trails, scope Scope, opts Options) error {
	events := apiCallEvents(scope.Lifecycle)
	if len(events) == 0 || !opts.Shard.Has(scope, scope.Management) {
		return nil
	}
	ok, err := t.TrailLogging(ctx, scope.Management, scope.OrgRegion)
	if err != nil {
		return fmt.Errorf("preflight: %w", err)
	}
	if !ok {
		return fmt.Errorf("%w in the management account %s in %s: the lifecycle events %s would never arrive; create an organization trail there (orgnotify does not create trails)",
			ErrNoTrail, scope.Management, scope.OrgRegion, strings.Join(events, ", "))
	}
	return nil
}

// accountsToObserve returns the configured accounts, the hub and the
// management account, and every other organization account that still
// holds an orgnotify role (an account file was removed): those in the
// shard. An account outside the configuration that cannot be inspected is
// a warning, not a failure.
func accountsToObserve(ctx context.Context, cloud Cloud, scope Scope, opts Options) ([]string, []string, error) {
	known := map[string]bool{scope.Hub: true, scope.Management: true}
	for _, a := range scope.Members {
		known[a] = true
	}
	org, err := cloud.ListAccounts(ctx)
	if err != nil {
		return nil, nil, err
	}
	var others []string
	for _, a := range org {
		if !known[a] && opts.Shard.Has(scope, a) {
			others = append(others, a)
		}
	}
	var (
		mu       sync.Mutex
		found    []string
		warnings []string
	)
	forEach(ctx, len(others), opts.workers(), func(i int) {
		ok, err := cloud.OwnsRoles(ctx, others[i])
		mu.Lock()
		defer mu.Unlock()
		switch {
		case err != nil:
			warnings = append(warnings, fmt.Sprintf("account %s is not configured and could not be inspected for orgnotify resources: %v", others[i], err))
		case ok:
			found = append(found, others[i])
		}
	})
	var out []string
	for a := range known {
		if a != "" && opts.Shard.Has(scope, a) {
			out = append(out, a)
		}
	}
	out = append(out, found...)
	sort.Strings(out)
	sort.Strings(warnings)
	return out, warnings, nil
}

// unit is one observation: an account's roles (region "") or one region.
type unit struct{ account, region string }

// observe reads every unit with a bounded pool of workers; an account
// with any failing unit is reported once, with its first error. A retired
// region that cannot be read (often an opt-in region since disabled) is a
// warning instead: the account's live regions still get their changes, and
// what orgnotify left there waits until the region can be read.
func observe(ctx context.Context, obs Observer, scope Scope, wantRegions map[string][]string, accounts []string, opts Options) ([]desired.Resource, []Failure, []string) {
	var units []unit
	for _, a := range accounts {
		units = append(units, unit{a, desired.Global})
		for _, r := range scope.regions(a, wantRegions) {
			units = append(units, unit{a, r})
		}
	}
	results := make([][]desired.Resource, len(units))
	errs := make([]error, len(units))
	forEach(ctx, len(units), opts.workers(), func(i int) {
		u := units[i]
		if u.region == desired.Global {
			results[i], errs[i] = obs.ObserveRoles(ctx, u.account)
		} else {
			results[i], errs[i] = obs.ObserveRegion(ctx, u.account, u.region)
		}
	})
	var have []desired.Resource
	var failures []Failure
	var warnings []string
	failed := map[string]bool{}
	for i, u := range units {
		if errs[i] != nil && scope.retiredOnly(u.account, u.region, wantRegions) {
			warnings = append(warnings, fmt.Sprintf("retired region %s of %s not read, what orgnotify left there stays: %v", u.region, u.account, errs[i]))
			continue
		}
		if errs[i] != nil {
			if !failed[u.account] {
				failed[u.account] = true
				failures = append(failures, Failure{Account: u.account, Err: fmt.Errorf("observe: %w", errs[i])})
			}
			continue
		}
		have = append(have, results[i]...)
	}
	out := have[:0]
	for _, r := range have {
		if !failed[r.Account] {
			out = append(out, r)
		}
	}
	desired.Sort(out)
	return out, failures, warnings
}

// checkDeletions refuses a plan that deletes more than the limit: an
// emptied accounts/ must never wipe the organization's alerting.
func checkDeletions(p plan.Plan, scope Scope, opts Options) error {
	n := p.Deletions()
	if scope.MaxDeletions >= 0 && n > scope.MaxDeletions && !opts.AllowMassDelete {
		return fmt.Errorf("%w: the plan deletes %d resources, more than limits.maxDeletionsPerApply (%d); review the plan and pass --allow-mass-delete if it is right",
			ErrMassDelete, n, scope.MaxDeletions)
	}
	return nil
}

// forEach calls fn(0..n-1) on at most workers goroutines.
func forEach(ctx context.Context, n, workers int, fn func(i int)) {
	if workers > n {
		workers = n
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				fn(i)
			}
		}()
	}
	for i := 0; i < n; i++ {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
}

// sortedAccounts returns the keys of m in order.
func sortedAccounts[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
