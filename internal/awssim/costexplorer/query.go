package costexplorer

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/orgnotify/orgnotify/internal/awssim/wire"
)

type dateInterval struct {
	Start string `json:"Start"`
	End   string `json:"End"`
}

type groupDefinition struct {
	Type string `json:"Type,omitempty"`
	Key  string `json:"Key,omitempty"`
}

type getCostAndUsageInput struct {
	TimePeriod     *dateInterval     `json:"TimePeriod"`
	Granularity    string            `json:"Granularity"`
	Metrics        []string          `json:"Metrics"`
	Filter         *expression       `json:"Filter,omitempty"`
	GroupBy        []groupDefinition `json:"GroupBy,omitempty"`
	BillingViewArn *string           `json:"BillingViewArn,omitempty"`
	NextPageToken  *string           `json:"NextPageToken,omitempty"`
}

type metricValue struct {
	Amount string `json:"Amount"`
	Unit   string `json:"Unit"`
}

type group struct {
	Keys    []string               `json:"Keys"`
	Metrics map[string]metricValue `json:"Metrics"`
}

type resultByTime struct {
	TimePeriod dateInterval           `json:"TimePeriod"`
	Total      map[string]metricValue `json:"Total,omitempty"`
	Groups     []group                `json:"Groups"`
	Estimated  bool                   `json:"Estimated"`
}

type dimensionValuesWithAttributes struct {
	Value      string            `json:"Value"`
	Attributes map[string]string `json:"Attributes"`
}

type getCostAndUsageOutput struct {
	GroupDefinitions         []groupDefinition               `json:"GroupDefinitions,omitempty"`
	ResultsByTime            []resultByTime                  `json:"ResultsByTime"`
	DimensionValueAttributes []dimensionValuesWithAttributes `json:"DimensionValueAttributes"`
	NextPageToken            string                          `json:"NextPageToken,omitempty"`
}

// period is one time bucket of a result, in hours since the epoch.
type period struct {
	start, end int32
	label      dateInterval
	estimated  bool
}

// groupRow is one group of one period.
type groupRow struct {
	k      [2]int32 // key ids, see queryResult.keys
	period int32
	vals   [numMetrics]fixed
	unit   int32 // usage unit id, -1 none seen, -2 mixed
}

// queryResult is a computed GetCostAndUsage answer, kept so the pages of one
// query are cut from one computation.
type queryResult struct {
	key     string
	periods []period
	totals  [][numMetrics]fixed // ungrouped only
	units   []int32             // ungrouped only
	groups  [][]groupRow        // grouped only, per period, sorted by keys
	keys    [][]string          // grouped only: key id → key text, per GroupBy
	offsets []int               // first flattened row of each period
	rows    int
}

// query is a validated request.
type query struct {
	metricIx []int
	periods  []period
	from, to int32
	filter   pred
	groupBy  []groupDefinition
	vis      int32
	// accounts restricts the rows to these accounts when onlyAccounts.
	accounts     []int32
	onlyAccounts bool
}

const (
	dayHours    = 24
	dateLayout  = time.DateOnly
	hourLayout  = "2006-01-02T15:04:05Z"
	maxHourSpan = 14 * 24 // HOURLY data covers at most 14 days per request
)

func (s *Store) getCostAndUsage(_ context.Context, r *wire.Request, in getCostAndUsageInput) (any, error) {
	st := s.settings()
	q, err := s.validateCostAndUsage(&in, r.Account, r.Now, st)
	if err != nil {
		return nil, err
	}
	key := requestKey(&in, r.Account, r.Now, st)
	offset := 0
	if in.NextPageToken != nil {
		if offset, err = parseToken(*in.NextPageToken, key); err != nil {
			return nil, err
		}
	}
	res := s.cache.get(key)
	if res == nil {
		res = s.run(q)
		res.key = key
		s.cache.put(res)
	}
	if offset > res.rows {
		return nil, invalidToken()
	}
	return s.page(res, q, offset, st), nil
}

