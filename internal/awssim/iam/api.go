package iam

import (
	"cmp"
	"context"
	"maps"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/orgnotify/orgnotify/internal/awssim/iampolicy"
	"github.com/orgnotify/orgnotify/internal/awssim/paging"
	"github.com/orgnotify/orgnotify/internal/awssim/tagging"
	"github.com/orgnotify/orgnotify/internal/awssim/wire"
)

// XML shapes of the results.

type tagXML = tagging.Tag

type roleXML struct {
	Path                     string   `xml:"Path"`
	RoleName                 string   `xml:"RoleName"`
	RoleId                   string   `xml:"RoleId"`
	Arn                      string   `xml:"Arn"`
	CreateDate               string   `xml:"CreateDate"`
	AssumeRolePolicyDocument string   `xml:"AssumeRolePolicyDocument,omitempty"`
	Description              string   `xml:"Description,omitempty"`
	MaxSessionDuration       int      `xml:"MaxSessionDuration"`
	Tags                     []tagXML `xml:"Tags>member,omitempty"`
}

type roleResult struct {
	Role roleXML `xml:"Role"`
}

func (ro *role) output(withTags bool) roleXML {
	o := roleXML{Path: ro.path, RoleName: ro.name, RoleId: ro.id, Arn: ro.arn,
		CreateDate:               ro.created.UTC().Format(time.RFC3339),
		AssumeRolePolicyDocument: encodePolicy(ro.trustDoc),
		Description:              ro.description, MaxSessionDuration: ro.maxSession}
	if withTags {
		o.Tags = slices.Clone(ro.tags)
	}
	return o
}

// readTags reads Tags.member.N and checks each tag as IAM does.
func readTags(r *wire.Request) ([]tagXML, error) {
	var out []tagXML
	for _, e := range wire.FormList(r.Form, "Tags.member") {
		out = append(out, tagXML{Key: e["Key"], Value: e["Value"]})
	}
	// The number is checked against the role's tags by setTags.
	switch p, t := (tagging.Rules{Duplicates: true, FoldCase: true}).Check(out); p {
	case tagging.KeyLength:
		return nil, constraint(t.Key, "tags.member.key", "Member must have length between 1 and 128")
	case tagging.ValueLength:
		return nil, constraint(t.Value, "tags.member.value", "Member must have length less than or equal to 256")
	case tagging.Reserved:
		return nil, wire.Errorf("InvalidInput", http.StatusBadRequest, "User-defined tag keys can't start with 'aws:'.")
	case tagging.Duplicate:
		return nil, wire.Errorf("InvalidInput", http.StatusBadRequest, "Duplicate tag keys found. Please note that Tag keys are case insensitive.")
	}
	return out, nil
}

// setTags adds or replaces tags, refusing (before any change) more than 50.
func (ro *role) setTags(tags []tagXML) error {
	merged := slices.Clone(ro.tags)
	for _, t := range tags {
		if i := slices.IndexFunc(merged, func(o tagXML) bool { return o.Key == t.Key }); i >= 0 {
			merged[i].Value = t.Value
		} else {
			merged = append(merged, t)
		}
	}
	if len(merged) > maxTags {
		return limitExceeded("The number of tags has reached the maximum limit.")
	}
	ro.tags = merged
	return nil
}

// parseTrust validates an AssumeRolePolicyDocument.
func parseTrust(doc string) (*iampolicy.Policy, error) {
	if doc == "" {
		return nil, constraint(doc, "assumeRolePolicyDocument", "Member must have length greater than or equal to 1")
	}
	if policySize(doc) > maxTrustPolicy {
		return nil, limitExceeded("Cannot exceed quota for ACLSizePerRole: %d", maxTrustPolicy)
	}
	p, err := iampolicy.ParseKind(doc, iampolicy.TrustPolicy)
	if err != nil {
		return nil, malformedPolicy(err)
	}
	return p, nil
}

