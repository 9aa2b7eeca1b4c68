// Package tagging checks resource tags by the rules AWS's tagging APIs
// share; each service words the problem as its own error.
package tagging

import "strings"

// Tag is one key and value, as the JSON and Query protocols write it
// (KMS names its fields TagKey and TagValue and converts).
type Tag struct {
	Key   string `json:"Key" xml:"Key"`
	Value string `json:"Value" xml:"Value"`
}

// Problem is why a set of tags is refused.
type Problem int

// The problems, in the order Check looks for them.
const (
	OK          Problem = iota
	KeyLength           // a key empty or longer than 128 bytes
	ValueLength         // a value longer than 256 bytes
	Reserved            // a key starting with "aws:" in any case
	Duplicate           // a key given twice (Rules.Duplicates)
	TooMany             // more distinct keys than Rules.Max
)

// Rules are a service's tag limits.
type Rules struct {
	Max int // distinct keys a resource may have; 0 for no limit
	// Duplicates refuses a key given twice in one request; FoldCase
	// compares keys without case, as IAM does.
	Duplicates, FoldCase bool
}

// Check returns the first problem of tags, looking at each tag in turn
// (length of key and value, reserved prefix, duplicate) and then at their
// number, with the tag the problem concerns.
func (r Rules) Check(tags []Tag) (Problem, Tag) {
	seen := map[string]bool{}
	for _, t := range tags {
		key := t.Key
		if r.FoldCase {
			key = strings.ToLower(key)
		}
		switch {
		case t.Key == "" || len(t.Key) > 128:
			return KeyLength, t
		case len(t.Value) > 256:
			return ValueLength, t
		case strings.HasPrefix(strings.ToLower(t.Key), "aws:"):
			return Reserved, t
		case r.Duplicates && seen[key]:
			return Duplicate, t
		}
		seen[key] = true
	}
	if r.Max > 0 && len(seen) > r.Max {
		return TooMany, Tag{}
	}
	return OK, Tag{}
}

// FromMap lists a map's tags.
func FromMap(m map[string]string) []Tag {
	out := make([]Tag, 0, len(m))
	for k, v := range m {
		out = append(out, Tag{Key: k, Value: v})
	}
	return out
}
