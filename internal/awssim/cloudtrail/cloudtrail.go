// Package cloudtrail simulates CloudTrail's LookupEvents over seeded
// management events, so orgnotify's event digests can be tested through the
// real aws-sdk-go-v2 client, and trails (CreateTrail, StartLogging, ...),
// which decide where "AWS API Call via CloudTrail" events reach EventBridge.
//
// Events are visible where they were recorded: to their account, in their
// region. Organizations (and IAM) events are recorded in us-east-1 only, so a
// seed that puts one elsewhere is rejected.
package cloudtrail

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/orgnotify/orgnotify/internal/awssim/awsarn"
	"github.com/orgnotify/orgnotify/internal/awssim/handoff"
	"github.com/orgnotify/orgnotify/internal/awssim/wire"
)

// Event is one seeded management event. Field names are camelCase in YAML and
// JSON seeds.
type Event struct {
	// EventID is generated (stable for the same seed) when empty.
	EventID     string `json:"eventId,omitempty" yaml:"eventId,omitempty"`
	EventName   string `json:"eventName" yaml:"eventName"`
	EventSource string `json:"eventSource" yaml:"eventSource"` // "organizations.amazonaws.com"
	// EventTime is RFC 3339 ("2026-11-20T10:00:00Z") or relative to the time
	// the store is built ("now", "now-36h", "now-90m"), so a hand-written
	// seed stays inside LookupEvents' 90-day default window.
	EventTime   string     `json:"eventTime" yaml:"eventTime"`
	Username    string     `json:"username,omitempty" yaml:"username,omitempty"`
	ReadOnly    bool       `json:"readOnly,omitempty" yaml:"readOnly,omitempty"`
	AccessKeyID string     `json:"accessKeyId,omitempty" yaml:"accessKeyId,omitempty"`
	Resources   []Resource `json:"resources,omitempty" yaml:"resources,omitempty"`
	// CloudTrailEvent is the full record, as a JSON string or as a YAML/JSON
	// object; when empty a minimal record is built from the other fields.
	CloudTrailEvent Document `json:"cloudTrailEvent,omitempty" yaml:"cloudTrailEvent,omitempty"`
	// Account is the 12-digit account the event was recorded in.
	Account string `json:"account" yaml:"account"`
	// Region the event was recorded in; us-east-1 when empty for the global
	// services (Organizations, IAM), required otherwise.
	Region string `json:"region,omitempty" yaml:"region,omitempty"`
}

// Resource is a resource an event refers to.
type Resource struct {
	ResourceType string `json:"resourceType,omitempty" yaml:"resourceType,omitempty"`
	ResourceName string `json:"resourceName,omitempty" yaml:"resourceName,omitempty"`
}

// Document is a JSON document written in a seed either as a JSON string or
// as a structured value, which is serialised to JSON.
type Document string

// UnmarshalYAML accepts a string (kept as written) or any structured value.
func (d *Document) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode && (n.Tag == "!!str" || n.Tag == "") {
		*d = Document(n.Value)
		return nil
	}
	var v any
	if err := n.Decode(&v); err != nil {
		return err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("cloudTrailEvent: %w", err)
	}
	*d = Document(b)
	return nil
}

// UnmarshalJSON accepts a JSON string or any JSON value.
func (d *Document) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*d = Document(s)
		return nil
	}
	*d = Document(b)
	return nil
}

// globalSources record their events in us-east-1 only.
var globalSources = map[string]bool{
	"organizations.amazonaws.com": true,
	"iam.amazonaws.com":           true,
}

// stored is a compiled event.
type stored struct {
	Event
	time time.Time
	doc  string
}

// Store holds the seeded events, read-only after New, and the trails,
// guarded by mu. It is safe for concurrent use.
type Store struct {
	// byTrail is newest first per "account/region".
	byTrail map[string][]*stored

	mu     sync.Mutex
	now    func() time.Time
	orgs   handoff.OrgLookup
	mgmt   string
	trails map[string]*trail // by trail ARN
}

// New compiles the events, rejecting ones CloudTrail could not have recorded.
func New(events []Event) (*Store, error) {
	return newAt(events, time.Now())
}

