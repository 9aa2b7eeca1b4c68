package kms

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/orgnotify/orgnotify/internal/awssim/awsarn"
	"github.com/orgnotify/orgnotify/internal/awssim/iampolicy"
	"github.com/orgnotify/orgnotify/internal/awssim/paging"
	"github.com/orgnotify/orgnotify/internal/awssim/tagging"
	"github.com/orgnotify/orgnotify/internal/awssim/wire"
)

const maxPolicyBytes = 32768

var (
	aliasNameRe = regexp.MustCompile(`^[a-zA-Z0-9:/_-]+$`)
	keyUsages   = map[string]bool{"ENCRYPT_DECRYPT": true, "SIGN_VERIFY": true, "GENERATE_VERIFY_MAC": true, "KEY_AGREEMENT": true}
	// keySpecs maps each key spec to the usages it supports.
	keySpecs = map[string][]string{
		"SYMMETRIC_DEFAULT": {"ENCRYPT_DECRYPT"},
		"RSA_2048":          {"ENCRYPT_DECRYPT", "SIGN_VERIFY"},
		"RSA_3072":          {"ENCRYPT_DECRYPT", "SIGN_VERIFY"},
		"RSA_4096":          {"ENCRYPT_DECRYPT", "SIGN_VERIFY"},
		"ECC_NIST_P256":     {"SIGN_VERIFY", "KEY_AGREEMENT"},
		"ECC_NIST_P384":     {"SIGN_VERIFY", "KEY_AGREEMENT"},
		"ECC_NIST_P521":     {"SIGN_VERIFY", "KEY_AGREEMENT"},
		"HMAC_256":          {"GENERATE_VERIFY_MAC"},
		"HMAC_512":          {"GENERATE_VERIFY_MAC"},
	}
)

type keyMetadata struct {
	AWSAccountId          string   `json:"AWSAccountId"`
	Arn                   string   `json:"Arn"`
	CreationDate          float64  `json:"CreationDate"`
	CustomerMasterKeySpec string   `json:"CustomerMasterKeySpec"`
	Description           string   `json:"Description"`
	Enabled               bool     `json:"Enabled"`
	EncryptionAlgorithms  []string `json:"EncryptionAlgorithms,omitempty"`
	SigningAlgorithms     []string `json:"SigningAlgorithms,omitempty"`
	MacAlgorithms         []string `json:"MacAlgorithms,omitempty"`
	KeyId                 string   `json:"KeyId"`
	KeyManager            string   `json:"KeyManager"`
	KeySpec               string   `json:"KeySpec"`
	KeyState              string   `json:"KeyState"`
	KeyUsage              string   `json:"KeyUsage"`
	MultiRegion           bool     `json:"MultiRegion"`
	Origin                string   `json:"Origin"`
	// Only a key pending deletion has these.
	DeletionDate                float64 `json:"DeletionDate,omitempty"`
	PendingDeletionWindowInDays int     `json:"PendingDeletionWindowInDays,omitempty"`
}

func (k *key) metadata() keyMetadata {
	m := keyMetadata{
		AWSAccountId: k.account, Arn: k.arn, CreationDate: wire.EpochSeconds(k.created), CustomerMasterKeySpec: k.spec,
		Description: k.description, Enabled: k.enabled, KeyId: k.id, KeyManager: k.manager, KeySpec: k.spec,
		KeyState: "Enabled", KeyUsage: k.usage, Origin: "AWS_KMS",
	}
	switch {
	case k.deletion != nil:
		m.KeyState, m.DeletionDate, m.PendingDeletionWindowInDays = "PendingDeletion", wire.EpochSeconds(k.deletion.date), k.deletion.days
	case !k.enabled:
		m.KeyState = "Disabled"
	}
	switch k.usage {
	case "ENCRYPT_DECRYPT":
		if k.spec == "SYMMETRIC_DEFAULT" {
			m.EncryptionAlgorithms = []string{"SYMMETRIC_DEFAULT"}
		} else {
			m.EncryptionAlgorithms = []string{"RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"}
		}
	case "SIGN_VERIFY":
		if strings.HasPrefix(k.spec, "RSA") {
			m.SigningAlgorithms = []string{"RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PSS_SHA_256"}
		} else {
			m.SigningAlgorithms = []string{"ECDSA_SHA_256"}
		}
	case "GENERATE_VERIFY_MAC":
		m.MacAlgorithms = []string{"HMAC_" + strings.TrimPrefix(k.spec, "HMAC_")}
	}
	return m
}

