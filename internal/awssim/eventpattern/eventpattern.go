// Package eventpattern compiles and evaluates Amazon EventBridge event
// patterns: the JSON documents rules use to select events. Compile validates a
// pattern the way EventBridge does when PutRule or TestEventPattern receives
// it; Match tells whether one event (a JSON object) satisfies it.
//
// The package is pure: no I/O, no clock, no shared state.
package eventpattern

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/netip"
	"slices"
	"strings"
)

// ErrInvalidPattern is wrapped by every Compile error.
var ErrInvalidPattern = errors.New("invalid event pattern")

// ErrInvalidEvent is wrapped by Match when the event is not a JSON object.
var ErrInvalidEvent = errors.New("invalid event")

// Numeric bounds EventBridge accepts in numeric matching.
const (
	minNumeric = -5.0e9
	maxNumeric = 5.0e9
)

// Pattern is a compiled event pattern. It is immutable and safe for
// concurrent use.
type Pattern struct {
	root *object
}

// object is one level of the pattern: every field must match (AND), and
// every $or group must have at least one alternative that matches.
type object struct {
	fields []field
	ors    [][]*object
}

// field is a key of the pattern; exactly one of nested and leaf is set.
type field struct {
	key    string
	nested *object
	leaf   []matcher // any one matching is enough (OR)
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidPattern, fmt.Sprintf(format, args...))
}

// Compile parses and validates an event pattern.
func Compile(pattern string) (*Pattern, error) {
	v, err := decode([]byte(pattern))
	if err != nil {
		return nil, invalid("%v", err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, invalid("the event pattern must be a JSON object")
	}
	root, err := compileObject(m, "")
	if err != nil {
		return nil, err
	}
	return &Pattern{root: root}, nil
}

// decode reads exactly one JSON value, keeping numbers exact.
func decode(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("unexpected data after the JSON value")
	}
	return v, nil
}

func compileObject(m map[string]any, path string) (*object, error) {
	if len(m) == 0 {
		return nil, invalid("empty objects are not allowed (at %q)", path)
	}
	obj := &object{}
	for _, k := range slices.Sorted(maps.Keys(m)) { // deterministic evaluation and error messages
		p := join(path, k)
		switch v := m[k].(type) {
		case map[string]any:
			n, err := compileObject(v, p)
			if err != nil {
				return nil, err
			}
			obj.fields = append(obj.fields, field{key: k, nested: n})
		case []any:
			if k == "$or" && isOrList(v) {
				if len(v) < 2 {
					return nil, invalid("there must be at least 2 objects in the $or array (at %q)", path)
				}
				group := make([]*object, 0, len(v))
				for _, alt := range v {
					n, err := compileObject(alt.(map[string]any), path)
					if err != nil {
						return nil, err
					}
					group = append(group, n)
				}
				obj.ors = append(obj.ors, group)
				continue
			}
			leaf, err := compileLeaf(v, p)
			if err != nil {
				return nil, err
			}
			obj.fields = append(obj.fields, field{key: k, leaf: leaf})
		default:
			return nil, invalid("%q must be an object or an array", p)
		}
	}
	return obj, nil
}

// isOrList reports whether a $or value is a list of patterns; otherwise
// "$or" is an ordinary field name whose value list is matched as usual.
func isOrList(v []any) bool {
	if len(v) == 0 {
		return false
	}
	return !slices.ContainsFunc(v, func(e any) bool {
		m, ok := e.(map[string]any)
		return !ok || isOperatorObject(m)
	})
}

// isOperatorObject tells a leaf operator ({"prefix": "x"}) from a nested
// pattern object.
func isOperatorObject(m map[string]any) bool {
	if len(m) != 1 {
		return false
	}
	for k := range m {
		_, ok := operators[k]
		return ok
	}
	return false
}

