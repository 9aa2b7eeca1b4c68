// Package kms simulates AWS KMS keys, aliases and key policies, and answers
// whether a service principal may use a key for an encrypted resource
// (handoff.KeyAuthorizer), which is where EventBridge → encrypted SNS/SQS
// deliveries succeed or fail as they do in AWS.
//
// Keys live per (account, region). Every call that names a key is checked
// against the key's policy with the iampolicy evaluator, with the caller as
// principal (IAM identity policies are assumed to allow). AWS-managed keys
// (alias/aws/sns, alias/aws/sqs) are created on first use, as AWS does, with
// AWS's policy for them: usable only by principals of the account through
// the owning service (kms:ViaService, kms:CallerAccount), so never by the
// events.amazonaws.com service principal.
package kms

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/orgnotify/orgnotify/internal/awssim/awsarn"
	"github.com/orgnotify/orgnotify/internal/awssim/handoff"
	"github.com/orgnotify/orgnotify/internal/awssim/iampolicy"
	"github.com/orgnotify/orgnotify/internal/awssim/wire"
)

var _ handoff.KeyAuthorizer = (*Store)(nil)

// managedAliases are the AWS-managed aliases ListAliases shows in every
// account and region, mapped to the service that owns them.
var managedAliases = map[string]string{
	"alias/aws/sns": "sns",
	"alias/aws/sqs": "sqs",
}

type scope struct{ account, region string }

type tag struct {
	TagKey   string `json:"TagKey"`
	TagValue string `json:"TagValue"`
}

type key struct {
	id, arn      string
	account      string
	region       string
	description  string
	usage, spec  string
	manager      string // CUSTOMER or AWS
	enabled      bool
	created      time.Time
	policy       string
	parsed       *iampolicy.Policy
	tags         []tag
	rotation     bool
	rotationDays int
	rotationFrom time.Time
	deletion     *pendingDeletion // nil unless pending deletion (deletion.go)
}

type alias struct {
	name, arn string
	target    string // key ID
	created   time.Time
	updated   time.Time
}

// Store holds keys and aliases per account and region.
type Store struct {
	mu      sync.Mutex
	keys    map[scope]map[string]*key
	aliases map[scope]map[string]*alias
	now     func() time.Time
}

// New returns an empty key store.
func New() *Store {
	return &Store{keys: map[scope]map[string]*key{}, aliases: map[scope]map[string]*alias{}, now: time.Now}
}

// Service is the KMS service (awsJson1_1, X-Amz-Target TrentService.*).
func (s *Store) Service() wire.Service {
	return wire.Service{
		SigningName:      "kms",
		Protocol:         wire.JSON11,
		TargetPrefix:     "TrentService",
		ThrottleCode:     "ThrottlingException",
		AccessDeniedCode: "AccessDeniedException",
		Ops: map[string]wire.Handler{
			"CreateKey":            wire.Op(s.createKey),
			"DescribeKey":          onKey(s, "kms:DescribeKey", s.describeKey),
			"GetKeyPolicy":         onKey(s, "kms:GetKeyPolicy", s.getKeyPolicy),
			"PutKeyPolicy":         onKey(s, "kms:PutKeyPolicy", s.putKeyPolicy),
			"EnableKey":            s.setEnabled(true),
			"DisableKey":           s.setEnabled(false),
			"CreateAlias":          inScope(s, s.createAlias),
			"UpdateAlias":          inScope(s, s.updateAlias),
			"DeleteAlias":          inScope(s, s.deleteAlias),
			"ListAliases":          inScope(s, s.listAliases),
			"TagResource":          onKey(s, "kms:TagResource", s.tagResource),
			"UntagResource":        onKey(s, "kms:UntagResource", s.untagResource),
			"ListResourceTags":     onKey(s, "kms:ListResourceTags", s.listResourceTags),
			"EnableKeyRotation":    onKey(s, "kms:EnableKeyRotation", s.enableKeyRotation),
			"DisableKeyRotation":   onKey(s, "kms:DisableKeyRotation", s.disableKeyRotation),
			"GetKeyRotationStatus": onKey(s, "kms:GetKeyRotationStatus", s.getKeyRotationStatus),
			"ScheduleKeyDeletion":  onKey(s, "kms:ScheduleKeyDeletion", s.scheduleKeyDeletion),
			"CancelKeyDeletion":    onKey(s, "kms:CancelKeyDeletion", s.cancelKeyDeletion),
		},
	}
}

