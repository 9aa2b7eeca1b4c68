package plan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/orgnotify/orgnotify/internal/desired"
)

// bigPlan creates n rules across accounts, with a long pattern each.
func bigPlan(n int) Plan {
	want := make([]desired.Resource, n)
	for i := range want {
		want[i] = rule(fmt.Sprintf("%012d", 100000000000+i), fmt.Sprintf("orgnotify-fwd-%05d", i), pattern)
	}
	return Compute(want, nil)
}

func TestMarkdownStaysUnderTheLimit(t *testing.T) {
	p := bigPlan(10000)
	// The whole comment's limit, and the share internal/github gives the plan.
	for _, limit := range []int{65536, 24000} {
		t.Run(fmt.Sprint(limit), func(t *testing.T) {
			md := Markdown(p, limit)
			if len(md) > limit {
				t.Fatalf("Markdown is %d bytes, limit %d", len(md), limit)
			}
			for _, want := range []string{
				"**Plan: 10000 to create, 0 to update, 0 to delete, 0 conflicts.**",
				"| 10000 | 0 | 0 | 0 | 0 |",
				"<details><summary>Show the plan (10000 changes)</summary>",
				"```diff\n+ events.rule 100000000000/us-east-1 orgnotify-fwd-00000\n    + EventBusName = \"default\"\n",
				"\n\n+ events.rule 100000000001/us-east-1 orgnotify-fwd-00001\n    + EventBusName = \"default\"\n",
				listIntro,
				"</details>",
			} {
				if !strings.Contains(md, want) {
					t.Errorf("Markdown lacks %q", want)
				}
			}
			shown := strings.Count(md, "\n+ events.rule ")
			if note := fmt.Sprintf("\n… %d more changes not shown here (size limit)", 10000-shown); !strings.HasSuffix(md, note+"; `orgnotify plan` prints the whole plan.\n") {
				t.Errorf("the note does not count the %d changes left out:\n%s", 10000-shown, md[len(md)-300:])
			}
			if len(md) < limit*9/10 {
				t.Errorf("Markdown uses %d of %d bytes", len(md), limit)
			}
			checkFences(t, md)
		})
	}
}

func TestMarkdownShortPlanIsOpen(t *testing.T) {
	md := Markdown(bigPlan(1), 65536)
	if strings.Contains(md, "<details>") || strings.Contains(md, "not shown") {
		t.Errorf("a one-change plan is folded or cut:\n%s", md)
	}
	if !strings.Contains(md, "+ events.rule 100000000000/us-east-1 orgnotify-fwd-00000") {
		t.Errorf("the change is missing:\n%s", md)
	}
}

// TestMarkdownAnyLimit checks every limit up to well past one change: the
// result never exceeds it, is valid UTF-8, never leaves a fence open, and
// shows the start of the first change as soon as there is room.
func TestMarkdownAnyLimit(t *testing.T) {
	p := samplePlan()
	full := Markdown(p, 1<<20)
	for limit := 0; limit <= len(full)+10; limit++ {
		md := Markdown(p, limit)
		if len(md) > limit {
			t.Fatalf("limit %d: %d bytes", limit, len(md))
		}
		if !utf8.ValidString(md) {
			t.Fatalf("limit %d: invalid UTF-8", limit)
		}
		if strings.Count(md, "```")%2 != 0 {
			t.Fatalf("limit %d: a code fence is left open:\n%s", limit, md)
		}
		if strings.Count(md, "<details>") != strings.Count(md, "</details>") {
			t.Fatalf("limit %d: <details> left open", limit)
		}
		if limit >= len(full) && md != full {
			t.Fatalf("limit %d: cut although the whole plan fits", limit)
		}
	}
	if Markdown(p, 2000) == Markdown(p, 0) {
		t.Error("2000 bytes show nothing more than none")
	}
	if md := Markdown(p, 1500); !strings.Contains(md, "~ kms.key 111111111111/eu-west-1 alias/orgnotify") {
		t.Errorf("1500 bytes do not show the first change:\n%s", md)
	}
}

func checkFences(t *testing.T, md string) {
	t.Helper()
	if strings.Count(md, "```")%2 != 0 {
		t.Errorf("a code fence is left open")
	}
}

// hostile is what someone with access to an account (or a pull request)
// could put in names, tags and policies.
var hostile = []string{
	"::error file=x::pwned",
	"x\n::add-mask::secret",
	"##[error]pwned",
	"a ##[warning]b",
	"\x1b[31mred\x1b[0m",
	"line\r\n::set-output name=x::y",
	"\u202eevil",          // bidi override
	"nel\u0085::error::x", // NEL, a newline to some readers
	"```\n</details>\n# heading",
	"| cell | break |",
	"@org/team <img src=x onerror=alert(1)> [link](http://x) *em*",
}