var operators = map[string]bool{
	"prefix": true, "suffix": true, "anything-but": true, "numeric": true, "exists": true,
	"equals-ignore-case": true, "wildcard": true, "cidr": true,
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func compileLeaf(values []any, path string) ([]matcher, error) {
	if len(values) == 0 {
		return nil, invalid("empty arrays are not allowed (at %q)", path)
	}
	out := make([]matcher, 0, len(values))
	for _, v := range values {
		switch x := v.(type) {
		case string:
			out = append(out, exactString(x))
		case json.Number:
			f, err := x.Float64()
			if err != nil {
				return nil, invalid("number %s out of range (at %q)", x, path)
			}
			out = append(out, exactNumber(f))
		case bool:
			out = append(out, exactBool(x))
		case nil:
			out = append(out, exactNull{})
		case []any:
			return nil, invalid("match value must be a string, number, true, false, null or an operator object, not an array (at %q)", path)
		case map[string]any:
			m, err := compileOperator(x, path)
			if err != nil {
				return nil, err
			}
			out = append(out, m)
		}
	}
	return out, nil
}

func compileOperator(m map[string]any, path string) (matcher, error) {
	if len(m) != 1 {
		return nil, invalid("an operator object must have exactly one key (at %q)", path)
	}
	var op string
	var arg any
	for k, v := range m {
		op, arg = k, v
	}
	str, isString := arg.(string)
	if !isString && (op == "equals-ignore-case" || op == "wildcard" || op == "cidr") {
		return nil, invalid("%s match pattern must be a string (at %q)", op, path)
	}
	switch op {
	case "prefix", "suffix":
		s, fold, err := stringOrIgnoreCase(op, arg, path)
		if err != nil {
			return nil, err
		}
		return affix{suffix: op == "suffix", value: s, fold: fold}, nil
	case "equals-ignore-case":
		return ignoreCase(strings.ToLower(str)), nil
	case "wildcard":
		return compileWildcard(str, path)
	case "exists":
		b, ok := arg.(bool)
		if !ok {
			return nil, invalid("exists match pattern must be either true or false (at %q)", path)
		}
		return exists(b), nil
	case "numeric":
		return compileNumeric(arg, path)
	case "cidr":
		p, err := netip.ParsePrefix(str)
		if err != nil {
			return nil, invalid("nonstandard IP address or CIDR %q (at %q)", str, path)
		}
		return cidr(p.Masked()), nil
	case "anything-but":
		return compileAnythingBut(arg, path)
	default:
		return nil, invalid("unrecognized match type %s (at %q)", op, path)
	}
}

// stringOrIgnoreCase reads the argument of prefix and suffix: a string, or
// {"equals-ignore-case": string}.
func stringOrIgnoreCase(op string, arg any, path string) (string, bool, error) {
	switch a := arg.(type) {
	case string:
		return a, false, nil
	case map[string]any:
		if v, ok := a["equals-ignore-case"].(string); ok && len(a) == 1 {
			return strings.ToLower(v), true, nil
		}
	}
	return "", false, invalid("%s match pattern must be a string or an equals-ignore-case object (at %q)", op, path)
}

func compileNumeric(arg any, path string) (matcher, error) {
	list, ok := arg.([]any)
	if !ok || (len(list) != 2 && len(list) != 4) {
		return nil, invalid("value of numeric must be an array of one or two comparisons (at %q)", path)
	}
	var n numeric
	for i := 0; i < len(list); i += 2 {
		op, ok := list[i].(string)
		if !ok {
			return nil, invalid("numeric comparison operator must be a string (at %q)", path)
		}
		num, ok := list[i+1].(json.Number)
		if !ok {
			return nil, invalid("value of %s must be a number (at %q)", op, path)
		}
		f, err := num.Float64()
		if err != nil || f < minNumeric || f > maxNumeric {
			return nil, invalid("value of %s must be between %g and %g (at %q)", op, minNumeric, maxNumeric, path)
		}
		switch op {
		case "=":
			if len(list) != 2 {
				return nil, invalid("\"=\" cannot be combined with another comparison (at %q)", path)
			}
			n.hasLow, n.low, n.lowIncl = true, f, true
			n.hasHigh, n.high, n.highIncl = true, f, true
		case ">", ">=":
			if n.hasLow {
				return nil, invalid("numeric range has two lower bounds (at %q)", path)
			}
			if n.hasHigh {
				return nil, invalid("numeric range must give the lower bound first (at %q)", path)
			}
			n.hasLow, n.low, n.lowIncl = true, f, op == ">="
		case "<", "<=":
			if n.hasHigh {
				return nil, invalid("numeric range has two upper bounds (at %q)", path)
			}
			n.hasHigh, n.high, n.highIncl = true, f, op == "<="
		default:
			return nil, invalid("unrecognized numeric range operator %q (at %q)", op, path)
		}
	}
	if len(list) == 4 && n.low >= n.high {
		return nil, invalid("bottom must be less than top (at %q)", path)
	}
	return n, nil
}

func compileAnythingBut(arg any, path string) (matcher, error) {
	switch a := arg.(type) {
	case string:
		return anythingBut{strings: map[string]bool{a: true}}, nil
	case json.Number:
		f, err := a.Float64()
		if err != nil {
			return nil, invalid("anything-but number out of range (at %q)", path)
		}
		return anythingBut{numbers: []float64{f}}, nil
	case []any:
		if len(a) == 0 {
			return nil, invalid("anything-but list must not be empty (at %q)", path)
		}
		ab := anythingBut{}
		for _, e := range a {
			switch x := e.(type) {
			case string:
				if ab.numbers != nil {
					return nil, invalid("inside anything-but list, mixed types are not allowed (at %q)", path)
				}
				if ab.strings == nil {
					ab.strings = map[string]bool{}
				}
				ab.strings[x] = true
			case json.Number:
				if ab.strings != nil {
					return nil, invalid("inside anything-but list, mixed types are not allowed (at %q)", path)
				}
				f, err := x.Float64()
				if err != nil {
					return nil, invalid("anything-but number out of range (at %q)", path)
				}
				ab.numbers = append(ab.numbers, f)
			default:
				return nil, invalid("inside anything-but list, only strings or only numbers are allowed (at %q)", path)
			}
		}
		return ab, nil
	case map[string]any:
		if len(a) != 1 {
			return nil, invalid("anything-but object must have exactly one key (at %q)", path)
		}
		for op, v := range a {
			values, err := stringList(op, v, path)
			if err != nil {
				return nil, err
			}
			ms := make([]matcher, len(values))
			for i, s := range values {
				switch op {
				case "prefix", "suffix":
					if s == "" {
						return nil, invalid("anything-but %s must not be empty (at %q)", op, path)
					}
					ms[i] = affix{suffix: op == "suffix", value: s}
				case "equals-ignore-case":
					ms[i] = ignoreCase(strings.ToLower(s))
				case "wildcard":
					if ms[i], err = compileWildcard(s, path); err != nil {
						return nil, err
					}
				default:
					return nil, invalid("unsupported anything-but pattern %s (at %q)", op, path)
				}
			}
			return notAny{matchers: ms}, nil
		}
	}
	return nil, invalid("value of anything-but must be a string, a number, a list or an object (at %q)", path)
}

// stringList reads an operator argument that is one string or a non-empty
// list of strings.
func stringList(op string, v any, path string) ([]string, error) {
	switch x := v.(type) {
	case string:
		return []string{x}, nil
	case []any:
		if len(x) == 0 {
			return nil, invalid("anything-but %s list must not be empty (at %q)", op, path)
		}
		out := make([]string, len(x))
		for i, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, invalid("anything-but %s values must be strings (at %q)", op, path)
			}
			out[i] = s
		}
		return out, nil
	}
	return nil, invalid("anything-but %s value must be a string or a list of strings (at %q)", op, path)
}