func newAt(events []Event, now time.Time) (*Store, error) {
	s := &Store{byTrail: map[string][]*stored{}, now: time.Now, trails: map[string]*trail{}}
	ids := map[string]int{}
	for i, e := range events {
		se, err := compile(i, e, now)
		if err != nil {
			return nil, fmt.Errorf("event %d (%s): %w", i, e.EventName, err)
		}
		if j, dup := ids[se.EventID]; dup {
			return nil, fmt.Errorf("event %d: eventId %s repeats event %d", i, se.EventID, j)
		}
		ids[se.EventID] = i
		k := se.Account + "/" + se.Region
		s.byTrail[k] = append(s.byTrail[k], se)
	}
	for _, list := range s.byTrail {
		sort.Slice(list, func(a, b int) bool { return newer(list[a], list[b]) })
	}
	return s, nil
}

// newer is LookupEvents' order: newest first, ties by event ID so pages are
// stable.
func newer(a, b *stored) bool {
	if !a.time.Equal(b.time) {
		return a.time.After(b.time)
	}
	return a.EventID < b.EventID
}

func compile(i int, e Event, now time.Time) (*stored, error) {
	if !awsarn.IsAccountID(e.Account) {
		return nil, fmt.Errorf("account %q is not a 12-digit account ID", e.Account)
	}
	if e.EventName == "" || e.EventSource == "" {
		return nil, fmt.Errorf("eventName and eventSource are required")
	}
	t, err := parseEventTime(e.EventTime, now)
	if err != nil {
		return nil, err
	}
	if e.Region == "" {
		if !globalSources[e.EventSource] {
			return nil, fmt.Errorf("region is required for %s", e.EventSource)
		}
		e.Region = "us-east-1"
	}
	if globalSources[e.EventSource] && e.Region != "us-east-1" {
		return nil, fmt.Errorf("%s events are recorded in us-east-1 only, not %s", e.EventSource, e.Region)
	}
	if e.EventID == "" {
		sum := sha256.Sum256([]byte(strconv.Itoa(i) + "|" + e.Account + "|" + e.Region + "|" + e.EventSource + "|" + e.EventName + "|" + t.Format(time.RFC3339Nano)))
		e.EventID = wire.FormatUUID([16]byte(sum[:16]))
	}
	// CloudTrail records whole seconds; the wire format is epoch seconds.
	se := &stored{Event: e, time: t.Truncate(time.Second), doc: string(e.CloudTrailEvent)}
	if se.doc == "" {
		se.doc = synthesize(se)
	} else if !json.Valid([]byte(se.doc)) {
		return nil, fmt.Errorf("cloudTrailEvent is not valid JSON")
	}
	return se, nil
}

func parseEventTime(s string, now time.Time) (time.Time, error) {
	if rest, ok := strings.CutPrefix(s, "now"); ok {
		if rest == "" {
			return now.UTC(), nil
		}
		if d, err := time.ParseDuration(rest); err == nil && (rest[0] == '-' || rest[0] == '+') {
			return now.UTC().Add(d), nil
		}
	} else if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	return time.Time{}, fmt.Errorf("eventTime %q: want RFC 3339, now, now-DURATION or now+DURATION", s)
}

// synthesize builds the minimal CloudTrail record a seed left out, with the
// fields orgnotify's classifiers read.
func synthesize(e *stored) string {
	identity := map[string]any{"type": "IAMUser", "accountId": e.Account, "principalId": e.Account}
	if e.Username == "" || e.Username == "root" {
		identity["type"] = "Root"
		identity["arn"] = "arn:aws:iam::" + e.Account + ":root"
	} else {
		identity["userName"] = e.Username
		identity["arn"] = "arn:aws:iam::" + e.Account + ":user/" + e.Username
	}
	if e.AccessKeyID != "" {
		identity["accessKeyId"] = e.AccessKeyID
	}
	var resources []map[string]string
	for _, r := range e.Resources {
		resources = append(resources, map[string]string{"type": r.ResourceType, "ARN": r.ResourceName})
	}
	doc := map[string]any{
		"eventVersion":       "1.09",
		"userIdentity":       identity,
		"eventTime":          e.time.Format(time.RFC3339),
		"eventSource":        e.EventSource,
		"eventName":          e.EventName,
		"awsRegion":          e.Region,
		"sourceIPAddress":    "203.0.113.10",
		"userAgent":          "awssim",
		"requestParameters":  nil,
		"responseElements":   nil,
		"requestID":          e.EventID,
		"eventID":            e.EventID,
		"readOnly":           e.ReadOnly,
		"eventType":          "AwsApiCall",
		"managementEvent":    true,
		"recipientAccountId": e.Account,
		"eventCategory":      "Management",
	}
	if resources != nil {
		doc["resources"] = resources
	}
	b, _ := json.Marshal(doc) // a map of strings, bools and nil always encodes
	return string(b)
}