func (s *Store) validateCostAndUsage(in *getCostAndUsageInput, caller string, now time.Time, st settings) (*query, error) {
	q := &query{}
	var err error
	if q.periods, err = periods(in.TimePeriod, in.Granularity, now, st.historyMonths); err != nil {
		return nil, err
	}
	q.from, q.to = q.periods[0].start, q.periods[len(q.periods)-1].end
	if len(in.Metrics) == 0 {
		return nil, wire.Validation("Metrics is required and must not be empty")
	}
	for _, m := range in.Metrics {
		ix, ok := metricIndex(m)
		if !ok {
			return nil, wire.Validation("Metrics: %q is not a valid metric; valid metrics are %s", m, strings.Join(metricNames[:], ", "))
		}
		q.metricIx = append(q.metricIx, ix)
	}
	if in.Filter != nil {
		if q.filter, err = s.compileFilter(in.Filter, "Filter"); err != nil {
			return nil, err
		}
		q.accounts, q.onlyAccounts = s.accountRestriction(in.Filter)
	}
	if len(in.GroupBy) > 2 {
		return nil, wire.Validation("GroupBy can have at most 2 group definitions, got %d", len(in.GroupBy))
	}
	for i, g := range in.GroupBy {
		switch g.Type {
		case "DIMENSION":
			if !validGroupDimension[g.Key] {
				return nil, wire.Validation("GroupBy[%d]: %q is not a valid group-by dimension", i, g.Key)
			}
			if _, ok := dimensionKeys[g.Key]; !ok {
				return nil, wire.Validation("GroupBy[%d]: dimension %s is not modelled by awssim", i, g.Key)
			}
		case "TAG", "COST_CATEGORY":
			if g.Key == "" {
				return nil, wire.Validation("GroupBy[%d]: Key is required", i)
			}
		default:
			return nil, wire.Validation("GroupBy[%d]: Type %q must be DIMENSION, TAG or COST_CATEGORY", i, g.Type)
		}
		if slices.Contains(in.GroupBy[:i], g) {
			return nil, wire.Validation("GroupBy[%d]: duplicate group definition %s %s", i, g.Type, g.Key)
		}
	}
	q.groupBy = in.GroupBy
	q.vis = s.visibleAccount(caller, st)
	return q, nil
}

// validGroupDimension lists the dimensions GetCostAndUsage groups by.
var validGroupDimension = map[string]bool{
	"AZ": true, "INSTANCE_TYPE": true, "LEGAL_ENTITY_NAME": true, "INVOICING_ENTITY": true,
	"LINKED_ACCOUNT": true, "OPERATION": true, "PLATFORM": true, "PURCHASE_TYPE": true,
	"SERVICE": true, "TENANCY": true, "RECORD_TYPE": true, "USAGE_TYPE": true,
	"REGION": true, "LINKED_ACCOUNT_NAME": true,
}

// History limits of GetCostAndUsage, in whole months before the current
// one. Cost Explorer keeps 13 months of history, 38 months of MONTHLY data
// once multi-year data is enabled; DAILY data stays limited to the last 14
// months (the current one and 13 before it) either way.
const (
	historyMonths          = 13
	multiYearHistoryMonths = 38
)

