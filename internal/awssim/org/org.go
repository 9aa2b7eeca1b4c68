// Package org simulates AWS Organizations and STS: the accounts of one
// organization, the roles that can be assumed in them, and the credentials
// AssumeRole issues. It also resolves access keys to accounts for the router.
//
// Identities: temporary credentials issued by AssumeRole act as the role's
// account with the principal arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION;
// any other access key without a session token acts as the management
// account's root user, so a test needs no setup to be "the platform team".
//
// Roles: like AWS, every member account that joined by CreateAccount (the
// default JoinedMethod CREATED) has OrganizationAccountAccessRole, trusted by
// the management account; invited accounts and the management account have
// it only when the seed lists it in Roles. So with an empty seed, assuming
// OrganizationAccountAccessRole in the management account is AccessDenied,
// as it is in AWS.
package org

import (
	"cmp"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"regexp"
	"slices"
	"sync"
	"time"

	"github.com/orgnotify/orgnotify/internal/awssim/awsarn"
	"github.com/orgnotify/orgnotify/internal/awssim/wire"
)

// Defaults used when the seed leaves them out. The IDs follow AWS's
// patterns (o-[a-z0-9]{10,32}, r-[0-9a-z]{4,32}).
const (
	DefaultManagementAccount = "111111111111"
	DefaultOrganizationID    = "o-aa111bb222"
	DefaultRootID            = "r-ab12"
	// AccessRole is the role AWS creates in accounts made by CreateAccount.
	AccessRole = "OrganizationAccountAccessRole"
)

// Seed describes the organization at start.
type Seed struct {
	ManagementAccount string `json:"managementAccount" yaml:"managementAccount"`
	OrganizationID    string `json:"organizationId" yaml:"organizationId"`
	RootID            string `json:"rootId,omitempty" yaml:"rootId,omitempty"`
	// Accounts may list the management account; it is added when missing.
	Accounts            []Account `json:"accounts" yaml:"accounts"`
	OrganizationalUnits []OU      `json:"organizationalUnits,omitempty" yaml:"organizationalUnits,omitempty"`
	// Roles are added to the default OrganizationAccountAccessRole of
	// created member accounts. Their accounts need not be in the
	// organization: a role in an outside account models a stranger.
	Roles []Role `json:"roles,omitempty" yaml:"roles,omitempty"`
	// DelegatedAdministrators are member accounts allowed to call the
	// Organizations read APIs, as a delegated administrator can.
	DelegatedAdministrators []string `json:"delegatedAdministrators,omitempty" yaml:"delegatedAdministrators,omitempty"`
}

// Account is an account of the organization.
type Account struct {
	ID    string `json:"id" yaml:"id"`
	Name  string `json:"name" yaml:"name"`
	Email string `json:"email,omitempty" yaml:"email,omitempty"`
	// Status is the account state: ACTIVE (default), SUSPENDED,
	// PENDING_CLOSURE or CLOSED.
	Status string `json:"status,omitempty" yaml:"status,omitempty"`
	// ParentID is the root (default) or an OU of the seed.
	ParentID string `json:"parentId,omitempty" yaml:"parentId,omitempty"`
	// JoinedMethod is CREATED (default) or INVITED; only created member
	// accounts get OrganizationAccountAccessRole by default.
	JoinedMethod    string    `json:"joinedMethod,omitempty" yaml:"joinedMethod,omitempty"`
	JoinedTimestamp time.Time `json:"joinedTimestamp,omitzero" yaml:"joinedTimestamp,omitempty"`
}

// OU is an organizational unit.
type OU struct {
	ID       string `json:"id" yaml:"id"` // ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}
	Name     string `json:"name" yaml:"name"`
	ParentID string `json:"parentId,omitempty" yaml:"parentId,omitempty"` // root when empty
}

// Role is an IAM role that AssumeRole can assume.
type Role struct {
	Account string `json:"account" yaml:"account"`
	Name    string `json:"name" yaml:"name"`
	// TrustedAccounts may assume the role; default: the management account.
	TrustedAccounts []string `json:"trustedAccounts,omitempty" yaml:"trustedAccounts,omitempty"`
	// ExternalID, when set, must be passed to AssumeRole.
	ExternalID string `json:"externalId,omitempty" yaml:"externalId,omitempty"`
	// MaxSessionDuration in seconds, 3600 (default) to 43200.
	MaxSessionDuration int `json:"maxSessionDuration,omitempty" yaml:"maxSessionDuration,omitempty"`
}

// ARN is the role's ARN.
func (r Role) ARN() string { return "arn:aws:iam::" + r.Account + ":role/" + r.Name }