// Service is the CloudTrail service.
func (s *Store) Service() wire.Service {
	return wire.Service{
		SigningName: "cloudtrail",
		Protocol:    wire.JSON11,
		// aws-sdk-go-v2 sends "CloudTrail_20131101.LookupEvents"; boto and the
		// CLI send the long form the service model names.
		TargetPrefix:     "CloudTrail_20131101",
		TargetAliases:    []string{"com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101"},
		ThrottleCode:     "ThrottlingException",
		AccessDeniedCode: "AccessDeniedException",
		Ops: map[string]wire.Handler{
			"LookupEvents":   wire.Op(s.lookupEvents),
			"CreateTrail":    wire.Op(s.createTrail),
			"DeleteTrail":    onTrail(s, s.homeTrail, s.deleteTrail),
			"DescribeTrails": wire.Op(s.describeTrails),
			"GetTrailStatus": onTrail(s, s.lookupTrail, s.getTrailStatus),
			"StartLogging":   onTrail(s, s.homeTrail, s.setLogging(true)),
			"StopLogging":    onTrail(s, s.homeTrail, s.setLogging(false)),
		},
	}
}

type lookupAttribute struct {
	AttributeKey   string  `json:"AttributeKey"`
	AttributeValue *string `json:"AttributeValue"`
}

// lookupEventsInput is LookupEvents' request; the SDK sends times as epoch
// seconds (a JSON number with a fraction).
type lookupEventsInput struct {
	StartTime        *float64          `json:"StartTime,omitempty"`
	EndTime          *float64          `json:"EndTime,omitempty"`
	LookupAttributes []lookupAttribute `json:"LookupAttributes,omitempty"`
	EventCategory    string            `json:"EventCategory,omitempty"`
	MaxResults       *int32            `json:"MaxResults,omitempty"`
	NextToken        *string           `json:"NextToken,omitempty"`
}

type resourceOut struct {
	ResourceType string `json:"ResourceType,omitempty"`
	ResourceName string `json:"ResourceName,omitempty"`
}

type eventOut struct {
	EventId         string        `json:"EventId"`
	EventName       string        `json:"EventName"`
	ReadOnly        string        `json:"ReadOnly"`
	AccessKeyId     string        `json:"AccessKeyId,omitempty"`
	EventTime       float64       `json:"EventTime"`
	EventSource     string        `json:"EventSource"`
	Username        string        `json:"Username,omitempty"`
	Resources       []resourceOut `json:"Resources"`
	CloudTrailEvent string        `json:"CloudTrailEvent"`
}

type lookupEventsOutput struct {
	Events    []eventOut `json:"Events"`
	NextToken string     `json:"NextToken,omitempty"`
}

const (
	// DefaultMaxResults is LookupEvents' page size when MaxResults is absent.
	DefaultMaxResults = 50
	// lookback is how far LookupEvents looks when StartTime is absent.
	lookback = 90 * 24 * time.Hour
)

func errorf(code, format string, args ...any) error {
	return wire.Errorf(code, http.StatusBadRequest, format, args...)
}

// attributeMatchers are the LookupAttributes keys CloudTrail accepts.
var attributeMatchers = map[string]func(e *stored, v string) bool{
	"EventId":     func(e *stored, v string) bool { return e.EventID == v },
	"EventName":   func(e *stored, v string) bool { return e.EventName == v },
	"ReadOnly":    func(e *stored, v string) bool { return strings.EqualFold(strconv.FormatBool(e.ReadOnly), v) },
	"Username":    func(e *stored, v string) bool { return e.Username == v },
	"EventSource": func(e *stored, v string) bool { return e.EventSource == v },
	"AccessKeyId": func(e *stored, v string) bool { return e.AccessKeyID == v },
	"ResourceType": func(e *stored, v string) bool {
		return slices.ContainsFunc(e.Resources, func(r Resource) bool { return r.ResourceType == v })
	},
	"ResourceName": func(e *stored, v string) bool {
		return slices.ContainsFunc(e.Resources, func(r Resource) bool { return r.ResourceName == v })
	},
}

