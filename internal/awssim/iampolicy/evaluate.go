package iampolicy

import (
	"cmp"
	"math/big"
	"slices"
	"strings"

	"github.com/orgnotify/orgnotify/internal/awssim/awsarn"
)

// Allows reports whether the policy allows req: an explicit Deny wins,
// otherwise at least one Allow statement must match.
func (p *Policy) Allows(req Request) bool {
	req = withDerivedKeys(req)
	allowed := false
	for i := range p.Statements {
		st := &p.Statements[i]
		if !st.matches(req) {
			continue
		}
		if st.Effect == "Deny" {
			return false
		}
		allowed = true
	}
	return allowed
}

// withDerivedKeys adds the global condition keys AWS derives from the
// caller, unless the caller set them, and folds key case.
func withDerivedKeys(req Request) Request {
	ctx := make(map[string]string, len(req.Context)+3)
	for k, v := range req.Context {
		ctx[strings.ToLower(k)] = v
	}
	pr := req.Principal
	pr.Account = cmp.Or(pr.Account, accountOfARN(pr.AWS))
	setDefault := func(k, v string) {
		if _, ok := ctx[k]; !ok && v != "" {
			ctx[k] = v
		}
	}
	setDefault("aws:principalaccount", pr.Account)
	setDefault("aws:principalarn", principalARN(pr.AWS))
	setDefault("aws:principalservicename", pr.Service)
	req.Principal, req.Context = pr, ctx
	return req
}

// principalARN is aws:PrincipalArn: for an assumed-role session it is the
// role's ARN, not the session's.
func principalARN(arn string) string {
	a, ok := awsarn.Parse(arn)
	if !ok || a.Partition != "aws" || a.Service != "sts" || a.Region != "" {
		return arn
	}
	if role, ok := strings.CutPrefix(a.Resource, "assumed-role/"); ok {
		name, _, _ := strings.Cut(role, "/")
		return awsarn.New("iam", "", a.Account, "role/"+name)
	}
	return arn
}

// accountOfARN returns the account field of an ARN, or "".
func accountOfARN(arn string) string {
	a, _ := awsarn.Parse(arn)
	return a.Account
}

func (st *Statement) matches(req Request) bool {
	switch {
	case st.Principal != nil && !st.Principal.matches(req.Principal):
		return false
	case st.NotPrincipal != nil && st.NotPrincipal.matches(req.Principal):
		return false
	case st.Action != nil && !anyMatch(st.Action, req.Action, true):
		return false
	case st.NotAction != nil && anyMatch(st.NotAction, req.Action, true):
		return false
	case st.Resource != nil && !anyMatch(st.Resource, req.Resource, false):
		return false
	case st.NotResource != nil && anyMatch(st.NotResource, req.Resource, false):
		return false
	}
	for _, c := range st.Conditions {
		if !c.holds(req.Context) {
			return false
		}
	}
	return true
}

func (ps *PrincipalSet) matches(p Principal) bool {
	if ps.Any {
		return true
	}
	if p.Service != "" && slices.ContainsFunc(ps.Service, func(s string) bool { return strings.EqualFold(s, p.Service) }) {
		return true
	}
	if p.AWS == "" && p.Account == "" {
		return false
	}
	for _, a := range ps.AWS {
		switch {
		case awsarn.IsAccountID(a):
			// An account principal stands for every identity of that account.
			if a == p.Account {
				return true
			}
		case strings.HasPrefix(a, "arn:aws:iam::") && strings.HasSuffix(a, ":root"):
			if accountOfARN(a) == p.Account {
				return true
			}
		case a == p.AWS:
			return true
		case strings.Contains(a, ":role/") && principalARN(p.AWS) == a:
			// A role principal matches that role's sessions.
			return true
		}
	}
	return false
}

// holds evaluates one condition against the request context.
func (c Condition) holds(ctx map[string]string) bool {
	got, present := ctx[strings.ToLower(c.Key)]
	if c.base == "Null" {
		want := strings.EqualFold(c.Values[0], "true")
		return want == !present
	}
	negated := strings.Contains(c.base, "Not")
	if !present {
		// ForAllValues over an empty set of request values is true; so is,
		// in AWS, a negated operator with an absent key.
		return c.ifExists || c.set == "ForAllValues" || negated
	}
	matched := slices.ContainsFunc(c.Values, func(w string) bool { return compare(c.base, got, w) })
	return matched != negated
}

// compare applies the positive form of base to (request value, policy value).
func compare(base, got, want string) bool {
	switch base {
	case "StringEquals", "StringNotEquals":
		return got == want
	case "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase":
		return strings.EqualFold(got, want)
	case "StringLike", "StringNotLike":
		return wildcard(want, got, false)
	case "ArnEquals", "ArnNotEquals", "ArnLike", "ArnNotLike":
		return arnLike(want, got)
	case "Bool":
		return strings.EqualFold(got, want)
	}
	if strings.HasPrefix(base, "Numeric") {
		g, ok1 := new(big.Rat).SetString(got)
		w, ok2 := new(big.Rat).SetString(want)
		if !ok1 || !ok2 {
			return false
		}
		c := g.Cmp(w)
		switch base {
		case "NumericEquals", "NumericNotEquals":
			return c == 0
		case "NumericLessThan":
			return c < 0
		case "NumericLessThanEquals":
			return c <= 0
		case "NumericGreaterThan":
			return c > 0
		case "NumericGreaterThanEquals":
			return c >= 0
		}
	}
	return false
}

// arnLike compares the six colon-separated ARN fields one by one, each with
// wildcards, as ArnLike and ArnEquals do; the last field keeps its colons.
func arnLike(pattern, arn string) bool {
	pf := strings.SplitN(pattern, ":", 6)
	af := strings.SplitN(arn, ":", 6)
	if len(pf) != 6 || len(af) != 6 {
		return false
	}
	for i := range pf {
		if !wildcard(pf[i], af[i], false) {
			return false
		}
	}
	return true
}

func anyMatch(patterns []string, value string, fold bool) bool {
	return slices.ContainsFunc(patterns, func(p string) bool { return wildcard(p, value, fold) })
}

// wildcard matches value against an IAM pattern where "*" is any run of
// characters and "?" one character; nothing else is special.
func wildcard(pattern, value string, fold bool) bool {
	if fold {
		pattern, value = strings.ToLower(pattern), strings.ToLower(value)
	}
	// Iterative glob with one backtrack point: linear in practice.
	p, v := 0, 0
	star, mark := -1, 0
	for v < len(value) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == value[v]):
			p++
			v++
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, v
			p++
		case star >= 0:
			p = star + 1
			mark++
			v = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}