// compileWildcard validates a wildcard pattern: "*" matches any run of
// characters, "\*" and "\\" are literal, and two consecutive wildcards are
// rejected as EventBridge does.
func compileWildcard(s, path string) (matcher, error) {
	var parts []string
	var cur strings.Builder
	prevStar := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\\':
			if i+1 >= len(s) || (s[i+1] != '*' && s[i+1] != '\\') {
				return nil, invalid("invalid escape character in wildcard pattern %q (at %q)", s, path)
			}
			cur.WriteByte(s[i+1])
			i++
			prevStar = false
		case '*':
			if prevStar {
				return nil, invalid("consecutive wildcard characters in %q (at %q)", s, path)
			}
			parts = append(parts, cur.String())
			cur.Reset()
			prevStar = true
		default:
			cur.WriteByte(c)
			prevStar = false
		}
	}
	parts = append(parts, cur.String())
	return wildcard{parts: parts}, nil
}

// Match reports whether the event, a JSON object, matches the pattern.
func (p *Pattern) Match(event []byte) (bool, error) {
	v, err := decode(event)
	if err != nil {
		return false, fmt.Errorf("%w: %v", ErrInvalidEvent, err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return false, fmt.Errorf("%w: the event must be a JSON object", ErrInvalidEvent)
	}
	return p.MatchValue(m), nil
}

// MatchValue matches an event already decoded with json.Decoder.UseNumber
// (numbers as json.Number), so a caller routing one event through many rules
// decodes it once.
func (p *Pattern) MatchValue(event map[string]any) bool {
	return p.root.match(event)
}

// match evaluates one pattern level against one event object; m is nil when
// the event has no object at this path, so only absence tests can succeed.
func (o *object) match(m map[string]any) bool {
	for i := range o.fields {
		f := &o.fields[i]
		v, present := m[f.key]
		if f.nested != nil {
			if !anyObject(f.nested, v) {
				return false
			}
			continue
		}
		if !matchLeaf(f.leaf, v, present) {
			return false
		}
	}
	for _, group := range o.ors {
		if !slices.ContainsFunc(group, func(alt *object) bool { return alt.match(m) }) {
			return false
		}
	}
	return true
}

// anyObject applies a nested pattern to an event value. An array matches
// when one of its objects matches the whole nested pattern, so fields from
// different array elements are never combined.
func anyObject(o *object, v any) bool {
	switch x := v.(type) {
	case map[string]any:
		return o.match(x)
	case []any:
		found := false
		for _, e := range x {
			switch y := e.(type) {
			case map[string]any:
				found = true
				if o.match(y) {
					return true
				}
			case []any:
				if anyObject(o, y) {
					return true
				}
			}
		}
		if found {
			return false
		}
	}
	return o.match(nil)
}

// matchLeaf collects the scalar values at a field (flattening arrays) and
// applies the matchers; objects are not leaves, so exists treats them as
// absent.
func matchLeaf(ms []matcher, v any, present bool) bool {
	var buf [4]any
	leaves := buf[:0]
	if present {
		leaves = appendLeaves(leaves, v)
	}
	for _, m := range ms {
		if e, ok := m.(exists); ok {
			if bool(e) == (len(leaves) > 0) {
				return true
			}
		} else if slices.ContainsFunc(leaves, m.match) {
			return true
		}
	}
	return false
}

func appendLeaves(dst []any, v any) []any {
	switch x := v.(type) {
	case map[string]any:
		return dst
	case []any:
		for _, e := range x {
			dst = appendLeaves(dst, e)
		}
		return dst
	default:
		return append(dst, v)
	}
}
