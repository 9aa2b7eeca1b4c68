// Package iam simulates the part of AWS IAM orgnotify uses: roles with
// their trust policy, inline policies and tags, per account (IAM is global,
// so there is no region). It also answers, for EventBridge, whether a
// service may use a role to perform an action, the check AWS makes when a
// rule target carries a RoleArn.
//
// Eventual consistency is opt-in: with SetPropagationDelay(d), a role is
// invisible to GetRole and unusable by services for d after CreateRole, as a
// new role is in AWS, so that callers must wait for it.
package iam

import (
	"context"
	"crypto/sha256"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/orgnotify/orgnotify/internal/awssim/awsarn"
	"github.com/orgnotify/orgnotify/internal/awssim/handoff"
	"github.com/orgnotify/orgnotify/internal/awssim/iampolicy"
	"github.com/orgnotify/orgnotify/internal/awssim/wire"
)

// Quotas AWS applies by default.
const (
	maxTags          = 50
	maxTrustPolicy   = 2048  // ACLSizePerRole, non-whitespace characters
	maxInlinePolicy  = 10240 // aggregate inline policy size per role
	defaultMaxSesion = 3600
)

var (
	roleNameRE   = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)
	policyNameRE = regexp.MustCompile(`^[\w+=,.@-]{1,128}$`)
	pathRE       = regexp.MustCompile(`^(/|/[\x21-\x7e]*/)$`)
)

// Store holds the roles of every account.
type Store struct {
	mu          sync.Mutex
	now         func() time.Time
	propagation time.Duration
	accounts    map[string]map[string]*role // account → lower-case role name → role
}

type role struct {
	name, path, id, arn string
	account             string
	description         string
	maxSession          int
	created             time.Time
	trustDoc            string
	trust               *iampolicy.Policy
	tags                []tagXML // in the order first set, as IAM lists them
	policies            map[string]string
	parsed              map[string]*iampolicy.Policy
}

// New returns a store with no roles.
func New() *Store {
	return &Store{now: time.Now, accounts: map[string]map[string]*role{}}
}

// SetClock replaces the clock that stamps CreateDate and decides
// propagation.
func (s *Store) SetClock(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
}

// SetPropagationDelay makes a new role invisible to GetRole and unusable by
// services for d after it is created (0, the default, disables it).
func (s *Store) SetPropagationDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.propagation = d
}

// onRole is an operation on the role its RoleName parameter names, found
// under the store's lock once check (nil: none) accepts the request.
func onRole(s *Store, check func(*wire.Request) error, serve func(r *wire.Request, ro *role) (any, error)) wire.Handler {
	find := func(r *wire.Request, _ struct{}) (*role, error) {
		if check != nil {
			if err := check(r); err != nil {
				return nil, err
			}
		}
		return s.lookup(r.Account, r.Form.Get("RoleName"))
	}
	return wire.Locked(&s.mu, find, func(r *wire.Request, _ struct{}, ro *role) (any, error) { return serve(r, ro) })
}

// Checks of a request's parameters, made before the role is looked up.
var (
	policyNameParam = func(r *wire.Request) error { return checkPolicyName(r.Form.Get("PolicyName")) }
	trustParam      = func(r *wire.Request) error { _, err := parseTrust(r.Form.Get("PolicyDocument")); return err }
	tagsParam       = func(r *wire.Request) error { _, err := readTags(r); return err }
)

// Service is the IAM service (awsQuery).
func (s *Store) Service() wire.Service {
	return wire.Service{
		SigningName:      "iam",
		Protocol:         wire.Query,
		XMLNamespace:     "https://iam.amazonaws.com/doc/2010-05-08/",
		ThrottleCode:     "Throttling",
		AccessDeniedCode: "AccessDenied",
		Ops: map[string]wire.Handler{
			"CreateRole":             s.createRole,
			"GetRole":                onRole(s, nil, s.getRole),
			"DeleteRole":             onRole(s, nil, s.deleteRole),
			"ListRoles":              s.listRoles,
			"UpdateAssumeRolePolicy": onRole(s, trustParam, s.updateAssumeRolePolicy),
			"PutRolePolicy":          s.putRolePolicy,
			"GetRolePolicy":          onRole(s, policyNameParam, s.getRolePolicy),
			"DeleteRolePolicy":       onRole(s, policyNameParam, s.deleteRolePolicy),
			"ListRolePolicies":       onRole(s, nil, s.listRolePolicies),
			"TagRole":                onRole(s, tagsParam, s.tagRole),
			"UntagRole":              onRole(s, nil, s.untagRole),
			"ListRoleTags":           onRole(s, nil, s.listRoleTags),
		},
	}
}

func noSuchRole(name string) *wire.Error {
	return wire.Errorf("NoSuchEntity", http.StatusNotFound, "The role with name %s cannot be found.", name)
}

func validationError(format string, args ...any) *wire.Error {
	return wire.Errorf("ValidationError", http.StatusBadRequest, format, args...)
}

func limitExceeded(format string, args ...any) *wire.Error {
	return wire.Errorf("LimitExceeded", http.StatusConflict, format, args...)
}

