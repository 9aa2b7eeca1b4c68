package events

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
)

// Record is one input event: a queue message or one event of a replay file.
type Record struct {
	Origin string // where it came from, for reports: "file.jsonl:3", a message ID
	Body   []byte
	// Only, when set, limits the event to these channels: the ones a
	// previous run could not post to (see Drain).
	Only []string
	// Kind overrides classification for dead-letter reports (see deadletter.go).
	deadLetter *deadLetter
}

// Item is what became of one record.
type Item struct {
	Record   *Record
	Event    *Event // nil when the record is not an event
	Err      error  // why it is not an event
	Decision Decision
	// DuplicateOf is the ID of the event this one repeats; it is shown once.
	DuplicateOf string
	// EnrichErr is why Service Catalog enrichment failed (the alert goes out anyway).
	EnrichErr error

	primary *Item // the first occurrence, for a duplicate
}

// Product is the Service Catalog provisioned product behind a stack.
type Product struct {
	Name    string // provisioned product name
	Product string // product name, when known
	Version string // provisioning artifact (version) name or ID
}

// ProductLookup finds the provisioned product that launched a stack, by
// assuming the member role in the stack's account and region (W16).
type ProductLookup interface {
	ProvisionedProduct(ctx context.Context, account, region, stackARN string) (Product, error)
}

// ErrNoProduct is returned by a ProductLookup that found no provisioned
// product for the stack.
var ErrNoProduct = errors.New("no provisioned product for the stack")

// Pipeline classifies, deduplicates, enriches and routes records.
type Pipeline struct {
	Router   *Router
	Products ProductLookup // nil: no enrichment
	Log      *slog.Logger
}

// Plan is the outcome of a pipeline run: one item per record and one
// message per channel.
type Plan struct {
	Items []*Item
	Posts []Post
}

// Run processes records in order; it never stops at a bad record.
func (p *Pipeline) Run(ctx context.Context, records []*Record) *Plan {
	plan := &Plan{}
	byID := map[string]*Item{}
	byKey := map[string]*Item{}
	products := map[string]productResult{}
	for _, rec := range records {
		it := &Item{Record: rec}
		plan.Items = append(plan.Items, it)
		var ev Event
		if rec.deadLetter != nil {
			ev = rec.deadLetter.event()
		} else {
			env, err := ParseEnvelope(rec.Body)
			if err != nil {
				it.Err = err
				continue
			}
			ev = Classify(env)
		}
		it.Event = &ev
		if first, dup := byID[ev.ID]; dup {
			it.DuplicateOf, it.primary = first.Event.ID, first
			continue
		}
		byID[ev.ID] = it
		if ev.DedupeKey != "" {
			if first, dup := byKey[ev.DedupeKey]; dup {
				it.DuplicateOf, it.primary = first.Event.ID, first
				continue
			}
			byKey[ev.DedupeKey] = it
		}
		it.Decision = p.Router.Route(it.Event)
		if it.Decision.Alert && len(rec.Only) > 0 {
			it.Decision.Channels = rec.Only
		}
		if it.Decision.Alert && p.Products != nil && ev.StackARN != "" && IsServiceCatalogStack(ev.Resource) {
			p.enrich(ctx, it, products)
		}
	}
	plan.Posts = p.posts(plan.Items)
	return plan
}

type productResult struct {
	p   Product
	err error
}

// enrich names the provisioned product behind a Service Catalog stack.
// A failure is logged and kept on the item; the alert goes out without it.
func (p *Pipeline) enrich(ctx context.Context, it *Item, cache map[string]productResult) {
	ev := it.Event
	r, ok := cache[ev.StackARN]
	if !ok {
		r.p, r.err = p.Products.ProvisionedProduct(ctx, ev.SubjectAccount, ev.Region, ev.StackARN)
		cache[ev.StackARN] = r
	}
	if r.err != nil {
		it.EnrichErr = r.err
		if p.Log != nil {
			p.Log.Warn("service catalog enrichment failed; alerting without it", "stack", ev.StackARN, "err", r.err)
		}
		return
	}
	ev.Product = r.p.Name
	if r.p.Product != "" && r.p.Product != r.p.Name {
		ev.Product = r.p.Name + " (" + r.p.Product + ")"
	}
	ev.Version = r.p.Version
}

// messages groups the alerting events per channel, one message each,
// channels in a stable order.
func (p *Pipeline) posts(items []*Item) []Post {
	per := map[string][]Event{}
	for _, it := range items {
		if it.Event == nil || it.DuplicateOf != "" || !it.Decision.Alert {
			continue
		}
		for _, ch := range it.Decision.Channels {
			per[ch] = append(per[ch], *it.Event)
		}
	}
	channels := make([]string, 0, len(per))
	for ch := range per {
		channels = append(channels, ch)
	}
	sort.Strings(channels)
	var out []Post
	for _, ch := range channels {
		out = append(out, Render(ch, per[ch], p.Router.AccountName))
	}
	return out
}

// Channels returns the channels an item's event is posted to (its first
// occurrence's, for a duplicate).
func (it *Item) Channels() []string {
	if it.primary != nil {
		return it.primary.Decision.Channels
	}
	return it.Decision.Channels
}

// Alert reports whether the item's event (or the one it repeats) is posted.
func (it *Item) Alert() bool {
	if it.primary != nil {
		return it.primary.Decision.Alert
	}
	return it.Event != nil && it.Decision.Alert
}

// String describes an item for logs.
func (it *Item) String() string {
	if it.Event == nil {
		return fmt.Sprintf("%s: %v", it.Record.Origin, it.Err)
	}
	return fmt.Sprintf("%s: %s %s", it.Record.Origin, it.Event.Category, it.Event.ID)
}
