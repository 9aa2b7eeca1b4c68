package eventbridge

import (
	"cmp"
	"context"
	"encoding/json"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/orgnotify/orgnotify/internal/awssim/awsarn"
	"github.com/orgnotify/orgnotify/internal/awssim/eventpattern"
	"github.com/orgnotify/orgnotify/internal/awssim/wire"
)

// Rule states EventBridge accepts.
const (
	stateEnabled  = "ENABLED"
	stateDisabled = "DISABLED"
	// stateEnabledCloudTrail also delivers read-only management events.
	stateEnabledCloudTrail = "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"
)

var (
	scheduleRE = regexp.MustCompile(`^(rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\(\S+( \S+){5}\))$`)
	rateRE     = regexp.MustCompile(`^rate\((\d+) (minute|hour|day)(s?)\)$`)
)

// validSchedule checks a schedule expression; a rate must be a positive
// whole number with the unit singular for 1 and plural above, as AWS
// requires ("rate(1 minute)", "rate(5 minutes)").
func validSchedule(expr string) bool {
	if !scheduleRE.MatchString(expr) {
		return false
	}
	m := rateRE.FindStringSubmatch(expr)
	if m == nil {
		return true // cron
	}
	n, err := strconv.Atoi(m[1])
	if err != nil || n <= 0 {
		return false
	}
	return (n == 1) == (m[3] == "")
}

type ruleOutput struct {
	Name               string `json:"Name"`
	Arn                string `json:"Arn"`
	EventPattern       string `json:"EventPattern,omitempty"`
	ScheduleExpression string `json:"ScheduleExpression,omitempty"`
	State              string `json:"State"`
	Description        string `json:"Description,omitempty"`
	RoleArn            string `json:"RoleArn,omitempty"`
	EventBusName       string `json:"EventBusName"`
	CreatedBy          string `json:"CreatedBy,omitempty"`
}

func (ru *rule) output() ruleOutput {
	return ruleOutput{Name: ru.name, Arn: ru.arn, EventPattern: ru.eventPattern, ScheduleExpression: ru.schedule,
		State: ru.state, Description: ru.description, RoleArn: ru.roleARN, EventBusName: ru.bus, CreatedBy: ru.account}
}

func validRuleName(name string) error {
	if !ruleNameRE.MatchString(name) {
		return wire.Validation("1 validation error detected: Value '%s' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+ and have length between 1 and 64", name)
	}
	return nil
}

// patternLength counts a pattern as AWS does: in characters (UTF-16 code
// units, as Java counts a string's length), white space included, not in
// bytes: a pattern with non-ASCII values is shorter than its UTF-8 size.
func patternLength(p string) int {
	n := 0
	for _, r := range p {
		n++
		if r > 0xFFFF {
			n++ // a surrogate pair
		}
	}
	return n
}

// compilePattern maps eventpattern's errors to the API's exception.
func compilePattern(p string) (*eventpattern.Pattern, error) {
	if n := patternLength(p); n > maxPatternLength {
		return nil, wire.Validation("1 validation error detected: Value at 'eventPattern' failed to satisfy constraint: Member must have length less than or equal to %d", maxPatternLength)
	} else if n > maxPatternQuota {
		return nil, limitExceeded("Event pattern is %d characters long; the quota is %d characters.", n, maxPatternQuota)
	}
	c, err := eventpattern.Compile(p)
	if err != nil {
		return nil, invalidPattern("Event pattern is not valid. Reason: %s", strings.TrimPrefix(err.Error(), eventpattern.ErrInvalidPattern.Error()+": "))
	}
	return c, nil
}

type putRuleInput struct {
	Name               string
	EventPattern       string
	ScheduleExpression string
	State              string
	Description        string
	RoleArn            string
	EventBusName       string
	Tags               []Tag
}

func (in putRuleInput) busName() string { return in.EventBusName }

func (in putRuleInput) Validate() error {
	if err := validRuleName(in.Name); err != nil {
		return err
	}
	if in.EventPattern == "" && in.ScheduleExpression == "" {
		return wire.Validation("Parameter(s) EventPattern or ScheduleExpression must be specified.")
	}
	if in.ScheduleExpression != "" && !validSchedule(in.ScheduleExpression) {
		return wire.Validation("Parameter ScheduleExpression is not valid.")
	}
	switch in.State {
	case "", stateEnabled, stateDisabled, stateEnabledCloudTrail:
	default:
		return wire.Validation("1 validation error detected: Value '%s' at 'state' failed to satisfy constraint: Member must satisfy enum value set: [ENABLED, DISABLED, ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS]", in.State)
	}
	return validateDescribed(in.Description, in.Tags)
}

