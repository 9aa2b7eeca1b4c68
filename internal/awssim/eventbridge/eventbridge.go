// Package eventbridge simulates Amazon EventBridge buses, rules and targets,
// and routes PutEvents to the targets whose rule pattern matches: SQS queues,
// SNS topics and event buses in the same or another account, where the
// receiving bus's resource policy decides whether the sender may put events.
package eventbridge

import (
	"cmp"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/orgnotify/orgnotify/internal/awssim/awsarn"
	"github.com/orgnotify/orgnotify/internal/awssim/eventpattern"
	"github.com/orgnotify/orgnotify/internal/awssim/handoff"
	"github.com/orgnotify/orgnotify/internal/awssim/paging"
	"github.com/orgnotify/orgnotify/internal/awssim/tagging"
	"github.com/orgnotify/orgnotify/internal/awssim/wire"
)

// Targets are the services EventBridge delivers to, by target ARN service.
type Targets struct {
	SQS handoff.Deliverer
	SNS handoff.Deliverer
	// Roles checks the RoleArn of a target; nil fails every target with
	// a RoleArn that needs one.
	Roles handoff.RoleAuthorizer
}

// servicePrincipal is the principal EventBridge acts as when it delivers;
// queue and topic policies grant it.
const servicePrincipal = "events.amazonaws.com"

const (
	defaultBus        = "default"
	maxTargetsPerRule = 5
	maxPutEvents      = 10
	maxPutEventsBytes = 256 * 1024
	// maxPatternLength is the API's limit on EventPattern and
	// maxPatternQuota the default quota ("event pattern size") that
	// PutRule enforces; both count characters, not bytes.
	maxPatternLength = 4096
	maxPatternQuota  = 2048
	// maxRulesPerBus is the default quota of rules per event bus, lower
	// in the Regions of lowRuleQuota.
	maxRulesPerBus    = 300
	maxRulesLowRegion = 100
	maxTags           = 50
	// maxBusHops is how many times an event may move from one bus to
	// another: EventBridge does not route an event received from a sender
	// bus on to a third bus.
	maxBusHops = 1
)

var (
	ruleNameRE    = regexp.MustCompile(`^[\.\-_A-Za-z0-9]{1,64}$`)
	busNameRE     = regexp.MustCompile(`^[\.\-_A-Za-z0-9]{1,256}$`)
	targetIDRE    = regexp.MustCompile(`^[\.\-_A-Za-z0-9]{1,64}$`)
	statementIDRE = regexp.MustCompile(`^[a-zA-Z0-9\-_]{1,64}$`)
)

// lowRuleQuota are the Regions where a bus holds at most 100 rules.
var lowRuleQuota = map[string]bool{"af-south-1": true, "eu-south-1": true}

// rulesPerBus is the rule quota of a bus in region.
func rulesPerBus(region string) int {
	if lowRuleQuota[region] {
		return maxRulesLowRegion
	}
	return maxRulesPerBus
}

// Store holds buses, rules and targets per account and region.
type Store struct {
	targets Targets
	orgs    handoff.OrgLookup

	mu      sync.Mutex
	regions map[scope]map[string]*bus // buses by name
	metrics map[string]*RuleMetrics   // by rule ARN
	trails  Trails
	// failures are the failed invocations, oldest first.
	failures []FailedInvocation
}

// scope is one account in one region.
type scope struct{ account, region string }

type bus struct {
	name, arn   string
	description string
	policy      *policy // nil when the bus has no resource policy
	created     time.Time
	modified    time.Time
	tags        map[string]string
	rules       map[string]*rule
}

type rule struct {
	name, arn, bus string
	account        string
	eventPattern   string
	pattern        *eventpattern.Pattern
	schedule       string
	state          string
	description    string
	roleARN        string
	tags           map[string]string
	targets        []*target // in the order they were first put
}

// RuleMetrics counts what happened to the events a rule matched. AWS
// publishes these as the CloudWatch metrics MatchedEvents, Invocations and
// FailedInvocations; tests read them to see deliveries that failed, since a
// failed delivery never fails PutEvents.
type RuleMetrics struct {
	Matched int
	Invoked int
	Failed  int
	// SentToDLQ and FailedToDLQ count failed invocations sent to the
	// target's dead-letter queue and refused by it (AWS's
	// InvocationsSentToDlq and InvocationsFailedToBeSentToDlq).
	SentToDLQ   int
	FailedToDLQ int
	// LastError is the reason of the most recent failed invocation.
	LastError string
}