// periods validates a TimePeriod and splits it into result periods: DAILY
// by day, HOURLY by hour, MONTHLY at month boundaries with partial first and
// last months. history is how many months before the current one
// GetCostAndUsage may reach back (historyMonths or multiYearHistoryMonths);
// 0 selects GetCostForecast's rules for the dates.
func periods(tp *dateInterval, granularity string, now time.Time, history int) ([]period, error) {
	if tp == nil {
		return nil, wire.Validation("TimePeriod is required")
	}
	forecast := history == 0
	layout := dateLayout
	switch granularity {
	case "DAILY", "MONTHLY":
	case "HOURLY":
		if forecast {
			return nil, wire.Validation("Granularity HOURLY is not supported for forecasts; use DAILY or MONTHLY")
		}
		layout = hourLayout
	case "":
		return nil, wire.Validation("Granularity is required")
	default:
		return nil, wire.Validation("Granularity %q must be DAILY, MONTHLY or HOURLY", granularity)
	}
	start, err := time.Parse(layout, tp.Start)
	if err != nil {
		return nil, wire.Validation("TimePeriod.Start %q is not a valid date: want %s for %s granularity", tp.Start, layout, granularity)
	}
	end, err := time.Parse(layout, tp.End)
	if err != nil {
		return nil, wire.Validation("TimePeriod.End %q is not a valid date: want %s for %s granularity", tp.End, layout, granularity)
	}
	if layout == hourLayout && (start.Truncate(time.Hour) != start || end.Truncate(time.Hour) != end) {
		return nil, wire.Validation("TimePeriod for HOURLY granularity must fall on whole hours")
	}
	if !start.Before(end) {
		return nil, wire.Validation("Start date (and hour) should be before end date (and hour)")
	}
	today := now.UTC().Truncate(24 * time.Hour)
	monthStart := time.Date(now.UTC().Year(), now.UTC().Month(), 1, 0, 0, 0, 0, time.UTC)
	if forecast {
		if start.Before(today) {
			return nil, wire.Validation("Start date must be equal to or later than the current date (%s)", today.Format(dateLayout))
		}
		if end.After(today.AddDate(0, 18, 0)) {
			return nil, wire.Validation("End date must be within 18 months of the current date")
		}
	} else {
		if start.After(now.UTC()) {
			return nil, wire.Validation("Start date must be equal to or no later than the current date (%s)", today.Format(dateLayout))
		}
		if granularity == "HOURLY" && end.Sub(start) > maxHourSpan*time.Hour {
			return nil, wire.Validation("HOURLY granularity supports a time period of at most 14 days")
		}
		if granularity != "MONTHLY" {
			history = min(history, historyMonths)
		}
		if earliest := monthStart.AddDate(0, -history, 0); start.Before(earliest) {
			return nil, wire.Validation("Start date %s is too old: %s data is available from %s (%d months of history)",
				tp.Start, granularity, earliest.Format(dateLayout), history)
		}
		// AWS answers nothing after today; the simulator refuses ends past
		// next month so that no request spans an unbounded range.
		if latest := monthStart.AddDate(0, 2, 0); end.After(latest) {
			return nil, wire.Validation("End date %s is too far in the future: at most %s", tp.End, latest.Format(dateLayout))
		}
	}
	var ps []period
	for t := start; t.Before(end); {
		var next time.Time
		switch granularity {
		case "HOURLY":
			next = t.Add(time.Hour)
		case "DAILY":
			next = t.AddDate(0, 0, 1)
		default:
			next = time.Date(t.Year(), t.Month()+1, 1, 0, 0, 0, 0, time.UTC)
		}
		if next.After(end) {
			next = end
		}
		ps = append(ps, period{
			start: int32(t.Unix() / 3600), end: int32(next.Unix() / 3600),
			label: dateInterval{Start: t.Format(layout), End: next.Format(layout)},
			// Cost Explorer marks costs of the open billing month as estimated.
			estimated: next.After(monthStart),
		})
		t = next
	}
	return ps, nil
}

// keyMapper turns a row into the id of its value for one GroupBy, and an id
// into the key string Cost Explorer prints.
type keyMapper struct {
	dim  int     // >= 0: a dimension, the id is the interned value
	set  []int32 // tags or cost categories: set id → key id
	tags bool
	keys []string
}

func (m *keyMapper) id(r *row) int32 {
	if m.dim >= 0 {
		return r.dims[m.dim]
	}
	if m.tags {
		return m.set[r.tags]
	}
	return m.set[r.cats]
}