func (s *Store) putRule(r *wire.Request, in putRuleInput, b *bus) (any, error) {
	if in.ScheduleExpression != "" && b.name != defaultBus {
		return nil, wire.Validation("ScheduleExpression is supported only on the default event bus.")
	}
	var compiled *eventpattern.Pattern
	if in.EventPattern != "" {
		var err error
		if compiled, err = compilePattern(in.EventPattern); err != nil {
			return nil, err
		}
	}
	ru := b.rules[in.Name]
	if ru == nil && len(b.rules) >= rulesPerBus(r.Region) {
		return nil, limitExceeded("The requested resource exceeds the maximum number allowed: an event bus can have at most %d rules in %s.", rulesPerBus(r.Region), r.Region)
	}
	if ru == nil {
		ru = &rule{name: in.Name, bus: b.name, account: r.Account, arn: ruleARN(r.Region, r.Account, b.name, in.Name), tags: map[string]string{}}
		// Tags apply when the rule is created; PutRule on an existing rule
		// leaves them alone, as in AWS.
		for _, t := range in.Tags {
			ru.tags[t.Key] = t.Value
		}
		b.rules[in.Name] = ru
	}
	ru.eventPattern, ru.pattern = in.EventPattern, compiled
	ru.schedule, ru.state, ru.description, ru.roleARN = in.ScheduleExpression, cmp.Or(in.State, stateEnabled), in.Description, in.RoleArn
	return struct {
		RuleArn string `json:"RuleArn"`
	}{ru.arn}, nil
}

type ruleRef struct {
	Name         string
	EventBusName string
}

func (in ruleRef) names() (bus, rule string) { return in.EventBusName, in.Name }

// targetsRef names a rule as the target operations do.
type targetsRef struct {
	Rule         string
	EventBusName string
}

func (in targetsRef) names() (bus, rule string) { return in.EventBusName, in.Rule }

// ruleInput is an input that names a rule on a bus of the caller's
// account; busInput one that names such a bus.
type (
	ruleInput interface{ names() (bus, rule string) }
	busInput  interface{ busName() string }
)

// onRule is an operation on the rule its input names, found under the
// store's lock.
func onRule[In ruleInput](s *Store, serve func(r *wire.Request, in In, ru *rule) (any, error)) wire.Handler {
	return wire.Locked(&s.mu, func(r *wire.Request, in In) (*rule, error) {
		busName, ruleName := in.names()
		ref, err := ownBus(r, busName)
		if err != nil {
			return nil, err
		}
		return s.lookupRule(ref, ruleName)
	}, serve)
}

// onBus is an operation on the bus its input names, resolved by resolve
// (ownBus, or parseBus where another account's bus may be named) and found
// under the store's lock.
func onBus[In busInput](s *Store, resolve func(*wire.Request, string) (busRef, error), serve func(r *wire.Request, in In, b *bus) (any, error)) wire.Handler {
	return wire.Locked(&s.mu, func(r *wire.Request, in In) (*bus, error) {
		ref, err := resolve(r, in.busName())
		if err != nil {
			return nil, err
		}
		return s.lookupBus(ref)
	}, serve)
}

func (s *Store) describeRule(_ *wire.Request, _ ruleRef, ru *rule) (any, error) {
	return ru.output(), nil
}

type listRulesInput struct {
	NamePrefix   string
	EventBusName string
	NextToken    string
	Limit        int32
}

func (in listRulesInput) busName() string { return in.EventBusName }

func (s *Store) listRules(_ *wire.Request, in listRulesInput, b *bus) (any, error) {
	rules, next, err := namesPage(b.rules, (*rule).output, in.NamePrefix, in.NextToken, in.Limit)
	return struct {
		Rules     []ruleOutput `json:"Rules"`
		NextToken string       `json:"NextToken,omitempty"`
	}{rules, next}, err
}

type deleteRuleInput struct{ ruleRef }

func (in deleteRuleInput) busName() string { return in.EventBusName }

func (in deleteRuleInput) Validate() error { return validRuleName(in.Name) }

func (s *Store) deleteRule(_ *wire.Request, in deleteRuleInput, b *bus) (any, error) {
	ru := b.rules[in.Name]
	if ru == nil {
		return struct{}{}, nil // deleting a missing rule succeeds, as in AWS
	}
	if len(ru.targets) > 0 {
		return nil, wire.Validation("Rule can't be deleted since it has targets.")
	}
	delete(b.rules, in.Name)
	delete(s.metrics, ru.arn)
	return struct{}{}, nil
}

