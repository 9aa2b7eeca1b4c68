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
	reg := s.region(r.Account, r.Region)
	if _, ok := reg.buses[in.Name]; ok {
		return nil, alreadyExists("Event bus %s already exists.", in.Name)
	}
	b := &bus{name: in.Name, arn: busARN(r.Region, r.Account, in.Name), description: in.Description,
		created: r.Now.UTC(), modified: r.Now.UTC(), tags: map[string]string{}, rules: map[string]*rule{}}
	for _, t := range in.Tags {
		b.tags[t.Key] = t.Value
	}
	reg.buses[in.Name] = b
	return struct {
		EventBusArn string `json:"EventBusArn"`
		Description string `json:"Description,omitempty"`
	}{b.arn, b.description}, nil
}

type describeEventBusInput struct {
	Name string
}

func (in describeEventBusInput) busName() string { return in.Name }

func (s *Store) describeEventBus(_ *wire.Request, _ describeEventBusInput, b *bus) (any, error) {
	return b.output(), nil
}

type deleteEventBusInput struct {
	Name string
}

func (s *Store) deleteEventBus(_ context.Context, r *wire.Request, in deleteEventBusInput) (any, error) {
	if in.Name == defaultBus {
		return nil, wire.Validation("Cannot delete event bus default.")
	}
	if !busNameRE.MatchString(in.Name) {
		return nil, wire.Validation("1 validation error detected: Value '%s' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+", in.Name)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	// Deleting a bus that does not exist succeeds, as in AWS.
	delete(s.region(r.Account, r.Region).buses, in.Name)
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
	reg := s.region(r.Account, r.Region)
	buses, next, err := namesPage(reg.buses, (*bus).output, in.NamePrefix, in.NextToken, in.Limit)
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

func (s *Store) putPermission(_ context.Context, r *wire.Request, in putPermissionInput) (any, error) {
	ref, err := ownBus(r, in.EventBusName)
	if err != nil {
		return nil, err
	}
	// Either a whole policy replaces the bus's, or one statement joins it.
	var whole *policy
	var st map[string]any
	if in.Policy != "" {
		if in.Action != "" || in.Principal != "" || in.StatementId != "" || in.Condition != nil {
			return nil, wire.Validation("Policy cannot be combined with Action, Principal, StatementId or Condition.")
		}
		whole, err = parsePolicy(in.Policy)
	} else {
		st, err = permissionStatement(ref, in.Action, in.Principal, in.StatementId, in.Condition)
	}
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.lookupBus(ref)
	if err != nil {
		return nil, err
	}
	if whole == nil {
		if b.policy != nil {
			for _, old := range b.policy.Statement {
				if old["Sid"] == in.StatementId {
					return nil, alreadyExists("Statement with sid %s already exists.", in.StatementId)
				}
			}
		}
		if whole, err = b.policy.withStatement(st); err != nil {
			return nil, err
		}
	}
	b.policy, b.modified = whole, r.Now.UTC()
	return struct{}{}, nil
}

// permissionStatement builds the statement PutPermission's parameter form
// adds, with the shapes AWS writes.
func permissionStatement(ref busRef, action, principal, sid string, cond *struct{ Type, Key, Value string }) (map[string]any, error) {
	if action != "events:PutEvents" {
		return nil, wire.Validation("Provided value in parameter 'action' is not supported.")
	}
	if !statementIDRE.MatchString(sid) {
		return nil, wire.Validation("1 validation error detected: Value '%s' at 'statementId' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9-_]+", sid)
	}
	st := map[string]any{"Sid": sid, "Effect": "Allow", "Action": action, "Resource": ref.arn()}
	switch {
	case principal == "*":
		st["Principal"] = "*"
	case awsarn.IsAccountID(principal):
		st["Principal"] = map[string]any{"AWS": "arn:aws:iam::" + principal + ":root"}
	default:
		return nil, wire.Validation("Parameter Principal is not valid. Reason: it must be a 12-digit account ID or *.")
	}
	if cond != nil {
		if cond.Type != "StringEquals" || cond.Key != "aws:PrincipalOrgID" || cond.Value == "" {
			return nil, wire.Validation("Condition supports only Type StringEquals with Key aws:PrincipalOrgID and a Value.")
		}
		st["Condition"] = map[string]any{"StringEquals": map[string]any{"aws:PrincipalOrgID": cond.Value}}
	}
	return st, nil
}

type removePermissionInput struct {
	EventBusName         string
	StatementId          string
	RemoveAllPermissions bool
}

func (s *Store) removePermission(_ context.Context, r *wire.Request, in removePermissionInput) (any, error) {
	ref, err := ownBus(r, in.EventBusName)
	if err != nil {
		return nil, err
	}
	if in.RemoveAllPermissions == (in.StatementId != "") {
		return nil, wire.Validation("Specify either StatementId or RemoveAllPermissions.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.lookupBus(ref)
	if err != nil {
		return nil, err
	}
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
