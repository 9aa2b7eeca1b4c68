package sns

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/orgnotify/orgnotify/internal/awssim/eventpattern"
)

// A filter policy decides which messages a subscription receives. It maps
// attribute names (scope MessageAttributes) or JSON paths through the body
// (scope MessageBody, nested objects) to a list of conditions; every key
// must match (AND), any condition of a key may match (OR). "$or" holds
// alternative sub-policies. The conditions are those of the SNS developer
// guide: exact strings and numbers, prefix, suffix, equals-ignore-case,
// anything-but (values, prefix or suffix), numeric ranges, exists and cidr.

// Documented limits of a filter policy.
const (
	maxFilterKeys         = 5
	maxFilterCombinations = 150
	maxFilterNumber       = 1e9
)

// filterPolicy is a parsed policy: a tree of keys and condition lists.
type filterPolicy struct {
	// keys maps a name to its conditions (leaf) or a nested policy.
	keys map[string]filterNode
	// or holds the alternatives of a "$or" key.
	or []*filterPolicy
	// body is set on the top level of a MessageBody-scope policy.
	body bool
}

type filterNode struct {
	conds  []condition
	nested *filterPolicy
}

type condKind int

const (
	condExact condKind = iota
	condNumberExact
	condNull
	condPrefix
	condSuffix
	condIgnoreCase
	condAnythingBut
	condNumeric
	condExists
	condCIDR
)

type condition struct {
	kind condKind
	str  string
	num  float64
	// anything-but: the excluded values, or one prefix / suffix condition.
	not []condition
	// numeric: lower and upper bounds with inclusiveness.
	lo, hi         float64
	loIncl, hiIncl bool
	exists         bool
	prefix         netip.Prefix
}

// parseFilterPolicy validates a filter policy for a scope
// ("MessageAttributes", the default when empty, or "MessageBody"); only
// the body scope allows nested keys.
func parseFilterPolicy(doc, scope string) (*filterPolicy, error) {
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.UseNumber()
	var top map[string]any
	if err := dec.Decode(&top); err != nil {
		return nil, fmt.Errorf("failed to parse JSON: %v", err)
	}
	if dec.More() {
		return nil, fmt.Errorf("trailing data after the policy")
	}
	p, err := parsePolicyObject(top, scope == "MessageBody")
	if err != nil {
		return nil, err
	}
	p.body = scope == "MessageBody"
	if n := p.leafKeys(); n > maxFilterKeys {
		return nil, fmt.Errorf("filter policy can not have more than %d keys", maxFilterKeys)
	}
	if c := p.combinations(); c > maxFilterCombinations {
		return nil, fmt.Errorf("filter policy is too complex: %d combinations, the limit is %d", c, maxFilterCombinations)
	}
	return p, nil
}

func parsePolicyObject(m map[string]any, nestable bool) (*filterPolicy, error) {
	if len(m) == 0 {
		return nil, fmt.Errorf("filter policy must not be empty")
	}
	p := &filterPolicy{keys: map[string]filterNode{}}
	for k, v := range m {
		if k == "$or" {
			alts, ok := v.([]any)
			if !ok || len(alts) < 2 {
				return nil, fmt.Errorf("$or must be an array of at least two objects")
			}
			for _, a := range alts {
				am, ok := a.(map[string]any)
				if !ok {
					return nil, fmt.Errorf("$or must be an array of objects")
				}
				sub, err := parsePolicyObject(am, nestable)
				if err != nil {
					return nil, err
				}
				p.or = append(p.or, sub)
			}
			continue
		}
		switch v := v.(type) {
		case []any:
			if len(v) == 0 {
				return nil, fmt.Errorf("empty arrays are not allowed (key %s)", k)
			}
			conds := make([]condition, 0, len(v))
			for _, c := range v {
				cond, err := parseCondition(k, c)
				if err != nil {
					return nil, err
				}
				conds = append(conds, cond)
			}
			p.keys[k] = filterNode{conds: conds}
		case map[string]any:
			if !nestable {
				return nil, fmt.Errorf("filter policy scope MessageAttributes does not support nested filter policy (key %s)", k)
			}
			sub, err := parsePolicyObject(v, nestable)
			if err != nil {
				return nil, err
			}
			p.keys[k] = filterNode{nested: sub}
		default:
			return nil, fmt.Errorf("match value of key %s must be an array", k)
		}
	}
	return p, nil
}