// setState is EnableRule or DisableRule.
func setState(state string) func(*wire.Request, ruleRef, *rule) (any, error) {
	return func(_ *wire.Request, _ ruleRef, ru *rule) (any, error) {
		ru.state = state
		return struct{}{}, nil
	}
}

// target is one rule target. raw is what PutTargets received, returned as is
// by ListTargetsByRule so fields the simulator does not act on (retry
// policy, dead-letter queue, SQS parameters) survive the round trip.
type target struct {
	ID               string            `json:"Id"`
	Arn              string            `json:"Arn"`
	RoleArn          string            `json:"RoleArn,omitempty"`
	Input            string            `json:"Input,omitempty"`
	InputPath        string            `json:"InputPath,omitempty"`
	InputTransformer *inputTransformer `json:"InputTransformer,omitempty"`
	DeadLetterConfig *struct {
		Arn string `json:"Arn"`
	} `json:"DeadLetterConfig,omitempty"`
	RetryPolicy *struct {
		MaximumRetryAttempts     *int `json:"MaximumRetryAttempts"`
		MaximumEventAgeInSeconds *int `json:"MaximumEventAgeInSeconds"`
	} `json:"RetryPolicy,omitempty"`
	raw json.RawMessage
}

// targetIndex is the index of the target with this ID, or -1.
func (ru *rule) targetIndex(id string) int {
	return slices.IndexFunc(ru.targets, func(t *target) bool { return t.ID == id })
}

type inputTransformer struct {
	InputPathsMap map[string]string `json:"InputPathsMap,omitempty"`
	InputTemplate string            `json:"InputTemplate"`
}

type failedEntry struct {
	TargetId     string `json:"TargetId"`
	ErrorCode    string `json:"ErrorCode"`
	ErrorMessage string `json:"ErrorMessage"`
}

type failedEntries struct {
	FailedEntryCount int           `json:"FailedEntryCount"`
	FailedEntries    []failedEntry `json:"FailedEntries"`
}

// targetProblem returns the FailedEntries message for a target that cannot
// be put, or "".
func targetProblem(t *target, region string) string {
	a, ok := parseARN(t.Arn)
	if !ok || a.Region == "" || (a.Account != "" && !awsarn.IsAccountID(a.Account)) {
		return "Parameter(s) Arn is not valid. Reason: Provided Arn is not in correct format."
	}
	switch a.Service {
	case "sqs", "sns", "lambda", "states", "logs", "kinesis", "firehose", "ssm", "ecs", "codebuild", "codepipeline", "batch", "sagemaker", "redshift-data", "inspector", "execute-api":
	case "events":
		if !strings.HasPrefix(a.Resource, "event-bus/") && !strings.HasPrefix(a.Resource, "api-destination/") {
			return "Parameter(s) Arn is not valid. Reason: Provided Arn is not a supported target."
		}
	default:
		return "Parameter(s) Arn is not valid. Reason: Provided Arn is not a supported target."
	}
	if d := t.DeadLetterConfig; d != nil {
		// A dead-letter queue is a standard SQS queue in the rule's Region.
		q, ok := parseARN(d.Arn)
		switch {
		case !ok || q.Service != "sqs" || !awsarn.IsAccountID(q.Account) || strings.Contains(q.Resource, ":"):
			return "Parameter(s) DeadLetterConfig.Arn is not valid. Reason: Provided Arn is not an SQS queue ARN."
		case q.Region != region:
			return "Parameter(s) DeadLetterConfig.Arn is not valid. Reason: The dead-letter queue must be in the same Region as the rule."
		case strings.HasSuffix(q.Resource, ".fifo") && !strings.HasSuffix(a.Resource, ".fifo"):
			return "Parameter(s) DeadLetterConfig.Arn is not valid. Reason: A FIFO queue can be the dead-letter queue of a FIFO target only."
		}
	}
	set := 0
	for _, b := range []bool{t.Input != "", t.InputPath != "", t.InputTransformer != nil} {
		if b {
			set++
		}
	}
	if set > 1 {
		return "Only one of Input, InputPath, or InputTransformer must be provided."
	}
	if t.Input != "" && !json.Valid([]byte(t.Input)) {
		return "Parameter Input is not valid JSON."
	}
	paths := []string{}
	if t.InputPath != "" {
		paths = append(paths, t.InputPath)
	}
	if t.InputTransformer != nil {
		if t.InputTransformer.InputTemplate == "" {
			return "InputTemplate is required in InputTransformer."
		}
		for _, p := range t.InputTransformer.InputPathsMap {
			paths = append(paths, p)
		}
	}
	for _, p := range paths {
		if _, err := parsePath(p); err != nil {
			return "Parameter " + p + " is not a valid JSON path."
		}
	}
	return ""
}

