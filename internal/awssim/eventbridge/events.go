package eventbridge

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/orgnotify/orgnotify/internal/awssim/handoff"
	"github.com/orgnotify/orgnotify/internal/awssim/wire"
)

// envelope is an event as rules see it and targets receive it, with the
// fields in the order AWS writes them.
type envelope struct {
	Version    string          `json:"version"`
	ID         string          `json:"id"`
	DetailType string          `json:"detail-type"`
	Source     string          `json:"source"`
	Account    string          `json:"account"`
	Time       string          `json:"time"`
	Region     string          `json:"region"`
	Resources  []string        `json:"resources"`
	Detail     json.RawMessage `json:"detail"`
}

type putEventsEntry struct {
	Source       string
	DetailType   string
	Detail       string
	Resources    []string
	EventBusName string
	Time         *float64
	TraceHeader  string
}

type putEventsResult struct {
	EventId      string `json:"EventId,omitempty"`
	ErrorCode    string `json:"ErrorCode,omitempty"`
	ErrorMessage string `json:"ErrorMessage,omitempty"`
}

// entrySize is how AWS counts an entry against the 256 KiB PutEvents limit.
func entrySize(e putEventsEntry) int {
	n := len(e.Source) + len(e.DetailType) + len(e.Detail)
	if e.Time != nil {
		n += 14
	}
	for _, r := range e.Resources {
		n += len(r)
	}
	return n
}

type putEventsInput struct {
	Entries    []putEventsEntry
	EndpointId string
}

func (s *Store) putEvents(ctx context.Context, r *wire.Request, in putEventsInput) (any, error) {
	if len(in.Entries) == 0 || len(in.Entries) > maxPutEvents {
		return nil, wire.Validation("1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length between 1 and %d", maxPutEvents)
	}
	total := 0
	for _, e := range in.Entries {
		total += entrySize(e)
	}
	if total > maxPutEventsBytes {
		return nil, wire.Validation("Total size of the entries in the request is over the limit.")
	}

	out := struct {
		FailedEntryCount int               `json:"FailedEntryCount"`
		Entries          []putEventsResult `json:"Entries"`
	}{Entries: make([]putEventsResult, len(in.Entries))}
	for i, e := range in.Entries {
		res := s.putEntry(ctx, r, e)
		if res.ErrorCode != "" {
			out.FailedEntryCount++
		}
		out.Entries[i] = res
	}
	return out, nil
}

func (s *Store) putEntry(ctx context.Context, r *wire.Request, e putEventsEntry) putEventsResult {
	fail := func(code, msg string) putEventsResult { return putEventsResult{ErrorCode: code, ErrorMessage: msg} }
	switch {
	case e.Source == "":
		return fail("InvalidArgument", "Parameter Source is not valid. Reason: Source is a required argument.")
	case e.DetailType == "":
		return fail("InvalidArgument", "Parameter DetailType is not valid. Reason: DetailType is a required argument.")
	case e.Detail == "":
		return fail("InvalidArgument", "Parameter Detail is not valid. Reason: Detail is a required argument.")
	case strings.HasPrefix(e.Source, "aws."):
		// Only AWS services publish aws.* sources; tests use PutServiceEvent.
		return fail("NotAuthorizedForSourceException", "Not authorized for the source.")
	}
	if !isObject([]byte(e.Detail)) {
		return fail("MalformedDetail", "Detail is malformed.")
	}
	ref, err := parseBus(r, e.EventBusName)
	if err != nil {
		return fail("InvalidArgument", wire.AsError(err).Message)
	}
	when := r.Now
	if e.Time != nil {
		// The event's "time" is RFC 3339, whose years have four digits.
		if t := *e.Time; !(t >= -62167219200 && t < 253402300800) {
			return fail("InvalidArgument", "Parameter Time is not valid. Reason: the time stamp must fall within the years 0000 to 9999 (RFC 3339).")
		}
		when = wire.EpochTime(*e.Time)
	}
	env := newEnvelope(r.Account, r.Region, when, ServiceEvent{Source: e.Source, DetailType: e.DetailType,
		Detail: json.RawMessage(e.Detail), Resources: e.Resources})
	if err := s.accept(ctx, ref, env, sender{account: r.Account, principal: r.Principal, inOrg: true}, 0); err != nil {
		e := wire.AsError(err)
		return fail(e.Code, e.Message)
	}
	return putEventsResult{EventId: env.ID}
}

// apiCallDetailType is the detail-type of the events CloudTrail records
// for API calls; EventBridge receives them only where a trail is logging.
const apiCallDetailType = "AWS API Call via CloudTrail"

