package reconcile

import (
	"context"
	"fmt"
	"sort"
	"sync"

	"github.com/orgnotify/orgnotify/internal/desired"
	"github.com/orgnotify/orgnotify/internal/plan"
)

// apply executes p in place, filling each change's Status and Error: the
// hub account first (the key, queues, topic and bus the others deliver
// to), then the management and member accounts concurrently, one
// goroutine per account. Within an account creates and updates run in
// creation order and deletes after them in reverse; the first failure in
// an account skips the rest of its changes, and the other accounts go on.
func apply(ctx context.Context, a Applier, scope Scope, p *plan.Plan, opts Options) []Failure {
	byAccount := map[string][]int{}
	for i := range p.Changes {
		c := &p.Changes[i]
		if c.Action == plan.Conflict {
			c.Status = plan.StatusSkipped
			c.Error = "conflict: the resource exists without orgnotify's ownership tag; it is never changed"
			continue
		}
		byAccount[c.Account] = append(byAccount[c.Account], i)
	}
	total := len(byAccount)
	var (
		mu       sync.Mutex
		done     int
		failures []Failure
	)
	run := func(account string) {
		err := applyAccount(ctx, a, p, byAccount[account])
		mu.Lock()
		defer mu.Unlock()
		done++
		state := "ok"
		if err != nil {
			failures = append(failures, Failure{Account: account, Err: err})
			state = "failed: " + err.Error()
		}
		if opts.Progress != nil {
			fmt.Fprintf(opts.Progress, "[%d/%d accounts] %s %s\n", done, total, account, state)
		}
		opts.log().Debug("applied account", "account", account, "ok", err == nil)
	}
	if _, ok := byAccount[scope.Hub]; ok {
		run(scope.Hub)
	}
	var rest []string
	for _, acct := range sortedAccounts(byAccount) {
		if acct != scope.Hub {
			rest = append(rest, acct)
		}
	}
	forEach(ctx, len(rest), opts.workers(), func(i int) { run(rest[i]) })
	// Anything left unrun (the context was cancelled) is skipped, not ok.
	for i := range p.Changes {
		if p.Changes[i].Status == "" {
			p.Changes[i].Status = plan.StatusSkipped
			p.Changes[i].Error = "not run: " + errString(ctx.Err())
		}
	}
	sort.Slice(failures, func(i, j int) bool { return failures[i].Account < failures[j].Account })
	return failures
}

func errString(err error) string {
	if err == nil {
		return "cancelled"
	}
	return err.Error()
}

// applyAccount applies one account's changes in dependency order and stops
// at the first failure, marking the rest skipped.
func applyAccount(ctx context.Context, a Applier, p *plan.Plan, idx []int) error {
	order := make([]int, len(idx))
	copy(order, idx)
	sort.SliceStable(order, func(x, y int) bool {
		return before(&p.Changes[order[x]], &p.Changes[order[y]])
	})
	var first error
	for _, i := range order {
		c := &p.Changes[i]
		if first != nil {
			c.Status = plan.StatusSkipped
			c.Error = "skipped after an earlier failure in this account"
			continue
		}
		if err := ctx.Err(); err != nil {
			first = err
			c.Status, c.Error = plan.StatusSkipped, err.Error()
			continue
		}
		if c.Current != nil && c.Current.Foreign {
			c.Status, c.Error = plan.StatusSkipped, "not owned by orgnotify; never changed"
			continue
		}
		if err := a.Apply(ctx, string(c.Action), c.Desired, c.Current); err != nil {
			c.Status, c.Error = plan.StatusFailed, err.Error()
			first = err
			continue
		}
		c.Status = plan.StatusOK
	}
	return first
}

// before orders two changes of one account: creates and updates first, in
// creation order (roles before rules, the key before what it encrypts, a
// dead-letter queue before the queue redriving to it), then deletes in the
// reverse order (a rule before the role its targets use).
func before(x, y *plan.Change) bool {
	dx, dy := x.Action == plan.Delete, y.Action == plan.Delete
	if dx != dy {
		return dy
	}
	rx, ry := rank(x), rank(y)
	if rx != ry {
		if dx {
			return rx > ry
		}
		return rx < ry
	}
	if x.Region != y.Region {
		return x.Region < y.Region
	}
	if dx {
		return x.Name > y.Name
	}
	return x.Name < y.Name
}

// rank is the kind's creation rank, with queues that redrive to another
// queue after the plain ones (their dead-letter queues).
func rank(c *plan.Change) int {
	r := 2 * c.Kind.Rank()
	res := c.Desired
	if res == nil {
		res = c.Current
	}
	if c.Kind == desired.SQSQueue && res != nil && res.Settings[desired.SetRedrivePolicy] != "" {
		r++
	}
	return r
}