// checkRetryPolicy enforces the ranges of RetryPolicy, which AWS checks
// for the whole request: 0 to 185 attempts, 60 to 86,400 seconds.
func checkRetryPolicy(t *target, n int) error {
	p := t.RetryPolicy
	if p == nil {
		return nil
	}
	if v := p.MaximumRetryAttempts; v != nil && (*v < 0 || *v > 185) {
		return wire.Validation("1 validation error detected: Value '%d' at 'targets.%d.member.retryPolicy.maximumRetryAttempts' failed to satisfy constraint: Member must have value between 0 and 185", *v, n)
	}
	if v := p.MaximumEventAgeInSeconds; v != nil && (*v < 60 || *v > 86400) {
		return wire.Validation("1 validation error detected: Value '%d' at 'targets.%d.member.retryPolicy.maximumEventAgeInSeconds' failed to satisfy constraint: Member must have value between 60 and 86400", *v, n)
	}
	return nil
}

type putTargetsInput struct {
	Rule         string
	EventBusName string
	Targets      []json.RawMessage
}

func (s *Store) putTargets(_ context.Context, r *wire.Request, in putTargetsInput) (any, error) {
	if len(in.Targets) == 0 || len(in.Targets) > 10 {
		return nil, wire.Validation("1 validation error detected: Value at 'targets' failed to satisfy constraint: Member must have length between 1 and 10")
	}
	ref, err := ownBus(r, in.EventBusName)
	if err != nil {
		return nil, err
	}
	targets := make([]*target, len(in.Targets))
	for i, raw := range in.Targets {
		t := &target{raw: raw}
		if err := json.Unmarshal(raw, t); err != nil {
			return nil, wire.Errorf("SerializationException", 400, "target %d: %v", i, err)
		}
		if !targetIDRE.MatchString(t.ID) {
			return nil, wire.Validation("1 validation error detected: Value '%s' at 'targets.%d.member.id' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+", t.ID, i+1)
		}
		if err := checkRetryPolicy(t, i+1); err != nil {
			return nil, err
		}
		targets[i] = t
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	ru, err := s.lookupRule(ref, in.Rule)
	if err != nil {
		return nil, err
	}
	out := failedEntries{FailedEntries: []failedEntry{}}
	var ok []*target
	for _, t := range targets {
		if msg := targetProblem(t, r.Region); msg != "" {
			out.FailedEntries = append(out.FailedEntries, failedEntry{t.ID, "ValidationException", msg})
			continue
		}
		ok = append(ok, t)
	}
	ids := map[string]bool{}
	for _, t := range slices.Concat(ru.targets, ok) {
		ids[t.ID] = true
	}
	if len(ids) > maxTargetsPerRule {
		return nil, limitExceeded("The requested resource exceeds the maximum number allowed: a rule can have at most %d targets.", maxTargetsPerRule)
	}
	for _, t := range ok {
		if i := ru.targetIndex(t.ID); i >= 0 {
			ru.targets[i] = t
		} else {
			ru.targets = append(ru.targets, t)
		}
	}
	out.FailedEntryCount = len(out.FailedEntries)
	return out, nil
}

type listTargetsByRuleInput struct {
	targetsRef
	NextToken string
	Limit     int32
}

func (s *Store) listTargetsByRule(_ *wire.Request, in listTargetsByRuleInput, ru *rule) (any, error) {
	byID := map[string]*target{}
	for _, t := range ru.targets {
		byID[t.ID] = t
	}
	targets, next, err := namesPage(byID, func(t *target) json.RawMessage { return t.raw }, "", in.NextToken, in.Limit)
	return struct {
		Targets   []json.RawMessage `json:"Targets"`
		NextToken string            `json:"NextToken,omitempty"`
	}{targets, next}, err
}

type removeTargetsInput struct {
	targetsRef
	Ids   []string
	Force bool
}

func (in removeTargetsInput) Validate() error {
	if len(in.Ids) == 0 || len(in.Ids) > 100 {
		return wire.Validation("1 validation error detected: Value at 'ids' failed to satisfy constraint: Member must have length between 1 and 100")
	}
	return nil
}

func (s *Store) removeTargets(_ *wire.Request, in removeTargetsInput, ru *rule) (any, error) {
	out := failedEntries{FailedEntries: []failedEntry{}}
	for _, id := range in.Ids {
		if i := ru.targetIndex(id); i >= 0 {
			ru.targets = append(ru.targets[:i:i], ru.targets[i+1:]...)
		} else {
			out.FailedEntries = append(out.FailedEntries, failedEntry{id, "ResourceNotFoundException", "Target " + id + " does not exist on rule " + ru.name + "."})
		}
	}
	out.FailedEntryCount = len(out.FailedEntries)
	return out, nil
}

// tagged returns the tag map of a rule or bus ARN in the caller's account.
// The caller holds s.mu.
func (s *Store) tagged(r *wire.Request, arn string) (map[string]string, error) {
	a, ok := parseARN(arn)
	if !ok || a.Service != "events" {
		return nil, wire.Validation("Parameter ResourceARN is not valid. Reason: Provided Arn is not in correct format.")
	}
	if a.Account != r.Account || a.Region != r.Region {
		return nil, wire.AccessDenied("User: %s is not authorized to access %s", r.Principal, arn)
	}
	kind, rest, _ := strings.Cut(a.Resource, "/")
	switch kind {
	case "event-bus":
		b, err := s.lookupBus(busRef{a.Account, a.Region, rest})
		if err != nil {
			return nil, err
		}
		return b.tags, nil
	case "rule":
		busName, name := defaultBus, rest
		if i := strings.LastIndex(rest, "/"); i >= 0 {
			busName, name = rest[:i], rest[i+1:]
		}
		ru, err := s.lookupRule(busRef{a.Account, a.Region, busName}, name)
		if err != nil {
			return nil, err
		}
		return ru.tags, nil
	}
	return nil, wire.NotFound("Resource %s does not exist.", arn)
}

// resourceRef names a bus or rule by ARN, as the tagging operations do.
type resourceRef struct {
	ResourceARN string
}

func (in resourceRef) resourceARN() string { return in.ResourceARN }

// onTags is an operation on the tags of the bus or rule its input names,
// found under the store's lock.
func onTags[In interface{ resourceARN() string }](s *Store, serve func(r *wire.Request, in In, tags map[string]string) (any, error)) wire.Handler {
	return wire.Locked(&s.mu, func(r *wire.Request, in In) (map[string]string, error) { return s.tagged(r, in.resourceARN()) }, serve)
}

type tagResourceInput struct {
	resourceRef
	Tags []Tag
}

func (in tagResourceInput) Validate() error { return validateTags(in.Tags) }

func (s *Store) tagResource(_ *wire.Request, in tagResourceInput, tags map[string]string) (any, error) {
	// Merge into a copy, so a refused call leaves every tag, including
	// those it would have overwritten, as it was.
	merged := maps.Clone(tags)
	for _, t := range in.Tags {
		merged[t.Key] = t.Value
	}
	if len(merged) > 50 {
		return nil, limitExceeded("A resource can have at most 50 tags.")
	}
	maps.Copy(tags, merged)
	return struct{}{}, nil
}

type untagResourceInput struct {
	resourceRef
	TagKeys []string
}

func (s *Store) untagResource(_ *wire.Request, in untagResourceInput, tags map[string]string) (any, error) {
	for _, k := range in.TagKeys {
		delete(tags, k)
	}
	return struct{}{}, nil
}

func (s *Store) listTagsForResource(_ *wire.Request, _ resourceRef, tags map[string]string) (any, error) {
	return struct {
		Tags []Tag `json:"Tags"`
	}{tagList(tags)}, nil
}

type testEventPatternInput struct {
	EventPattern string
	Event        string
}

func (s *Store) testEventPattern(_ context.Context, r *wire.Request, in testEventPatternInput) (any, error) {
	p, err := compilePattern(in.EventPattern)
	if err != nil {
		return nil, err
	}
	ev, err := decodeEvent([]byte(in.Event))
	if err != nil {
		return nil, wire.Validation("Parameter Event is not valid.")
	}
	// AWS requires the envelope fields every event carries.
	for _, k := range []string{"id", "account", "source", "time", "region", "detail-type"} {
		if _, ok := ev[k].(string); !ok {
			return nil, wire.Validation("Parameter Event is not valid: the event must contain the field %q.", k)
		}
	}
	return struct {
		Result bool `json:"Result"`
	}{p.MatchValue(ev)}, nil
}
