// Package plan is the difference between the resources orgnotify wants
// (package desired) and the ones it observed in AWS: what to create, update
// and delete, and what it must not touch. A Plan is a plain value, computed
// without any I/O, so it can be printed, stored and tested with tables; the
// renderers here write it as text, JSON and Markdown.
package plan

import (
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/orgnotify/orgnotify/internal/desired"
)

// Action is what a change does to one resource.
type Action string

const (
	Create Action = "create"
	Update Action = "update"
	Delete Action = "delete"
	// Conflict is a wanted resource that exists without orgnotify's
	// ownership: shown, never changed.
	Conflict Action = "conflict"
)

// Status is the outcome of a change once apply has run; empty in a plan.
type Status string

const (
	StatusOK      Status = "ok"
	StatusFailed  Status = "failed"
	StatusSkipped Status = "skipped"
)

// FieldDiff is one attribute that differs. Settings are compared with an
// absent value equal to "" (AWS omits empty attributes), so "" means absent:
// Old is "" for a field being set, New is "" for one being removed. JSON
// documents are in canonical form.
type FieldDiff struct {
	Field string `json:"field"` // a settings key, or "tags.<key>"
	Old   string `json:"old"`
	New   string `json:"new"`
}

// Change is one action on one resource.
type Change struct {
	Action Action
	desired.ID
	// Diff lists the fields that differ, sorted by Field: every set field
	// for a create, the old ones for a delete, none for a conflict.
	Diff []FieldDiff
	// Reason says why a conflict is not changed.
	Reason string
	// Desired is the wanted resource (nil for a delete); Current the
	// observed one (nil for a create), which carries the Ref apply needs.
	Desired, Current *desired.Resource
	// Status and Error are filled in by apply.
	Status Status
	Error  string
}

// Plan is every change, in the order apply runs them: creates, updates and
// conflicts interleaved in desired.Less order (dependencies first), then
// deletes in reverse kind rank (dependents first).
type Plan struct {
	Changes []Change
	// Pending lists wanted subscriptions still waiting for their endpoint
	// to confirm (AWS-WIRING W6): a state, not a change.
	Pending []desired.ID
}

// Summary counts the changes by action.
type Summary struct {
	Create   int `json:"create"`
	Update   int `json:"update"`
	Delete   int `json:"delete"`
	Conflict int `json:"conflict"`
}

// Summary counts p's changes by action.
func (p Plan) Summary() Summary {
	var s Summary
	for _, c := range p.Changes {
		switch c.Action {
		case Create:
			s.Create++
		case Update:
			s.Update++
		case Delete:
			s.Delete++
		case Conflict:
			s.Conflict++
		}
	}
	return s
}

// Empty reports whether p has nothing to show: no change and no conflict.
// Pending subscriptions do not count; they wait on someone else.
func (p Plan) Empty() bool { return len(p.Changes) == 0 }

// Deletions is the number of deletes, checked against
// limits.maxDeletionsPerApply.
func (p Plan) Deletions() int { return p.Summary().Delete }

// HasConflicts reports whether a wanted resource is held by someone else.
func (p Plan) HasConflicts() bool { return p.Summary().Conflict > 0 }

// Compute returns the changes that turn have (observed) into want. Both
// lists hold one resource per ID; should an ID repeat, its first
// occurrence counts. want and have are not modified.
//
//   - create: wanted, not observed;
//   - update: wanted and observed, and a setting or a wanted tag differs
//     (tags the desired resource does not set are someone else's);
//   - delete: observed, owned, not wanted;
//   - conflict: wanted, observed with Foreign set. A foreign resource that
//     is not wanted is no business of orgnotify's and is left out.
//
// A wanted subscription observed as Pending is listed in Plan.Pending. An
// unwanted pending one is left out too: it has no ARN to unsubscribe, AWS
// drops it after 48 hours, and should its endpoint confirm it first, it is
// an owned subscription that the next plan deletes.
func Compute(want, have []desired.Resource) Plan {
	observed := make(map[desired.ID]*desired.Resource, len(have))
	for i := range have {
		if _, dup := observed[have[i].ID]; !dup {
			r := have[i]
			observed[r.ID] = &r
		}
	}
	wanted := make(map[desired.ID]bool, len(want))

	var p Plan
	for i := range want {
		w := want[i]
		if wanted[w.ID] {
			continue
		}
		wanted[w.ID] = true
		cur, ok := observed[w.ID]
		switch {
		case !ok:
			p.Changes = append(p.Changes, Change{Action: Create, ID: w.ID, Diff: diffResources(nil, &w), Desired: &w})
		case cur.Foreign:
			p.Changes = append(p.Changes, Change{Action: Conflict, ID: w.ID, Reason: conflictReason(w.Kind), Desired: &w, Current: cur})
		case cur.Pending:
			p.Pending = append(p.Pending, w.ID)
		default:
			if d := diffResources(cur, &w); len(d) > 0 {
				p.Changes = append(p.Changes, Change{Action: Update, ID: w.ID, Diff: d, Desired: &w, Current: cur})
			}
		}
	}
	sort.SliceStable(p.Changes, func(i, j int) bool { return desired.Less(p.Changes[i].ID, p.Changes[j].ID) })
	sort.Slice(p.Pending, func(i, j int) bool { return desired.Less(p.Pending[i], p.Pending[j]) })

	var deletes []Change
	deleted := make(map[desired.ID]bool)
	for i := range have {
		cur := observed[have[i].ID]
		if wanted[cur.ID] || deleted[cur.ID] || cur.Foreign || cur.Pending {
			continue
		}
		deleted[cur.ID] = true
		deletes = append(deletes, Change{Action: Delete, ID: cur.ID, Diff: diffResources(cur, nil), Current: cur})
	}
	sort.Slice(deletes, func(i, j int) bool { return deleteLess(deletes[i].ID, deletes[j].ID) })
	p.Changes = append(p.Changes, deletes...)
	return p
}

