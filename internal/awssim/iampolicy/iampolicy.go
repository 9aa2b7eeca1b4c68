// Package iampolicy validates and evaluates AWS resource-based policy
// documents (SQS queue, SNS topic, EventBridge bus and KMS key policies) the
// way AWS does for a single resource policy: an explicit Deny wins, otherwise
// one matching Allow is needed, otherwise the request is implicitly denied.
//
// It covers the grammar those policies use: Principal / NotPrincipal,
// Action / NotAction, Resource / NotResource with "*" and "?" wildcards, and
// the String*, Arn*, Bool, Null and Numeric* condition operators with the
// IfExists suffix and the ForAnyValue: / ForAllValues: set prefixes.
// Identity-based policies, permission boundaries and SCPs are out of scope.
package iampolicy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/orgnotify/orgnotify/internal/awssim/awsarn"
)

// ErrMalformed is wrapped by every error Validate, Parse and Evaluate return
// for a document that is not a valid policy.
var ErrMalformed = errors.New("malformed policy document")

// Principal is who makes the request.
type Principal struct {
	// Service is a service principal such as "events.amazonaws.com" when a
	// service acts (a delivery), empty otherwise.
	Service string
	// AWS is the caller's ARN: "arn:aws:iam::ACCOUNT:root" or
	// "arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION".
	AWS string
	// Account is the caller's account. When empty it is taken from AWS.
	Account string
}

// Request is the question asked of a policy.
type Request struct {
	Principal Principal
	Action    string // "sns:Publish"
	Resource  string // the resource's ARN
	// Context holds condition keys ("aws:SourceArn", "aws:PrincipalOrgID").
	// Keys compare without case, as in IAM. aws:PrincipalAccount,
	// aws:PrincipalArn and aws:PrincipalServiceName are derived from
	// Principal when not given.
	Context map[string]string
}

// Policy is a parsed, valid policy document.
type Policy struct {
	Version    string
	ID         string
	Statements []Statement
}

// Statement is one policy statement. A nil Principal / Action / Resource
// field is absent from the document; the Not* fields hold the negated form.
type Statement struct {
	Sid          string
	Effect       string // "Allow" or "Deny"
	Principal    *PrincipalSet
	NotPrincipal *PrincipalSet
	Action       []string
	NotAction    []string
	Resource     []string
	NotResource  []string
	Conditions   []Condition
}

// PrincipalSet is the value of a Principal element.
type PrincipalSet struct {
	Any       bool // "*" or {"AWS":"*"}
	AWS       []string
	Service   []string
	Federated []string
	Canonical []string
}

// Condition is one (operator, key, values) triple of a Condition block.
type Condition struct {
	Operator string // as written: "ForAnyValue:StringLikeIfExists"
	base     string // "StringLike"
	set      string // "", "ForAnyValue", "ForAllValues"
	ifExists bool
	Key      string
	Values   []string
}

var validVersions = map[string]bool{"2012-10-17": true, "2008-10-17": true}

// operators are the supported base condition operators. Those with "Not"
// in their name are negated: they match when no value matches (and when
// the key is absent).
var operators = map[string]bool{
	"StringEquals": true, "StringNotEquals": true, "StringEqualsIgnoreCase": true, "StringNotEqualsIgnoreCase": true,
	"StringLike": true, "StringNotLike": true,
	"ArnEquals": true, "ArnNotEquals": true, "ArnLike": true, "ArnNotLike": true,
	"Bool": true, "Null": true,
	"NumericEquals": true, "NumericNotEquals": true, "NumericLessThan": true, "NumericLessThanEquals": true,
	"NumericGreaterThan": true, "NumericGreaterThanEquals": true,
}

// Validate checks that doc is a policy document AWS would accept for a
// resource policy. Size limits differ per service and are left to callers.
func Validate(doc string) error {
	_, err := Parse(doc)
	return err
}

// Evaluate parses doc and reports whether it allows req.
func Evaluate(doc string, req Request) (bool, error) {
	p, err := Parse(doc)
	if err != nil {
		return false, err
	}
	return p.Allows(req), nil
}

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, args...))
}

// Kind is the sort of document a policy is: each one names (or must not
// name) a Principal and a Resource differently.
type Kind int

const (
	// ResourcePolicy is attached to a resource (queue, topic, bus, key):
	// Principal and Resource are required.
	ResourcePolicy Kind = iota
	// IdentityPolicy is attached to a role: no Principal, Resource required.
	IdentityPolicy
	// TrustPolicy is a role's AssumeRolePolicyDocument: Principal required,
	// no Resource (the role is the resource).
	TrustPolicy
)