// ErrNoTrail is returned by PutServiceEvent for an "AWS API Call via
// CloudTrail" event in an account and region where no CloudTrail trail is
// logging: AWS would not deliver it to EventBridge.
var ErrNoTrail = errors.New("not delivered: no CloudTrail trail is logging management events there, so AWS API Call via CloudTrail events do not reach EventBridge")

// Trails tells where CloudTrail is logging; the CloudTrail simulator
// implements it.
type Trails interface {
	Logging(account, region string) bool
}

// SetTrails makes PutServiceEvent deliver "AWS API Call via CloudTrail"
// events only where t says a trail is logging. Without it, every event is
// delivered.
func (s *Store) SetTrails(t Trails) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.trails = t
}

// ServiceEvent is an event an AWS service (not a customer) publishes on an
// account's default bus: Organizations, CloudTrail, CloudFormation.
type ServiceEvent struct {
	Source     string
	DetailType string
	Detail     json.RawMessage
	Resources  []string
	Time       time.Time // zero: now
}

// PutServiceEvent publishes an AWS service event on the default bus of an
// account and region and routes it like PutEvents does. It exists because
// PutEvents refuses "aws.*" sources to customers, as AWS does; the simulated
// services and tests use it to raise events such as Organizations'
// CreateAccountResult. It returns the event ID.
func (s *Store) PutServiceEvent(ctx context.Context, account, region string, ev ServiceEvent) (string, error) {
	if !isObject(ev.Detail) {
		return "", fmt.Errorf("service event detail must be a JSON object")
	}
	s.mu.Lock()
	trails := s.trails
	s.mu.Unlock()
	if ev.DetailType == apiCallDetailType && trails != nil && !trails.Logging(account, region) {
		return "", fmt.Errorf("%w: account %s, region %s", ErrNoTrail, account, region)
	}
	when := ev.Time
	if when.IsZero() {
		when = time.Now()
	}
	env := newEnvelope(account, region, when, ev)
	if err := s.accept(ctx, busRef{account, region, defaultBus}, env, sender{account: account, inOrg: true}, 0); err != nil {
		return "", err
	}
	return env.ID, nil
}

// newEnvelope wraps an event's content, whether a customer's PutEvents entry
// or a service's event, in the envelope rules match. The callers default the
// time differently, so it comes as when and ev.Time is not read. Resources
// are [] rather than null, as AWS writes them.
func newEnvelope(account, region string, when time.Time, ev ServiceEvent) envelope {
	resources := ev.Resources
	if resources == nil {
		resources = []string{}
	}
	return envelope{Version: "0", ID: wire.NewUUID(), DetailType: ev.DetailType, Source: ev.Source,
		Account: account, Time: when.UTC().Format(time.RFC3339), Region: region,
		Resources: resources, Detail: compact(ev.Detail)}
}

// isObject reports whether b is a JSON object, as an event's detail must be.
func isObject(b []byte) bool {
	var m map[string]json.RawMessage
	return json.Unmarshal(b, &m) == nil && m != nil
}

// sender is who puts an event on a bus.
type sender struct {
	account string
	// principal is the caller's ARN; empty stands for the account's root.
	principal string
	// inOrg is whether aws:PrincipalOrgID applies to the sender: true for
	// an identity (a PutEvents caller, a target's role session), false for
	// a rule forwarding without a RoleArn, which EventBridge sends as the
	// account itself, so that a bus granting only through the organization
	// refuses it, as AWS documents (PutTargets: RoleArn).
	inOrg bool
}

// invocation is one target to call for one matched event, copied out of
// the store so delivery runs without the lock.
type invocation struct {
	ruleARN, owner string
	target         target
}

// accept puts an event on a bus on behalf of sender and delivers it to the
// targets of every enabled rule that matches. hops counts the bus-to-bus
// moves the event has made. It returns an error only when the bus refuses
// the event (missing, or its policy denies the sender); target failures are
// counted in the rule metrics.
func (s *Store) accept(ctx context.Context, ref busRef, env envelope, from sender, hops int) error {
	body, err := json.Marshal(env)
	if err != nil {
		return err
	}
	event, err := decodeEvent(body)
	if err != nil {
		return err
	}

	s.mu.Lock()
	b, err := s.lookupBus(ref)
	if err != nil {
		s.mu.Unlock()
		return err
	}
	if from.account != ref.account {
		var orgID string
		if s.orgs != nil && from.inOrg {
			orgID, _ = s.orgs.OrgIDOf(from.account)
		}
		if !b.policy.allowsPutEvents(from.account, from.principal, orgID, b.arn) {
			s.mu.Unlock()
			return wire.AccessDenied("Account %s is not authorized to put events on event bus %s.", from.account, b.arn)
		}
	}
	var calls []invocation
	for _, n := range slices.Sorted(maps.Keys(b.rules)) { // deterministic delivery order
		ru := b.rules[n]
		if ru.pattern == nil || ru.state == stateDisabled || !ru.pattern.MatchValue(event) {
			continue
		}
		s.metric(ru.arn).Matched++
		for _, t := range ru.targets {
			calls = append(calls, invocation{ruleARN: ru.arn, owner: ru.account, target: *t})
		}
	}
	s.mu.Unlock()

	for _, c := range calls {
		err := s.invoke(ctx, c, env, body, event, hops)
		if err != nil {
			s.failed(ctx, c, env, body, err)
			continue
		}
		s.mu.Lock()
		s.metric(c.ruleARN).Invoked++
		s.mu.Unlock()
	}
	return nil
}

