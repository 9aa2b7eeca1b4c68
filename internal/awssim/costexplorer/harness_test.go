package costexplorer_test

import (
	"math/big"
	"regexp"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ce "github.com/aws/aws-sdk-go-v2/service/costexplorer"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer/types"

	"github.com/orgnotify/orgnotify/internal/awssim"
	"github.com/orgnotify/orgnotify/internal/awssim/awssimtest"
	"github.com/orgnotify/orgnotify/internal/awssim/costexplorer"
)

// testNow is the simulator's clock in these tests, so dates in the dataset
// keep their meaning whenever the tests run.
var testNow = time.Date(2026, 11, 15, 10, 30, 0, 0, time.UTC)

const payer = "111111111111"

type harness struct {
	store  *costexplorer.Store
	server *awssim.Server
	env    *awssimtest.Env
}

// start serves the store on 127.0.0.1 with the test clock.
func start(t testing.TB, store *costexplorer.Store) *harness {
	t.Helper()
	srv, env := awssimtest.Serve(t, awssimtest.Keys{"AKIDPAYER": payer, "AKIDMEMBER3": "100000000003", "AKIDSTRANGER": "999999999999"},
		awssimtest.AtClock(store.Service(), testNow))
	return &harness{store: store, server: srv, env: env}
}

// client is a Cost Explorer client whose credentials act as the account
// behind accessKey.
func (h *harness) client(t testing.TB, accessKey string) *ce.Client {
	t.Helper()
	return ce.NewFromConfig(h.env.ConfigWithKeys(t, "us-east-1", accessKey, "secret", ""))
}

// dataset is 60 generated accounts × 5 services × 60 days, plus hand-written
// records for the cases generation does not cover: the payer's own cost, no
// tags, an empty tag, cost categories, a credit, usage quantities and a
// sub-cent amount that needs all ten decimals.
func dataset(t testing.TB) []costexplorer.Record {
	t.Helper()
	recs, err := costexplorer.Generate(costexplorer.GenerateSpec{Accounts: 60, Services: 5, Start: "2026-09-16", Days: 60, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	return append(recs,
		costexplorer.Record{Account: payer, AccountName: "management", Service: "AWS CloudTrail", Date: "2026-10-05", Amount: "1.5", UsageQuantity: "3", UsageUnit: "Events"},
		costexplorer.Record{Account: payer, AccountName: "management", Service: "AWS CloudTrail", Date: "2026-10-06", Amount: "2.5", UsageQuantity: "5", UsageUnit: "Events"},
		costexplorer.Record{Account: "100000000003", Service: "Amazon Route 53", Date: "2026-10-31", Amount: "0.0000000071", CostCategories: map[string]string{"Project": "apollo"}},
		costexplorer.Record{Account: "100000000004", Service: "Amazon Route 53", Date: "2026-11-01", Amount: "-2.25", RecordType: "Credit", Tags: map[string]string{"env": ""}},
		costexplorer.Record{Account: "100000000005", Service: "Amazon Route 53", Date: "2026-11-02", Amount: "3", Region: "global", CostCategories: map[string]string{"Project": "gemini"}, Tags: map[string]string{"team": "team-05"}},
	)
}

func newStore(t testing.TB, recs []costexplorer.Record) *costexplorer.Store {
	t.Helper()
	s, err := costexplorer.New(recs)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// rat parses an amount exactly.
func rat(t testing.TB, s string) *big.Rat {
	t.Helper()
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		t.Fatalf("amount %q is not a decimal", s)
	}
	return r
}

// awsAmount is how Cost Explorer prints amounts: plain decimal, no exponent,
// no trailing zeros.
var awsAmount = regexp.MustCompile(`^-?\d+(\.\d*[1-9])?$`)

// checkAmount compares a returned amount with the exact expected value.
func checkAmount(t testing.TB, what, got string, want *big.Rat) {
	t.Helper()
	if !awsAmount.MatchString(got) {
		t.Errorf("%s: amount %q is not formatted as Cost Explorer does", what, got)
	}
	if rat(t, got).Cmp(want) != 0 {
		t.Errorf("%s: amount %s, want %s", what, got, want.FloatString(10))
	}
}

// monthPeriod is the MONTHLY period a day falls in for a query [start, end).
func monthPeriod(day, start string) string {
	p := day[:8] + "01"
	if p < start {
		return start
	}
	return p
}

// sum adds the amounts of the records in [from, to) that keep accepts.
func sum(t testing.TB, recs []costexplorer.Record, from, to string, keep func(*costexplorer.Record) bool) *big.Rat {
	t.Helper()
	total := new(big.Rat)
	for i := range recs {
		r := &recs[i]
		if r.Date >= from && r.Date < to && (keep == nil || keep(r)) {
			total.Add(total, rat(t, string(r.Amount)))
		}
	}
	return total
}

func ptr[T any](v T) *T { return &v }

func period(start, end string) *types.DateInterval {
	return &types.DateInterval{Start: aws.String(start), End: aws.String(end)}
}

func dims(key types.Dimension, values ...string) types.Expression {
	return types.Expression{Dimensions: &types.DimensionValues{Key: key, Values: values}}
}

func tag(key string, values ...string) types.Expression {
	return types.Expression{Tags: &types.TagValues{Key: aws.String(key), Values: values}}
}

func in(v string, set ...string) bool {
	for _, s := range set {
		if v == s {
			return true
		}
	}
	return false
}

// dayOffset is the UTC date n days from today on the real clock, for tests
// that run the whole simulator.
func dayOffset(n int) string {
	return time.Now().UTC().AddDate(0, 0, n).Format(time.DateOnly)
}
