// Package costexplorer simulates the Cost Explorer API (GetCostAndUsage and
// GetCostForecast) over a seeded cost dataset, so orgnotify's cost digests
// can be tested through the real aws-sdk-go-v2 client.
//
// The dataset is a list of Record values, one amount per account, service and
// day (or hour). Queries filter, group, split by time period and page it the
// way Cost Explorer does. One amount feeds every cost metric (UnblendedCost,
// BlendedCost, AmortizedCost, NetUnblendedCost, NetAmortizedCost) unless a
// record overrides a metric; UsageQuantity and NormalizedUsageAmount come
// from the record's usage quantity.
//
// Visibility follows AWS: the payer (the organization's management account,
// set with SetPayer) sees every account; any other caller sees only its own
// records.
package costexplorer

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"math"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/orgnotify/orgnotify/internal/awssim/awsarn"
	"github.com/orgnotify/orgnotify/internal/awssim/wire"
)

// Record is one seeded cost line: what one account spent on one service on
// one day. Field names are camelCase in YAML and JSON seeds.
type Record struct {
	// Account is the 12-digit linked account, written as a quoted string.
	Account string `json:"account" yaml:"account"`
	// AccountName feeds the LINKED_ACCOUNT_NAME dimension and the account
	// names in DimensionValueAttributes (SetAccountNames also provides them).
	AccountName string `json:"accountName,omitempty" yaml:"accountName,omitempty"`
	// Service is the SERVICE dimension value as Cost Explorer names it,
	// "Amazon Elastic Compute Cloud - Compute".
	Service string `json:"service" yaml:"service"`
	// Date is the day the cost was incurred: "2026-11-01", an hour
	// "2026-11-01T13:00:00Z" (for HOURLY queries; a plain day counts at
	// 00:00), or relative to the time the store is built: "today",
	// "today-1", "today+2". Relative dates keep hand-written seeds valid as
	// the calendar moves on.
	Date string `json:"date" yaml:"date"`
	// Amount feeds every cost metric unless Metrics overrides one.
	Amount Decimal `json:"amount" yaml:"amount"`
	// Unit is the currency, "USD" when empty. A dataset has one currency.
	Unit string `json:"unit,omitempty" yaml:"unit,omitempty"`
	// UsageQuantity feeds UsageQuantity and NormalizedUsageAmount.
	UsageQuantity Decimal `json:"usageQuantity,omitempty" yaml:"usageQuantity,omitempty"`
	// UsageUnit is the unit of UsageQuantity ("Hrs", "GB"); groups that mix
	// units answer "N/A" like Cost Explorer.
	UsageUnit string `json:"usageUnit,omitempty" yaml:"usageUnit,omitempty"`
	// Metrics overrides the amount of single metrics, keyed by the metric
	// name of GetCostAndUsage ("BlendedCost": "12.01").
	Metrics map[string]Decimal `json:"metrics,omitempty" yaml:"metrics,omitempty"`

	Region     string `json:"region,omitempty" yaml:"region,omitempty"`
	UsageType  string `json:"usageType,omitempty" yaml:"usageType,omitempty"`
	Operation  string `json:"operation,omitempty" yaml:"operation,omitempty"`
	RecordType string `json:"recordType,omitempty" yaml:"recordType,omitempty"` // "Usage" when empty

	// Tags are the cost allocation tags on the cost.
	Tags map[string]string `json:"tags,omitempty" yaml:"tags,omitempty"`
	// CostCategories are cost category name → value.
	CostCategories map[string]string `json:"costCategories,omitempty" yaml:"costCategories,omitempty"`
}

// Metric names of GetCostAndUsage, in the order used to index a record's
// overrides.
var metricNames = [...]string{
	"AmortizedCost", "BlendedCost", "NetAmortizedCost", "NetUnblendedCost",
	"NormalizedUsageAmount", "UnblendedCost", "UsageQuantity",
}

const (
	mNormalizedUsage = 4
	mUsageQuantity   = 6
	numMetrics       = len(metricNames)
)

func metricIndex(name string) (int, bool) {
	i := slices.Index(metricNames[:], name)
	return i, i >= 0
}

// isUsageMetric reports whether a metric counts usage rather than money.
func isUsageMetric(m int) bool { return m == mNormalizedUsage || m == mUsageQuantity }

// The dimensions the simulator models, as indexes into row.dims.
const (
	dAccount = iota
	dAccountName
	dService
	dRegion
	dUsageType
	dOperation
	dRecordType
	numDims
)