// checkPolicy validates a key policy document, and unless bypassed, that it
// lets the caller change it again (KMS's lockout safety check).
func checkPolicy(r *wire.Request, doc, arn string, bypass bool) (*iampolicy.Policy, error) {
	if len(doc) > maxPolicyBytes {
		return nil, wire.Validation("1 validation error detected: Value at 'policy' failed to satisfy constraint: Member must have length less than or equal to %d", maxPolicyBytes)
	}
	p, err := iampolicy.Parse(doc)
	if err != nil {
		if errors.Is(err, iampolicy.ErrMalformed) {
			return nil, wire.Errorf("MalformedPolicyDocumentException", http.StatusBadRequest, "%s", err)
		}
		return nil, err
	}
	if !bypass && !callerAllows(p, r, "kms:PutKeyPolicy", arn) {
		return nil, wire.Errorf("MalformedPolicyDocumentException", http.StatusBadRequest,
			"The new key policy will not allow you to update the key policy in the future.")
	}
	return p, nil
}

func checkTags(tags []tag) error {
	list := make([]tagging.Tag, len(tags))
	for i, t := range tags {
		list[i] = tagging.Tag{Key: t.TagKey, Value: t.TagValue}
	}
	switch p, t := (tagging.Rules{Max: 50, Duplicates: true}).Check(list); p {
	case tagging.KeyLength:
		return wire.Validation("1 validation error detected: Value '%s' at 'tags.member.tagKey' failed to satisfy constraint: Member must have length between 1 and 128", t.Key)
	case tagging.ValueLength:
		return wire.Validation("1 validation error detected: Value at 'tags.member.tagValue' failed to satisfy constraint: Member must have length less than or equal to 256")
	case tagging.Reserved:
		return wire.Errorf("TagException", http.StatusBadRequest, "Tags beginning with aws: are reserved")
	case tagging.Duplicate:
		return wire.Errorf("TagException", http.StatusBadRequest, "Duplicate tag keys")
	case tagging.TooMany:
		return wire.Errorf("TagException", http.StatusBadRequest, "A key can have at most 50 tags")
	}
	return nil
}

type createKeyInput struct {
	Policy                         *string
	Description                    string
	KeyUsage                       string
	KeySpec                        string
	CustomerMasterKeySpec          string
	Tags                           []tag
	BypassPolicyLockoutSafetyCheck bool
	MultiRegion                    bool
	Origin                         string
}