// Parse validates a resource policy and returns its parsed form.
func Parse(doc string) (*Policy, error) { return ParseKind(doc, ResourcePolicy) }

// ParseKind validates doc as a policy of the given kind.
func ParseKind(doc string, kind Kind) (*Policy, error) {
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.UseNumber()
	var top map[string]json.RawMessage
	if err := dec.Decode(&top); err != nil {
		return nil, malformed("not a JSON object: %v", err)
	}
	if dec.More() {
		return nil, malformed("trailing data after the JSON object")
	}
	p := &Policy{}
	for _, k := range slices.Sorted(maps.Keys(top)) {
		switch k {
		case "Version":
			if err := json.Unmarshal(top[k], &p.Version); err != nil || !validVersions[p.Version] {
				return nil, malformed("Version must be \"2012-10-17\" or \"2008-10-17\", got %s", top[k])
			}
		case "Id":
			if err := json.Unmarshal(top[k], &p.ID); err != nil {
				return nil, malformed("Id must be a string")
			}
		case "Statement":
		default:
			return nil, malformed("unknown policy element %q", k)
		}
	}
	raw, ok := top["Statement"]
	if !ok {
		return nil, malformed("missing Statement")
	}
	var stmts []map[string]json.RawMessage
	switch t := bytes.TrimSpace(raw); {
	case len(t) > 0 && t[0] == '{':
		var one map[string]json.RawMessage
		if err := json.Unmarshal(t, &one); err != nil {
			return nil, malformed("Statement: %v", err)
		}
		stmts = append(stmts, one)
	case len(t) > 0 && t[0] == '[':
		if err := json.Unmarshal(t, &stmts); err != nil {
			return nil, malformed("Statement must be an object or a list of objects: %v", err)
		}
		if len(stmts) == 0 {
			return nil, malformed("Statement must not be empty")
		}
	default:
		return nil, malformed("Statement must be an object or a list of objects")
	}
	for i, m := range stmts {
		st, err := parseStatement(m, kind)
		if err != nil {
			return nil, fmt.Errorf("statement %d: %w", i+1, err)
		}
		p.Statements = append(p.Statements, st)
	}
	return p, nil
}

func parseStatement(m map[string]json.RawMessage, kind Kind) (Statement, error) {
	var st Statement
	if m == nil {
		return st, malformed("statement must be an object")
	}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		v := m[k]
		var err error
		switch k {
		case "Sid":
			if json.Unmarshal(v, &st.Sid) != nil {
				err = malformed("Sid must be a string")
			}
		case "Effect":
			if json.Unmarshal(v, &st.Effect) != nil || (st.Effect != "Allow" && st.Effect != "Deny") {
				err = malformed("Effect must be \"Allow\" or \"Deny\", got %s", v)
			}
		case "Principal":
			st.Principal, err = parsePrincipal(v)
		case "NotPrincipal":
			st.NotPrincipal, err = parsePrincipal(v)
		case "Action", "NotAction":
			var list []string
			if list, err = stringList(k, v); err == nil {
				if i := slices.IndexFunc(list, func(a string) bool { return a != "*" && !strings.Contains(a, ":") }); i >= 0 {
					err = malformed("%s %q must be \"*\" or \"service:Action\"", k, list[i])
				}
				if k == "Action" {
					st.Action = list
				} else {
					st.NotAction = list
				}
			}
		case "Resource":
			st.Resource, err = stringList(k, v)
		case "NotResource":
			st.NotResource, err = stringList(k, v)
		case "Condition":
			st.Conditions, err = parseConditions(v)
		default:
			err = malformed("unknown statement element %q", k)
		}
		if err != nil {
			return st, err
		}
	}
	switch {
	case st.Effect == "":
		return st, malformed("missing Effect")
	case kind == IdentityPolicy && (st.Principal != nil || st.NotPrincipal != nil):
		// An identity policy applies to the identity it is attached to.
		return st, malformed("Has prohibited field Principal")
	case kind != IdentityPolicy && (st.Principal == nil) == (st.NotPrincipal == nil):
		// Resource policies always name who they apply to.
		return st, malformed("a resource policy statement needs exactly one of Principal or NotPrincipal")
	case (st.Action == nil) == (st.NotAction == nil):
		return st, malformed("statement needs exactly one of Action or NotAction")
	case kind == TrustPolicy && (st.Resource != nil || st.NotResource != nil):
		return st, malformed("Has prohibited field Resource")
	case kind != TrustPolicy && (st.Resource == nil) == (st.NotResource == nil):
		return st, malformed("statement needs exactly one of Resource or NotResource")
	}
	return st, nil
}

