package costexplorer

import (
	"slices"
	"strconv"
	"strings"

	"github.com/orgnotify/orgnotify/internal/awssim/wire"
)

// expression is Cost Explorer's Expression as the SDK sends it.
type expression struct {
	And            []*expression `json:"And,omitempty"`
	Or             []*expression `json:"Or,omitempty"`
	Not            *expression   `json:"Not,omitempty"`
	Dimensions     *keyValues    `json:"Dimensions,omitempty"`
	Tags           *keyValues    `json:"Tags,omitempty"`
	CostCategories *keyValues    `json:"CostCategories,omitempty"`
}

// keyValues is DimensionValues, TagValues and CostCategoryValues: the three
// share Key, Values and MatchOptions.
type keyValues struct {
	Key          string   `json:"Key,omitempty"`
	Values       []string `json:"Values,omitempty"`
	MatchOptions []string `json:"MatchOptions,omitempty"`
}

// pred is a compiled filter.
type pred interface{ match(r *row) bool }

type andPred []pred

func (p andPred) match(r *row) bool {
	return !slices.ContainsFunc(p, func(q pred) bool { return !q.match(r) })
}

type orPred []pred

func (p orPred) match(r *row) bool {
	return slices.ContainsFunc(p, func(q pred) bool { return q.match(r) })
}

type notPred struct{ p pred }

func (p notPred) match(r *row) bool { return !p.p.match(r) }

// dimPred matches a row by its interned dimension value: the values are
// compared once per distinct value when the filter is compiled, not per row.
type dimPred struct {
	dim int
	ok  []bool
}

func (p dimPred) match(r *row) bool { return p.ok[r.dims[p.dim]] }

type tagPred struct{ ok []bool }

func (p tagPred) match(r *row) bool { return p.ok[r.tags] }

type catPred struct{ ok []bool }

func (p catPred) match(r *row) bool { return p.ok[r.cats] }

// compileFilter validates an Expression as Cost Explorer does and turns it
// into a predicate. path names the expression in error messages.
func (s *Store) compileFilter(e *expression, path string) (pred, error) {
	set := 0
	for _, present := range []bool{e.And != nil, e.Or != nil, e.Not != nil, e.Dimensions != nil, e.Tags != nil, e.CostCategories != nil} {
		if present {
			set++
		}
	}
	if set != 1 {
		return nil, wire.Validation("Expression %s must have exactly one of And, Or, Not, Dimensions, Tags, CostCategories; it has %d", path, set)
	}
	switch {
	case e.And != nil || e.Or != nil:
		op, list := "And", e.And
		if e.Or != nil {
			op, list = "Or", e.Or
		}
		if len(list) < 2 {
			return nil, wire.Validation("Expression %s.%s must have at least 2 expressions", path, op)
		}
		ps := make([]pred, 0, len(list))
		for i, sub := range list {
			if sub == nil {
				return nil, wire.Validation("Expression %s.%s[%d] is null", path, op, i)
			}
			p, err := s.compileFilter(sub, path+"."+op+"["+strconv.Itoa(i)+"]")
			if err != nil {
				return nil, err
			}
			ps = append(ps, p)
		}
		if op == "And" {
			return andPred(ps), nil
		}
		return orPred(ps), nil
	case e.Not != nil:
		p, err := s.compileFilter(e.Not, path+".Not")
		if err != nil {
			return nil, err
		}
		return notPred{p}, nil
	case e.Dimensions != nil:
		return s.compileDimension(e.Dimensions, path+".Dimensions")
	case e.Tags != nil:
		ok, err := compileSet(e.Tags, s.tagSets, path+".Tags")
		return tagPred{ok}, err
	default:
		ok, err := compileSet(e.CostCategories, s.catSets, path+".CostCategories")
		return catPred{ok}, err
	}
}

// matchMode is what MatchOptions asked for.
type matchMode struct {
	absent, equals, caseInsensitive bool
}

func parseMatchOptions(opts []string, allowAbsent bool, path string) (matchMode, error) {
	var m matchMode
	for _, o := range opts {
		switch o {
		case "EQUALS":
			m.equals = true
		case "CASE_SENSITIVE":
		case "CASE_INSENSITIVE":
			m.caseInsensitive = true
		case "ABSENT":
			if !allowAbsent {
				return m, wire.Validation("%s.MatchOptions: ABSENT is not supported for Dimensions", path)
			}
			m.absent = true
		default:
			// STARTS_WITH, ENDS_WITH, CONTAINS and GREATER_THAN_OR_EQUAL exist in
			// the API but GetCostAndUsage rejects them.
			return m, wire.Validation("%s.MatchOptions: %s is not supported by GetCostAndUsage", path, o)
		}
	}
	if !m.absent {
		m.equals = true
	}
	return m, nil
}