// metric returns the counters of a rule. The caller holds s.mu.
func (s *Store) metric(arn string) *RuleMetrics {
	m := s.metrics[arn]
	if m == nil {
		m = &RuleMetrics{}
		s.metrics[arn] = m
	}
	return m
}

// errLoop is returned for an event that already moved between buses.
var errLoop = errors.New("event already forwarded from another event bus; EventBridge does not route it to a further bus")

func (s *Store) invoke(ctx context.Context, c invocation, env envelope, body []byte, event map[string]any, hops int) error {
	a, _ := parseARN(c.target.Arn)
	if a.Service == "events" && strings.HasPrefix(a.Resource, "event-bus/") {
		if hops >= maxBusHops {
			return errLoop
		}
		to := busRef{a.Account, a.Region, strings.TrimPrefix(a.Resource, "event-bus/")}
		from, err := s.busSender(ctx, c, to.arn())
		if err != nil {
			return err
		}
		// The event keeps its id, account, region and content: the
		// receiving bus's rules see what the sender saw.
		return s.accept(ctx, to, env, from, hops+1)
	}
	payload, err := transform(c.target, body, event)
	if err != nil {
		return err
	}
	var to handoff.Deliverer
	action := ""
	switch a.Service {
	case "sqs":
		to, action = s.targets.SQS, "sqs:SendMessage"
	case "sns":
		to, action = s.targets.SNS, "sns:Publish"
	}
	if to == nil {
		return fmt.Errorf("target %s: service %s is not simulated", c.target.Arn, a.Service)
	}
	// AWS delivers to SQS and SNS through their resource policies (W2);
	// a target that names a role anyway is delivered through the role too,
	// which must then be assumable and allow the send, as AWS documents.
	if c.target.RoleArn != "" {
		if _, err := s.roleSession(ctx, c, action, c.target.Arn); err != nil {
			return err
		}
	}
	return to.Deliver(ctx, handoff.Delivery{
		TargetARN:     c.target.Arn,
		Body:          payload,
		FromService:   servicePrincipal,
		SourceARN:     c.ruleARN,
		SourceAccount: c.owner,
	})
}

// busSender is who a rule's bus target puts the event as. Without a
// RoleArn, the rule's account itself; with one, EventBridge assumes the
// role, which must be in the rule's account, trust events.amazonaws.com for
// this rule and allow events:PutEvents on the bus: then the role's session
// is the sender, an identity the organization condition applies to.
func (s *Store) busSender(ctx context.Context, c invocation, busARN string) (sender, error) {
	if c.target.RoleArn == "" {
		return sender{account: c.owner}, nil
	}
	principal, err := s.roleSession(ctx, c, "events:PutEvents", busARN)
	if err != nil {
		return sender{}, err
	}
	return sender{account: c.owner, principal: principal, inOrg: true}, nil
}

// roleSession assumes the target's role for EventBridge and checks that it
// allows action on resource; it returns the role session's principal.
func (s *Store) roleSession(ctx context.Context, c invocation, action, resource string) (string, error) {
	if a, ok := parseARN(c.target.RoleArn); !ok || a.Account != c.owner {
		return "", wire.AccessDenied("Role %s is not in the rule's account %s.", c.target.RoleArn, c.owner)
	}
	if s.targets.Roles == nil {
		return "", fmt.Errorf("target %s: roles are not simulated", c.target.Arn)
	}
	return s.targets.Roles.AuthorizeRoleUse(ctx, handoff.RoleUse{
		RoleARN: c.target.RoleArn, FromService: servicePrincipal,
		SourceAccount: c.owner, SourceARN: c.ruleARN,
		Action: action, Resource: resource,
	})
}

// transform applies a target's Input, InputPath or InputTransformer.
func transform(t target, body []byte, event map[string]any) (string, error) {
	switch {
	case t.Input != "":
		return t.Input, nil
	case t.InputPath != "":
		v, ok, err := lookupPath(event, t.InputPath)
		if err != nil {
			return "", err
		}
		if !ok {
			return "", fmt.Errorf("InputPath %s selects nothing in the event", t.InputPath)
		}
		return marshal(v), nil
	case t.InputTransformer != nil:
		return applyTemplate(t.InputTransformer, event)
	}
	return string(body), nil
}