func (s *Store) mapper(g groupDefinition) *keyMapper {
	if g.Type == "DIMENSION" {
		d := dimensionKeys[g.Key]
		return &keyMapper{dim: d, keys: s.dims[d].values}
	}
	sets, tags := s.catSets, false
	if g.Type == "TAG" {
		sets, tags = s.tagSets, true
	}
	// "key$value", and "key$" for costs without the key, as Cost Explorer
	// prints tag and cost category groups.
	m := &keyMapper{dim: -1, tags: tags, set: make([]int32, len(sets))}
	ids := newInterner()
	for i, set := range sets {
		m.set[i] = ids.id(g.Key + "$" + set[g.Key])
	}
	m.keys = ids.values
	return m
}

type groupKey struct {
	period int32
	k      [2]int32
}

// run computes the whole answer of a validated query in one pass over the
// rows of its time range.
func (s *Store) run(q *query) *queryResult {
	res := &queryResult{periods: q.periods}
	// Periods are contiguous, so an hour-indexed table finds a row's period
	// without a search.
	periodOf := make([]int32, q.to-q.from)
	for i, p := range q.periods {
		for h := p.start; h < p.end; h++ {
			periodOf[h-q.from] = int32(i)
		}
	}
	if len(q.groupBy) == 0 {
		res.totals = make([][numMetrics]fixed, len(q.periods))
		res.units = slices.Repeat([]int32{-1}, len(q.periods))
		s.scan(q, func(r *row) {
			p := periodOf[r.hour-q.from]
			s.accumulate(q, &res.totals[p], &res.units[p], r)
		})
		res.rows = len(res.periods) // an ungrouped answer pages by period
		return res
	}

	mappers := make([]*keyMapper, len(q.groupBy))
	res.keys = make([][]string, len(q.groupBy))
	for i, g := range q.groupBy {
		mappers[i] = s.mapper(g)
		res.keys[i] = mappers[i].keys
	}
	// A dense cell per (period, key, key) when that table is small, which is
	// the usual LINKED_ACCOUNT × SERVICE case; a map otherwise.
	n1, n2 := len(mappers[0].keys), 1
	if len(mappers) == 2 {
		n2 = len(mappers[1].keys)
	}
	var dense []int32 // group index + 1, 0 for none
	var index map[groupKey]int
	if cells := len(q.periods) * n1 * n2; cells <= denseCells {
		dense = make([]int32, cells)
	} else {
		index = map[groupKey]int{}
	}
	// There are never more groups than rows, nor than dense cells: sizing
	// once avoids regrowing a slice of hundreds of thousands of groups.
	acc := make([]groupRow, 0, min(s.scanSize(q), max(len(dense), 1<<16)))
	s.scan(q, func(r *row) {
		gk := groupKey{period: periodOf[r.hour-q.from]}
		for j, m := range mappers {
			gk.k[j] = m.id(r)
		}
		var ix int
		if dense != nil {
			cell := (int(gk.period)*n1+int(gk.k[0]))*n2 + int(gk.k[1])
			if dense[cell] == 0 {
				acc = append(acc, groupRow{k: gk.k, period: gk.period, unit: -1})
				dense[cell] = int32(len(acc))
			}
			ix = int(dense[cell]) - 1
		} else {
			var ok bool
			if ix, ok = index[gk]; !ok {
				ix = len(acc)
				index[gk] = ix
				acc = append(acc, groupRow{k: gk.k, period: gk.period, unit: -1})
			}
		}
		s.accumulate(q, &acc[ix].vals, &acc[ix].unit, r)
	})
	// Groups are ordered by period, then by their keys' text. With the dense
	// table, walking the cells in key order emits them sorted without a sort.
	out := make([]groupRow, 0, len(acc))
	orders := make([][]int32, 2)
	for j := range orders {
		orders[j] = []int32{0}
		if j < len(mappers) {
			orders[j] = sortedIDs(mappers[j].keys)
		}
	}
	if dense != nil {
		for p := range q.periods {
			for _, k1 := range orders[0] {
				base := (p*n1 + int(k1)) * n2
				for _, k2 := range orders[1] {
					if ix := dense[base+int(k2)]; ix != 0 {
						out = append(out, acc[ix-1])
					}
				}
			}
		}
	} else {
		ranks := make([][]int32, len(orders))
		for j, order := range orders {
			ranks[j] = make([]int32, len(order))
			for pos, id := range order {
				ranks[j][id] = int32(pos)
			}
		}
		out = append(out, acc...)
		slices.SortFunc(out, func(a, b groupRow) int {
			return cmp.Or(cmp.Compare(a.period, b.period),
				cmp.Compare(ranks[0][a.k[0]], ranks[0][b.k[0]]),
				cmp.Compare(ranks[1][a.k[1]], ranks[1][b.k[1]]))
		})
	}
	// Each period's groups are one run of out.
	res.groups, res.offsets = make([][]groupRow, len(q.periods)), make([]int, len(q.periods))
	i := 0
	for p := range q.periods {
		res.offsets[p] = i
		for i < len(out) && int(out[i].period) == p {
			i++
		}
		res.groups[p] = out[res.offsets[p]:i:i]
	}
	res.rows = len(out)
	return res
}