// onKey is an operation on the key its input names (key ID or ARN, alias
// name or ARN), checked, found and authorized for action under the lock.
func onKey[In interface{ keyID() string }](s *Store, action string, serve func(*wire.Request, In, *key) (any, error)) wire.Handler {
	return wire.Locked(&s.mu, func(r *wire.Request, in In) (*key, error) { return s.keyFor(r, in.keyID(), action) }, serve)
}

// Errors as KMS words them; every KMS error is HTTP 400.
func notFound(format string, args ...any) *wire.Error {
	return wire.Errorf("NotFoundException", http.StatusBadRequest, format, args...)
}

func denied(principal, action, resource string) *wire.Error {
	return wire.Errorf("AccessDeniedException", http.StatusBadRequest,
		"User: %s is not authorized to perform: %s on resource: %s because no resource-based policy allows the %s action",
		principal, action, resource, action)
}

func keyARN(sc scope, id string) string { return awsarn.New("kms", sc.region, sc.account, "key/"+id) }

// DefaultKeyPolicy is the policy CreateKey gives a key when none is passed:
// the account (and through IAM, its principals) may do anything with it.
func DefaultKeyPolicy(account string) string {
	return mustIndent(map[string]any{
		"Version": "2012-10-17",
		"Id":      "key-default-1",
		"Statement": []any{map[string]any{
			"Sid":       "Enable IAM User Permissions",
			"Effect":    "Allow",
			"Principal": map[string]any{"AWS": "arn:aws:iam::" + account + ":root"},
			"Action":    "kms:*",
			"Resource":  "*",
		}},
	})
}

// managedKeyPolicy is AWS's policy for an AWS-managed key such as aws/sns:
// principals of the account may use it through the service only.
func managedKeyPolicy(account, region, service string) string {
	return mustIndent(map[string]any{
		"Version": "2012-10-17",
		"Id":      "auto-" + service + "-1",
		"Statement": []any{
			map[string]any{
				"Sid":       "Allow access through " + strings.ToUpper(service) + " for all principals in the account that are authorized to use " + strings.ToUpper(service),
				"Effect":    "Allow",
				"Principal": map[string]any{"AWS": "*"},
				"Action":    []string{"kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:CreateGrant", "kms:DescribeKey"},
				"Resource":  "*",
				"Condition": map[string]any{"StringEquals": map[string]any{
					"kms:CallerAccount": account,
					"kms:ViaService":    service + "." + region + ".amazonaws.com",
				}},
			},
			map[string]any{
				"Sid":       "Allow direct access to key metadata to the account",
				"Effect":    "Allow",
				"Principal": map[string]any{"AWS": "arn:aws:iam::" + account + ":root"},
				"Action":    []string{"kms:Describe*", "kms:Get*", "kms:List*", "kms:RevokeGrant"},
				"Resource":  "*",
			},
		},
	})
}

func mustIndent(v any) string {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		panic(err)
	}
	return string(b)
}

// lookup resolves a key reference (ID, key ARN, alias name, alias ARN) as
// seen from (account, region). The caller holds s.mu.
func (s *Store) lookup(account, region, ref string, now time.Time) (*key, *wire.Error) {
	sc := scope{account, region}
	switch {
	case ref == "":
		return nil, wire.Validation("1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null")
	case strings.HasPrefix(ref, "arn:"):
		a, ok := awsarn.Parse(ref)
		if !ok || a.Service != "kms" {
			return nil, notFound("Invalid arn %s", ref)
		}
		sc = scope{a.Account, a.Region}
		ref = a.Resource
		if strings.HasPrefix(ref, "key/") {
			ref = strings.TrimPrefix(ref, "key/")
			break
		}
		if !strings.HasPrefix(ref, "alias/") {
			return nil, notFound("Invalid arn %s", awsarn.New("kms", sc.region, sc.account, ref))
		}
		fallthrough
	case strings.HasPrefix(ref, "alias/"):
		a := s.aliases[sc][ref]
		if a == nil {
			if svc, ok := managedAliases[ref]; ok {
				return s.managedKey(sc, ref, svc, now), nil
			}
			return nil, notFound("Alias %s is not found.", awsarn.New("kms", sc.region, sc.account, ref))
		}
		ref = a.target
	}
	k := s.keys[sc][ref]
	if k == nil {
		if !looksLikeKeyID(ref) {
			return nil, notFound("Invalid keyId '%s'", ref)
		}
		return nil, notFound("Key '%s' does not exist", keyARN(sc, ref))
	}
	return k, nil
}