// applyTemplate fills <name> placeholders of an input template with the
// values the paths select. Inside a JSON string of the template a value is
// inserted as text (a string without its quotes); elsewhere as JSON. A path
// that selects nothing yields an empty string or null, as in AWS.
func applyTemplate(it *inputTransformer, event map[string]any) (string, error) {
	values := map[string]any{}
	for name, p := range it.InputPathsMap {
		v, ok, err := lookupPath(event, p)
		if err != nil {
			return "", err
		}
		if ok {
			values[name] = v
		}
	}
	// The predefined variable AWS provides in every template.
	values["aws.events.event"] = event
	tpl := it.InputTemplate
	var out strings.Builder
	inString := false
	for i := 0; i < len(tpl); i++ {
		c := tpl[i]
		switch {
		case c == '\\' && inString && i+1 < len(tpl):
			out.WriteByte(c)
			out.WriteByte(tpl[i+1])
			i++
			continue
		case c == '"':
			inString = !inString
		case c == '<':
			j := strings.IndexByte(tpl[i:], '>')
			if j > 0 {
				name := tpl[i+1 : i+j]
				v, known := values[name]
				if _, declared := it.InputPathsMap[name]; known || declared {
					out.WriteString(render(v, inString))
					i += j
					continue
				}
			}
		}
		out.WriteByte(c)
	}
	return out.String(), nil
}

// render writes a template value: JSON outside a string, text inside one.
func render(v any, inString bool) string {
	if !inString {
		return marshal(v)
	}
	text := ""
	switch x := v.(type) {
	case nil:
	case string:
		text = x
	default:
		text = marshal(x)
	}
	q, _ := json.Marshal(text)
	return string(q[1 : len(q)-1])
}

type pathStep struct {
	key   string
	index int // -1 for a key step
}

// errBadPath is returned for a JSONPath outside the supported subset.
var errBadPath = errors.New("not a valid JSON path")

// parsePath reads the JSONPath subset targets use: "$", "$.a.b", "$.a[0]".
func parsePath(p string) ([]pathStep, error) {
	if p != "$" && !strings.HasPrefix(p, "$.") && !strings.HasPrefix(p, "$[") {
		return nil, fmt.Errorf("%w: %s", errBadPath, p)
	}
	var steps []pathStep
	rest := p[1:]
	for rest != "" {
		switch rest[0] {
		case '.':
			rest = rest[1:]
			end := strings.IndexAny(rest, ".[")
			if end < 0 {
				end = len(rest)
			}
			if end == 0 {
				return nil, fmt.Errorf("%w: %s", errBadPath, p)
			}
			steps = append(steps, pathStep{key: rest[:end], index: -1})
			rest = rest[end:]
		case '[':
			end := strings.IndexByte(rest, ']')
			if end < 0 {
				return nil, fmt.Errorf("%w: %s", errBadPath, p)
			}
			inner := rest[1:end]
			if n, err := strconv.Atoi(inner); err == nil && n >= 0 {
				steps = append(steps, pathStep{index: n})
			} else if len(inner) >= 2 && (inner[0] == '\'' || inner[0] == '"') && inner[len(inner)-1] == inner[0] {
				steps = append(steps, pathStep{key: inner[1 : len(inner)-1], index: -1})
			} else {
				return nil, fmt.Errorf("%w: %s", errBadPath, p)
			}
			rest = rest[end+1:]
		default:
			return nil, fmt.Errorf("%w: %s", errBadPath, p)
		}
	}
	return steps, nil
}

func lookupPath(event map[string]any, p string) (any, bool, error) {
	steps, err := parsePath(p)
	if err != nil {
		return nil, false, err
	}
	var cur any = event
	for _, st := range steps {
		if st.index >= 0 {
			arr, ok := cur.([]any)
			if !ok || st.index >= len(arr) {
				return nil, false, nil
			}
			cur = arr[st.index]
			continue
		}
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false, nil
		}
		if cur, ok = m[st.key]; !ok {
			return nil, false, nil
		}
	}
	return cur, true, nil
}

// decodeEvent reads an event object keeping numbers exact, as
// eventpattern.MatchValue expects.
func decodeEvent(b []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	if m == nil {
		return nil, errors.New("event is not a JSON object")
	}
	return m, nil
}

func marshal(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "null"
	}
	return string(b)
}

func compact(b []byte) json.RawMessage {
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		return json.RawMessage(b)
	}
	return buf.Bytes()
}
