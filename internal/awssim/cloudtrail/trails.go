package cloudtrail

import (
	"context"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/orgnotify/orgnotify/internal/awssim/awsarn"
	"github.com/orgnotify/orgnotify/internal/awssim/handoff"
	"github.com/orgnotify/orgnotify/internal/awssim/wire"
)

// trail is one trail, kept in its home region: what DescribeTrails shows
// of it, its owner and its logging state.
type trail struct {
	trailOut
	account          string
	logging          bool
	started, stopped time.Time
}

var (
	trailNameRE     = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{1,126}[A-Za-z0-9]$`)
	adjacentPunctRE = regexp.MustCompile(`[._-]{2}`) // no two of ._- may touch
)

// SetOrganization tells the store which accounts an organization trail of
// the management account mgmt logs for.
func (s *Store) SetOrganization(orgs handoff.OrgLookup, mgmt string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.orgs, s.mgmt = orgs, mgmt
}

// SetClock replaces the clock that stamps logging start and stop times.
func (s *Store) SetClock(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
}

// Logging reports whether a trail is logging management events of account
// in region: a trail of the account in that region, a multi-region trail
// of the account, or an organization trail of the management account that
// covers the region, as AWS delivers "AWS API Call via CloudTrail" events
// to EventBridge only there.
func (s *Store) Logging(account, region string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.trails {
		if !t.logging || (!t.IsMultiRegionTrail && t.HomeRegion != region) {
			continue
		}
		if t.account == account {
			return true
		}
		if t.IsOrganizationTrail && s.orgs != nil {
			mine, ok1 := s.orgs.OrgIDOf(t.account)
			theirs, ok2 := s.orgs.OrgIDOf(account)
			if ok1 && ok2 && mine == theirs {
				return true
			}
		}
	}
	return false
}

func trailNotFound(name string) error {
	return errorf("TrailNotFoundException", "Unknown trail: %s", name)
}

type trailOut struct {
	Name                       string `json:"Name"`
	S3BucketName               string `json:"S3BucketName,omitempty"`
	S3KeyPrefix                string `json:"S3KeyPrefix,omitempty"`
	IncludeGlobalServiceEvents bool   `json:"IncludeGlobalServiceEvents"`
	IsMultiRegionTrail         bool   `json:"IsMultiRegionTrail"`
	HomeRegion                 string `json:"HomeRegion,omitempty"`
	TrailARN                   string `json:"TrailARN"`
	LogFileValidationEnabled   bool   `json:"LogFileValidationEnabled"`
	HasCustomEventSelectors    bool   `json:"HasCustomEventSelectors"`
	HasInsightSelectors        bool   `json:"HasInsightSelectors"`
	IsOrganizationTrail        bool   `json:"IsOrganizationTrail"`
}

// output is the trail as DescribeTrails shows it (withHome) or CreateTrail.
func (t *trail) output(withHome bool) trailOut {
	o := t.trailOut
	if !withHome {
		o.HomeRegion = ""
	}
	return o
}

type createTrailInput struct {
	Name                       string
	S3BucketName               string
	S3KeyPrefix                string
	IncludeGlobalServiceEvents *bool
	IsMultiRegionTrail         bool
	EnableLogFileValidation    bool
	IsOrganizationTrail        bool
}

func (s *Store) createTrail(_ context.Context, r *wire.Request, in createTrailInput) (any, error) {
	if !trailNameRE.MatchString(in.Name) || adjacentPunctRE.MatchString(in.Name) {
		return nil, errorf("InvalidTrailNameException", "Trail name %q is not valid: 3 to 128 letters, digits, periods, underscores and dashes, starting and ending with a letter or digit, with no two of ._- adjacent.", in.Name)
	}
	// The bucket is accepted without S3 being simulated: no log files are
	// written, only the trail's state is kept.
	if in.S3BucketName == "" {
		return nil, errorf("InvalidS3BucketNameException", "S3BucketName is required.")
	}
	global := in.IncludeGlobalServiceEvents == nil || *in.IncludeGlobalServiceEvents
	if in.IsMultiRegionTrail && !global {
		return nil, errorf("InvalidParameterCombinationException", "Multi-Region trail must include global service events.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if in.IsOrganizationTrail && r.Account != s.mgmt {
		return nil, errorf("NotOrganizationManagementAccountException", "The request was rejected because the account is not the management account of the organization.")
	}
	arn := awsarn.New("cloudtrail", r.Region, r.Account, "trail/"+in.Name)
	if s.trails[arn] != nil {
		return nil, errorf("TrailAlreadyExistsException", "Trail %s already exists for customer: %s", in.Name, r.Account)
	}
	t := &trail{account: r.Account, trailOut: trailOut{Name: in.Name, TrailARN: arn, HomeRegion: r.Region,
		S3BucketName: in.S3BucketName, S3KeyPrefix: in.S3KeyPrefix, IsMultiRegionTrail: in.IsMultiRegionTrail,
		IsOrganizationTrail: in.IsOrganizationTrail, IncludeGlobalServiceEvents: global, LogFileValidationEnabled: in.EnableLogFileValidation}}
	s.trails[arn] = t
	return t.output(false), nil
}

// visible reports whether the caller sees t in its region: its own trails
// there, and as shadow trails its multi-region trails of other regions.
func visible(t *trail, r *wire.Request) bool {
	return t.account == r.Account && (t.HomeRegion == r.Region || t.IsMultiRegionTrail)
}

// lookupTrail resolves a trail name (a trail of the caller's region) or
// ARN (any trail visible there, shadow trails included). The caller holds
// s.mu.
func (s *Store) lookupTrail(r *wire.Request, ref string) (*trail, error) {
	if ref == "" {
		return nil, errorf("InvalidTrailNameException", "Trail name or ARN is required.")
	}
	arn := ref
	if !strings.HasPrefix(ref, "arn:") {
		arn = awsarn.New("cloudtrail", r.Region, r.Account, "trail/"+ref)
	}
	// A trail found by name is the caller's, in its region: visible.
	t := s.trails[arn]
	if t == nil || !visible(t, r) {
		return nil, trailNotFound(ref)
	}
	return t, nil
}

// homeTrail resolves a trail that only its home region may change.
func (s *Store) homeTrail(r *wire.Request, ref string) (*trail, error) {
	t, err := s.lookupTrail(r, ref)
	if err != nil {
		return nil, err
	}
	if t.HomeRegion != r.Region {
		return nil, errorf("InvalidHomeRegionException", "This operation must be called from the trail's home region %s.", t.HomeRegion)
	}
	return t, nil
}

type trailRef struct{ Name string }

// onTrail is an operation on the trail its input names, found by find
// (homeTrail where only the trail's home Region may act) under the store's
// lock.
func onTrail(s *Store, find func(r *wire.Request, name string) (*trail, error), serve func(r *wire.Request, t *trail) (any, error)) wire.Handler {
	lookup := func(r *wire.Request, in trailRef) (*trail, error) { return find(r, in.Name) }
	return wire.Locked(&s.mu, lookup, func(r *wire.Request, _ trailRef, t *trail) (any, error) { return serve(r, t) })
}

// setLogging is StartLogging (on) or StopLogging.
func (s *Store) setLogging(on bool) func(r *wire.Request, t *trail) (any, error) {
	return func(_ *wire.Request, t *trail) (any, error) {
		if on && !t.logging {
			t.started = s.now().UTC()
		}
		if !on && t.logging {
			t.stopped = s.now().UTC()
		}
		t.logging = on
		return struct{}{}, nil
	}
}

func (s *Store) deleteTrail(_ *wire.Request, t *trail) (any, error) {
	delete(s.trails, t.TrailARN)
	return struct{}{}, nil
}

type describeTrailsInput struct {
	TrailNameList       []string `json:"trailNameList"`
	IncludeShadowTrails *bool    `json:"includeShadowTrails"`
}

func (s *Store) describeTrails(_ context.Context, r *wire.Request, in describeTrailsInput) (any, error) {
	shadows := in.IncludeShadowTrails == nil || *in.IncludeShadowTrails
	s.mu.Lock()
	defer s.mu.Unlock()
	var list []*trail
	if len(in.TrailNameList) > 0 {
		// Names that match nothing are left out, as in AWS.
		seen := map[string]bool{}
		for _, ref := range in.TrailNameList {
			t, err := s.lookupTrail(r, ref)
			if err != nil || seen[t.TrailARN] || (!shadows && t.HomeRegion != r.Region) {
				continue
			}
			seen[t.TrailARN] = true
			list = append(list, t)
		}
	} else {
		for _, t := range s.trails {
			if visible(t, r) && (shadows || t.HomeRegion == r.Region) {
				list = append(list, t)
			}
		}
		sort.Slice(list, func(i, j int) bool { return list[i].TrailARN < list[j].TrailARN })
	}
	out := struct {
		TrailList []trailOut `json:"trailList"`
	}{TrailList: []trailOut{}}
	for _, t := range list {
		out.TrailList = append(out.TrailList, t.output(true))
	}
	return out, nil
}

func (s *Store) getTrailStatus(_ *wire.Request, t *trail) (any, error) {
	return struct {
		IsLogging        bool     `json:"IsLogging"`
		StartLoggingTime *float64 `json:"StartLoggingTime,omitempty"`
		StopLoggingTime  *float64 `json:"StopLoggingTime,omitempty"`
	}{t.logging, epochOrNil(t.started), epochOrNil(t.stopped)}, nil
}

// epochOrNil is t as epoch seconds, nil for a time never set.
func epochOrNil(t time.Time) *float64 {
	if t.IsZero() {
		return nil
	}
	v := wire.EpochSeconds(t)
	return &v
}