// New returns a store with no buses; default buses appear on first use.
func New(t Targets, orgs handoff.OrgLookup) *Store {
	return &Store{
		targets: t,
		orgs:    orgs,
		regions: map[scope]map[string]*bus{},
		metrics: map[string]*RuleMetrics{},
	}
}

// Metrics returns the counters of the rule with this ARN; zero when the rule
// never matched.
func (s *Store) Metrics(ruleARN string) RuleMetrics {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m := s.metrics[ruleARN]; m != nil {
		return *m
	}
	return RuleMetrics{}
}

// Service is the EventBridge service.
func (s *Store) Service() wire.Service {
	return wire.Service{
		SigningName:  "events",
		Protocol:     wire.JSON11,
		TargetPrefix: "AWSEvents",
		ThrottleCode: "ThrottlingException",
		Ops: map[string]wire.Handler{
			"CreateEventBus":      wire.Op(s.createEventBus),
			"DescribeEventBus":    onBus(s, parseBus, s.describeEventBus),
			"DeleteEventBus":      wire.Op(s.deleteEventBus),
			"ListEventBuses":      wire.Op(s.listEventBuses),
			"PutPermission":       onBus(s, ownBus, s.putPermission),
			"RemovePermission":    onBus(s, ownBus, s.removePermission),
			"PutRule":             onBus(s, ownBus, s.putRule),
			"DescribeRule":        onRule(s, s.describeRule),
			"ListRules":           onBus(s, ownBus, s.listRules),
			"DeleteRule":          onBus(s, ownBus, s.deleteRule),
			"EnableRule":          onRule(s, setState(stateEnabled)),
			"DisableRule":         onRule(s, setState(stateDisabled)),
			"PutTargets":          wire.Op(s.putTargets),
			"ListTargetsByRule":   onRule(s, s.listTargetsByRule),
			"RemoveTargets":       onRule(s, s.removeTargets),
			"TagResource":         onTags(s, s.tagResource),
			"UntagResource":       onTags(s, s.untagResource),
			"ListTagsForResource": onTags(s, s.listTagsForResource),
			"TestEventPattern":    wire.Op(s.testEventPattern),
			"PutEvents":           wire.Op(s.putEvents),
		},
	}
}

// buses returns the buses of one account and region, creating its default
// bus. The caller holds s.mu.
func (s *Store) buses(account, region string) map[string]*bus {
	k := scope{account, region}
	r := s.regions[k]
	if r == nil {
		now := time.Now().UTC()
		r = map[string]*bus{defaultBus: {
			name: defaultBus, arn: busARN(region, account, defaultBus),
			created: now, modified: now, tags: map[string]string{}, rules: map[string]*rule{},
		}}
		s.regions[k] = r
	}
	return r
}

func busARN(region, account, name string) string {
	return awsarn.New("events", region, account, "event-bus/"+name)
}

func ruleARN(region, account, busName, name string) string {
	if busName == defaultBus {
		return awsarn.New("events", region, account, "rule/"+name)
	}
	return awsarn.New("events", region, account, "rule/"+busName+"/"+name)
}

// busRef is a bus named by a request: a name (the caller's account and
// region) or an ARN.
type busRef struct {
	account, region, name string
}

func (b busRef) arn() string { return busARN(b.region, b.account, b.name) }

// parseBus reads EventBusName, which is a name or an ARN; empty means the
// default bus.
func parseBus(r *wire.Request, nameOrARN string) (busRef, error) {
	if nameOrARN == "" {
		return busRef{r.Account, r.Region, defaultBus}, nil
	}
	if !strings.HasPrefix(nameOrARN, "arn:") {
		if !busNameRE.MatchString(nameOrARN) {
			return busRef{}, wire.Validation("1 validation error detected: Value '%s' at 'eventBusName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+", nameOrARN)
		}
		return busRef{r.Account, r.Region, nameOrARN}, nil
	}
	a, ok := parseARN(nameOrARN)
	if !ok || a.Service != "events" || !strings.HasPrefix(a.Resource, "event-bus/") {
		return busRef{}, wire.Validation("Parameter %s is not valid. Reason: Provided Arn is not in correct format.", nameOrARN)
	}
	return busRef{a.Account, a.Region, strings.TrimPrefix(a.Resource, "event-bus/")}, nil
}