func (m matchMode) in(v string, values []string) bool {
	return slices.ContainsFunc(values, func(w string) bool { return v == w || (m.caseInsensitive && strings.EqualFold(v, w)) })
}

func (s *Store) compileDimension(kv *keyValues, path string) (pred, error) {
	if kv.Key == "" {
		return nil, wire.Validation("%s.Key is required", path)
	}
	if !validDimension[kv.Key] {
		return nil, wire.Validation("%s.Key %q is not a valid dimension", path, kv.Key)
	}
	d, ok := dimensionKeys[kv.Key]
	if !ok {
		return nil, wire.Validation("%s.Key: dimension %s is not modelled by awssim (modelled: LINKED_ACCOUNT, LINKED_ACCOUNT_NAME, SERVICE, REGION, USAGE_TYPE, OPERATION, RECORD_TYPE)", path, kv.Key)
	}
	if len(kv.Values) == 0 {
		return nil, wire.Validation("%s.Values must not be empty", path)
	}
	mode, err := parseMatchOptions(kv.MatchOptions, false, path)
	if err != nil {
		return nil, err
	}
	values := s.dims[d].values
	p := dimPred{dim: d, ok: make([]bool, len(values))}
	if !mode.caseInsensitive && len(kv.Values) > 8 {
		// A long list (an organization's accounts) is looked up by
		// interned id instead of compared with every known value.
		for _, w := range kv.Values {
			if id, ok := s.dims[d].ids[w]; ok {
				p.ok[id] = true
			}
		}
		return p, nil
	}
	for i, v := range values {
		p.ok[i] = mode.in(v, kv.Values)
	}
	return p, nil
}

// compileSet compiles a Tags or CostCategories filter over the interned
// key/value sets. A cost without the key has the empty value, so Values
// [""] matches untagged costs, as in Cost Explorer.
func compileSet(kv *keyValues, sets []map[string]string, path string) ([]bool, error) {
	if kv.Key == "" {
		return nil, wire.Validation("%s.Key is required", path)
	}
	mode, err := parseMatchOptions(kv.MatchOptions, true, path)
	if err != nil {
		return nil, err
	}
	if !mode.absent && len(kv.Values) == 0 {
		return nil, wire.Validation("%s.Values must not be empty unless MatchOptions is ABSENT", path)
	}
	ok := make([]bool, len(sets))
	for i, set := range sets {
		v, has := set[kv.Key]
		if mode.caseInsensitive && !has {
			for k, w := range set {
				if strings.EqualFold(k, kv.Key) {
					v, has = w, true
					break
				}
			}
		}
		ok[i] = (mode.absent && (!has || v == "")) || (mode.equals && mode.in(v, kv.Values))
	}
	return ok, nil
}

// validDimension is Cost Explorer's Dimension enumeration: a key outside it is
// a ValidationException even if nobody would model it.
var validDimension = func() map[string]bool {
	m := map[string]bool{}
	for _, k := range strings.Fields(`AZ INSTANCE_TYPE LINKED_ACCOUNT PAYER_ACCOUNT LINKED_ACCOUNT_NAME OPERATION
		PURCHASE_TYPE REGION SERVICE SERVICE_CODE USAGE_TYPE USAGE_TYPE_GROUP RECORD_TYPE OPERATING_SYSTEM
		TENANCY SCOPE PLATFORM SUBSCRIPTION_ID LEGAL_ENTITY_NAME DEPLOYMENT_OPTION DATABASE_ENGINE
		CACHE_ENGINE INSTANCE_TYPE_FAMILY BILLING_ENTITY RESERVATION_ID RESOURCE_ID RIGHTSIZING_TYPE
		SAVINGS_PLANS_TYPE SAVINGS_PLAN_ARN PAYMENT_OPTION AGREEMENT_END_DATE_TIME_AFTER
		AGREEMENT_END_DATE_TIME_BEFORE INVOICING_ENTITY ANOMALY_TOTAL_IMPACT_ABSOLUTE
		ANOMALY_TOTAL_IMPACT_PERCENTAGE`) {
		m[k] = true
	}
	return m
}()