// dimensionKeys maps Cost Explorer's dimension names to the modelled ones.
var dimensionKeys = map[string]int{
	"LINKED_ACCOUNT":      dAccount,
	"LINKED_ACCOUNT_NAME": dAccountName,
	"SERVICE":             dService,
	"REGION":              dRegion,
	"USAGE_TYPE":          dUsageType,
	"OPERATION":           dOperation,
	"RECORD_TYPE":         dRecordType,
}

// missingValue is what Cost Explorer shows for a dimension a cost lacks.
var missingValue = [numDims]string{
	dAccountName: "NoLinkedAccountName",
	dRegion:      "NoRegion",
	dUsageType:   "NoUsageType",
	dOperation:   "NoOperation",
	dRecordType:  "Usage",
}

// row is a record compiled for scanning: strings interned to small integers
// so a filter or a grouping is an array lookup per row.
type row struct {
	hour      int32 // hours since the Unix epoch
	dims      [numDims]int32
	tags      int32 // index into Store.tagSets
	cats      int32 // index into Store.catSets
	usageUnit int32 // index into Store.usageUnits
	ovr       int32 // index into Store.overrides, -1 for none
	amount    fixed
	usage     fixed
}

func (r *row) value(m int, ovr [][numMetrics]*fixed) fixed {
	if r.ovr >= 0 {
		if v := ovr[r.ovr][m]; v != nil {
			return *v
		}
	}
	if isUsageMetric(m) {
		return r.usage
	}
	return r.amount
}

// interner gives each distinct string a dense id.
type interner struct {
	ids    map[string]int32
	values []string
}

func newInterner() *interner { return &interner{ids: map[string]int32{}} }

func (n *interner) id(s string) int32 {
	if id, ok := n.ids[s]; ok {
		return id
	}
	id := int32(len(n.values))
	n.ids[s] = id
	n.values = append(n.values, s)
	return id
}

// DefaultPageSize is how many groups one GetCostAndUsage page holds. AWS does
// not document its page size; 200 keeps pagination visible in tests with a
// few dozen accounts without making large queries needlessly chatty.
const DefaultPageSize = 200

// Store is the cost dataset and the Cost Explorer service over it. It is safe
// for concurrent use; the dataset is read-only after New.
type Store struct {
	rows       []row // sorted by hour
	dims       [numDims]*interner
	tagSets    []map[string]string
	catSets    []map[string]string
	usageUnits []string
	overrides  [][numMetrics]*fixed
	unit       string

	mu        sync.RWMutex
	payer     string
	names     map[string]string // account → name, from SetAccountNames
	pageSize  int
	multiYear bool
	disabled  bool
	gen       uint64 // bumped by every setter so cached results are not reused

	cache resultCache

	namesByID map[int32]string // account id → AccountName from the records
	byAccount [][]int32        // account id → its rows' indexes, by hour
}

// New compiles the records into a store. It rejects records that Cost
// Explorer could not have produced: no account or service, a bad date or
// amount, or a second currency.
func New(records []Record) (*Store, error) {
	return newAt(records, time.Now())
}

func newAt(records []Record, now time.Time) (*Store, error) {
	s := &Store{pageSize: DefaultPageSize, rows: make([]row, 0, len(records))}
	for i := range s.dims {
		s.dims[i] = newInterner()
	}
	tagIDs := newInterner()
	catIDs := newInterner()
	unitIDs := newInterner()
	unitIDs.id("")
	// Generated datasets share one tag map per account; remembering maps by
	// identity keeps New linear instead of sorting every record's tags.
	tagByMap := map[uintptr]int32{}
	catByMap := map[uintptr]int32{}
	today := now.UTC().Truncate(24 * time.Hour)

	var total, totalUsage fixed
	for i := range records {
		rec := &records[i]
		r, err := s.compile(rec, today, tagIDs, catIDs, unitIDs, tagByMap, catByMap)
		if err != nil {
			return nil, fmt.Errorf("cost record %d (%s %s %s): %w", i, rec.Account, rec.Service, rec.Date, err)
		}
		// A bound on every possible sum: no query can overflow if the
		// absolute total of the dataset fits.
		if !addAbs(&total, r.amount) || !addAbs(&totalUsage, r.usage) {
			return nil, fmt.Errorf("cost record %d: dataset total exceeds the simulator's range (%s)", i, fixed(math.MaxInt64))
		}
		if r.ovr >= 0 {
			for _, v := range s.overrides[r.ovr] {
				if v != nil && !addAbs(&total, *v) {
					return nil, fmt.Errorf("cost record %d: dataset total exceeds the simulator's range", i)
				}
			}
		}
		s.rows = append(s.rows, r)
	}
	s.usageUnits = unitIDs.values
	s.unit = cmp.Or(s.unit, "USD")
	slices.SortStableFunc(s.rows, func(a, b row) int { return cmp.Compare(a.hour, b.hour) })
	s.byAccount = make([][]int32, len(s.dims[dAccount].values))
	s.namesByID = map[int32]string{}
	for i := range s.rows {
		r := &s.rows[i]
		a := r.dims[dAccount]
		s.byAccount[a] = append(s.byAccount[a], int32(i))
		if n := s.dims[dAccountName].values[r.dims[dAccountName]]; n != missingValue[dAccountName] {
			s.namesByID[a] = n
		}
	}
	return s, nil
}