// accumulate adds r's values of the query's metrics to vals and folds its
// usage unit into unit: -1 while none is seen, -2 once they differ.
func (s *Store) accumulate(q *query, vals *[numMetrics]fixed, unit *int32, r *row) {
	for _, m := range q.metricIx {
		vals[m] += r.value(m, s.overrides)
	}
	switch {
	case *unit == -1:
		*unit = r.usageUnit
	case *unit != r.usageUnit:
		*unit = -2
	}
}

// span is the [lo, hi) range of rows in the query's time range, empty when
// the caller has no costs.
func (s *Store) span(q *query) (lo, hi int) {
	if q.vis == -2 {
		return 0, 0
	}
	lo = sort.Search(len(s.rows), func(i int) bool { return s.rows[i].hour >= q.from })
	hi = sort.Search(len(s.rows), func(i int) bool { return s.rows[i].hour >= q.to })
	return lo, hi
}

// scan calls fn for every row of the query's span the caller sees and the
// filter keeps. When the filter names a few linked accounts (the one-query-
// per-account pattern), only those accounts' rows are visited.
func (s *Store) scan(q *query, fn func(r *row)) {
	keep := func(r *row) bool {
		return (q.vis < 0 || r.dims[dAccount] == q.vis) && (q.filter == nil || q.filter.match(r))
	}
	lo, hi := s.span(q)
	if q.onlyAccounts && s.scanSize(q) < hi-lo {
		for _, id := range q.accounts {
			ix := s.byAccount[id]
			from := sort.Search(len(ix), func(i int) bool { return s.rows[ix[i]].hour >= q.from })
			for _, i := range ix[from:] {
				r := &s.rows[i]
				if r.hour >= q.to {
					break
				}
				if keep(r) {
					fn(r)
				}
			}
		}
		return
	}
	for i := lo; i < hi; i++ {
		if r := &s.rows[i]; keep(r) {
			fn(r)
		}
	}
}

// scanSize bounds the rows scan visits.
func (s *Store) scanSize(q *query) int {
	lo, hi := s.span(q)
	if !q.onlyAccounts {
		return hi - lo
	}
	n := 0
	for _, id := range q.accounts {
		n += len(s.byAccount[id])
	}
	return min(n, hi-lo)
}

// accountRestriction finds a LINKED_ACCOUNT filter that every matching
// row must pass (the filter itself, or an operand of a top-level And).
func (s *Store) accountRestriction(e *expression) ([]int32, bool) {
	if e == nil {
		return nil, false
	}
	cands := []*expression{e}
	if len(e.And) > 0 {
		cands = e.And
	}
	for _, c := range cands {
		if c == nil {
			continue
		}
		kv := c.Dimensions
		if kv == nil || kv.Key != "LINKED_ACCOUNT" || len(c.And)+len(c.Or) > 0 || c.Not != nil {
			continue
		}
		if slices.Contains(kv.MatchOptions, "CASE_INSENSITIVE") {
			return nil, false
		}
		var ids []int32
		for _, v := range kv.Values {
			if id, ok := s.dims[dAccount].ids[v]; ok {
				ids = append(ids, id)
			}
		}
		slices.Sort(ids)
		return slices.Compact(ids), true
	}
	return nil, false
}