// ownBus resolves EventBusName for operations that act only on the caller's
// own buses.
func ownBus(r *wire.Request, nameOrARN string) (busRef, error) {
	b, err := parseBus(r, nameOrARN)
	if err != nil {
		return b, err
	}
	if b.account != r.Account || b.region != r.Region {
		return b, wire.AccessDenied("User: %s is not authorized to access event bus %s", r.Principal, b.arn())
	}
	return b, nil
}

// lookupBus returns the bus or ResourceNotFoundException. The caller holds s.mu.
func (s *Store) lookupBus(b busRef) (*bus, error) {
	eb := s.buses(b.account, b.region)[b.name]
	if eb == nil {
		return nil, wire.NotFound("Event bus %s does not exist.", b.name)
	}
	return eb, nil
}

// lookupRule returns the rule or ResourceNotFoundException. The caller holds s.mu.
func (s *Store) lookupRule(b busRef, name string) (*rule, error) {
	eb, err := s.lookupBus(b)
	if err != nil {
		return nil, err
	}
	ru := eb.rules[name]
	if ru == nil {
		return nil, wire.NotFound("Rule %s does not exist on EventBus %s.", name, b.name)
	}
	return ru, nil
}

// parseARN reads an ARN with a partition, a service and a resource.
func parseARN(s string) (awsarn.ARN, bool) {
	a, ok := awsarn.Parse(s)
	return a, ok && a.Partition != "" && a.Service != "" && a.Resource != ""
}

func invalidPattern(format string, args ...any) *wire.Error {
	return wire.Errorf("InvalidEventPatternException", http.StatusBadRequest, format, args...)
}

func limitExceeded(format string, args ...any) *wire.Error {
	return wire.Errorf("LimitExceededException", http.StatusBadRequest, format, args...)
}

func alreadyExists(format string, args ...any) *wire.Error {
	return wire.Errorf("ResourceAlreadyExistsException", http.StatusBadRequest, format, args...)
}

// Tag is the API's tag shape.
type Tag = tagging.Tag

func tagList(m map[string]string) []Tag {
	out := make([]Tag, 0, len(m))
	for k, v := range m {
		out = append(out, Tag{Key: k, Value: v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// validateDescribed checks what buses and rules both carry: a description
// of at most 512 characters, and tags.
func validateDescribed(description string, tags []Tag) error {
	if len(description) > 512 {
		return wire.Validation("Description must be at most 512 characters.")
	}
	return validateTags(tags)
}

func validateTags(tags []Tag) error {
	switch p, _ := (tagging.Rules{Max: maxTags}).Check(tags); p {
	case tagging.TooMany:
		return limitExceeded("A resource can have at most %d tags.", maxTags)
	case tagging.Reserved:
		return wire.Validation("Tag keys starting with 'aws:' are reserved.")
	case tagging.KeyLength, tagging.ValueLength:
		return wire.Validation("Tag key must be 1 to 128 characters and value at most 256 characters.")
	}
	return nil
}

// namesPage is a page of the values in m whose names start with prefix, in
// name order, as output renders them.
func namesPage[T, O any](m map[string]T, output func(T) O, prefix, token string, limit int32) ([]O, string, error) {
	names := slices.DeleteFunc(slices.Sorted(maps.Keys(m)), func(n string) bool { return !strings.HasPrefix(n, prefix) })
	names, next, err := page(names, token, limit, 100)
	if err != nil {
		return nil, "", err
	}
	out := make([]O, 0, len(names))
	for _, n := range names {
		out = append(out, output(m[n]))
	}
	return out, next, nil
}

// page cuts a sorted list of names at an opaque NextToken (the last name
// returned) and a limit.
func page(names []string, token string, limit int32, max int) ([]string, string, error) {
	if limit < 0 || int(limit) > max {
		return nil, "", wire.Validation("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value between 1 and %d", limit, max)
	}
	n := cmp.Or(int(limit), max)
	out, next, ok := paging.After(names, token, n)
	if !ok {
		return nil, "", wire.Validation("The NextToken provided is invalid.")
	}
	return out, next, nil
}