func looksLikeKeyID(id string) bool {
	if strings.HasPrefix(id, "mrk-") {
		return len(id) == 36
	}
	return len(id) == 36 && strings.Count(id, "-") == 4
}

// managedKey creates the AWS-managed key behind alias on first use. The
// caller holds s.mu.
func (s *Store) managedKey(sc scope, name, service string, now time.Time) *key {
	k := s.addKey(sc, now, "Default key that protects my "+strings.ToUpper(service)+" data when no other key is defined",
		"ENCRYPT_DECRYPT", "SYMMETRIC_DEFAULT", "AWS", managedKeyPolicy(sc.account, sc.region, service), nil)
	// AWS rotates AWS-managed keys every year, always.
	k.rotation, k.rotationDays, k.rotationFrom = true, 365, now
	s.putAlias(sc, name, k.id, now)
	return k
}

func (s *Store) addKey(sc scope, now time.Time, desc, usage, spec, manager, policy string, tags []tag) *key {
	id := wire.NewUUID()
	p, err := iampolicy.Parse(policy)
	if err != nil {
		// Callers validate first; built-in policies are valid by construction.
		panic(fmt.Sprintf("kms: invalid key policy: %v", err))
	}
	k := &key{id: id, arn: keyARN(sc, id), account: sc.account, region: sc.region, description: desc,
		usage: usage, spec: spec, manager: manager, enabled: true, created: now, policy: policy, parsed: p, tags: tags}
	if s.keys[sc] == nil {
		s.keys[sc] = map[string]*key{}
	}
	s.keys[sc][id] = k
	return k
}

func (s *Store) putAlias(sc scope, name, target string, now time.Time) {
	if s.aliases[sc] == nil {
		s.aliases[sc] = map[string]*alias{}
	}
	s.aliases[sc][name] = &alias{name: name, arn: awsarn.New("kms", sc.region, sc.account, name), target: target, created: now, updated: now}
}

// callerAllows evaluates a key policy for a caller of the KMS API.
func callerAllows(p *iampolicy.Policy, r *wire.Request, action, keyARN string) bool {
	return p.Allows(iampolicy.Request{
		Principal: iampolicy.Principal{AWS: r.Principal, Account: r.Account},
		Action:    action,
		Resource:  keyARN,
		Context:   map[string]string{"kms:CallerAccount": r.Account},
	})
}

// keyFor finds the key an API call names and checks the caller may perform
// action on it. The caller holds s.mu.
func (s *Store) keyFor(r *wire.Request, ref, action string) (*key, error) {
	k, err := s.lookup(r.Account, r.Region, ref, r.Now)
	if err != nil {
		return nil, err
	}
	if !callerAllows(k.parsed, r, action, k.arn) {
		return nil, denied(r.Principal, action, k.arn)
	}
	return k, nil
}

// AuthorizeKeyUse implements handoff.KeyAuthorizer: a service principal may
// use the key for a resource when the key exists, is enabled and its policy
// allows every requested action. Errors are *wire.Error with the KMS codes
// NotFoundException, DisabledException or AccessDeniedException.
func (s *Store) AuthorizeKeyUse(_ context.Context, u handoff.KeyUse) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, err := s.lookup(u.Account, u.Region, u.KeyRef, s.now())
	if err != nil {
		return err
	}
	if !k.enabled {
		return wire.Errorf("DisabledException", http.StatusBadRequest, "%s is disabled.", k.arn)
	}
	source, _ := awsarn.Parse(u.SourceARN)
	ctx := handoff.SourceCondition(u.SourceARN, source.Account)
	if u.ViaService != "" {
		ctx["kms:ViaService"] = u.ViaService + "." + u.Region + ".amazonaws.com"
	}
	actions := u.Actions
	if len(actions) == 0 {
		actions = []string{"kms:GenerateDataKey", "kms:Decrypt"}
	}
	for _, a := range actions {
		if !k.parsed.Allows(iampolicy.Request{
			Principal: iampolicy.Principal{Service: u.FromService},
			Action:    a, Resource: k.arn, Context: ctx,
		}) {
			return denied(u.FromService, a, k.arn)
		}
	}
	return nil
}

// SetClock replaces the clock used outside API calls (AuthorizeKeyUse).
func (s *Store) SetClock(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
}