func addAbs(sum *fixed, v fixed) bool {
	if v < 0 {
		v = -v
	}
	if *sum > fixed(math.MaxInt64)-v {
		return false
	}
	*sum += v
	return true
}

func (s *Store) compile(rec *Record, today time.Time, tagIDs, catIDs, unitIDs *interner, tagByMap, catByMap map[uintptr]int32) (row, error) {
	r := row{ovr: -1}
	if !awsarn.IsAccountID(rec.Account) {
		return r, fmt.Errorf("account %q is not a 12-digit account ID", rec.Account)
	}
	if rec.Service == "" {
		return r, fmt.Errorf("service is required")
	}
	t, err := parseRecordDate(rec.Date, today)
	if err != nil {
		return r, err
	}
	r.hour = int32(t.Unix() / 3600)
	if r.amount, err = parseFixed(string(rec.Amount)); err != nil {
		return r, err
	}
	if r.usage, err = parseFixed(string(rec.UsageQuantity)); err != nil {
		return r, err
	}
	unit := cmp.Or(rec.Unit, "USD")
	if s.unit == "" {
		s.unit = unit
	} else if unit != s.unit {
		return r, fmt.Errorf("unit %q differs from the dataset's currency %q: Cost Explorer reports one currency", unit, s.unit)
	}
	r.usageUnit = unitIDs.id(rec.UsageUnit)
	if len(rec.Metrics) > 0 {
		var o [numMetrics]*fixed
		for name, d := range rec.Metrics {
			m, ok := metricIndex(name)
			if !ok {
				return r, fmt.Errorf("metrics: unknown metric %q (want one of %s)", name, strings.Join(metricNames[:], ", "))
			}
			v, err := parseFixed(string(d))
			if err != nil {
				return r, fmt.Errorf("metrics %s: %w", name, err)
			}
			o[m] = &v
		}
		r.ovr = int32(len(s.overrides))
		s.overrides = append(s.overrides, o)
	}
	vals := [numDims]string{
		dAccount: rec.Account, dAccountName: rec.AccountName, dService: rec.Service,
		dRegion: rec.Region, dUsageType: rec.UsageType, dOperation: rec.Operation, dRecordType: rec.RecordType,
	}
	for d, v := range vals {
		r.dims[d] = s.dims[d].id(cmp.Or(v, missingValue[d]))
	}
	r.tags = internSet(rec.Tags, tagIDs, &s.tagSets, tagByMap)
	r.cats = internSet(rec.CostCategories, catIDs, &s.catSets, catByMap)
	return r, nil
}

// internSet gives each distinct key/value set an id; records with no set
// share id 0 with the empty set.
func internSet(m map[string]string, ids *interner, sets *[]map[string]string, byMap map[uintptr]int32) int32 {
	if len(*sets) == 0 {
		ids.id("")
		*sets = append(*sets, map[string]string{})
	}
	if len(m) == 0 {
		return 0
	}
	ptr := reflect.ValueOf(m).Pointer()
	if id, ok := byMap[ptr]; ok {
		return id
	}
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(m)) {
		b.WriteString(strconv.Quote(k))
		b.WriteByte('=')
		b.WriteString(strconv.Quote(m[k]))
		b.WriteByte(';')
	}
	id := ids.id(b.String())
	if int(id) == len(*sets) {
		*sets = append(*sets, maps.Clone(m))
	}
	byMap[ptr] = id
	return id
}

// parseRecordDate reads a record's date: a day, an hour, or a day relative
// to today.
func parseRecordDate(s string, today time.Time) (time.Time, error) {
	if rest, ok := strings.CutPrefix(s, "today"); ok {
		if rest == "" {
			return today, nil
		}
		n, err := strconv.Atoi(rest)
		if err != nil || (rest[0] != '-' && rest[0] != '+') {
			return time.Time{}, fmt.Errorf("date %q: want today, today-N or today+N", s)
		}
		return today.AddDate(0, 0, n), nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("date %q: want YYYY-MM-DD, an RFC 3339 hour or today-N", s)
	}
	return t.UTC().Truncate(time.Hour), nil
}