// session is one set of temporary credentials issued by AssumeRole.
type session struct {
	account   string
	principal string
	userID    string // AROA...:session
	token     string
	expires   time.Time
}

// Store holds the organization and the issued credentials.
type Store struct {
	mgmt     string
	orgID    string
	rootID   string
	accounts []*Account
	byID     map[string]*Account
	ous      map[string]OU
	roles    map[string]Role // by role ARN
	admins   map[string]bool

	mu       sync.Mutex
	now      func() time.Time
	sessions map[string]session // by access key ID
}

var (
	orgIDRe    = regexp.MustCompile(`^o-[a-z0-9]{10,32}$`)
	rootIDRe   = regexp.MustCompile(`^r-[0-9a-z]{4,32}$`)
	ouIDRe     = regexp.MustCompile(`^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$`)
	roleNameRe = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)
)

var accountStates = map[string]bool{"ACTIVE": true, "SUSPENDED": true, "PENDING_CLOSURE": true, "CLOSED": true}

// New builds the organization from a seed and checks it is consistent.
func New(seed Seed) (*Store, error) {
	s := &Store{
		mgmt:   cmp.Or(seed.ManagementAccount, DefaultManagementAccount),
		orgID:  cmp.Or(seed.OrganizationID, DefaultOrganizationID),
		rootID: cmp.Or(seed.RootID, DefaultRootID),
		byID:   map[string]*Account{}, ous: map[string]OU{}, roles: map[string]Role{}, admins: map[string]bool{},
		now: time.Now, sessions: map[string]session{},
	}
	switch {
	case !awsarn.IsAccountID(s.mgmt):
		return nil, fmt.Errorf("managementAccount %q is not a 12-digit account ID", s.mgmt)
	case !orgIDRe.MatchString(s.orgID):
		return nil, fmt.Errorf("organizationId %q does not match o-[a-z0-9]{10,32}", s.orgID)
	case !rootIDRe.MatchString(s.rootID):
		return nil, fmt.Errorf("rootId %q does not match r-[0-9a-z]{4,32}", s.rootID)
	}
	for _, ou := range seed.OrganizationalUnits {
		if !ouIDRe.MatchString(ou.ID) {
			return nil, fmt.Errorf("organizational unit %q: ID does not match ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}", ou.ID)
		}
		if _, dup := s.ous[ou.ID]; dup {
			return nil, fmt.Errorf("organizational unit %q listed twice", ou.ID)
		}
		ou.ParentID = cmp.Or(ou.ParentID, s.rootID)
		s.ous[ou.ID] = ou
	}
	for _, ou := range s.ous {
		if err := s.checkParent(ou.ParentID); err != nil {
			return nil, fmt.Errorf("organizational unit %s: %w", ou.ID, err)
		}
	}

	accounts := seed.Accounts
	if !slices.ContainsFunc(accounts, func(a Account) bool { return a.ID == s.mgmt }) {
		accounts = append([]Account{{ID: s.mgmt, Name: "management"}}, accounts...)
	}
	epoch := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, a := range accounts {
		if !awsarn.IsAccountID(a.ID) {
			return nil, fmt.Errorf("account %q is not a 12-digit account ID", a.ID)
		}
		if _, dup := s.byID[a.ID]; dup {
			return nil, fmt.Errorf("account %s listed twice", a.ID)
		}
		a.Name = cmp.Or(a.Name, a.ID)
		a.Email = cmp.Or(a.Email, "aws+"+a.ID+"@example.com")
		a.Status = cmp.Or(a.Status, "ACTIVE")
		if !accountStates[a.Status] {
			return nil, fmt.Errorf("account %s: status %q is not ACTIVE, SUSPENDED, PENDING_CLOSURE or CLOSED", a.ID, a.Status)
		}
		a.ParentID = cmp.Or(a.ParentID, s.rootID)
		if err := s.checkParent(a.ParentID); err != nil {
			return nil, fmt.Errorf("account %s: %w", a.ID, err)
		}
		a.JoinedMethod = cmp.Or(a.JoinedMethod, "CREATED")
		if a.JoinedMethod != "CREATED" && a.JoinedMethod != "INVITED" {
			return nil, fmt.Errorf("account %s: joinedMethod %q is not CREATED or INVITED", a.ID, a.JoinedMethod)
		}
		if a.JoinedTimestamp.IsZero() {
			a.JoinedTimestamp = epoch.Add(time.Duration(i) * 24 * time.Hour)
		}
		s.accounts = append(s.accounts, &a)
		s.byID[a.ID] = &a
		if a.ID != s.mgmt && a.JoinedMethod == "CREATED" {
			r := Role{Account: a.ID, Name: AccessRole, MaxSessionDuration: 3600}
			s.roles[r.ARN()] = r
		}
	}
	for _, r := range seed.Roles {
		if !awsarn.IsAccountID(r.Account) {
			return nil, fmt.Errorf("role %q: account %q is not a 12-digit account ID", r.Name, r.Account)
		}
		if !roleNameRe.MatchString(r.Name) {
			return nil, fmt.Errorf("role %q in %s: name must match [\\w+=,.@-]{1,64}", r.Name, r.Account)
		}
		r.MaxSessionDuration = cmp.Or(r.MaxSessionDuration, 3600)
		if r.MaxSessionDuration < 3600 || r.MaxSessionDuration > 43200 {
			return nil, fmt.Errorf("role %s: maxSessionDuration %d is outside 3600..43200", r.ARN(), r.MaxSessionDuration)
		}
		for _, t := range r.TrustedAccounts {
			if !awsarn.IsAccountID(t) {
				return nil, fmt.Errorf("role %s: trusted account %q is not a 12-digit account ID", r.ARN(), t)
			}
		}
		s.roles[r.ARN()] = r
	}
	for _, a := range seed.DelegatedAdministrators {
		if _, ok := s.byID[a]; !ok || a == s.mgmt {
			return nil, fmt.Errorf("delegated administrator %q is not a member account", a)
		}
		s.admins[a] = true
	}
	return s, nil
}