func (s *Store) createRole(_ context.Context, r *wire.Request) (any, error) {
	f := r.Form
	name := f.Get("RoleName")
	if err := checkRoleName(name); err != nil {
		return nil, err
	}
	path := cmp.Or(f.Get("Path"), "/")
	if len(path) > 512 || !pathRE.MatchString(path) {
		return nil, constraint(path, "path", `Member must satisfy regular expression pattern: (\u002F)|(\u002F[\u0021-\u007E]+\u002F)`)
	}
	if d := f.Get("Description"); len(d) > 1000 {
		return nil, constraint(d, "description", "Member must have length less than or equal to 1000")
	}
	maxSession := defaultMaxSesion
	if v := f.Get("MaxSessionDuration"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 3600 || n > 43200 {
			return nil, constraint(v, "maxSessionDuration", "Member must have value between 3600 and 43200")
		}
		maxSession = n
	}
	doc := f.Get("AssumeRolePolicyDocument")
	trust, err := parseTrust(doc)
	if err != nil {
		return nil, err
	}
	tags, err := readTags(r)
	if err != nil {
		return nil, err
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	roles := s.accounts[r.Account]
	if roles == nil {
		roles = map[string]*role{}
		s.accounts[r.Account] = roles
	}
	if _, ok := roles[strings.ToLower(name)]; ok {
		return nil, wire.Errorf("EntityAlreadyExists", http.StatusConflict, "Role with name %s already exists.", name)
	}
	now := s.now().UTC()
	arn := "arn:aws:iam::" + r.Account + ":role" + path + name
	ro := &role{name: name, path: path, arn: arn, id: roleID(arn, now), account: r.Account,
		description: f.Get("Description"), maxSession: maxSession, created: now,
		trustDoc: doc, trust: trust,
		policies: map[string]string{}, parsed: map[string]*iampolicy.Policy{}}
	if err := ro.setTags(tags); err != nil {
		return nil, err
	}
	roles[strings.ToLower(name)] = ro
	return roleResult{ro.output(true)}, nil
}

func (s *Store) getRole(r *wire.Request, ro *role) (any, error) {
	if !s.visible(ro) {
		return nil, noSuchRole(r.Form.Get("RoleName"))
	}
	return roleResult{ro.output(true)}, nil
}

func (s *Store) deleteRole(r *wire.Request, ro *role) (any, error) {
	if len(ro.policies) > 0 {
		return nil, wire.Errorf("DeleteConflict", http.StatusConflict, "Cannot delete entity, must delete policies first.")
	}
	delete(s.accounts[r.Account], strings.ToLower(ro.name))
	return nil, nil
}

func (s *Store) updateAssumeRolePolicy(r *wire.Request, ro *role) (any, error) {
	doc := r.Form.Get("PolicyDocument")
	trust, err := parseTrust(doc) // accepted by trustParam
	if err != nil {
		return nil, err
	}
	ro.trustDoc, ro.trust = doc, trust
	return nil, nil
}

func checkPolicyName(name string) error {
	if !policyNameRE.MatchString(name) {
		return constraint(name, "policyName", `Member must satisfy regular expression pattern: [\w+=,.@-]+`)
	}
	return nil
}

func (s *Store) putRolePolicy(_ context.Context, r *wire.Request) (any, error) {
	name, doc := r.Form.Get("PolicyName"), r.Form.Get("PolicyDocument")
	if err := checkPolicyName(name); err != nil {
		return nil, err
	}
	if doc == "" {
		return nil, constraint(doc, "policyDocument", "Member must have length greater than or equal to 1")
	}
	p, err := iampolicy.ParseKind(doc, iampolicy.IdentityPolicy)
	if err != nil {
		return nil, malformedPolicy(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ro, err := s.lookup(r.Account, r.Form.Get("RoleName"))
	if err != nil {
		return nil, err
	}
	total := policySize(doc)
	for n, d := range ro.policies {
		if n != name {
			total += policySize(d)
		}
	}
	if total > maxInlinePolicy {
		return nil, limitExceeded("Maximum policy size of %d bytes exceeded for role %s", maxInlinePolicy, ro.name)
	}
	ro.policies[name], ro.parsed[name] = doc, p
	return nil, nil
}

func noSuchPolicy(name string) *wire.Error {
	return wire.Errorf("NoSuchEntity", http.StatusNotFound, "The role policy with name %s cannot be found.", name)
}

func (s *Store) getRolePolicy(r *wire.Request, ro *role) (any, error) {
	name := r.Form.Get("PolicyName")
	doc, ok := ro.policies[name]
	if !ok {
		return nil, noSuchPolicy(name)
	}
	return struct {
		RoleName       string `xml:"RoleName"`
		PolicyName     string `xml:"PolicyName"`
		PolicyDocument string `xml:"PolicyDocument"`
	}{ro.name, name, encodePolicy(doc)}, nil
}

func (s *Store) deleteRolePolicy(r *wire.Request, ro *role) (any, error) {
	name := r.Form.Get("PolicyName")
	if _, ok := ro.policies[name]; !ok {
		return nil, noSuchPolicy(name)
	}
	delete(ro.policies, name)
	delete(ro.parsed, name)
	return nil, nil
}

// truncation ends every IAM list answer.
type truncation struct {
	IsTruncated bool   `xml:"IsTruncated"`
	Marker      string `xml:"Marker,omitempty"`
}

// pageOf cuts items at Marker (an index) and MaxItems (1..1000, default 100).
func pageOf[T any](r *wire.Request, items []T) ([]T, truncation, error) {
	maxItems := 100
	if v := r.Form.Get("MaxItems"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return nil, truncation{}, constraint(v, "maxItems", "Member must have value between 1 and 1000")
		}
		maxItems = n
	}
	start, end, marker, ok := paging.Window(r.Form.Get("Marker"), maxItems, len(items))
	if !ok {
		return nil, truncation{}, validationError("Invalid Marker.")
	}
	return slices.Clone(items[start:end]), truncation{marker != "", marker}, nil
}

func (s *Store) listRolePolicies(r *wire.Request, ro *role) (any, error) {
	names, more, err := pageOf(r, slices.Sorted(maps.Keys(ro.policies)))
	if err != nil {
		return nil, err
	}
	return struct {
		PolicyNames []string `xml:"PolicyNames>member"`
		truncation
	}{names, more}, nil
}

func (s *Store) listRoles(_ context.Context, r *wire.Request) (any, error) {
	prefix := cmp.Or(r.Form.Get("PathPrefix"), "/")
	if len(prefix) > 512 || !strings.HasPrefix(prefix, "/") {
		return nil, constraint(prefix, "pathPrefix", `Member must satisfy regular expression pattern: \u002F[\u0021-\u007F]*`)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var roles []*role
	for _, ro := range s.accounts[r.Account] {
		if strings.HasPrefix(ro.path, prefix) && s.visible(ro) {
			roles = append(roles, ro)
		}
	}
	// IAM lists roles by name, without case.
	sort.Slice(roles, func(i, j int) bool { return strings.ToLower(roles[i].name) < strings.ToLower(roles[j].name) })
	page, more, err := pageOf(r, roles)
	if err != nil {
		return nil, err
	}
	out := struct {
		Roles []roleXML `xml:"Roles>member"`
		truncation
	}{[]roleXML{}, more}
	for _, ro := range page {
		// ListRoles leaves out tags, as in AWS: callers read them with
		// GetRole or ListRoleTags.
		out.Roles = append(out.Roles, ro.output(false))
	}
	return out, nil
}

func (s *Store) tagRole(r *wire.Request, ro *role) (any, error) {
	tags, err := readTags(r) // accepted by tagsParam
	if err != nil {
		return nil, err
	}
	return nil, ro.setTags(tags)
}

func (s *Store) untagRole(r *wire.Request, ro *role) (any, error) {
	keys := wire.FormStrings(r.Form, "TagKeys.member")
	ro.tags = slices.DeleteFunc(ro.tags, func(t tagXML) bool { return slices.Contains(keys, t.Key) })
	return nil, nil
}

func (s *Store) listRoleTags(r *wire.Request, ro *role) (any, error) {
	tags, more, err := pageOf(r, ro.tags)
	if err != nil {
		return nil, err
	}
	return struct {
		Tags []tagXML `xml:"Tags>member"`
		truncation
	}{tags, more}, nil
}
