package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/orgnotify/orgnotify/internal/config"
	"github.com/orgnotify/orgnotify/internal/cost"
	"github.com/orgnotify/orgnotify/internal/events"
	"github.com/orgnotify/orgnotify/internal/findings"
	"github.com/orgnotify/orgnotify/internal/plan"
	"github.com/orgnotify/orgnotify/internal/reconcile"
	osl "github.com/orgnotify/orgnotify/internal/slack"
)

const (
	// commentPlanLimit keeps the plan inside the comment's plan section
	// (the markdown package cuts anything longer), so plan.Markdown's own
	// "N changes not shown" note survives.
	commentPlanLimit = 20000
	// maxPreviewAccounts bounds the digest preview: a pull request that
	// touches many accounts gets the first few, and a count of the rest.
	maxPreviewAccounts = 3
	// maxErrorText bounds an error quoted in the comment.
	maxErrorText = 1000
)

// commentPlan makes the read-only plan for the comment's plan section. It
// never applies (reconcile.Plan observes and compares only), and it never
// fails the command: when no plan can be made the section says why.
func commentPlan(ctx context.Context, model *config.Model, memberRole string, std stdio) string {
	if model == nil {
		return "_No plan: the configuration has errors (see the findings above). A plan is only made from a configuration that validates._"
	}
	f := reconcileFlags{concurrency: 32, memberRole: memberRole}
	rc, err := connect(ctx, model, f, reconcile.Shard{}, std)
	if err != nil {
		return noPlan(err)
	}
	rc.opts.Progress = nil
	res, err := reconcile.Plan(ctx, rc.cloud, rc.scope, rc.want, rc.opts)
	if err != nil {
		return noPlan(err)
	}
	var b strings.Builder
	role := memberRole
	if role == "" {
		role = model.Org.MemberRole
	}
	fmt.Fprintf(&b, "What `orgnotify apply` would change after merge (a read-only plan: the hub and member accounts read as `%s`).\n\n", inline(role))
	b.WriteString(plan.Markdown(res.Plan, commentPlanLimit))
	if len(res.Failures) > 0 || len(res.Warnings) > 0 {
		var lines []string
		for _, fl := range res.Failures {
			lines = append(lines, "failed: "+fl.String())
		}
		for _, w := range res.Warnings {
			lines = append(lines, "warning: "+w)
		}
		b.WriteString("\n\nAccounts this plan could not read (their changes are not shown):\n\n" + fenced(clipText(strings.Join(lines, "\n"), 4*maxErrorText)))
	}
	return b.String()
}

func noPlan(err error) string {
	return "_No plan: it could not be made. The validation result above stands._\n\n" + fenced(clipText(err.Error(), maxErrorText))
}

// commentPreview renders, for each account file the pull request adds or
// changes (compared with base), the Slack messages its channels would get
// for the sample events retargeted to it.
func commentPreview(ctx context.Context, model *config.Model, root, base, samplesDir string, now time.Time) string {
	switch {
	case model == nil:
		return "_No digest preview: the configuration has errors (see the findings above)._"
	case base == "":
		return "_No digest preview: no base commit to compare the account files with (`--base`)._"
	}
	changed, err := changedAccounts(model, root, base)
	if err != nil {
		return "_No digest preview: " + err.Error() + "._"
	}
	if len(changed) == 0 {
		return "_No digest preview: this pull request changes no account file._"
	}
	if samplesDir == "" {
		samplesDir = filepath.Join(base, "testdata", "events")
	}
	samples, _, err := readEvents(samplesDir)
	if err != nil || len(samples) == 0 {
		return "_No digest preview: no sample events in the base commit's `testdata/events`._"
	}
	router := events.NewRouter(model.Org, model.Accounts)
	pipe := &events.Pipeline{Router: router, Log: slog.New(slog.DiscardHandler)}
	shown := changed
	if len(shown) > maxPreviewAccounts {
		shown = shown[:maxPreviewAccounts]
	}
	costs, costErr := costPreview(ctx, model.Org, shown, now)

	var b strings.Builder
	b.WriteString("_A preview on **sample events** (`testdata/events`), rewritten as if they were about each account this pull request adds or changes: the Slack messages its channels would receive, after its categories and filters. Not real events. The cost digest is shown on **made-up figures**, not the account's costs (so are any threshold alerts in it): it shows how the account's cost settings shape the message._\n")
	for _, a := range shown {
		p := pipe.Run(ctx, events.Retarget(samples, a.ID))
		filtered := 0
		for _, it := range p.Items {
			if it.Event != nil && it.DuplicateOf == "" && !it.Alert() {
				filtered++
			}
		}
		fmt.Fprintf(&b, "\n**%s** (%s): %d of %d sample events would be posted, %d filtered out by its settings.\n\n",
			inline(a.Name), a.ID, len(p.Items)-filtered, len(p.Items), filtered)
		if len(p.Posts) == 0 {
			b.WriteString("_No message: the account subscribes to none of the sample events' categories._\n")
		} else {
			msgs := make([]osl.Message, 0, len(p.Posts))
			for _, post := range p.Posts {
				msgs = append(msgs, post.Message)
			}
			b.WriteString(fenced(renderText(msgs)))
		}
		switch msg, ok := costs[a.ID]; {
		case costErr != nil:
			b.WriteString("\n_No cost digest preview:_\n\n" + fenced(clipText(costErr.Error(), maxErrorText)))
		case ok:
			fmt.Fprintf(&b, "\nCost digest of **%s** on made-up figures:\n\n%s", inline(a.Name), fenced(msg))
		default:
			b.WriteString("\n_No cost digest: it is disabled for this account._\n")
		}
	}
	if n := len(changed) - len(shown); n > 0 {
		fmt.Fprintf(&b, "\n_… and %d more changed account(s), not previewed._\n", n)
	}
	return b.String()
}