func parsePrincipal(v json.RawMessage) (*PrincipalSet, error) {
	var s string
	if json.Unmarshal(v, &s) == nil {
		if s != "*" {
			return nil, malformed("Principal must be \"*\" or an object, got %q", s)
		}
		return &PrincipalSet{Any: true}, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(v, &m); err != nil || len(m) == 0 {
		return nil, malformed("Principal must be \"*\" or a non-empty object")
	}
	ps := &PrincipalSet{}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		list, err := stringList("Principal."+k, m[k])
		if err != nil {
			return nil, err
		}
		switch k {
		case "AWS":
			for _, a := range list {
				if a == "*" {
					ps.Any = true
					continue
				}
				if !awsarn.IsAccountID(a) && !strings.HasPrefix(a, "arn:aws:iam::") && !strings.HasPrefix(a, "arn:aws:sts::") {
					return nil, malformed("invalid AWS principal %q", a)
				}
				ps.AWS = append(ps.AWS, a)
			}
		case "Service":
			if i := slices.IndexFunc(list, func(sv string) bool { return !strings.Contains(sv, ".") }); i >= 0 {
				return nil, malformed("invalid Service principal %q", list[i])
			}
			ps.Service = list
		case "Federated":
			ps.Federated = list
		case "CanonicalUser":
			ps.Canonical = list
		default:
			return nil, malformed("unknown principal type %q", k)
		}
	}
	return ps, nil
}

func parseConditions(v json.RawMessage) ([]Condition, error) {
	var ops map[string]map[string]json.RawMessage
	if err := json.Unmarshal(v, &ops); err != nil {
		return nil, malformed("Condition must map operators to {key: values}: %v", err)
	}
	var out []Condition
	for _, op := range slices.Sorted(maps.Keys(ops)) {
		c := Condition{Operator: op}
		rest := op
		if set, after, ok := strings.Cut(rest, ":"); ok {
			if set != "ForAnyValue" && set != "ForAllValues" {
				return nil, malformed("unknown condition set operator %q", set)
			}
			c.set, rest = set, after
		}
		if b, ok := strings.CutSuffix(rest, "IfExists"); ok {
			c.ifExists, rest = true, b
		}
		if !operators[rest] {
			return nil, malformed("unsupported condition operator %q", op)
		}
		if rest == "Null" && c.ifExists {
			return nil, malformed("condition operator %q is not valid", op)
		}
		c.base = rest
		for _, key := range slices.Sorted(maps.Keys(ops[op])) {
			vals, err := conditionValues(ops[op][key])
			if err != nil {
				return nil, malformed("Condition %s %s: %v", op, key, err)
			}
			cc := c
			cc.Key, cc.Values = key, vals
			out = append(out, cc)
		}
	}
	return out, nil
}

// conditionValues reads a string, boolean or number, or a list of them:
// {"Bool": {"aws:SecureTransport": false}} is as valid as "false".
func conditionValues(v json.RawMessage) ([]string, error) {
	scalar := func(r json.RawMessage) (string, bool) {
		var x any
		d := json.NewDecoder(bytes.NewReader(r))
		d.UseNumber()
		if d.Decode(&x) != nil {
			return "", false
		}
		switch t := x.(type) {
		case string:
			return t, true
		case bool:
			return strconv.FormatBool(t), true
		case json.Number:
			return t.String(), true
		}
		return "", false
	}
	if s, ok := scalar(v); ok {
		return []string{s}, nil
	}
	var list []json.RawMessage
	if err := json.Unmarshal(v, &list); err != nil || len(list) == 0 {
		return nil, errors.New("values must be a string, boolean, number or a non-empty list of them")
	}
	out := make([]string, 0, len(list))
	for _, e := range list {
		s, ok := scalar(e)
		if !ok {
			return nil, errors.New("list values must be strings, booleans or numbers")
		}
		out = append(out, s)
	}
	return out, nil
}

// stringList reads an element that is one string or a non-empty list of strings.
func stringList(name string, v json.RawMessage) ([]string, error) {
	var s string
	if json.Unmarshal(v, &s) == nil {
		if s == "" {
			return nil, malformed("%s must not be empty", name)
		}
		return []string{s}, nil
	}
	var list []string
	if err := json.Unmarshal(v, &list); err != nil || len(list) == 0 {
		return nil, malformed("%s must be a string or a non-empty list of strings", name)
	}
	if slices.Contains(list, "") {
		return nil, malformed("%s must not contain an empty string", name)
	}
	return list, nil
}