func parseCondition(key string, v any) (condition, error) {
	switch v := v.(type) {
	case string:
		return condition{kind: condExact, str: v}, nil
	case json.Number:
		f, _ := eventpattern.Number(v)
		if math.Abs(f) > maxFilterNumber {
			return condition{}, fmt.Errorf("numbers must be within -1e9 and 1e9 (key %s)", key)
		}
		return condition{kind: condNumberExact, num: f}, nil
	case nil:
		return condition{kind: condNull}, nil
	case bool:
		return condition{}, fmt.Errorf("match value must be a string, number, null or object, not a boolean (key %s)", key)
	case map[string]any:
		if len(v) != 1 {
			return condition{}, fmt.Errorf("match object of key %s must have exactly one operator", key)
		}
		for op, arg := range v {
			return parseOperator(key, op, arg)
		}
	}
	return condition{}, fmt.Errorf("invalid match value for key %s", key)
}

// stringConds are the operators that take one non-empty string.
var stringConds = map[string]condKind{"prefix": condPrefix, "suffix": condSuffix, "equals-ignore-case": condIgnoreCase}

func parseOperator(key, op string, arg any) (condition, error) {
	str := func() (string, error) {
		s, ok := arg.(string)
		if !ok || s == "" {
			return "", fmt.Errorf("%s match pattern must be a non-empty string (key %s)", op, key)
		}
		return s, nil
	}
	if kind, ok := stringConds[op]; ok {
		s, err := str()
		return condition{kind: kind, str: s}, err
	}
	switch op {
	case "exists":
		b, ok := arg.(bool)
		if !ok {
			return condition{}, fmt.Errorf("exists match pattern must be either true or false (key %s)", key)
		}
		return condition{kind: condExists, exists: b}, nil
	case "cidr":
		s, err := str()
		if err != nil {
			return condition{}, err
		}
		pfx, perr := netip.ParsePrefix(s)
		if perr != nil {
			return condition{}, fmt.Errorf("malformed CIDR %q (key %s)", s, key)
		}
		return condition{kind: condCIDR, prefix: pfx.Masked()}, nil
	case "anything-but":
		return parseAnythingBut(key, arg)
	case "numeric":
		return parseNumeric(key, arg)
	}
	return condition{}, fmt.Errorf("unrecognized match type %s (key %s)", op, key)
}

func parseAnythingBut(key string, arg any) (condition, error) {
	c := condition{kind: condAnythingBut}
	switch a := arg.(type) {
	case string, json.Number:
		inner, err := parseCondition(key, a)
		if err != nil {
			return c, err
		}
		c.not = []condition{inner}
	case []any:
		if len(a) == 0 {
			return c, fmt.Errorf("anything-but list must not be empty (key %s)", key)
		}
		for _, x := range a {
			switch x.(type) {
			case string, json.Number:
			default:
				return c, fmt.Errorf("anything-but list must hold strings or numbers (key %s)", key)
			}
			inner, err := parseCondition(key, x)
			if err != nil {
				return c, err
			}
			c.not = append(c.not, inner)
		}
	case map[string]any:
		if len(a) != 1 {
			return c, fmt.Errorf("anything-but object must have one operator (key %s)", key)
		}
		for op, v := range a {
			if op != "prefix" && op != "suffix" {
				return c, fmt.Errorf("unsupported anything-but pattern: %s (key %s)", op, key)
			}
			inner, err := parseOperator(key, op, v)
			if err != nil {
				return c, err
			}
			c.not = []condition{inner}
		}
	default:
		return c, fmt.Errorf("anything-but must be a string, number, list or prefix/suffix object (key %s)", key)
	}
	return c, nil
}