// deleteLess orders deletes by reverse kind rank, so that a rule goes
// before the bus, role or topic it refers to, then as desired.Less.
func deleteLess(a, b desired.ID) bool {
	if a.Kind != b.Kind {
		return a.Kind.Rank() > b.Kind.Rank()
	}
	return desired.Less(a, b)
}

func conflictReason(k desired.Kind) string {
	if k.Taggable() {
		return "exists without the ownership tag: orgnotify never changes it"
	}
	return "exists but does not belong to a key or topic orgnotify owns: orgnotify never changes it"
}

// diffResources lists the fields that differ between from and to, either
// of which may be nil (a create or a delete).
//
// The desired resource says which settings orgnotify manages: an observed
// setting it does not name is not compared, so an observer that reads an
// attribute more (a default, say) never makes a plan that does not
// converge. The exception is a collection orgnotify owns whole, the inline
// policies of its roles: one it does not want is removed, since it could
// grant more than intended. Tags are compared over the keys to sets:
// foreign extra tags are not orgnotify's to remove. A delete lists every
// setting and tag of from.
func diffResources(from, to *desired.Resource) []FieldDiff {
	var oldS, newS, oldT, newT map[string]string
	if from != nil {
		oldS, oldT = from.Settings, from.Tags
	}
	if to != nil {
		newS, newT = to.Settings, to.Tags
	}
	keys := slices.Collect(maps.Keys(newS))
	for k := range oldS {
		if _, both := newS[k]; !both && (to == nil || ownedWhole(k)) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var d []FieldDiff
	for _, k := range keys {
		o, n := oldS[k], newS[k]
		if o == n { // equal text is an equal document: no need to parse
			continue
		}
		if o, n = normalize(k, o), normalize(k, n); o != n {
			d = append(d, FieldDiff{Field: k, Old: o, New: n})
		}
	}

	kind := desired.Kind("")
	if to != nil {
		kind = to.Kind
	} else if from != nil {
		kind = from.Kind
	}
	if !kind.Taggable() {
		return d
	}
	tagKeys := slices.Sorted(maps.Keys(newT))
	if to == nil {
		tagKeys = slices.Sorted(maps.Keys(oldT))
	}
	for _, k := range tagKeys {
		o, had := oldT[k]
		n := newT[k]
		if !had || o != n {
			d = append(d, FieldDiff{Field: TagPrefix + k, Old: o, New: n})
		}
	}
	return d
}

// TagPrefix starts the Field of a tag's FieldDiff.
const TagPrefix = "tags."

// ownedWhole reports whether a setting belongs to a collection that
// orgnotify owns entirely (see diffResources).
func ownedWhole(field string) bool { return strings.HasPrefix(field, desired.SetInlinePolicyPrefix) }

// docKind says which settings hold JSON documents and how AWS compares
// them. Inline role policies are keyed by desired.SetInlinePolicyPrefix.
func docKind(field string) (desired.Doc, bool) {
	switch field {
	case desired.SetPolicy, desired.SetTrustPolicy:
		return desired.Policy, true
	case desired.SetEventPattern, desired.SetFilterPolicy, desired.SetTargets, desired.SetRedrivePolicy:
		return desired.Pattern, true
	}
	if strings.HasPrefix(field, desired.SetInlinePolicyPrefix) {
		return desired.Policy, true
	}
	return 0, false
}

// normalize re-canonicalises a JSON setting. Both sides should already be
// canonical; doing it again here means an observer that forgot to (or a
// change in CanonicalJSON) never shows up as drift. A value that does not
// parse is compared as it is.
func normalize(field, v string) string {
	kind, ok := docKind(field)
	if !ok || v == "" {
		return v
	}
	if c, err := desired.CanonicalJSON(v, kind); err == nil {
		return c
	}
	return v
}
