package desired

import "strings"

// IAM-style policy documents, built from typed values so a typo in a key
// is a compile error, then stored in canonical form.

const allow = "Allow"

type principal struct{ AWS, Service string }

// conditions maps an operator to its keys and values:
// {"StringEquals": {"aws:SourceAccount": ["123456789012"]}}.
type conditions map[string]map[string][]string

func statement(sid, effect string, p principal, actions []string, resource string, cond conditions) map[string]any {
	st := map[string]any{"Sid": sid, "Effect": effect, "Action": actions}
	switch {
	case p.AWS != "":
		st["Principal"] = map[string]any{"AWS": p.AWS}
	case p.Service != "":
		st["Principal"] = map[string]any{"Service": p.Service}
	}
	if resource != "" {
		st["Resource"] = resource
	}
	if len(cond) > 0 {
		st["Condition"] = cond
	}
	return st
}

func policy(statements ...map[string]any) string {
	list := make([]any, len(statements))
	for i, s := range statements {
		list[i] = s
	}
	return MustCanonical(map[string]any{"Version": "2012-10-17", "Statement": list}, Policy)
}

// Partition returns the ARN partition of a region.
func Partition(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	case strings.HasPrefix(region, "us-isob-"):
		return "aws-iso-b"
	case strings.HasPrefix(region, "us-iso-"):
		return "aws-iso"
	}
	return "aws"
}
