package reconcile

import (
	"context"

	"github.com/orgnotify/orgnotify/internal/desired"
	"github.com/orgnotify/orgnotify/internal/plan"
)

// PlanDestroy observes what orgnotify owns, as Plan does, and plans its
// deletion: the plan of an empty configuration. want only says where to
// look (the regions of the configured resources); nothing is created.
// Only resources with the prefix and the ownership tag (and the aliases
// and subscriptions of owned keys and topics) are deleted; anything else
// is not even shown. There is no CloudTrail preflight and no
// maxDeletionsPerApply limit: deleting everything is the point, and the
// caller asks for confirmation instead.
func PlanDestroy(ctx context.Context, cloud Cloud, scope Scope, want []desired.Resource, opts Options) (Result, error) {
	accounts, warnings, err := accountsToObserve(ctx, cloud, scope, opts)
	if err != nil {
		return Result{}, err
	}
	have, failures, unread := observe(ctx, cloud, scope, scope.wantRegions(want), accounts, opts)
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	return Result{Plan: plan.Compute(nil, have), Failures: failures, Warnings: append(warnings, unread...)}, nil
}

// Destroy applies a plan PlanDestroy made, as shown to the person who
// confirmed it: each delete re-reads the ownership tag first (Applier),
// one account's failure does not stop the others, and every error is
// reported.
func Destroy(ctx context.Context, a Applier, scope Scope, planned Result, opts Options) Result {
	planned.Failures = append(planned.Failures, apply(ctx, a, scope, &planned.Plan, opts)...)
	return planned
}
