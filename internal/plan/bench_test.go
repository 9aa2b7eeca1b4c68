package plan

import (
	"fmt"
	"io"
	"testing"

	"github.com/orgnotify/orgnotify/internal/desired"
)

// orgResources is a no-op plan's input at the scale of the issue's
// benchmark: 1,000 member accounts × 4 regions × 6 rules, plus a role per
// account; the observed side has the same documents in another key order,
// as AWS returns them.
func orgResources() (want, have []desired.Resource) {
	regions := []string{"us-east-1", "us-west-2", "eu-west-1", "eu-central-1"}
	for a := range 1000 {
		account := fmt.Sprintf("%012d", 200000000000+a)
		want = append(want, role(account))
		have = append(have, role(account))
		for _, region := range regions {
			for r := range 6 {
				w := rule(account, fmt.Sprintf("orgnotify-fwd-%d", r), pattern)
				w.Region = region
				h := with(w, func(x *desired.Resource) {
					x.Settings[desired.SetEventPattern] = `{"source":["aws.cloudformation"],"detail":{"status-details":{"status":["UPDATE_FAILED","ROLLBACK_COMPLETE"]}}}`
				})
				want = append(want, w)
				have = append(have, h)
			}
		}
	}
	return want, have
}

func BenchmarkComputeNoChange(b *testing.B) {
	want, have := orgResources()
	b.ReportAllocs()
	for b.Loop() {
		if p := Compute(want, have); !p.Empty() {
			b.Fatalf("plan has %d changes", len(p.Changes))
		}
	}
}

func BenchmarkRender(b *testing.B) {
	p := bigPlan(10000)
	b.Run("text", func(b *testing.B) {
		for b.Loop() {
			if err := WriteText(io.Discard, p, TextOptions{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("json", func(b *testing.B) {
		for b.Loop() {
			if err := WriteJSON(io.Discard, p); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("markdown", func(b *testing.B) {
		for b.Loop() {
			Markdown(p, 65536)
		}
	})
}