// SetPayer names the management (payer) account, the only caller that sees
// every account's costs. Until it is set, every caller sees everything.
func (s *Store) SetPayer(account string) { s.update(func() { s.payer = account }) }

// update changes the store's settings under its lock and invalidates the
// cached answers.
func (s *Store) update(change func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	change()
	s.gen++
}

// SetAccountNames gives account names for DimensionValueAttributes when a
// query groups by LINKED_ACCOUNT; a record's AccountName takes precedence.
func (s *Store) SetAccountNames(names map[string]string) {
	s.update(func() { s.names = maps.Clone(names) })
}

// SetPageSize sets how many groups a GetCostAndUsage page holds, so tests can
// exercise pagination with small datasets. n < 1 restores DefaultPageSize.
func (s *Store) SetPageSize(n int) {
	if n < 1 {
		n = DefaultPageSize
	}
	s.update(func() { s.pageSize = n })
}

// SetMultiYear enables multi-year data: MONTHLY queries reach 38 months
// back instead of 13 (DAILY stays at 13).
func (s *Store) SetMultiYear(on bool) { s.update(func() { s.multiYear = on }) }

// SetEnabled turns Cost Explorer on or off for the organization. Until the
// management account enables it, AWS answers DataUnavailableException.
func (s *Store) SetEnabled(on bool) { s.update(func() { s.disabled = !on }) }

func (s *Store) enabled(h wire.Handler) wire.Handler {
	return func(ctx context.Context, r *wire.Request) (any, error) {
		s.mu.RLock()
		off := s.disabled
		s.mu.RUnlock()
		if off {
			return nil, wire.Errorf("DataUnavailableException", http.StatusBadRequest, "Data is not available. Please try to adjust the time period. If you just enabled Cost Explorer, it can take up to 24 hours to become available.")
		}
		return h(ctx, r)
	}
}

// SetCacheBytes bounds the memory of the result cache; n < 1 restores
// DefaultCacheBytes. The cache is emptied.
func (s *Store) SetCacheBytes(n int64) { s.cache.setMax(n) }

// CacheUsage returns how many answers the result cache holds and their
// estimated size in bytes.
func (s *Store) CacheUsage() (entries int, bytes int64) { return s.cache.usage() }

type settings struct {
	payer         string
	names         map[string]string
	pageSize      int
	historyMonths int
	gen           uint64
}

func (s *Store) settings() settings {
	s.mu.RLock()
	defer s.mu.RUnlock()
	h := historyMonths
	if s.multiYear {
		h = multiYearHistoryMonths
	}
	return settings{payer: s.payer, names: s.names, pageSize: s.pageSize, historyMonths: h, gen: s.gen}
}

// serviceRegion is the only region Cost Explorer answers in.
const serviceRegion = "us-east-1"

// inServiceRegion refuses calls signed for another region the way AWS's
// us-east-1 endpoint does: AWS has no Cost Explorer endpoint elsewhere, so
// a client configured for another region is misconfigured.
func inServiceRegion(h wire.Handler) wire.Handler {
	return func(ctx context.Context, r *wire.Request) (any, error) {
		if r.Region != serviceRegion {
			return nil, wire.Errorf("InvalidSignatureException", http.StatusForbidden,
				"Credential should be scoped to a valid region, not '%s'. Cost Explorer is served from %s only.", r.Region, serviceRegion)
		}
		return h(ctx, r)
	}
}

// visibleAccount is the account id a caller is restricted to, or -1 for all
// accounts, or -2 when the caller has no costs at all.
func (s *Store) visibleAccount(caller string, st settings) int32 {
	if st.payer == "" || caller == st.payer {
		return -1
	}
	if id, ok := s.dims[dAccount].ids[caller]; ok {
		return id
	}
	return -2
}

// Service is the Cost Explorer service.
func (s *Store) Service() wire.Service {
	return wire.Service{
		SigningName:      "ce",
		Protocol:         wire.JSON11,
		TargetPrefix:     "AWSInsightsIndexService",
		ThrottleCode:     "LimitExceededException",
		AccessDeniedCode: "AccessDeniedException",
		Ops: map[string]wire.Handler{
			"GetCostAndUsage": inServiceRegion(s.enabled(wire.Op(s.getCostAndUsage))),
			"GetCostForecast": inServiceRegion(s.enabled(wire.Op(s.getCostForecast))),
		},
	}
}