// denseCells bounds the dense group table (4 bytes a cell).
const denseCells = 1 << 22

// sortedIDs lists the ids of keys in the keys' sorted order.
func sortedIDs(keys []string) []int32 {
	order := make([]int32, len(keys))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int { return strings.Compare(keys[a], keys[b]) })
	return order
}

// page renders the rows [offset, offset+pageSize) of a result. A period whose
// groups straddle a page boundary appears on both pages with its own groups;
// a period without groups appears once, on the page where its position falls.
func (s *Store) page(res *queryResult, q *query, offset int, st settings) *getCostAndUsageOutput {
	out := &getCostAndUsageOutput{GroupDefinitions: q.groupBy, DimensionValueAttributes: []dimensionValuesWithAttributes{}}
	metrics := func(vals *[numMetrics]fixed, unit int32) map[string]metricValue {
		mv := make(map[string]metricValue, len(q.metricIx))
		for _, m := range q.metricIx {
			mv[metricNames[m]] = metricValue{Amount: vals[m].String(), Unit: s.unitOf(m, unit)}
		}
		return mv
	}
	end := min(offset+st.pageSize, res.rows)
	if end < res.rows {
		out.NextPageToken = makeToken(end, res.key)
	}
	if res.groups == nil {
		for p := offset; p < end; p++ {
			per := res.periods[p]
			out.ResultsByTime = append(out.ResultsByTime, resultByTime{
				TimePeriod: per.label, Total: metrics(&res.totals[p], res.units[p]),
				Groups: []group{}, Estimated: per.estimated,
			})
		}
		return out
	}
	accountKey := slices.Index(q.groupBy, groupDefinition{Type: "DIMENSION", Key: "LINKED_ACCOUNT"})
	seen := map[string]bool{}
	for p, per := range res.periods {
		gs := res.groups[p]
		pos := res.offsets[p]
		if len(gs) == 0 {
			if (offset <= pos && pos < end) || (pos == res.rows && end == res.rows) {
				out.ResultsByTime = append(out.ResultsByTime, resultByTime{TimePeriod: per.label, Groups: []group{}, Estimated: per.estimated})
			}
			continue
		}
		a, b := max(offset, pos), min(end, pos+len(gs))
		if a >= b {
			continue
		}
		rb := resultByTime{TimePeriod: per.label, Groups: make([]group, 0, b-a), Estimated: per.estimated}
		for _, g := range gs[a-pos : b-pos] {
			keys := make([]string, len(res.keys))
			for j := range keys {
				keys[j] = res.keys[j][g.k[j]]
			}
			rb.Groups = append(rb.Groups, group{Keys: keys, Metrics: metrics(&g.vals, g.unit)})
			if accountKey >= 0 && !seen[keys[accountKey]] {
				seen[keys[accountKey]] = true
				if name := s.accountName(keys[accountKey], st); name != "" {
					out.DimensionValueAttributes = append(out.DimensionValueAttributes, dimensionValuesWithAttributes{
						Value: keys[accountKey], Attributes: map[string]string{"description": name},
					})
				}
			}
		}
		out.ResultsByTime = append(out.ResultsByTime, rb)
	}
	return out
}

// unitOf is the unit printed for a metric: the currency for cost metrics,
// the usage unit for usage metrics ("N/A" when unknown or mixed).
func (s *Store) unitOf(m int, unit int32) string {
	if !isUsageMetric(m) {
		return s.unit
	}
	if unit < 0 || s.usageUnits[unit] == "" || m == mNormalizedUsage {
		return "N/A"
	}
	return s.usageUnits[unit]
}

