package events_test

import (
	"strings"
	"testing"

	"github.com/orgnotify/orgnotify/internal/events"
)

// TestRetarget: every sample about one account becomes a sample about the
// target account, attributed to it wherever the kind reads the account
// from; organization-wide and unknown events are left out.
func TestRetarget(t *testing.T) {
	const target = "900000000001"
	all := samples(t)
	got := events.Retarget(all, target)
	want, subject := 0, map[string]string{}
	for _, rec := range all {
		env, err := events.ParseEnvelope(rec.Body)
		if err != nil {
			t.Fatalf("%s: %v", rec.Origin, err)
		}
		if ev := events.Classify(env); !ev.OrgLevel && ev.SubjectAccount != "" && ev.Category != events.Organizations && ev.Category != events.Other {
			want++
			subject[rec.Origin] = ev.SubjectAccount
		}
	}
	if len(got) != want || want == 0 {
		t.Fatalf("%d retargeted records, want %d", len(got), want)
	}
	for _, rec := range got {
		env, err := events.ParseEnvelope(rec.Body)
		if err != nil {
			t.Fatalf("%s: %v", rec.Origin, err)
		}
		ev := events.Classify(env)
		if ev.SubjectAccount != target {
			t.Errorf("%s: about %s, want %s", rec.Origin, ev.SubjectAccount, target)
		}
		if ev.Category == events.Organizations || ev.Category == events.Other {
			t.Errorf("%s: category %s is not an account's", rec.Origin, ev.Category)
		}
		if was := subject[rec.Origin]; was == "" || strings.Contains(string(rec.Body), was) {
			t.Errorf("%s still names %q, the account it was about", rec.Origin, was)
		}
	}
}
