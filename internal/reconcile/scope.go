package reconcile

import (
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"

	"github.com/orgnotify/orgnotify/internal/config"
	"github.com/orgnotify/orgnotify/internal/desired"
)

// Scope is where orgnotify's resources live: the accounts and regions to
// observe, and the organization-wide settings apply checks.
type Scope struct {
	Hub        string   // hub account
	HomeRegion string   // the hub's region
	Management string   // management account
	OrgRegion  string   // organizationsRegion
	Regions    []string // member regions
	// Retired are regions orgnotify left: observed in every account so
	// that what it still owns there is deleted.
	Retired []string
	Members []string // configured member accounts, sorted
	// Lifecycle lists the Organizations events the management account's
	// rule forwards (empty: none).
	Lifecycle []string
	// MaxDeletions is limits.maxDeletionsPerApply; negative means no limit.
	MaxDeletions int
}

// ScopeOf reads the scope from a validated configuration.
func ScopeOf(org *config.Org, accounts []*config.Account) Scope {
	s := Scope{
		Hub:          org.Hub.AccountID,
		HomeRegion:   org.Hub.HomeRegion,
		Management:   org.Organization.ManagementAccountID,
		OrgRegion:    org.OrganizationsRegion,
		Regions:      slices.Clone(org.Regions),
		Retired:      slices.Clone(org.RetiredRegions),
		MaxDeletions: -1,
	}
	if org.Lifecycle != nil {
		s.Lifecycle = slices.Clone(org.Lifecycle.Events)
	}
	if org.Limits.MaxDeletionsPerApply != nil {
		s.MaxDeletions = *org.Limits.MaxDeletionsPerApply
	}
	for _, a := range accounts {
		s.Members = append(s.Members, a.ID)
	}
	slices.Sort(s.Members)
	s.Members = slices.Compact(s.Members)
	return s
}

// regions returns the regions observed in account: the member and
// retired regions (and any other region desired puts a member's rule in,
// such as organizationsRegion for LeaveOrganization) everywhere, plus the
// regions of the hub's and the management account's own resources.
func (s Scope) regions(account string, want map[string][]string) []string {
	out := slices.Concat(s.Regions, s.Retired)
	out = append(out, want[memberKey]...)
	out = append(out, want[account]...)
	if account == s.Hub {
		out = append(out, s.HomeRegion, s.OrgRegion)
	}
	if account == s.Management {
		out = append(out, s.OrgRegion)
	}
	slices.Sort(out)
	out = slices.Compact(out)
	if len(out) > 0 && out[0] == "" {
		out = out[1:]
	}
	return out
}

// retiredOnly reports whether region is observed in account only because
// it is retired: nothing orgnotify wants lives there.
func (s Scope) retiredOnly(account, region string, want map[string][]string) bool {
	if !slices.Contains(s.Retired, region) {
		return false
	}
	s.Retired = nil
	return !slices.Contains(s.regions(account, want), region)
}

// memberKey collects the regions of every member account's resources.
const memberKey = "members"

// wantRegions maps each account (and memberKey) to the regions its desired
// resources are in.
func (s Scope) wantRegions(want []desired.Resource) map[string][]string {
	out := map[string][]string{}
	for _, r := range want {
		if r.Region == desired.Global {
			continue
		}
		out[r.Account] = append(out[r.Account], r.Region)
		if r.Account != s.Hub && r.Account != s.Management {
			out[memberKey] = append(out[memberKey], r.Region)
		}
	}
	for k, v := range out {
		slices.Sort(v)
		out[k] = slices.Compact(v)
	}
	return out
}

// Shard selects a stable subset of member accounts (--shard i/n), so a
// very large organization can be reconciled by n jobs. The hub and the
// management account belong to shard 1.
type Shard struct{ I, N int }

// ParseShard reads "i/n" (1 ≤ i ≤ n); "" is the whole organization.
func ParseShard(s string) (Shard, error) {
	if s == "" {
		return Shard{1, 1}, nil
	}
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 1 || i > n {
		return Shard{}, fmt.Errorf("shard %q: want i/n with 1 ≤ i ≤ n, such as 2/4", s)
	}
	return Shard{i, n}, nil
}

func (sh Shard) String() string { return fmt.Sprintf("%d/%d", sh.I, sh.N) }

// Has reports whether the shard covers account.
func (sh Shard) Has(s Scope, account string) bool {
	if sh.N <= 1 {
		return true
	}
	if account == s.Hub || account == s.Management {
		return sh.I == 1
	}
	h := fnv.New32a()
	h.Write([]byte(account))
	return int(h.Sum32()%uint32(sh.N)) == sh.I-1
}

// apiCallEvents are the lifecycle events CloudTrail delivers as "AWS API
// Call via CloudTrail": all but CreateAccountResult, a service event.
func apiCallEvents(events []string) []string {
	var out []string
	for _, e := range events {
		if e != "CreateAccountResult" {
			out = append(out, e)
		}
	}
	return out
}
