package eventpattern

import (
	"encoding/json"
	"net/netip"
	"slices"
	"strings"
)

// matcher tests one scalar event value: string, json.Number, bool or nil
// (JSON null).
type matcher interface {
	match(v any) bool
}

type exactString string

func (m exactString) match(v any) bool {
	s, ok := v.(string)
	return ok && s == string(m)
}

// exactNumber compares numerically, so 300, 300.0 and 3e2 are equal, as in
// EventBridge.
type exactNumber float64

func (m exactNumber) match(v any) bool {
	f, ok := Number(v)
	return ok && f == float64(m)
}

type exactBool bool

func (m exactBool) match(v any) bool {
	b, ok := v.(bool)
	return ok && b == bool(m)
}

type exactNull struct{}

func (exactNull) match(v any) bool { return v == nil }

// exists is evaluated by matchLeaf on the set of leaves, not per value.
type exists bool

func (exists) match(any) bool { return false }

// affix is prefix or suffix matching; with fold set, value is lower-case
// and the comparison ignores case.
type affix struct {
	suffix bool
	fold   bool
	value  string
}

func (m affix) match(v any) bool {
	s, ok := v.(string)
	if !ok {
		return false
	}
	if m.fold {
		s = strings.ToLower(s)
	}
	if m.suffix {
		return strings.HasSuffix(s, m.value)
	}
	return strings.HasPrefix(s, m.value)
}

// ignoreCase holds the lower-case value.
type ignoreCase string

func (m ignoreCase) match(v any) bool {
	s, ok := v.(string)
	return ok && strings.ToLower(s) == string(m)
}

type numeric struct {
	hasLow, lowIncl   bool
	hasHigh, highIncl bool
	low, high         float64
}

func (m numeric) match(v any) bool {
	f, ok := Number(v)
	if !ok {
		return false
	}
	if m.hasLow && (f < m.low || (f == m.low && !m.lowIncl)) {
		return false
	}
	if m.hasHigh && (f > m.high || (f == m.high && !m.highIncl)) {
		return false
	}
	return true
}

type cidr netip.Prefix

func (m cidr) match(v any) bool {
	s, ok := v.(string)
	if !ok {
		return false
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return false
	}
	return netip.Prefix(m).Contains(a.Unmap())
}

// anythingBut excludes a set of strings or numbers; every other string,
// number or boolean matches. null matches nothing but an exact null.
type anythingBut struct {
	strings map[string]bool
	numbers []float64
}

func (m anythingBut) match(v any) bool {
	switch x := v.(type) {
	case string:
		return !m.strings[x]
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			return false
		}
		return !slices.Contains(m.numbers, f)
	case bool:
		return true
	}
	return false
}

// notAny is anything-but with prefix, suffix, equals-ignore-case or
// wildcard: it matches strings that none of the matchers match.
type notAny struct{ matchers []matcher }

func (m notAny) match(v any) bool {
	if _, ok := v.(string); !ok {
		return false
	}
	return !slices.ContainsFunc(m.matchers, func(x matcher) bool { return x.match(v) })
}

// wildcard holds the literal parts between the "*" of a pattern: the value
// must start with the first part, end with the last, and contain the
// others in order.
type wildcard struct{ parts []string }

func (m wildcard) match(v any) bool {
	s, ok := v.(string)
	if !ok {
		return false
	}
	if len(m.parts) == 1 {
		return s == m.parts[0]
	}
	first, last := m.parts[0], m.parts[len(m.parts)-1]
	if !strings.HasPrefix(s, first) {
		return false
	}
	s = s[len(first):]
	for _, p := range m.parts[1 : len(m.parts)-1] {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return strings.HasSuffix(s, last)
}

// Number is the value of a JSON number decoded with UseNumber; false for
// anything else. SNS filter policies read numbers the same way.
func Number(v any) (float64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	f, err := n.Float64()
	return f, err == nil
}