// parseNumeric reads ["=", 5] or up to two comparisons such as
// [">", 0, "<=", 150], a lower bound before an upper bound.
func parseNumeric(key string, arg any) (condition, error) {
	a, ok := arg.([]any)
	bad := fmt.Errorf("value of numeric must be an array of operator/number pairs (key %s)", key)
	if !ok || len(a) == 0 || len(a)%2 != 0 || len(a) > 4 {
		return condition{}, bad
	}
	c := condition{kind: condNumeric, lo: math.Inf(-1), hi: math.Inf(1), loIncl: true, hiIncl: true}
	sawLower, sawUpper := false, false
	for i := 0; i < len(a); i += 2 {
		op, ok1 := a[i].(string)
		n, ok2 := eventpattern.Number(a[i+1])
		if !ok1 || !ok2 {
			return condition{}, bad
		}
		if math.Abs(n) > maxFilterNumber {
			return condition{}, fmt.Errorf("numbers must be within -1e9 and 1e9 (key %s)", key)
		}
		switch op {
		case "=":
			if len(a) != 2 {
				return condition{}, fmt.Errorf("numeric = must be alone (key %s)", key)
			}
			c.lo, c.hi = n, n
			return c, nil
		case ">", ">=":
			if sawLower || sawUpper {
				return condition{}, fmt.Errorf("bad numeric range: a lower bound must come first and once (key %s)", key)
			}
			sawLower = true
			c.lo, c.loIncl = n, op == ">="
		case "<", "<=":
			if sawUpper {
				return condition{}, fmt.Errorf("bad numeric range: too many upper bounds (key %s)", key)
			}
			sawUpper = true
			c.hi, c.hiIncl = n, op == "<="
		default:
			return condition{}, fmt.Errorf("unrecognized numeric range operator: %s (key %s)", op, key)
		}
	}
	if c.lo > c.hi {
		return condition{}, fmt.Errorf("bad numeric range: bottom must be less than top (key %s)", key)
	}
	return c, nil
}

// leafKeys counts the keys holding conditions, across $or branches.
func (p *filterPolicy) leafKeys() int {
	n := 0
	for _, node := range p.keys {
		if node.nested != nil {
			n += node.nested.leafKeys()
		} else {
			n++
		}
	}
	for _, alt := range p.or {
		n += alt.leafKeys()
	}
	return n
}

// combinations is the product of the condition counts, summed over $or
// alternatives, as SNS counts policy complexity.
func (p *filterPolicy) combinations() int {
	c := 1
	for _, node := range p.keys {
		if node.nested != nil {
			c *= node.nested.combinations()
		} else {
			c *= len(node.conds)
		}
	}
	if len(p.or) > 0 {
		sum := 0
		for _, alt := range p.or {
			sum += alt.combinations()
		}
		c *= sum
	}
	return c
}

// value is one value a condition sees: a string or a number (or null).
type value struct {
	str    string
	num    float64
	isNum  bool
	isNull bool
}

// field is what a key resolves to in a message: whether it is present and
// its values (several for arrays and String.Array attributes).
type field struct {
	present bool
	values  []value
}

// accepts applies the policy, in its scope, to a message.
func (p *filterPolicy) accepts(body string, attrs map[string]messageAttribute) bool {
	if p.body {
		return p.matchBody(body)
	}
	return p.matchAttributes(attrs)
}

// matchAttributes applies a MessageAttributes-scope policy.
func (p *filterPolicy) matchAttributes(attrs map[string]messageAttribute) bool {
	return p.match(func(path []string) field {
		a, ok := attrs[path[0]]
		if !ok {
			return field{}
		}
		return attributeField(a)
	}, nil)
}