func malformedPolicy(err error) *wire.Error {
	msg := err.Error()
	msg = strings.TrimPrefix(msg, iampolicy.ErrMalformed.Error()+": ")
	return wire.Errorf("MalformedPolicyDocument", http.StatusBadRequest, "%s", msg)
}

func constraint(value, field, rule string) *wire.Error {
	return validationError("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: %s", value, field, rule)
}

func checkRoleName(name string) error {
	if !roleNameRE.MatchString(name) {
		return constraint(name, "roleName", `Member must satisfy regular expression pattern: [\w+=,.@-]+`)
	}
	return nil
}

// policySize is how IAM counts a policy against its quotas: without
// white space.
func policySize(doc string) int {
	n := utf8.RuneCountInString(doc)
	for _, space := range []string{" ", "\t", "\n", "\r"} {
		n -= strings.Count(doc, space)
	}
	return n
}

// encodePolicy is how IAM returns policy documents: URL-encoded (RFC 3986),
// so callers must decode them.
func encodePolicy(doc string) string {
	return strings.ReplaceAll(url.QueryEscape(doc), "+", "%20")
}

// roleID derives a stable unique ID of AWS's form (AROA + 17 characters)
// from the role ARN and its creation time, so a re-created role gets a new ID.
func roleID(arn string, created time.Time) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	sum := sha256.Sum256([]byte(arn + "\x00" + created.Format(time.RFC3339Nano)))
	b := make([]byte, 17)
	for i := range b {
		b[i] = alphabet[int(sum[i])%len(alphabet)]
	}
	return "AROA" + string(b)
}

// visible reports whether a role has propagated. The caller holds s.mu.
func (s *Store) visible(ro *role) bool {
	return s.propagation <= 0 || !s.now().Before(ro.created.Add(s.propagation))
}

// lookup returns the role or NoSuchEntity. Role names compare without
// case, as in IAM. The caller holds s.mu.
func (s *Store) lookup(account, name string) (*role, error) {
	if err := checkRoleName(name); err != nil {
		return nil, err
	}
	ro := s.accounts[account][strings.ToLower(name)]
	if ro == nil {
		return nil, noSuchRole(name)
	}
	return ro, nil
}

var _ handoff.RoleAuthorizer = (*Store)(nil)

// AuthorizeRoleUse checks, as AWS does before a service acts through a
// role, that the role exists and has propagated, that its trust policy lets
// the service assume it for this source, and that its inline policies allow
// the action on the resource. It returns the session principal the service
// then acts as ("arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION").
func (s *Store) AuthorizeRoleUse(_ context.Context, u handoff.RoleUse) (string, error) {
	account, name, ok := parseRoleARN(u.RoleARN)
	if !ok {
		return "", wire.AccessDenied("%s is not a valid role ARN", u.RoleARN)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ro := s.accounts[account][strings.ToLower(name)]
	if ro == nil || !s.visible(ro) {
		return "", wire.AccessDenied("%s is not authorized to assume role %s: the role does not exist", u.FromService, u.RoleARN)
	}
	if !ro.trust.Allows(iampolicy.Request{
		Principal: iampolicy.Principal{Service: u.FromService},
		Action:    "sts:AssumeRole",
		Resource:  ro.arn,
		Context:   handoff.SourceCondition(u.SourceARN, u.SourceAccount),
	}) {
		return "", wire.AccessDenied("%s is not authorized to perform: sts:AssumeRole on resource: %s", u.FromService, u.RoleARN)
	}
	session := "awssim-" + strings.SplitN(u.FromService, ".", 2)[0]
	principal := "arn:aws:sts::" + account + ":assumed-role/" + ro.name + "/" + session
	req := iampolicy.Request{
		Principal: iampolicy.Principal{AWS: principal, Account: account},
		Action:    u.Action,
		Resource:  u.Resource,
	}
	// The inline policies are evaluated as one: an explicit Deny in any of
	// them wins, otherwise one Allow is needed.
	var all iampolicy.Policy
	for _, n := range slices.Sorted(maps.Keys(ro.parsed)) {
		all.Statements = append(all.Statements, ro.parsed[n].Statements...)
	}
	if !all.Allows(req) {
		return "", wire.AccessDenied("User: %s is not authorized to perform: %s on resource: %s because no identity-based policy allows the %s action",
			principal, u.Action, u.Resource, u.Action)
	}
	return principal, nil
}

// parseRoleARN splits arn:aws:iam::ACCOUNT:role/[PATH/]NAME.
func parseRoleARN(arn string) (account, name string, ok bool) {
	a, ok := awsarn.Parse(arn)
	if !ok || a.Partition != "aws" || a.Service != "iam" || a.Region != "" || !awsarn.IsAccountID(a.Account) || !strings.HasPrefix(a.Resource, "role/") {
		return "", "", false
	}
	account = a.Account
	res := strings.TrimPrefix(a.Resource, "role/")
	name = res[strings.LastIndex(res, "/")+1:]
	return account, name, roleNameRE.MatchString(name)
}