func (s *Store) checkParent(id string) error {
	if id == s.rootID {
		return nil
	}
	if _, ok := s.ous[id]; ok {
		return nil
	}
	return fmt.Errorf("parent %q is neither the root %s nor an organizational unit of the seed", id, s.rootID)
}

// SetClock replaces the clock that decides credential expiry; tests move
// it forward to see ExpiredToken.
func (s *Store) SetClock(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
}

// ManagementAccount is the organization's management account ID.
func (s *Store) ManagementAccount() string { return s.mgmt }

// AccountNames maps every account of the organization, the management
// account included, to its name; a fresh map the caller may keep.
func (s *Store) AccountNames() map[string]string {
	names := make(map[string]string, len(s.accounts))
	for _, a := range s.accounts {
		names[a.ID] = a.Name
	}
	return names
}

// OrganizationID is the organization's ID.
func (s *Store) OrganizationID() string { return s.orgID }

// Resolve implements awssim.Identities: keys issued by AssumeRole act as the
// role's session, any other key without a session token as the management
// account's root user.
func (s *Store) Resolve(accessKey, token string) (string, string, error) {
	s.mu.Lock()
	sess, ok := s.sessions[accessKey]
	now := s.now()
	s.mu.Unlock()
	if !ok {
		if token != "" {
			// Temporary credentials this simulator never issued (from an
			// earlier run, say) are invalid, not silently the root user.
			return "", "", wire.InvalidToken()
		}
		return s.mgmt, "arn:aws:iam::" + s.mgmt + ":root", nil
	}
	if token != sess.token {
		return "", "", wire.InvalidToken()
	}
	if !now.Before(sess.expires) {
		return "", "", wire.ExpiredToken()
	}
	return sess.account, sess.principal, nil
}

// UserID is the unique ID of the session an access key belongs to (the
// role's ID and the session name, as AssumeRole's AssumedRoleId), "" for
// base credentials.
func (s *Store) UserID(accessKey string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sessions[accessKey].userID
}

// OrgIDOf implements handoff.OrgLookup: accounts outside the organization
// (roles of strangers) have none.
func (s *Store) OrgIDOf(account string) (string, bool) {
	if _, ok := s.byID[account]; !ok {
		return "", false
	}
	return s.orgID, true
}

// issue records a new session and returns its key ID, secret and token.
func (s *Store) issue(sess session) (keyID, secret, token string) {
	keyID = "ASIA" + randomString(16, upperAlnum)
	secret = randomString(40, base64Alphabet)
	raw := make([]byte, 96)
	_, _ = rand.Read(raw)
	token = "FwoGZXIvYXdzE" + base64.StdEncoding.EncodeToString(raw)
	sess.token = token
	s.mu.Lock()
	s.sessions[keyID] = sess
	s.mu.Unlock()
	return keyID, secret, token
}

const (
	upperAlnum     = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	base64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
)

func randomString(n int, alphabet string) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// roleID is a stable unique ID for a role ("AROA" + 17 characters), as
// GetCallerIdentity's UserId shows it.
func roleID(arn string) string {
	sum := sha256.Sum256([]byte(arn))
	b := make([]byte, 17)
	for i := range b {
		b[i] = upperAlnum[int(sum[i])%len(upperAlnum)]
	}
	return "AROA" + string(b)
}