func attributeField(a messageAttribute) field {
	f := field{present: true}
	switch {
	case a.DataType == "String.Array":
		var items []any
		dec := json.NewDecoder(strings.NewReader(a.StringValue))
		dec.UseNumber()
		if dec.Decode(&items) == nil {
			for _, it := range items {
				f.values = append(f.values, jsonValue(it)...)
			}
		}
	case strings.HasPrefix(a.DataType, "Number"):
		n, err := strconv.ParseFloat(a.StringValue, 64)
		if err == nil {
			f.values = []value{{num: n, isNum: true, str: a.StringValue}}
		}
	case strings.HasPrefix(a.DataType, "String"):
		f.values = []value{{str: a.StringValue}}
	}
	// Binary attributes are present but match no value condition.
	return f
}

func jsonValue(v any) []value {
	switch v := v.(type) {
	case string:
		return []value{{str: v}}
	case json.Number:
		f, err := v.Float64()
		if err != nil {
			return nil
		}
		return []value{{num: f, isNum: true, str: v.String()}}
	case nil:
		return []value{{isNull: true}}
	case []any:
		var out []value
		for _, x := range v {
			out = append(out, jsonValue(x)...)
		}
		return out
	}
	return nil // booleans and objects match no condition
}

// matchBody applies a MessageBody-scope policy to a message; a body that
// is not a JSON object matches nothing.
func (p *filterPolicy) matchBody(body string) bool {
	dec := json.NewDecoder(bytes.NewReader([]byte(body)))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return false
	}
	return p.match(func(path []string) field {
		var cur any = doc
		for _, k := range path {
			m, ok := cur.(map[string]any)
			if !ok {
				return field{}
			}
			if cur, ok = m[k]; !ok {
				return field{}
			}
		}
		if _, isObj := cur.(map[string]any); isObj {
			return field{present: true}
		}
		return field{present: true, values: jsonValue(cur)}
	}, nil)
}

// match evaluates p with lookup resolving a key path.
func (p *filterPolicy) match(lookup func(path []string) field, prefix []string) bool {
	for k, node := range p.keys {
		path := append(append([]string(nil), prefix...), k)
		if node.nested != nil {
			if !node.nested.match(lookup, path) {
				return false
			}
			continue
		}
		f := lookup(path)
		if !slices.ContainsFunc(node.conds, func(c condition) bool { return c.matchField(f) }) {
			return false
		}
	}
	return len(p.or) == 0 || slices.ContainsFunc(p.or, func(alt *filterPolicy) bool { return alt.match(lookup, prefix) })
}

func (c condition) matchField(f field) bool {
	if c.kind == condExists {
		return f.present == c.exists
	}
	if !f.present {
		return false
	}
	if c.kind == condAnythingBut {
		// Every value must differ from every excluded one.
		excluded := func(v value) bool {
			return slices.ContainsFunc(c.not, func(n condition) bool { return n.matchValue(v) })
		}
		return len(f.values) > 0 && !slices.ContainsFunc(f.values, excluded)
	}
	return slices.ContainsFunc(f.values, c.matchValue)
}

func (c condition) matchValue(v value) bool {
	switch c.kind {
	case condExact:
		return !v.isNum && !v.isNull && v.str == c.str
	case condNumberExact:
		return v.isNum && v.num == c.num
	case condNull:
		return v.isNull
	case condPrefix:
		return !v.isNum && !v.isNull && strings.HasPrefix(v.str, c.str)
	case condSuffix:
		return !v.isNum && !v.isNull && strings.HasSuffix(v.str, c.str)
	case condIgnoreCase:
		return !v.isNum && !v.isNull && strings.EqualFold(v.str, c.str)
	case condNumeric:
		if !v.isNum {
			return false
		}
		lowOK := v.num > c.lo || (c.loIncl && v.num == c.lo)
		highOK := v.num < c.hi || (c.hiIncl && v.num == c.hi)
		return lowOK && highOK
	case condCIDR:
		if v.isNum || v.isNull {
			return false
		}
		ip, err := netip.ParseAddr(v.str)
		return err == nil && c.prefix.Contains(ip)
	}
	return false
}
