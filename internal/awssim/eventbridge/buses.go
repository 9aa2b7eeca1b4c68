package eventbridge

import (
	"context"
	"strings"

	"github.com/orgnotify/orgnotify/internal/awssim/awsarn"
	"github.com/orgnotify/orgnotify/internal/awssim/wire"
)

type busOutput struct {
	Name             string  `json:"Name"`
	Arn              string  `json:"Arn"`
	Description      string  `json:"Description,omitempty"`
	Policy           string  `json:"Policy,omitempty"`
	CreationTime     float64 `json:"CreationTime,omitempty"`
	LastModifiedTime float64 `json:"LastModifiedTime,omitempty"`
}

func (b *bus) output() busOutput {
	o := busOutput{Name: b.name, Arn: b.arn, Description: b.description,
		CreationTime: wire.EpochSeconds(b.created), LastModifiedTime: wire.EpochSeconds(b.modified)}
	if b.policy != nil {
		o.Policy = b.policy.String()
	}
	return o
}

type createEventBusInput struct {
	Name            string
	EventSourceName string
	Description     string
	Tags            []Tag
}

func (s *Store) createEventBus(_ context.Context, r *wire.Request, in createEventBusInput) (any, error) {
	if in.Name == defaultBus {
		return nil, wire.Validation("Event bus name cannot be 'default': it is reserved for the account's default event bus.")
	}
	if !busNameRE.MatchString(in.Name) {
		return nil, wire.Validation("1 validation error detected: Value '%s' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+", in.Name)
	}
	if strings.HasPrefix(in.Name, "aws.") && in.EventSourceName == "" {
		return nil, wire.Validation("Event bus names starting with 'aws.' are reserved for partner event sources.")
	}
	if err := validateDescribed(in.Description, in.Tags); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	buses := s.buses(r.Account, r.Region)
	if _, ok := buses[in.Name]; ok {
		return nil, alreadyExists("Event bus %s already exists.", in.Name)
	}
	b := &bus{name: in.Name, arn: busARN(r.Region, r.Account, in.Name), description: in.Description,
		created: r.Now.UTC(), modified: r.Now.UTC(), tags: map[string]string{}, rules: map[string]*rule{}}
	for _, t := range in.Tags {
		b.tags[t.Key] = t.Value
	}
	buses[in.Name] = b
	return struct {
		EventBusArn string `json:"EventBusArn"`
		Description string `json:"Description,omitempty"`
	}{b.arn, b.description}, nil
}

// busNameInput names a bus, as DescribeEventBus and DeleteEventBus do.
type busNameInput struct {
	Name string
}

func (in busNameInput) busName() string { return in.Name }

func (s *Store) describeEventBus(_ *wire.Request, _ busNameInput, b *bus) (any, error) {
	return b.output(), nil
}

func (s *Store) deleteEventBus(_ context.Context, r *wire.Request, in busNameInput) (any, error) {
	if in.Name == defaultBus {
		return nil, wire.Validation("Cannot delete event bus default.")
	}
	if !busNameRE.MatchString(in.Name) {
		return nil, wire.Validation("1 validation error detected: Value '%s' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+", in.Name)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	// Deleting a bus that does not exist succeeds, as in AWS.
	delete(s.buses(r.Account, r.Region), in.Name)
	return struct{}{}, nil
}

type listEventBusesInput struct {
	NamePrefix string
	NextToken  string
	Limit      int32
}

func (s *Store) listEventBuses(_ context.Context, r *wire.Request, in listEventBusesInput) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	buses, next, err := namesPage(s.buses(r.Account, r.Region), (*bus).output, in.NamePrefix, in.NextToken, in.Limit)
	return struct {
		EventBuses []busOutput `json:"EventBuses"`
		NextToken  string      `json:"NextToken,omitempty"`
	}{buses, next}, err
}

type putPermissionInput struct {
	EventBusName string
	Action       string
	Principal    string
	StatementId  string
	Condition    *struct{ Type, Key, Value string }
	Policy       string
}

func (in putPermissionInput) busName() string { return in.EventBusName }

func (in putPermissionInput) Validate() error {
	if in.Policy != "" && (in.Action != "" || in.Principal != "" || in.StatementId != "" || in.Condition != nil) {
		return wire.Validation("Policy cannot be combined with Action, Principal, StatementId or Condition.")
	}
	return nil
}

// putPermission either replaces the bus's policy with a whole one, or adds
// one statement to it.
func (s *Store) putPermission(r *wire.Request, in putPermissionInput, b *bus) (any, error) {
	var p *policy
	var err error
	if in.Policy != "" {
		p, err = parsePolicy(in.Policy)
	} else {
		p, err = b.policy.withNewStatement(b.arn, in)
	}
	if err != nil {
		return nil, err
	}
	b.policy, b.modified = p, r.Now.UTC()
	return struct{}{}, nil
}

// withNewStatement is the policy with the statement PutPermission's
// parameter form adds, with the shapes AWS writes.
func (p *policy) withNewStatement(busARN string, in putPermissionInput) (*policy, error) {
	if in.Action != "events:PutEvents" {
		return nil, wire.Validation("Provided value in parameter 'action' is not supported.")
	}
	if !statementIDRE.MatchString(in.StatementId) {
		return nil, wire.Validation("1 validation error detected: Value '%s' at 'statementId' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9-_]+", in.StatementId)
	}
	if p != nil && p.index(in.StatementId) >= 0 {
		return nil, alreadyExists("Statement with sid %s already exists.", in.StatementId)
	}
	st := map[string]any{"Sid": in.StatementId, "Effect": "Allow", "Action": in.Action, "Resource": busARN}
	switch {
	case in.Principal == "*":
		st["Principal"] = "*"
	case awsarn.IsAccountID(in.Principal):
		st["Principal"] = map[string]any{"AWS": "arn:aws:iam::" + in.Principal + ":root"}
	default:
		return nil, wire.Validation("Parameter Principal is not valid. Reason: it must be a 12-digit account ID or *.")
	}
	if in.Condition != nil {
		if in.Condition.Type != "StringEquals" || in.Condition.Key != "aws:PrincipalOrgID" || in.Condition.Value == "" {
			return nil, wire.Validation("Condition supports only Type StringEquals with Key aws:PrincipalOrgID and a Value.")
		}
		st["Condition"] = map[string]any{"StringEquals": map[string]any{"aws:PrincipalOrgID": in.Condition.Value}}
	}
	return p.withStatement(st)
}

type removePermissionInput struct {
	EventBusName         string
	StatementId          string
	RemoveAllPermissions bool
}

func (in removePermissionInput) busName() string { return in.EventBusName }

func (in removePermissionInput) Validate() error {
	if in.RemoveAllPermissions == (in.StatementId != "") {
		return wire.Validation("Specify either StatementId or RemoveAllPermissions.")
	}
	return nil
}

func (s *Store) removePermission(r *wire.Request, in removePermissionInput, b *bus) (any, error) {
	if b.policy == nil {
		return nil, wire.NotFound("EventBus does not have a policy.")
	}
	if in.RemoveAllPermissions {
		b.policy, b.modified = nil, r.Now.UTC()
		return struct{}{}, nil
	}
	p, ok, err := b.policy.withoutStatement(in.StatementId)
	switch {
	case err != nil:
		return nil, err
	case !ok:
		return nil, wire.NotFound("Statement with the provided id does not exist.")
	}
	b.policy, b.modified = p, r.Now.UTC()
	return struct{}{}, nil
}