// changedAccounts lists the accounts whose file differs from the base
// commit's, or that the base does not have, sorted by name.
func changedAccounts(model *config.Model, root, base string) ([]*config.Account, error) {
	if _, err := os.Stat(filepath.Join(base, "accounts")); err != nil {
		return nil, fmt.Errorf("the base commit has no accounts/")
	}
	var out []*config.Account
	for _, a := range model.Accounts {
		name := a.Name + ".yaml"
		now, err := os.ReadFile(filepath.Join(root, "accounts", name))
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
		was, err := os.ReadFile(filepath.Join(base, "accounts", name))
		if err != nil || !bytes.Equal(now, was) {
			out = append(out, a)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// droppedRegions warns about each region the pull request removes from
// regions without listing it under retiredRegions: plan and apply would no
// longer look there, so its rules would keep forwarding to the hub.
func droppedRegions(model *config.Model, root, base string) []findings.Finding {
	if model == nil || base == "" {
		return nil
	}
	was, _, err := orgRegions(filepath.Join(base, "org.yaml"))
	if err != nil {
		return nil // a base without a readable org.yaml has nothing to compare
	}
	_, line, _ := orgRegions(filepath.Join(root, "org.yaml"))
	var out []findings.Finding
	for _, r := range was {
		if slices.Contains(model.Org.Regions, r) || slices.Contains(model.Org.RetiredRegions, r) {
			continue
		}
		out = append(out, findings.Finding{
			File: "org.yaml", Line: line, Field: "regions", Severity: findings.Warning, Rule: "region-dropped",
			Message: fmt.Sprintf("%s leaves regions but is not under retiredRegions: orgnotify would stop looking there and its rules would keep forwarding; list it under retiredRegions so the apply deletes them (docs/operations.md, Removing a region)", r),
		})
	}
	return out
}

// orgRegions reads regions, and the line of its key, from an org.yaml.
func orgRegions(path string) (regions []string, line int, err error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, 0, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil || len(doc.Content) == 0 {
		return nil, 0, fmt.Errorf("%s: not a YAML document", path)
	}
	top := doc.Content[0]
	for i := 0; i+1 < len(top.Content); i += 2 {
		if top.Content[i].Value == "regions" {
			err := top.Content[i+1].Decode(&regions)
			return regions, top.Content[i].Line, err
		}
	}
	return nil, 0, nil
}

// costPreview renders each account's cost digest on made-up figures
// (cost.Sample) through the real plan, reports and messages, keyed by
// account ID; accounts without a cost digest are left out. The report day
// is the last day of last month, when DAILY and MONTHLY digests are both due.
func costPreview(ctx context.Context, org *config.Org, accounts []*config.Account, now time.Time) (map[string]string, error) {
	day := cost.Day(now)
	day = day.AddDate(0, 0, -day.Day())
	plan := cost.NewPlan(accounts, day, day.AddDate(0, 0, 1))
	data, err := cost.Fetch(ctx, cost.Sample{}, plan, cost.FetchOptions{RatePerSecond: -1})
	if err != nil {
		return nil, err
	}
	reports, err := cost.Reports(org, plan, data)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, r := range reports {
		out[r.Account.ID] = renderText(r.Messages())
	}
	return out, nil
}

// renderText is the messages as Slack would show them, one after another.
func renderText(msgs []osl.Message) string {
	texts := make([]string, 0, len(msgs))
	for _, m := range msgs {
		texts = append(texts, osl.Render(m))
	}
	return strings.TrimRight(strings.Join(texts, "\n"), "\n")
}

// fenced puts text in a code block whose fence no run of backticks in it
// can close, so nothing from a pull request's files renders as Markdown.
func fenced(text string) string {
	longest, run := 0, 0
	for _, r := range text {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", max(3, longest+1))
	return fence + "text\n" + text + "\n" + fence + "\n"
}

// inline makes s safe inside an inline code span.
func inline(s string) string { return strings.ReplaceAll(s, "`", "'") }

func clipText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := s[:n]
	for len(cut) > 0 && cut[len(cut)-1]&0xC0 == 0x80 {
		cut = cut[:len(cut)-1]
	}
	return cut + " …"
}