func (s *Store) lookupEvents(_ context.Context, r *wire.Request, in lookupEventsInput) (any, error) {
	limit := DefaultMaxResults
	if in.MaxResults != nil {
		limit = int(*in.MaxResults)
		if limit < 1 || limit > 50 {
			return nil, errorf("InvalidMaxResultsException", "MaxResults must be between 1 and 50, got %d", limit)
		}
	}
	var match func(*stored) bool
	switch len(in.LookupAttributes) {
	case 0:
	case 1:
		a := in.LookupAttributes[0]
		m, ok := attributeMatchers[a.AttributeKey]
		if !ok {
			return nil, errorf("InvalidLookupAttributesException", "%q is not a valid lookup attribute key", a.AttributeKey)
		}
		if a.AttributeValue == nil || *a.AttributeValue == "" || len(*a.AttributeValue) > 2000 {
			return nil, errorf("InvalidLookupAttributesException", "AttributeValue for %s must be 1 to 2000 characters", a.AttributeKey)
		}
		v := *a.AttributeValue
		match = func(e *stored) bool { return m(e, v) }
	default:
		return nil, errorf("InvalidLookupAttributesException", "You can only specify one lookup attribute; got %d", len(in.LookupAttributes))
	}
	if in.EventCategory != "" && in.EventCategory != "insight" {
		return nil, errorf("InvalidEventCategoryException", "EventCategory %q is not valid; the only value is insight", in.EventCategory)
	}
	end := r.Now.UTC()
	if in.EndTime != nil {
		end = wire.EpochTime(*in.EndTime)
	}
	start := end.Add(-lookback)
	if in.StartTime != nil {
		start = wire.EpochTime(*in.StartTime)
	}
	if start.After(end) {
		return nil, errorf("InvalidTimeRangeException", "StartTime %s is after EndTime %s", start.Format(time.RFC3339), end.Format(time.RFC3339))
	}

	key := queryKey(&in, r.Account, r.Region)
	list := s.byTrail[r.Account+"/"+r.Region]
	i := 0 // where the page starts: after the token's event
	if in.NextToken != nil {
		after, err := parseToken(*in.NextToken, key)
		if err != nil {
			return nil, err
		}
		i = sort.Search(len(list), func(j int) bool { return newer(after, list[j]) })
	}
	out := &lookupEventsOutput{Events: []eventOut{}}
	// Insight events are not simulated: an insight lookup finds nothing.
	if in.EventCategory == "insight" {
		return out, nil
	}
	var last *stored
	for ; i < len(list); i++ {
		e := list[i]
		if e.time.After(end) {
			continue
		}
		if e.time.Before(start) {
			break // newest first: everything after is older still
		}
		if match != nil && !match(e) {
			continue
		}
		if len(out.Events) == limit {
			out.NextToken = makeToken(last, key)
			break
		}
		out.Events = append(out.Events, render(e))
		last = e
	}
	return out, nil
}

func render(e *stored) eventOut {
	o := eventOut{
		EventId: e.EventID, EventName: e.EventName, ReadOnly: strconv.FormatBool(e.ReadOnly),
		AccessKeyId: e.AccessKeyID, EventSource: e.EventSource, Username: e.Username,
		EventTime:       float64(e.time.Unix()),
		CloudTrailEvent: e.doc, Resources: []resourceOut{},
	}
	for _, r := range e.Resources {
		o.Resources = append(o.Resources, resourceOut(r))
	}
	return o
}

// queryKey ties a token to the query it continues: the request without its
// token, and who asked where.
func queryKey(in *lookupEventsInput, account, region string) string {
	cp := *in
	cp.NextToken = nil
	b, _ := json.Marshal(&cp)
	sum := sha256.Sum256(append(b, []byte("|"+account+"|"+region)...))
	return hex.EncodeToString(sum[:12])
}

// A token is a cursor (the last event returned), not an offset, so a page
// continues after the same event even if the default time window has moved.
func makeToken(last *stored, key string) string {
	ns := strconv.FormatInt(last.time.UnixNano(), 10)
	return base64.RawURLEncoding.EncodeToString([]byte("v1|" + ns + "|" + last.EventID + "|" + key))
}

func parseToken(tok, key string) (*stored, error) {
	invalid := errorf("InvalidNextTokenException", "The token is invalid or does not belong to this query.")
	b, err := base64.RawURLEncoding.DecodeString(tok)
	f := strings.Split(string(b), "|")
	if err != nil || len(f) != 4 || f[0] != "v1" || f[3] != key {
		return nil, invalid
	}
	ns, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		return nil, invalid
	}
	return &stored{Event: Event{EventID: f[2]}, time: time.Unix(0, ns).UTC()}, nil
}