func hostilePlan() Plan {
	var want, have []desired.Resource
	for i, s := range hostile {
		r := desired.Resource{
			ID:       desired.ID{Account: member, Region: "us-east-1", Kind: desired.SQSQueue, Name: fmt.Sprintf("q%d-%s", i, s)},
			Settings: map[string]string{desired.SetDescription: s, desired.SetPolicy: fmt.Sprintf(`{"Sid":%q}`, s)},
			Tags:     map[string]string{s: s},
		}
		want = append(want, r)
		have = append(have, with(r, func(r *desired.Resource) {
			r.Settings[desired.SetDescription] = "old " + s
			r.Settings[desired.SetPolicy] = `{"Sid":"old"}`
			if i%2 == 0 {
				r.Foreign = true
			}
		}))
		gone := r
		gone.Name = "gone-" + s
		have = append(have, gone)
		want = append(want, desired.Resource{ID: desired.ID{Account: s, Region: s, Kind: desired.EventRule, Name: s}, Settings: map[string]string{desired.SetEventPattern: fmt.Sprintf(`{%q:[%q]}`, s, s)}})
	}
	p := Compute(want, have)
	p.Pending = append(p.Pending, desired.ID{Account: member, Kind: desired.SNSSubscription, Name: "t/email:" + hostile[1]})
	for i := range p.Changes {
		p.Changes[i].Status = StatusFailed
		p.Changes[i].Error = hostile[i%len(hostile)]
	}
	return p
}

// TestRenderedValuesAreInert renders a plan full of hostile values in
// every format and checks that no line would run a workflow command, that
// no control character survives, and that the Markdown structure holds.
func TestRenderedValuesAreInert(t *testing.T) {
	p := hostilePlan()
	var text, color, js bytes.Buffer
	if err := WriteText(&text, p, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := WriteText(&color, p, TextOptions{Color: true}); err != nil {
		t.Fatal(err)
	}
	if err := WriteJSON(&js, p); err != nil {
		t.Fatal(err)
	}
	md := Markdown(p, 65536)
	outputs := map[string]string{
		"text":     text.String(),
		"color":    stripColor(color.String()),
		"json":     js.String(),
		"markdown": md,
	}
	for format, out := range outputs {
		for n, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(strings.TrimLeftFunc(l, unicode.IsSpace), "::") || strings.Contains(l, "##[") {
				t.Errorf("%s line %d is a workflow command: %q", format, n+1, l)
			}
			if i := strings.IndexFunc(l, func(r rune) bool { return r != '\t' && (unicode.IsControl(r) || unicode.Is(unicode.Cf, r)) }); i >= 0 {
				t.Errorf("%s line %d holds a control character: %q", format, n+1, l)
			}
		}
	}
	var back Report
	if err := json.Unmarshal(js.Bytes(), &back); err != nil {
		t.Fatalf("the escaped JSON does not parse: %v", err)
	}
	for i, c := range back.Changes {
		if c.ID != p.Changes[i].ID || c.Error != p.Changes[i].Error || !slices.Equal(c.Diff, p.Changes[i].Diff) {
			t.Errorf("change %d reads back as %+v, want %+v", i, c, p.Changes[i])
		}
	}
	if !strings.Contains(text.String(), `#\u0023[error]pwned`) {
		t.Error(`"##[" is not shown escaped`)
	}

	// The Markdown outside the code block is the tables: one row per
	// line, every cell escaped; inside it, nothing can close the fence.
	inFence := false
	fence := ""
	for _, l := range strings.Split(md, "\n") {
		switch {
		case !inFence && strings.HasPrefix(l, "```"):
			inFence, fence = true, strings.TrimSuffix(l, "diff")
		case inFence && l == fence:
			inFence = false
		case inFence && strings.HasPrefix(strings.TrimLeft(l, " "), "```") && len(l)-len(strings.TrimLeft(l, " ")) < 4:
			t.Errorf("line %q could close the code block", l)
		case !inFence && strings.HasPrefix(l, "| "):
			if strings.Count(strings.ReplaceAll(l, `\|`, ""), "|") != 6 {
				t.Errorf("table row %q does not have 5 cells", l)
			}
			for _, bad := range []string{"<img", "](", "@org", "\x1b"} {
				if strings.Contains(strings.ReplaceAll(l, `\]`, ""), bad) {
					t.Errorf("table row %q holds %q unescaped", l, bad)
				}
			}
		}
	}
	if inFence {
		t.Error("the code block is never closed")
	}
}

func stripColor(s string) string {
	for _, code := range []string{"\x1b[0m", "\x1b[1m", "\x1b[31m", "\x1b[32m", "\x1b[33m", "\x1b[35m"} {
		s = strings.ReplaceAll(s, code, "")
	}
	return s
}