func (s *Store) accountName(account string, st settings) string {
	if id, ok := s.dims[dAccount].ids[account]; ok {
		if name, ok := s.namesByID[id]; ok {
			return name
		}
	}
	return st.names[account]
}

// requestKey identifies a query for the page cache and the page tokens: the
// request without its token, the caller's view and the store's settings.
func requestKey(in *getCostAndUsageInput, caller string, now time.Time, st settings) string {
	cp := *in
	cp.NextPageToken = nil
	b, _ := json.Marshal(&cp)
	h := sha256.New()
	h.Write(b)
	vis := "*"
	if st.payer != "" && caller != st.payer {
		vis = caller
	}
	h.Write([]byte("|" + vis + "|" + strconv.FormatUint(st.gen, 10) + "|" + now.UTC().Format("2006-01")))
	return hex.EncodeToString(h.Sum(nil)[:12])
}

func makeToken(offset int, key string) string {
	return base64.RawURLEncoding.EncodeToString([]byte("v1:" + strconv.Itoa(offset) + ":" + key))
}

func invalidToken() error {
	return wire.Errorf("InvalidNextTokenException", http.StatusBadRequest, "The pagination token is invalid.")
}

// parseToken reads a page token; a token from another query is refused the
// way Cost Explorer refuses it, with RequestChangedException.
func parseToken(tok, key string) (int, error) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	f := strings.Split(string(b), ":")
	if err != nil || len(f) != 3 || f[0] != "v1" {
		return 0, invalidToken()
	}
	off, err := strconv.Atoi(f[1])
	if err != nil || off < 0 {
		return 0, invalidToken()
	}
	if f[2] != key {
		return 0, wire.Errorf("RequestChangedException", http.StatusBadRequest,
			"Your request parameters changed between pages. Try again with the old parameters or without a pagination token.")
	}
	return off, nil
}

// resultCache keeps the last computed answers so that paging through a
// large grouped query computes it once, not once per page. It is bounded by
// the answers' size in memory: an answer larger than the whole budget is not
// kept (its pages are then computed again each, which costs time, not memory).
type resultCache struct {
	mu      sync.Mutex
	entries []*queryResult
	bytes   int64
	max     int64 // 0: DefaultCacheBytes
}

// DefaultCacheBytes bounds the result cache.
const DefaultCacheBytes = 64 << 20

func (c *resultCache) get(key string) *queryResult {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, e := range c.entries {
		if e.key == key {
			return e
		}
	}
	return nil
}

func (c *resultCache) put(r *queryResult) {
	c.mu.Lock()
	defer c.mu.Unlock()
	limit := c.max
	if limit <= 0 {
		limit = DefaultCacheBytes
	}
	size := r.size()
	if size > limit {
		return
	}
	for len(c.entries) > 0 && c.bytes+size > limit {
		c.bytes -= c.entries[0].size()
		c.entries[0] = nil
		c.entries = c.entries[1:]
	}
	c.entries = append(c.entries, r)
	c.bytes += size
}

func (c *resultCache) setMax(n int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.max = n
	c.entries, c.bytes = nil, 0
}

// usage returns the entries and bytes held.
func (c *resultCache) usage() (int, int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries), c.bytes
}

// size estimates the memory an answer holds.
func (r *queryResult) size() int64 {
	n := int64(unsafe.Sizeof(*r)) + int64(len(r.key))
	n += int64(len(r.periods)) * int64(unsafe.Sizeof(period{})+20)
	n += int64(len(r.totals))*int64(unsafe.Sizeof([numMetrics]fixed{})) + int64(len(r.units))*4
	n += int64(r.rows) * int64(unsafe.Sizeof(groupRow{}))
	n += int64(len(r.groups))*24 + int64(len(r.offsets))*8
	for _, ks := range r.keys {
		n += int64(len(ks)) * 16
		for _, k := range ks {
			n += int64(len(k))
		}
	}
	return n
}
