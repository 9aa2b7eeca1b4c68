package reconcile

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/orgnotify/orgnotify/internal/desired"
)

// regionDown fails every observation of one region.
type regionDown struct{ region string }

func (o regionDown) ObserveRegion(_ context.Context, account, region string) ([]desired.Resource, error) {
	if region == o.region {
		return nil, errors.New("UnrecognizedClientException: the region is not enabled")
	}
	return []desired.Resource{{ID: desired.ID{Account: account, Region: region, Kind: desired.EventRule, Name: "orgnotify-fwd-x"}}}, nil
}
func (regionDown) ObserveRoles(context.Context, string) ([]desired.Resource, error) { return nil, nil }
func (regionDown) OwnsRoles(context.Context, string) (bool, error)                  { return false, nil }
func (regionDown) CountRules(context.Context, string, string, string) (int, error)  { return 0, nil }

// TestUnreadableRetiredRegionIsAWarning: a retired region that cannot be
// read (an opt-in region since disabled) warns and leaves the account's
// other regions in the plan; a configured region that cannot be read
// fails the account.
func TestUnreadableRetiredRegionIsAWarning(t *testing.T) {
	scope := Scope{Hub: "222233334444", HomeRegion: "ap-northeast-1", Regions: []string{"ap-northeast-1"}, Retired: []string{"me-south-1"}}
	const member = "333344445555"
	for _, tc := range []struct {
		down     string
		failed   bool
		warnings int
	}{
		{"me-south-1", false, 1},
		{"ap-northeast-1", true, 0},
	} {
		t.Run(tc.down, func(t *testing.T) {
			have, failures, warnings := observe(context.Background(), regionDown{tc.down}, scope, map[string][]string{}, []string{member}, Options{})
			if (len(failures) == 1) != tc.failed || len(warnings) != tc.warnings {
				t.Fatalf("failures %v, warnings %v; want failed %v, %d warnings", failures, warnings, tc.failed, tc.warnings)
			}
			if !tc.failed && (len(have) != 1 || have[0].Region != "ap-northeast-1") {
				t.Errorf("observed %v, want the account's live region", have)
			}
			if tc.warnings > 0 && !strings.Contains(warnings[0], "retired region me-south-1 of "+member) {
				t.Errorf("warning %q does not name the region and account", warnings[0])
			}
		})
	}
}