func (s *Store) createKey(_ context.Context, r *wire.Request, in createKeyInput) (any, error) {
	in.KeyUsage = cmp.Or(in.KeyUsage, "ENCRYPT_DECRYPT")
	in.KeySpec = cmp.Or(in.KeySpec, in.CustomerMasterKeySpec, "SYMMETRIC_DEFAULT")
	switch {
	case !keyUsages[in.KeyUsage]:
		return nil, wire.Validation("1 validation error detected: Value '%s' at 'keyUsage' failed to satisfy constraint: Member must satisfy enum value set: [ENCRYPT_DECRYPT, SIGN_VERIFY, GENERATE_VERIFY_MAC, KEY_AGREEMENT]", in.KeyUsage)
	case keySpecs[in.KeySpec] == nil:
		return nil, wire.Validation("1 validation error detected: Value '%s' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set", in.KeySpec)
	case !slices.Contains(keySpecs[in.KeySpec], in.KeyUsage):
		return nil, wire.Validation("KeyUsage %s is not compatible with KeySpec %s", in.KeyUsage, in.KeySpec)
	case len(in.Description) > 8192:
		return nil, wire.Validation("1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have length less than or equal to 8192")
	case in.Origin != "" && in.Origin != "AWS_KMS":
		return nil, wire.Errorf("UnsupportedOperationException", http.StatusBadRequest, "Origin %s is not supported by this simulator", in.Origin)
	case in.MultiRegion:
		return nil, wire.Errorf("UnsupportedOperationException", http.StatusBadRequest, "multi-Region keys are not supported by this simulator")
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	sc := scope{r.Account, r.Region}
	policy := DefaultKeyPolicy(r.Account)
	if in.Policy != nil {
		// The ARN is not known yet; the lockout check only needs "*" or this key.
		if _, err := checkPolicy(r, *in.Policy, keyARN(sc, "*"), in.BypassPolicyLockoutSafetyCheck); err != nil {
			return nil, err
		}
		policy = *in.Policy
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k := s.addKey(sc, r.Now, in.Description, in.KeyUsage, in.KeySpec, "CUSTOMER", policy, in.Tags)
	return map[string]any{"KeyMetadata": k.metadata()}, nil
}

type keyRef struct {
	KeyId string
}

func (k keyRef) keyID() string { return k.KeyId }

func (s *Store) describeKey(r *wire.Request, in keyRef, k *key) (any, error) {
	return map[string]any{"KeyMetadata": k.metadata()}, nil
}

func policyName(name string) error {
	if name != "" && name != "default" {
		return notFound("No such policy exists: %s. The only valid policy name is default.", name)
	}
	return nil
}

// keyPolicyRef names a key's policy, whose only name is "default".
type keyPolicyRef struct {
	keyRef
	PolicyName string
}

func (in keyPolicyRef) Validate() error { return policyName(in.PolicyName) }

func (s *Store) getKeyPolicy(_ *wire.Request, _ keyPolicyRef, k *key) (any, error) {
	return map[string]string{"Policy": k.policy, "PolicyName": "default"}, nil
}

type putKeyPolicyInput struct {
	keyPolicyRef
	Policy                         string
	BypassPolicyLockoutSafetyCheck bool
}

func (s *Store) putKeyPolicy(r *wire.Request, in putKeyPolicyInput, k *key) (any, error) {
	p, err := checkPolicy(r, in.Policy, k.arn, in.BypassPolicyLockoutSafetyCheck)
	if err != nil {
		return nil, err
	}
	k.policy, k.parsed = in.Policy, p
	return nil, nil
}

// setEnabled is EnableKey or DisableKey, which a key pending deletion
// refuses whatever its policy says.
func (s *Store) setEnabled(enabled bool) wire.Handler {
	name := "DisableKey"
	if enabled {
		name = "EnableKey"
	}
	find := func(r *wire.Request, in keyRef) (*key, error) {
		if k, err := s.lookup(r.Account, r.Region, in.KeyId, r.Now); err == nil && k.deletion != nil {
			return nil, invalidState("%s is pending deletion; %s is not allowed.", k.arn, name)
		}
		return s.keyFor(r, in.KeyId, "kms:"+name)
	}
	return wire.Locked(&s.mu, find, func(_ *wire.Request, _ keyRef, k *key) (any, error) {
		k.enabled = enabled
		return nil, nil
	})
}

// checkAliasName applies KMS's rules for an alias a customer may own.
func checkAliasName(name string) error {
	switch {
	case len(name) < 1 || len(name) > 256:
		return wire.Validation("1 validation error detected: Value '%s' at 'aliasName' failed to satisfy constraint: Member must have length between 1 and 256", name)
	case !strings.HasPrefix(name, "alias/"):
		return wire.Validation("Alias must start with the prefix \"alias/\". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html")
	case !aliasNameRe.MatchString(name) || name == "alias/":
		return wire.Errorf("InvalidAliasNameException", http.StatusBadRequest,
			"1 validation error detected: Value '%s' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$", name)
	case strings.HasPrefix(name, "alias/aws/"):
		return wire.Errorf("NotAuthorizedException", http.StatusBadRequest, "Cannot create alias with prefix 'alias/aws/'")
	}
	return nil
}

// aliasTarget resolves TargetKeyId, which must name a key (not an alias)
// in the caller's account and region.
func (s *Store) aliasTarget(r *wire.Request, ref, action string) (*key, error) {
	if isAlias(ref) {
		return nil, wire.Validation("Aliases must refer to keys. Not aliases")
	}
	k, err := s.keyFor(r, ref, action)
	if err != nil {
		return nil, err
	}
	if k.account != r.Account || k.region != r.Region {
		return nil, notFound("Key '%s' does not exist", k.arn)
	}
	// AWS-managed keys need no check here: their policy never grants
	// kms:CreateAlias or kms:UpdateAlias, so keyFor already denied.
	return k, nil
}

type aliasInput struct {
	AliasName   string
	TargetKeyId string
}

func (in aliasInput) Validate() error { return checkAliasName(in.AliasName) }

// inScope is an operation in the caller's account and region: its input
// checked (an alias name, say), then served under the store's lock.
func inScope[In any](s *Store, serve func(r *wire.Request, in In, sc scope) (any, error)) wire.Handler {
	return wire.Locked(&s.mu, func(r *wire.Request, _ In) (scope, error) { return scope{r.Account, r.Region}, nil }, serve)
}

func (s *Store) createAlias(r *wire.Request, in aliasInput, sc scope) (any, error) {
	k, err := s.aliasTarget(r, in.TargetKeyId, "kms:CreateAlias")
	if err != nil {
		return nil, err
	}
	if a := s.aliases[sc][in.AliasName]; a != nil {
		return nil, wire.Errorf("AlreadyExistsException", http.StatusBadRequest, "An alias with the name %s already exists", a.arn)
	}
	s.putAlias(sc, in.AliasName, k.id, r.Now)
	return nil, nil
}

func (s *Store) updateAlias(r *wire.Request, in aliasInput, sc scope) (any, error) {
	a := s.aliases[sc][in.AliasName]
	if a == nil {
		return nil, notFound("Alias %s is not found.", awsarn.New("kms", r.Region, r.Account, in.AliasName))
	}
	k, err := s.aliasTarget(r, in.TargetKeyId, "kms:UpdateAlias")
	if err != nil {
		return nil, err
	}
	old := s.keys[sc][a.target]
	if old != nil && (old.usage != k.usage || old.spec != k.spec) {
		// AWS keeps an alias on keys of one type so its users keep working.
		return nil, wire.Validation("The new target key must have the same key spec and key usage as the current target key")
	}
	a.target, a.updated = k.id, r.Now
	return nil, nil
}

// deleteAlias takes aliasInput too: DeleteAlias has no TargetKeyId.
func (s *Store) deleteAlias(r *wire.Request, in aliasInput, sc scope) (any, error) {
	if s.aliases[sc][in.AliasName] == nil {
		return nil, notFound("Alias %s is not found.", awsarn.New("kms", r.Region, r.Account, in.AliasName))
	}
	delete(s.aliases[sc], in.AliasName)
	return nil, nil
}

type aliasJSON struct {
	AliasArn        string   `json:"AliasArn"`
	AliasName       string   `json:"AliasName"`
	TargetKeyId     string   `json:"TargetKeyId,omitempty"`
	CreationDate    *float64 `json:"CreationDate,omitempty"`
	LastUpdatedDate *float64 `json:"LastUpdatedDate,omitempty"`
}

// markerList answers a KMS Limit/Marker list (Limit 1..100, default 50 for
// ListAliases and ListResourceTags) with the page of list asked for, under
// name.
func markerList[T any](name string, list []T, limit *int32, marker *string) (any, error) {
	l := 50
	if limit != nil {
		if *limit < 1 || *limit > 100 {
			return nil, wire.Validation("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value between 1 and 100", *limit)
		}
		l = int(*limit)
	}
	token := ""
	if marker != nil {
		token = *marker
	}
	start, end, next, ok := paging.Window(token, l, len(list))
	if !ok || (marker != nil && token == "") {
		return nil, wire.Errorf("InvalidMarkerException", http.StatusBadRequest, "Invalid marker")
	}
	out := map[string]any{name: append([]T{}, list[start:end]...), "Truncated": next != ""}
	if next != "" {
		out["NextMarker"] = next
	}
	return out, nil
}

type listAliasesInput struct {
	KeyId  string
	Limit  *int32
	Marker *string
}

func (s *Store) listAliases(r *wire.Request, in listAliasesInput, sc scope) (any, error) {
	filter := ""
	if in.KeyId != "" {
		if isAlias(in.KeyId) {
			return nil, wire.Errorf("InvalidArnException", http.StatusBadRequest, "KeyId must be a key ID or key ARN")
		}
		k, err := s.keyFor(r, in.KeyId, "kms:ListAliases")
		if err != nil {
			return nil, err
		}
		filter = k.id
	}
	var list []aliasJSON
	for name, a := range s.aliases[sc] {
		if filter != "" && a.target != filter {
			continue
		}
		c, u := wire.EpochSeconds(a.created), wire.EpochSeconds(a.updated)
		list = append(list, aliasJSON{AliasArn: a.arn, AliasName: name, TargetKeyId: a.target, CreationDate: &c, LastUpdatedDate: &u})
	}
	if filter == "" {
		// AWS lists its managed aliases before their keys exist, without a target.
		for name := range managedAliases {
			if s.aliases[sc][name] == nil {
				list = append(list, aliasJSON{AliasArn: awsarn.New("kms", r.Region, r.Account, name), AliasName: name})
			}
		}
	}
	sort.Slice(list, func(i, j int) bool { return list[i].AliasName < list[j].AliasName })
	return markerList("Aliases", list, in.Limit, in.Marker)
}

// isAlias reports whether a key reference is an alias name or alias ARN.
func isAlias(ref string) bool {
	return strings.HasPrefix(ref, "alias/") || strings.Contains(ref, ":alias/")
}

// notAlias refuses an alias name or alias ARN where KMS takes only a key
// ID or key ARN: aliases take no tags, so TagResource and UntagResource
// never reach the key behind one.
func notAlias(ref string) error {
	if isAlias(ref) {
		return notFound("Invalid keyId %s: tag a key by its key ID or key ARN; aliases cannot be tagged", ref)
	}
	return nil
}

type tagResourceInput struct {
	keyRef
	Tags []tag
}

func (in tagResourceInput) Validate() error {
	if err := checkTags(in.Tags); err != nil {
		return err
	}
	return notAlias(in.KeyId)
}

func (s *Store) tagResource(r *wire.Request, in tagResourceInput, k *key) (any, error) {
	if k.manager == "AWS" {
		return nil, invalidState("%s is an AWS managed key and cannot be tagged", k.arn)
	}
	tags := append([]tag(nil), k.tags...) // changed only if the call succeeds
	for _, t := range in.Tags {
		if i := slices.IndexFunc(tags, func(o tag) bool { return o.TagKey == t.TagKey }); i >= 0 {
			tags[i].TagValue = t.TagValue
		} else {
			tags = append(tags, t)
		}
	}
	if len(tags) > 50 {
		return nil, wire.Errorf("TagException", http.StatusBadRequest, "A key can have at most 50 tags")
	}
	k.tags = tags
	return nil, nil
}

type untagResourceInput struct {
	keyRef
	TagKeys []string
}

func (in untagResourceInput) Validate() error {
	return notAlias(in.KeyId)
}

func (s *Store) untagResource(r *wire.Request, in untagResourceInput, k *key) (any, error) {
	k.tags = slices.DeleteFunc(k.tags, func(t tag) bool { return slices.Contains(in.TagKeys, t.TagKey) })
	return nil, nil
}

type listResourceTagsInput struct {
	keyRef
	Limit  *int32
	Marker *string
}

func (s *Store) listResourceTags(r *wire.Request, in listResourceTagsInput, k *key) (any, error) {
	return markerList("Tags", k.tags, in.Limit, in.Marker)
}

type enableKeyRotationInput struct {
	keyRef
	RotationPeriodInDays *int32
}

func (in enableKeyRotationInput) Validate() error {
	if p := in.RotationPeriodInDays; p != nil && (*p < 90 || *p > 2560) {
		return wire.Validation("1 validation error detected: Value '%d' at 'rotationPeriodInDays' failed to satisfy constraint: Member must have value between 90 and 2560", *p)
	}
	return nil
}

func (s *Store) enableKeyRotation(r *wire.Request, in enableKeyRotationInput, k *key) (any, error) {
	if err := rotatable(k); err != nil {
		return nil, err
	}
	days := 365
	if in.RotationPeriodInDays != nil {
		days = int(*in.RotationPeriodInDays)
	}
	if !k.rotation || k.rotationDays != days {
		k.rotation, k.rotationDays, k.rotationFrom = true, days, r.Now
	}
	return nil, nil
}

func (s *Store) disableKeyRotation(r *wire.Request, in keyRef, k *key) (any, error) {
	if err := rotatable(k); err != nil {
		return nil, err
	}
	k.rotation = false
	return nil, nil
}

// rotatable refuses a key whose rotation cannot change: rotation needs an
// enabled, symmetric, customer managed key.
func rotatable(k *key) error {
	switch {
	case !k.enabled:
		return wire.Errorf("DisabledException", http.StatusBadRequest, "%s is disabled.", k.arn)
	case k.spec != "SYMMETRIC_DEFAULT":
		return wire.Errorf("UnsupportedOperationException", http.StatusBadRequest, "%s key spec does not support automatic key rotation", k.spec)
	case k.manager == "AWS":
		return wire.Errorf("UnsupportedOperationException", http.StatusBadRequest, "%s is an AWS managed key; AWS rotates it", k.arn)
	}
	return nil
}

func (s *Store) getKeyRotationStatus(r *wire.Request, in keyRef, k *key) (any, error) {
	out := map[string]any{"KeyId": k.arn, "KeyRotationEnabled": k.rotation}
	if k.rotation {
		out["RotationPeriodInDays"] = k.rotationDays
		out["NextRotationDate"] = wire.EpochSeconds(k.rotationFrom.AddDate(0, 0, k.rotationDays))
	}
	return out, nil
}
